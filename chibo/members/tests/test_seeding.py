"""The seeding of a member's path on the test tree: the demo through the actions, the
province in bulk with the rows the actions would write."""

import datetime
import random

from chibo.accounts.models import User
from chibo.members import actions, queries, seeding
from chibo.members.models import (
    Badge,
    CorrectionRequest,
    Member,
    MembershipEnd,
    MembershipPeriod,
    RemovalProposal,
    Status,
    TheoryLevel,
    Training,
    TrainingKind,
)
from chibo.members.tests.conftest import absent_at, third_of
from tests.fixtures import make_member

D = datetime.date
TODAY = D(2026, 11, 24)


def _older_members(system, tree):
    """Members the seeds work on: old and exempted, and a leader with a theory level."""
    make_member(
        system,
        tree["S"],
        "Cụ Ông Lão Thành",
        date_of_birth=D(1935, 3, 1),
        admitted_on=D(1960, 2, 3),
        official_on=D(1961, 2, 3),
        status="exempted",
    )
    make_member(
        system,
        tree["A"],
        "Bí Thư Chi Bộ",
        date_of_birth=D(1970, 3, 1),
        admitted_on=D(1995, 9, 2),
        official_on=D(1996, 9, 2),
        position="Bí thư chi bộ",
        theory_level=TheoryLevel.INTERMEDIATE,
    )


def test_due_badges_follow_the_award_days():
    assert list(seeding.due_badges(D(1996, 5, 19), TODAY)) == [(30, D(2026, 5, 19))]
    assert list(seeding.due_badges(D(1996, 5, 20), TODAY)) == [(30, D(2026, 9, 2))]
    assert list(seeding.due_badges(D(1996, 11, 8), TODAY)) == []  # due 3/2/2027
    assert [y for y, _ in seeding.due_badges(D(1960, 2, 3), TODAY)] == [30, 40, 45, 50, 55, 60, 65]


def _absences(system, users, members, tree, months):
    """Duc misses the regular meetings of those months without reason."""
    taker = make_member(system, tree["A"], "Hà Văn Ghi")
    absent_at(
        users["secretary_A"],
        tree["A"],
        members["duc"],
        third_of(2026, *months),
        members["an"],
        taker,
    )


def test_the_demo_part_goes_through_the_actions(system, tree, members, users):
    _older_members(system, tree)
    _absences(system, users, members, tree, (2, 4, 6))
    counts = seeding.demo_lifecycle(system, random.Random(1), TODAY)
    assert counts["trainings"] >= 2  # the secretary's course, Lan's course as a new member
    assert counts["corrections"] == 1 and counts["proposals"] == 1 and counts["endings"] == 1
    assert CorrectionRequest.objects.get().member == users["member_A"].member
    proposal = RemovalProposal.objects.get()
    assert (proposal.member, proposal.ground, proposal.outcome) == (
        members["duc"],
        "absent",
        "pending",
    )
    assert proposal.evidence["absent_months"] == ["2026-02-01", "2026-04-01", "2026-06-01"]
    dead = MembershipEnd.objects.get()
    assert dead.kind == Status.DECEASED and dead.member.full_name == "Cụ Ông Lão Thành"
    assert not MembershipPeriod.objects.filter(member=dead.member, ended_on__isnull=True).exists()
    leader = Member.objects.get(full_name="Bí Thư Chi Bộ")
    assert leader.trainings.get().theory_level == TheoryLevel.INTERMEDIATE


def test_without_a_ground_in_the_records_the_cell_proposes_on_its_judgement(
    system, tree, members, users
):
    _absences(system, users, members, tree, (2,))
    seeding.demo_lifecycle(system, random.Random(1), TODAY)
    proposal = RemovalProposal.objects.get()
    assert (proposal.member, proposal.ground) == (members["duc"], "no_will")
    assert proposal.evidence["absent_months"] == ["2026-02-01"] and proposal.note


def test_the_province_part_writes_what_the_actions_would(system, tree, members, users):
    _older_members(system, tree)
    counts = seeding.province_lifecycle(random.Random(1), TODAY)
    assert counts["trainings"] == Member.objects.exclude(theory_level="none").count()
    # Each badge row is one the action accepts: deleted and awarded again, it is the same.
    badges = list(
        Badge.objects.order_by("id").values("member_id", "years", "awarded_on", "decision_number")
    )
    assert badges and counts["badges"] == len(badges)
    Badge.objects.all().delete()
    for row in badges:
        member = Member.objects.get(pk=row["member_id"])
        actions.award_badge(system, member, row["years"], row["awarded_on"], row["decision_number"])
    for training in Training.objects.all():
        assert training.kind == TrainingKind.POLITICAL_THEORY
        assert training.finished_on <= TODAY
        assert training.theory_level == training.member.theory_level
    for ending in MembershipEnd.objects.select_related("member"):
        assert ending.member.status == ending.kind
        assert ending.kind == Status.DECEASED or ending.decision_number
        assert not ending.member.periods.filter(ended_on__isnull=True).exists()
        assert ending.member.periods.get(ended_on=ending.effective_on)
    # Nobody with a log-in loses it behind the policy's back.
    assert all(u.is_active for u in User.objects.filter(member__isnull=False))
    assert counts["endings"] == MembershipEnd.objects.count() >= 1


def test_the_badge_list_is_empty_after_the_province_seed_up_to_today(system, tree, members):
    _older_members(system, tree)
    seeding.province_lifecycle(random.Random(1), TODAY)
    listing = queries.badge_candidates(tree["X"], D(2026, 11, 7))
    assert listing.overdue == []
