"""Every step of an admission and a probation, in the order they happen.

Admission: open the case, complete the dossier and the introducers, the cell's vote in a
meeting in progress, the grassroots committee's resolution (subordinate cells only), the
admission decision that makes the candidate a probationary member. Probation: the ceremony,
the recognition vote after the months of probation, the committee's decision to recognise
the member as official (the official date is the end of the probation, even when the vote
is late) or to remove the name; after too many failed votes the superior committee decides.

Each action checks permission, validates against the membership pack in force, writes and
records the audit event in one transaction: a refused step changes nothing. The figures
(ages, months, working days, thresholds) come from the packs, never from this module.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, require
from chibo.admissions import rules
from chibo.admissions.models import (
    OPEN_PROBATION_STATES,
    Candidate,
    CandidateVote,
    DocumentStatus,
    DossierItem,
    Introducer,
    Probation,
    ProbationState,
    ProbationVote,
    Stage,
)
from chibo.audit.log import diff, record
from chibo.conflicts import check_version
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Meeting, MeetingStatus, Vote, VoteKind
from chibo.members import actions as member_actions
from chibo.members.actions import check_member, masked_changes
from chibo.members.models import (
    Education,
    Member,
    MembershipEnd,
    MembershipPeriod,
    Status,
    education_level,
)
from chibo.orgs.models import Organisation
from chibo.oversight import rollups
from chibo.regulations.loader import PackNotFound, pack_by_id, pack_for
from chibo.regulations.rules import votes_needed
from chibo.regulations.workdays import add_working_days

CANDIDATE_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "phone",
    "email",
    "citizen_id",
    "education",
    "education_exception",
    "occupation",
    "over_age_approval",
)
# What a new member takes over from the candidate's record.
MEMBER_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "phone",
    "email",
    "citizen_id",
    "education",
    "occupation",
)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
MAX_TEXT = 500


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def membership_pack(org: Organisation, day: datetime.date):
    """Return the membership pack in force for org on day; refuse (422) when there is none."""
    try:
        return pack_for(org, day, subject="membership")
    except PackNotFound as exc:
        raise ValidationError(
            _("No membership rules are in force on %(date)s.") % {"date": _day(day)}
        ) from exc


def _bump(obj) -> None:
    obj.version += 1
    obj.save()


def _locked_candidate(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().select_related("cell").get(pk=candidate.pk)


def _locked_probation(probation: Probation) -> Probation:
    # The member is locked too: a transfer or another decision could race with this one.
    # The member first, then the probation: the order of end_membership, which closes the
    # probation (close_for_ended_membership), so that the two cannot wait on each other.
    # No join in the locking query: see chibo.members.actions.update_member.
    member_id = Probation.objects.values_list("member_id", flat=True).get(pk=probation.pk)
    member = Member.objects.select_for_update().get(pk=member_id)
    probation = Probation.objects.select_for_update().get(pk=probation.pk)
    probation.member = member
    return probation


def _check_cell(cell: Organisation) -> None:
    if not cell.is_cell:
        raise ValidationError({"cell": _("Candidates are prepared by a cell, not a committee.")})
    if not cell.is_active:
        raise ValidationError({"cell": _("%(name)s is closed.") % {"name": cell.name}})


def _check_candidate(candidate: Candidate) -> None:
    errors: dict[str, list[str]] = {}
    try:
        candidate.full_clean(exclude=["cell", "name_folded", "member", "pack_id", "stage"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    dob = candidate.date_of_birth
    if isinstance(dob, datetime.date) and not EARLIEST_BIRTH <= dob < timezone.localdate():
        errors.setdefault("date_of_birth", []).append(
            _("The date of birth must be between 1900 and today.")
        )
    if errors:
        raise ValidationError(errors)


def deciding_committee(cell: Organisation) -> Organisation:
    """Return the committee whose decision admits a candidate of the cell and recognises or
    removes its probationers: the superior committee (rules.superior_committee). The
    grassroots committee only proposes, with its resolution; a case referred after the failed
    recognition votes goes to the same committee above."""
    return rules.superior_committee(cell)


def may_decide(user, cell: Organisation) -> bool:
    """Whether the user may sign the admission or recognition decisions of the cell's cases:
    the one check of the actions, the pages and the API."""
    return can(user, Perm.DECIDE_MEMBERSHIP, deciding_committee(cell))


def require_decider(user, cell: Organisation) -> None:
    """Refuse (403) anyone but the deciding committee: a right that reaches the cell only
    through its grassroots committee is not enough."""
    require(user, Perm.DECIDE_MEMBERSHIP, deciding_committee(cell))


def _require_stage(candidate: Candidate, stage: str, message: str) -> None:
    if candidate.stage == Stage.WITHDRAWN:
        raise ValidationError(_("The case of %(name)s is closed.") % {"name": candidate.full_name})
    if candidate.stage == Stage.ADMITTED:
        raise ValidationError(
            _("%(name)s has already been admitted.") % {"name": candidate.full_name}
        )
    if candidate.stage != stage:
        raise ValidationError(message)


def _check_decision_text(number: str, day, today: datetime.date, after=None, field="decided_on"):
    """Refuse a decision without its number, or dated in the future or before the step it
    follows."""
    errors = {}
    if not (number or "").strip():
        errors["number"] = _("Give the document's number.")
    if not isinstance(day, datetime.date):
        errors[field] = _("Give the document's date.")
    elif day > today:
        errors[field] = _("The date cannot be in the future.")
    elif after is not None and day < after:
        errors[field] = _("The date cannot be before the previous step (%(date)s).") % {
            "date": _day(after)
        }
    if errors:
        raise ValidationError(errors)


# The case and its dossier.


@transaction.atomic
def create_candidate(actor, cell: Organisation, **fields) -> Candidate:
    """Open an admission case in a cell; its dossier is the list of the pack in force today."""
    cell = Organisation.objects.get(pk=cell.pk)
    require(actor, Perm.EDIT_MEMBER, cell)
    _check_cell(cell)
    unknown = set(fields) - set(CANDIDATE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    pack = membership_pack(cell, timezone.localdate())
    candidate = Candidate(cell=cell, pack_id=pack.id, **fields)
    _check_candidate(candidate)
    candidate.save()
    DossierItem.objects.bulk_create(
        DossierItem(candidate=candidate, key=doc.key, position=i)
        for i, doc in enumerate(pack.membership.admission.dossier)
    )
    record(
        actor,
        "admissions.create",
        cell,
        candidate,
        masked_changes({k: [None, v] for k, v in fields.items()}),
    )
    return candidate


@transaction.atomic
def update_candidate(actor, candidate: Candidate, version: int | None = None, **fields):
    """Correct the candidate's record while the case is open."""
    candidate = _locked_candidate(candidate)
    require(actor, Perm.EDIT_MEMBER, candidate.cell)
    check_version(candidate, version)
    if not candidate.is_open:
        raise ValidationError(
            _("The case is closed; correct the member's record instead, if there is one.")
        )
    unknown = set(fields) - set(CANDIDATE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    before = {k: getattr(candidate, k) for k in CANDIDATE_FIELDS}
    for key, value in fields.items():
        setattr(candidate, key, value)
    _check_candidate(candidate)
    changes = diff(before, {k: getattr(candidate, k) for k in CANDIDATE_FIELDS})
    if changes:
        _bump(candidate)
        record(actor, "admissions.update", candidate.cell, candidate, masked_changes(changes))
    return candidate


def _introducer_problem(
    member: Member, known_since: datetime.date, on: datetime.date, admission
) -> tuple[str, str] | None:
    """Return (field, message) when the member cannot introduce the candidate on that day."""
    if member.status != Status.OFFICIAL:
        return "member", _(
            "An introducer must be an official member (%(rule)s); %(name)s is not."
        ) % {"rule": rules.ART_INTRODUCERS, "name": member.full_name}
    if known_since > on:
        return "known_since", _("The date cannot be in the future.")
    months = admission.introducer_min_months_known
    if rules.add_months(known_since, months) > on:
        return "known_since", _(
            "An introducer must have worked with the candidate for at least %(months)s months "
            "(%(rule)s); %(name)s has since %(date)s."
        ) % {
            "months": months,
            "rule": rules.ART_INTRODUCERS,
            "name": member.full_name,
            "date": _day(known_since),
        }
    return None


@transaction.atomic
def add_introducer(
    actor, candidate: Candidate, member: Member, known_since: datetime.date
) -> Introducer:
    """Record an official member who introduces the candidate and since when they have worked
    together."""
    candidate = _locked_candidate(candidate)
    require(actor, Perm.EDIT_MEMBER, candidate.cell)
    _require_stage(
        candidate, Stage.PREPARING, _("Introducers are recorded before the cell's vote.")
    )
    admission = candidate.rules
    if candidate.introducers.count() >= admission.introducers:
        raise ValidationError(
            {
                "member": _("The dossier takes %(n)s introducers (%(rule)s).")
                % {"n": admission.introducers, "rule": rules.ART_INTRODUCERS}
            }
        )
    if candidate.introducers.filter(member=member).exists():
        raise ValidationError({"member": _("This member already introduces the candidate.")})
    if not isinstance(known_since, datetime.date):
        raise ValidationError({"known_since": _("Give the date.")})
    problem = _introducer_problem(member, known_since, timezone.localdate(), admission)
    if problem:
        raise ValidationError({problem[0]: problem[1]})
    introducer = Introducer.objects.create(
        candidate=candidate, member=member, known_since=known_since
    )
    _bump(candidate)
    record(
        actor,
        "admissions.introducer",
        candidate.cell,
        candidate,
        {"introducer": member.full_name, "known_since": known_since},
    )
    return introducer


@transaction.atomic
def remove_introducer(actor, candidate: Candidate, introducer: Introducer) -> None:
    candidate = _locked_candidate(candidate)
    require(actor, Perm.EDIT_MEMBER, candidate.cell)
    _require_stage(
        candidate, Stage.PREPARING, _("Introducers are recorded before the cell's vote.")
    )
    introducer = candidate.introducers.select_related("member").get(pk=introducer.pk)
    name = introducer.member.full_name
    introducer.delete()
    _bump(candidate)
    record(actor, "admissions.introducer_removed", candidate.cell, candidate, {"introducer": name})


def _checked_upload(upload) -> str:
    """Return the upload's real type; refuse a file too large or of another type, as the
    meetings' documents are refused."""
    if upload.size > meeting_actions.MAX_MATERIAL_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)s MB.")
                % {"mb": meeting_actions.MAX_MATERIAL_BYTES // (1024 * 1024)}
            }
        )
    kind = meeting_actions.material_type(upload)
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF, Word (DOCX), JPEG and PNG files are accepted.")}
        )
    return kind


def expired_message(item: DossierItem, on: datetime.date) -> str:
    rule = item.rule
    return _(
        "%(title)s is valid for %(years)s years: this one, of %(dated)s, is no longer valid "
        "on %(date)s (%(source)s)."
    ) % {
        "title": rule.label,
        "years": rule.valid_years,
        "dated": _day(item.dated),
        "date": _day(on),
        "source": rules.regulation(candidate_pack(item.candidate)),
    }


def candidate_pack(candidate: Candidate):
    return pack_by_id(candidate.pack_id)


@transaction.atomic
def set_document(
    actor,
    candidate: Candidate,
    key: str,
    *,
    status: str,
    reference: str = "",
    dated: datetime.date | None = None,
    note: str = "",
    upload=None,
) -> DossierItem:
    """Record a dossier document: missing, submitted or checked, with its number, date and
    a scan. The cell's leaders keep the dossier; the committee's staff check it too."""
    candidate = _locked_candidate(candidate)
    if not (
        can(actor, Perm.EDIT_MEMBER, candidate.cell)
        or can(actor, Perm.DECIDE_MEMBERSHIP, candidate.cell)
    ):
        require(actor, Perm.EDIT_MEMBER, candidate.cell)
    if not candidate.is_open:
        raise ValidationError(_("The case of %(name)s is closed.") % {"name": candidate.full_name})
    item = candidate.documents.select_for_update().filter(key=key).first()
    if item is None:
        raise ValidationError({"key": _("This document is not part of the dossier.")})
    if key in rules.STEP_DOCUMENTS:
        raise ValidationError(
            {"key": _("This document is made by its step of the case, not entered by hand.")}
        )
    if status not in DocumentStatus.values:
        raise ValidationError({"status": _("Choose missing, submitted or checked.")})
    today = timezone.localdate()
    reference, note = (reference or "").strip(), (note or "").strip()
    if len(reference) > 60:
        raise ValidationError({"reference": _("At most 60 characters.")})
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("At most 500 characters.")})
    if status == DocumentStatus.MISSING:
        item.reference, item.dated, item.note = "", None, note
        item.file, item.content_type, item.size = "", "", 0
    else:
        if not isinstance(dated, datetime.date):
            raise ValidationError({"dated": _("Give the document's date.")})
        if dated > today:
            raise ValidationError({"dated": _("The date cannot be in the future.")})
        item.reference, item.dated, item.note = reference, dated, note
        if item.rule.valid_years and item.expires_on <= today:
            raise ValidationError({"dated": expired_message(item, today)})
        if upload is not None:
            kind = _checked_upload(upload)
            extension = meeting_actions.ACCEPTED_TYPES[kind]
            upload.name = f"{secrets.token_hex(8)}.{extension}"
            item.file, item.content_type, item.size = upload, kind, upload.size
    item.status = status
    item.save()
    _bump(candidate)
    record(
        actor,
        "admissions.document",
        candidate.cell,
        candidate,
        {"document": key, "status": status, "dated": item.dated, "file": bool(item.file)},
    )
    return item


# What the vote and the decision need.


def _present(candidate: Candidate, key: str) -> bool:
    item = candidate.document(key)
    return item is not None and item.is_present


def introducers_needed(candidate: Candidate) -> int:
    """Return how many introducers the case needs: the pack's number, less one for each
    introduction replaced by its alternative (one member plus the Youth Union's resolution)."""
    admission = candidate.rules
    replaced = sum(
        1 for doc in admission.dossier if doc.alternative and _present(candidate, doc.alternative)
    )
    return max(1, admission.introducers - replaced)


def age_problems(candidate: Candidate, on: datetime.date) -> dict:
    """Return {field: [message]} when the candidate's age on that day is outside the pack's
    limits (over the maximum without the provincial committee's approval)."""
    admission = candidate.rules
    errors: dict[str, list[str]] = {}
    pack = candidate_pack(candidate)

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    age = rules.age_on(candidate.date_of_birth, on)
    if age < admission.min_age:
        refuse(
            "date_of_birth",
            _("A candidate must be at least %(min)s years old (%(rule)s); %(name)s is %(age)s.")
            % {
                "min": admission.min_age,
                "rule": rules.ART_AGE,
                "name": candidate.full_name,
                "age": age,
            },
        )
    elif age > admission.max_age and not candidate.over_age_approval.strip():
        refuse(
            "over_age_approval",
            _(
                "A candidate over %(max)s needs the provincial committee's approval (%(source)s); "
                "%(name)s is %(age)s."
            )
            % {
                "max": admission.max_age,
                "source": rules.regulation(pack),
                "name": candidate.full_name,
                "age": age,
            },
        )
    return errors


def education_problems(candidate: Candidate) -> dict:
    """Return {field: [message]} when the candidate's general education is not given, or is
    below the pack's minimum without the ground the regulation allows for it."""
    minimum = candidate.rules.min_education
    level = education_level(candidate.education)
    if level is None:
        return {"education": [_("Give the candidate's general education, such as 9/12.")]}
    order = list(Education.values)
    if order.index(level) >= order.index(minimum) or candidate.education_exception.strip():
        return {}
    return {
        "education": [
            _(
                "A candidate needs at least %(level)s (%(source)s); %(name)s has %(education)s. "
                "Where the regulation allows less, give the ground."
            )
            % {
                "level": Education(minimum).label.lower(),
                "source": rules.regulation(candidate_pack(candidate)),
                "name": candidate.full_name,
                "education": candidate.education,
            }
        ]
    }


def readiness(candidate: Candidate, on: datetime.date, *, for_decision: bool = False) -> dict:
    """Return {field: [messages]} of what stops the cell's vote (or the decision) on that day:
    age, the certificate's validity, the introducers, the dossier. Empty when ready."""
    admission = candidate.rules
    errors: dict[str, list[str]] = {}

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    for problems in (age_problems(candidate, on), education_problems(candidate)):
        for field, messages in problems.items():
            errors.setdefault(field, []).extend(messages)
    documents = {d.key: d for d in candidate.documents.all()}
    certificate = documents.get(rules.CERTIFICATE)
    if certificate is not None and certificate.is_present and certificate.expires_on:
        if certificate.expires_on <= on:
            refuse(rules.CERTIFICATE, expired_message(certificate, on))
    for doc in admission.dossier:
        if not doc.required or doc.key in rules.STEP_DOCUMENTS:
            continue
        item = documents.get(doc.key)
        alternative = documents.get(doc.alternative) if doc.alternative else None
        if item is not None and item.is_present:
            if for_decision and item.status != DocumentStatus.CHECKED:
                refuse(
                    doc.key,
                    _("%(title)s has not been checked yet.") % {"title": doc.label},
                )
        elif alternative is not None and alternative.is_present:
            continue
        else:
            refuse(doc.key, _("%(title)s is missing from the dossier.") % {"title": doc.label})
    introducers = list(candidate.introducers.select_related("member"))
    good = 0
    for introducer in introducers:
        problem = _introducer_problem(introducer.member, introducer.known_since, on, admission)
        if problem:
            refuse("introducers", problem[1])
        else:
            good += 1
    needed = introducers_needed(candidate)
    if good < needed:
        refuse(
            "introducers",
            _(
                "The dossier needs %(n)s qualifying introducers, or one and the Youth Union's "
                "resolution (%(rule)s); it has %(good)s."
            )
            % {"n": needed, "rule": rules.ART_INTRODUCERS, "good": good},
        )
    return errors


def meeting_day(meeting: Meeting) -> datetime.date:
    return timezone.localtime(meeting.scheduled_at).date()


def _vote_meeting(meeting: Meeting, cell: Organisation) -> Meeting:
    meeting = Meeting.objects.select_related("organisation").get(pk=meeting.pk)
    if meeting.organisation_id != cell.pk:
        raise ValidationError({"meeting": _("Choose a meeting of the member's cell.")})
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError({"meeting": _("The cell votes in a meeting that is in progress.")})
    return meeting


def threshold_needed(meeting: Meeting, kind: str) -> dict:
    """Return the meeting's register with how many votes in favour a vote of kind needs."""
    register = meeting_actions.vote_register(meeting)
    pack = register["pack"]
    threshold = pack.votes.threshold(kind)
    eligible = register["eligible"]
    return {
        **register,
        "needed": votes_needed(pack, kind, eligible) if eligible else 0,
        "rule": threshold.label,
    }


@transaction.atomic
def record_admission_vote(
    actor, candidate: Candidate, meeting: Meeting, *, agree: int, disagree: int, abstain: int
) -> Vote:
    """The cell votes on the admission in a meeting in progress. The pack's threshold decides;
    a failed vote is kept and the case stays where it was."""
    candidate = _locked_candidate(candidate)
    require(actor, Perm.RUN_MEETINGS, candidate.cell)
    meeting = _vote_meeting(meeting, candidate.cell)
    _require_stage(
        candidate, Stage.PREPARING, _("The cell has already voted to admit the candidate.")
    )
    day = meeting_day(meeting)
    problems = readiness(candidate, day)
    if problems:
        raise ValidationError(problems)
    vote = meeting_actions.record_vote(
        actor,
        meeting,
        subject=_("Admission of %(name)s to the Party") % {"name": candidate.full_name},
        kind=VoteKind.ADMISSION,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
    )
    CandidateVote.objects.create(candidate=candidate, vote=vote)
    if vote.passed:
        candidate.stage = Stage.CELL_APPROVED
        candidate.cell_voted_on = day
        candidate.documents.filter(key="cell_resolution").update(
            status=DocumentStatus.CHECKED, dated=day, note=vote.summary[:MAX_TEXT]
        )
    _bump(candidate)
    record(
        actor,
        "admissions.vote",
        candidate.cell,
        candidate,
        {"meeting": meeting.pk, "result": vote.summary, "rule": vote.rule, "passed": vote.passed},
    )
    return vote


@transaction.atomic
def record_committee_resolution(
    actor, candidate: Candidate, *, number: str, resolved_on: datetime.date
) -> Candidate:
    """The grassroots committee's resolution proposing a subordinate cell's candidate."""
    candidate = _locked_candidate(candidate)
    require(actor, Perm.DECIDE_MEMBERSHIP, candidate.cell)
    if not rules.needs_committee_resolution(candidate.cell):
        raise ValidationError(
            _(
                "A grassroots cell proposes its candidates straight to the superior committee: "
                "there is no grassroots committee's resolution."
            )
        )
    _require_stage(
        candidate,
        Stage.CELL_APPROVED,
        _("The grassroots committee resolves after the cell's vote has passed."),
    )
    _check_decision_text(
        number, resolved_on, timezone.localdate(), candidate.cell_voted_on, "resolved_on"
    )
    candidate.stage = Stage.COMMITTEE_PROPOSED
    candidate.committee_resolution_number = number.strip()[:60]
    candidate.committee_resolved_on = resolved_on
    candidate.documents.filter(key=rules.COMMITTEE_DOCUMENT).update(
        status=DocumentStatus.CHECKED, dated=resolved_on, reference=number.strip()[:60]
    )
    _bump(candidate)
    record(
        actor,
        "admissions.committee",
        candidate.cell,
        candidate,
        {"number": candidate.committee_resolution_number, "resolved_on": resolved_on},
    )
    return candidate


@transaction.atomic
def decide_admission(
    actor, candidate: Candidate, *, number: str, decided_on: datetime.date, signer: str = ""
) -> Probation:
    """The admission decision: the candidate becomes a probationary member of the cell, with
    the decision's date as the admission date (party age counts from it)."""
    candidate = _locked_candidate(candidate)
    cell = candidate.cell
    require_decider(actor, cell)
    if rules.needs_committee_resolution(cell):
        if candidate.stage == Stage.CELL_APPROVED:
            raise ValidationError(
                _("A subordinate cell's candidate needs the grassroots committee's resolution.")
            )
        expected, after = Stage.COMMITTEE_PROPOSED, candidate.committee_resolved_on
    else:
        expected, after = Stage.CELL_APPROVED, candidate.cell_voted_on
    _require_stage(
        candidate, expected, _("The admission is decided only after the cell's vote has passed.")
    )
    today = timezone.localdate()
    _check_decision_text(number, decided_on, today, after)
    if len(signer or "") > 120:
        raise ValidationError({"signer": _("At most 120 characters.")})
    _check_cell(cell)
    problems = readiness(candidate, decided_on, for_decision=True)
    # The age counts on the day of the cell's vote, but with the record as it is now: a date
    # of birth or an approval corrected after the vote is checked again.
    problems.pop("date_of_birth", None)
    problems.pop("over_age_approval", None)
    for field, messages in age_problems(candidate, candidate.cell_voted_on).items():
        problems.setdefault(field, []).extend(messages)
    if problems:
        raise ValidationError(problems)
    pack = membership_pack(cell, decided_on)
    member = Member(
        cell=cell,
        admitted_on=decided_on,
        status=Status.PROBATIONARY,
        **{k: getattr(candidate, k) for k in MEMBER_FIELDS},
    )
    check_member(member)
    member.save()
    MembershipPeriod.objects.create(
        member=member, organisation=cell, started_on=decided_on, reason=_("Admitted")
    )
    record(
        actor,
        "member.create",
        cell,
        member,
        masked_changes({k: [None, getattr(member, k)] for k in (*MEMBER_FIELDS, "admitted_on")}),
    )
    probation = Probation.objects.create(
        member=member,
        candidate=candidate,
        pack_id=pack.id,
        decision_number=number.strip()[:60],
        decided_on=decided_on,
        decided_by=rules.superior_committee(cell),
        signer=(signer or "").strip(),
        ceremony_due=add_working_days(
            decided_on, pack.membership.admission.ceremony_within_working_days
        ),
    )
    candidate.stage = Stage.ADMITTED
    candidate.member = member
    candidate.documents.filter(key="admission_decision").update(
        status=DocumentStatus.CHECKED, dated=decided_on, reference=number.strip()[:60]
    )
    _bump(candidate)
    record(
        actor,
        "admissions.decide",
        cell,
        candidate,
        {
            "number": probation.decision_number,
            "decided_on": decided_on,
            "ceremony_due": probation.ceremony_due,
        },
    )
    rollups.refresh_cells(cell)
    return probation


@transaction.atomic
def close_case(actor, candidate: Candidate, reason: str) -> Candidate:
    """Close an open case without admission (the candidate withdrew, or the cell stopped)."""
    candidate = _locked_candidate(candidate)
    require(actor, Perm.EDIT_MEMBER, candidate.cell)
    if not candidate.is_open:
        raise ValidationError(_("The case of %(name)s is closed.") % {"name": candidate.full_name})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is closed.")})
    candidate.stage = Stage.WITHDRAWN
    candidate.closed_reason = reason[:MAX_TEXT]
    _bump(candidate)
    record(actor, "admissions.withdraw", candidate.cell, candidate, {"reason": reason[:MAX_TEXT]})
    return candidate


# Probation.


def _apply_ceremony(probation: Probation, held_on, today: datetime.date) -> None:
    """Set the ceremony and the dates it starts: the end of the probation and the review's
    deadline. Refuse a ceremony after the pack's working days from the decision."""
    membership = probation.rules
    if not isinstance(held_on, datetime.date):
        raise ValidationError({"held_on": _("Give the date of the ceremony.")})
    if held_on < probation.decided_on:
        raise ValidationError(
            {
                "held_on": _("The ceremony cannot be before the admission decision (%(date)s).")
                % {"date": _day(probation.decided_on)}
            }
        )
    if held_on > today:
        raise ValidationError({"held_on": _("The date cannot be in the future.")})
    if held_on > probation.ceremony_due:
        raise ValidationError(
            {
                "held_on": _(
                    "The admission ceremony must be held within %(days)s working days of the "
                    "decision, by %(due)s (%(source)s)."
                )
                % {
                    "days": membership.admission.ceremony_within_working_days,
                    "due": _day(probation.ceremony_due),
                    "source": rules.regulation(pack_by_id(probation.pack_id)),
                }
            }
        )
    probation.ceremony_on = held_on
    probation.ends_on = rules.add_months(held_on, membership.probation.months)
    probation.review_due = add_working_days(
        probation.ends_on, membership.probation.review_within_working_days
    )
    probation.state = ProbationState.ON_PROBATION


def _require_probationary(member: Member) -> None:
    if member.status != Status.PROBATIONARY:
        raise ValidationError(
            _("%(name)s is no longer a probationary member.") % {"name": member.full_name}
        )


@transaction.atomic
def open_probation(
    actor,
    member: Member,
    *,
    ceremony_on: datetime.date | None = None,
    decision_number: str = "",
) -> Probation:
    """Start the probation record of a probationary member admitted before Chibo kept the
    case: the decision is the member's admission date."""
    member = Member.objects.select_for_update().select_related("cell").get(pk=member.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    _require_probationary(member)
    if Probation.objects.filter(member=member).exists():
        raise ValidationError(_("%(name)s already has a probation record.") % {"name": member})
    if len(decision_number or "") > 60:
        raise ValidationError({"decision_number": _("At most 60 characters.")})
    pack = membership_pack(member.cell, member.admitted_on)
    probation = Probation(
        member=member,
        pack_id=pack.id,
        decision_number=(decision_number or "").strip(),
        decided_on=member.admitted_on,
        decided_by=rules.superior_committee(member.cell),
        ceremony_due=add_working_days(
            member.admitted_on, pack.membership.admission.ceremony_within_working_days
        ),
    )
    if ceremony_on is not None:
        _apply_ceremony(probation, ceremony_on, timezone.localdate())
    probation.save()
    record(
        actor,
        "admissions.probation",
        member.cell,
        member,
        {"decided_on": probation.decided_on, "ceremony_on": probation.ceremony_on},
    )
    return probation


@transaction.atomic
def hold_ceremony(actor, probation: Probation, held_on: datetime.date) -> Probation:
    """The admission ceremony (lễ kết nạp): the probation's months count from it."""
    probation = _locked_probation(probation)
    member = probation.member
    require(actor, Perm.EDIT_MEMBER, member.cell)
    _require_probationary(member)
    if probation.state != ProbationState.AWAITING_CEREMONY:
        raise ValidationError(_("The ceremony is already recorded."))
    _apply_ceremony(probation, held_on, timezone.localdate())
    _bump(probation)
    record(
        actor,
        "admissions.ceremony",
        member.cell,
        member,
        {"held_on": held_on, "ends_on": probation.ends_on},
    )
    return probation


def _max_failed_votes(cell: Organisation, day: datetime.date) -> int:
    return pack_for(cell, day).votes.max_failed_recognition_votes


@transaction.atomic
def record_recognition_vote(
    actor, probation: Probation, meeting: Meeting, *, agree: int, disagree: int, abstain: int
) -> Vote:
    """The cell votes on recognising the member as official, after the months of probation.
    A failed vote is kept; after the pack's number of failed votes the case goes to the
    superior committee."""
    probation = _locked_probation(probation)
    member = probation.member
    cell = member.cell
    require(actor, Perm.RUN_MEETINGS, cell)
    meeting = _vote_meeting(meeting, cell)
    _require_probationary(member)
    if probation.state == ProbationState.AWAITING_CEREMONY:
        raise ValidationError(_("The probation starts with the admission ceremony."))
    if probation.state == ProbationState.PROPOSED:
        raise ValidationError(_("The cell has proposed recognition; the committee decides now."))
    if probation.state == ProbationState.REFERRED:
        raise ValidationError(
            _("After %(n)s failed votes the case is with the superior committee.")
            % {"n": probation.failed_votes}
        )
    if probation.state != ProbationState.ON_PROBATION:
        raise ValidationError(_("The probation is over."))
    day = meeting_day(meeting)
    if day < probation.ends_on:
        raise ValidationError(
            {
                "meeting": _(
                    "The recognition vote comes after the %(months)s months of probation, which "
                    "end on %(date)s (%(rule)s)."
                )
                % {
                    "months": probation.rules.probation.months,
                    "date": _day(probation.ends_on),
                    "rule": rules.ART_PROBATION,
                }
            }
        )
    vote = meeting_actions.record_vote(
        actor,
        meeting,
        subject=_("Recognition of %(name)s as an official member") % {"name": member.full_name},
        kind=VoteKind.RECOGNITION,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
    )
    ProbationVote.objects.create(probation=probation, vote=vote)
    if vote.passed:
        probation.state = ProbationState.PROPOSED
    else:
        probation.failed_votes += 1
        if probation.failed_votes >= _max_failed_votes(cell, day):
            probation.state = ProbationState.REFERRED
    _bump(probation)
    record(
        actor,
        "admissions.recognition_vote",
        cell,
        member,
        {
            "meeting": meeting.pk,
            "result": vote.summary,
            "rule": vote.rule,
            "passed": vote.passed,
            "state": probation.state,
        },
    )
    return vote


def decider_of(probation: Probation) -> Organisation:
    """Return the committee that recognises the member or removes the name: the superior
    committee, the same for a case referred after the failed votes."""
    return deciding_committee(probation.member.cell)


@transaction.atomic
def decide_recognition(
    actor,
    probation: Probation,
    *,
    recognised: bool,
    number: str,
    decided_on: datetime.date,
    reason: str = "",
) -> Probation:
    """The committee's decision: recognised as official from the end of the probation (even
    when the vote or the decision comes later), or the name removed."""
    probation = _locked_probation(probation)
    member = probation.member
    require_decider(actor, member.cell)
    _require_probationary(member)
    state = probation.state
    if state == ProbationState.AWAITING_CEREMONY:
        raise ValidationError(_("The probation starts with the admission ceremony."))
    if not probation.is_open:
        raise ValidationError(_("The probation is over."))
    if recognised and state == ProbationState.ON_PROBATION:
        rule = pack_for(member.cell, timezone.localdate()).votes.threshold(VoteKind.RECOGNITION)
        raise ValidationError(
            _("Recognition needs the cell's vote first: %(rule)s.") % {"rule": rule.label}
        )
    if not recognised and state == ProbationState.ON_PROBATION and not probation.failed_votes:
        raise ValidationError(
            _("The name is removed only after the cell's recognition vote has failed.")
        )
    today = timezone.localdate()
    _check_decision_text(number, decided_on, today, probation.ends_on)
    reason = (reason or "").strip()
    if not recognised and not reason:
        raise ValidationError({"reason": _("Say why the member is not recognised.")})
    superior = rules.superior_committee(member.cell)
    probation.outcome_number = number.strip()[:60]
    probation.outcome_on = decided_on
    probation.outcome_by = superior
    probation.outcome_reason = reason[:MAX_TEXT]
    if recognised:
        before = {"status": member.status, "official_on": member.official_on}
        member.status = Status.OFFICIAL
        # The official date is the end of the probation, whenever the vote was held.
        member.official_on = probation.ends_on
        check_member(member)
        _bump(member)
        record(
            actor,
            "member.update",
            member.cell,
            member,
            diff(before, {"status": member.status, "official_on": member.official_on}),
        )
        probation.state = ProbationState.RECOGNISED
        _bump(probation)
    else:
        # Closed before the membership ends, with this decision, so that end_membership's
        # hook (close_for_ended_membership) finds no open probation to close again.
        probation.state = ProbationState.REMOVED
        _bump(probation)
        # The registry's one way of ending a membership: the status, the end of the home
        # cell's period, the record of the decision, the roles and the log-in.
        member = member_actions.end_membership(
            actor,
            member,
            Status.REMOVED,
            decided_on,
            decision_number=number.strip()[:60],
            decided_by=superior.name,
            reason=reason,
        )
    record(
        actor,
        "admissions.recognise" if recognised else "admissions.remove",
        member.cell,
        member,
        {
            "number": probation.outcome_number,
            "decided_on": decided_on,
            "official_on": member.official_on,
            "reason": probation.outcome_reason,
        },
    )
    return probation


def close_for_ended_membership(actor, member: Member, ending: MembershipEnd) -> None:
    """Close the member's open probation when the membership ends otherwise than by this
    app's decision (removal of name on a proposal, expulsion, leaving, death). Called by
    chibo.members.actions.end_membership in its transaction, the member already locked.

    The probation cannot go on, and nothing here says recognised: it ends in the one closed
    state that is not recognition, with the ending's decision and a reason that names how
    the membership ended, so that no deadline or reminder remains for it.
    """
    why = _("The membership ended: %(how)s.") % {"how": ending.get_kind_display()}
    _close_probation(
        actor,
        member,
        ProbationState.REMOVED,
        " ".join(x for x in (why, ending.reason) if x),
        ending.decision_number,
        ending.effective_on,
        {"ending": ending.kind},
    )


def close_for_transfer_out(
    actor, member: Member, destination: str, letter_number: str, letter_date: datetime.date
) -> None:
    """Close the open probation of a member transferred out of the system (called by
    chibo.transfers in its transaction). The probation goes on where the member goes; here
    it ends as transferred out, never as recognised, and no reminder remains for it."""
    _close_probation(
        actor,
        member,
        ProbationState.TRANSFERRED_OUT,
        _("Transferred out to %(name)s") % {"name": destination},
        letter_number,
        letter_date,
        {"to": destination},
    )


def _close_probation(actor, member, state, reason, number, on, changes) -> None:
    probation = (
        Probation.objects.select_for_update()
        .filter(member=member, state__in=OPEN_PROBATION_STATES)
        .first()
    )
    if probation is None:
        return
    before = probation.state
    probation.state = state
    probation.outcome_number = number[:60]
    probation.outcome_on = on
    probation.outcome_reason = reason[:MAX_TEXT]
    _bump(probation)
    record(
        actor,
        "admissions.close",
        member.cell,
        member,
        {"state": [before, probation.state], **changes, "effective_on": on, "number": number},
    )


def certificate_valid_until(candidate: Candidate) -> datetime.date | None:
    """Return the last day the candidate's course certificate is valid, if it has a date."""
    item = candidate.certificate
    if item is None or not item.is_present or item.expires_on is None:
        return None
    return item.expires_on - datetime.timedelta(days=1)
