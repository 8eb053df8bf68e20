"""The rules of a member's path through the actions: the end of a membership, removal of
name, training, party badges and corrections; every refusal names its rule and changes
nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.dates import add_years
from chibo.members import actions, queries
from chibo.members.models import (
    Badge,
    CorrectionRequest,
    Member,
    MembershipEnd,
    MembershipPeriod,
    RemovalGround,
    RemovalProposal,
    Status,
    TheoryLevel,
    TrainingKind,
)
from chibo.members.tests.conftest import HCM, absent_at, snapshot, third_of
from tests.fixtures import make_member

D = datetime.date


def refused(call, field: str | None = None, *, words=()):
    """Run an action that must be refused; return the messages of field (or all)."""
    before = snapshot()
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        call()
    assert snapshot() == before, "a refused step changed something"
    if field is None:
        messages = exc.value.messages
    else:
        assert field in exc.value.message_dict, exc.value.message_dict
        messages = exc.value.message_dict[field]
    text = " ".join(messages)
    for word in words:
        assert word in text, text
    return text


def forbidden(call):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert snapshot() == before


# The end of a membership.


def test_a_death_is_recorded_by_the_cell_and_closes_the_record(users, members):
    duc = members["duc"]
    actions.end_membership(
        users["secretary_A"], duc, Status.DECEASED, D(2026, 10, 31), reason="Từ trần"
    )
    duc.refresh_from_db()
    assert duc.status == Status.DECEASED and duc.cell.code == "A"
    period = MembershipPeriod.objects.get(member=duc)
    assert period.ended_on == D(2026, 10, 31)
    assert not MembershipPeriod.objects.filter(member=duc, ended_on__isnull=True).exists()
    ending = MembershipEnd.objects.get(member=duc)
    assert (ending.kind, ending.status_before, ending.decision_number) == (
        "deceased",
        "official",
        "",
    )
    # The member's log-in and roles end with the membership.
    assert not User.objects.get(pk=users["member_A"].pk).is_active
    assert AuditEvent.objects.filter(action="member.end", object_id=str(duc.pk)).exists()


def test_only_the_committee_removes_expels_or_records_leaving(users, members):
    an = members["an"]
    for kind in (Status.REMOVED, Status.EXPELLED, Status.LEFT):
        forbidden(
            lambda kind=kind: actions.end_membership(
                users["secretary_A"], an, kind, D(2026, 11, 2), "12-QĐ/ĐU"
            )
        )
    forbidden(
        lambda: actions.end_membership(users["committee_A"], an, Status.DECEASED, D(2026, 11, 2))
    )
    forbidden(
        lambda: actions.end_membership(users["member_A"], an, Status.DECEASED, D(2026, 11, 2))
    )
    forbidden(
        lambda: actions.end_membership(
            users["staff_X"], members["tung"], Status.DECEASED, D(2026, 11, 2)
        )
    )
    actions.end_membership(
        users["standing_X"], an, Status.EXPELLED, D(2026, 11, 2), "12-QĐ/ĐU", "Đảng ủy xã"
    )
    assert Member.objects.get(pk=an.pk).status == Status.EXPELLED


def test_every_ending_but_a_death_needs_its_decision_number(users, members):
    text = refused(
        lambda: actions.end_membership(
            users["staff_X"], members["an"], Status.REMOVED, D(2026, 11, 2)
        ),
        "decision_number",
    )
    assert "death" in text


def test_an_ending_is_neither_in_the_future_nor_before_the_current_cell(users, members, tree):
    an = members["an"]
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    refused(
        lambda: actions.end_membership(users["staff_X"], an, Status.LEFT, tomorrow, "1-QĐ"),
        "effective_on",
    )
    actions.change_home_cell(users["staff_X"], an, tree["B"], D(2026, 3, 1), "Chuyển công tác")
    text = refused(
        lambda: actions.end_membership(users["staff_X"], an, Status.LEFT, D(2026, 2, 28), "1-QĐ"),
        "effective_on",
        words=("01/03/2026",),
    )
    assert "Chi bộ Hành chính" in text
    # On the day the current cell began, it may end.
    actions.end_membership(users["staff_X"], an, Status.LEFT, D(2026, 3, 1), "1-QĐ")


def test_a_membership_ends_only_once(users, members):
    duc = members["duc"]
    actions.end_membership(users["secretary_A"], duc, Status.DECEASED, D(2026, 10, 31))
    refused(
        lambda: actions.end_membership(
            users["staff_X"], duc, Status.EXPELLED, D(2026, 11, 1), "2-QĐ"
        ),
        "kind",
        words=("Đỗ Minh Đức",),
    )


def test_a_stale_version_is_refused(users, members):
    from chibo.conflicts import StaleVersion

    an = members["an"]
    before = snapshot()
    with pytest.raises(StaleVersion):
        actions.end_membership(users["staff_X"], an, Status.DECEASED, D(2026, 11, 2), version=99)
    assert snapshot() == before


# Removal of name: what the records show.


@pytest.fixture
def cell_a(users, members, tree):
    """Cell A's secretary, chair and minute-taker for holding meetings."""
    return {
        "secretary": users["secretary_A"],
        "cell": tree["A"],
        "chair": members["an"],
        "taker": members["duc"],
    }


def miss(cell_a, member, moments):
    absent_at(
        cell_a["secretary"], cell_a["cell"], member, moments, cell_a["chair"], cell_a["taker"]
    )


def test_absences_count_by_the_meetings_month_in_vietnam(cell_a, members, tree, system):
    duc = members["duc"]
    # 23:30 on 31 March and 00:30 on 1 April in Hà Nội are both 31 March in UTC.
    late_march = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=HCM)
    early_april = datetime.datetime(2026, 4, 1, 0, 30, tzinfo=HCM)
    # 00:30 on New Year's Day is still 2025 in UTC, and counts for 2026.
    new_year = datetime.datetime(2026, 1, 1, 0, 30, tzinfo=HCM)
    miss(cell_a, duc, [new_year, late_march, early_april])
    evidence = queries.removal_grounds(duc, 2026)
    assert evidence.absent_months == [D(2026, 1, 1), D(2026, 3, 1), D(2026, 4, 1)]
    assert queries.removal_grounds(duc, 2025).absent_months == []


def test_only_unexcused_absences_from_regular_meetings_count(cell_a, members, users):
    from chibo.meetings import actions as meeting_actions
    from chibo.meetings.models import AttendanceStatus, Kind

    duc, secretary = members["duc"], users["secretary_A"]
    miss(cell_a, duc, third_of(2026, 1))
    thematic = meeting_actions.schedule_meeting(
        secretary,
        cell_a["cell"],
        kind=Kind.THEMATIC,
        topic="Học tập tư tưởng Hồ Chí Minh",
        scheduled_at=datetime.datetime(2026, 2, 20, 19, 30, tzinfo=HCM),
    )
    meeting_actions.send_notice(secretary, thematic)
    meeting_actions.start_meeting(secretary, thematic, chair=members["an"], minute_taker=duc)
    meeting_actions.set_attendance(secretary, thematic, duc, AttendanceStatus.ABSENT_UNEXCUSED)
    march = meeting_actions.schedule_meeting(
        secretary, cell_a["cell"], kind=Kind.REGULAR, scheduled_at=third_of(2026, 3)[0]
    )
    meeting_actions.send_notice(secretary, march)
    meeting_actions.start_meeting(secretary, march, chair=members["an"], minute_taker=duc)
    meeting_actions.set_attendance(secretary, march, duc, AttendanceStatus.ABSENT_EXCUSED, "Ốm")
    assert queries.removal_grounds(duc, 2026).absent_months == [D(2026, 1, 1)]


def test_removal_for_absence_needs_three_months_in_the_year(cell_a, users, members):
    duc, secretary = members["duc"], users["secretary_A"]
    miss(cell_a, duc, third_of(2026, 2, 5))
    text = refused(
        lambda: actions.propose_removal(secretary, duc, RemovalGround.ABSENT, 2026),
        "ground",
        words=("2026", "02/2026, 05/2026", "3", "art. 8"),
    )
    assert "2 months" in text
    miss(cell_a, duc, third_of(2026, 9))
    proposal = actions.propose_removal(secretary, duc, RemovalGround.ABSENT, 2026)
    assert proposal.evidence["absent_months"] == ["2026-02-01", "2026-05-01", "2026-09-01"]
    assert proposal.outcome == RemovalProposal.Outcome.PENDING
    # One pending proposal per member.
    refused(
        lambda: actions.propose_removal(secretary, duc, RemovalGround.NO_WILL, 2026, "Nhắc nhở"),
        "ground",
    )


def test_removal_for_unpaid_fees_reads_the_fee_book(users, members, unpaid):
    duc, secretary = members["duc"], users["secretary_A"]
    unpaid.owed[duc.pk] = [D(2026, 1, 1), D(2026, 2, 1), D(2025, 12, 1)]
    refused(
        lambda: actions.propose_removal(secretary, duc, RemovalGround.UNPAID_FEES, 2026),
        "ground",
        words=("01/2026, 02/2026", "3", "art. 8"),
    )
    unpaid.owed[duc.pk].append(D(2026, 6, 1))
    proposal = actions.propose_removal(secretary, duc, RemovalGround.UNPAID_FEES, 2026)
    assert proposal.evidence["unpaid_months"] == ["2026-01-01", "2026-02-01", "2026-06-01"]


def test_the_other_grounds_need_the_cells_note(users, members):
    secretary = users["secretary_A"]
    refused(
        lambda: actions.propose_removal(secretary, members["duc"], RemovalGround.NO_WILL, 2026),
        "note",
        words=("12",),
    )
    refused(
        lambda: actions.propose_removal(
            secretary, members["duc"], RemovalGround.NOT_RECOGNISED, 2026, "Không đạt"
        ),
        "ground",
    )
    refused(
        lambda: actions.propose_removal(secretary, members["duc"], RemovalGround.ABSENT, 2031),
        "year",
    )
    actions.propose_removal(
        secretary, members["duc"], RemovalGround.NO_WILL, 2026, "Chi bộ giúp đỡ từ 9/2025"
    )


def test_only_the_cells_leaders_propose(users, members):
    for role in ("member_A", "committee_A", "standing_X", "inspection_X", "stranger"):
        forbidden(
            lambda role=role: actions.propose_removal(
                users[role], members["an"], RemovalGround.NO_WILL, 2026, "x"
            )
        )


def test_the_committee_removes_the_name_with_its_decision(cell_a, users, members):
    duc = members["duc"]
    proposal = actions.propose_removal(
        users["secretary_A"], duc, RemovalGround.NO_WILL, 2026, "Giúp đỡ 12 tháng không tiến bộ"
    )
    forbidden(lambda: actions.decide_removal(users["secretary_A"], proposal, True, "5-QĐ/ĐU"))
    refused(lambda: actions.decide_removal(users["standing_X"], proposal, True), "decision_number")
    assert RemovalProposal.objects.get(pk=proposal.pk).outcome == "pending"
    actions.decide_removal(users["standing_X"], proposal, True, "5-QĐ/ĐU", "Đúng quy định")
    duc.refresh_from_db()
    assert duc.status == Status.REMOVED
    ending = MembershipEnd.objects.get(member=duc)
    assert ending.kind == Status.REMOVED and ending.decision_number == "5-QĐ/ĐU"
    assert ending.decided_by == "Đảng ủy Trường THPT Đồng Văn"
    assert RemovalProposal.objects.get(pk=proposal.pk).outcome == "removed"
    refused(
        lambda: actions.decide_removal(users["standing_X"], proposal, False, note="x"), "remove"
    )


def test_keeping_the_member_needs_a_reason(users, members):
    proposal = actions.propose_removal(
        users["secretary_A"], members["an"], RemovalGround.NO_WILL, 2026, "x"
    )
    refused(lambda: actions.decide_removal(users["staff_X"], proposal, False), "note")
    actions.decide_removal(users["staff_X"], proposal, False, note="Đã tiến bộ")
    assert RemovalProposal.objects.get(pk=proposal.pk).outcome == "rejected"
    assert Member.objects.get(pk=members["an"].pk).status == Status.OFFICIAL


def test_a_pending_proposal_closes_when_the_member_dies(users, members):
    proposal = actions.propose_removal(
        users["secretary_A"], members["an"], RemovalGround.NO_WILL, 2026, "x"
    )
    actions.end_membership(users["secretary_A"], members["an"], Status.DECEASED, D(2026, 11, 1))
    assert RemovalProposal.objects.get(pk=proposal.pk).outcome == "withdrawn"


def test_the_candidates_of_a_cell_and_of_a_committee(cell_a, users, members, tree, unpaid):
    an, duc, hoa = members["an"], members["duc"], members["hoa"]
    miss(cell_a, duc, third_of(2026, 1, 2, 3))
    unpaid.owed[an.pk] = [D(2026, m, 1) for m in (4, 5, 6, 7)]
    unpaid.owed[hoa.pk] = [D(2026, m, 1) for m in (4, 5, 6, 7)]
    in_cell = {c.member.pk: c for c in queries.removal_candidates(tree["A"], 2026)}
    assert set(in_cell) == {an.pk, duc.pk}
    assert in_cell[duc.pk].grounds == [RemovalGround.ABSENT]
    assert in_cell[an.pk].grounds == [RemovalGround.UNPAID_FEES]
    unpaid.read.clear()
    above = queries.removal_candidates(tree["X"], 2026)
    # A committee's list is the absences only: fees are read cell by cell.
    assert [c.member.pk for c in above] == [duc.pk]
    assert unpaid.read == []


# Training.


def test_a_finished_theory_course_raises_the_level(users, members):
    an, secretary = members["an"], users["secretary_A"]
    course = dict(kind=TrainingKind.POLITICAL_THEORY, title="Trung cấp lý luận chính trị")
    actions.add_training(
        secretary, an, **course, theory_level=TheoryLevel.INTERMEDIATE, started_on=D(2025, 9, 1)
    )
    assert Member.objects.get(pk=an.pk).theory_level == TheoryLevel.NONE  # still going on
    actions.add_training(
        secretary,
        an,
        **course,
        theory_level=TheoryLevel.INTERMEDIATE,
        started_on=D(2024, 9, 1),
        finished_on=D(2025, 6, 30),
    )
    assert Member.objects.get(pk=an.pk).theory_level == TheoryLevel.INTERMEDIATE
    actions.add_training(
        secretary,
        an,
        kind=TrainingKind.POLITICAL_THEORY,
        title="Sơ cấp",
        theory_level=TheoryLevel.ELEMENTARY,
        started_on=D(2020, 3, 1),
        finished_on=D(2020, 5, 31),
    )
    assert Member.objects.get(pk=an.pk).theory_level == TheoryLevel.INTERMEDIATE


def test_course_dates_are_checked(users, members):
    an, secretary = members["an"], users["secretary_A"]  # born 17/05/1980
    base = dict(kind=TrainingKind.REFRESHER, title="Bồi dưỡng đảng viên mới")
    refused(
        lambda: actions.add_training(secretary, an, **base, started_on=D(1996, 5, 16)),
        "started_on",
        words=("17/05/1996",),
    )
    actions.add_training(
        secretary, an, **base, started_on=D(1996, 5, 17), finished_on=D(1996, 5, 17)
    )
    refused(
        lambda: actions.add_training(
            secretary, an, **base, started_on=D(2026, 3, 1), finished_on=D(2026, 2, 28)
        ),
        "finished_on",
    )
    refused(
        lambda: actions.add_training(
            secretary, an, **base, theory_level=TheoryLevel.ADVANCED, started_on=D(2026, 3, 1)
        ),
        "theory_level",
    )
    refused(
        lambda: actions.add_training(
            secretary, an, kind=TrainingKind.POLITICAL_THEORY, title="x", started_on=D(2026, 3, 1)
        ),
        "theory_level",
    )
    forbidden(
        lambda: actions.add_training(users["committee_A"], an, **base, started_on=D(2026, 3, 1))
    )


def test_removing_a_course_gives_the_old_level_back(users, members):
    an, secretary = members["an"], users["secretary_A"]
    wrong = actions.add_training(
        secretary,
        an,
        kind=TrainingKind.POLITICAL_THEORY,
        title="Cao cấp (nhập nhầm)",
        theory_level=TheoryLevel.ADVANCED,
        started_on=D(2023, 1, 1),
        finished_on=D(2024, 12, 31),
    )
    assert Member.objects.get(pk=an.pk).theory_level == TheoryLevel.ADVANCED
    forbidden(lambda: actions.remove_training(users["standing_X"], wrong))
    actions.remove_training(secretary, wrong)
    assert Member.objects.get(pk=an.pk).theory_level == TheoryLevel.NONE
    assert not an.trainings.exists()


# Party badges.


def admitted(system, tree, name, day):
    return make_member(
        system,
        tree["A"],
        name,
        date_of_birth=D(1950, 1, 1),
        admitted_on=day,
        official_on=add_years(day, 1),
    )


def test_a_badge_is_due_on_the_award_date_the_party_age_is_reached(system, tree, members):
    on_the_day = admitted(system, tree, "Đúng Ngày", D(1996, 5, 19))
    day_after = admitted(system, tree, "Ngày Sau", D(1996, 5, 20))
    at_previous = admitted(system, tree, "Đúng Kỳ Trước", D(1996, 2, 3))
    leap = admitted(system, tree, "Năm Nhuận", D(1996, 2, 29))
    may = queries.badge_candidates(tree["A"], D(2026, 5, 19))
    assert may.previous == D(2026, 2, 3)
    assert {(c.member.pk, c.years) for c in may.due} == {(on_the_day.pk, 30), (leap.pk, 30)}
    september = queries.badge_candidates(tree["A"], D(2026, 9, 2))
    assert [(c.member.pk, c.years) for c in september.due] == [(day_after.pk, 30)]
    february = queries.badge_candidates(tree["A"], D(2026, 2, 3))
    assert [c.member.pk for c in february.due] == [at_previous.pk]
    # Across the year: 3/2 follows 7/11 of the year before.
    december = admitted(system, tree, "Cuối Năm", D(1996, 12, 1))
    next_february = queries.badge_candidates(tree["A"], D(2027, 2, 3))
    assert next_february.previous == D(2026, 11, 7)
    assert [c.member.pk for c in next_february.due] == [december.pk]


def test_award_a_badge_by_the_rules_of_the_pack(system, tree, users, members):
    member = admitted(system, tree, "Đúng Ngày", D(1996, 5, 19))
    staff = users["staff_X"]
    refused(
        lambda: actions.award_badge(staff, member, 30, D(2026, 5, 20), "100-QĐ/TU"),
        "awarded_on",
        words=("3/2", "19/5", "2/9", "7/11"),
    )
    refused(
        lambda: actions.award_badge(staff, member, 30, D(2026, 2, 3), "100-QĐ/TU"),
        "years",
        words=("29", "19/05/1996"),
    )
    refused(
        lambda: actions.award_badge(staff, member, 35, D(2026, 5, 19), "100-QĐ/TU"),
        "years",
        words=("30, 40, 45",),
    )
    refused(lambda: actions.award_badge(staff, member, 30, D(2026, 5, 19), ""), "decision_number")
    forbidden(lambda: actions.award_badge(users["secretary_A"], member, 30, D(2026, 5, 19), "1"))
    actions.award_badge(staff, member, 30, D(2026, 5, 19), "100-QĐ/TU")
    assert list(member.badges.values_list("years", flat=True)) == [30]
    refused(
        lambda: actions.award_badge(staff, member, 30, D(2026, 9, 2), "101-QĐ/TU"),
        "years",
        words=("19/05/2026",),
    )
    assert queries.badge_candidates(tree["A"], D(2026, 5, 19)).due == []


def test_older_members_with_badges_never_recorded(system, tree, users, members):
    old = admitted(system, tree, "Lão Thành", D(1980, 1, 10))  # 46 years in 2026
    listing = queries.badge_candidates(tree["A"], D(2026, 5, 19))
    assert [(c.member.pk, c.missing) for c in listing.overdue] == [(old.pk, [30, 40, 45])]
    actions.award_badge(users["staff_X"], old, 40, D(2020, 2, 3), "7-QĐ/TU")
    listing = queries.badge_candidates(tree["A"], D(2026, 5, 19))
    assert [c.missing for c in listing.overdue] == [[45]]
    actions.award_badge(users["staff_X"], old, 45, D(2025, 2, 3), "9-QĐ/TU")
    assert queries.badge_candidates(tree["A"], D(2026, 5, 19)).overdue == []


def test_the_committee_list_covers_its_subtree(system, tree, members):
    admitted(system, tree, "Đúng Ngày", D(1996, 5, 19))
    make_member(
        system, tree["T"], "Ngoài Xã", admitted_on=D(1996, 5, 19), date_of_birth=D(1950, 1, 1)
    )
    names = [c.member.full_name for c in queries.badge_candidates(tree["X"], D(2026, 5, 19)).due]
    assert names == ["Đúng Ngày"]


def test_party_age_counts_from_the_admission_decision(system, tree):
    member = admitted(system, tree, "Tuổi Đảng", D(1996, 2, 29))
    assert member.party_age(D(2026, 2, 27)) == 29
    assert member.party_age(D(2026, 2, 28)) == 30


# Corrections the member asks for.


def test_a_member_asks_and_the_cell_corrects(users, members):
    duc, me = members["duc"], users["member_A"]
    correction = actions.request_correction(
        me, duc, "date_of_birth", "17/06/1980", "Giấy khai sinh ghi 17/6/1980"
    )
    assert correction.current_value == "1980-05-17"
    assert correction.requested_shown == "17/06/1980"
    forbidden(lambda: actions.approve_correction(users["committee_A"], correction))
    forbidden(lambda: actions.approve_correction(users["stranger"], correction))
    actions.approve_correction(users["secretary_A"], correction, "Đã đối chiếu")
    assert Member.objects.get(pk=duc.pk).date_of_birth == D(1980, 6, 17)
    correction.refresh_from_db()
    assert correction.outcome == "approved" and correction.answer == "Đã đối chiếu"
    assert AuditEvent.objects.filter(action="member.update", object_id=str(duc.pk)).exists()


def test_only_the_member_asks_for_their_own_record(users, members):
    forbidden(
        lambda: actions.request_correction(
            users["secretary_A"], members["duc"], "ethnicity", "Tày", "x"
        )
    )
    forbidden(
        lambda: actions.request_correction(
            users["member_A"], members["an"], "ethnicity", "Tày", "x"
        )
    )


def test_a_correction_is_checked_when_asked(users, members):
    duc, me = members["duc"], users["member_A"]
    refused(lambda: actions.request_correction(me, duc, "status", "expelled", "x"), "field")
    refused(
        lambda: actions.request_correction(me, duc, "admitted_on", "31/02/2010", "x"),
        "requested_value",
    )
    refused(lambda: actions.request_correction(me, duc, "phone", "12345", "x"), "requested_value")
    refused(
        lambda: actions.request_correction(me, duc, "full_name", "Đỗ Minh Đức", "x"),
        "requested_value",
    )
    refused(lambda: actions.request_correction(me, duc, "ethnicity", "Tày", ""), "reason")
    actions.request_correction(me, duc, "ethnicity", "Tày", "Căn cước ghi dân tộc Tày")
    refused(lambda: actions.request_correction(me, duc, "ethnicity", "Nùng", "x"), "field")


def test_a_value_that_breaks_a_registry_rule_is_refused_and_the_request_waits(users, members):
    duc = members["duc"]  # admitted 02/03/2010, official 02/03/2011
    correction = actions.request_correction(
        users["member_A"], duc, "official_on", "01/03/2010", "Quyết định công nhận"
    )
    refused(
        lambda: actions.approve_correction(users["secretary_A"], correction),
        "requested_value",
        words=("admission date",),
    )
    assert CorrectionRequest.objects.get(pk=correction.pk).outcome == "pending"


def test_a_citizen_id_is_kept_masked_in_the_request(users, members):
    an = members["an"]
    user = User.objects.create_user("an", password="pw-an-123", member=an)
    Role.objects.create(user=user, organisation=an.cell, kind="member")
    correction = actions.request_correction(user, an, "citizen_id", "001080012346", "Căn cước mới")
    assert correction.current_value == "001••••••345"
    assert correction.requested_masked == "001••••••346"
    actions.approve_correction(users["deputy_A"], correction)
    assert Member.objects.get(pk=an.pk).citizen_id == "001080012346"


def test_refusing_needs_an_answer_the_member_reads(users, members):
    correction = actions.request_correction(
        users["member_A"], members["duc"], "hometown", "Hà Giang", "Sai quê"
    )
    refused(lambda: actions.refuse_correction(users["secretary_A"], correction, " "), "answer")
    actions.refuse_correction(users["secretary_A"], correction, "Lý lịch gốc ghi Tuyên Quang")
    correction.refresh_from_db()
    assert correction.outcome == "refused"
    refused(lambda: actions.approve_correction(users["secretary_A"], correction), "answer")


def test_badges_and_endings_are_kept_with_the_member(system, tree, users):
    member = admitted(system, tree, "Lão Thành", D(1980, 1, 10))
    actions.award_badge(users["staff_X"], member, 45, D(2025, 2, 3), "9-QĐ/TU")
    actions.end_membership(users["secretary_A"], member, Status.DECEASED, D(2026, 1, 5))
    refused(
        lambda: actions.award_badge(users["staff_X"], member, 40, D(2026, 2, 3), "x"),
        "awarded_on",
        words=("05/01/2026",),
    )
    assert Badge.objects.filter(member=member).count() == 1
