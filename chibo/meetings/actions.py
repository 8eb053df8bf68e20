"""Every change to a meeting: plan, prepare, hold, vote, assign and review tasks, close.

Each action checks permission, validates, writes and records the audit event in one
transaction. Pages and the API call these and nothing else. The rules that change with new
documents (meeting day, durations, thresholds, agenda) come from the regulation pack in
force on the meeting's date.
"""

import datetime
import secrets
import zipfile
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, require
from chibo.audit.log import record
from chibo.conflicts import check_version
from chibo.meetings.models import (
    PRESENT_STATUSES,
    REGULAR_KINDS,
    AbsenceRequest,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Ballot,
    Guest,
    Kind,
    Material,
    MaterialOpening,
    Meeting,
    MeetingStatus,
    Opinion,
    Task,
    Vote,
    VoteKind,
    new_checkin_code,
)
from chibo.members.models import CURRENT_STATUSES, Member, Status
from chibo.orgs.models import Organisation
from chibo.oversight import rollups
from chibo.regulations.loader import pack_for
from chibo.regulations.rules import vote_result
from chibo.transfers import queries as transfer_queries

LOCAL = ZoneInfo(settings.TIME_ZONE)
DEFAULT_START = datetime.time(8, 0)


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, LOCAL).date()


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)


def _require_run(actor, meeting_or_cell) -> None:
    cell = getattr(meeting_or_cell, "organisation", meeting_or_cell)
    require(actor, Perm.RUN_MEETINGS, cell)


def _bump(meeting: Meeting, *fields: str) -> None:
    meeting.version += 1
    meeting.save(update_fields=["version", *fields])


def rule_day(cell: Organisation, on: datetime.date) -> int:
    """Return the day of the month of the cell's regular meeting: its own, its committee's,
    or the pack's."""
    pack = pack_for(cell, on)
    return cell.effective_meeting_day(default=pack.meeting.regular_day or 3)


# Plan.


def _check_schedule(meeting: Meeting) -> None:
    errors = {}
    if not meeting.organisation.is_cell:
        errors["organisation"] = _("Meetings are held by cells.")
    elif not meeting.organisation.is_active:
        errors["organisation"] = _("%(name)s is closed.") % {"name": meeting.organisation.name}
    if meeting.kind in (Kind.THEMATIC, Kind.REGULAR_THEMATIC) and not meeting.topic.strip():
        errors["topic"] = _("A thematic meeting needs its topic.")
    if meeting.kind in REGULAR_KINDS:
        day = _local_day(meeting.scheduled_at)
        expected = rule_day(meeting.organisation, day)
        if day.day != expected and not meeting.moved_reason.strip():
            errors["moved_reason"] = _(
                "The regular meeting day is the %(day)s; say why this meeting is on another day."
            ) % {"day": expected}
        if _month(day) != meeting.period and not meeting.moved_reason.strip():
            errors["moved_reason"] = _("Say why this month's meeting is held in another month.")
    if errors:
        raise ValidationError(errors)


def _create_agenda(meeting: Meeting) -> None:
    pack = pack_for(meeting.organisation, _local_day(meeting.scheduled_at))
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=i, key=item.key, title=item.label)
        for i, item in enumerate(pack.meeting.agenda_for(meeting.is_thematic), start=1)
    )


@transaction.atomic
def schedule_meeting(
    actor,
    cell: Organisation,
    *,
    kind: str,
    scheduled_at: datetime.datetime,
    place: str = "",
    topic: str = "",
    presenter: Member | None = None,
    preparer: Member | None = None,
    moved_reason: str = "",
    period: datetime.date | None = None,
) -> Meeting:
    """Put a meeting in the cell's plan, with the agenda of the pack in force."""
    cell = Organisation.objects.select_for_update().get(pk=cell.pk)
    require(actor, Perm.RUN_MEETINGS, cell)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at, LOCAL)
    for person, field in ((presenter, "presenter"), (preparer, "preparer")):
        if person is not None and person.cell_id != cell.pk:
            raise ValidationError({field: _("Choose a member of this cell.")})
    meeting = Meeting(
        organisation=cell,
        kind=kind,
        scheduled_at=scheduled_at,
        place=place.strip() or cell.place,
        topic=topic.strip(),
        presenter=presenter,
        preparer=preparer,
        moved_reason=moved_reason.strip(),
        period=(period or _month(_local_day(scheduled_at))) if kind in REGULAR_KINDS else None,
    )
    _check_schedule(meeting)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"scheduled_at": _("This month's regular meeting is already in the plan.")}
        ) from exc
    _create_agenda(meeting)
    record(
        actor,
        "meeting.schedule",
        cell,
        meeting,
        {"kind": kind, "at": scheduled_at.isoformat(), "reason": meeting.moved_reason},
    )
    return meeting


def plan_year(
    actor, cell: Organisation, year: int, start: datetime.time = DEFAULT_START, place: str = ""
) -> list[Meeting]:
    """Put the year's regular meetings in the plan on the rule day; months already planned
    are left as they are."""
    require(actor, Perm.RUN_MEETINGS, cell)
    planned = set(
        cell.meetings.filter(period__year=year, kind__in=REGULAR_KINDS)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("period", flat=True)
    )
    made = []
    for month in range(1, 13):
        first = datetime.date(year, month, 1)
        if first in planned:
            continue
        day = first.replace(day=rule_day(cell, first))
        moment = timezone.make_aware(datetime.datetime.combine(day, start), LOCAL)
        made.append(
            schedule_meeting(actor, cell, kind=Kind.REGULAR, scheduled_at=moment, place=place)
        )
    return made


EDITABLE_FIELDS = (
    "scheduled_at",
    "place",
    "moved_reason",
    "topic",
    "presenter",
    "preparer",
    "kind",
)


@transaction.atomic
def update_meeting(actor, meeting: Meeting, version: int | None = None, **fields) -> Meeting:
    """Change a planned meeting: move it (with a reason), its place, topic or presenter."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    check_version(meeting, version)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a meeting that has not started can be changed."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    before = {k: str(getattr(meeting, k)) for k in fields}
    thematic_before = meeting.is_thematic
    for key, value in fields.items():
        setattr(meeting, key, value.strip() if isinstance(value, str) else value)
    if timezone.is_naive(meeting.scheduled_at):
        meeting.scheduled_at = timezone.make_aware(meeting.scheduled_at, LOCAL)
    if meeting.kind in REGULAR_KINDS and meeting.period is None:
        meeting.period = _month(_local_day(meeting.scheduled_at))
    _check_schedule(meeting)
    meeting.version += 1
    meeting.save()
    if meeting.is_thematic != thematic_before:
        meeting.agenda.all().delete()
        _create_agenda(meeting)
    record(
        actor,
        "meeting.update",
        meeting.organisation,
        meeting,
        {k: [before[k], str(getattr(meeting, k))] for k in fields},
    )
    return meeting


@transaction.atomic
def cancel_meeting(actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a meeting that has not started can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason.strip()
    _bump(meeting, "status", "cancelled_reason")
    record(actor, "meeting.cancel", meeting.organisation, meeting, {"reason": reason})
    return meeting


# Prepare.


@transaction.atomic
def save_agenda_item(
    actor,
    meeting: Meeting,
    *,
    item: AgendaItem | None = None,
    title: str,
    notes: str = "",
    position: int | None = None,
) -> AgendaItem:
    """Add an agenda item, or change one, while the meeting is not closed."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.SIGNED, MeetingStatus.CANCELLED):
        raise ValidationError(_("The agenda of a closed meeting cannot change."))
    if not title.strip():
        raise ValidationError({"title": _("Give the agenda item a title.")})
    if item is None:
        last = meeting.agenda.order_by("-position").values_list("position", flat=True).first()
        item = AgendaItem(meeting=meeting, position=position or (last or 0) + 1)
    elif item.meeting_id != meeting.pk:
        raise PermissionDenied
    item.title, item.notes = title.strip(), notes
    item.save()
    record(actor, "meeting.agenda", meeting.organisation, meeting, {"item": item.title})
    return item


@transaction.atomic
def remove_agenda_item(actor, meeting: Meeting, item: AgendaItem) -> None:
    """Take an item off the agenda before anything is recorded on it."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.SIGNED, MeetingStatus.CANCELLED):
        raise ValidationError(_("The agenda of a closed meeting cannot change."))
    if item.meeting_id != meeting.pk:
        raise PermissionDenied
    if item.opinions.exists() or item.votes.exists():
        raise ValidationError(_("Opinions or votes are recorded on this item; it stays."))
    record(actor, "meeting.agenda_remove", meeting.organisation, meeting, {"item": item.title})
    item.delete()


def resync_invitations(*cells: Organisation) -> None:
    """Bring the invitations of the cells' planned meetings (notice already sent) up to date:
    a member who leaves, goes away for a while, comes back or whose membership ends is
    invited where they take part, and only there."""
    meetings = Meeting.objects.select_for_update().filter(
        organisation__in=[c for c in cells if c is not None],
        status=MeetingStatus.PLANNED,
        notice_sent_at__isnull=False,
    )
    for meeting in meetings.select_related("organisation"):
        sync_invitations(meeting)


def sync_invitations(meeting: Meeting) -> None:
    """Give every current member of the cell a row; exempted members are marked so.

    Members transferred temporarily elsewhere on the meeting's day are not invited; members
    of other cells transferred here temporarily are, marked temporary (chibo.transfers). Rows
    of members no longer expected (moved, away) that nothing was recorded on are withdrawn.
    """
    day = _local_day(meeting.scheduled_at)
    cell = meeting.organisation
    away = transfer_queries.away_member_ids(cell, day)
    home = list(cell.members.filter(status__in=CURRENT_STATUSES).exclude(pk__in=away))
    visiting = list(transfer_queries.temporary_members(cell, day))
    expected = {m.pk for m in home} | {m.pk for m in visiting}
    rows = dict(meeting.attendance.values_list("member_id", "status"))
    gone = [
        member_id
        for member_id, status in rows.items()
        if member_id not in expected
        and status in (AttendanceStatus.EXPECTED, AttendanceStatus.EXEMPTED)
    ]
    if gone and meeting.status == MeetingStatus.PLANNED:
        meeting.attendance.filter(member_id__in=gone).delete()
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member=m,
            was_official=m.status != Status.PROBATIONARY,
            temporary=temporary,
            status=AttendanceStatus.EXEMPTED
            if m.status == Status.EXEMPTED
            else AttendanceStatus.EXPECTED,
        )
        for members, temporary in ((home, False), (visiting, True))
        for m in members
        if m.pk not in rows
    )


@transaction.atomic
def send_notice(actor, meeting: Meeting) -> Meeting:
    """Invite the members: time, place and agenda are now theirs to see."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The meeting has already started."))
    sync_invitations(meeting)
    meeting.notice_sent_at = timezone.now()
    _bump(meeting, "notice_sent_at")
    record(
        actor,
        "meeting.notice",
        meeting.organisation,
        meeting,
        {"invited": meeting.attendance.count()},
    )
    return meeting


@transaction.atomic
def add_guest(
    actor, meeting: Meeting, name: str, title: str = "", is_follower: bool = False
) -> Guest:
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if not name.strip():
        raise ValidationError({"name": _("Give the guest's name.")})
    guest = Guest.objects.create(
        meeting=meeting, name=name.strip(), title=title.strip(), is_follower=is_follower
    )
    record(actor, "meeting.guest", meeting.organisation, meeting, {"guest": guest.name})
    return guest


def _own_attendance(user, meeting: Meeting) -> Attendance:
    """Return the user's own row in the meeting, or refuse: only invited members take part."""
    member_id = getattr(user, "member_id", None)
    row = meeting.attendance.select_for_update().filter(member_id=member_id).first()
    if member_id is None or row is None:
        raise PermissionDenied(_("You are not invited to this meeting."))
    return row


@transaction.atomic
def request_absence(user, meeting: Meeting, reason: str) -> Attendance:
    """A member asks to be excused, with the reason; the secretary decides."""
    meeting = _locked(meeting)
    row = _own_attendance(user, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The meeting has already started."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you cannot attend.")})
    row.absence_reason = reason.strip()[:500]
    row.absence_request = AbsenceRequest.PENDING
    row.save(update_fields=["absence_reason", "absence_request"])
    record(user, "meeting.absence_request", meeting.organisation, meeting, {"reason": reason})
    return row


@transaction.atomic
def decide_absence(actor, meeting: Meeting, member: Member, accept: bool) -> Attendance:
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    row = meeting.attendance.select_for_update().filter(member=member).first()
    if row is None or row.absence_request != AbsenceRequest.PENDING:
        raise ValidationError(_("There is no request waiting from this member."))
    row.absence_request = AbsenceRequest.ACCEPTED if accept else AbsenceRequest.REFUSED
    row.save(update_fields=["absence_request"])
    record(
        actor,
        "meeting.absence_decision",
        meeting.organisation,
        meeting,
        {"member": member.full_name, "accepted": accept},
    )
    return row


@transaction.atomic
def post_opinion(
    actor,
    meeting: Meeting,
    text: str,
    *,
    member: Member | None = None,
    agenda_item: AgendaItem | None = None,
) -> Opinion:
    """Record an opinion: a member's own, posted before the meeting, or a speaker's words
    recorded by the secretary or the minute-taker during it."""
    meeting = _locked(meeting)
    if not text.strip():
        raise ValidationError({"text": _("Write the opinion.")})
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Choose an item of this meeting's agenda.")})
    if member is None:
        row = _own_attendance(actor, meeting)
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError(_("Opinions are posted before the meeting starts."))
        member, prepared = row.member, True
    else:
        _require_run(actor, meeting)
        if meeting.status != MeetingStatus.IN_PROGRESS:
            raise ValidationError(_("Speakers are recorded while the meeting is in progress."))
        if not meeting.attendance.filter(member=member, status__in=PRESENT_STATUSES).exists():
            raise ValidationError({"member": _("Only a member who is present can speak.")})
        prepared = False
    opinion = Opinion.objects.create(
        meeting=meeting,
        member=member,
        text=text.strip(),
        agenda_item=agenda_item,
        prepared=prepared,
    )
    record(
        actor,
        "meeting.opinion",
        meeting.organisation,
        meeting,
        {"member": member.full_name, "prepared": prepared},
    )
    return opinion


# Hold.


@transaction.atomic
def start_meeting(actor, meeting: Meeting, *, chair: Member, minute_taker: Member) -> Meeting:
    """Open the meeting: the chair and the minute-taker are named and check-in opens."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The meeting has already started."))
    for person, field in ((chair, "chair"), (minute_taker, "minute_taker")):
        if person.cell_id != meeting.organisation_id or not person.is_current:
            raise ValidationError({field: _("Choose a member of this cell.")})
    sync_invitations(meeting)
    meeting.chair, meeting.minute_taker = chair, minute_taker
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.started_at = timezone.now()
    meeting.checkin_code = new_checkin_code()
    _bump(meeting, "chair", "minute_taker", "status", "started_at", "checkin_code")
    record(
        actor,
        "meeting.start",
        meeting.organisation,
        meeting,
        {"chair": chair.full_name, "minute_taker": minute_taker.full_name},
    )
    return meeting


def _mark_present(row: Attendance, late: bool, by_self: bool) -> bool:
    """Mark a row present; return False when it already was (a check-in twice counts once)."""
    if row.status in PRESENT_STATUSES:
        return False
    row.status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
    row.checked_in_at = timezone.now()
    row.checked_in_by_self = by_self
    row.save(update_fields=["status", "checked_in_at", "checked_in_by_self"])
    return True


@transaction.atomic
def check_in(actor, meeting: Meeting, member: Member, late: bool = False) -> Attendance:
    """The secretary checks a member in."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(_("Check-in is open only while the meeting is in progress."))
    row = meeting.attendance.select_for_update().filter(member=member).first()
    if row is None:
        raise ValidationError({"member": _("This member is not invited to the meeting.")})
    if _mark_present(row, late, by_self=False):
        record(
            actor,
            "meeting.check_in",
            meeting.organisation,
            meeting,
            {"member": member.full_name, "late": late},
        )
    return row


@transaction.atomic
def check_in_with_code(user, meeting: Meeting, code: str) -> Attendance:
    """A member checks in with the code shown in the room, valid only during the meeting."""
    meeting = _locked(meeting)
    row = _own_attendance(user, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError({"code": _("The code works only while the meeting is in progress.")})
    if code.strip() != meeting.checkin_code:
        raise ValidationError({"code": _("The code is not right. Ask the secretary for it.")})
    late_after = meeting.scheduled_at + datetime.timedelta(minutes=15)
    if _mark_present(row, late=timezone.now() > late_after, by_self=True):
        record(
            user,
            "meeting.check_in",
            meeting.organisation,
            meeting,
            {"member": row.member.full_name, "by_code": True},
        )
    return row


ABSENT_STATUSES = (AttendanceStatus.ABSENT_EXCUSED, AttendanceStatus.ABSENT_UNEXCUSED)


@transaction.atomic
def set_attendance(
    actor, meeting: Meeting, member: Member, status: str, reason: str = ""
) -> Attendance:
    """Correct a member's attendance: present, late, absent with or without reason, exempted."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status not in (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED):
        raise ValidationError(_("Attendance is recorded once the meeting has started."))
    if status not in AttendanceStatus.values or status == AttendanceStatus.EXPECTED:
        raise ValidationError({"status": _("Choose an attendance status.")})
    row = meeting.attendance.select_for_update().filter(member=member).first()
    if row is None:
        raise ValidationError({"member": _("This member is not invited to the meeting.")})
    if status == AttendanceStatus.ABSENT_EXCUSED and not (reason.strip() or row.absence_reason):
        raise ValidationError({"reason": _("Give the reason for the absence.")})
    row.status = status
    if reason.strip():
        row.absence_reason = reason.strip()[:500]
    if status in PRESENT_STATUSES and row.checked_in_at is None:
        row.checked_in_at = timezone.now()
    row.save(update_fields=["status", "absence_reason", "checked_in_at"])
    record(
        actor,
        "meeting.attendance",
        meeting.organisation,
        meeting,
        {"member": member.full_name, "status": status},
    )
    rollups.refresh_meeting(meeting)
    return row


def vote_register(meeting: Meeting) -> dict:
    """Return who may vote now: official members, present, and the pack's denominator."""
    day = _local_day(meeting.scheduled_at)
    pack = pack_for(meeting.organisation, day)
    everyone = list(meeting.attendance.all())
    # Members here temporarily take part but are not counted (chibo.transfers); the cell's
    # own members away temporarily are counted as members and left out as the pack says.
    rows = [r for r in everyone if not r.temporary]
    official = [r for r in rows if r.was_official]
    exempted_absent = sum(1 for r in official if r.status == AttendanceStatus.EXEMPTED)
    away = transfer_queries.away_official_count(
        meeting.organisation, day, invited={r.member_id for r in everyone}
    )
    eligible = pack.votes.eligible_count(
        len(official) + away, exempted_absent=exempted_absent, temporarily_away=away
    )
    present_official = sum(1 for r in official if r.is_present)
    threshold = pack.votes.threshold(VoteKind.RESOLUTION)
    needed = threshold.votes_needed(eligible) if eligible else 0
    return {
        "pack": pack,
        "eligible": eligible,
        "present_official": present_official,
        "present": sum(1 for r in rows if r.is_present),
        "expected": sum(1 for r in rows if r.status != AttendanceStatus.EXEMPTED),
        "temporarily_away": away,
        "temporary_present": sum(1 for r in everyone if r.temporary and r.is_present),
        "needed": needed,
        # A resolution can pass only when enough official members are in the room.
        "quorum": eligible > 0 and present_official >= needed,
        "rule": threshold.label,
    }


@transaction.atomic
def record_vote(
    actor,
    meeting: Meeting,
    *,
    subject: str,
    kind: str = VoteKind.RESOLUTION,
    agree: int | None = None,
    disagree: int | None = None,
    abstain: int | None = None,
    ballots: dict[int, str] | None = None,
    agenda_item: AgendaItem | None = None,
) -> Vote:
    """Record a vote as counts or by name; the result follows the pack's threshold."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(_("Votes are recorded while the meeting is in progress."))
    if not subject.strip():
        raise ValidationError({"subject": _("Say what is voted on.")})
    if kind not in VoteKind.values:
        raise ValidationError({"kind": _("Choose the kind of vote.")})
    register = vote_register(meeting)
    voters = {}
    if ballots is not None:
        voters = dict(
            meeting.attendance.filter(
                was_official=True, temporary=False, status__in=PRESENT_STATUSES
            ).values_list("member_id", "member__full_name")
        )
        strangers = [m for m in ballots if m not in voters]
        if strangers:
            raise ValidationError({"ballots": _("Only official members who are present vote.")})
        choices = list(ballots.values())
        if any(c not in Ballot.Choice.values for c in choices):
            raise ValidationError({"ballots": _("Each ballot is agree, disagree or abstain.")})
        agree, disagree, abstain = (choices.count(c) for c in Ballot.Choice.values)
    elif None in (agree, disagree, abstain):
        raise ValidationError(_("Give the number agreeing, disagreeing and abstaining."))
    elif agree + disagree + abstain > register["present_official"]:
        raise ValidationError(
            {
                "agree": _(
                    "%(cast)s votes were counted but only %(present)s official members are present."
                )
                % {"cast": agree + disagree + abstain, "present": register["present_official"]}
            }
        )
    try:
        result = vote_result(
            register["pack"],
            VoteKind.threshold_of(kind),
            agree,
            disagree,
            abstain,
            register["eligible"],
        )
    except ValueError as exc:
        raise ValidationError({"agree": str(exc)}) from exc
    vote = Vote.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        subject=subject.strip(),
        kind=kind,
        by_name=ballots is not None,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
        eligible=result.eligible,
        passed=result.passed,
        rule=result.rule_text,
        summary=result.tally_text,
        pack_id=register["pack"].id,
    )
    if ballots is not None:
        Ballot.objects.bulk_create(
            Ballot(vote=vote, member_id=m, choice=c) for m, c in ballots.items()
        )
    record(
        actor,
        "meeting.vote",
        meeting.organisation,
        meeting,
        {"subject": vote.subject, "result": vote.summary, "passed": vote.passed},
    )
    return vote


# Resolve and follow up.


@transaction.atomic
def add_task(
    actor,
    meeting: Meeting,
    *,
    title: str,
    due_on: datetime.date,
    assignees: list[Member],
    deliverable: str = "",
) -> Task:
    """Give the resolution a task with its assignees and due date."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status not in (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED):
        raise ValidationError(_("Tasks are assigned at the meeting."))
    errors = {}
    if not title.strip():
        errors["title"] = _("Say what is to be done.")
    if not assignees:
        errors["assignees"] = _("A task needs at least one member responsible for it.")
    elif any(m.cell_id != meeting.organisation_id for m in assignees):
        errors["assignees"] = _("Assign tasks to members of this cell.")
    if due_on < _local_day(meeting.scheduled_at):
        errors["due_on"] = _("The due date cannot be before the meeting.")
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        meeting=meeting, title=title.strip(), deliverable=deliverable.strip(), due_on=due_on
    )
    task.assignees.set(assignees)
    record(
        actor,
        "meeting.task",
        meeting.organisation,
        meeting,
        {"task": task.title, "due_on": due_on, "assignees": [m.full_name for m in assignees]},
    )
    rollups.refresh_meeting(meeting)
    return task


def open_tasks_before(meeting: Meeting):
    """Return the tasks of the cell's earlier meetings that are still to be reviewed,
    including those of cells merged into it."""
    return Task.objects.filter(
        Q(meeting__organisation_id=meeting.organisation_id)
        | Q(meeting__organisation__successor_id=meeting.organisation_id),
        meeting__scheduled_at__lt=meeting.scheduled_at,
        status=Task.Status.OPEN,
    ).prefetch_related("assignees")


def hand_over_open_work(actor, source: Organisation, target: Organisation) -> int:
    """When a cell is merged away, its planned meetings are cancelled; its open tasks are
    reviewed by the cell it merged into (open_tasks_before follows the successor).
    Call inside the merge's transaction; return how many meetings were cancelled."""
    planned = list(source.meetings.select_for_update().filter(status=MeetingStatus.PLANNED))
    for meeting in planned:
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancelled_reason = _("Merged into %(name)s") % {"name": target.name}
        _bump(meeting, "status", "cancelled_reason")
        record(actor, "meeting.cancel", source, meeting, {"reason": meeting.cancelled_reason})
    return len(planned)


@transaction.atomic
def review_task(actor, meeting: Meeting, task: Task, status: str, note: str = "") -> Task:
    """Record at this meeting whether an earlier task was done, done late or not done."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(_("Tasks are reviewed while the meeting is in progress."))
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not open_tasks_before(meeting).filter(pk=task.pk).exists():
        raise ValidationError({"task": _("Choose a task of an earlier meeting of this cell.")})
    if status not in (Task.Status.DONE, Task.Status.LATE, Task.Status.NOT_DONE):
        raise ValidationError({"status": _("Choose done, done late or not done.")})
    task.status, task.review_note, task.reviewed_in = status, note.strip()[:500], meeting
    task.save(update_fields=["status", "review_note", "reviewed_in"])
    record(
        actor,
        "meeting.task_review",
        meeting.organisation,
        meeting,
        {"task": task.title, "status": status},
    )
    # The task counts in the month it was due, in the cell whose meeting set it.
    rollups.refresh_cells(task.meeting.organisation)
    return task


# Close.


def missing_to_close(meeting: Meeting) -> list[str]:
    """Return what must be recorded before the meeting can be closed, in plain words."""
    missing = []
    if meeting.status != MeetingStatus.IN_PROGRESS:
        return [_("The meeting is not in progress.")]
    if meeting.chair_id is None:
        missing.append(_("The chair is not named."))
    if meeting.minute_taker_id is None:
        missing.append(_("The minute-taker is not named."))
    waiting = meeting.attendance.filter(status=AttendanceStatus.EXPECTED).select_related("member")
    missing += [
        _("Attendance of %(name)s is not recorded.") % {"name": r.member.full_name} for r in waiting
    ]
    unresolved = open_tasks_before(meeting)
    missing += [
        _("The earlier task “%(task)s” is not reviewed.") % {"task": t.title} for t in unresolved
    ]
    if meeting.is_regular or meeting.kind == Kind.EXTRAORDINARY:
        if not meeting.votes.filter(kind=VoteKind.RESOLUTION).exists():
            missing.append(_("No vote on the resolution is recorded."))
    if meeting.is_regular and not meeting.tasks.exists():
        missing.append(_("The resolution has no task."))
    return missing


@transaction.atomic
def close_meeting(actor, meeting: Meeting) -> Meeting:
    """End the meeting once everything required is recorded; the minutes can then be signed."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    missing = missing_to_close(meeting)
    if missing:
        raise ValidationError(missing, code="incomplete")
    meeting.status = MeetingStatus.CLOSED
    meeting.ended_at = timezone.now()
    _bump(meeting, "status", "ended_at")
    record(
        actor, "meeting.close", meeting.organisation, meeting, {"minutes": meeting.duration_minutes}
    )
    rollups.refresh_meeting(meeting)
    return meeting


# Materials.

MAX_MATERIAL_BYTES = 20 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED_TYPES = {"application/pdf": "pdf", DOCX: "docx", "image/jpeg": "jpg", "image/png": "png"}


def material_type(upload) -> str | None:
    """Return the file's real type from its first bytes, whatever name or type it claims."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None


@transaction.atomic
def upload_material(actor, meeting: Meeting, title: str, upload) -> Material:
    """Attach a document to the meeting; members see it once it is released."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    if meeting.status in (MeetingStatus.SIGNED, MeetingStatus.CANCELLED):
        raise ValidationError(_("Documents cannot be added to this meeting any more."))
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    if upload.size > MAX_MATERIAL_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)s MB.")
                % {"mb": MAX_MATERIAL_BYTES // (1024 * 1024)}
            }
        )
    kind = material_type(upload)
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF, Word (DOCX), JPEG and PNG files are accepted.")}
        )
    title = (title or "").strip() or upload.name.rsplit("/", 1)[-1][:255]
    upload.name = f"{secrets.token_hex(8)}.{ACCEPTED_TYPES[kind]}"
    material = Material.objects.create(
        meeting=meeting, title=title[:255], file=upload, content_type=kind, size=upload.size
    )
    record(
        actor,
        "meeting.material",
        meeting.organisation,
        meeting,
        {"title": material.title, "size": material.size},
    )
    return material


@transaction.atomic
def release_materials(actor, meeting: Meeting) -> int:
    """Release the meeting's documents to its members; return how many were released."""
    meeting = _locked(meeting)
    _require_run(actor, meeting)
    released = meeting.materials.filter(released_at__isnull=True).update(released_at=timezone.now())
    if released:
        record(actor, "meeting.release", meeting.organisation, meeting, {"count": released})
    return released


def open_material(user, material: Material) -> Material:
    """Return the material if the user may read it, and remember the member's first opening."""
    meeting = material.meeting
    runs = can(user, Perm.RUN_MEETINGS, meeting.organisation)
    if material.released_at is None and not runs:
        raise PermissionDenied(_("This document is not released yet."))
    member_id = getattr(user, "member_id", None)
    if member_id is not None and meeting.attendance.filter(member_id=member_id).exists():
        MaterialOpening.objects.get_or_create(material=material, member_id=member_id)
    return material
