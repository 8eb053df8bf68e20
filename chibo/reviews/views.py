"""Pages of the member and cell path of the annual review: a committee's rounds, a round
with its progress, a cell's sheet, a member's self-review with the year's record, the
cell's proposals in a meeting, and the member's own way in (me/review/). Thin, over
chibo.reviews.actions, queries and records."""

import datetime
from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can, visible_orgs
from chibo.meetings.actions import vote_register
from chibo.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus, Task
from chibo.members.models import Member
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.orgs.models import Level as OrgLevel
from chibo.orgs.queries import get_visible
from chibo.oversight.inspection import disciplined_ids, disciplined_in_year
from chibo.regulations.loader import pack_by_id
from chibo.reviews import actions, queries, records
from chibo.reviews.forms import (
    TASK_FIELDS,
    OpenRoundForm,
    ProposalForm,
    RoundDatesForm,
    SelfReviewForm,
    level_label,
    points_initial,
    points_text,
    tasks_initial,
)
from chibo.reviews.models import MemberReview, OrganisationReview, ReviewRound, Stage, Subject
from chibo.reviews.rules import Tasks, highest_level
from chibo.text import fold
from chibo.transfers.queries import residence_comments_for_review
from chibo.web.helpers import add_action_errors, get_or_404

PER_PAGE = 30
DEFAULT_FORM = "2C"


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _org(request, code) -> Organisation:
    try:
        return get_visible(request.user, code, Perm.VIEW_REVIEWS)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def _round(round_id) -> ReviewRound:
    return get_or_404(ReviewRound.objects.select_related("organisation", "opened_by"), pk=round_id)


def _stage_labels() -> dict[str, str]:
    return {"none": _("Not started"), **{key: str(label) for key, label in Stage.choices}}


def _level(rules, key: str) -> str:
    return level_label(rules, key) if key else ""


def _page(request, items, param: str):
    """One page of a long list, its page number read from param."""
    return Paginator(items, PER_PAGE).get_page(request.GET.get(param))


# A committee's rounds.


def _round_rows(rounds: list[ReviewRound], org: Organisation) -> list[dict]:
    pending = queries.pending_by_round(org)
    labels = _stage_labels()
    packs = {}
    rows = []
    for r in rounds:
        if r.pack_id not in packs:
            packs[r.pack_id] = pack_by_id(r.pack_id)
        rows.append(
            {
                "round": r,
                "pack": packs[r.pack_id],
                "covers": org.path.startswith(r.organisation.path),
                "counts": [(labels[k], n) for k, n in pending.get(r.pk, {}).items() if n],
            }
        )
    return rows


def _org_reviews_page(request, org, form=None, status=200):
    may_manage = can(request.user, Perm.MANAGE_REVIEWS, org) and org.level != OrgLevel.CELL
    if may_manage and form is None:
        form = OpenRoundForm(initial=OpenRoundForm.defaults())
    context = {
        "org": org,
        "rows": _round_rows(queries.rounds_of(org), org),
        "form": form if may_manage else None,
    }
    return render(request, "reviews/org_reviews.html", context, status=status)


@login_required
def org_reviews(request, code):
    """The rounds that cover the organisation and those opened below it, newest first."""
    return _org_reviews_page(request, _org(request, code))


@login_required
@require_POST
def open_round(request, code):
    org = _org(request, code)
    if not can(request.user, Perm.MANAGE_REVIEWS, org):
        raise PermissionDenied
    form = OpenRoundForm(request.POST)
    if form.is_valid():
        try:
            review_round = actions.open_round(request.user, org, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("The review of %(year)s is open for %(org)s.")
                % {"year": review_round.year, "org": org.name},
            )
            return redirect("reviews:round", round_id=review_round.pk)
    return _org_reviews_page(request, org, form=form, status=400)


# A round.


def _scopes(user, review_round: ReviewRound) -> list[Organisation]:
    """The highest organisations of the round where the user sees the reviews: the round's
    own organisation, or the organisations of the user's roles inside it."""
    root = review_round.organisation
    if can(user, Perm.VIEW_REVIEWS, root):
        return [root]
    roles = (
        user.roles.filter(organisation__path__startswith=root.path)
        .filter(organisation__closed_on__isnull=True)
        .select_related("organisation")
        .order_by("organisation__path")
    )
    tops: list[Organisation] = []
    for role in roles:
        org = role.organisation
        if can(user, Perm.VIEW_REVIEWS, org) and not any(org.path.startswith(t.path) for t in tops):
            tops.append(org)
    return tops


def _visible_round(request, round_id) -> tuple[ReviewRound, list[Organisation]]:
    review_round = _round(round_id)
    scopes = _scopes(request.user, review_round)
    if not scopes:
        raise Http404
    return review_round, scopes


def _cells(request, review_round: ReviewRound):
    """The cells of the round whose reviews the user sees, found by name or code."""
    cells = visible_orgs(request.user, Perm.VIEW_REVIEWS).filter(
        path__startswith=review_round.organisation.path,
        level__in=CELL_LEVELS,
        closed_on__isnull=True,
    )
    text = request.GET.get("q", "").strip()[:100]
    if text:
        cells = cells.filter(Q(name_folded__contains=fold(text)) | Q(code__iexact=text))
    return cells.order_by("path")


def _cell_rows(review_round: ReviewRound, cells) -> list[dict]:
    """Each cell of the page with how far its members' reviews have gone."""
    rules = actions.rules_of(review_round)
    ids = [c.pk for c in cells]
    expected = dict(
        Member.objects.filter(cell_id__in=ids, status__in=rules.member_statuses)
        .values_list("cell_id")
        .annotate(n=Count("id"))
    )
    stages: dict[int, Counter] = defaultdict(Counter)
    for cell_id, stage, n in (
        MemberReview.objects.filter(round=review_round, cell_id__in=ids)
        .values_list("cell_id", "stage")
        .annotate(n=Count("id"))
    ):
        stages[cell_id][stage] += n
    rows = []
    for cell in cells:
        counts = stages[cell.pk]
        rows.append(
            {
                "cell": cell,
                "members": expected.get(cell.pk, 0),
                "submitted": sum(counts.values()) - counts[Stage.DRAFT],
                "proposed": counts[Stage.PROPOSED]
                + counts[Stage.DECIDED]
                + counts[Stage.CONFIRMED],
                "decided": counts[Stage.DECIDED] + counts[Stage.CONFIRMED],
            }
        )
    return rows


def _deciders(user, review_round: ReviewRound, scopes: list[Organisation]) -> list[dict]:
    """The decider sheets of the round the user may decide."""
    rows = []
    for scope in scopes:
        for subject, orgs in queries.deciders_in(review_round, scope).items():
            rows.extend(
                {"org": org, "subject": subject, "label": Subject(subject).label}
                for org in orgs
                if can(user, Perm.DECIDE_REVIEWS, org)
            )
    rows.sort(key=lambda row: (row["org"].path, row["subject"]))
    return rows


def _reports(request, review_round: ReviewRound):
    """The organisations of the round whose report the user may prepare."""
    return (
        visible_orgs(request.user, Perm.PREPARE_REVIEWS)
        .filter(path__startswith=review_round.organisation.path, closed_on__isnull=True)
        .exclude(pk=review_round.organisation_id)
        .order_by("path")
    )


def _round_page(request, review_round, scopes, dates_form=None, status=200):
    user = request.user
    pack = pack_by_id(review_round.pack_id)
    may_manage = review_round.is_open and can(user, Perm.MANAGE_REVIEWS, review_round.organisation)
    if may_manage and dates_form is None:
        dates_form = RoundDatesForm(
            initial={
                "self_review_until": review_round.self_review_until,
                "proposals_until": review_round.proposals_until,
                "decisions_until": review_round.decisions_until,
            }
        )
    cells = _page(request, _cells(request, review_round), "page")
    reports = _page(request, _reports(request, review_round), "rpage")
    report_stages = dict(
        OrganisationReview.objects.filter(
            round=review_round, organisation_id__in=[o.pk for o in reports]
        ).values_list("organisation_id", "stage")
    )
    own = None
    member = getattr(user, "member", None) if user.member_id else None
    statuses = actions.rules_of(review_round).member_statuses
    if member is not None and actions.in_round(review_round, member.cell):
        own = member if member.status in statuses else None
    context = {
        "round": review_round,
        "org": review_round.organisation,
        "pack": pack,
        "scopes": scopes,
        "may_manage": may_manage,
        "dates_form": dates_form if may_manage else None,
        "cells": cells,
        "cell_rows": _cell_rows(review_round, cells),
        "q": request.GET.get("q", ""),
        "deciders": _page(request, _deciders(user, review_round, scopes), "dpage"),
        "reports": reports,
        "report_rows": [
            {"org": o, "stage": _stage_labels()[report_stages.get(o.pk, "none")]} for o in reports
        ],
        "own": own,
    }
    return render(request, "reviews/round.html", context, status=status)


@login_required
def round_detail(request, round_id):
    """The round's dates, pack and state, and the user's way to its cells, decisions and
    reports."""
    review_round, scopes = _visible_round(request, round_id)
    return _round_page(request, review_round, scopes)


@login_required
@require_POST
def change_dates(request, round_id):
    review_round, scopes = _visible_round(request, round_id)
    if not can(request.user, Perm.MANAGE_REVIEWS, review_round.organisation):
        raise PermissionDenied
    form = RoundDatesForm(request.POST)
    if form.is_valid():
        try:
            actions.change_dates(
                request.user, review_round, **form.cleaned_data, version=_version(request)
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The dates were changed."))
            return redirect("reviews:round", round_id=review_round.pk)
    review_round.refresh_from_db()
    return _round_page(request, review_round, scopes, dates_form=form, status=400)


@login_required
@require_POST
def close_round(request, round_id):
    review_round, _scopes_ = _visible_round(request, round_id)
    if not can(request.user, Perm.MANAGE_REVIEWS, review_round.organisation):
        raise PermissionDenied
    try:
        actions.close_round(request.user, review_round, version=_version(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The review of %(year)s is closed.") % {"year": review_round.year}
        )
    return redirect("reviews:round", round_id=review_round.pk)


# A cell's sheet.


def _cell_in_round(request, review_round: ReviewRound, code: str) -> Organisation:
    cell = _org(request, code)
    if not cell.is_cell or not actions.in_round(review_round, cell):
        raise Http404
    return cell


def _member_rows(rules, rows) -> list[dict]:
    labels = _stage_labels()
    result = []
    for row in rows:
        review = row.review
        result.append(
            {
                "member": row.member,
                "review": review,
                "stage": row.stage,
                "stage_label": labels[row.stage],
                "self_level": _level(rules, review.self_level) if review else "",
                "self_total": review.self_total if review else None,
                "proposed_level": _level(rules, review.proposed_level) if review else "",
                "vote": review.proposal_vote if review else None,
                "level": _level(rules, review.level) if review else "",
                "confirmed": bool(review and review.is_confirmed),
            }
        )
    return result


@login_required
def cell_sheet(request, round_id, code):
    """Each member of the cell with how far their review has gone, and the cell's meetings
    in progress where the proposals are voted."""
    review_round = _round(round_id)
    cell = _cell_in_round(request, review_round, code)
    rules = actions.rules_of(review_round)
    rows = queries.cell_sheet(review_round, cell)
    may_run = can(request.user, Perm.RUN_MEETINGS, cell)
    meetings = (
        Meeting.objects.filter(organisation=cell, status=MeetingStatus.IN_PROGRESS).order_by(
            "scheduled_at"
        )
        if may_run and review_round.is_open
        else []
    )
    labels = _stage_labels()
    context = {
        "round": review_round,
        "cell": cell,
        "rows": _member_rows(rules, rows),
        "counts": [(labels[k], n) for k, n in queries.stage_counts(rows).items()],
        "meetings": meetings,
        "scored": rules.scored,
    }
    return render(request, "reviews/cell_sheet.html", context)


# A member's review.


def record_for_page(record: dict) -> dict:
    """A member's year record (live or frozen) with its dates as dates and its codes named,
    for reviews/_record.html."""
    task_labels = dict(Task.Status.choices)

    def day(text):
        return datetime.date.fromisoformat(text) if text else None

    page = {**record, "tasks": {**record["tasks"]}}
    page["tasks"]["items"] = [
        {**t, "due_on": day(t["due_on"]), "status_label": task_labels.get(t["status"], "")}
        for t in record["tasks"]["items"]
    ]
    page["discipline"] = [{**d, "decided_on": day(d["decided_on"])} for d in record["discipline"]]
    page["inspections"] = [
        {**i, "concluded_on": day(i["concluded_on"])} for i in record["inspections"]
    ]
    return page


def _self_review_form(request, rules, review, record, data=None) -> SelfReviewForm:
    chosen = request.GET.get("form", "")
    if review is not None:
        tasks = Tasks.of(review)
        if tasks.done is None:
            tasks = records.suggested_tasks(record)
        initial = {
            "form": chosen or review.form or DEFAULT_FORM,
            "self_level": review.self_level,
            **points_initial(review.self_points),
            **{f"sections.{k}": v for k, v in review.sections.items()},
            **tasks_initial(tasks),
        }
    else:
        initial = {
            "form": chosen or DEFAULT_FORM,
            **tasks_initial(records.suggested_tasks(record)),
        }
    return SelfReviewForm(data, rules=rules, initial=initial)


def _written_self_review(rules, review: MemberReview) -> dict:
    """The self-review as written, for those who read it."""
    try:
        form = rules.form(review.form)
    except KeyError:
        form = None
    sections = [(s.label, review.sections.get(s.key, "")) for s in form.sections] if form else []
    points = [
        (c.label, review.self_points.get(c.key), points_text(c.max_points))
        for c in rules.criteria_of("member")
    ]
    tasks = [(label, getattr(review, name)) for name, _key, label in TASK_FIELDS]
    return {"form": form, "sections": sections, "points": points, "tasks": tasks}


def _member_page(request, review_round, member, review, form=None, status=200):
    user = request.user
    rules = actions.rules_of(review_round)
    year = review_round.year
    frozen = review is not None and review.record is not None
    record = review.record if frozen else records.member_record(member, year)
    may_write = (
        review_round.is_open
        and actions.may_write_self_review(user, member)
        and (review is None or review.stage in actions.EDITABLE)
    )
    if form is None and may_write:
        form = _self_review_form(request, rules, review, record)
    best = reasons = None
    if review is not None and review.stage in actions.EDITABLE:
        if review.self_total is not None or not rules.scored:
            key, why = highest_level(
                rules,
                review.self_total,
                Tasks.of(review),
                disciplined=disciplined_in_year(member, year),
            )
            best = level_label(rules, key)
            reasons = [(level_label(rules, k), problems) for k, problems in why.items()]
    comments = None
    if user.member_id != member.pk and can(user, Perm.VIEW_MEMBER, member.cell):
        comments = residence_comments_for_review(user, member, year)
    context = {
        "round": review_round,
        "member": member,
        "review": review,
        "rules": rules,
        "stage_label": _stage_labels()[review.stage if review else "none"],
        "record": record_for_page(record),
        "frozen": frozen,
        "form": form,
        "best": best,
        "reasons": reasons,
        "written": _written_self_review(rules, review) if review and form is None else None,
        "self_level": _level(rules, review.self_level) if review else "",
        "proposed_level": _level(rules, review.proposed_level) if review else "",
        "level": _level(rules, review.level) if review else "",
        "comments": comments,
        "is_self": user.member_id == member.pk,
        "may_see_cell": can(user, Perm.VIEW_REVIEWS, member.cell),
    }
    return render(request, "reviews/member_review.html", context, status=status)


@login_required
def member_review(request, round_id, member_id):
    """A member's year record and self-review: the form while it can still change, then
    the cell's proposal and the decision."""
    review_round = _round(round_id)
    member = get_or_404(Member.objects.select_related("cell"), pk=member_id)
    review = (
        MemberReview.objects.filter(round=review_round, member=member)
        .select_related("cell", "proposal_meeting", "proposal_vote")
        .first()
    )
    probe = review or MemberReview(round=review_round, member=member, cell=member.cell)
    if not queries.may_view(request.user, probe):
        raise Http404
    if review is None:
        statuses = actions.rules_of(review_round).member_statuses
        if not actions.in_round(review_round, member.cell) or member.status not in statuses:
            raise Http404
    if request.method != "POST":
        return _member_page(request, review_round, member, review)
    if not actions.may_write_self_review(request.user, member):
        raise PermissionDenied
    rules = actions.rules_of(review_round)
    form = SelfReviewForm(request.POST, rules=rules)
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        try:
            actions.save_self_review(
                request.user,
                review_round,
                member,
                form=form.cleaned_data["form"],
                sections=form.sections(),
                points=form.points(),
                tasks=form.tasks(),
                self_level=form.cleaned_data["self_level"],
                submit=submit,
                version=_version(request),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            if submit:
                messages.success(request, _("The self-review was submitted to the cell."))
            else:
                messages.success(request, _("The draft was saved."))
            return redirect("reviews:member_review", round_id=review_round.pk, member_id=member.pk)
    return _member_page(request, review_round, member, review, form=form, status=400)


# The cell's proposals in a meeting.


def _summaries(cell: Organisation, member_ids: list[int], year: int) -> dict[int, dict]:
    """A short record of each member for the meeting: meetings attended and tasks done in
    the year, and whether they were disciplined; a few queries for the whole cell."""
    present = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
    summary = {
        pk: {"invited": 0, "present": 0, "tasks": 0, "tasks_done": 0, "disciplined": False}
        for pk in member_ids
    }
    for member_id, status, n in (
        Attendance.objects.filter(
            member_id__in=member_ids,
            temporary=False,
            meeting__status__in=records.HELD,
            meeting__kind__in=records.MEMBER_MEETING_KINDS,
            meeting__scheduled_at__year=year,
        )
        .values_list("member_id", "status")
        .annotate(n=Count("id"))
    ):
        summary[member_id]["invited"] += n
        if status in present:
            summary[member_id]["present"] += n
    for member_id, status, n in (
        Task.objects.filter(assignees__in=member_ids, due_on__year=year)
        .values_list("assignees", "status")
        .annotate(n=Count("id"))
    ):
        summary[member_id]["tasks"] += n
        if status in (Task.Status.DONE, Task.Status.LATE):
            summary[member_id]["tasks_done"] += n
    for member_id in disciplined_ids(year, cell).members & set(member_ids):
        summary[member_id]["disciplined"] = True
    return summary


def _proposal_form(rules, review: MemberReview, register, data=None) -> ProposalForm:
    tasks = Tasks.of(review)
    initial = {
        **points_initial(review.proposed_points or review.self_points),
        **tasks_initial(tasks),
        "level": review.proposed_level or review.self_level,
        "comment": review.cell_comment,
    }
    return ProposalForm(
        data, rules=rules, register=register, initial=initial, prefix=f"r{review.pk}"
    )


def _takes_proposal(review_round, meeting, review) -> bool:
    """Whether the page shows a proposal form for this review now."""
    review.refresh_from_db(fields=["stage"])
    return (
        review_round.is_open
        and meeting.status == MeetingStatus.IN_PROGRESS
        and review.stage in (Stage.SUBMITTED, Stage.PROPOSED)
    )


def _proposals_page(request, review_round, meeting, bound=None, status=200):
    """bound: (review id, form) of a proposal sent back with its errors."""
    cell = meeting.organisation
    rules = actions.rules_of(review_round)
    open_ = review_round.is_open and meeting.status == MeetingStatus.IN_PROGRESS
    register = vote_register(meeting) if open_ else None
    rows = queries.cell_sheet(review_round, cell)
    summaries = _summaries(cell, [r.member.pk for r in rows], review_round.year)
    labels = _stage_labels()
    proposable, waiting, done = [], [], []
    for row in rows:
        review = row.review
        item = {
            "member": row.member,
            "review": review,
            "stage_label": labels[row.stage],
            "summary": summaries[row.member.pk],
            "self_level": _level(rules, review.self_level) if review else "",
            "proposed_level": _level(rules, review.proposed_level) if review else "",
            "level": _level(rules, review.level) if review else "",
        }
        if review is None or review.stage == Stage.DRAFT:
            waiting.append(item)
        elif review.stage in (Stage.SUBMITTED, Stage.PROPOSED):
            if open_:
                if bound is not None and bound[0] == review.pk:
                    item["form"] = bound[1]
                else:
                    item["form"] = _proposal_form(rules, review, register)
            proposable.append(item)
        else:
            done.append(item)
    context = {
        "round": review_round,
        "meeting": meeting,
        "cell": cell,
        "open": open_,
        "register": register,
        "proposable": proposable,
        "waiting": waiting,
        "done": done,
        "scored": rules.scored,
    }
    return render(request, "reviews/meeting_proposals.html", context, status=status)


@login_required
def meeting_proposals(request, round_id, meeting_id):
    """In a meeting in progress, the cell votes its proposal for each member who submitted a
    self-review."""
    review_round = _round(round_id)
    meeting = get_or_404(Meeting.objects.select_related("organisation"), pk=meeting_id)
    cell = meeting.organisation
    if (
        not cell.is_cell
        or not actions.in_round(review_round, cell)
        or not can(request.user, Perm.RUN_MEETINGS, cell)
    ):
        raise Http404
    if request.method != "POST":
        return _proposals_page(request, review_round, meeting)
    review = get_or_404(
        MemberReview.objects.select_related("member"),
        pk=_int(request.POST.get("review", "")),
        round=review_round,
        member__cell=cell,
    )
    url = reverse("reviews:meeting_proposals", args=[review_round.pk, meeting.pk])
    rules = actions.rules_of(review_round)
    register = vote_register(meeting) if meeting.status == MeetingStatus.IN_PROGRESS else None
    form = _proposal_form(rules, review, register, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            review, vote = actions.propose_member_level(
                request.user,
                review,
                meeting,
                points=form.points(),
                tasks=form.tasks(),
                level=data["level"],
                comment=data["comment"],
                agree=data["agree"],
                disagree=data["disagree"],
                abstain=data["abstain"],
                version=_version(request),
            )
        except ValidationError as exc:
            if not _takes_proposal(review_round, meeting, review):
                # The form is no longer shown (decided meanwhile, meeting closed): say why.
                messages.error(request, " ".join(exc.messages))
                return redirect(url)
            add_action_errors(form, exc)
        else:
            name = review.member.full_name
            if vote.passed:
                messages.success(
                    request,
                    _("%(name)s: the proposal “%(level)s” passed (%(result)s).")
                    % {
                        "name": name,
                        "level": level_label(rules, data["level"]),
                        "result": vote.summary,
                    },
                )
            else:
                messages.warning(
                    request,
                    _("%(name)s: the proposal did not pass (%(result)s).")
                    % {"name": name, "result": vote.summary},
                )
            return redirect(f"{url}#member-{review.member_id}")
    return _proposals_page(request, review_round, meeting, bound=(review.pk, form), status=400)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


# The member's own way in.


@login_required
def my_review(request):
    """Send the member to their open review; without one, say so and show past results."""
    member = request.user.member if request.user.member_id else None
    if member is None:
        raise Http404
    open_reviews = queries.open_reviews_of(member)
    if open_reviews:
        review_round, _review = open_reviews[0]
        return redirect("reviews:member_review", round_id=review_round.pk, member_id=member.pk)
    results = [
        {"review": r, "level": _level(actions.rules_of(r.round), r.level)}
        for r in queries.member_results(member)
    ]
    return render(request, "reviews/_m_no_review.html", {"member": member, "results": results})
