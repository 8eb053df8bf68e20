"""Every write of the annual review: check the right, validate, write, audit, in one
transaction.

Who does what (Quy định 366-QĐ/TW; Hướng dẫn 43-HD/BTCTW):
- a committee's standing members or organisation commission open and close a round for
  the committee's subtree (MANAGE_REVIEWS);
- each member writes their self-review; a cell leader may enter it for a member who cannot
  (PREPARE_REVIEWS on the cell);
- the cell discusses each member in a meeting and votes its proposal (RUN_MEETINGS, in a
  meeting in progress);
- the grassroots organisation decides its members' levels; the standing committee of an
  organisation's immediate superior decides its level (DECIDE_REVIEWS on the decider);
- the decider confirms its decisions all at once, within the quota of "excellent".
Nothing changes once a round is closed, and a confirmed decision stays as it is.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, require
from chibo.admissions.rules import grassroots_of
from chibo.audit.log import record
from chibo.conflicts import check_version
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Meeting, MeetingStatus, Vote, VoteKind
from chibo.members.models import Member
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.orgs.models import Level as OrgLevel
from chibo.oversight.inspection import disciplined_in_year
from chibo.regulations.loader import PackNotFound, pack_by_id, pack_in_force, province_of
from chibo.regulations.reviews import LEVELS, ReviewRules
from chibo.reviews.models import (
    MemberReview,
    OrganisationReview,
    ReviewConfirmation,
    ReviewRound,
    Stage,
    Subject,
)
from chibo.reviews.records import disciplined_below, member_record, organisation_report
from chibo.reviews.rules import Tasks, check_level, clean_points, clean_tasks, quota_check

EARLIEST_YEAR = 2000
SECTION_MAX = 5000
NOTE_MAX = MemberReview._meta.get_field("decision_note").max_length
EDITABLE = (Stage.DRAFT, Stage.SUBMITTED)


# The round.


def rules_of(review_round: ReviewRound) -> ReviewRules:
    """The round's own pack: a round keeps the pack it was opened under."""
    return pack_by_id(review_round.pack_id).review


def pack_for_year(org: Organisation, year: int):
    """The reviews pack for a year's review: the one in force on the year's last day, when
    the review is done (a provincial pack over the national one)."""
    return pack_in_force(datetime.date(year, 12, 31), province_of(org), subject="reviews")


def _locked(obj):
    return type(obj).objects.select_for_update(of=("self",)).get(pk=obj.pk)


def _bump(obj) -> None:
    obj.version = F("version") + 1
    obj.save()
    obj.refresh_from_db()


def _require_open(review_round: ReviewRound) -> None:
    if not review_round.is_open:
        raise ValidationError(
            _("The review of %(year)s is closed; nothing in it can change.")
            % {"year": review_round.year}
        )


def _check_dates(opened_on, self_until, proposals_until, decisions_until) -> dict:
    errors = {}
    for field, value in (
        ("self_review_until", self_until),
        ("proposals_until", proposals_until),
        ("decisions_until", decisions_until),
    ):
        if not isinstance(value, datetime.date):
            errors[field] = _("Give a date.")
    if errors:
        return errors
    if self_until < opened_on:
        errors["self_review_until"] = _("The self-reviews cannot be due before the round opens.")
    elif proposals_until < self_until:
        errors["proposals_until"] = _("The cell meetings come after the self-reviews.")
    elif decisions_until < proposals_until:
        errors["decisions_until"] = _("The decisions come after the cell meetings.")
    return errors


def overlapping_round(org: Organisation, year: int) -> ReviewRound | None:
    """A round of the year that already covers org or part of its subtree."""
    from chibo.reviews.queries import covering_rounds

    return (
        covering_rounds(org, year).first()
        or ReviewRound.objects.filter(year=year, organisation__path__startswith=org.path)
        .select_related("organisation")
        .first()
    )


@transaction.atomic
def open_round(
    actor,
    org: Organisation,
    *,
    year: int,
    self_review_until: datetime.date,
    proposals_until: datetime.date,
    decisions_until: datetime.date,
    today: datetime.date | None = None,
) -> ReviewRound:
    """Open the review of org's subtree for a year."""
    require(actor, Perm.MANAGE_REVIEWS, org)
    today = today or timezone.localdate()
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    errors: dict = {}
    if org.level == OrgLevel.CELL:
        errors["organisation"] = _(
            "A subordinate cell's review is opened by its grassroots organisation or a "
            "committee above."
        )
    if org.closed_on is not None:
        errors["organisation"] = _("This organisation is closed.")
    if not isinstance(year, int) or not EARLIEST_YEAR <= year <= today.year:
        errors["year"] = _("Choose a year from %(first)s to %(last)s.") % {
            "first": EARLIEST_YEAR,
            "last": today.year,
        }
    errors.update(_check_dates(today, self_review_until, proposals_until, decisions_until))
    if errors:
        raise ValidationError(errors)
    other = overlapping_round(org, year)
    if other is not None:
        raise ValidationError(
            {
                "year": _("The review of %(year)s is already open for %(org)s.")
                % {"year": year, "org": other.organisation.name}
            }
        )
    try:
        pack = pack_for_year(org, year)
    except PackNotFound as exc:
        raise ValidationError(
            {"year": _("No review regulation applies to %(year)s.") % {"year": year}}
        ) from exc
    review_round = ReviewRound.objects.create(
        organisation=org,
        year=year,
        pack_id=pack.id,
        opened_on=today,
        self_review_until=self_review_until,
        proposals_until=proposals_until,
        decisions_until=decisions_until,
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor,
        "review.open",
        org,
        review_round,
        {"year": year, "pack": pack.id, "decisions_until": decisions_until},
    )
    return review_round


@transaction.atomic
def change_dates(
    actor,
    review_round: ReviewRound,
    *,
    self_review_until: datetime.date,
    proposals_until: datetime.date,
    decisions_until: datetime.date,
    version: int | None = None,
) -> ReviewRound:
    require(actor, Perm.MANAGE_REVIEWS, review_round.organisation)
    review_round = _locked(review_round)
    check_version(review_round, version)
    _require_open(review_round)
    errors = _check_dates(
        review_round.opened_on, self_review_until, proposals_until, decisions_until
    )
    if errors:
        raise ValidationError(errors)
    review_round.self_review_until = self_review_until
    review_round.proposals_until = proposals_until
    review_round.decisions_until = decisions_until
    _bump(review_round)
    record(
        actor,
        "review.dates",
        review_round.organisation,
        review_round,
        {
            "self_review_until": self_review_until,
            "proposals_until": proposals_until,
            "decisions_until": decisions_until,
        },
    )
    return review_round


@transaction.atomic
def close_round(
    actor, review_round: ReviewRound, *, version: int | None = None, today=None
) -> ReviewRound:
    """Close the round: what was confirmed is the year's result; nothing changes after."""
    require(actor, Perm.MANAGE_REVIEWS, review_round.organisation)
    review_round = _locked(review_round)
    check_version(review_round, version)
    _require_open(review_round)
    review_round.closed_on = today or timezone.localdate()
    _bump(review_round)
    record(actor, "review.close", review_round.organisation, review_round, {})
    return review_round


# Whom a round reviews, and who decides.


def in_round(review_round: ReviewRound, org: Organisation) -> bool:
    return org.path.startswith(review_round.organisation.path)


def member_decider(cell: Organisation) -> Organisation:
    """The grassroots organisation decides its members' levels (a grassroots cell, its own)."""
    return grassroots_of(cell)


def organisation_decider(org: Organisation) -> Organisation | None:
    """The immediate superior decides an organisation's level."""
    return Organisation.objects.get_parent(org) if org.depth > 1 else None


def _check_member(review_round: ReviewRound, member: Member, rules: ReviewRules) -> None:
    if not in_round(review_round, member.cell):
        raise ValidationError(
            {"member": _("This member is not in the organisations of this review.")}
        )
    if member.admitted_on > datetime.date(review_round.year, 12, 31):
        raise ValidationError(
            {
                "member": _("This member was admitted after %(year)s and is not reviewed for it.")
                % {"year": review_round.year}
            }
        )
    if member.status not in rules.member_statuses:
        raise ValidationError(
            {
                "member": _("A member who is “%(status)s” is not reviewed this year.")
                % {"status": member.get_status_display()}
            }
        )


def may_write_self_review(user, member: Member) -> bool:
    """The member themself, or a cell leader for a member who cannot write it."""
    own = getattr(user, "member_id", None)
    return (own is not None and own == member.pk) or can(user, Perm.PREPARE_REVIEWS, member.cell)


def _clean_sections(rules: ReviewRules, form_key: str, subject: str, sections, submit: bool):
    forms = {f.key: f for f in rules.forms_for(subject)}
    if form_key not in forms:
        raise ValidationError(
            {"form": _("Choose one of the forms: %(forms)s.") % {"forms": ", ".join(forms)}}
        )
    form = forms[form_key]
    sections = sections or {}
    errors = {}
    known = {s.key for s in form.sections}
    for key in sections:
        if key not in known:
            errors[f"sections.{key}"] = _("Form %(form)s has no such part.") % {"form": form.key}
    cleaned = {}
    for section in form.sections:
        text = (sections.get(section.key) or "").strip()
        if len(text) > SECTION_MAX:
            errors[f"sections.{section.key}"] = _("Keep it to %(max)d characters or fewer.") % {
                "max": SECTION_MAX
            }
        elif submit and not text:
            errors[f"sections.{section.key}"] = _("Write something for “%(part)s”.") % {
                "part": section.label
            }
        cleaned[section.key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _points(rules: ReviewRules, subject: str, raw: dict | None, submit: bool):
    """All the points on submission; on a draft only those given, each checked."""
    return clean_points(rules, subject, raw, partial=not submit)


def _tasks(tasks: Tasks | None, submit: bool) -> Tasks:
    """Every figure, consistent, on submission; on a draft each figure given in range."""
    tasks = tasks or Tasks()
    if submit:
        return clean_tasks(tasks)
    errors = {
        f"tasks_{name}_percent": _("A percent is from 0 to 100.")
        for name in ("done", "on_time", "exceeded")
        if getattr(tasks, name) is not None and not 0 <= getattr(tasks, name) <= 100
    }
    if errors:
        raise ValidationError(errors)
    return tasks


def _apply_self(
    review,
    rules,
    subject,
    *,
    form,
    sections,
    points,
    tasks,
    self_level,
    submit,
    disciplined=False,
    below=False,
) -> dict:
    """Check and set the self-assessment on review; return what the audit records. Every
    part is checked, so that one answer names every gap."""
    errors: dict = {}

    def checked(step, *args):
        try:
            return step(*args)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            return None

    sections = checked(_clean_sections, rules, form, subject, sections, submit)
    points, total = checked(_points, rules, subject, points, submit) or ({}, None)
    tasks = checked(_tasks, tasks, submit)
    if submit and not self_level:
        errors["self_level"] = [_("Choose the level you propose for yourself.")]
    elif self_level and self_level not in LEVELS:
        errors["self_level"] = [_("Choose one of the four levels.")]
    if errors:
        raise ValidationError(errors)
    if submit:
        check_level(
            rules,
            self_level,
            total,
            tasks,
            field="self_level",
            disciplined=disciplined,
            disciplined_below=below,
        )
    review.form = form
    review.sections = sections
    review.self_points = points
    review.self_total = total
    review.self_level = self_level or ""
    review.tasks_done_percent = tasks.done
    review.tasks_on_time_percent = tasks.on_time
    review.tasks_exceeded_percent = tasks.exceeded
    return {"form": form, "total": total, "self_level": self_level or "", "submitted": submit}


def _set_submitted(review, actor, submit: bool) -> None:
    """A submission goes to the cell (or the committee above); saving a draft takes a
    submitted review back to be finished, until it is submitted again."""
    review.stage = Stage.SUBMITTED if submit else Stage.DRAFT
    review.submitted_at = timezone.now() if submit else None
    review.submitted_by = (actor if getattr(actor, "pk", None) else None) if submit else None


@transaction.atomic
def save_self_review(
    actor,
    review_round: ReviewRound,
    member: Member,
    *,
    form: str,
    sections: dict | None = None,
    points: dict | None = None,
    tasks: Tasks | None = None,
    self_level: str = "",
    submit: bool = False,
    version: int | None = None,
) -> MemberReview:
    """Save the member's self-review as a draft, or submit it to the cell."""
    if not may_write_self_review(actor, member):
        raise PermissionDenied(_("You do not have permission to do this here."))
    review_round = ReviewRound.objects.select_related("organisation").get(pk=review_round.pk)
    _require_open(review_round)
    member = Member.objects.select_related("cell").get(pk=member.pk)
    rules = rules_of(review_round)
    _check_member(review_round, member, rules)
    review, created = MemberReview.objects.select_for_update(of=("self",)).get_or_create(
        round=review_round, member=member, defaults={"cell": member.cell, "form": form}
    )
    if not created:
        check_version(review, version)
    if review.stage not in EDITABLE:
        raise ValidationError(
            _("The cell has already proposed a level; the self-review can no longer change.")
        )
    changes = _apply_self(
        review,
        rules,
        "member",
        form=form,
        sections=sections,
        points=points,
        tasks=tasks,
        self_level=self_level,
        submit=submit,
        disciplined=disciplined_in_year(member, review_round.year),
    )
    review.cell = member.cell
    _set_submitted(review, actor, submit)
    _bump(review)
    changes["by_member"] = getattr(actor, "member_id", None) == member.pk
    record(actor, "review.submit" if submit else "review.self", member.cell, review, changes)
    return review


@transaction.atomic
def propose_member_level(
    actor,
    review: MemberReview,
    meeting: Meeting,
    *,
    points: dict | None,
    tasks: Tasks,
    level: str,
    comment: str = "",
    agree: int,
    disagree: int,
    abstain: int,
    version: int | None = None,
) -> tuple[MemberReview, Vote]:
    """The cell's proposal for a member, voted in a meeting in progress. A vote that fails
    stays in the minutes and the proposal is not recorded."""
    review = (
        MemberReview.objects.select_for_update(of=("self",))
        .select_related("round__organisation", "member__cell")
        .get(pk=review.pk)
    )
    check_version(review, version)
    _require_open(review.round)
    member = review.member
    require(actor, Perm.RUN_MEETINGS, member.cell)
    meeting = Meeting.objects.select_related("organisation").get(pk=meeting.pk)
    if meeting.organisation_id != member.cell_id:
        raise ValidationError({"meeting": _("Choose a meeting of the member's cell.")})
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError({"meeting": _("The cell votes in a meeting that is in progress.")})
    if review.stage == Stage.DRAFT:
        raise ValidationError(
            _("The member has not submitted a self-review yet; a cell leader can enter it.")
        )
    if review.stage not in (Stage.SUBMITTED, Stage.PROPOSED):
        raise ValidationError(_("The level has already been decided."))
    rules = rules_of(review.round)
    points, total = clean_points(rules, "member", points)
    tasks = clean_tasks(tasks)
    check_level(
        rules, level, total, tasks, disciplined=disciplined_in_year(member, review.round.year)
    )
    comment = (comment or "").strip()
    if len(comment) > SECTION_MAX:
        raise ValidationError(
            {"comment": _("Keep it to %(max)d characters or fewer.") % {"max": SECTION_MAX}}
        )
    vote = meeting_actions.record_vote(
        actor,
        meeting,
        subject=_("Review of %(year)s: %(name)s proposed as “%(level)s”")
        % {
            "year": review.round.year,
            "name": member.full_name,
            "level": rules.level(level).label,
        },
        kind=VoteKind.REVIEW,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
    )
    if vote.passed:
        review.proposed_points = points
        review.proposed_total = total
        review.proposed_level = level
        review.tasks_done_percent = tasks.done
        review.tasks_on_time_percent = tasks.on_time
        review.tasks_exceeded_percent = tasks.exceeded
        review.cell_comment = comment
        review.proposal_meeting = meeting
        review.proposal_vote = vote
        review.proposed_at = timezone.now()
        review.stage = Stage.PROPOSED
        review.cell = member.cell
        # The record the cell judged on.
        review.record = member_record(member, review.round.year)
    _bump(review)
    record(
        actor,
        "review.propose",
        member.cell,
        review,
        {"level": level, "total": total, "result": vote.summary, "passed": vote.passed},
    )
    return review, vote


# An organisation's report (form 01).


def check_org(review_round: ReviewRound, org: Organisation) -> None:
    """Refuse an organisation the round does not review: its own, one outside, a closed one."""
    if org.pk == review_round.organisation_id or not in_round(review_round, org):
        raise ValidationError(
            {"organisation": _("This organisation is not reviewed in this round.")}
        )
    if org.closed_on is not None:
        raise ValidationError({"organisation": _("This organisation is closed.")})


@transaction.atomic
def save_report(
    actor,
    review_round: ReviewRound,
    org: Organisation,
    *,
    sections: dict | None = None,
    points: dict | None = None,
    tasks: Tasks | None = None,
    self_level: str = "",
    submit: bool = False,
    version: int | None = None,
) -> OrganisationReview:
    """Save the organisation's report as a draft or submit it to the superior; submitting
    freezes the figures drafted from the year's records."""
    require(actor, Perm.PREPARE_REVIEWS, org)
    review_round = ReviewRound.objects.select_related("organisation").get(pk=review_round.pk)
    _require_open(review_round)
    check_org(review_round, org)
    rules = rules_of(review_round)
    form = rules.forms_for("organisation")[0].key
    review, created = OrganisationReview.objects.select_for_update(of=("self",)).get_or_create(
        round=review_round, organisation=org, defaults={"form": form}
    )
    if not created:
        check_version(review, version)
    if review.stage not in EDITABLE:
        raise ValidationError(_("The level has been decided; the report can no longer change."))
    report = organisation_report(org, review_round.year) if submit else None
    changes = _apply_self(
        review,
        rules,
        "organisation",
        form=form,
        sections=sections,
        points=points,
        tasks=tasks,
        self_level=self_level,
        submit=submit,
        disciplined=bool(report and report["disciplined_itself"]),
        below=bool(report and disciplined_below(report)),
    )
    review.report = report
    _set_submitted(review, actor, submit)
    _bump(review)
    record(actor, "review.report_submit" if submit else "review.report", org, review, changes)
    return review


# Decisions.


def decider_of(review: MemberReview | OrganisationReview) -> Organisation | None:
    if isinstance(review, MemberReview):
        return member_decider(review.cell)
    return organisation_decider(review.organisation)


def may_decide(user, review: MemberReview | OrganisationReview) -> bool:
    decider = decider_of(review)
    return decider is not None and can(user, Perm.DECIDE_REVIEWS, decider)


@transaction.atomic
def decide(
    actor,
    review: MemberReview | OrganisationReview,
    *,
    level: str,
    note: str = "",
    version: int | None = None,
):
    """The competent organisation decides the level, within what the conditions allow."""
    model = type(review)
    review = (
        model.objects.select_for_update(of=("self",))
        .select_related("round__organisation")
        .get(pk=review.pk)
    )
    if not may_decide(actor, review):
        raise PermissionDenied(
            _("Only the standing committee of the organisation above decides this level.")
            if model is OrganisationReview
            else _("Only the grassroots organisation's committee decides a member's level.")
        )
    check_version(review, version)
    _require_open(review.round)
    if review.is_confirmed:
        raise ValidationError(_("This decision is confirmed and can no longer change."))
    rules = rules_of(review.round)
    year = review.round.year
    if model is MemberReview:
        if review.stage not in (Stage.PROPOSED, Stage.DECIDED):
            raise ValidationError(_("The cell has not proposed a level yet."))
        subject_org = review.cell
        total = review.proposed_total
        disciplined, below = disciplined_in_year(review.member, year), False
    else:
        if review.stage not in (Stage.SUBMITTED, Stage.DECIDED):
            raise ValidationError(_("The organisation has not submitted its report yet."))
        subject_org = review.organisation
        total = review.self_total
        report = review.report or {}
        disciplined = bool(report.get("disciplined_itself"))
        below = bool(report) and disciplined_below(report)
    check_level(
        rules, level, total, Tasks.of(review), disciplined=disciplined, disciplined_below=below
    )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep it to %(max)d characters or fewer.") % {"max": NOTE_MAX}}
        )
    review.level = level
    review.decision_note = note
    review.decided_at = timezone.now()
    review.decided_by = actor if getattr(actor, "pk", None) else None
    review.stage = Stage.DECIDED
    _bump(review)
    record(actor, "review.decide", subject_org, review, {"level": level, "note": note})
    return review


# Confirmation, within the quota.


def group_of(review_round: ReviewRound, decider: Organisation, subject: str):
    """The reviews a decider decides in a round: its members', or its immediate
    subordinates'."""
    if subject == Subject.MEMBER:
        return MemberReview.objects.filter(round=review_round, cell__path__startswith=decider.path)
    return OrganisationReview.objects.filter(
        round=review_round,
        organisation__path__startswith=decider.path,
        organisation__depth=decider.depth + 1,
    )


def expected_count(review_round: ReviewRound, decider: Organisation, subject: str) -> int:
    """How many the decider must decide: its members under review, or its open
    subordinate organisations."""
    from chibo.reviews.queries import reviewed_members

    if subject == Subject.MEMBER:
        return reviewed_members(review_round, decider).count()
    return Organisation.objects.filter(
        path__startswith=decider.path, depth=decider.depth + 1, closed_on__isnull=True
    ).count()


def decides(review_round: ReviewRound, org: Organisation, subject: str) -> bool:
    """Whether org decides levels of the subject in the round: a grassroots organisation its
    members', a committee the organisations right below it."""
    if subject not in Subject.values or org.closed_on is not None:
        return False
    if not in_round(review_round, org):
        return False
    if subject == Subject.MEMBER:
        return org.level in (OrgLevel.GRASSROOTS_COMMITTEE, OrgLevel.GRASSROOTS_CELL)
    return org.level not in CELL_LEVELS and org.numchild > 0


def check_decider(review_round: ReviewRound, decider: Organisation, subject: str) -> None:
    """Refuse an organisation that decides nothing of that subject in the round."""
    if subject not in Subject.values:
        raise ValidationError({"subject": _("Choose members or organisations.")})
    if decides(review_round, decider, subject):
        return
    if subject == Subject.MEMBER:
        raise ValidationError(
            {"decider": _("Members' levels are decided by their grassroots organisation.")}
        )
    raise ValidationError({"decider": _("This organisation has no organisations below it.")})


@transaction.atomic
def confirm(
    actor, review_round: ReviewRound, decider: Organisation, subject: str
) -> ReviewConfirmation:
    """Confirm every decision of the decider for members or for organisations, once all are
    decided and the quota of "excellent" holds."""
    require(actor, Perm.DECIDE_REVIEWS, decider)
    review_round = _locked(review_round)
    _require_open(review_round)
    decider = Organisation.objects.get(pk=decider.pk)
    check_decider(review_round, decider, subject)
    if ReviewConfirmation.objects.filter(
        round=review_round, decider=decider, subject=subject
    ).exists():
        raise ValidationError(_("These decisions are already confirmed."))
    rows = list(group_of(review_round, decider, subject).select_for_update(of=("self",)))
    decided = [r for r in rows if r.stage == Stage.DECIDED]
    expected = expected_count(review_round, decider, subject)
    if len(decided) < expected:
        raise ValidationError(
            _("%(done)s of %(all)s levels are decided; decide them all before confirming.")
            % {"done": len(decided), "all": expected}
        )
    counts = {key: 0 for key in LEVELS}
    for row in decided:
        counts[row.level] += 1
    check = quota_check(rules_of(review_round), subject, counts)
    if check.broken:
        raise ValidationError({"quota": check.message()})
    confirmation = ReviewConfirmation.objects.create(
        round=review_round,
        decider=decider,
        subject=subject,
        confirmed_by=actor if getattr(actor, "pk", None) else None,
        counts=counts,
    )
    model = MemberReview if subject == Subject.MEMBER else OrganisationReview
    model.objects.filter(pk__in=[r.pk for r in decided]).update(
        confirmation=confirmation, stage=Stage.CONFIRMED, version=F("version") + 1
    )
    record(
        actor,
        "review.confirm",
        decider,
        review_round,
        {"subject": subject, **counts},
    )
    return confirmation
