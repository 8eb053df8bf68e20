"""Fixtures of the review tests: a clock, a round of 2025 opened by commune X, points that
reach each level, and a meeting of cell A in progress."""

import datetime

import pytest

from chibo.meetings import actions as meeting_actions
from chibo.oversight.tests.conftest import HCM, Clock
from chibo.reviews import actions
from chibo.reviews.rules import Tasks

ALL_DONE = Tasks(done=100, on_time=100, exceeded=40)
ON_TIME = Tasks(done=100, on_time=100, exceeded=0)


def member_points(total: int) -> dict:
    """Points for a member's criteria adding up to total (general 30, tasks 70)."""
    maxima = {"politics": 10, "ethics": 10, "discipline": 10, "duties": 50, "member_duties": 20}
    missing = 100 - total
    points = {}
    for key, most in maxima.items():
        take = min(most, missing)
        points[key] = most - take
        missing -= take
    return points


def org_points(total: int) -> dict:
    maxima = {
        "politics_building": 10,
        "organisation_building": 10,
        "inspection": 10,
        "political_tasks": 50,
        "resolutions": 20,
    }
    missing = 100 - total
    points = {}
    for key, most in maxima.items():
        take = min(most, missing)
        points[key] = most - take
        missing -= take
    return points


SECTIONS_2C = {
    "politics_ethics": "Luôn giữ vững lập trường tư tưởng.",
    "duties": "Tham gia đầy đủ sinh hoạt chi bộ.",
    "commitment": "Thực hiện tốt cam kết.",
    "shortcomings": "Đôi khi chưa mạnh dạn góp ý.",
    "remedies": "Mạnh dạn phê bình và tự phê bình.",
}
SECTIONS_01 = {
    "leadership": "Hoàn thành các chỉ tiêu được giao.",
    "party_building": "Sinh hoạt đều đặn, đúng ngày.",
    "shortcomings": "Sinh hoạt chuyên đề còn ít.",
    "remedies": "Mỗi quý một chuyên đề.",
}


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(monkeypatch)
    clock.set(datetime.date(2025, 12, 1))
    return clock


@pytest.fixture
def review_round(clock, tree, users, system):
    return actions.open_round(
        users["standing_X"],
        tree["X"],
        year=2025,
        self_review_until=datetime.date(2025, 12, 10),
        proposals_until=datetime.date(2025, 12, 20),
        decisions_until=datetime.date(2025, 12, 31),
        today=datetime.date(2025, 12, 1),
    )


@pytest.fixture
def meeting_a(clock, tree, members, system):
    """A meeting of cell A in progress, everyone present."""
    scheduled = datetime.datetime(2025, 12, 3, 8, 0, tzinfo=HCM)
    clock.set(datetime.date(2025, 12, 3))
    meeting = meeting_actions.schedule_meeting(
        system, tree["A"], kind="regular", scheduled_at=scheduled
    )
    meeting_actions.send_notice(system, meeting)
    meeting_actions.start_meeting(system, meeting, chair=members["an"], minute_taker=members["duc"])
    for row in meeting.attendance.select_related("member"):
        meeting_actions.check_in(system, meeting, row.member)
    return meeting


def submit_self(actor, review_round, member, total=95, level="excellent", tasks=ALL_DONE):
    return actions.save_self_review(
        actor,
        review_round,
        member,
        form="2C",
        sections=SECTIONS_2C,
        points=member_points(total),
        tasks=tasks,
        self_level=level,
        submit=True,
    )
