"""API of cell meetings: plan, prepare, hold, vote, assign and review tasks, close, write and
sign the minutes, score, share documents, and the member's calendar address.

The same policy as the pages: reading needs the right to follow the cell's meetings (or an
invitation), through visible_meetings; every write goes through the functions the pages call
(chibo.meetings.actions, minutes, scoring and calendar), which check the right to run the
cell's meetings or, for a member's own absence, opinion, check-in and signature, the member's
own place in the meeting. A meeting out of reach answers 404.
"""

import datetime
from functools import partial
from typing import Annotated, Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, Q, Value
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, can, require
from chibo.api.common import (
    MAX_IDS,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    DbId,
    OrgRef,
    Pager,
    blank_for_null,
    call_action,
    org_or_404,
)
from chibo.meetings import actions, calendar, documents, minutes, queries, scoring
from chibo.meetings.models import (
    PRESENT_STATUSES,
    Addendum,
    AgendaItem,
    AttendanceStatus,
    Ballot,
    Kind,
    Meeting,
    MeetingStatus,
    QualityScore,
    Signature,
    Task,
    VoteKind,
)
from chibo.members.models import Member
from chibo.orgs.models import Organisation

router = Router(tags=["meetings"])

# Longer free text (agenda notes, opinions) is refused above this many characters.
MAX_TEXT = 10_000
# A vote's counts: far above any cell, far below what the database holds.
VoteCount = Annotated[int, Field(ge=0, le=100_000)]

# The fields the actions name in their errors, as this API's requests call them.
FIELD_NAMES = {
    "presenter": "presenter_id",
    "preparer": "preparer_id",
    "chair": "chair_id",
    "minute_taker": "minute_taker_id",
    "member": "member_id",
    "agenda_item": "agenda_item_id",
    "assignees": "assignee_ids",
    "task": "task_id",
    "assessor": "member_id",
}


_act = partial(call_action, FIELD_NAMES)


def _meeting_or_404(user, meeting_id: int) -> Meeting:
    """Return the meeting in the URL; out of reach answers 404 like a missing one."""
    try:
        return queries.visible_meetings(user).get(pk=meeting_id)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def _cell_or_404(user, code: str) -> Organisation:
    cell = org_or_404(user, code, Perm.VIEW_MEETINGS)
    if not cell.is_cell:
        raise Http404
    return cell


def _may_run(user, meeting: Meeting) -> bool:
    return can(user, Perm.RUN_MEETINGS, meeting.organisation)


def _require_run(user, meeting_or_cell) -> None:
    """Refuse (403) before a body's ids are looked up, as the action itself would."""
    require(user, Perm.RUN_MEETINGS, getattr(meeting_or_cell, "organisation", meeting_or_cell))


def _cell_member(cell: Organisation, member_id: int | None, field: str) -> Member | None:
    """Return the member a request field names, who must be of the cell (422 otherwise)."""
    if member_id is None:
        return None
    member = cell.members.filter(pk=member_id).first()
    if member is None:
        raise ValidationError({field: _("Choose a member of this cell.")})
    return member


def _meeting_members(meeting: Meeting):
    """The members of the meeting's cell, and those invited to it who have left since."""
    return Member.objects.filter(
        Q(cell_id=meeting.organisation_id) | Q(attendance__meeting=meeting)
    ).distinct()


def _member_in_meeting(meeting: Meeting, member_id: int, field: str | None = None) -> Member:
    """Return a member of the meeting: 404 for one in the URL, 422 naming a body field."""
    member = _meeting_members(meeting).filter(pk=member_id).first()
    if member is None:
        if field is None:
            raise Http404
        raise ValidationError({field: _("Choose a member of this cell.")})
    return member


def _agenda_item(meeting: Meeting, item_id: int | None) -> AgendaItem | None:
    if item_id is None:
        return None
    item = meeting.agenda.filter(pk=item_id).first()
    if item is None:
        raise ValidationError({"agenda_item_id": _("Choose an item of this meeting's agenda.")})
    return item


# Answers.


class MemberRef(Schema):
    id: int
    full_name: str


class MeetingRef(Schema):
    id: int
    organisation: OrgRef
    kind: str
    status: str
    scheduled_at: datetime.datetime


class MeetingOut(MeetingRef):
    place: str
    topic: str
    invited: int = Field(description="Members invited, less those exempted.")
    present: int


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    notes: str
    conclusion: str


class GuestOut(Schema):
    id: int
    name: str
    title: str
    is_follower: bool


class AttendanceOut(Schema):
    member: MemberRef
    status: str = Field(description="expected, present, late, absent_excused, …")
    was_official: bool = Field(description="Official when invited: only they vote.")
    temporary: bool = Field(
        description="A member of another cell taking part temporarily: not counted or voting."
    )
    checked_in_at: datetime.datetime | None
    checked_in_by_self: bool
    absence_reason: str
    absence_request: str = Field(description="Empty, pending, accepted or refused.")


class RegisterOut(Schema):
    """Who may vote now, under the regulation pack in force on the meeting's date."""

    present: int
    expected: int = Field(description="Invited members, less those exempted.")
    present_official: int
    eligible: int = Field(description="The denominator of a vote.")
    temporarily_away: int = Field(
        description="Official members transferred temporarily elsewhere, left out as the pack says."
    )
    temporary_present: int = Field(description="Members here temporarily who are present.")
    needed: int = Field(description="Votes in favour a resolution needs.")
    quorum: bool = Field(description="Enough official members are present to pass one.")
    rule: str
    pack: str


class RegisterPage(RegisterOut):
    attendance: list[AttendanceOut]


class TaskOut(Schema):
    id: int
    title: str
    deliverable: str
    due_on: datetime.date
    status: str = Field(description="open, done, late or not_done.")
    review_note: str
    reviewed_in_id: int | None = Field(description="The meeting that reviewed it.")
    assignees: list[MemberRef]
    meeting: MeetingRef

    @staticmethod
    def resolve_assignees(obj):
        return obj.assignees.all()


class CountsOut(Schema):
    invited: int = Field(description="Members invited, less those exempted.")
    present: int
    absent: int
    opinions: int
    votes: int
    tasks: int


class MeetingDetail(MeetingRef):
    period: datetime.date | None = Field(description="The month of a regular meeting.")
    place: str
    topic: str
    moved_reason: str
    cancelled_reason: str
    notice_sent_at: datetime.datetime | None
    started_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    duration_minutes: int | None
    presenter: MemberRef | None
    preparer: MemberRef | None
    chair: MemberRef | None
    minute_taker: MemberRef | None
    agenda: list[AgendaItemOut]
    guests: list[GuestOut]
    tasks: list[TaskOut] = Field(description="The tasks of this meeting's resolution.")
    counts: CountsOut
    own: AttendanceOut | None = Field(description="The caller's own invitation, if any.")
    version: int = Field(description="Send it back with a change to detect a concurrent edit.")
    may_run: bool = Field(description="Whether the caller runs this cell's meetings.")
    checkin_code: str | None = Field(
        description="For those who run it, while it is in progress: shown in the room."
    )
    attendance: list[AttendanceOut] | None = Field(
        description="For those who run it; empty (null) for everyone else."
    )
    vote_register: RegisterOut | None = Field(
        description="For those who run it; empty (null) for everyone else."
    )


class OpinionOut(Schema):
    id: int
    member: MemberRef
    text: str
    prepared: bool = Field(description="Posted by the member before the meeting.")
    agenda_item_id: int | None
    created_at: datetime.datetime


class VoteOut(Schema):
    id: int
    subject: str
    kind: str
    by_name: bool
    agree: int
    disagree: int
    abstain: int
    eligible: int
    passed: bool
    summary: str = Field(description='"x/y tán thành (z%)": agree over eligible.')
    rule: str = Field(description="The threshold that decided it, with the votes it needed.")
    pack_id: str
    agenda_item_id: int | None
    recorded_at: datetime.datetime


def _register(meeting: Meeting) -> dict:
    register = actions.vote_register(meeting)
    return {**register, "pack": register["pack"].id}


def _detail(user, meeting: Meeting) -> dict:
    """The meeting as the caller may see it; those who run it also get the room's state."""
    meeting = Meeting.objects.select_related(
        "organisation", "presenter", "preparer", "chair", "minute_taker"
    ).get(pk=meeting.pk)
    may_run = _may_run(user, meeting)
    # Members here temporarily (chibo.transfers) are not counted.
    counts = meeting.attendance.filter(temporary=False).aggregate(
        invited=Count("pk", filter=~Q(status=AttendanceStatus.EXEMPTED)),
        present=Count("pk", filter=Q(status__in=PRESENT_STATUSES)),
        absent=Count(
            "pk",
            filter=Q(
                status__in=[AttendanceStatus.ABSENT_EXCUSED, AttendanceStatus.ABSENT_UNEXCUSED]
            ),
        ),
    )
    counts |= {
        "opinions": meeting.opinions.count(),
        "votes": meeting.votes.count(),
        "tasks": meeting.tasks.count(),
    }
    member_id = getattr(user, "member_id", None)
    own = (
        meeting.attendance.select_related("member").filter(member_id=member_id).first()
        if member_id
        else None
    )
    fields = {
        f: getattr(meeting, f)
        for f in (
            "id",
            "organisation",
            "kind",
            "status",
            "scheduled_at",
            "period",
            "place",
            "topic",
            "moved_reason",
            "cancelled_reason",
            "notice_sent_at",
            "started_at",
            "ended_at",
            "duration_minutes",
            "presenter",
            "preparer",
            "chair",
            "minute_taker",
            "version",
        )
    }
    in_progress = meeting.status == MeetingStatus.IN_PROGRESS
    return fields | {
        "agenda": meeting.agenda.all(),
        "guests": meeting.guests.all(),
        "tasks": _tasks(meeting.tasks.all()),
        "counts": counts,
        "own": own,
        "may_run": may_run,
        "checkin_code": meeting.checkin_code if may_run and in_progress else None,
        "attendance": queries.attendance_rows(meeting) if may_run else None,
        "vote_register": _register(meeting) if may_run else None,
    }


def _tasks(qs):
    return qs.select_related("meeting__organisation").prefetch_related("assignees")


def _listed(qs):
    """Meetings with their attendance counts, in time order."""
    return (
        qs.annotate(
            present=Count(
                "attendance",
                filter=Q(attendance__status__in=PRESENT_STATUSES, attendance__temporary=False),
            ),
            invited=Count(
                "attendance",
                filter=~Q(attendance__status=AttendanceStatus.EXEMPTED)
                & Q(attendance__temporary=False),
            ),
        )
        .select_related("organisation")
        .order_by("scheduled_at", "id")
    )


# Requests.


class MeetingFilters(Schema):
    year: int | None = Field(None, ge=1, le=9999, description="Only the meetings of this year.")


class ScheduleIn(Body):
    kind: Kind
    scheduled_at: datetime.datetime = Field(
        description="ISO 8601 with an offset; without one, Asia/Ho_Chi_Minh time."
    )
    place: str | None = Field(None, max_length=255, description="The cell's place when empty.")
    topic: str | None = Field(None, max_length=500, description="Needed by a thematic meeting.")
    presenter_id: DbId | None = None
    preparer_id: DbId | None = None
    moved_reason: str | None = Field(
        None, max_length=500, description="Needed when not on the regular day."
    )


class MeetingPatch(Body):
    kind: Kind | None = None
    scheduled_at: datetime.datetime | None = None
    place: str | None = Field(None, max_length=255)
    topic: str | None = Field(None, max_length=500)
    presenter_id: DbId | None = Field(None, description="null takes the presenter off.")
    preparer_id: DbId | None = None
    moved_reason: str | None = Field(None, max_length=500)
    version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The version the change was made from."
    )


class PlanYearIn(Body):
    year: int = Field(ge=2000, le=2100)


class CancelIn(Body):
    reason: str = Field(max_length=500)


class AgendaItemIn(Body):
    title: str = Field(max_length=255)
    notes: str = Field("", max_length=MAX_TEXT)


class GuestIn(Body):
    name: str = Field(max_length=120)
    title: str = Field("", max_length=255)
    is_follower: bool = Field(False, description="Follows the cell for the higher committee.")


class AbsenceIn(Body):
    reason: str = Field(max_length=500)


class DecisionIn(Body):
    accept: bool


class OpinionIn(Body):
    text: str = Field(max_length=MAX_TEXT)
    member_id: DbId | None = Field(
        None,
        description="The speaker, recorded during the meeting by those who run it. "
        "Without it, the opinion is the caller's own, posted before the meeting.",
    )
    agenda_item_id: DbId | None = None


class StartIn(Body):
    chair_id: DbId
    minute_taker_id: DbId


class CheckInIn(Body):
    member_id: DbId
    late: bool = False


class CodeIn(Body):
    code: str = Field(max_length=20, description="The code shown in the room.")


class AttendanceIn(Body):
    status: Literal["present", "late", "absent_excused", "absent_unexcused", "exempted"]
    reason: str = Field("", max_length=500)


class VoteIn(Body):
    subject: str = Field(max_length=500)
    kind: VoteKind = VoteKind.RESOLUTION
    agree: VoteCount | None = None
    disagree: VoteCount | None = None
    abstain: VoteCount | None = None
    ballots: dict[DbId, Ballot.Choice] | None = Field(
        None,
        max_length=MAX_IDS,
        description="A vote by name, {member_id: agree | disagree | abstain}, instead of counts.",
    )
    agenda_item_id: DbId | None = None


class TaskIn(Body):
    title: str = Field(max_length=500)
    deliverable: str = Field("", max_length=500)
    due_on: datetime.date
    assignee_ids: list[DbId] = Field(max_length=MAX_IDS)


class ReviewIn(Body):
    status: Literal["done", "late", "not_done"]
    note: str = Field("", max_length=500)


class TaskFilters(Schema):
    status: Task.Status | None = None


# A cell's plan.


@router.get(
    "/orgs/{code}/meetings",
    response={200: list[MeetingOut], **READ_ERRORS},
    summary="A cell's meetings",
)
@paginate(Pager)
def list_meetings(request, code: str, filters: Query[MeetingFilters]):
    """In time order, with how many were invited and present."""
    cell = _cell_or_404(request.auth, code)
    visible = queries.visible_meetings(request.auth).filter(organisation=cell)
    # A subquery: counting over the reach's own joins would count only the caller's row.
    qs = Meeting.objects.filter(pk__in=visible.values("pk"))
    if filters.year:
        qs = qs.filter(scheduled_at__year=filters.year)
    return _listed(qs)


@router.post(
    "/orgs/{code}/meetings",
    response={201: MeetingDetail, **WRITE_ERRORS},
    summary="Schedule a meeting",
)
def schedule_meeting(request, code: str, payload: ScheduleIn):
    """With the agenda of the regulation pack in force on its date."""
    user = request.auth
    cell = org_or_404(user, code, Perm.VIEW_MEETINGS)
    _require_run(user, cell)
    fields = payload.model_dump(exclude={"presenter_id", "preparer_id"})
    fields = {k: ("" if v is None else v) for k, v in fields.items()}
    meeting = _act(
        actions.schedule_meeting,
        user,
        cell,
        presenter=_cell_member(cell, payload.presenter_id, "presenter_id"),
        preparer=_cell_member(cell, payload.preparer_id, "preparer_id"),
        **fields,
    )
    return Status(201, _detail(user, meeting))


@router.post(
    "/orgs/{code}/meetings/plan-year",
    response={200: list[MeetingOut], **WRITE_ERRORS},
    summary="Plan a year's regular meetings",
)
def plan_year(request, code: str, payload: PlanYearIn):
    """One on the rule day of each month; months already planned are left as they are.
    Answers the meetings added."""
    user = request.auth
    cell = org_or_404(user, code, Perm.VIEW_MEETINGS)
    with transaction.atomic():
        made = _act(actions.plan_year, user, cell, payload.year)
    return _listed(Meeting.objects.filter(pk__in=[m.pk for m in made]))


# One meeting.


@router.get(
    "/meetings/{meeting_id}", response={200: MeetingDetail, **READ_ERRORS}, summary="A meeting"
)
def get_meeting(request, meeting_id: int):
    """Those who run it also get the attendance rows, the vote register and the code."""
    return _detail(request.auth, _meeting_or_404(request.auth, meeting_id))


@router.patch(
    "/meetings/{meeting_id}", response={200: MeetingDetail, **WRITE_ERRORS}, summary="Change"
)
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    """Change only the fields sent, before the meeting starts. A stale version answers 409."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    _require_run(user, meeting)
    fields = blank_for_null(
        payload.model_dump(exclude_unset=True), "place", "topic", "moved_reason"
    )
    for name in ("kind", "scheduled_at"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field is required.")})
    for name in ("presenter", "preparer"):
        if f"{name}_id" in fields:
            member_id = fields.pop(f"{name}_id")
            fields[name] = _cell_member(meeting.organisation, member_id, f"{name}_id")
    version = fields.pop("version", None)
    meeting = _act(actions.update_meeting, user, meeting, version=version, **fields)
    return _detail(user, meeting)


@router.post(
    "/meetings/{meeting_id}/cancel", response={200: MeetingDetail, **WRITE_ERRORS}, summary="Cancel"
)
def cancel_meeting(request, meeting_id: int, payload: CancelIn):
    meeting = _meeting_or_404(request.auth, meeting_id)
    meeting = _act(actions.cancel_meeting, request.auth, meeting, payload.reason)
    return _detail(request.auth, meeting)


@router.post(
    "/meetings/{meeting_id}/notice",
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Invite the members",
)
def send_notice(request, meeting_id: int):
    """Every current member of the cell gets an attendance row; sending again adds newcomers."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    return _detail(request.auth, _act(actions.send_notice, request.auth, meeting))


@router.post(
    "/meetings/{meeting_id}/agenda",
    response={201: AgendaItemOut, **WRITE_ERRORS},
    summary="Add an agenda item",
)
def add_agenda_item(request, meeting_id: int, payload: AgendaItemIn):
    meeting = _meeting_or_404(request.auth, meeting_id)
    item = _act(
        actions.save_agenda_item, request.auth, meeting, title=payload.title, notes=payload.notes
    )
    return Status(201, item)


@router.post(
    "/meetings/{meeting_id}/guests", response={201: GuestOut, **WRITE_ERRORS}, summary="Add a guest"
)
def add_guest(request, meeting_id: int, payload: GuestIn):
    meeting = _meeting_or_404(request.auth, meeting_id)
    return Status(201, _act(actions.add_guest, request.auth, meeting, **payload.model_dump()))


# Before the meeting: absences and opinions.


@router.post(
    "/meetings/{meeting_id}/absence",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Ask to be excused",
)
def request_absence(request, meeting_id: int, payload: AbsenceIn):
    """The caller's own invitation; the secretary decides."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    return _act(actions.request_absence, request.auth, meeting, payload.reason)


@router.post(
    "/meetings/{meeting_id}/absence/{member_id}",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Decide a request to be excused",
)
def decide_absence(request, meeting_id: int, member_id: int, payload: DecisionIn):
    meeting = _meeting_or_404(request.auth, meeting_id)
    member = _member_in_meeting(meeting, member_id)
    return _act(actions.decide_absence, request.auth, meeting, member, payload.accept)


@router.post(
    "/meetings/{meeting_id}/opinions",
    response={201: OpinionOut, **WRITE_ERRORS},
    summary="Post an opinion or record a speaker",
)
def post_opinion(request, meeting_id: int, payload: OpinionIn):
    """Without member_id: the caller's own opinion, before the meeting. With it: what a
    member present said, recorded during the meeting by those who run it."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    member = None
    if payload.member_id is not None:
        _require_run(user, meeting)
        member = _member_in_meeting(meeting, payload.member_id, "member_id")
    opinion = _act(
        actions.post_opinion,
        user,
        meeting,
        payload.text,
        member=member,
        agenda_item=_agenda_item(meeting, payload.agenda_item_id),
    )
    return Status(201, opinion)


@router.get(
    "/meetings/{meeting_id}/opinions",
    response={200: list[OpinionOut], **READ_ERRORS},
    summary="A meeting's opinions",
)
@paginate(Pager)
def list_opinions(request, meeting_id: int):
    meeting = _meeting_or_404(request.auth, meeting_id)
    return meeting.opinions.select_related("member")


# Holding it.


@router.post(
    "/meetings/{meeting_id}/start",
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Start the meeting",
)
def start_meeting(request, meeting_id: int, payload: StartIn):
    """Names the chair and the minute-taker, invites any newcomer and opens check-in."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    _require_run(user, meeting)
    chair = _cell_member(meeting.organisation, payload.chair_id, "chair_id")
    taker = _cell_member(meeting.organisation, payload.minute_taker_id, "minute_taker_id")
    meeting = _act(actions.start_meeting, user, meeting, chair=chair, minute_taker=taker)
    return _detail(user, meeting)


@router.post(
    "/meetings/{meeting_id}/check-in",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Check a member in",
)
def check_in(request, meeting_id: int, payload: CheckInIn):
    """By those who run it. A member already present stays as they were."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    _require_run(user, meeting)
    member = _member_in_meeting(meeting, payload.member_id, "member_id")
    return _act(actions.check_in, user, meeting, member, late=payload.late)


@router.post(
    "/meetings/{meeting_id}/check-in/code",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Check in with the room's code",
)
def check_in_with_code(request, meeting_id: int, payload: CodeIn):
    """The caller's own check-in, while the meeting is in progress; late after 15 minutes."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    return _act(actions.check_in_with_code, request.auth, meeting, payload.code)


@router.post(
    "/meetings/{meeting_id}/attendance/{member_id}",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Record a member's attendance",
)
def set_attendance(request, meeting_id: int, member_id: int, payload: AttendanceIn):
    """Present, late, absent with a reason, absent without one, or exempted."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    member = _member_in_meeting(meeting, member_id)
    return _act(
        actions.set_attendance, request.auth, meeting, member, payload.status, payload.reason
    )


@router.get(
    "/meetings/{meeting_id}/register",
    response={200: RegisterPage, **READ_ERRORS},
    summary="The vote register and attendance",
)
def get_register(request, meeting_id: int):
    """For those who run it: who is present, and how many votes a resolution needs."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    _require_run(request.auth, meeting)
    return {**_register(meeting), "attendance": queries.attendance_rows(meeting)}


@router.post(
    "/meetings/{meeting_id}/votes", response={201: VoteOut, **WRITE_ERRORS}, summary="Record a vote"
)
def record_vote(request, meeting_id: int, payload: VoteIn):
    """As counts (agree, disagree, abstain) or by name (ballots), not both. Counts larger than
    the official members present are refused; the result follows the pack's threshold."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    _require_run(user, meeting)
    counts = payload.model_dump(include={"agree", "disagree", "abstain"}, exclude_none=True)
    if payload.ballots is not None and counts:
        raise ValidationError(dict.fromkeys(counts, _("This field is not accepted here.")))
    vote = _act(
        actions.record_vote,
        user,
        meeting,
        subject=payload.subject,
        kind=payload.kind,
        ballots=payload.ballots,
        agenda_item=_agenda_item(meeting, payload.agenda_item_id),
        **counts,
    )
    return Status(201, vote)


@router.get(
    "/meetings/{meeting_id}/votes",
    response={200: list[VoteOut], **READ_ERRORS},
    summary="A meeting's votes",
)
@paginate(Pager)
def list_votes(request, meeting_id: int):
    return _meeting_or_404(request.auth, meeting_id).votes.all()


# Tasks.


@router.post(
    "/meetings/{meeting_id}/tasks", response={201: TaskOut, **WRITE_ERRORS}, summary="Assign a task"
)
def add_task(request, meeting_id: int, payload: TaskIn):
    """A task of the resolution, to members of the cell, due on or after the meeting."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    _require_run(user, meeting)
    ids = set(payload.assignee_ids)
    assignees = list(meeting.organisation.members.filter(pk__in=ids))
    if len(assignees) != len(ids):
        raise ValidationError({"assignee_ids": _("Choose a member of this cell.")})
    task = _act(
        actions.add_task,
        user,
        meeting,
        title=payload.title,
        deliverable=payload.deliverable,
        due_on=payload.due_on,
        assignees=assignees,
    )
    return Status(201, _tasks(Task.objects.filter(pk=task.pk)).get())


@router.get("/me/tasks", response={200: list[TaskOut], **READ_ERRORS}, summary="My tasks")
@paginate(Pager)
def my_tasks(request, filters: Query[TaskFilters]):
    """The tasks the caller is assigned, by due date; empty for a user with no member record."""
    member_id = getattr(request.auth, "member_id", None)
    if member_id is None:
        return Task.objects.none()
    qs = Task.objects.filter(assignees__id=member_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return _tasks(qs).order_by("due_on", "id")


@router.get(
    "/meetings/{meeting_id}/open-tasks",
    response={200: list[TaskOut], **READ_ERRORS},
    summary="Earlier tasks to review",
)
@paginate(Pager)
def open_tasks(request, meeting_id: int):
    """For those who run it: the tasks of the cell's earlier meetings not yet reviewed."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    _require_run(request.auth, meeting)
    return _tasks(actions.open_tasks_before(meeting)).order_by("due_on", "id")


@router.post(
    "/meetings/{meeting_id}/tasks/{task_id}/review",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Review an earlier task",
)
def review_task(request, meeting_id: int, task_id: int, payload: ReviewIn):
    """Done, done late or not done, recorded at this meeting."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    task = Task.objects.filter(meeting__organisation_id=meeting.organisation_id, pk=task_id).first()
    if task is None:
        raise Http404
    task = _act(actions.review_task, request.auth, meeting, task, payload.status, payload.note)
    return _tasks(Task.objects.filter(pk=task.pk)).get()


# Closing.


@router.post(
    "/meetings/{meeting_id}/close",
    response={200: MeetingDetail, **WRITE_ERRORS},
    summary="Close the meeting",
)
def close_meeting(request, meeting_id: int):
    """Once everything required is recorded. Otherwise 422, and the error's fields hold
    "missing": what is still to record, one sentence each, as the meeting page lists it."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    try:
        meeting = actions.close_meeting(request.auth, meeting)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        missing = exc.messages
        message = " ".join([_("Still to record before closing:"), *missing])
        raise ValidationError({NON_FIELD_ERRORS: [message], "missing": missing}) from exc
    return _detail(request.auth, meeting)


# The minutes.


class SignatureOut(Schema):
    role: str = Field(description="chair or minute_taker.")
    name: str
    signed_at: datetime.datetime


class AddendumOut(Schema):
    id: int
    text: str
    created_at: datetime.datetime
    signed_at: datetime.datetime | None = Field(
        description="Once the chair and the minute-taker signed."
    )
    content_hash: str = Field(description="Once signed: SHA-256 of its text and its minutes' hash.")
    signatures: list[SignatureOut]


class MinutesOut(Schema):
    signed: bool = Field(description="Signed by both: frozen, and changed only by addenda.")
    version: int = Field(description="0 while nothing is written; send it back with a change.")
    opening: str
    summary: str
    conclusion: str
    signatures: list[SignatureOut]
    missing: list[str] = Field(description="What is still to do before signing, one sentence each.")
    can_sign_as: list[str] = Field(description="The roles the caller may sign as now.")
    signed_at: datetime.datetime | None
    content_hash: str | None = Field(
        description="Once signed: SHA-256 of the frozen content with previous_hash."
    )
    previous_hash: str | None = Field(
        description="Once signed: the hash of the cell's previous signed minutes (empty for its "
        "first), which chains each cell's minutes."
    )
    addenda: list[AddendumOut] = Field(description="Corrections to the signed minutes.")


class MinutesIn(Body):
    opening: str = Field(max_length=minutes.MAX_NARRATIVE)
    summary: str = Field(max_length=minutes.MAX_NARRATIVE)
    conclusion: str = Field(max_length=minutes.MAX_NARRATIVE)
    version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The version the change was made from."
    )


class MinutesPatch(Body):
    opening: str | None = Field(None, max_length=minutes.MAX_NARRATIVE)
    summary: str | None = Field(None, max_length=minutes.MAX_NARRATIVE)
    conclusion: str | None = Field(None, max_length=minutes.MAX_NARRATIVE)
    version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The version the change was made from."
    )


class SignIn(Body):
    role: Literal["chair", "minute_taker"]
    password: str = Field(max_length=4096, description="The caller's own password, again.")


class AddendumIn(Body):
    text: str = Field(max_length=minutes.MAX_NARRATIVE)


ROLE_ORDER = {role: i for i, role in enumerate(minutes.ROLES)}


def _signatures(rows) -> list[dict]:
    return [
        {"role": s.role, "name": s.member.full_name, "signed_at": s.signed_at}
        for s in sorted(rows, key=lambda s: ROLE_ORDER.get(s.role, 9))
    ]


def _addendum_out(addendum: Addendum) -> dict:
    rows = Signature.objects.filter(addendum=addendum).select_related("member")
    return {
        "id": addendum.pk,
        "text": addendum.text,
        "created_at": addendum.created_at,
        "signed_at": addendum.signed_at,
        "content_hash": addendum.content_hash,
        "signatures": _signatures(rows),
    }


def _minutes_out(user, meeting: Meeting) -> dict:
    """The minutes as the page shows them to the caller: the narrative and the signing state."""
    meeting = Meeting.objects.select_related("organisation").get(pk=meeting.pk)
    state = minutes.signing_state(meeting, user)
    current, signed = state["minutes"], state["signed"]
    return {
        "signed": signed,
        "version": state["version"],
        **{part: getattr(current, part) if current else "" for part in minutes.NARRATIVE},
        "signatures": list(state["signatures"].values()),
        "missing": state["missing"],
        "can_sign_as": state["can_sign_as"],
        "signed_at": current.signed_at if signed else None,
        "content_hash": current.content_hash if signed else None,
        "previous_hash": current.previous_hash if signed else None,
        "addenda": [_addendum_out(a) for a in current.addenda.all()] if current else [],
    }


@router.get(
    "/meetings/{meeting_id}/minutes",
    response={200: MinutesOut, **READ_ERRORS},
    summary="The minutes",
)
def get_minutes(request, meeting_id: int):
    """The narrative, who signed, what is still missing before signing, the roles the caller
    may sign as now, and once signed the hashes that seal them."""
    return _minutes_out(request.auth, _meeting_or_404(request.auth, meeting_id))


def _edit_minutes(request, meeting_id: int, fields: dict, version: int | None) -> dict:
    meeting = _meeting_or_404(request.auth, meeting_id)
    minutes.edit_minutes(request.auth, meeting, version=version, **fields)
    return _minutes_out(request.auth, meeting)


@router.put(
    "/meetings/{meeting_id}/minutes",
    response={200: MinutesOut, **WRITE_ERRORS},
    summary="Write the minutes",
)
def replace_minutes(request, meeting_id: int, payload: MinutesIn):
    """The three parts the minute-taker writes; everything else comes from the record.

    By those who run the cell's meetings and by the meeting's chair and minute-taker, from
    the start of the meeting until the minutes are signed: then 422, and a correction is an
    addendum. A stale version answers 409. A change withdraws a signature already given."""
    fields = payload.model_dump(exclude={"version"})
    return _edit_minutes(request, meeting_id, fields, payload.version)


@router.patch(
    "/meetings/{meeting_id}/minutes",
    response={200: MinutesOut, **WRITE_ERRORS},
    summary="Change the minutes",
)
def change_minutes(request, meeting_id: int, payload: MinutesPatch):
    """As PUT, changing only the parts sent; null empties a part."""
    fields = blank_for_null(payload.model_dump(exclude_unset=True), *minutes.NARRATIVE)
    version = fields.pop("version", None)
    return _edit_minutes(request, meeting_id, fields, version)


@router.post(
    "/meetings/{meeting_id}/minutes/sign",
    response={200: MinutesOut, **WRITE_ERRORS},
    summary="Sign the minutes",
)
def sign_minutes(request, meeting_id: int, payload: SignIn):
    """As the meeting's chair or its minute-taker, with the caller's own password (403 for
    anyone else; a wrong password answers 422 naming "password"). While something is missing,
    422, and the error's fields hold "missing", one sentence each. The second signature
    freezes the minutes and chains their hash to the cell's previous signed minutes."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    try:
        minutes.sign_minutes(user, meeting, payload.role, payload.password)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            missing = minutes.missing_to_sign(Meeting.objects.get(pk=meeting.pk))
            if missing and exc.messages == missing:
                message = " ".join([_("Still missing before signing") + ":", *missing])
                raise ValidationError({NON_FIELD_ERRORS: [message], "missing": missing}) from exc
        raise
    return _minutes_out(user, meeting)


@router.post(
    "/meetings/{meeting_id}/minutes/addenda",
    response={201: AddendumOut, **WRITE_ERRORS},
    summary="Add a correction",
)
def add_addendum(request, meeting_id: int, payload: AddendumIn):
    """To signed minutes only (before that, change the draft: 422). It counts once the chair
    and the minute-taker have signed it; the minutes themselves never change."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    return Status(201, _addendum_out(minutes.add_addendum(request.auth, meeting, payload.text)))


@router.post(
    "/meetings/{meeting_id}/minutes/addenda/{addendum_id}/sign",
    response={200: AddendumOut, **WRITE_ERRORS},
    summary="Sign a correction",
)
def sign_addendum(request, meeting_id: int, addendum_id: int, payload: SignIn):
    """As the minutes: by the chair and the minute-taker, each with their own password."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    addendum = Addendum.objects.filter(minutes__meeting=meeting, pk=addendum_id).first()
    if addendum is None:
        raise Http404
    addendum = minutes.sign_addendum(request.auth, addendum, payload.role, payload.password)
    return _addendum_out(addendum)


def _file(content_types: list[str], description: str) -> dict:
    """OpenAPI for an answer that is a file, not JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    content = dict.fromkeys(content_types, binary)
    return {"responses": {200: {"description": description, "content": content}}}


def _minutes_file(request, meeting_id: int, extension: str, content_type: str) -> HttpResponse:
    meeting = _meeting_or_404(request.auth, meeting_id)
    if extension == "pdf":
        body = documents.minutes_pdf(meeting)
    else:
        body = documents.minutes_docx(meeting)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.filename(meeting, extension)}"'
    )
    return response


@router.get(
    "/meetings/{meeting_id}/minutes.pdf",
    response={200: None, **READ_ERRORS},
    summary="The minutes as PDF",
    openapi_extra=_file(["application/pdf"], "The minutes in the official layout, as PDF."),
)
def minutes_pdf(request, meeting_id: int):
    """A draft until both have signed; once signed, the frozen minutes with their hash and
    the signed corrections."""
    return _minutes_file(request, meeting_id, "pdf", "application/pdf")


@router.get(
    "/meetings/{meeting_id}/minutes.docx",
    response={200: None, **READ_ERRORS},
    summary="The minutes as Word",
    openapi_extra=_file([actions.DOCX], "The minutes in the official layout, as DOCX."),
)
def minutes_docx(request, meeting_id: int):
    """As the PDF, to edit or print with Word."""
    return _minutes_file(request, meeting_id, "docx", actions.DOCX)


# The quality score.


class ScoreLineOut(Schema):
    key: str
    title: str
    item_key: str = Field(description="The rubric's item the line belongs to.")
    item_title: str
    points: float | None = Field(description="null: not scored yet.")
    max: float
    auto: bool = Field(description="Decided by the record; the other lines are the assessor's.")
    rule: str | None
    evidence: str = Field(description="What the record says, for an automatic line.")


class StoredScoreOut(Schema):
    pack_id: str
    total: float | None = Field(description="null until every line is scored.")
    level: str
    level_label: str
    manual: dict[str, float] = Field(description="The assessor's points, by line.")
    assessor: MemberRef | None
    scored_at: datetime.datetime | None = Field(description="null: an assessor named, no score.")


class ScoreOut(Schema):
    pack_id: str = Field(description="The regulation pack that scores the meeting.")
    lines: list[ScoreLineOut]
    total: float = Field(description="The lines scored so far.")
    max_total: float
    complete: bool = Field(description="Every line is scored.")
    level: str | None = Field(description="Once complete.")
    level_label: str | None
    missing_manual: list[str] = Field(description="The assessor's lines not scored yet.")
    missing_evidence: list[str] = Field(description="Automatic lines the record cannot decide yet.")
    may_score: bool = Field(description="Whether the caller may save the score.")
    stored: StoredScoreOut | None = Field(description="The saved score, if any.")


# Points as a number or as text ("9,5"); the rubric decides what it accepts.
Points = float | Annotated[str, Field(max_length=20)] | None


class ScoreIn(Body):
    manual: dict[Annotated[str, Field(max_length=60)], Points] = Field(
        max_length=100,
        description='The assessor\'s points by line key, {"principles": 4, "procedure": "9,5"}; '
        "a line left out or null is not scored yet.",
    )


class AssessorIn(Body):
    member_id: DbId = Field(description="A current member of the cell.")


def _number(value) -> float | None:
    return None if value is None else float(value)


def _score_out(user, meeting: Meeting) -> dict:
    meeting = Meeting.objects.select_related("organisation").get(pk=meeting.pk)
    stored = QualityScore.objects.filter(meeting=meeting).select_related("assessor").first()
    try:
        preview = scoring.score_preview(meeting)
    except (ValidationError, ValueError):
        # Points saved under a rubric that no longer takes them: show the record alone.
        preview = scoring.score_preview(meeting, {})
    complete = preview.complete
    return {
        "pack_id": preview.pack_id,
        "lines": [
            {
                "key": line.key,
                "title": line.title,
                "item_key": item.key,
                "item_title": item.title,
                "points": _number(line.points),
                "max": _number(line.max_points),
                "auto": line.auto,
                "rule": line.rule,
                "evidence": line.evidence,
            }
            for item in preview.items
            for line in item.lines
        ],
        "total": _number(preview.total),
        "max_total": _number(preview.max_total),
        "complete": complete,
        "level": preview.level_key if complete else None,
        "level_label": preview.level_label if complete else None,
        "missing_manual": list(preview.missing_manual),
        "missing_evidence": list(preview.missing_evidence),
        "may_score": scoring.may_score(user, meeting),
        "stored": stored,
    }


@router.get(
    "/meetings/{meeting_id}/score", response={200: ScoreOut, **READ_ERRORS}, summary="The score"
)
def get_score(request, meeting_id: int):
    """The score as it stands under the pack in force on the meeting's date: each line with
    its points and, for the automatic ones, the evidence from the record; and the saved
    score, if any."""
    return _score_out(request.auth, _meeting_or_404(request.auth, meeting_id))


@router.put(
    "/meetings/{meeting_id}/score", response={200: ScoreOut, **WRITE_ERRORS}, summary="Score"
)
def save_score(request, meeting_id: int, payload: ScoreIn):
    """By the named assessor or those who run the cell's meetings, once the meeting is
    closed. Automatic lines come from the record; points the rubric refuses answer 422 with
    the line's key as the field."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    scoring.save_score(request.auth, meeting, payload.manual)
    return _score_out(request.auth, meeting)


@router.post(
    "/meetings/{meeting_id}/assessor",
    response={200: ScoreOut, **WRITE_ERRORS},
    summary="Name the assessor",
)
def name_assessor(request, meeting_id: int, payload: AssessorIn):
    """The member who scores the assessor's lines."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    _require_run(user, meeting)
    member = _cell_member(meeting.organisation, payload.member_id, "member_id")
    _act(scoring.name_assessor, user, meeting, member)
    return _score_out(user, meeting)


# Documents.


class MaterialOut(Schema):
    id: int
    title: str
    content_type: str = Field(description="Judged by the file's content, not its name.")
    size: int = Field(description="In bytes.")
    uploaded_at: datetime.datetime
    released_at: datetime.datetime | None = Field(
        description="null: not released; only those who run the meeting see it."
    )
    openings: int | None = Field(
        description="How many members opened it; for those who run the meeting, else null."
    )

    @staticmethod
    def resolve_openings(obj):
        return obj.opened


class MaterialForm(Schema):
    title: str = Field("", max_length=255, description="The file's name when empty.")


class ReleasedOut(Schema):
    released: int = Field(description="How many documents were released now.")


def _materials(user, meeting: Meeting):
    qs = meeting.materials.all()
    if _may_run(user, meeting):
        return qs.annotate(opened=Count("openings"))
    return qs.filter(released_at__isnull=False).annotate(
        opened=Value(None, output_field=IntegerField())
    )


@router.post(
    "/meetings/{meeting_id}/materials",
    response={201: MaterialOut, **WRITE_ERRORS},
    summary="Attach a document",
    openapi_extra={
        "requestBody": {"content": {"multipart/form-data": {"schema": {"required": ["file"]}}}}
    },
)
def upload_material(
    request,
    meeting_id: int,
    form: Form[MaterialForm],
    file: File[UploadedFile] = None,
):
    """multipart/form-data with the file (PDF, DOCX, JPEG or PNG, judged by its content, at
    most 20 MB) and a title. Members see it once released. A file of another type or too
    large answers 422 naming "file"."""
    user = request.auth
    meeting = _meeting_or_404(user, meeting_id)
    material = actions.upload_material(user, meeting, form.title, file)
    return Status(201, _materials(user, meeting).get(pk=material.pk))


@router.post(
    "/meetings/{meeting_id}/materials/release",
    response={200: ReleasedOut, **WRITE_ERRORS},
    summary="Release the documents",
)
def release_materials(request, meeting_id: int):
    """Every document not released yet becomes visible to the members."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    return {"released": actions.release_materials(request.auth, meeting)}


@router.get(
    "/meetings/{meeting_id}/materials",
    response={200: list[MaterialOut], **READ_ERRORS},
    summary="A meeting's documents",
)
@paginate(Pager)
def list_materials(request, meeting_id: int):
    """Those released; those who run the meeting also see the others and the openings."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    return _materials(request.auth, meeting)


@router.get(
    "/meetings/{meeting_id}/materials/{material_id}",
    response={200: None, **READ_ERRORS},
    summary="A document",
    openapi_extra=_file(list(actions.ACCEPTED_TYPES), "The file, as attached."),
)
def get_material(request, meeting_id: int, material_id: int):
    """Members get it once released (403 before); an invited member's first opening is
    counted."""
    meeting = _meeting_or_404(request.auth, meeting_id)
    item = meeting.materials.filter(pk=material_id).first()
    if item is None:
        raise Http404
    actions.open_material(request.auth, item)
    extension = actions.ACCEPTED_TYPES[item.content_type]
    return FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=extension == "docx",
        filename=f"{slugify(item.title) or 'tai-lieu'}.{extension}",
    )


# The member's calendar.


class CalendarOut(Schema):
    url: str = Field(
        description="The private iCalendar address of the caller's meetings, to subscribe to "
        "in a calendar application. Whoever holds it reads them."
    )


def _own_member(user) -> Member:
    member = getattr(user, "member", None)
    if member is None:
        raise Http404
    return member


def _feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("meetings:calendar_feed", args=[token]))


@router.get("/me/calendar", response={200: CalendarOut, **READ_ERRORS}, summary="My calendar")
def my_calendar(request):
    """For a user who is a member (404 otherwise); made the first time it is asked for."""
    member = _own_member(request.auth)
    return {"url": _feed_url(request, calendar.feed_token_for(member))}


@router.post(
    "/me/calendar/reset",
    response={200: CalendarOut, **WRITE_ERRORS},
    summary="Replace my calendar address",
)
def reset_calendar(request):
    """A new address; the old one stops working at once."""
    member = _own_member(request.auth)
    return {"url": _feed_url(request, calendar.reset_feed_token(request.auth, member))}
