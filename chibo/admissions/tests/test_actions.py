"""Each rule and deadline of admission and probation, through the actions.

Dates are chosen around Tết and month ends: Tết Bính Ngọ 2026 is 16–20 February, and the
working days come from chibo/regulations/holidays.json.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chibo.accounts.actions import grant_role
from chibo.accounts.models import Role, RoleKind, User
from chibo.admissions import actions, queries, rules
from chibo.admissions.models import (
    Candidate,
    CandidateVote,
    DossierItem,
    Introducer,
    Probation,
    ProbationState,
    Stage,
)
from chibo.admissions.tests.conftest import (
    complete_dossier,
    introduce,
    meeting_in_progress,
    on,
    open_case,
    ready_candidate,
)
from chibo.audit.models import AuditEvent
from chibo.meetings.models import Vote
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.oversight import rollups
from chibo.oversight.models import MonthFigures
from chibo.regulations.workdays import add_working_days

D = datetime.date


def snapshot():
    """Everything a step could change, to show that a refused one changed nothing."""
    return (
        list(Candidate.objects.order_by("pk").values()),
        list(DossierItem.objects.order_by("pk").values()),
        list(Introducer.objects.order_by("pk").values()),
        list(Probation.objects.order_by("pk").values()),
        list(Member.objects.order_by("pk").values()),
        MembershipPeriod.objects.count(),
        Vote.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def secretary(users):
    return users["secretary_A"]


@pytest.fixture
def standing(users):
    return users["standing_X"]


# Pure date rules.


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 3, 31), 12, D(2026, 3, 31)),
        (D(2025, 12, 15), 12, D(2026, 12, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_months_are_counted_to_the_same_day_or_the_months_last(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_the_age_counts_completed_years():
    born = D(2008, 2, 29)
    assert rules.age_on(born, D(2026, 2, 28)) == 17
    assert rules.age_on(born, D(2026, 3, 1)) == 18
    assert rules.age_on(D(1966, 3, 10), D(2026, 3, 9)) == 59
    assert rules.age_on(D(1966, 3, 10), D(2026, 3, 10)) == 60


def test_the_committees_involved_follow_the_tree(tree):
    assert rules.grassroots_of(tree["A"]) == tree["G"]
    assert rules.superior_committee(tree["A"]) == tree["X"]
    assert rules.grassroots_of(tree["S"]) == tree["S"]
    assert rules.superior_committee(tree["S"]) == tree["X"]
    assert rules.needs_committee_resolution(tree["A"])
    assert not rules.needs_committee_resolution(tree["S"])


# The case and its dossier.


def test_a_case_opens_with_the_dossier_of_the_pack_in_force(secretary, six, today):
    today(D(2026, 3, 2))
    candidate = open_case(secretary, six)
    assert candidate.pack_id == "membership-2025"
    keys = list(candidate.documents.values_list("key", flat=True))
    assert keys[0] == "course_certificate" and "youth_union_resolution" in keys
    assert AuditEvent.objects.filter(action="admissions.create").exists()


def test_only_the_cells_leaders_open_a_case(users, six):
    for role in ("member_A", "committee_A", "standing_X", "inspection_X", "stranger"):
        with pytest.raises(PermissionDenied):
            open_case(users[role], six)
    assert not Candidate.objects.exists()


def test_a_committee_cannot_hold_candidates(users, tree):
    with pytest.raises(ValidationError) as exc:
        open_case(users["admin_P"], tree["G"])
    assert "cell" in exc.value.message_dict


def test_a_certificate_past_its_validity_is_refused_with_the_rule(secretary, six, today):
    today(D(2026, 3, 2))
    candidate = open_case(secretary, six)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.set_document(
            secretary, candidate, "course_certificate", status="submitted", dated=D(2021, 3, 2)
        )
    message = exc.value.message_dict["dated"][0]
    assert "5" in message and "294-QĐ/TW" in message and "02/03/2026" in message
    assert snapshot() == before
    # A day younger, it is still valid.
    actions.set_document(
        secretary, candidate, "course_certificate", status="submitted", dated=D(2021, 3, 3)
    )


def test_a_document_needs_its_date_and_cannot_be_a_steps(secretary, six, today):
    today(D(2026, 3, 2))
    candidate = open_case(secretary, six)
    with pytest.raises(ValidationError) as exc:
        actions.set_document(secretary, candidate, "application", status="submitted")
    assert "dated" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.set_document(
            secretary, candidate, "cell_resolution", status="checked", dated=D(2026, 3, 1)
        )
    assert "key" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.set_document(
            secretary, candidate, "nonsense", status="checked", dated=D(2026, 3, 1)
        )


def test_an_upload_is_judged_by_its_content(secretary, six, today, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    today(D(2026, 3, 2))
    candidate = open_case(secretary, six)
    fake = SimpleUploadedFile("don.pdf", b"MZ not a pdf", "application/pdf")
    with pytest.raises(ValidationError) as exc:
        actions.set_document(
            secretary,
            candidate,
            "application",
            status="submitted",
            dated=D(2026, 3, 1),
            upload=fake,
        )
    assert "file" in exc.value.message_dict
    assert not DossierItem.objects.filter(candidate=candidate, key="application").first().file
    pdf = SimpleUploadedFile("don.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    item = actions.set_document(
        secretary, candidate, "application", status="submitted", dated=D(2026, 3, 1), upload=pdf
    )
    assert item.file and item.content_type == "application/pdf" and item.file.name.endswith(".pdf")


# Introducers.


def test_an_introducer_must_be_official(secretary, six, members, today):
    today(D(2026, 3, 2))
    candidate = open_case(secretary, six)
    with pytest.raises(ValidationError) as exc:
        actions.add_introducer(secretary, candidate, members["lan"], D(2020, 1, 1))
    assert "Điều lệ Đảng, art. 4" in exc.value.message_dict["member"][0]
    assert not Introducer.objects.exists()


def test_an_introducer_must_have_worked_with_the_candidate_for_twelve_months(
    secretary, six, members, today
):
    today(D(2026, 2, 28))
    candidate = open_case(secretary, six)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.add_introducer(secretary, candidate, members["an"], D(2025, 3, 1))
    message = exc.value.message_dict["known_since"][0]
    assert "12" in message and "Điều lệ Đảng, art. 4" in message and "01/03/2025" in message
    assert snapshot() == before
    # Twelve months to the day, at a month's end, qualifies.
    actions.add_introducer(secretary, candidate, members["an"], D(2025, 2, 28))
    actions.add_introducer(secretary, candidate, members["duc"], D(2019, 5, 1))
    with pytest.raises(ValidationError) as exc:
        actions.add_introducer(secretary, candidate, members["hoa"], D(2019, 5, 1))
    assert "2" in exc.value.message_dict["member"][0]


# The cell's vote.


def test_the_vote_needs_the_whole_dossier(secretary, six, members, today):
    today(D(2026, 3, 3))
    candidate = open_case(secretary, six)
    complete_dossier(secretary, candidate, D(2026, 2, 1), skip=("residence_comment",))
    introduce(secretary, candidate, members["an"], members["duc"])
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 3))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.record_admission_vote(secretary, candidate, meeting, agree=6, disagree=0, abstain=0)
    assert list(exc.value.message_dict) == ["residence_comment"]
    assert snapshot() == before


def test_one_introducer_and_the_youth_unions_resolution_suffice(secretary, six, members, today):
    today(D(2026, 3, 3))
    candidate = open_case(secretary, six)
    complete_dossier(secretary, candidate, D(2026, 2, 1), skip=("introduction_2",))
    introduce(secretary, candidate, members["an"])
    assert "introducers" in actions.readiness(candidate, D(2026, 3, 3))
    actions.set_document(
        secretary, candidate, "youth_union_resolution", status="checked", dated=D(2026, 2, 1)
    )
    assert actions.readiness(candidate, D(2026, 3, 3)) == {}


@pytest.mark.parametrize(
    "born, approval, refused",
    [
        (D(2008, 3, 3), "", None),  # 18 on the day of the vote
        (D(2008, 3, 4), "", "date_of_birth"),  # 18 the day after
        (D(1965, 3, 4), "", None),  # 60
        (D(1965, 3, 3), "", "over_age_approval"),  # 61 on the day
        (D(1965, 3, 3), "Công văn 12-CV/TU, 10/02/2026", None),
    ],
)
def test_the_age_is_checked_on_the_day_of_the_vote(
    secretary, six, members, today, born, approval, refused
):
    today(D(2026, 3, 3))
    candidate = ready_candidate(
        secretary,
        six,
        D(2026, 3, 3),
        (members["an"], members["duc"]),
        date_of_birth=born,
        over_age_approval=approval,
    )
    problems = actions.readiness(candidate, D(2026, 3, 3))
    assert list(problems) == ([refused] if refused else [])
    if refused == "date_of_birth":
        assert "Điều lệ Đảng, art. 1" in problems[refused][0]


def test_a_certificate_that_expires_before_the_vote_stops_it(secretary, six, members, today):
    today(D(2026, 3, 3))
    candidate = ready_candidate(secretary, six, D(2026, 3, 3), (members["an"], members["duc"]))
    actions.set_document(
        secretary, candidate, "course_certificate", status="checked", dated=D(2021, 3, 4)
    )
    assert actions.readiness(candidate, D(2026, 3, 3)) == {}
    problems = actions.readiness(candidate, D(2026, 3, 4))
    assert list(problems) == ["course_certificate"]


def test_a_vote_short_of_two_thirds_is_kept_and_the_case_stays(secretary, six, members, today):
    today(D(2026, 3, 3))
    candidate = ready_candidate(secretary, six, D(2026, 3, 3), (members["an"], members["duc"]))
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 3))
    failed = actions.record_admission_vote(
        secretary, candidate, meeting, agree=3, disagree=2, abstain=1
    )
    candidate.refresh_from_db()
    assert not failed.passed and failed.kind == "admission"
    assert "hai phần ba" in failed.rule and failed.summary.startswith("3/6")
    assert candidate.stage == Stage.PREPARING and candidate.cell_voted_on is None
    assert CandidateVote.objects.filter(candidate=candidate, vote=failed).exists()
    passed = actions.record_admission_vote(
        secretary, candidate, meeting, agree=4, disagree=1, abstain=1
    )
    candidate.refresh_from_db()
    assert passed.passed and candidate.stage == Stage.CELL_APPROVED
    assert candidate.cell_voted_on == D(2026, 3, 3)
    assert candidate.document("cell_resolution").status == "checked"
    with pytest.raises(ValidationError):
        actions.record_admission_vote(secretary, candidate, meeting, agree=6, disagree=0, abstain=0)


def test_the_vote_is_held_in_a_meeting_of_the_cell_in_progress(
    secretary, six, members, users, tree, today
):
    today(D(2026, 3, 3))
    candidate = ready_candidate(secretary, six, D(2026, 3, 3), (members["an"], members["duc"]))
    theirs = meeting_in_progress(users["admin_P"], tree["T"], D(2026, 3, 3), present=[])
    with pytest.raises(ValidationError) as exc:
        actions.record_admission_vote(secretary, candidate, theirs, agree=1, disagree=0, abstain=0)
    assert "meeting" in exc.value.message_dict
    # The standing committee decides but does not run the cell's meetings.
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 3))
    with pytest.raises(PermissionDenied):
        actions.record_admission_vote(
            users["standing_X"], candidate, meeting, agree=6, disagree=0, abstain=0
        )


# The grassroots committee's resolution and the decision.


def _approved(secretary, cell, members, day, introducers=None, **fields):
    candidate = ready_candidate(
        secretary, cell, day, introducers or (members["an"], members["duc"]), **fields
    )
    meeting = meeting_in_progress(secretary, cell, day)
    actions.record_admission_vote(secretary, candidate, meeting, agree=6, disagree=0, abstain=0)
    candidate.refresh_from_db()
    return candidate


def test_a_subordinate_cells_candidate_needs_the_committees_resolution(
    secretary, standing, six, members, today
):
    today(D(2026, 3, 3))
    candidate = _approved(secretary, six, members, D(2026, 3, 3))
    today(D(2026, 3, 20))
    before = snapshot()
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        actions.decide_admission(standing, candidate, number="15-QĐ/ĐU", decided_on=D(2026, 3, 20))
    with translation.override("en"):
        assert "grassroots committee" in exc.value.messages[0]
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        actions.record_committee_resolution(
            secretary, candidate, number="07-NQ/ĐU", resolved_on=D(2026, 3, 10)
        )
    with pytest.raises(ValidationError) as exc:
        actions.record_committee_resolution(
            standing, candidate, number="07-NQ/ĐU", resolved_on=D(2026, 3, 2)
        )
    assert "resolved_on" in exc.value.message_dict
    actions.record_committee_resolution(
        standing, candidate, number="07-NQ/ĐU", resolved_on=D(2026, 3, 10)
    )
    probation = actions.decide_admission(
        standing, candidate, number="15-QĐ/ĐU", decided_on=D(2026, 3, 20), signer="Hoàng Văn Khiêm"
    )
    member = probation.member
    assert member.status == Status.PROBATIONARY and member.admitted_on == D(2026, 3, 20)
    assert member.cell == six and member.official_on is None
    # The admission counts in the cell's March on the committees' dashboards.
    assert MonthFigures.objects.get(organisation=six, month=D(2026, 3, 1)).admissions == 1
    assert rollups.verify() == []
    assert member.periods.get().started_on == D(2026, 3, 20)
    assert probation.decided_by.code == "X" and probation.state == ProbationState.AWAITING_CEREMONY
    candidate.refresh_from_db()
    assert candidate.stage == Stage.ADMITTED and candidate.member == member
    assert AuditEvent.objects.filter(action="member.create", object_id=str(member.pk)).exists()


def test_a_grassroots_cell_goes_straight_to_the_decision(system, tree, members, today):
    from tests.fixtures import make_member

    today(D(2026, 3, 3))
    for name in ("Giàng Mí Một", "Giàng Mí Hai", "Giàng Mí Ba"):
        make_member(system, tree["S"], name)
    introducers = list(Member.objects.filter(cell=tree["S"], status=Status.OFFICIAL)[:2])
    candidate = ready_candidate(system, tree["S"], D(2026, 3, 3), introducers)
    assert "committee_resolution" not in actions.readiness(candidate, D(2026, 3, 3))
    meeting = meeting_in_progress(system, tree["S"], D(2026, 3, 3))
    actions.record_admission_vote(system, candidate, meeting, agree=3, disagree=0, abstain=0)
    with pytest.raises(ValidationError):
        actions.record_committee_resolution(
            system, candidate, number="1", resolved_on=D(2026, 3, 3)
        )
    probation = actions.decide_admission(
        system, candidate, number="20-QĐ/ĐU", decided_on=D(2026, 3, 3)
    )
    assert probation.member.cell == tree["S"] and probation.decided_by == tree["X"]


def test_the_decision_needs_a_passed_vote_and_a_checked_dossier(
    secretary, standing, six, members, today
):
    today(D(2026, 3, 3))
    candidate = ready_candidate(secretary, six, D(2026, 3, 3), (members["an"], members["duc"]))
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        actions.decide_admission(standing, candidate, number="1", decided_on=D(2026, 3, 3))
    with translation.override("en"):
        assert "vote" in exc.value.messages[0]
    actions.set_document(
        secretary, candidate, "application", status="submitted", dated=D(2026, 2, 1)
    )
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 3))
    actions.record_admission_vote(secretary, candidate, meeting, agree=5, disagree=0, abstain=0)
    actions.record_committee_resolution(standing, candidate, number="7", resolved_on=D(2026, 3, 3))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 3))
    assert "application" in exc.value.message_dict
    assert snapshot() == before


def test_the_certificate_must_be_valid_on_the_decision_date(
    secretary, standing, six, members, today
):
    today(D(2026, 3, 3))
    candidate = ready_candidate(secretary, six, D(2026, 3, 3), (members["an"], members["duc"]))
    actions.set_document(
        secretary, candidate, "course_certificate", status="checked", dated=D(2021, 3, 10)
    )
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 3))
    actions.record_admission_vote(secretary, candidate, meeting, agree=5, disagree=0, abstain=0)
    today(D(2026, 3, 16))
    actions.record_committee_resolution(standing, candidate, number="7", resolved_on=D(2026, 3, 5))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 10))
    assert list(exc.value.message_dict) == ["course_certificate"]
    assert snapshot() == before
    actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 9))


def test_a_refused_decision_leaves_no_member_behind(secretary, standing, six, members, today):
    today(D(2026, 3, 3))
    candidate = _approved(secretary, six, members, D(2026, 3, 3), citizen_id="001080012345")
    actions.record_committee_resolution(standing, candidate, number="7", resolved_on=D(2026, 3, 3))
    before = snapshot()
    # The citizen ID is Nguyễn Văn An's: the registry refuses it, and nothing is half-written.
    with pytest.raises(ValidationError) as exc:
        actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 3))
    assert "citizen_id" in exc.value.message_dict
    assert snapshot() == before


def test_a_cell_leader_cannot_decide(secretary, six, members, today):
    today(D(2026, 3, 3))
    candidate = _approved(secretary, six, members, D(2026, 3, 3))
    with pytest.raises(PermissionDenied):
        actions.record_committee_resolution(
            secretary, candidate, number="7", resolved_on=D(2026, 3, 3)
        )


def grassroots_standing(system, tree):
    """A standing member of the grassroots committee G, whose right reaches cell A."""
    user = User.objects.create_user("standing_G", password="x-standing-G-1")
    grant_role(system, user, tree["G"], RoleKind.STANDING_MEMBER)
    return user


def test_the_grassroots_committee_resolves_but_only_the_superior_committee_decides(
    system, secretary, standing, six, members, tree, today
):
    today(D(2026, 3, 3))
    g_standing = grassroots_standing(system, tree)
    candidate = _approved(secretary, six, members, D(2026, 3, 3))
    actions.record_committee_resolution(
        g_standing, candidate, number="07-NQ/ĐU", resolved_on=D(2026, 3, 3)
    )
    assert not actions.may_decide(g_standing, six) and actions.may_decide(standing, six)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        actions.decide_admission(g_standing, candidate, number="15-QĐ/ĐU", decided_on=D(2026, 3, 3))
    assert snapshot() == before
    probation = actions.decide_admission(
        standing, candidate, number="15-QĐ/ĐU", decided_on=D(2026, 3, 3)
    )
    assert probation.decided_by == tree["X"]


def test_a_date_of_birth_corrected_after_the_vote_is_checked_again(
    secretary, standing, six, members, today
):
    today(D(2026, 3, 3))
    candidate = _approved(secretary, six, members, D(2026, 3, 3))
    actions.record_committee_resolution(standing, candidate, number="7", resolved_on=D(2026, 3, 3))
    # 17 on the day of the vote with the corrected date: the decision is refused with the rule.
    candidate = actions.update_candidate(secretary, candidate, date_of_birth=D(2008, 3, 4))
    today(D(2026, 3, 20))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 20))
    assert list(exc.value.message_dict) == ["date_of_birth"]
    assert "Điều lệ Đảng, art. 1" in exc.value.message_dict["date_of_birth"][0]
    assert snapshot() == before
    # 18 on the day of the vote, though not on the day the date was corrected: admitted.
    candidate = actions.update_candidate(secretary, candidate, date_of_birth=D(2008, 3, 3))
    actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 3))


def test_an_over_age_approval_withdrawn_after_the_vote_stops_the_decision(
    secretary, standing, six, members, today
):
    today(D(2026, 3, 3))
    candidate = _approved(
        secretary,
        six,
        members,
        D(2026, 3, 3),
        date_of_birth=D(1965, 3, 3),
        over_age_approval="Công văn 12-CV/TU, 10/02/2026",
    )
    actions.record_committee_resolution(standing, candidate, number="7", resolved_on=D(2026, 3, 3))
    candidate = actions.update_candidate(secretary, candidate, over_age_approval="")
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 3))
    assert list(exc.value.message_dict) == ["over_age_approval"]
    assert snapshot() == before


# The ceremony.


def _admitted(secretary, standing, cell, members, today, decided_on, **fields):
    with on(today, decided_on):
        candidate = _approved(secretary, cell, members, decided_on, **fields)
        actions.record_committee_resolution(
            standing, candidate, number="7-NQ/ĐU", resolved_on=decided_on
        )
        return actions.decide_admission(
            standing, candidate, number="15-QĐ/ĐU", decided_on=decided_on
        )


def test_the_ceremony_deadline_skips_weekends_and_tet(secretary, standing, six, members, today):
    today(D(2026, 4, 10))
    probation = _admitted(secretary, standing, six, members, today, D(2026, 2, 10))
    # 30 working days from Tuesday 10/2/2026: Tết Bính Ngọ (16–20/2) and the weekends do
    # not count, so the last day is 31/3 (without Tết it would be 24/3).
    assert probation.ceremony_due == D(2026, 3, 31)
    assert probation.ceremony_due == add_working_days(D(2026, 2, 10), 30)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.hold_ceremony(secretary, probation, D(2026, 4, 1))
    message = exc.value.message_dict["held_on"][0]
    assert "30" in message and "31/03/2026" in message and "294-QĐ/TW" in message
    assert snapshot() == before
    with pytest.raises(ValidationError):
        actions.hold_ceremony(secretary, probation, D(2026, 2, 9))
    probation = actions.hold_ceremony(secretary, probation, D(2026, 3, 31))
    assert probation.state == ProbationState.ON_PROBATION
    assert probation.ends_on == D(2027, 3, 31)


def test_a_probation_from_a_month_end_ends_at_a_month_end(secretary, standing, six, members, today):
    today(D(2025, 2, 20))
    probation = _admitted(secretary, standing, six, members, today, D(2025, 1, 31))
    probation = actions.hold_ceremony(secretary, probation, D(2025, 1, 31))
    assert probation.ends_on == D(2026, 1, 31)
    # The review is due 30 working days after Saturday 31/1/2026, across Tết 2026.
    assert probation.review_due == D(2026, 3, 20)


# Recognition.


def _on_probation(secretary, standing, cell, members, today, ceremony_on):
    probation = _admitted(secretary, standing, cell, members, today, ceremony_on)
    with on(today, ceremony_on):
        return actions.hold_ceremony(secretary, probation, ceremony_on)


def test_the_recognition_vote_comes_after_the_twelve_months(
    secretary, standing, six, members, today
):
    probation = _on_probation(secretary, standing, six, members, today, D(2025, 3, 10))
    today(D(2026, 3, 9))
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 9))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.record_recognition_vote(
            secretary, probation, meeting, agree=6, disagree=0, abstain=0
        )
    message = exc.value.message_dict["meeting"][0]
    assert "10/03/2026" in message and "Điều lệ Đảng, art. 5" in message
    assert snapshot() == before
    with pytest.raises(ValidationError):
        actions.decide_recognition(
            standing, probation, recognised=True, number="1", decided_on=D(2026, 3, 9)
        )


def test_a_late_recognition_keeps_the_official_date_at_the_end_of_probation(
    secretary, standing, six, members, today
):
    probation = _on_probation(secretary, standing, six, members, today, D(2025, 3, 10))
    today(D(2026, 5, 5))
    meeting = meeting_in_progress(secretary, six, D(2026, 5, 5))
    vote = actions.record_recognition_vote(
        secretary, probation, meeting, agree=4, disagree=2, abstain=0
    )
    assert vote.passed and vote.kind == "recognition"
    probation.refresh_from_db()
    assert probation.state == ProbationState.PROPOSED
    # Recognition without the cell's vote, or by the cell itself, is refused.
    with pytest.raises(PermissionDenied):
        actions.decide_recognition(
            secretary, probation, recognised=True, number="1", decided_on=D(2026, 5, 5)
        )
    today(D(2026, 5, 20))
    probation = actions.decide_recognition(
        standing, probation, recognised=True, number="31-QĐ/ĐU", decided_on=D(2026, 5, 20)
    )
    member = Member.objects.get(pk=probation.member_id)
    assert member.status == Status.OFFICIAL
    assert member.official_on == D(2026, 3, 10)  # the end of the 12 months, not the vote
    assert member.admitted_on == D(2025, 3, 10)  # party age counts from the decision
    assert probation.state == ProbationState.RECOGNISED


def test_three_failed_votes_send_the_case_to_the_superior_committee(
    secretary, standing, six, members, tree, today
):
    probation = _on_probation(secretary, standing, six, members, today, D(2025, 3, 10))
    for i, day in enumerate((D(2026, 3, 10), D(2026, 3, 31), D(2026, 4, 3))):
        today(day)
        meeting = meeting_in_progress(secretary, six, day)
        vote = actions.record_recognition_vote(
            secretary, probation, meeting, agree=3, disagree=3, abstain=0
        )
        assert not vote.passed
        probation.refresh_from_db()
        assert probation.failed_votes == i + 1
    assert probation.state == ProbationState.REFERRED
    with pytest.raises(ValidationError):
        actions.record_recognition_vote(
            secretary, probation, meeting, agree=6, disagree=0, abstain=0
        )
    # The grassroots committee reaches the cell but not the superior level: refused.
    g_standing = User.objects.create_user("standing_G", password="x-standing-G-1")
    Role.objects.create(user=g_standing, organisation=tree["G"], kind=RoleKind.STANDING_MEMBER)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        actions.decide_recognition(
            g_standing, probation, recognised=True, number="1", decided_on=D(2026, 4, 3)
        )
    assert snapshot() == before
    probation = actions.decide_recognition(
        standing, probation, recognised=True, number="40-QĐ/ĐU", decided_on=D(2026, 4, 3)
    )
    assert Member.objects.get(pk=probation.member_id).official_on == D(2026, 3, 10)


def test_a_member_not_recognised_has_the_name_removed_and_loses_the_login(
    secretary, standing, six, members, today
):
    from chibo.accounts.actions import open_account

    probation = _on_probation(secretary, standing, six, members, today, D(2025, 3, 10))
    user, _password = open_account(User.objects.get(username="system"), probation.member, "moi")
    assert user.roles.filter(organisation=six, kind=RoleKind.MEMBER).exists()
    today(D(2026, 3, 12))
    with pytest.raises(ValidationError):
        actions.decide_recognition(
            standing,
            probation,
            recognised=False,
            number="1",
            decided_on=D(2026, 3, 12),
            reason="x",
        )
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 12))
    actions.record_recognition_vote(secretary, probation, meeting, agree=1, disagree=5, abstain=0)
    with pytest.raises(ValidationError) as exc:
        actions.decide_recognition(
            standing, probation, recognised=False, number="41", decided_on=D(2026, 3, 12)
        )
    assert "reason" in exc.value.message_dict
    probation = actions.decide_recognition(
        standing,
        probation,
        recognised=False,
        number="41-QĐ/ĐU",
        decided_on=D(2026, 3, 12),
        reason="Chi bộ không đề nghị công nhận",
    )
    member = Member.objects.get(pk=probation.member_id)
    assert member.status == Status.REMOVED and probation.state == ProbationState.REMOVED
    assert member.periods.get().ended_on == D(2026, 3, 12)
    user.refresh_from_db()
    assert not user.is_active and not user.roles.exists()


def test_the_grassroots_committee_neither_recognises_nor_removes(
    system, secretary, standing, six, members, tree, today
):
    g_standing = grassroots_standing(system, tree)
    passed = _on_probation(secretary, standing, six, members, today, D(2025, 3, 10))
    failed = _on_probation(secretary, standing, six, members, today, D(2025, 3, 11))
    today(D(2026, 3, 12))
    meeting = meeting_in_progress(secretary, six, D(2026, 3, 12))
    actions.record_recognition_vote(secretary, passed, meeting, agree=6, disagree=0, abstain=0)
    actions.record_recognition_vote(secretary, failed, meeting, agree=1, disagree=5, abstain=0)
    passed.refresh_from_db()
    failed.refresh_from_db()
    assert actions.decider_of(passed) == tree["X"] and actions.decider_of(failed) == tree["X"]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        actions.decide_recognition(
            g_standing, passed, recognised=True, number="1", decided_on=D(2026, 3, 12)
        )
    with pytest.raises(PermissionDenied):
        actions.decide_recognition(
            g_standing,
            failed,
            recognised=False,
            number="2",
            decided_on=D(2026, 3, 12),
            reason="Chi bộ không đề nghị công nhận",
        )
    assert snapshot() == before
    actions.decide_recognition(
        standing, passed, recognised=True, number="31-QĐ/ĐU", decided_on=D(2026, 3, 12)
    )
    actions.decide_recognition(
        standing,
        failed,
        recognised=False,
        number="32-QĐ/ĐU",
        decided_on=D(2026, 3, 12),
        reason="Chi bộ không đề nghị công nhận",
    )
    assert Member.objects.get(pk=passed.member_id).status == Status.OFFICIAL
    assert Member.objects.get(pk=failed.member_id).status == Status.REMOVED


def test_a_probation_record_for_a_member_admitted_before(secretary, members, today):
    today(D(2026, 3, 2))
    lan = members["lan"]
    lan.admitted_on = D(2026, 1, 5)
    lan.save()
    # Lan is in cell S, out of the secretary of A's reach.
    with pytest.raises(PermissionDenied):
        actions.open_probation(secretary, lan)
    admin = User.objects.get(username="system")
    probation = actions.open_probation(admin, lan, ceremony_on=D(2026, 1, 20))
    assert probation.decided_on == D(2026, 1, 5) and probation.ends_on == D(2027, 1, 20)
    with pytest.raises(ValidationError):
        actions.open_probation(admin, lan)


# Deadlines.


def test_the_deadlines_of_a_cell_and_a_committees_subtree(
    secretary, standing, six, members, tree, today
):
    ceremony = _admitted(secretary, standing, six, members, today, D(2026, 2, 10))
    ending = _on_probation(secretary, standing, six, members, today, D(2025, 3, 24))
    late = _on_probation(secretary, standing, six, members, today, D(2025, 1, 6))
    with on(today, D(2026, 3, 3)):
        expiring = ready_candidate(
            secretary, six, D(2026, 3, 3), (members["an"], members["duc"]), citizen_id=""
        )
        actions.set_document(
            secretary, expiring, "course_certificate", status="checked", dated=D(2021, 3, 30)
        )
    today(D(2026, 3, 24))
    found = {(d.kind, d.name): d for d in queries.deadlines(six, D(2026, 3, 24))}
    by_probation = {d.probation_id: d for d in found.values() if d.probation_id}
    assert by_probation[ceremony.pk].kind == "ceremony"
    assert by_probation[ceremony.pk].days_left == 7 and by_probation[ceremony.pk].remind
    assert by_probation[ending.pk].kind == "probation_end"
    assert by_probation[ending.pk].days_left == 0 and by_probation[ending.pk].level == "soon"
    assert by_probation[late.pk].kind == "review" and by_probation[late.pk].level == "overdue"
    certificate = next(d for d in found.values() if d.candidate_id == expiring.pk)
    assert certificate.due == D(2026, 3, 29) and certificate.days_left == 5
    # The commune's committee sees them too; another commune does not.
    assert len(queries.deadlines(tree["X"], D(2026, 3, 24))) == len(found)
    assert queries.deadlines(tree["X2"], D(2026, 3, 24)) == []


def test_a_decision_sent_twice_admits_once(secretary, standing, six, members, today):
    today(D(2026, 3, 3))
    candidate = _approved(secretary, six, members, D(2026, 3, 3))
    actions.record_committee_resolution(standing, candidate, number="7", resolved_on=D(2026, 3, 3))
    stale = Candidate.objects.get(pk=candidate.pk)  # as a second page open at the same time
    actions.decide_admission(standing, candidate, number="9", decided_on=D(2026, 3, 3))
    before = snapshot()
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        actions.decide_admission(standing, stale, number="9", decided_on=D(2026, 3, 3))
    with translation.override("en"):
        assert "already been admitted" in exc.value.messages[0]
    assert snapshot() == before
    assert Member.objects.filter(admitted_on=D(2026, 3, 3)).count() == 1
