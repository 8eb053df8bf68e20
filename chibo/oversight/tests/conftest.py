"""Fixtures of the oversight tests: a clock the actions read, cell A with its members, and
a meeting held through the actions."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from chibo.meetings import actions
from chibo.meetings.models import AttendanceStatus, Kind, Meeting, Task
from tests.fixtures import make_member

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    """The time the actions read, moved by the test."""

    def __init__(self, monkeypatch):
        self.moment = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=HCM)
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, day: datetime.date, hour: int = 8, minute: int = 0):
        self.moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HCM)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def grow_cell_a(system, tree):
    """Cell A: An, Đức and four more official members, one probationary, one exempted."""
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba", "Hà Văn Bốn"):
        make_member(system, tree["A"], name)
    make_member(system, tree["A"], "Lò Văn Dự Bị", status="probationary", official_on=None)
    make_member(system, tree["A"], "Cụ Ông Miễn", status="exempted")
    return tree["A"]


@pytest.fixture
def cell_a(tree, members, system):
    return grow_cell_a(system, tree)


def hold(clock, actor, cell, day, *, absent=0, kind=Kind.REGULAR, **fields):
    """Hold a meeting on day through the actions: everyone expected checks in except the
    last `absent`, who are absent without reason; the first two official members chair and
    take the minutes; one task due 20 days later."""
    clock.set(day)
    scheduled = datetime.datetime(day.year, day.month, day.day, 8, 0, tzinfo=HCM)
    if kind == Kind.THEMATIC:
        fields.setdefault("topic", "Học tập và làm theo tư tưởng Hồ Chí Minh")
    meeting = actions.schedule_meeting(actor, cell, kind=kind, scheduled_at=scheduled, **fields)
    actions.send_notice(actor, meeting)
    rows = list(
        meeting.attendance.exclude(status=AttendanceStatus.EXEMPTED)
        .select_related("member")
        .order_by("-was_official", "member__name_folded")
    )
    chair, taker = rows[0].member, rows[min(1, len(rows) - 1)].member
    actions.start_meeting(actor, meeting, chair=chair, minute_taker=taker)
    for i, row in enumerate(rows):
        if i < len(rows) - absent:
            actions.check_in(actor, meeting, row.member)
        else:
            actions.set_attendance(actor, meeting, row.member, AttendanceStatus.ABSENT_UNEXCUSED)
    present_official = sum(1 for r in rows[: len(rows) - absent] if r.was_official)
    actions.post_opinion(actor, meeting, "Nhất trí với dự thảo nghị quyết", member=rows[0].member)
    for task in actions.open_tasks_before(meeting):
        actions.review_task(actor, meeting, task, Task.Status.DONE)
    actions.record_vote(
        actor, meeting, subject="Nghị quyết", agree=present_official, disagree=0, abstain=0
    )
    actions.add_task(
        actor,
        meeting,
        title="Vận động đóng góp quỹ khuyến học",
        due_on=day + datetime.timedelta(days=20),
        assignees=[chair],
    )
    clock.set(day, hour=10)
    actions.close_meeting(actor, meeting)
    return Meeting.objects.get(pk=meeting.pk)
