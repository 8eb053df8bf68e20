"""The review's writes: who may do each, what each refuses, and what stays as it was when a
write is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chibo.audit.models import AuditEvent
from chibo.conflicts import StaleVersion
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Vote, VoteKind
from chibo.oversight.inspection import decide_discipline
from chibo.reviews import actions
from chibo.reviews.models import MemberReview, OrganisationReview, ReviewRound, Stage
from chibo.reviews.rules import Tasks
from chibo.reviews.tests.conftest import (
    ALL_DONE,
    ON_TIME,
    SECTIONS_01,
    SECTIONS_2C,
    member_points,
    org_points,
    submit_self,
)
from tests.fixtures import make_member

D = datetime.date
DATES = {
    "self_review_until": D(2025, 12, 10),
    "proposals_until": D(2025, 12, 20),
    "decisions_until": D(2025, 12, 31),
}


def _propose(actor, review, meeting, total=92, level="good", agree=2, tasks=ALL_DONE):
    return actions.propose_member_level(
        actor,
        review,
        meeting,
        points=member_points(total),
        tasks=tasks,
        level=level,
        comment="Gương mẫu, nhiệt tình.",
        agree=agree,
        disagree=0,
        abstain=0,
    )


@pytest.fixture(autouse=True)
def english():
    """The actions' messages are read in English here (the pages' tests read Vietnamese)."""
    with translation.override("en"):
        yield


# Opening a round.


def test_a_round_takes_the_pack_of_its_year(review_round, tree, users):
    assert review_round.pack_id == "reviews-2025" and review_round.opened_on == D(2025, 12, 1)
    older = actions.open_round(
        users["standing_X"], tree["X"], year=2024, **DATES, today=D(2025, 12, 1)
    )
    assert older.pack_id == "reviews-2023"
    assert AuditEvent.objects.filter(action="review.open").count() == 2


def test_who_may_open_a_round(tree, users, clock):
    for name in ("secretary_A", "inspection_X", "member_A", "stranger"):
        with pytest.raises(PermissionDenied):
            actions.open_round(users[name], tree["X"], year=2025, **DATES, today=D(2025, 12, 1))
    assert actions.open_round(users["staff_X"], tree["X"], year=2025, **DATES, today=D(2025, 12, 1))


def test_one_round_a_year_covers_an_organisation(review_round, tree, users, system):
    with translation.override("en"):
        for org in (tree["G"], tree["P"], tree["S"]):
            with pytest.raises(ValidationError) as exc:
                actions.open_round(system, org, year=2025, **DATES, today=D(2025, 12, 1))
            assert exc.value.message_dict["year"] == [
                "The review of 2025 is already open for Đảng ủy xã Đồng Văn."
            ]
    # Another commune, or another year, is free.
    actions.open_round(system, tree["X2"], year=2025, **DATES, today=D(2025, 12, 1))
    actions.open_round(system, tree["G"], year=2024, **DATES, today=D(2025, 12, 1))


def test_a_round_refuses_bad_years_dates_and_subordinate_cells(tree, system, clock):
    with pytest.raises(ValidationError) as exc:
        actions.open_round(
            system,
            tree["A"],
            year=2026,
            self_review_until=D(2025, 11, 30),
            proposals_until=D(2025, 12, 20),
            decisions_until=D(2025, 12, 31),
            today=D(2025, 12, 1),
        )
    assert set(exc.value.message_dict) == {"organisation", "year", "self_review_until"}
    with pytest.raises(ValidationError) as exc:
        actions.open_round(
            system,
            tree["X"],
            year=2025,
            self_review_until=D(2025, 12, 10),
            proposals_until=D(2025, 12, 31),
            decisions_until=D(2025, 12, 20),
            today=D(2025, 12, 1),
        )
    assert list(exc.value.message_dict) == ["decisions_until"]
    assert not ReviewRound.objects.exists()


# The self-review.


def test_a_member_writes_their_own_self_review_in_steps(review_round, members, users):
    duc = members["duc"]
    draft = actions.save_self_review(
        users["member_A"], review_round, duc, form="2B", points={"politics": "9,5"}
    )
    assert draft.stage == Stage.DRAFT and draft.self_points == {"politics": "9.5"}
    assert draft.self_total is None and draft.cell == duc.cell
    review = actions.save_self_review(
        users["member_A"],
        review_round,
        duc,
        form="2B",
        sections=SECTIONS_2C | {"politics_ethics": "Vững vàng."},
        points=member_points(85),
        tasks=ON_TIME,
        self_level="good",
        submit=True,
        version=draft.version,
    )
    assert review.stage == Stage.SUBMITTED and review.self_total == 85
    assert review.submitted_by == users["member_A"] and review.submitted_at is not None
    event = AuditEvent.objects.filter(action="review.submit").get()
    assert event.changes["by_member"] is True


def test_a_leader_enters_a_self_review_for_a_member_others_may_not(review_round, members, users):
    an = members["an"]
    for name in ("member_A", "committee_A", "inspection_X", "stranger"):
        with pytest.raises(PermissionDenied):
            actions.save_self_review(users[name], review_round, an, form="2C")
    review = submit_self(users["secretary_A"], review_round, an)
    assert review.stage == Stage.SUBMITTED
    assert AuditEvent.objects.get(action="review.submit").changes["by_member"] is False


def test_a_submission_needs_every_part_and_a_refusal_saves_nothing(review_round, members, system):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        actions.save_self_review(
            system,
            review_round,
            members["an"],
            form="2C",
            sections={**SECTIONS_2C, "shortcomings": "  "},
            points=member_points(95),
            tasks=ALL_DONE,
            self_level="excellent",
            submit=True,
        )
    assert exc.value.message_dict == {
        "sections.shortcomings": ["Write something for “Shortcomings and their causes”."]
    }
    assert not MemberReview.objects.exists()


def test_a_self_level_above_what_the_figures_allow_is_refused(review_round, members, system):
    with pytest.raises(ValidationError) as exc:
        submit_self(system, review_round, members["an"], total=89, level="excellent")
    assert "self_level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        submit_self(system, review_round, members["an"], total=95, tasks=Tasks(100, 90, 40))
    assert "self_level" in exc.value.message_dict


def test_a_self_review_checks_the_form_and_the_member(review_round, members, tree, system):
    with pytest.raises(ValidationError) as exc:
        actions.save_self_review(system, review_round, members["an"], form="01")
    assert "form" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_self_review(system, review_round, members["tung"], form="2C")
    assert "member" in exc.value.message_dict  # cell T is under commune X2
    exempted = make_member(system, tree["A"], "Cụ Ông Miễn", status="exempted")
    with pytest.raises(ValidationError) as exc:
        actions.save_self_review(system, review_round, exempted, form="2C")
    assert "member" in exc.value.message_dict


def test_a_stale_self_review_is_refused(review_round, members, system):
    first = actions.save_self_review(system, review_round, members["an"], form="2C")
    actions.save_self_review(system, review_round, members["an"], form="2B", version=first.version)
    with pytest.raises(StaleVersion):
        actions.save_self_review(
            system, review_round, members["an"], form="2A", version=first.version
        )


# The cell's proposal.


def test_the_cell_votes_its_proposal_in_a_meeting(review_round, meeting_a, members, users):
    review = submit_self(users["secretary_A"], review_round, members["an"])
    review, vote = _propose(users["secretary_A"], review, meeting_a)
    assert vote.passed and vote.kind == VoteKind.REVIEW and vote.meeting == meeting_a
    assert review.stage == Stage.PROPOSED and review.proposed_level == "good"
    assert review.proposed_total == 92 and review.proposal_vote == vote
    assert review.record["year"] == 2025 and "meetings" in review.record
    # The self-review is the cell's basis now and no longer changes.
    with pytest.raises(ValidationError):
        submit_self(users["secretary_A"], review_round, members["an"])


def test_a_proposal_that_fails_stays_in_the_minutes_only(review_round, meeting_a, members, users):
    review = submit_self(users["secretary_A"], review_round, members["an"])
    review, vote = _propose(users["secretary_A"], review, meeting_a, agree=1)
    assert not vote.passed and Vote.objects.filter(pk=vote.pk).exists()
    assert review.stage == Stage.SUBMITTED and review.proposed_level == ""
    # The cell votes again, and it passes.
    review, vote = _propose(users["secretary_A"], review, meeting_a, level="completed")
    assert vote.passed and review.proposed_level == "completed"


def test_what_a_proposal_refuses(review_round, meeting_a, members, users, system, tree):
    an = members["an"]
    with pytest.raises(ValidationError, match="not submitted"):
        _propose(system, actions.save_self_review(system, review_round, an, form="2C"), meeting_a)
    review = submit_self(system, review_round, an)
    with pytest.raises(PermissionDenied):
        _propose(users["member_A"], review, meeting_a)
    with pytest.raises(ValidationError) as exc:
        _propose(system, review, meeting_a, total=89, level="excellent")
    assert "level" in exc.value.message_dict
    hoa = submit_self(system, review_round, members["hoa"])
    with pytest.raises(ValidationError) as exc:
        _propose(system, hoa, meeting_a)
    assert "meeting" in exc.value.message_dict  # Hoa belongs to cell B
    planned = meeting_actions.schedule_meeting(
        system,
        tree["A"],
        kind="extraordinary",
        scheduled_at=datetime.datetime(2025, 12, 28, 8, 0, tzinfo=datetime.UTC),
        topic="Kiểm điểm cuối năm",
    )
    with pytest.raises(ValidationError) as exc:
        _propose(system, review, planned)
    assert "meeting" in exc.value.message_dict
    assert not Vote.objects.filter(kind=VoteKind.REVIEW).exists()


# Decisions and confirmation.


@pytest.fixture
def proposed(review_round, meeting_a, members, users, system):
    """An (excellent) and Đức (good) proposed by cell A; Hoa of cell B proposed in B."""
    an = _propose(
        system, submit_self(system, review_round, members["an"]), meeting_a, 95, "excellent"
    )[0]
    duc = _propose(system, submit_self(system, review_round, members["duc"]), meeting_a, 80)[0]
    return {"an": an, "duc": duc}


def test_the_grassroots_committee_decides_a_members_level(proposed, users):
    an = proposed["an"]
    for name in ("secretary_A", "deputy_A", "staff_X", "inspection_X", "member_A"):
        with pytest.raises(PermissionDenied):
            actions.decide(users[name], an, level="good")
    decided = actions.decide(users["standing_X"], an, level="good", note="Đủ điều kiện")
    assert decided.stage == Stage.DECIDED and decided.level == "good"
    assert decided.decided_by == users["standing_X"]
    # The decision may still change before confirmation, within the conditions.
    with pytest.raises(ValidationError):
        actions.decide(users["standing_X"], proposed["duc"], level="excellent")
    actions.decide(users["standing_X"], an, level="excellent", version=decided.version)


def test_no_decision_before_the_cells_proposal(review_round, members, system):
    review = submit_self(system, review_round, members["an"])
    with pytest.raises(ValidationError, match="not proposed"):
        actions.decide(system, review, level="good")


def test_a_member_disciplined_in_the_year_did_not_complete(proposed, tree, users, system, clock):
    decide_discipline(
        system,
        tree["G"],
        subject=proposed["duc"].member,
        form="reprimand",
        number="12-QĐ/ĐU",
        decided_on=D(2025, 12, 2),
        reason="Vi phạm quy định",
    )
    with pytest.raises(ValidationError) as exc:
        actions.decide(users["standing_X"], proposed["duc"], level="completed")
    assert "level" in exc.value.message_dict
    assert actions.decide(users["standing_X"], proposed["duc"], level="not_completed").level


def _decide_all_of_g(proposed, members, review_round, system, meeting_b):
    hoa = submit_self(system, review_round, members["hoa"])
    hoa = _propose(system, hoa, meeting_b, 75, agree=1)[0]
    actions.decide(system, proposed["an"], level="excellent")
    actions.decide(system, proposed["duc"], level="good")
    return actions.decide(system, hoa, level="good")


@pytest.fixture
def meeting_b(clock, tree, system):
    meeting = meeting_actions.schedule_meeting(
        system,
        tree["B"],
        kind="regular",
        scheduled_at=datetime.datetime(2025, 12, 3, 14, 0, tzinfo=datetime.UTC),
    )
    meeting_actions.send_notice(system, meeting)
    chair = meeting.attendance.first().member
    meeting_actions.start_meeting(system, meeting, chair=chair, minute_taker=chair)
    for row in meeting.attendance.select_related("member"):
        meeting_actions.check_in(system, meeting, row.member)
    return meeting


def test_confirmation_needs_every_level_decided_and_the_quota(
    proposed, members, review_round, tree, users, system, meeting_b
):
    actions.decide(system, proposed["an"], level="excellent")
    with pytest.raises(ValidationError, match="1 of 3 levels are decided"):
        actions.confirm(users["standing_X"], review_round, tree["G"], "member")
    _decide_all_of_g(proposed, members, review_round, system, meeting_b)
    # 1 excellent out of 3 good or better: 20% of 3 is 0.6, rounded down to 0.
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        actions.confirm(users["standing_X"], review_round, tree["G"], "member")
    assert exc.value.message_dict["quota"] == [
        "1 rated “Excellently completed tasks” out of 3 rated “Well completed tasks” or "
        "better: at most 0 may be (20%, rounded down)."
    ]
    assert not MemberReview.objects.filter(stage=Stage.CONFIRMED).exists()
    actions.decide(system, MemberReview.objects.get(member=members["an"]), level="good")
    with pytest.raises(PermissionDenied):
        actions.confirm(users["secretary_A"], review_round, tree["G"], "member")
    confirmation = actions.confirm(users["standing_X"], review_round, tree["G"], "member")
    assert confirmation.counts == {"excellent": 0, "good": 3, "completed": 0, "not_completed": 0}
    assert set(MemberReview.objects.values_list("stage", flat=True)) == {Stage.CONFIRMED}
    with pytest.raises(ValidationError, match="confirmed"):
        actions.decide(system, MemberReview.objects.get(member=members["an"]), level="completed")
    with pytest.raises(ValidationError, match="already confirmed"):
        actions.confirm(users["standing_X"], review_round, tree["G"], "member")


def test_members_are_confirmed_by_their_grassroots_organisation_only(review_round, tree, system):
    for org in (tree["A"], tree["X"], tree["T"]):
        with pytest.raises(ValidationError) as exc:
            actions.confirm(system, review_round, org, "member")
        assert "decider" in exc.value.message_dict


# Organisations.


def _report(actor, review_round, org, total=92, level="good", submit=True, tasks=ALL_DONE):
    return actions.save_report(
        actor,
        review_round,
        org,
        sections=SECTIONS_01,
        points=org_points(total),
        tasks=tasks,
        self_level=level,
        submit=submit,
    )


def test_a_cell_writes_its_report_and_the_committee_above_decides(review_round, tree, users):
    draft = _report(users["secretary_A"], review_round, tree["A"], submit=False)
    assert draft.stage == Stage.DRAFT and draft.report is None
    report = _report(users["secretary_A"], review_round, tree["A"])
    assert report.stage == Stage.SUBMITTED and report.report["year"] == 2025
    assert report.report["is_cell"] and len(report.report["months"]) == 12
    with pytest.raises(PermissionDenied):
        actions.decide(users["secretary_A"], report, level="good")
    decided = actions.decide(users["standing_X"], report, level="good")
    assert decided.level == "good"
    with pytest.raises(ValidationError):
        _report(users["secretary_A"], review_round, tree["A"])


def test_who_writes_which_report(review_round, tree, users):
    with pytest.raises(PermissionDenied):
        _report(users["secretary_A"], review_round, tree["B"])
    with pytest.raises(PermissionDenied):
        _report(users["committee_A"], review_round, tree["A"])
    with pytest.raises(ValidationError) as exc:
        _report(users["standing_X"], review_round, tree["X"])  # X is reviewed from above
    assert "organisation" in exc.value.message_dict
    assert _report(users["standing_X"], review_round, tree["G"]).stage == Stage.SUBMITTED


def test_a_collective_with_a_disciplined_member_cannot_be_excellent(
    review_round, tree, members, system
):
    decide_discipline(
        system,
        tree["G"],
        subject=members["duc"],
        form="reprimand",
        number="7-QĐ/ĐU",
        decided_on=D(2025, 6, 2),
        reason="Vi phạm",
    )
    with pytest.raises(ValidationError) as exc:
        _report(system, review_round, tree["A"], total=96, level="excellent")
    assert "self_level" in exc.value.message_dict
    report = _report(system, review_round, tree["A"], total=96, level="good")
    assert report.report["disciplined_members"] == 1
    with pytest.raises(ValidationError):
        actions.decide(system, report, level="excellent")
    # The commune above cell A's committee: G's subtree holds the member, so G neither.
    with pytest.raises(ValidationError):
        _report(system, review_round, tree["G"], total=96, level="excellent")
    # Cell B and grassroots cell S are clear.
    assert _report(system, review_round, tree["S"], total=96, level="excellent").self_level


def test_organisations_are_confirmed_by_the_committee_above(review_round, tree, users, system):
    for code, level in (("G", "excellent"), ("S", "good")):
        actions.decide(system, _report(system, review_round, tree[code], total=95), level=level)
    with pytest.raises(ValidationError, match="quota"):
        actions.confirm(users["standing_X"], review_round, tree["X"], "organisation")
    actions.decide(system, OrganisationReview.objects.get(organisation=tree["G"]), level="good")
    confirmation = actions.confirm(users["standing_X"], review_round, tree["X"], "organisation")
    assert confirmation.counts["good"] == 2
    with pytest.raises(ValidationError) as exc:
        actions.confirm(system, review_round, tree["S"], "organisation")
    assert "decider" in exc.value.message_dict


# A closed round, an older pack.


def test_nothing_changes_after_the_round_is_closed(proposed, review_round, tree, users, system):
    review_round = actions.close_round(users["standing_X"], review_round)
    with translation.override("en"):
        for write in (
            lambda: submit_self(system, review_round, proposed["duc"].member),
            lambda: actions.decide(system, proposed["an"], level="good"),
            lambda: _report(system, review_round, tree["A"]),
            lambda: actions.confirm(system, review_round, tree["G"], "member"),
            lambda: actions.close_round(system, review_round),
            lambda: actions.change_dates(system, review_round, **DATES),
        ):
            with pytest.raises(ValidationError, match="The review of 2025 is closed"):
                write()
    with pytest.raises(PermissionDenied):
        actions.close_round(users["secretary_A"], review_round)


def test_the_2024_round_keeps_its_pack_without_points(tree, members, system, clock):
    old = actions.open_round(system, tree["X"], year=2024, **DATES, today=D(2025, 12, 1))
    review = actions.save_self_review(
        system,
        old,
        members["an"],
        form="2C",
        sections=SECTIONS_2C,
        tasks=ALL_DONE,
        self_level="excellent",
        submit=True,
    )
    assert review.self_total is None and review.self_points == {}
    with pytest.raises(ValidationError, match="no points"):
        actions.save_self_review(
            system, old, members["duc"], form="2C", points={"politics": 9}, submit=False
        )


def test_changing_the_dates_keeps_their_order(review_round, users):
    changed = actions.change_dates(
        users["staff_X"],
        review_round,
        self_review_until=D(2025, 12, 12),
        proposals_until=D(2025, 12, 22),
        decisions_until=D(2026, 1, 10),
        version=review_round.version,
    )
    assert changed.decisions_until == D(2026, 1, 10) and changed.version == 2
    with pytest.raises(ValidationError) as exc:
        actions.change_dates(
            users["staff_X"],
            changed,
            self_review_until=D(2025, 12, 30),
            proposals_until=D(2025, 12, 22),
            decisions_until=D(2026, 1, 10),
        )
    assert list(exc.value.message_dict) == ["proposals_until"]


def test_saving_a_draft_takes_a_submitted_self_review_back(review_round, members, system):
    submitted = submit_self(system, review_round, members["an"])
    draft = actions.save_self_review(
        system, review_round, members["an"], form="2C", version=submitted.version
    )
    assert draft.stage == Stage.DRAFT and draft.submitted_at is None


def test_a_member_admitted_after_the_year_is_not_reviewed_for_it(tree, system, clock):
    older = actions.open_round(system, tree["X"], year=2024, **DATES, today=D(2025, 12, 1))
    newcomer = make_member(
        system,
        tree["A"],
        "Lò Văn Mới",
        admitted_on=D(2025, 2, 3),
        status="probationary",
        official_on=None,
    )
    with pytest.raises(ValidationError, match="admitted after 2024"):
        actions.save_self_review(system, older, newcomer, form="2C")
