"""Temporary members in meetings: invited where they take part, not at home; counted in
neither cell's membership, attendance rate, quorum or votes where they are guests, and left
out of the home cell's vote denominator while away."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from chibo.meetings import actions as meetings
from chibo.meetings import minutes, scoring
from chibo.meetings.models import Attendance, Kind
from chibo.transfers import actions
from chibo.transfers.rules import add_months

DAY = datetime.timedelta(days=1)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day):
    return datetime.datetime(day.year, day.month, day.day, 8, 0, tzinfo=HCM)


@pytest.fixture
def stay(system, members, tree, today):
    """Đức (official, cell A) takes part in cell B for six months from five days ago."""
    transfer = actions.issue_transfer(
        system,
        members["duc"],
        kind="temporary",
        reason="job",
        event_on=today - 5 * DAY,
        letter_number="9-GGT",
        letter_date=today - 6 * DAY,
        to_org=tree["B"],
        ends_on=add_months(today - 5 * DAY, 6),
    )
    actions.accept_transfer(system, transfer, today - 5 * DAY)
    return transfer


def meeting_of(system, cell, today):
    return meetings.schedule_meeting(
        system, cell, kind=Kind.EXTRAORDINARY, scheduled_at=at(today + 10 * DAY)
    )


def invited(meeting):
    return {r.member.full_name: r.temporary for r in meeting.attendance.select_related("member")}


def test_the_member_away_is_invited_only_where_they_take_part(system, members, tree, stay, today):
    home, there = meeting_of(system, tree["A"], today), meeting_of(system, tree["B"], today)
    meetings.send_notice(system, home)
    meetings.send_notice(system, there)
    assert invited(home) == {"Nguyễn Văn An": False}
    assert invited(there) == {"Trần Thị Hoa": False, "Đỗ Minh Đức": True}


def test_the_home_cell_leaves_the_member_away_out_of_its_vote(system, members, tree, stay, today):
    home = meeting_of(system, tree["A"], today)
    meetings.send_notice(system, home)
    meetings.start_meeting(system, home, chair=members["an"], minute_taker=members["an"])
    register = meetings.vote_register(home)
    assert register["temporarily_away"] == 1
    assert register["eligible"] == 1  # An alone: Đức is away (QĐ 294, pack's rule)
    meetings.check_in(system, home, members["an"])
    vote = meetings.record_vote(system, home, subject="NQ", agree=1, disagree=0, abstain=0)
    assert vote.passed and vote.eligible == 1


def test_a_temporary_member_takes_part_but_is_not_counted(system, members, tree, stay, today):
    there = meeting_of(system, tree["B"], today)
    meetings.send_notice(system, there)
    meetings.start_meeting(system, there, chair=members["hoa"], minute_taker=members["hoa"])
    meetings.check_in(system, there, members["hoa"])
    meetings.check_in(system, there, members["duc"])
    meetings.post_opinion(system, there, "Ý kiến của đồng chí Đức", member=members["duc"])
    register = meetings.vote_register(there)
    assert (register["present"], register["expected"], register["eligible"]) == (1, 1, 1)
    assert register["temporary_present"] == 1
    # Two hands in the room, one vote that counts.
    with pytest.raises(ValidationError):
        meetings.record_vote(system, there, subject="NQ", agree=2, disagree=0, abstain=0)
    with pytest.raises(ValidationError):
        meetings.record_vote(
            system,
            there,
            subject="NQ",
            ballots={members["hoa"].pk: "agree", members["duc"].pk: "agree"},
        )
    vote = meetings.record_vote(system, there, subject="NQ", ballots={members["hoa"].pk: "agree"})
    assert vote.passed and vote.summary.startswith("1/1")
    there.refresh_from_db()
    evidence = scoring.gather_evidence(there)
    assert (evidence.present, evidence.expected, evidence.speakers) == (1, 1, 0)
    attendance = minutes.minutes_content(there)["attendance"]
    assert attendance["total"] == 1 and attendance["temporary"] == ["Đỗ Minh Đức"]


def test_accepting_and_ending_a_stay_update_the_planned_meetings(system, members, tree, today):
    home, there = meeting_of(system, tree["A"], today), meeting_of(system, tree["B"], today)
    meetings.send_notice(system, home)
    meetings.send_notice(system, there)
    transfer = actions.issue_transfer(
        system,
        members["duc"],
        kind="temporary",
        reason="training",
        event_on=today - 2 * DAY,
        letter_number="9-GGT",
        letter_date=today - 2 * DAY,
        to_org=tree["B"],
        ends_on=add_months(today, 5),
    )
    assert "Đỗ Minh Đức" in invited(home)  # in transit: still at home
    actions.accept_transfer(system, transfer, today)
    assert "Đỗ Minh Đức" not in invited(home)
    assert invited(there)["Đỗ Minh Đức"] is True
    actions.end_temporary(system, transfer, today)
    assert invited(home)["Đỗ Minh Đức"] is False
    assert "Đỗ Minh Đức" not in invited(there)


def test_an_official_move_changes_the_invitations_of_planned_meetings(system, members, tree, today):
    home, there = meeting_of(system, tree["A"], today), meeting_of(system, tree["B"], today)
    meetings.send_notice(system, home)
    meetings.send_notice(system, there)
    transfer = actions.issue_transfer(
        system,
        members["duc"],
        kind="official",
        reason="job",
        event_on=today - 2 * DAY,
        letter_number="9-GGT",
        letter_date=today - 2 * DAY,
        to_org=tree["B"],
    )
    actions.accept_transfer(system, transfer, today)
    assert "Đỗ Minh Đức" not in invited(home)
    assert invited(there)["Đỗ Minh Đức"] is False
    assert not Attendance.objects.filter(meeting=home, member=members["duc"]).exists()
