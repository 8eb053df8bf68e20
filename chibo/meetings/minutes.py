"""The minutes (biên bản) of a meeting: from the record to the signed, frozen, chained record.

The minutes are generated from what the meeting recorded (attendance, speakers, votes,
tasks, the score); the minute-taker writes only the narrative parts (opening, summary,
conclusion), which stay editable until signing. The chair and the minute-taker each sign
after entering their password again. The second signature freezes the minutes: their
canonical content is stored with its SHA-256 hash and the hash of the cell's previous signed
minutes, so that each cell's signed minutes form a chain and `verify_chain` (the command
`chibo minutes verify`) finds any change made behind the application's back. Corrections
are signed addenda; signed minutes never change.

The content is always in Vietnamese, the language of the record, whatever language the
person reading or signing uses; the documents (documents.py) are rendered from it.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, require
from chibo.audit.log import diff, record
from chibo.audit.models import AuditEvent
from chibo.conflicts import check_version
from chibo.meetings.models import (
    PRESENT_STATUSES,
    Addendum,
    AttendanceStatus,
    Kind,
    Meeting,
    MeetingStatus,
    Minutes,
    QualityScore,
    Signature,
    Task,
    VoteKind,
)
from chibo.meetings.scoring import refresh_score
from chibo.members.models import Member
from chibo.orgs.models import Organisation
from chibo.oversight import rollups
from chibo.regulations.rules import format_number

LOCAL = ZoneInfo(settings.TIME_ZONE)
# Bumped when the layout of the content changes; stored in every frozen content so that a
# renderer can read the minutes of every period.
CONTENT_FORMAT = 1
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
NARRATIVE = ("opening", "summary", "conclusion")
MAX_NARRATIVE = 50_000
ROLES = (Signature.Role.CHAIR, Signature.Role.MINUTE_TAKER)
# The minutes are written from the start of the meeting until they are signed.
WRITABLE = (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)
FREEZE_ACTION = "minutes.freeze"


# Vietnamese forms of the record (the minutes are a Vietnamese document in every language).


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, LOCAL)


def clock(moment: datetime.datetime | None) -> str:
    """Return the local time as the minutes write it: "08 giờ 05"."""
    if moment is None:
        return ""
    local = _local(moment)
    return f"{local:%H} giờ {local:%M}"


def date_line(locality: str, day: datetime.date) -> str:
    """Return the place and date line of the header: "Đồng Văn, ngày 03 tháng 12 năm 2026"."""
    text = f"ngày {day:%d} tháng {day:%m} năm {day.year}"
    return f"{locality}, {text}" if locality else text.capitalize()


def _locality(meeting: Meeting) -> str:
    """Return the place name for the date line: the cell's locality, else the meeting's."""
    for place in (meeting.organisation.place, meeting.place):
        first = (place or "").split(",")[0].strip()
        if first:
            return first
    return ""


def held_on(meeting: Meeting) -> datetime.date:
    """Return the local day the meeting was held (or is planned for)."""
    return _local(meeting.started_at or meeting.scheduled_at).date()


# The content.


def _person(member: Member | None) -> dict | None:
    if member is None:
        return None
    return {"id": member.pk, "name": member.full_name, "position": member.position}


def _attendance(meeting: Meeting) -> dict:
    everyone = list(
        meeting.attendance.select_related("member").order_by("member__name_folded", "member_id")
    )
    # Members here temporarily (chibo.transfers) are named apart and not counted.
    rows = [r for r in everyone if not r.temporary]
    expected = [r for r in rows if r.status != AttendanceStatus.EXEMPTED]
    absent = []
    for r in expected:
        if r.status == AttendanceStatus.ABSENT_EXCUSED:
            absent.append({"name": r.member.full_name, "excused": True, "reason": r.absence_reason})
        elif r.status == AttendanceStatus.ABSENT_UNEXCUSED:
            absent.append(
                {"name": r.member.full_name, "excused": False, "reason": r.absence_reason}
            )
        elif r.status == AttendanceStatus.EXPECTED:
            # Not recorded: neither present nor absent (a closed meeting has none).
            absent.append({"name": r.member.full_name, "excused": None, "reason": ""})
    result = {
        # Members who must attend: everyone invited except the exempted.
        "total": len(expected),
        "present": sum(1 for r in rows if r.status in PRESENT_STATUSES),
        "official_total": sum(1 for r in expected if r.was_official),
        "official_present": sum(1 for r in rows if r.was_official and r.status in PRESENT_STATUSES),
        "absent": absent,
        "exempted": [r.member.full_name for r in rows if r.status == AttendanceStatus.EXEMPTED],
        "late": [r.member.full_name for r in rows if r.status == AttendanceStatus.LATE],
    }
    temporary = [
        r.member.full_name for r in everyone if r.temporary and r.status in PRESENT_STATUSES
    ]
    if temporary:
        # Only when there are some, so that the content (and hash) of other minutes is as before.
        result["temporary"] = temporary
    return result


def _votes(meeting: Meeting, positions: dict[int, int]) -> list[dict]:
    votes = []
    for v in meeting.votes.prefetch_related("ballots__member"):
        vote = {
            "subject": v.subject,
            "kind": v.kind,
            "item": positions.get(v.agenda_item_id),
            "summary": v.summary,
            "passed": v.passed,
            "rule": v.rule,
            "agree": v.agree,
            "disagree": v.disagree,
            "abstain": v.abstain,
            "eligible": v.eligible,
            "by_name": v.by_name,
        }
        if v.by_name:
            vote["ballots"] = sorted(
                ({"name": b.member.full_name, "choice": b.choice} for b in v.ballots.all()),
                key=lambda b: b["name"],
            )
        votes.append(vote)
    return votes


def _tasks(meeting: Meeting) -> list[dict]:
    return [
        {
            "title": t.title,
            "deliverable": t.deliverable,
            "due_on": t.due_on.isoformat(),
            "assignees": sorted(m.full_name for m in t.assignees.all()),
        }
        for t in meeting.tasks.prefetch_related("assignees")
    ]


def _reviewed_tasks(meeting: Meeting) -> list[dict]:
    tasks = (
        Task.objects.filter(reviewed_in=meeting)
        .select_related("meeting")
        .prefetch_related("assignees")
        .order_by("meeting__scheduled_at", "due_on", "id")
    )
    return [
        {
            "title": t.title,
            "from_meeting": held_on(t.meeting).isoformat(),
            "due_on": t.due_on.isoformat(),
            "assignees": sorted(m.full_name for m in t.assignees.all()),
            "status": t.status,
            "status_label": str(t.get_status_display()),
            "note": t.review_note,
        }
        for t in tasks
    ]


def _score(meeting: Meeting) -> dict:
    score = QualityScore.objects.filter(meeting=meeting).first()
    if score is None or score.total is None:
        return {"scored": False, "text": "chưa chấm"}
    total = format_number(score.total)
    return {
        "scored": True,
        "total": str(score.total),
        "level": score.level,
        "level_label": score.level_label,
        "pack": score.pack_id,
        "text": f"{total} điểm, xếp loại {score.level_label}",
    }


def minutes_content(meeting: Meeting) -> dict:
    """Return the minutes' canonical content, generated from the meeting's record.

    Plain JSON types only (dates ISO), in the official layout's order; the same content
    drives the page, the PDF and the DOCX, and is what signing freezes and hashes.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _content(Meeting.objects.select_related("organisation").get(pk=meeting.pk))


def _content(meeting: Meeting) -> dict:
    cell = meeting.organisation
    parent = Organisation.objects.get_parent(cell)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    chair = Member.objects.filter(pk=meeting.chair_id).first()
    taker = Member.objects.filter(pk=meeting.minute_taker_id).first()
    items = list(meeting.agenda.all())
    positions = {item.pk: item.position for item in items}
    opinions = list(meeting.opinions.select_related("member", "agenda_item"))
    spoken = [o for o in opinions if not o.prepared]
    day = held_on(meeting)
    return {
        "format": CONTENT_FORMAT,
        "header": {
            "party": PARTY,
            "superior": parent.name if parent else "",
            "cell": cell.name,
            "cell_code": cell.code,
            "date_line": date_line(_locality(meeting), day),
        },
        "meeting": {
            "id": meeting.pk,
            "kind": meeting.kind,
            "kind_label": str(Kind(meeting.kind).label),
            "topic": meeting.topic,
            "period": meeting.period.isoformat() if meeting.period else None,
            "date": day.isoformat(),
            "scheduled_at": _local(meeting.scheduled_at).isoformat(),
        },
        "time": {
            "started_at": _local(meeting.started_at).isoformat() if meeting.started_at else None,
            "ended_at": _local(meeting.ended_at).isoformat() if meeting.ended_at else None,
            "start": clock(meeting.started_at),
            "end": clock(meeting.ended_at),
        },
        "place": meeting.place,
        "chair": _person(chair),
        "minute_taker": _person(taker),
        "guests": [
            {"name": g.name, "title": g.title, "follower": g.is_follower}
            for g in meeting.guests.order_by("-is_follower", "id")
        ],
        "attendance": _attendance(meeting),
        "opening": minutes.opening if minutes else "",
        "reviewed_tasks": _reviewed_tasks(meeting),
        "agenda": [
            {
                "position": item.position,
                "title": item.title,
                "notes": item.notes,
                "conclusion": item.conclusion,
                "speakers": [
                    {"name": o.member.full_name, "text": o.text}
                    for o in spoken
                    if o.agenda_item_id == item.pk
                ],
            }
            for item in items
        ],
        # Speakers recorded without an agenda item.
        "other_speakers": [
            {"name": o.member.full_name, "text": o.text}
            for o in spoken
            if o.agenda_item_id not in positions
        ],
        # Ý kiến gửi trước: written by members before the meeting.
        "prepared_opinions": [
            {
                "name": o.member.full_name,
                "text": o.text,
                "item": o.agenda_item.title if o.agenda_item_id in positions else "",
            }
            for o in opinions
            if o.prepared
        ],
        "summary": minutes.summary if minutes else "",
        "conclusion": minutes.conclusion if minutes else "",
        "votes": _votes(meeting, positions),
        "tasks": _tasks(meeting),
        "duration_minutes": meeting.duration_minutes,
        "score": _score(meeting),
    }


def canonical_json(value) -> str:
    """Return the one JSON text of a value that its hash is computed from."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: dict, previous_hash: str) -> str:
    """Return the SHA-256 of signed minutes: their content and the previous minutes' hash."""
    text = canonical_json({"content": content, "previous_hash": previous_hash})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def addendum_hash(text: str, minutes_hash: str) -> str:
    """Return the SHA-256 of a signed addendum: its text and the hash of its minutes."""
    payload = canonical_json({"minutes_hash": minutes_hash, "text": text})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Reads for pages and documents.


def minutes_of(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting_id=meeting.pk).first()


def minutes_version(meeting: Meeting) -> int:
    """Return the version an edit form sends back: 0 while the minutes are not written yet."""
    minutes = minutes_of(meeting)
    return minutes.version if minutes else 0


def _signature_rows(minutes: Minutes | None, addendum: Addendum | None = None) -> list[dict]:
    if minutes is None or minutes.pk is None:
        return []
    rows = Signature.objects.filter(minutes=minutes, addendum=addendum).select_related("member")
    order = {role: i for i, role in enumerate(ROLES)}
    return [
        {
            "role": s.role,
            "name": s.member.full_name,
            "signed_at": _local(s.signed_at).isoformat(),
        }
        for s in sorted(rows, key=lambda s: order.get(s.role, 9))
    ]


def document_content(meeting: Meeting) -> dict:
    """Return what the minutes' documents show: the frozen content once signed (with the
    signed addenda), else the content generated now with the signatures given so far."""
    minutes = minutes_of(meeting)
    if minutes is not None and minutes.is_signed:
        content = dict(minutes.content or {})
        content["signed"] = True
        content["content_hash"] = minutes.content_hash
        content["addenda"] = [
            {
                "number": i,
                "text": a.text,
                "signed_at": _local(a.signed_at).isoformat() if a.signed_at else None,
                "content_hash": a.content_hash,
                "signatures": _signature_rows(minutes, a),
            }
            for i, a in enumerate(minutes.addenda.all(), start=1)
        ]
        return content
    content = minutes_content(meeting)
    content["signed"] = False
    content["signatures"] = _signature_rows(minutes)
    content["signed_at"] = None
    content["content_hash"] = ""
    content["addenda"] = []
    return content


def signing_state(meeting: Meeting, user=None) -> dict:
    """Return what the minutes' page shows about signing: who signed, what is missing, and
    which roles the user may sign as now."""
    minutes = minutes_of(meeting)
    signed = {s["role"]: s for s in _signature_rows(minutes)}
    missing = missing_to_sign(meeting)
    own = _own_member_id(user)
    holders = {
        Signature.Role.CHAIR: meeting.chair_id,
        Signature.Role.MINUTE_TAKER: meeting.minute_taker_id,
    }
    return {
        "minutes": minutes,
        "version": minutes.version if minutes else 0,
        "signed": bool(minutes and minutes.is_signed),
        "signatures": signed,
        "missing": missing,
        "can_sign_as": [
            role
            for role in ROLES
            if own is not None and holders[role] == own and role not in signed and not missing
        ],
    }


# Actions.


def _own_member_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return getattr(user, "member_id", None)


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)


def _lock_cell(meeting: Meeting) -> Organisation:
    """Lock the cell's row: signing is serialised per cell so its chain never forks."""
    return Organisation.objects.select_for_update().get(pk=meeting.organisation_id)


def _require_writer(actor, meeting: Meeting) -> None:
    """Whoever runs the cell's meetings writes the minutes, and so do the meeting's chair and
    minute-taker (a minute-taker is often a member without another role)."""
    cell = meeting.organisation
    if can(actor, Perm.RUN_MEETINGS, cell):
        return
    own = _own_member_id(actor)
    if own is not None and own in (meeting.chair_id, meeting.minute_taker_id):
        if can(actor, Perm.VIEW_MEETINGS, cell):
            return
    raise PermissionDenied(_("You do not have permission to do this here."))


def _refuse_signed() -> ValidationError:
    return ValidationError(
        _("The minutes are signed and cannot be changed. Add a signed addendum to correct them."),
        code="signed",
    )


@transaction.atomic
def edit_minutes(actor, meeting: Meeting, version: int | None = None, **fields) -> Minutes:
    """Write the narrative parts of the minutes (opening, summary, conclusion).

    Allowed while the meeting is in progress or closed and the minutes are not signed.
    `version` is the one the user started from (0 while no minutes were written); a newer
    one refuses the write. A change after one of the two signatures withdraws it: the signer
    signs the new text again.
    """
    meeting = _locked(meeting)
    _require_writer(actor, meeting)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if meeting.status == MeetingStatus.SIGNED or (minutes is not None and minutes.is_signed):
        raise _refuse_signed()
    if meeting.status not in WRITABLE:
        raise ValidationError(_("The minutes are written once the meeting has started."))
    unknown = set(fields) - set(NARRATIVE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %s") % ", ".join(sorted(unknown))
        )
    errors = {}
    for key, value in fields.items():
        if not isinstance(value, str):
            errors[key] = _("Write the text.")
        elif len(value) > MAX_NARRATIVE:
            errors[key] = _("The text is too long (at most %(max)s characters).") % {
                "max": MAX_NARRATIVE
            }
    if errors:
        raise ValidationError(errors)
    if minutes is None:
        minutes = Minutes(meeting=meeting, version=0)
    check_version(minutes, version)
    before = {k: getattr(minutes, k) for k in fields}
    after = {k: v.strip() for k, v in fields.items()}
    changes = diff(before, after)
    if not changes and minutes.pk is not None:
        return minutes
    for key, value in after.items():
        setattr(minutes, key, value)
    minutes.version += 1
    minutes.save()
    withdrawn = list(
        Signature.objects.filter(minutes=minutes, addendum__isnull=True).select_related("member")
    )
    if withdrawn:
        Signature.objects.filter(pk__in=[s.pk for s in withdrawn]).delete()
    record(
        actor,
        "minutes.edit",
        meeting.organisation,
        minutes,
        {
            **changes,
            "version": minutes.version,
            "signatures_withdrawn": [s.member.full_name for s in withdrawn],
        },
    )
    return minutes


def missing_to_sign(meeting: Meeting) -> list[str]:
    """Return what must be done or recorded before the minutes can be signed, in plain words."""
    if meeting.status == MeetingStatus.SIGNED:
        return [_("The minutes are already signed.")]
    if meeting.status not in WRITABLE:
        return [_("The meeting has not been held.")]
    missing = []
    if meeting.status != MeetingStatus.CLOSED:
        missing.append(_("The meeting is not closed."))
    if meeting.chair_id is None:
        missing.append(_("The chair is not named."))
    if meeting.minute_taker_id is None:
        missing.append(_("The minute-taker is not named."))
    rows = list(meeting.attendance.select_related("member").order_by("member__name_folded"))
    recorded = [
        r for r in rows if r.status not in (AttendanceStatus.EXPECTED, AttendanceStatus.EXEMPTED)
    ]
    if not recorded:
        missing.append(_("No attendance is recorded."))
    else:
        missing += [
            _("Attendance of %(name)s is not recorded.") % {"name": r.member.full_name}
            for r in rows
            if r.status == AttendanceStatus.EXPECTED
        ]
    if meeting.is_regular or meeting.kind == Kind.EXTRAORDINARY:
        if not meeting.votes.filter(kind=VoteKind.RESOLUTION).exists():
            missing.append(_("No vote on the resolution is recorded."))
    if not meeting.opinions.filter(prepared=False).exists():
        missing.append(_("No member's opinion is recorded."))
    minutes = minutes_of(meeting)
    if minutes is None or not minutes.summary.strip():
        missing.append(_("The summary of the discussion is empty."))
    if minutes is None or not minutes.conclusion.strip():
        missing.append(_("The conclusion is empty."))
    return missing


def _signer(actor, meeting: Meeting, role: str) -> Member:
    """Return the member who signs as role, when the actor is that member; else refuse."""
    if role not in ROLES:
        raise ValidationError({"role": _("Sign as the chair or as the minute-taker.")})
    require(actor, Perm.VIEW_MEETINGS, meeting.organisation)
    holder_id = meeting.chair_id if role == Signature.Role.CHAIR else meeting.minute_taker_id
    own = _own_member_id(actor)
    if holder_id is None or own != holder_id:
        if role == Signature.Role.CHAIR:
            raise PermissionDenied(_("Only the chair of the meeting signs as the chair."))
        raise PermissionDenied(_("Only the minute-taker of the meeting signs as the minute-taker."))
    return Member.objects.get(pk=holder_id)


def _reauthenticate(user, password: str | None, otp: str | None = None) -> None:
    """Make the signer prove again who they are: by their password.

    Two-factor signing plugs in here. Once django-otp is installed, a user with a confirmed
    TOTP device (django_otp.devices_for_user(user, confirmed=True)) signs with a current
    code: verify `otp` with device.verify_token(otp) and accept it in place of the password.
    """
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("The password is not right.")}, code="reauth")


def _signed_roles(minutes: Minutes, addendum: Addendum | None = None) -> set[str]:
    return set(
        Signature.objects.filter(minutes=minutes, addendum=addendum).values_list("role", flat=True)
    )


def _chain_tip(cell_id: int, exclude: int | None = None) -> Minutes | None:
    """Return the cell's latest signed minutes: the link the next signed minutes point to."""
    return (
        Minutes.objects.filter(meeting__organisation_id=cell_id, signed_at__isnull=False)
        .exclude(pk=exclude)
        .order_by("-signed_at", "-id")
        .first()
    )


def _freeze(actor, meeting: Meeting, minutes: Minutes) -> None:
    tip = _chain_tip(meeting.organisation_id, exclude=minutes.pk)
    now = timezone.now()
    if tip is not None and now <= tip.signed_at:
        # The chain is ordered by signing time: keep it strictly increasing.
        now = tip.signed_at + datetime.timedelta(microseconds=1)
    minutes.signed_at = now
    minutes.save(update_fields=["signed_at"])
    meeting.status = MeetingStatus.SIGNED
    meeting.version += 1
    meeting.save(update_fields=["status", "version"])
    # Signing decides the score's "minutes signed on time" line: the frozen content prints
    # the score as it stands once signed.
    refresh_score(actor, meeting)
    content = minutes_content(meeting)
    content["signatures"] = _signature_rows(minutes)
    content["signed_at"] = _local(now).isoformat()
    # What is hashed is exactly what the JSON column gives back.
    content = json.loads(canonical_json(content))
    previous = tip.content_hash if tip is not None else ""
    minutes.content = content
    minutes.previous_hash = previous
    minutes.content_hash = content_hash(content, previous)
    minutes.version += 1
    minutes.save(update_fields=["content", "previous_hash", "content_hash", "version"])
    record(
        actor,
        FREEZE_ACTION,
        meeting.organisation,
        minutes,
        {"content_hash": minutes.content_hash, "previous_hash": previous},
    )
    rollups.refresh_meeting(meeting)


@transaction.atomic
def sign_minutes(
    actor, meeting: Meeting, role: str, password: str, otp: str | None = None
) -> Minutes:
    """Sign the minutes as the meeting's chair or minute-taker, after entering the password
    again. The second signature freezes, hashes and chains the minutes and marks the meeting
    signed."""
    _lock_cell(meeting)
    meeting = _locked(meeting)
    member = _signer(actor, meeting, role)
    _reauthenticate(actor, password, otp)
    missing = missing_to_sign(meeting)
    if missing:
        raise ValidationError(missing, code="incomplete")
    minutes = Minutes.objects.select_for_update().get(meeting=meeting)
    if role in _signed_roles(minutes):
        raise ValidationError(_("The minutes are already signed in this role."))
    Signature.objects.create(minutes=minutes, role=role, member=member)
    record(
        actor,
        "minutes.sign",
        meeting.organisation,
        minutes,
        {"role": role, "member": member.full_name, "version": minutes.version},
    )
    if _signed_roles(minutes) >= set(ROLES):
        _freeze(actor, meeting, minutes)
    return minutes


@transaction.atomic
def add_addendum(actor, meeting: Meeting, text: str) -> Addendum:
    """Write a correction to signed minutes; it counts once the chair and the minute-taker
    have signed it."""
    meeting = _locked(meeting)
    _require_writer(actor, meeting)
    minutes = minutes_of(meeting)
    if minutes is None or not minutes.is_signed:
        raise ValidationError(
            _("Corrections are added to signed minutes; change the draft instead.")
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the correction.")})
    if len(text) > MAX_NARRATIVE:
        raise ValidationError(
            {
                "text": _("The text is too long (at most %(max)s characters).")
                % {"max": MAX_NARRATIVE}
            }
        )
    addendum = Addendum.objects.create(minutes=minutes, text=text)
    record(actor, "minutes.addendum", meeting.organisation, addendum, {"text": text})
    return addendum


@transaction.atomic
def sign_addendum(
    actor, addendum: Addendum, role: str, password: str, otp: str | None = None
) -> Addendum:
    """Sign an addendum as the meeting's chair or minute-taker; the second signature hashes
    it with the hash of its minutes."""
    meeting = addendum.minutes.meeting
    _lock_cell(meeting)
    meeting = _locked(meeting)
    addendum = Addendum.objects.select_for_update().select_related("minutes").get(pk=addendum.pk)
    member = _signer(actor, meeting, role)
    _reauthenticate(actor, password, otp)
    if addendum.signed_at is not None:
        raise ValidationError(_("This correction is already signed."))
    if role in _signed_roles(addendum.minutes, addendum):
        raise ValidationError(_("The correction is already signed in this role."))
    Signature.objects.create(minutes=addendum.minutes, addendum=addendum, role=role, member=member)
    record(
        actor,
        "minutes.addendum_sign",
        meeting.organisation,
        addendum,
        {"role": role, "member": member.full_name},
    )
    if _signed_roles(addendum.minutes, addendum) >= set(ROLES):
        addendum.content_hash = addendum_hash(addendum.text, addendum.minutes.content_hash)
        addendum.signed_at = timezone.now()
        addendum.save(update_fields=["content_hash", "signed_at"])
        record(
            actor,
            "minutes.addendum_freeze",
            meeting.organisation,
            addendum,
            {"content_hash": addendum.content_hash},
        )
    return addendum


# Verification.


@dataclass(frozen=True)
class ChainProblem:
    """Something in a cell's signed minutes that does not match what was signed."""

    meeting_id: int
    cell_code: str
    date: str  # the meeting's day, ISO
    kind: str  # content, link, audit, narrative, signed_at, status, addendum
    message: str

    def __str__(self) -> str:
        return f"{self.meeting_id} ({self.cell_code}, {self.date}): {self.message}"


def _problem(minutes: Minutes, kind: str, message: str) -> ChainProblem:
    meeting = minutes.meeting
    return ChainProblem(
        meeting.pk, meeting.organisation.code, held_on(meeting).isoformat(), kind, message
    )


def signed_minutes(org: Organisation | None = None):
    """Return the signed minutes of the subtree of org (of every cell when None)."""
    qs = Minutes.objects.filter(signed_at__isnull=False)
    if org is not None:
        qs = qs.filter(meeting__organisation__path__startswith=org.path)
    return qs


def verify_chain(org: Organisation | None = None) -> list[ChainProblem]:
    """Recompute every signed minutes' hash and link, cell by cell, in signing order; return
    each meeting whose stored minutes or addenda no longer match what was signed."""
    problems: list[ChainProblem] = []
    scope = signed_minutes(org)
    frozen_events = AuditEvent.objects.filter(action=FREEZE_ACTION, object_type="minutes")
    if org is not None:
        frozen_events = frozen_events.filter(organisation__path__startswith=org.path)
    # The hash each minutes had when signed, as the audit log recorded it.
    at_signing: dict[str, str] = {}
    for object_id, changes in frozen_events.order_by("at", "id").values_list(
        "object_id", "changes"
    ):
        if isinstance(changes, dict) and changes.get("content_hash"):
            at_signing[object_id] = changes["content_hash"]
    cell, expected_previous = None, ""
    rows = scope.select_related("meeting__organisation").order_by(
        "meeting__organisation_id", "signed_at", "id"
    )
    for minutes in rows.iterator(chunk_size=500):
        if minutes.meeting.organisation_id != cell:
            cell, expected_previous = minutes.meeting.organisation_id, ""
        content = minutes.content if isinstance(minutes.content, dict) else {}
        if content_hash(content, minutes.previous_hash) != minutes.content_hash:
            problems.append(
                _problem(minutes, "content", _("The signed content does not match its hash."))
            )
        if minutes.previous_hash != expected_previous:
            problems.append(
                _problem(
                    minutes,
                    "link",
                    _("The link to the cell's previous signed minutes is broken."),
                )
            )
        recorded = at_signing.get(str(minutes.pk))
        if recorded is not None and recorded != minutes.content_hash:
            problems.append(
                _problem(
                    minutes,
                    "audit",
                    _("The hash differs from the one recorded in the audit log at signing."),
                )
            )
        if any(content.get(k, "") != getattr(minutes, k) for k in NARRATIVE):
            problems.append(
                _problem(
                    minutes,
                    "narrative",
                    _("The text of the minutes differs from the signed content."),
                )
            )
        if content.get("signed_at") != _local(minutes.signed_at).isoformat():
            problems.append(
                _problem(
                    minutes,
                    "signed_at",
                    _("The signing time differs from the signed content."),
                )
            )
        if minutes.meeting.status != MeetingStatus.SIGNED:
            problems.append(
                _problem(minutes, "status", _("The meeting is no longer marked as signed."))
            )
        expected_previous = minutes.content_hash
    problems += _verify_addenda(org)
    problems += _verify_signed_meetings(org)
    return problems


def _verify_addenda(org: Organisation | None) -> list[ChainProblem]:
    problems = []
    addenda = Addendum.objects.filter(signed_at__isnull=False).select_related(
        "minutes__meeting__organisation"
    )
    if org is not None:
        addenda = addenda.filter(minutes__meeting__organisation__path__startswith=org.path)
    for addendum in addenda.order_by("minutes_id", "created_at", "id").iterator(chunk_size=500):
        if addendum_hash(addendum.text, addendum.minutes.content_hash) != addendum.content_hash:
            problems.append(
                _problem(
                    addendum.minutes,
                    "addendum",
                    _("The signed correction no. %(id)s does not match its hash.")
                    % {"id": addendum.pk},
                )
            )
    return problems


def _verify_signed_meetings(org: Organisation | None) -> list[ChainProblem]:
    """Meetings marked signed whose minutes are not signed (or gone)."""
    meetings = Meeting.objects.filter(status=MeetingStatus.SIGNED).exclude(
        minutes__signed_at__isnull=False
    )
    if org is not None:
        meetings = meetings.filter(organisation__path__startswith=org.path)
    return [
        ChainProblem(
            m.pk,
            m.organisation.code,
            held_on(m).isoformat(),
            "status",
            _("The meeting is marked as signed but its minutes are not."),
        )
        for m in meetings.select_related("organisation").order_by("organisation_id", "id")
    ]
