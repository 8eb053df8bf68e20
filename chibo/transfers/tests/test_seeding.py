"""The seeds' transfers and residence contact, run on the fixture tree: through the actions
for the demo, in bulk for the province, and the same shape either way."""

import datetime

import pytest

from chibo.meetings import actions as meetings
from chibo.meetings.models import Attendance, Kind
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.regulations.loader import pack_in_force
from chibo.transfers import rules
from chibo.transfers.models import (
    Kind as TransferKind,
)
from chibo.transfers.models import (
    ResidenceComment,
    ResidenceRegistration,
    Transfer,
    TransferStatus,
)
from chibo.transfers.seeding import seed_demo_transfers, seed_province_transfers
from chibo.transfers.tests.test_meetings import at
from tests.fixtures import make_member

DAY = datetime.timedelta(days=1)


@pytest.fixture
def bigger(system, tree, members):
    """A few more plain members in every cell, so that each story finds someone."""
    for code in ("A", "B", "S", "T"):
        for i in range(4):
            make_member(
                system, tree[code], f"Phạm Văn {code}{i}", admitted_on=datetime.date(2005, 1, 2)
            )
    return tree


def assert_one_home_cell_each():
    for member in Member.objects.all():
        open_periods = list(MembershipPeriod.objects.filter(member=member, ended_on__isnull=True))
        if member.status == Status.TRANSFERRED_OUT:
            assert open_periods == []
        else:
            assert [p.organisation_id for p in open_periods] == [member.cell_id], member


def test_the_demo_plays_every_story_through_the_actions(system, bigger, today):
    counts = seed_demo_transfers(system, today)
    assert counts["transfers"] == 9
    statuses = set(Transfer.objects.values_list("status", flat=True))
    assert statuses == set(TransferStatus.values)
    overdue = [t for t in Transfer.objects.all() if t.letter_expired(today)]
    assert overdue and overdue[0].is_late(today)
    assert Member.objects.filter(status=Status.TRANSFERRED_OUT).count() == 1
    assert counts["registrations"] == ResidenceRegistration.objects.count() > 0
    assert_one_home_cell_each()


def test_the_demo_runs_on_a_tree_with_few_members(system, tree, members, today):
    seed_demo_transfers(system, today)
    assert_one_home_cell_each()


def test_the_province_writes_what_the_actions_would(system, bigger, today):
    # A planned meeting whose invitations the temporary stays change.
    for code in ("A", "B", "S", "T"):
        meeting = meetings.schedule_meeting(
            system, bigger[code], kind=Kind.EXTRAORDINARY, scheduled_at=at(today + 5 * DAY)
        )
        meetings.send_notice(system, meeting)
    counts = seed_province_transfers(bigger["P"], today, seed=3)
    for story in ("in_transit", "temporary", "moved_before", "transferred_out", "comments"):
        assert counts[story] >= 1, story
    assert Transfer.objects.count() == sum(
        counts[k] for k in ("in_transit", "temporary", "moved_before", "transferred_out")
    )
    pack = pack_in_force(today, bigger["P"], subject="membership")
    for t in Transfer.objects.filter(status=TransferStatus.IN_TRANSIT):
        assert t.present_by == rules.present_by(pack, t.letter_date)
        assert t.due_on == rules.official_due(pack, t.event_on)
    for t in Transfer.objects.filter(status=TransferStatus.COMPLETED, to_org__isnull=False):
        periods = list(t.member.periods.order_by("started_on"))
        assert [(p.organisation_id, p.ended_on) for p in periods] == [
            (t.from_org_id, t.accepted_on),
            (t.to_org_id, None),
        ]
        assert t.letter_number in periods[1].reason
    for t in Transfer.objects.filter(kind=TransferKind.TEMPORARY, status=TransferStatus.ACTIVE):
        rows = Attendance.objects.filter(member=t.member)
        assert not rows.filter(meeting__organisation=t.from_org).exists()
        assert rows.filter(meeting__organisation=t.to_org, temporary=True).exists()
    for comment in ResidenceComment.objects.select_related("registration"):
        assert comment.registration.covers_year(comment.year)
    assert_one_home_cell_each()
