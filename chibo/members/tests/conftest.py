"""Fixtures for the tests of a member's path: the fee book's unpaid months under the test's
control, meetings a member missed without reason, and a snapshot of everything the path's
actions could change, to show that a refused one changed nothing."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import AttendanceStatus, Kind
from chibo.members.models import (
    Badge,
    CorrectionRequest,
    Member,
    MembershipEnd,
    MembershipPeriod,
    RemovalProposal,
    Training,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class FeeBook:
    """The fee book as the tests set it: unpaid months by member, and who was read."""

    def __init__(self):
        self.owed: dict[int, list[datetime.date]] = {}
        self.read: list[int] = []

    def unpaid_months(self, member, year, today=None):
        self.read.append(member.pk)
        return [m for m in self.owed.get(member.pk, []) if m.year == year]


@pytest.fixture
def unpaid(monkeypatch):
    """The unpaid fee months the fee book answers. The fee book (chibo.fees) is tested on
    its own; here the test sets its answer, and can see that a committee's list reads none."""
    from chibo.fees import queries as fee_queries

    book = FeeBook()
    monkeypatch.setattr(fee_queries, "unpaid_months", book.unpaid_months)
    return book


@pytest.fixture(autouse=True)
def _no_fee_book_by_default(unpaid):
    """Every test reads an empty fee book unless it fills `unpaid`."""


def absent_at(secretary, cell, member, moments, chair, taker):
    """Hold a regular meeting at each moment, with member absent without reason."""
    for moment in moments:
        local = moment.astimezone(HCM)
        moved = "" if local.day == 3 else "Trùng lịch"
        meeting = meeting_actions.schedule_meeting(
            secretary, cell, kind=Kind.REGULAR, scheduled_at=moment, moved_reason=moved
        )
        meeting_actions.send_notice(secretary, meeting)
        meeting_actions.start_meeting(secretary, meeting, chair=chair, minute_taker=taker)
        meeting_actions.set_attendance(
            secretary, meeting, member, AttendanceStatus.ABSENT_UNEXCUSED
        )


def third_of(year, *months):
    return [datetime.datetime(year, m, 3, 19, 30, tzinfo=HCM) for m in months]


def snapshot():
    """Everything a member's path could change."""
    return (
        list(Member.objects.order_by("pk").values()),
        list(MembershipPeriod.objects.order_by("pk").values()),
        list(MembershipEnd.objects.order_by("pk").values()),
        list(RemovalProposal.objects.order_by("pk").values()),
        list(Training.objects.order_by("pk").values()),
        list(Badge.objects.order_by("pk").values()),
        list(CorrectionRequest.objects.order_by("pk").values()),
        list(Role.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values("pk", "is_active")),
        AuditEvent.objects.count(),
    )
