"""A member's private calendar feed (iCalendar, RFC 5545) of the meetings they attend.

The feed's address carries a random token instead of a login, so that a calendar
application can subscribe to it; whoever holds the address reads the member's meeting
times, places and topics, and the member can replace the token at any time (the old
address then answers 404). Times are written in Asia/Ho_Chi_Minh with its VTIMEZONE.
"""

import datetime
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chibo.audit.log import record
from chibo.meetings.models import CalendarFeed, Kind, Meeting, MeetingStatus
from chibo.members.models import Member
from chibo.regulations.loader import PackNotFound, pack_in_force, province_of

LOCAL = ZoneInfo(settings.TIME_ZONE)
TZID = settings.TIME_ZONE
PAST_DAYS = 90
MAX_OCTETS = 75
TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 random bits

# What the member's calendar shows as the event's title, in Vietnamese.
SUMMARIES = {
    Kind.REGULAR: "Sinh hoạt chi bộ thường kỳ",
    Kind.THEMATIC: "Sinh hoạt chuyên đề",
    Kind.REGULAR_THEMATIC: "Sinh hoạt chi bộ thường kỳ và chuyên đề",
    Kind.EXTRAORDINARY: "Sinh hoạt chi bộ bất thường",
    Kind.COMMITTEE: "Họp chi ủy",
}

# Asia/Ho_Chi_Minh has been UTC+7 without daylight saving time since 1975.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19750613T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "TZNAME:+07",
    "END:STANDARD",
    "END:VTIMEZONE",
)


# Tokens.


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def feed_token_for(member: Member) -> str:
    """Return the member's feed token, creating one the first time."""
    token = CalendarFeed.objects.filter(member=member).values_list("token", flat=True).first()
    if token:
        return token
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(member=member, token=_new_token()).token
    except IntegrityError:  # made at the same moment by another request
        return CalendarFeed.objects.get(member=member).token


@transaction.atomic
def reset_feed_token(actor, member: Member) -> str:
    """Replace the member's token: the old address stops working. Only the member may."""
    own = getattr(actor, "member_id", None) if getattr(actor, "is_authenticated", False) else None
    if own is None or own != member.pk or not actor.is_active:
        raise PermissionDenied(_("Only the member can reset their own calendar address."))
    feed = CalendarFeed.objects.select_for_update().filter(member=member).first()
    if feed is None:
        feed = CalendarFeed(member=member)
    feed.token = _new_token()
    feed.created_at = timezone.now()
    feed.save()
    record(actor, "member.calendar_reset", member.cell, member, {})
    return feed.token


# The calendar.


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> bytes:
    """Return one content line in UTF-8, folded at 75 octets (RFC 5545 3.1), ending CRLF.

    A continuation line starts with a space, which counts in its 75 octets; a character is
    never split between two lines.
    """
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > MAX_OCTETS:
            parts.append(current)
            current = b" "
        current += encoded
    parts.append(current)
    return b"\r\n".join(parts) + b"\r\n"


def _local_stamp(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, LOCAL).strftime("%Y%m%dT%H%M%S")


def _utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def member_meetings(member: Member, now: datetime.datetime | None = None):
    """Return the meetings in the member's feed: those of their current cell (not the cell
    committee's) and those they are invited to, not cancelled, from 90 days ago onward."""
    since = (now or timezone.now()) - datetime.timedelta(days=PAST_DAYS)
    mine = Q(attendance__member=member)
    if member.is_current:
        mine |= Q(organisation_id=member.cell_id) & ~Q(kind=Kind.COMMITTEE)
    ids = (
        Meeting.objects.filter(mine, scheduled_at__gte=since)
        .exclude(status=MeetingStatus.CANCELLED)
        .values("pk")
    )
    return (
        Meeting.objects.filter(pk__in=ids)
        .select_related("organisation", "presenter")
        .order_by("scheduled_at", "pk")
    )


def _minutes(meeting: Meeting, provinces: dict) -> int:
    """Return the pack's minimum length for the meeting (120 with a thematic topic)."""
    org = meeting.organisation
    if org.pk not in provinces:
        provinces[org.pk] = province_of(org)
    try:
        pack = pack_in_force(timezone.localtime(meeting.scheduled_at, LOCAL), provinces[org.pk])
    except PackNotFound:
        return 120 if meeting.is_thematic else 90
    return pack.meeting.min_minutes(meeting.is_thematic)


def _event(meeting: Meeting, stamp: str, provinces: dict) -> list[str]:
    end = meeting.scheduled_at + datetime.timedelta(minutes=_minutes(meeting, provinces))
    summary = (
        f"{SUMMARIES.get(meeting.kind, SUMMARIES[Kind.REGULAR])} — {meeting.organisation.name}"
    )
    details = []
    if meeting.topic:
        details.append(f"Chủ đề: {meeting.topic}")
    if meeting.presenter is not None:
        details.append(f"Người trình bày: {meeting.presenter.full_name}")
    if meeting.moved_reason:
        details.append(f"Lý do đổi ngày: {meeting.moved_reason}")
    details.append(f"Chi bộ: {meeting.organisation.name}")
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@chibo",
        f"DTSTAMP:{stamp}",
        f"SEQUENCE:{meeting.version}",
        f"DTSTART;TZID={TZID}:{_local_stamp(meeting.scheduled_at)}",
        f"DTEND;TZID={TZID}:{_local_stamp(end)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{escape_text(meeting.place)}")
    lines += [
        f"DESCRIPTION:{escape_text(chr(10).join(details))}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def member_calendar(member: Member, now: datetime.datetime | None = None) -> bytes:
    """Return the member's meetings as an iCalendar file (UTF-8, CRLF, folded lines)."""
    now = now or timezone.now()
    stamp = _utc_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Chibo//Sinh hoat chi bo//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text('Sinh hoạt chi bộ — ' + member.full_name)}",
        f"X-WR-TIMEZONE:{TZID}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        *VTIMEZONE,
    ]
    provinces: dict = {}
    for meeting in member_meetings(member, now):
        lines += _event(meeting, stamp, provinces)
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)


@require_safe
def calendar_feed(request, token: str) -> HttpResponse:
    """The feed, without login: the token in the address is the secret; 404 when unknown."""
    if not token or len(token) > 64:
        raise Http404
    feed = CalendarFeed.objects.select_related("member").filter(token=token).first()
    if feed is None:
        raise Http404
    response = HttpResponse(
        member_calendar(feed.member), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="chibo.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
