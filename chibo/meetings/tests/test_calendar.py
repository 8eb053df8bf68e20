"""The member's private iCal feed: times in Asia/Ho_Chi_Minh, folding, escaping, the token."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from chibo.meetings import actions
from chibo.meetings.calendar import (
    calendar_feed,
    escape_text,
    feed_token_for,
    fold_line,
    member_calendar,
    reset_feed_token,
)
from chibo.meetings.models import Kind
from chibo.meetings.tests import test_actions as base

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = datetime.UTC

cell_a = base.cell_a
secretary = base.secretary

EVENING = datetime.datetime(2026, 12, 3, 19, 30, tzinfo=HCM)


# A small reader, enough to check what a calendar application would see.


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def parse(data: bytes) -> list[dict]:
    """Return the components of an iCalendar file: {"name", "props", "parent"} each, where
    props maps a property name to a list of (params, value)."""
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    logical: list[bytes] = []
    for line in physical:
        if line[:1] in (b" ", b"\t"):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[dict] = []
    components = []
    for raw in logical:
        line = raw.decode("utf-8")
        head, value = re.match(r'^((?:[^:"]|"[^"]*")*):(.*)$', line).groups()
        name, *param_parts = head.split(";")
        params = dict(p.split("=", 1) for p in param_parts)
        if name == "BEGIN":
            component = {"name": value, "props": {}, "parent": stack[-1] if stack else None}
            components.append(component)
            stack.append(component)
        elif name == "END":
            assert stack.pop()["name"] == value
        else:
            stack[-1]["props"].setdefault(name, []).append((params, value))
    assert not stack
    return components


def _events(data: bytes) -> list[dict]:
    return [c for c in parse(data) if c["name"] == "VEVENT"]


def _prop(component, name):
    return component["props"][name][0]


def _moment(component, name) -> datetime.datetime:
    params, value = _prop(component, name)
    if value.endswith("Z"):
        return datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(
        tzinfo=ZoneInfo(params["TZID"])
    )


# The feed.


def test_a_meeting_at_half_past_seven_in_the_evening_is_there_at_that_time(
    secretary, cell_a, members
):
    meeting = actions.schedule_meeting(
        secretary,
        cell_a,
        kind=Kind.REGULAR,
        scheduled_at=EVENING,
        place="Hội trường nhà văn hóa thôn, xã Đồng Văn",
    )
    data = member_calendar(members["duc"])
    components = parse(data)
    calendar = components[0]
    assert calendar["name"] == "VCALENDAR"
    assert _prop(calendar, "VERSION")[1] == "2.0" and "PRODID" in calendar["props"]
    zone = next(c for c in components if c["name"] == "VTIMEZONE")
    assert _prop(zone, "TZID")[1] == "Asia/Ho_Chi_Minh"
    standard = next(c for c in components if c["parent"] is zone)
    assert _prop(standard, "TZOFFSETTO")[1] == "+0700"

    (event,) = _events(data)
    start = _moment(event, "DTSTART")
    assert _prop(event, "DTSTART") == ({"TZID": "Asia/Ho_Chi_Minh"}, "20261203T193000")
    assert (start.hour, start.minute) == (19, 30)
    assert start.astimezone(UTC) == datetime.datetime(2026, 12, 3, 12, 30, tzinfo=UTC)
    assert _moment(event, "DTEND") - start == datetime.timedelta(minutes=90)
    assert _prop(event, "UID")[1] == f"meeting-{meeting.pk}@chibo"
    assert _unescape(_prop(event, "SUMMARY")[1]) == (
        "Sinh hoạt chi bộ thường kỳ — Chi bộ Giáo viên"
    )
    assert _unescape(_prop(event, "LOCATION")[1]) == "Hội trường nhà văn hóa thôn, xã Đồng Văn"
    assert "\\," in _prop(event, "LOCATION")[1]  # the comma is escaped
    assert _prop(event, "DTSTAMP")[1].endswith("Z")


def test_a_thematic_topic_makes_it_two_hours_and_is_described(secretary, cell_a, members):
    topic = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; chuyên đề năm 2026"
    actions.schedule_meeting(
        secretary,
        cell_a,
        kind=Kind.REGULAR_THEMATIC,
        scheduled_at=datetime.datetime(2027, 1, 3, 8, 0, tzinfo=HCM),
        topic=topic,
    )
    (event,) = _events(member_calendar(members["an"]))
    assert _moment(event, "DTEND") - _moment(event, "DTSTART") == datetime.timedelta(minutes=120)
    description = _unescape(_prop(event, "DESCRIPTION")[1])
    assert f"Chủ đề: {topic}" in description.split("\n")
    assert "chuyên đề" in _unescape(_prop(event, "SUMMARY")[1])


def test_cancelled_and_old_meetings_are_left_out(secretary, cell_a, members):
    kept = actions.schedule_meeting(secretary, cell_a, kind=Kind.REGULAR, scheduled_at=EVENING)
    dropped = actions.schedule_meeting(
        secretary,
        cell_a,
        kind=Kind.EXTRAORDINARY,
        scheduled_at=datetime.datetime(2026, 12, 10, 8, 0, tzinfo=HCM),
    )
    actions.cancel_meeting(secretary, dropped, "Trùng lịch diễn tập phòng thủ")
    long_ago = actions.schedule_meeting(
        secretary,
        cell_a,
        kind=Kind.REGULAR,
        scheduled_at=datetime.datetime(2026, 5, 3, 8, 0, tzinfo=HCM),
    )
    uids = {_prop(e, "UID")[1] for e in _events(member_calendar(members["an"]))}
    assert uids == {f"meeting-{kept.pk}@chibo"}
    assert f"meeting-{long_ago.pk}@chibo" not in uids


def test_other_cells_and_committee_meetings_stay_out_unless_invited(
    secretary, cell_a, members, users
):
    committee = actions.schedule_meeting(
        secretary, cell_a, kind=Kind.COMMITTEE, scheduled_at=EVENING
    )
    assert _events(member_calendar(members["an"])) == []
    assert _events(member_calendar(members["hoa"])) == []  # cell B
    committee.attendance.create(member=members["an"])
    (event,) = _events(member_calendar(members["an"]))
    assert _unescape(_prop(event, "SUMMARY")[1]).startswith("Họp chi ủy")


def test_lines_are_folded_at_75_octets_without_splitting_a_character(
    secretary, cell_a, members, system
):
    from chibo.orgs.actions import update_organisation

    long_name = "Chi bộ Giáo viên Trường Trung học phổ thông Đồng Văn, huyện vùng cao biên giới"
    update_organisation(system, cell_a, name=long_name)
    actions.schedule_meeting(
        secretary,
        cell_a,
        kind=Kind.REGULAR_THEMATIC,
        scheduled_at=EVENING,
        topic="Nâng cao chất lượng sinh hoạt chi bộ; đổi mới nội dung, phương thức, tác phong\n"
        "Thảo luận: ý kiến của đảng viên",
    )
    data = member_calendar(members["an"])
    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    for line in physical:
        line.decode("utf-8")  # each physical line is whole UTF-8: no character was split
    assert any(line.startswith(b" ") for line in physical)  # something was folded
    (event,) = _events(data)
    assert _unescape(_prop(event, "SUMMARY")[1]) == (
        f"Sinh hoạt chi bộ thường kỳ và chuyên đề — {long_name}"
    )
    description = _unescape(_prop(event, "DESCRIPTION")[1])
    assert "tác phong\nThảo luận: ý kiến của đảng viên" in description


def test_folding_and_escaping_by_the_rules():
    assert escape_text("a,b;c\\d\r\ne\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "SUMMARY:" + "ệ" * 40  # 3 octets a character
    folded = fold_line(line)
    parts = folded.split(b"\r\n")[:-1]
    assert len(parts[0]) == 74 and all(len(p) <= 75 for p in parts)
    assert b"".join(p[1:] if i else p for i, p in enumerate(parts)).decode() == line
    assert fold_line("VERSION:2.0") == b"VERSION:2.0\r\n"


# The address: the token is the secret.


def test_the_feed_answers_without_login_and_404s_an_unknown_token(secretary, cell_a, members):
    actions.schedule_meeting(secretary, cell_a, kind=Kind.REGULAR, scheduled_at=EVENING)
    token = feed_token_for(members["an"])
    assert len(token) >= 32 and feed_token_for(members["an"]) == token
    assert feed_token_for(members["duc"]) != token
    request = RequestFactory().get(f"/calendar/{token}.ics")
    response = calendar_feed(request, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(_events(response.content)) == 1
    with pytest.raises(Http404):
        # One character off (never the same character, or the test would pass by chance).
        wrong = token[:-1] + ("y" if token.endswith("x") else "x")
        calendar_feed(RequestFactory().get("/calendar/x.ics"), wrong)
    assert calendar_feed(RequestFactory().post("/"), token).status_code == 405


def test_after_a_reset_the_old_address_gives_404(members, users):
    old = feed_token_for(members["duc"])
    with pytest.raises(PermissionDenied):
        reset_feed_token(users["secretary_A"], members["duc"])  # only the member themself
    assert feed_token_for(members["duc"]) == old
    new = reset_feed_token(users["member_A"], members["duc"])  # member_A is Đỗ Minh Đức
    assert new != old and feed_token_for(members["duc"]) == new
    with pytest.raises(Http404):
        calendar_feed(RequestFactory().get("/"), old)
    assert calendar_feed(RequestFactory().get("/"), new).status_code == 200
