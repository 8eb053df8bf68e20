"""The meeting-quality score (đánh giá chất lượng sinh hoạt chi bộ).

The rubric is the regulation pack's, in force on the meeting's date: lines that data decides
are computed from the meeting's record (gather_evidence), the others are scored by the
assessor the secretary names. The stored score keeps the pack's id and every line's points,
so a later pack never changes a past score.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, require
from chibo.audit.log import record
from chibo.conflicts import check_version
from chibo.meetings.models import (
    PRESENT_STATUSES,
    AttendanceStatus,
    Material,
    Meeting,
    MeetingStatus,
    Minutes,
    Opinion,
    QualityScore,
    Task,
)
from chibo.members.models import Member
from chibo.oversight import rollups
from chibo.regulations.loader import Pack, pack_by_id, pack_for
from chibo.regulations.rules import MeetingEvidence, MeetingScore, score_meeting

LOCAL = ZoneInfo(settings.TIME_ZONE)

# A score can be saved once the meeting is over; the minutes may be signed or not yet.
SCORABLE = (MeetingStatus.CLOSED, MeetingStatus.SIGNED)

# The tasks the previous resolution counts as done. The packs' line is "Tỷ lệ nhiệm vụ của
# nghị quyết kỳ trước đã hoàn thành" (share of the tasks completed): a task done late is
# completed, so it counts as done here; its lateness is for the assessor's manual line
# (HD 42: "Kiểm điểm rõ kết quả, nguyên nhân ..."). Only "not done" counts against the share.
DONE_TASK_STATUSES = (Task.Status.DONE, Task.Status.LATE)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, LOCAL).date()


def _meeting_day(meeting: Meeting) -> datetime.date:
    """Return the day the meeting was held: the day it ended, else the day it was planned."""
    return _local_day(meeting.ended_at or meeting.scheduled_at)


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)


def gather_evidence(meeting: Meeting) -> MeetingEvidence:
    """Return what the meeting's record says for the rubric's automatic lines.

    Attendance: present over expected, exempted members excluded from both unless they came;
    members taking part temporarily are counted in neither, nor among the speakers.
    Materials: the earliest release against the planned time (None when nothing was
    released). Speakers: distinct members present who spoke at the meeting (opinions posted
    in advance do not count). Previous tasks: those reviewed at this meeting; while the
    meeting is still open, earlier tasks not reviewed yet leave the share unknown. Minutes:
    the days from the meeting to the signature, in Asia/Ho_Chi_Minh.
    """
    # Before the meeting starts nobody is present yet: attendance is not data yet.
    started = meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.CANCELLED)
    # Members here temporarily (chibo.transfers) take part but are not counted.
    attendance = meeting.attendance.filter(temporary=False)
    rows = list(attendance.values_list("member_id", "status")) if started else []
    counted = [(m, s) for m, s in rows if s != AttendanceStatus.EXEMPTED]
    present_ids = {m for m, s in counted if s in PRESENT_STATUSES}
    present = len(present_ids) if counted else None
    expected = len(counted) if counted else None
    unexcused = sum(1 for _m, s in counted if s == AttendanceStatus.ABSENT_UNEXCUSED)

    speaker_ids = set(
        Opinion.objects.filter(meeting=meeting, prepared=False).values_list("member_id", flat=True)
    )
    speakers = len(speaker_ids & present_ids) if counted else None

    released = Material.objects.filter(meeting=meeting, released_at__isnull=False).aggregate(
        first=Min("released_at")
    )["first"]

    reviewed = list(Task.objects.filter(reviewed_in=meeting).values_list("status", flat=True))
    tasks_total, tasks_done = len(reviewed), sum(1 for s in reviewed if s in DONE_TASK_STATUSES)
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS):
        waiting = Task.objects.filter(
            meeting__organisation_id=meeting.organisation_id,
            meeting__scheduled_at__lt=meeting.scheduled_at,
            status=Task.Status.OPEN,
        ).count()
        if waiting:
            tasks_total, tasks_done = tasks_total + waiting, None

    held_on = _meeting_day(meeting)
    signed_at = Minutes.objects.filter(meeting=meeting).values_list("signed_at", flat=True).first()
    signed_after = max(0, (_local_day(signed_at) - held_on).days) if signed_at else None
    since = max(0, (timezone.localdate(timezone=LOCAL) - held_on).days)

    return MeetingEvidence(
        duration_minutes=meeting.duration_minutes,
        thematic=meeting.is_thematic,
        present=present,
        expected=expected,
        unexcused_absences=unexcused,
        starts_at=meeting.scheduled_at,
        materials_released_at=released,
        speakers=speakers,
        members_present=present,
        previous_tasks_total=tasks_total,
        previous_tasks_done=tasks_done,
        minutes_signed_days_after=signed_after,
        days_since_meeting=since,
    )


def _stored(meeting: Meeting, lock: bool = False) -> QualityScore | None:
    rows = QualityScore.objects.filter(meeting=meeting)
    return (rows.select_for_update() if lock else rows).first()


def pack_of(meeting: Meeting, stored: QualityScore | None = None) -> Pack:
    """Return the pack that scores the meeting: the one it was scored with, once scored;
    before that, the pack in force for its cell on its (local) date."""
    if stored is not None and stored.scored_at is not None and stored.pack_id:
        return pack_by_id(stored.pack_id)
    return pack_for(meeting.organisation, _local_day(meeting.scheduled_at))


def _clean_manual(pack: Pack, evidence: MeetingEvidence, manual: dict | None) -> dict:
    """Drop empty entries and check each one by the rules; errors name the item, keyed by line."""
    cleaned = {k: v for k, v in (manual or {}).items() if v is not None and v != ""}
    errors = {}
    for key, value in cleaned.items():
        try:
            score_meeting(pack, evidence, {key: value})
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def score_preview(meeting: Meeting, manual: dict | None = None) -> MeetingScore:
    """Return the score as it stands, each line with its evidence, without saving anything.

    manual None: the points already saved (if any). Raises ValidationError for points the
    rubric refuses, keyed by the line's key.
    """
    stored = _stored(meeting)
    pack = pack_of(meeting, stored)
    if manual is None:
        manual = dict(stored.manual) if stored is not None else {}
    evidence = gather_evidence(meeting)
    return score_meeting(pack, evidence, _clean_manual(pack, evidence, manual))


def _plain_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _plain_items(score: MeetingScore) -> list[dict]:
    titles = {item.key: item.title for item in score.items}
    return [
        {
            "key": line.key,
            "title": line.title,
            "item_key": line.item_key,
            "item_title": titles[line.item_key],
            "points": _plain_number(line.points),
            "max": _plain_number(line.max_points),
            "auto": line.auto,
            "rule": line.rule,
            "evidence": line.evidence,
        }
        for line in score.lines
    ]


def _write(
    stored: QualityScore, pack: Pack, evidence: MeetingEvidence, manual: dict
) -> MeetingScore:
    # The stored record is the official one, printed in the minutes: in Vietnamese, whatever
    # language the person saving it reads.
    with translation.override(settings.LANGUAGE_CODE):
        score = score_meeting(pack, evidence, manual)
        stored.items = _plain_items(score)
    stored.pack_id = pack.id
    stored.manual = {
        line.key: _plain_number(line.points)
        for line in score.lines
        if not line.auto and line.points is not None
    }
    # An incomplete score (a manual line or the data for an automatic one missing) has no
    # total and no level yet; its lines are kept so the assessor can finish it.
    stored.total = score.total if score.complete else None
    stored.level = score.level_key if score.complete else ""
    stored.level_label = score.level_label if score.complete else ""
    stored.scored_at = timezone.now()
    stored.save()
    rollups.refresh_meeting(stored.meeting)
    return score


def may_score(actor, meeting: Meeting) -> bool:
    """Return whether the user may save the meeting's score (the pages ask before showing)."""
    return _may_score(actor, meeting, _stored(meeting))


def _may_score(actor, meeting: Meeting, stored: QualityScore | None) -> bool:
    own = getattr(actor, "member_id", None) if getattr(actor, "is_authenticated", False) else None
    named = stored is not None and stored.assessor_id is not None
    if named and own == stored.assessor_id and actor.is_active:
        return True
    return can(actor, Perm.RUN_MEETINGS, meeting.organisation)


@transaction.atomic
def name_assessor(actor, meeting: Meeting, member: Member) -> QualityScore:
    """The secretary names the member who scores the meeting's manual lines."""
    meeting = _locked(meeting)
    require(actor, Perm.RUN_MEETINGS, meeting.organisation)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting is not scored."))
    if member.cell_id != meeting.organisation_id or not member.is_current:
        raise ValidationError({"assessor": _("Choose a member of this cell.")})
    stored = _stored(meeting, lock=True) or QualityScore(meeting=meeting, pack_id="")
    stored.assessor = member
    stored.save()
    record(actor, "meeting.assessor", meeting.organisation, meeting, {"assessor": member.full_name})
    return stored


@transaction.atomic
def save_score(actor, meeting: Meeting, manual: dict, version: int | None = None) -> QualityScore:
    """Save the meeting's score: automatic lines from the record, manual lines as given.

    Allowed to the named assessor and to whoever may run the cell's meetings, once the
    meeting is closed. The pack is the one in force on the meeting's date, or the one the
    meeting was already scored with; its id and every line's points are stored.
    """
    meeting = _locked(meeting)
    stored = _stored(meeting, lock=True)
    if not _may_score(actor, meeting, stored):
        raise PermissionDenied(_("You do not have permission to do this here."))
    if meeting.status not in SCORABLE:
        raise ValidationError(_("A meeting is scored once it has been held and closed."))
    if stored is not None and stored.scored_at is not None:
        # Two assessors never overwrite each other: the second is told and sees the newer one.
        check_version(stored, version)
    pack = pack_of(meeting, stored)
    evidence = gather_evidence(meeting)
    manual = _clean_manual(pack, evidence, manual)
    stored = stored or QualityScore(meeting=meeting)
    if stored.scored_at is not None:
        stored.version += 1
    score = _write(stored, pack, evidence, manual)
    record(
        actor,
        "meeting.score",
        meeting.organisation,
        meeting,
        {
            "pack": pack.id,
            "total": stored.total,
            "level": stored.level,
            "manual": stored.manual,
            "missing": list(score.missing_manual + score.missing_evidence),
        },
    )
    return stored


def refresh_score(actor, meeting: Meeting) -> QualityScore | None:
    """Recompute a saved score's automatic lines from the record, keeping its pack and the
    assessor's points; for the action that changes the record (signing the minutes decides
    "minutes signed on time"). No permission check: call it inside that action's transaction.
    Returns None when the meeting has no saved score.
    """
    stored = _stored(meeting, lock=True)
    if stored is None or stored.scored_at is None:
        return None
    pack = pack_of(meeting, stored)
    evidence = gather_evidence(meeting)
    manual = {k: v for k, v in stored.manual.items() if v is not None}
    before = (stored.total, stored.level)
    _write(stored, pack, evidence, manual)
    if (stored.total, stored.level) != before:
        record(
            actor,
            "meeting.score",
            meeting.organisation,
            meeting,
            {"pack": pack.id, "total": stored.total, "level": stored.level, "refreshed": True},
        )
    return stored
