"""The seeds' annual review: the demo's two rounds played through the actions, and the
province's rows written in bulk, asked again through the core's own rules and queries."""

import datetime
import random
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from chibo.accounts.models import User
from chibo.meetings.models import Kind, MeetingStatus, VoteKind
from chibo.orgs.models import Organisation
from chibo.oversight.models import DisciplineDecision, DisciplineForm
from chibo.reviews import actions, queries, seeding
from chibo.reviews.models import (
    MemberReview,
    OrganisationReview,
    ReviewConfirmation,
    ReviewRound,
    Stage,
    Subject,
)
from chibo.reviews.rules import Tasks, check_level
from chibo.seed.demo import DEMO_ACCOUNTS
from tests.fixtures import make_member
from tests.test_seed_history import demo  # noqa: F401 (the demo, seeded once for the module)

pytestmark = pytest.mark.django_db

PAST, CURRENT = seeding.review_years(timezone.localdate())
GOOD_OR_BETTER = ("excellent", "good")


def assert_every_decider_confirmed_within_the_quota(review_round):
    """Every grassroots organisation and committee of the round decided all it decides and
    confirmed it, the quota holding, the confirmation counting the levels as they are."""
    deciders = queries.deciders_in(review_round, review_round.organisation)
    for subject, orgs in deciders.items():
        for decider in orgs:
            sheet = queries.decider_sheet(review_round, decider, subject)
            assert sheet.decided == sheet.expected, (subject, decider.code)
            assert not sheet.quota.broken, (subject, decider.code, sheet.counts)
            assert sheet.confirmation is not None, (subject, decider.code)
            assert sheet.confirmation.counts == sheet.counts
            assert all(row.review.stage == Stage.CONFIRMED for row in sheet.rows)


def assert_levels_follow_the_rules(review_round):
    """Each level, and each self-assessed level, is one the points and tasks allow."""
    rules = actions.rules_of(review_round)
    for review in MemberReview.objects.filter(round=review_round).exclude(stage=Stage.DRAFT):
        self_tasks = Tasks.of(review) if review.stage == Stage.SUBMITTED else None
        if self_tasks is not None:
            check_level(rules, review.self_level, review.self_total, self_tasks)
        if review.level:
            check_level(rules, review.level, review.proposed_total, Tasks.of(review))
            assert review.level == review.proposed_level
    for review in OrganisationReview.objects.filter(round=review_round, stage=Stage.CONFIRMED):
        check_level(rules, review.level, review.self_total, Tasks.of(review))


def share(counts: Counter, levels) -> float:
    return sum(counts[k] for k in levels) / sum(counts.values())


# Shared pieces.


def test_the_years_and_the_dates_of_the_two_rounds():
    assert seeding.review_years(datetime.date(2026, 11, 25)) == (2025, 2026)
    assert seeding.review_years(datetime.date(2026, 3, 1)) == (2024, 2025)
    past = seeding.past_calendar(2025)
    assert (past.opened_on, past.closed_on) == (
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 15),
    )
    now = seeding.open_calendar(2026, datetime.date(2026, 11, 25))
    assert now.opened_on == datetime.date(2026, 11, 20) and now.closed_on is None
    assert now.opened_on < now.self_review_until < now.proposals_until < now.decisions_until


def test_plan_levels_keeps_the_quota_and_the_caps(tree):
    rules = actions.pack_for_year(tree["P"], 2025).review
    ranked = list(range(30))
    levels = seeding.plan_levels(rules, ranked, caps={0: "not_completed", 1: "good"}, completed=2)
    counts = Counter(levels.values())
    assert counts == {"excellent": 5, "good": 22, "completed": 2, "not_completed": 1}
    assert levels[0] == "not_completed" and levels[1] == "good"
    assert {levels[28], levels[29]} == {"completed"}
    assert [levels[k] for k in range(2, 7)] == ["excellent"] * 5
    # Four rated good or better allow no "excellent".
    assert (
        "excellent" not in seeding.plan_levels(rules, [1, 2, 3, 4], caps={}, completed=0).values()
    )


def test_the_form_fits_the_members_work(tree):
    rules = actions.pack_for_year(tree["P"], 2025).review
    assert seeding.form_for(rules, "Sĩ quan", "Chỉ huy trưởng") == "2A"
    assert seeding.form_for(rules, "Giáo viên", "Bí thư chi bộ") == "2B"
    assert seeding.form_for(rules, "Nông dân", "Trưởng thôn") == "2C"
    assert seeding.form_for(rules, "Hưu trí", "") == "2C"


# The province's bulk rows, on the shared tree.


@pytest.fixture
def crowd(tree, members, system):
    """Enough members for the quota to allow some "excellent": 30 in cell A, 12 in S, and
    Hoa disciplined last year."""
    for i in range(28):
        make_member(system, tree["A"], f"Hà Văn A{i}")
    for i in range(11):
        make_member(system, tree["S"], f"Giàng Mí S{i}")
    DisciplineDecision.objects.create(
        decided_by=tree["X"],
        subject_member=members["hoa"],
        form=DisciplineForm.REPRIMAND,
        number="1-QĐ/UBKT",
        decided_on=datetime.date(PAST, 6, 1),
        reason="Vi phạm quy định",
        pack_id="discipline-2025",
    )
    return tree


def test_the_province_rows_are_those_the_actions_leave(crowd, members):
    today = timezone.localdate()

    summary = seeding.seed_province_reviews(crowd["P"], today, random.Random(3))

    past = ReviewRound.objects.get(organisation=crowd["P"], year=PAST)
    assert past.closed_on is not None
    reviewed = queries.reviewed_members(past, crowd["P"])
    assert (
        summary["past_members"]
        == reviewed.count()
        == MemberReview.objects.filter(round=past).count()
    )
    assert_every_decider_confirmed_within_the_quota(past)
    assert_levels_follow_the_rules(past)
    # A's 30 and B's Hoa are decided by G, which may rate 5 of 26 or more "excellent".
    g_counts = ReviewConfirmation.objects.get(
        round=past, decider=crowd["G"], subject=Subject.MEMBER
    ).counts
    assert 3 <= g_counts["excellent"] <= 6
    # The disciplined did not complete; the collectives above them cannot be excellent.
    hoa = MemberReview.objects.get(round=past, member=members["hoa"])
    assert hoa.level == "not_completed" and hoa.record is None
    for code in ("B", "G", "X"):
        level = OrganisationReview.objects.get(round=past, organisation__code=code).level
        assert level != "excellent", code
    assert OrganisationReview.objects.filter(round=past).count() == (
        Organisation.objects.filter(path__startswith=crowd["P"].path).count() - 1
    )
    # This year's round is open, some self-reviews in, nothing proposed or decided.
    current = ReviewRound.objects.get(organisation=crowd["P"], year=CURRENT)
    assert current.is_open
    stages = Counter(MemberReview.objects.filter(round=current).values_list("stage", flat=True))
    assert 0 < stages[Stage.SUBMITTED] < reviewed.count()
    assert set(stages) <= {Stage.SUBMITTED, Stage.DRAFT}
    assert_levels_follow_the_rules(current)
    assert summary["current_submitted"] == stages[Stage.SUBMITTED]


def test_the_province_seeding_leaves_a_year_already_reviewed_alone(crowd):
    today = timezone.localdate()
    seeding.seed_province_reviews(crowd["P"], today, random.Random(3))
    counts = (MemberReview.objects.count(), ReviewConfirmation.objects.count())

    summary = seeding.seed_province_reviews(crowd["P"], today, random.Random(3))

    assert (MemberReview.objects.count(), ReviewConfirmation.objects.count()) == counts
    assert "past_members" not in summary and "current_submitted" not in summary


def test_the_same_seed_gives_the_same_levels(crowd):
    today = timezone.localdate()

    def levels():
        with transaction.atomic():
            seeding.seed_province_reviews(crowd["P"], today, random.Random(5))
            rows = MemberReview.objects.filter(round__year=PAST).values_list("member", "level")
            rows = dict(rows)
            transaction.set_rollback(True)
        return rows

    assert levels() == levels()


# The demo, last: once seeded for the module it stays until the module ends, and the
# tests above each build their own tree.


def test_the_demo_reviewed_last_year_to_the_end(demo):  # noqa: F811
    review_round = ReviewRound.objects.get(year=PAST)
    standing = next(a for a in DEMO_ACCOUNTS if a.role == "standing_member")
    assert review_round.organisation.code == standing.org_code
    assert review_round.closed_on is not None
    assert_every_decider_confirmed_within_the_quota(review_round)
    assert_levels_follow_the_rules(review_round)
    reviews = MemberReview.objects.filter(round=review_round)
    reviewed = queries.reviewed_members(review_round, review_round.organisation)
    assert reviews.count() == reviewed.count() > 100
    # Forms by the member's work; every part written; the record the cell judged on frozen.
    assert set(reviews.values_list("form", flat=True)) == {"2A", "2B", "2C"}
    for review in reviews.select_related("proposal_vote__meeting"):
        assert all(review.sections.values()) and review.record["year"] == PAST
        vote = review.proposal_vote
        assert vote.kind == VoteKind.REVIEW and vote.passed
        meeting = vote.meeting
        assert meeting == review.proposal_meeting and meeting.organisation_id == review.cell_id
        assert meeting.kind == Kind.EXTRAORDINARY and meeting.status == MeetingStatus.CLOSED
        assert timezone.localtime(meeting.scheduled_at).month == 12
        assert review.submitted_at < review.proposed_at < review.decided_at
    # Over 92% well completed or better, some 17-18% excellent; a few completed, one not.
    counts = Counter(reviews.values_list("level", flat=True))
    assert 0.9 <= share(counts, GOOD_OR_BETTER) <= 0.97, counts
    assert 0.14 <= share(counts, ("excellent",)) <= 0.2, counts
    assert counts["completed"] >= 3 and counts["not_completed"] >= 1
    # The cells' reports were submitted with their figures frozen, and decided above.
    cells = OrganisationReview.objects.filter(round=review_round)
    assert cells.count() == review_round.organisation.numchild
    assert not cells.filter(report__isnull=True).exists()
    assert all(r.report["is_cell"] and len(r.report["months"]) == 12 for r in cells)
    levels = Counter(cells.values_list("level", flat=True))
    assert levels["excellent"] == 1 and share(levels, GOOD_OR_BETTER) == 1


def test_this_years_round_is_open_and_the_demo_member_has_yet_to_write(demo):  # noqa: F811
    review_round = ReviewRound.objects.get(year=CURRENT)
    assert review_round.is_open and review_round.opened_on <= timezone.localdate()
    account = next(a for a in DEMO_ACCOUNTS if a.role == "member")
    member = User.objects.get(username=account.username).member
    assert queries.open_reviews_of(member) == [(review_round, None)]
    stages = Counter(
        MemberReview.objects.filter(round=review_round).values_list("stage", flat=True)
    )
    assert stages[Stage.SUBMITTED] > 20 and stages[Stage.DRAFT] > 0
    assert stages[Stage.PROPOSED] > 0 and not set(stages) - {"draft", "submitted", "proposed"}
    for review in MemberReview.objects.filter(round=review_round, stage=Stage.PROPOSED):
        assert review.proposal_meeting.status == MeetingStatus.IN_PROGRESS
        assert review.proposal_vote.passed and review.record["year"] == CURRENT
        assert review.submitted_at < review.proposed_at <= timezone.now()
    assert_levels_follow_the_rules(review_round)
    assert not ReviewConfirmation.objects.filter(round=review_round).exists()
