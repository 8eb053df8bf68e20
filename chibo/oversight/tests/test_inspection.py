"""Inspection, supervision and discipline: each form of discipline against each subject, the
steps in order, due days of what is received (month ends included), the statistics of a
subtree against figures counted by hand, what the annual review asks, and who sees what."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chibo.audit.models import AuditEvent
from chibo.members.actions import end_membership
from chibo.oversight import inspection as work
from chibo.oversight.models import (
    Complaint,
    ComplaintKind,
    DisciplineDecision,
    Inspection,
    InspectionKind,
    InspectionState,
)
from chibo.oversight.tests.conftest import hold
from chibo.regulations import loader, workdays
from tests.fixtures import ROLE_CASES, make_member

pytestmark = pytest.mark.django_db

D = datetime.date
DECIDED, RECEIVED = D(2026, 11, 2), D(2026, 1, 5)
FORMS = ("reprimand", "warning", "removal_from_post", "expulsion", "dissolution")
# Điều lệ Đảng and QĐ 296, written out here rather than read from the pack.
ALLOWED = {
    "organisation": {"reprimand", "warning", "dissolution"},
    "official": {"reprimand", "warning", "removal_from_post", "expulsion"},
    "probationary": {"reprimand", "warning"},
}
SUBJECT_LABEL = {
    "organisation": "an organisation",
    "official": "an official member",
    "probationary": "a probationary member",
}


def _subject(kind, tree, members):
    return {"organisation": tree["G"], "official": members["an"], "probationary": members["lan"]}[
        kind
    ]


def _errors(call, *args, **kwargs) -> dict:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        call(*args, **kwargs)
    return exc.value.message_dict


def _decide(actor, org, subject, form="reprimand", number="1-QĐ/UBKT", on=DECIDED):
    return work.decide_discipline(
        actor, org, subject=subject, form=form, number=number, decided_on=on, reason="Vi phạm"
    )


def _inspect(actor, org, subject, kind=InspectionKind.THEMATIC_INSPECTION, **steps):
    """Open an inspection and record the steps given (notice, self_report, meeting) in
    order, then the conclusion (a (day, result) pair) if given."""
    inspection = work.open_inspection(
        actor, org, kind=kind, subject=subject, topic="Thực hiện Chỉ thị 50"
    )
    for step in work.RECORDED_STEPS:
        if step in steps:
            inspection = work.record_step(actor, inspection, step, steps[step])
    if "conclusion" in steps:
        day, result = steps["conclusion"]
        inspection = work.conclude(
            actor, inspection, on=day, result=result, conclusion="Kết luận của đoàn kiểm tra"
        )
    return inspection


def _full(notice, report, meeting, concluded, result="nothing") -> dict:
    return {
        "notice": notice,
        "self_report": report,
        "meeting": meeting,
        "conclusion": (concluded, result),
    }


# Discipline: forms and subjects.


@pytest.mark.parametrize("kind", sorted(ALLOWED))
@pytest.mark.parametrize("form", FORMS)
def test_each_form_against_each_subject(clock, tree, members, users, kind, form):
    subject = _subject(kind, tree, members)
    if form in ALLOWED[kind]:
        decision = _decide(users["inspection_X"], tree["X"], subject, form)
        assert decision.form == form and decision.pack_id == "discipline-2025"
        assert decision.subject == subject and decision.is_effective
        assert AuditEvent.objects.filter(action="discipline.decide").count() == 1
    else:
        errors = _errors(_decide, users["inspection_X"], tree["X"], subject, form)
        message = errors["form"][0]
        assert SUBJECT_LABEL[kind] in message and "296-QĐ/TW" in message
        for allowed in ALLOWED[kind]:
            assert allowed.replace("_", " ") in message
        assert not DisciplineDecision.objects.exists()


def test_a_member_is_judged_by_their_status_on_the_day_of_the_decision(clock, tree, users):
    new = make_member(users["admin_P"], tree["A"], "Hoàng Văn Mới", official_on=D(2026, 6, 1))
    before = _errors(_decide, users["standing_X"], tree["X"], new, "expulsion", on=D(2026, 5, 15))
    assert "a probationary member" in before["form"][0]
    decision = _decide(users["standing_X"], tree["X"], new, "expulsion", on=D(2026, 6, 2))
    assert decision.form == "expulsion"
    # The expulsion is recorded; the membership ends only when the committee records it.
    new.refresh_from_db()
    assert new.status == "official"
    end_membership(
        users["standing_X"],
        new,
        "expelled",
        D(2026, 6, 2),
        decision_number=decision.number,
        decided_by=decision.decided_by.name,
    )
    new.refresh_from_db()
    assert new.status == "expelled"
    # The one expelled may still complain about it, to the committee above.
    complaint = work.record_complaint(
        users["admin_P"],
        tree["P"],
        kind=ComplaintKind.COMPLAINT,
        received_on=D(2026, 6, 20),
        sender="Hoàng Văn Mới",
        summary="Đề nghị xem xét lại",
        discipline=decision,
    )
    assert complaint.subject == new and complaint.due_on is not None
    assert (
        "no longer a current member"
        in _errors(_decide, users["standing_X"], tree["X"], new, "warning", number="2")["subject"][
            0
        ]
    )


def test_a_cell_decides_only_reprimand_and_warning_for_its_members(clock, tree, members, system):
    assert _decide(system, tree["A"], members["an"], "warning").decided_by == tree["A"]
    errors = _errors(_decide, system, tree["A"], members["duc"], "removal_from_post", number="2")
    assert "A cell decides only reprimand, warning" in errors["form"][0]
    assert work.allowed_forms(tree["A"], members["duc"], D(2026, 11, 2)) == (
        "reprimand",
        "warning",
    )


def test_the_deciding_committee_is_above_the_subject(clock, tree, members, users):
    inspector = users["inspection_X"]
    assert (
        "not an organisation below"
        in _errors(_decide, inspector, tree["X"], tree["X"])["subject"][0]
    )
    with pytest.raises(PermissionDenied):
        _decide(inspector, tree["X2"], tree["T"])
    assert (
        "not a member within"
        in _errors(_decide, users["admin_P"], tree["G"], members["lan"])["subject"][0]
    )
    for role in ("staff_X", "secretary_A", "committee_A", "member_A", "stranger"):
        with pytest.raises(PermissionDenied):
            _decide(users[role], tree["X"], members["an"])
    assert not DisciplineDecision.objects.exists()


def test_a_decision_number_is_used_once_by_each_committee(clock, tree, members, users):
    _decide(users["inspection_X"], tree["X"], members["an"], number="07-QĐ/UBKT")
    errors = _errors(_decide, users["inspection_X"], tree["X"], members["duc"], number="07-QĐ/UBKT")
    assert "already has a decision numbered 07-QĐ/UBKT" in errors["number"][0]
    assert _decide(users["admin_P"], tree["G"], members["duc"], number="07-QĐ/UBKT").pk


def test_a_decision_in_the_future_or_before_any_pack_is_refused(clock, tree, members, users):
    future = _errors(_decide, users["inspection_X"], tree["X"], members["an"], on=D(2026, 12, 2))
    assert "has not come yet" in future["decided_on"][0]
    early = _errors(_decide, users["inspection_X"], tree["X"], members["an"], on=D(2025, 5, 29))
    assert "No discipline rules are in force on 29/05/2025" in early["decided_on"][0]


def test_an_annulled_decision_no_longer_counts(clock, tree, members, users):
    decision = _decide(users["inspection_X"], tree["X"], members["an"], on=D(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        work.annul_discipline(
            users["secretary_A"], decision, annulled_on=D(2026, 4, 1), reason="Khiếu nại đúng"
        )
    assert (
        "The decision was made on"
        in _errors(
            work.annul_discipline,
            users["admin_P"],
            decision,
            annulled_on=D(2026, 3, 1),
            reason="Khiếu nại đúng",
        )["annulled_on"][0]
    )
    assert work.disciplined_in_year(members["an"], 2026)
    work.annul_discipline(
        users["admin_P"], decision, annulled_on=D(2026, 4, 1), reason="Khiếu nại đúng"
    )
    assert not work.disciplined_in_year(members["an"], 2026)
    assert (
        "annulled on"
        in _errors(
            work.annul_discipline, users["admin_P"], decision, annulled_on=D(2026, 4, 2), reason="x"
        )["annulled_on"][0]
    )


# Inspections: the steps in order.


def test_the_steps_come_in_order_and_stop_at_the_conclusion(clock, tree, members, users):
    actor = users["inspection_X"]
    inspection = work.open_inspection(
        actor,
        tree["X"],
        kind=InspectionKind.THEMATIC_INSPECTION,
        subject=members["an"],
        topic="Đạo đức, lối sống",
    )
    assert inspection.state == InspectionState.PLANNED
    errors = _errors(work.record_step, actor, inspection, "self_report", D(2026, 11, 5))
    assert errors["step"] == ["Record the notice before the self-report."]
    inspection = work.record_step(actor, inspection, "notice", D(2026, 11, 2))
    errors = _errors(work.record_step, actor, inspection, "self_report", D(2026, 11, 1))
    assert errors["on"] == ["The self-report cannot come before the notice (02/11/2026)."]
    inspection = work.record_step(actor, inspection, "self_report", D(2026, 11, 5))
    errors = _errors(
        work.conclude, actor, inspection, on=D(2026, 11, 20), result="nothing", conclusion="x"
    )
    assert errors["step"] == ["Record the meeting before the conclusion."]
    inspection = work.record_step(actor, inspection, "meeting", D(2026, 11, 10))
    assert inspection.state == InspectionState.MET
    # A step already recorded is corrected within its neighbours' days.
    errors = _errors(work.record_step, actor, inspection, "notice", D(2026, 11, 6))
    assert errors["on"] == ["The notice cannot come after the self-report (05/11/2026)."]
    inspection = work.record_step(actor, inspection, "notice", D(2026, 11, 3))
    assert inspection.notice_on == D(2026, 11, 3)
    errors = _errors(work.record_step, actor, inspection, "meeting", D(2026, 12, 2))
    assert "has not come yet" in errors["on"][0]
    errors = _errors(
        work.conclude, actor, inspection, on=D(2026, 11, 9), result="violation", conclusion="x"
    )
    assert errors["on"] == ["The conclusion cannot come before the meeting (10/11/2026)."]
    # An inspection concludes on a violation; a supervision only finds signs of one.
    errors = _errors(
        work.conclude,
        actor,
        inspection,
        on=D(2026, 11, 20),
        result="signs_of_violation",
        conclusion="x",
    )
    assert "Violation found" in errors["result"][0]
    inspection = work.conclude(
        actor, inspection, on=D(2026, 11, 20), result="violation", conclusion="Có vi phạm"
    )
    assert inspection.state == InspectionState.CONCLUDED
    errors = _errors(work.record_step, actor, inspection, "meeting", D(2026, 11, 11))
    assert "concluded" in errors["step"][0]
    assert (
        "concluded on"
        in _errors(
            work.conclude, actor, inspection, on=D(2026, 11, 21), result="nothing", conclusion="x"
        )["on"][0]
    )
    steps = AuditEvent.objects.filter(action="inspection.step", object_id=str(inspection.pk))
    assert steps.count() == 4


def test_a_supervision_finds_signs_but_no_violation(clock, tree, users):
    actor = users["standing_X"]
    supervision = _inspect(
        actor,
        tree["X"],
        tree["A"],
        kind=InspectionKind.REGULAR_SUPERVISION,
        notice=D(2026, 10, 1),
        self_report=D(2026, 10, 5),
        meeting=D(2026, 10, 9),
    )
    errors = _errors(
        work.conclude, actor, supervision, on=D(2026, 10, 10), result="violation", conclusion="x"
    )
    assert "Signs of violation" in errors["result"][0]
    supervision = work.conclude(
        actor, supervision, on=D(2026, 10, 10), result="signs_of_violation", conclusion="x"
    )
    with translation.override("en"):
        assert supervision.get_result_display() == "Signs of violation: an inspection follows"


def test_an_inspection_is_of_something_below_and_by_those_who_manage(clock, tree, members, users):
    def open_(actor, org, subject):
        return work.open_inspection(
            actor, org, kind=InspectionKind.REGULAR_SUPERVISION, subject=subject, topic="x"
        )

    assert (
        "not an organisation below"
        in _errors(open_, users["standing_X"], tree["X"], tree["X"])["subject"][0]
    )
    assert (
        "not a member within"
        in _errors(open_, users["standing_X"], tree["X"], members["tung"])["subject"][0]
    )
    for role in ("staff_X", "secretary_A", "deputy_A", "stranger"):
        with pytest.raises(PermissionDenied):
            open_(users[role], tree["X"], members["an"])
    errors = _errors(
        work.open_inspection, users["standing_X"], tree["X"], kind="audit", subject=None, topic=""
    )
    assert set(errors) == {"kind", "topic", "subject"}
    assert not Inspection.objects.exists()


def test_the_meeting_step_names_the_cell_meeting_that_reviewed_it(
    clock, cell_a, tree, members, users, system
):
    meeting = hold(clock, system, cell_a, D(2026, 11, 3))
    clock.set(D(2026, 12, 1))
    actor = users["inspection_X"]
    an = _inspect(
        actor, tree["X"], members["an"], notice=D(2026, 10, 20), self_report=D(2026, 11, 1)
    )
    an = work.record_step(actor, an, "meeting", None, meeting=meeting)
    assert (an.meeting_on, an.meeting) == (D(2026, 11, 3), meeting)
    hoa = _inspect(
        actor, tree["X"], members["hoa"], notice=D(2026, 10, 20), self_report=D(2026, 11, 1)
    )
    errors = _errors(work.record_step, actor, hoa, "meeting", None, meeting=meeting)
    assert "must be one of Trần Thị Hoa's cell" in errors["meeting"][0]
    of_cell = _inspect(
        actor, tree["X"], tree["G"], notice=D(2026, 10, 20), self_report=D(2026, 11, 1)
    )
    errors = _errors(work.record_step, actor, of_cell, "meeting", D(2026, 11, 4), meeting=meeting)
    assert errors["on"] == ["The meeting was on 03/11/2026."]


# What is received, and when it is due.


def _receive(actor, org, subject, kind=ComplaintKind.DENUNCIATION, on=RECEIVED, **extra):
    fields = {"sender": "Nguyễn Văn Tố", "summary": "Nội dung đơn"} | extra
    return work.record_complaint(actor, org, kind=kind, received_on=on, subject=subject, **fields)


def test_the_due_day_counts_working_days_and_more_at_the_central_level(
    clock, tree, members, system
):
    # 90 working days (the shipped pack; 180 at the Central level).
    at_x = _receive(system, tree["X"], members["an"], on=D(2026, 1, 30))
    assert at_x.due_on == workdays.add_working_days(D(2026, 1, 30), 90)
    assert at_x.pack_id == "discipline-2025"
    at_c = _receive(system, tree["C"], tree["P"], on=D(2026, 1, 30))
    assert at_c.due_on == workdays.add_working_days(D(2026, 1, 30), 180)
    # Friday 30 January 2026: 90 working days skip the weekends, the five days of Tết and
    # 27 April (Giỗ Tổ moved), 30 April and 1 May: 15 + 22 + 20 + 20 + 13 ends on 17 June.
    assert at_x.due_on == D(2026, 6, 17)


@pytest.fixture
def ha_giang_pack(tmp_path, settings):
    """A provincial discipline pack for Hà Giang: a complaint within one month, a
    denunciation within 30 calendar days."""
    data = json.loads((loader.PACKS_DIR / "discipline-2025.json").read_text("utf-8"))
    data.update(
        id="discipline-ha-giang",
        scope={"province": "Hà Giang"},
        applies_from="2020-01-01",
        unconfirmed={},
    )
    data["discipline"]["handling"] = {
        "complaint": {"within": 1, "unit": "months"},
        "denunciation": {"within": 30, "unit": "days"},
    }
    (tmp_path / "discipline-ha-giang.json").write_text(json.dumps(data), "utf-8")
    settings.CHIBO_REGULATION_PACK_DIRS = [str(tmp_path)]


@pytest.mark.parametrize(
    "kind, received, due",
    [
        (ComplaintKind.COMPLAINT, D(2026, 1, 31), D(2026, 2, 28)),
        (ComplaintKind.COMPLAINT, D(2024, 1, 31), D(2024, 2, 29)),
        (ComplaintKind.COMPLAINT, D(2026, 3, 31), D(2026, 4, 30)),
        (ComplaintKind.COMPLAINT, D(2025, 12, 31), D(2026, 1, 31)),
        (ComplaintKind.COMPLAINT, D(2026, 2, 28), D(2026, 3, 28)),
        (ComplaintKind.DENUNCIATION, D(2026, 1, 31), D(2026, 3, 2)),
        (ComplaintKind.DENUNCIATION, D(2024, 1, 31), D(2024, 3, 1)),
        (ComplaintKind.DENUNCIATION, D(2025, 12, 15), D(2026, 1, 14)),
    ],
)
def test_due_days_around_month_ends(
    clock, ha_giang_pack, tree, members, system, kind, received, due
):
    complaint = _receive(system, tree["X"], members["an"], kind=kind, on=received)
    assert (complaint.pack_id, complaint.due_on) == ("discipline-ha-giang", due)


def test_another_province_keeps_the_national_pack(clock, ha_giang_pack, tree, system):
    complaint = _receive(system, tree["C"], tree["P2"], on=D(2026, 1, 31))
    assert complaint.pack_id == "discipline-2025"


def test_an_anonymous_denunciation_is_recorded_but_not_handled(clock, tree, members, users):
    actor = users["inspection_X"]
    anonymous = _receive(actor, tree["X"], members["an"], sender="")
    assert anonymous.is_anonymous and anonymous.due_on is None
    assert list(work.complaints_of(tree["X"])) == []
    assert list(work.complaints_of(tree["X"], "not_handled")) == [anonymous]
    errors = _errors(
        work.handle_complaint,
        actor,
        anonymous,
        handled_on=D(2026, 2, 1),
        outcome="upheld",
        note="x",
    )
    assert "anonymous denunciation is recorded but not handled" in errors["outcome"][0]
    errors = _errors(
        _receive, actor, tree["X"], members["an"], kind=ComplaintKind.COMPLAINT, sender=""
    )
    assert "give the name" in errors["sender"][0]
    # Who sent it stays out of the audit log.
    named = _receive(actor, tree["X"], members["an"])
    event = AuditEvent.objects.get(action="complaint.record", object_id=str(named.pk))
    assert "Nguyễn Văn Tố" not in json.dumps(event.changes, ensure_ascii=False)
    assert "Nguyễn Văn Tố" not in event.object_repr


def test_a_state_bodys_notice_comes_within_five_days(clock, tree, members, users):
    actor = users["inspection_X"]
    notice = _receive(
        actor,
        tree["X"],
        members["hoa"],
        kind=ComplaintKind.STATE_NOTICE,
        on=D(2026, 4, 20),
        sender="UBND xã Đồng Văn",
        state_decided_on=D(2026, 4, 10),
    )
    assert notice.due_on is None and work.notice_days_late(notice) == 5
    in_time = _receive(
        actor,
        tree["X"],
        members["an"],
        kind=ComplaintKind.STATE_NOTICE,
        on=D(2026, 4, 15),
        sender="Trường THPT Đồng Văn",
        state_decided_on=D(2026, 4, 10),
    )
    assert work.notice_days_late(in_time) == 0
    assert set(work.complaints_of(tree["X"])) == {notice, in_time}
    errors = _errors(
        work.handle_complaint, actor, notice, handled_on=D(2026, 4, 25), outcome="upheld", note="x"
    )
    assert "Considered" in errors["outcome"][0]
    work.handle_complaint(actor, notice, handled_on=D(2026, 4, 25), outcome="considered", note="x")
    errors = _errors(
        _receive, actor, tree["X"], tree["G"], kind=ComplaintKind.STATE_NOTICE, sender="UBND"
    )
    assert set(errors) == {"subject", "state_decided_on"}


def test_a_complaint_about_a_decision_is_about_its_subject(clock, tree, members, users):
    decision = _decide(users["inspection_X"], tree["X"], members["an"], on=D(2026, 3, 2))
    complaint = _receive(
        users["admin_P"],
        tree["P"],
        None,
        kind=ComplaintKind.COMPLAINT,
        on=D(2026, 3, 20),
        sender="Nguyễn Văn An",
        discipline=decision,
    )
    assert complaint.subject == members["an"] and complaint.discipline == decision
    errors = _errors(
        _receive,
        users["admin_P"],
        tree["P"],
        members["duc"],
        kind=ComplaintKind.COMPLAINT,
        sender="Đỗ Minh Đức",
        discipline=decision,
    )
    assert "the one the decision disciplined" in errors["subject"][0]
    errors = _errors(
        _receive,
        users["admin_P"],
        tree["G"],
        None,
        kind=ComplaintKind.COMPLAINT,
        sender="Nguyễn Văn An",
        discipline=decision,
    )
    assert "its own decisions and those below it" in errors["discipline"][0]


def test_open_complaints_past_their_due_day_are_overdue(clock, tree, members, users):
    actor = users["inspection_X"]
    late = _receive(actor, tree["X"], members["duc"], on=D(2026, 1, 5))
    recent = _receive(actor, tree["X"], members["an"], on=D(2026, 11, 20))
    handled = _receive(actor, tree["G"], members["hoa"], on=D(2026, 1, 6))
    work.handle_complaint(actor, handled, handled_on=D(2026, 1, 20), outcome="not_upheld", note="x")
    assert late.is_overdue(D(2026, 12, 1)) and not recent.is_overdue(D(2026, 12, 1))
    assert list(work.complaints_of(tree["X"], "overdue")) == [late]
    assert list(work.complaints_of(tree["X"])) == [recent, late]
    assert list(work.complaints_of(tree["X"], "handled")) == [handled]
    assert list(work.complaints_of(tree["G"], "all")) == [handled]
    errors = _errors(
        work.handle_complaint, actor, recent, handled_on=D(2026, 11, 19), outcome="upheld", note=""
    )
    assert set(errors) == {"handled_on", "note"}


# Statistics against figures counted by hand.


@pytest.fixture
def year_2026(clock, tree, members, users):
    """A year of work in X's subtree, and some outside it.

    Concluded in 2026: supervision of A (10/03 and 10/05), of an (01/06); inspection of G
    (01/07), of X itself by P (01/09); on suspected violation of duc (01/08). Not counted:
    hoa's (not concluded), S's (2025), T's (outside X).
    Discipline in 2026: an reprimanded (15/01) and warned (10/08), lan reprimanded (01/03),
    G reprimanded (01/09); duc's reprimand (01/02) annulled; hoa's warning is of 2025.
    Received: by X a denunciation about duc (05/01, open: overdue), an anonymous one about
    an (01/02), an's complaint (20/01, handled 10/02), a state body's notice about hoa
    (10/04, considered 20/04); by G a denunciation about duc (01/03, handled 05/03).
    """
    x, p = users["inspection_X"], users["admin_P"]
    an, duc, hoa, lan = (members[k] for k in ("an", "duc", "hoa", "lan"))
    regular, thematic = InspectionKind.REGULAR_SUPERVISION, InspectionKind.THEMATIC_SUPERVISION
    _inspect(x, tree["X"], tree["A"], regular, **_full(*[D(2026, 3, d) for d in (1, 3, 5, 10)]))
    _inspect(x, tree["G"], tree["A"], thematic, **_full(*[D(2026, 5, d) for d in (1, 3, 5, 10)]))
    _inspect(
        x, tree["X"], an, thematic, **_full(*[D(2026, 5, d) for d in (20, 22, 25)], D(2026, 6, 1))
    )
    _inspect(x, tree["X"], tree["G"], **_full(*[D(2026, 6, d) for d in (1, 5, 10)], D(2026, 7, 1)))
    _inspect(p, tree["P"], tree["X"], **_full(*[D(2026, 8, d) for d in (1, 5, 10)], D(2026, 9, 1)))
    suspicion = InspectionKind.SUSPECTED_VIOLATION
    _inspect(
        x,
        tree["X"],
        duc,
        suspicion,
        **_full(*[D(2026, 7, d) for d in (1, 5, 10)], D(2026, 8, 1), "violation"),
    )
    _inspect(x, tree["X"], hoa, suspicion, notice=D(2026, 11, 2))
    _inspect(x, tree["X"], tree["S"], **_full(*[D(2025, 12, d) for d in (1, 5, 10, 20)]))
    _inspect(p, tree["P"], tree["T"], **_full(*[D(2026, 3, d) for d in (1, 5, 10, 20)]))

    first = _decide(x, tree["X"], an, "reprimand", "1", D(2026, 1, 15))
    _decide(x, tree["X"], an, "warning", "2", D(2026, 8, 10))
    _decide(x, tree["X"], lan, "reprimand", "3", D(2026, 3, 1))
    _decide(x, tree["X"], tree["G"], "reprimand", "4", D(2026, 9, 1))
    annulled = _decide(x, tree["X"], duc, "reprimand", "5", D(2026, 2, 1))
    work.annul_discipline(p, annulled, annulled_on=D(2026, 2, 20), reason="Khiếu nại đúng")
    _decide(x, tree["X"], hoa, "warning", "6", D(2025, 12, 30))

    _receive(x, tree["X"], duc, on=D(2026, 1, 5))
    _receive(x, tree["X"], an, on=D(2026, 2, 1), sender="")
    complaint = _receive(
        x, tree["X"], None, ComplaintKind.COMPLAINT, D(2026, 1, 20), discipline=first
    )
    work.handle_complaint(x, complaint, handled_on=D(2026, 2, 10), outcome="not_upheld", note="x")
    notice = _receive(
        x,
        tree["X"],
        hoa,
        ComplaintKind.STATE_NOTICE,
        D(2026, 4, 10),
        state_decided_on=D(2026, 4, 8),
    )
    work.handle_complaint(x, notice, handled_on=D(2026, 4, 20), outcome="considered", note="x")
    at_g = _receive(x, tree["G"], duc, on=D(2026, 3, 1))
    work.handle_complaint(x, at_g, handled_on=D(2026, 3, 5), outcome="upheld", note="x")
    return tree


def _counts(c) -> tuple[int, int]:
    return (c.organisations, c.members)


def test_the_statistics_of_a_year_match_the_count_by_hand(year_2026):
    from chibo.oversight.queries import Period

    stats = work.statistics(year_2026["X"], Period("year", 2026, 0), D(2026, 12, 1))
    assert (stats.first, stats.last) == (D(2026, 1, 1), D(2026, 12, 31))
    assert _counts(stats.supervised) == (1, 1)
    assert _counts(stats.inspected) == (2, 1)
    assert _counts(stats.inspected_on_suspicion) == (0, 1)
    assert _counts(stats.disciplined) == (1, 2)
    assert stats.by_form == {
        "reprimand": 3,
        "warning": 1,
        "removal_from_post": 0,
        "expulsion": 0,
        "dissolution": 0,
    }
    assert stats.received == {"complaint": 1, "denunciation": 3, "state_notice": 1}
    assert stats.not_to_handle == 1
    assert stats.handled == 3 and _counts(stats.handled_about) == (0, 3)
    assert stats.overdue == 1


def test_the_statistics_of_a_quarter_and_of_a_smaller_subtree(year_2026):
    from chibo.oversight.queries import Period

    q1 = work.statistics(year_2026["X"], Period("quarter", 2026, 1), D(2026, 12, 1))
    assert _counts(q1.supervised) == (1, 0) and _counts(q1.inspected) == (0, 0)
    assert _counts(q1.disciplined) == (0, 2) and q1.by_form["reprimand"] == 2
    assert q1.received == {"complaint": 1, "denunciation": 3, "state_notice": 0}
    assert q1.handled == 2 and q1.overdue == 1
    g = work.statistics(year_2026["G"], Period("year", 2026, 0), D(2026, 12, 1))
    # G's subtree: A supervised, G inspected, an supervised, duc inspected; G and an, lan
    # not (lan is in S); what G received.
    assert _counts(g.supervised) == (1, 1) and _counts(g.inspected) == (1, 1)
    assert _counts(g.disciplined) == (1, 1)
    assert g.received == {"complaint": 0, "denunciation": 1, "state_notice": 0}
    assert g.handled == 1 and g.overdue == 0
    previous = work.statistics(year_2026["X"], Period("year", 2025, 0), D(2026, 12, 1))
    assert _counts(previous.inspected) == (1, 0) and _counts(previous.disciplined) == (0, 1)


# What the annual review asks.


def test_disciplined_in_the_year_for_members_organisations_and_below(year_2026, members):
    tree = year_2026
    assert work.disciplined_in_year(members["an"], 2026)
    assert not work.disciplined_in_year(members["an"], 2025)
    assert not work.disciplined_in_year(members["duc"], 2026)  # annulled
    assert work.disciplined_in_year(members["hoa"], 2025)
    assert work.disciplined_in_year(tree["G"], 2026)
    assert not work.disciplined_in_year(tree["X"], 2026)
    assert work.disciplined_below_in_year(tree["X"], 2026)
    assert work.disciplined_below_in_year(tree["S"], 2026)  # lan
    assert work.disciplined_below_in_year(tree["A"], 2026)  # an
    assert not work.disciplined_below_in_year(tree["B"], 2026)
    assert work.disciplined_below_in_year(tree["B"], 2025)  # hoa
    assert not work.disciplined_below_in_year(tree["X2"], 2026)
    found = work.disciplined_ids(2026, tree["X"])
    assert found.organisations == {tree["G"].pk}
    assert found.members == {members["an"].pk, members["lan"].pk}
    assert work.disciplined_ids(2025).members == {members["hoa"].pk}


def test_an_organisation_disciplined_is_not_below_itself(clock, tree, users):
    _decide(users["admin_P"], tree["X2"], tree["T"], "warning")
    assert work.disciplined_in_year(tree["T"], 2026)
    assert not work.disciplined_below_in_year(tree["T"], 2026)
    assert work.disciplined_below_in_year(tree["X2"], 2026)


# Who sees what.


def test_each_role_sees_the_inspections_decisions_and_complaints_of_its_reach(
    clock, tree, members, users
):
    of_an = _inspect(users["inspection_X"], tree["X"], members["an"])
    of_b = _inspect(users["inspection_X"], tree["G"], tree["B"])
    of_t = _inspect(users["admin_P"], tree["X2"], tree["T"])
    decision = _decide(users["inspection_X"], tree["X"], members["an"])
    complaint = _receive(users["inspection_X"], tree["X"], members["an"])
    cell_a = {"secretary_A", "deputy_A"}
    above = {"standing_X", "inspection_X", "admin_P"}
    inspections = {"admin_P": {of_an, of_b, of_t}, "standing_X": {of_an, of_b}}
    inspections |= {"inspection_X": {of_an, of_b}, "secretary_A": {of_an}, "deputy_A": {of_an}}
    for role in ROLE_CASES:
        user = users[role]
        assert set(work.visible_inspections(user)) == inspections.get(role, set()), role
        decisions = {decision} if role in above | cell_a else set()
        complaints = {complaint} if role in above else set()
        assert set(work.visible_decisions(user)) == decisions, role
        assert set(work.visible_complaints(user)) == complaints, role
    assert Complaint.objects.count() == 1
