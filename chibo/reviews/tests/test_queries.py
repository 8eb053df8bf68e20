"""The reads: the distribution of levels reproduces hand-computed figures on a fixed data
set; rounds covering an organisation; a decider's sheet; a member's results."""

import datetime

import pytest

from chibo.reviews import queries
from chibo.reviews.models import (
    MemberReview,
    OrganisationReview,
    ReviewConfirmation,
    ReviewRound,
    Stage,
)
from tests.fixtures import make_member

D = datetime.date


def _round(org, year, closed=True):
    return ReviewRound.objects.create(
        organisation=org,
        year=year,
        pack_id="reviews-2025" if year >= 2025 else "reviews-2023",
        opened_on=D(year, 12, 1),
        self_review_until=D(year, 12, 10),
        proposals_until=D(year, 12, 20),
        decisions_until=D(year, 12, 31),
        closed_on=D(year + 1, 1, 15) if closed else None,
    )


def _members(review_round, decider, levels_by_member, stage=Stage.CONFIRMED):
    confirmation = ReviewConfirmation.objects.get_or_create(
        round=review_round, decider=decider, subject="member"
    )[0]
    for member, level in levels_by_member:
        MemberReview.objects.create(
            round=review_round,
            member=member,
            cell=member.cell,
            form="2C",
            stage=stage,
            level=level,
            confirmation=confirmation if stage == Stage.CONFIRMED else None,
        )


def _orgs(review_round, levels_by_org, stage=Stage.CONFIRMED):
    for org, level in levels_by_org:
        OrganisationReview.objects.create(
            round=review_round, organisation=org, form="01", stage=stage, level=level
        )


@pytest.fixture
def data(tree, members, system):
    """Cell A: 13 members in 2025 (2 excellent, 9 good, 1 completed, 1 not completed); Hoa
    of cell B decided but not confirmed; cells A good, B excellent, S completed; committee G
    good. In 2024: A's first ten members good, one excellent in S."""
    cell_a = [members["an"], members["duc"]] + [
        make_member(system, tree["A"], f"Hà Văn {i}") for i in range(11)
    ]
    levels = ["excellent"] * 2 + ["good"] * 9 + ["completed", "not_completed"]
    r2025 = _round(tree["X"], 2025)
    _members(r2025, tree["G"], list(zip(cell_a, levels, strict=True)))
    _members(r2025, tree["G"], [(members["hoa"], "good")], stage=Stage.DECIDED)
    _orgs(r2025, [(tree["A"], "good"), (tree["B"], "excellent"), (tree["S"], "completed")])
    _orgs(r2025, [(tree["G"], "good")])
    r2024 = _round(tree["X"], 2024)
    _members(r2024, tree["G"], [(m, "good") for m in cell_a[:10]])
    _members(r2024, tree["S"], [(members["lan"], "excellent")])
    return {"cell_a": cell_a, "r2025": r2025, "r2024": r2024}


def test_the_distribution_of_a_commune_for_two_years(data, tree):
    this, last = queries.distribution(tree["X"], [2025, 2024])
    assert this.members == {"excellent": 2, "good": 9, "completed": 1, "not_completed": 1}
    assert this.share("members", ("excellent", "good")) == (11, 13)  # 84.6%
    assert this.share("members", ("excellent",)) == (2, 13)  # 15.4%
    assert this.pending == {"members": 1, "organisations": 0}
    assert this.cells == {"excellent": 1, "good": 1, "completed": 1, "not_completed": 0}
    assert this.committees == {"excellent": 0, "good": 1, "completed": 0, "not_completed": 0}
    assert last.members == {"excellent": 1, "good": 10, "completed": 0, "not_completed": 0}
    assert last.share("members", ("excellent",)) == (1, 11)
    assert last.total(last.cells) == 0


def test_the_distribution_follows_the_subtree(data, tree):
    (grassroots,) = queries.distribution(tree["G"], [2025])
    assert grassroots.total(grassroots.members) == 13
    assert grassroots.cells == {"excellent": 1, "good": 1, "completed": 0, "not_completed": 0}
    assert grassroots.total(grassroots.committees) == 0  # G itself is reviewed from above
    (other,) = queries.distribution(tree["X2"], [2025])
    assert other.total(other.members) == 0


def test_rounds_covering_and_below(data, tree):
    assert [r.year for r in queries.covering_rounds(tree["A"])] == [2025, 2024]
    assert queries.round_for(tree["S"], 2025) == data["r2025"]
    assert queries.round_for(tree["T"], 2025) is None
    assert {r.year for r in queries.rounds_of(tree["P"])} == {2025, 2024}
    assert queries.years_with_rounds(tree["C"]) == [2025, 2024]
    assert queries.years_with_rounds(tree["X2"]) == []


def test_a_members_results_are_the_confirmed_ones(data, members):
    results = queries.member_results(members["an"])
    assert [(r.round.year, r.level) for r in results] == [(2025, "excellent"), (2024, "good")]
    assert queries.member_results(members["hoa"]) == []


def test_a_decider_sheet_counts_by_level_with_the_quota(data, tree, members):
    sheet = queries.decider_sheet(data["r2025"], tree["G"], "member")
    assert sheet.expected == 14 and sheet.decided == 14
    assert sheet.counts["excellent"] == 2 and sheet.counts["good"] == 10
    # 2 excellent of 12 good or better: 20% of 12 is 2.4, so 2 may be.
    assert (sheet.quota.allowed, sheet.quota.broken) == (2, False)
    assert sheet.confirmation is not None and not sheet.ready
    orgs = queries.decider_sheet(data["r2025"], tree["X"], "organisation")
    assert [row.organisation.code for row in orgs.rows] == ["G", "S"]
    deciders = queries.deciders_in(data["r2025"], tree["X"])
    assert [o.code for o in deciders["member"]] == ["G", "S"]
    assert [o.code for o in deciders["organisation"]] == ["X", "G"]


def test_a_cell_sheet_lists_every_reviewed_member(data, tree, members, system):
    make_member(system, tree["A"], "Cụ Ông Miễn", status="exempted")
    rows = queries.cell_sheet(data["r2025"], tree["A"])
    assert len(rows) == 13 and all(row.stage == Stage.CONFIRMED for row in rows)
    fresh = _round(tree["X2"], 2025, closed=False)
    rows = queries.cell_sheet(fresh, tree["T"])
    assert [(row.member, row.stage) for row in rows] == [(members["tung"], "none")]
    assert queries.stage_counts(rows)["none"] == 1
