"""What other apps keep for a member follows the registry in the same transaction: when a
membership ends, an open transfer, a temporary stay, a residence registration and an open
probation are closed, saying why; when a home cell changes or a membership ends, the fee
summary rows (CellFeeMonth) are rewritten, so that `chibo fees verify` is clean at once.
A status edit cannot end (or reopen) a membership behind end_membership's back."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from chibo.admissions import actions as admissions
from chibo.admissions import queries as admission_queries
from chibo.admissions.models import Probation, ProbationState
from chibo.audit.models import AuditEvent
from chibo.fees import actions as fees
from chibo.fees.models import CellFeeMonth
from chibo.members import actions
from chibo.members.models import Member, RemovalGround, Status
from chibo.orgs.actions import merge_organisations
from chibo.transfers import actions as transfers
from chibo.transfers.models import ResidenceRegistration, Transfer, TransferStatus
from tests.fixtures import make_member

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date
TODAY = D(2026, 5, 20)
JAN, MAR, APR, MAY = D(2026, 1, 1), D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1)
MONTHS = [a for m in range(1, 6) for a in ("--month", f"2026-{m:02d}")]


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """Every test runs on 20/05/2026: the fee months and the deadlines do not move."""
    moment = datetime.datetime(2026, 5, 20, 10, 0, tzinfo=HCM)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def verify_clean():
    out = StringIO()
    call_command("fees", "verify", *MONTHS, stdout=out)  # raises CommandError on a difference
    return out.getvalue()


def row(cell, month):
    return CellFeeMonth.objects.get(cell=cell, month=month)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def fee_book(system, members):
    """an and duc (A), hoa (B) pay a salary fee from 01/2026; an paid January."""
    for key in ("an", "duc", "hoa"):
        fees.set_basis(system, members[key], basis="salary", income=5_850_000, from_month=JAN)
    fees.record_payment(system, members["an"], months=[JAN], paid_on=D(2026, 1, 10))
    verify_clean()
    return members


def in_transit(system, member, to_org):
    return transfers.issue_transfer(
        system,
        member,
        kind="official",
        reason="job",
        event_on=D(2026, 5, 1),
        letter_number="12-GGT/CB",
        letter_date=D(2026, 5, 10),
        to_org=to_org,
    )


def temporary_stay(system, member, to_org):
    stay = transfers.issue_transfer(
        system,
        member,
        kind="temporary",
        reason="training",
        event_on=D(2026, 4, 1),
        letter_number="9-GGT/CB",
        letter_date=D(2026, 4, 1),
        to_org=to_org,
        ends_on=D(2026, 12, 1),
    )
    return transfers.accept_transfer(system, stay, accepted_on=D(2026, 4, 6))


# 1. The end of a membership closes the member's open transfer, stay and probation.


def test_a_death_cancels_the_transfer_in_transit_and_ends_the_residence(system, tree, members):
    an = members["an"]
    transfer = in_transit(system, an, tree["T"])
    registration = transfers.register_residence(
        system, an, tree["S"], address="thôn Lũng Cú", registered_on=D(2026, 2, 1)
    )
    actions.end_membership(system, an, Status.DECEASED, D(2026, 5, 15))
    transfer = fresh(transfer)
    assert transfer.status == TransferStatus.CANCELLED and not transfer.is_open
    assert "15/05/2026" in transfer.cancelled_reason
    assert str(Status.DECEASED.label) in transfer.cancelled_reason
    # Audited on both sides, like any cancellation.
    cancelled = AuditEvent.objects.filter(action="transfer.cancel", object_id=str(transfer.pk))
    assert set(cancelled.values_list("organisation__code", flat=True)) == {"A", "T"}
    registration = ResidenceRegistration.objects.get(pk=registration.pk)
    assert registration.ended_on == D(2026, 5, 15) and registration.end_reason
    assert AuditEvent.objects.filter(action="residence.end").count() == 2
    # The member can be received nowhere now.
    with pytest.raises(ValidationError):
        transfers.accept_transfer(system, transfer, accepted_on=TODAY)


def test_an_expulsion_cancels_a_temporary_stay_and_the_member_leaves_the_receiving_cell(
    system, tree, members
):
    duc = members["duc"]
    stay = temporary_stay(system, duc, tree["B"])
    assert stay.status == TransferStatus.ACTIVE
    actions.end_membership(system, duc, Status.EXPELLED, D(2026, 5, 18), "5-QĐ/UBKT")
    stay = fresh(stay)
    assert stay.status == TransferStatus.CANCELLED and "18/05/2026" in stay.cancelled_reason
    assert not Transfer.objects.filter(member=duc, status__in=("in_transit", "active")).exists()
    from chibo.transfers import queries as transfer_queries

    assert not transfer_queries.temporary_members(tree["B"], TODAY).exists()
    assert transfer_queries.open_transfer(fresh(duc)) is None


def test_a_removal_decision_closes_the_transfer_too(system, users, tree, members):
    hoa = members["hoa"]
    transfer = in_transit(system, hoa, tree["A"])
    proposal = actions.propose_removal(
        users["admin_P"], hoa, RemovalGround.NO_WILL, 2026, note="Chi bộ đã giúp đỡ 3 tháng."
    )
    actions.decide_removal(users["admin_P"], proposal, True, "7-QĐ/ĐU", effective_on=D(2026, 5, 19))
    assert fresh(hoa).status == Status.REMOVED
    assert fresh(transfer).status == TransferStatus.CANCELLED


def test_a_refused_ending_leaves_the_transfer_open(system, tree, members):
    an = members["an"]
    transfer = in_transit(system, an, tree["T"])
    with pytest.raises(ValidationError):  # a removal needs its decision number
        actions.end_membership(system, an, Status.REMOVED, D(2026, 5, 15))
    assert fresh(transfer).status == TransferStatus.IN_TRANSIT
    assert fresh(an).status == Status.OFFICIAL


@pytest.fixture
def lan_on_probation(system, members):
    lan = members["lan"]
    lan.admitted_on = D(2026, 1, 5)
    lan.save()
    return admissions.open_probation(system, lan, ceremony_on=D(2026, 1, 20))


def test_a_death_closes_the_open_probation(system, tree, members, lan_on_probation):
    assert any(d.probation_id for d in admission_queries.deadlines(tree["S"], D(2027, 1, 10)))
    actions.end_membership(system, members["lan"], Status.DECEASED, D(2026, 5, 15))
    probation = Probation.objects.get(pk=lan_on_probation.pk)
    assert not probation.is_open and probation.state == ProbationState.REMOVED
    assert probation.outcome_on == D(2026, 5, 15)
    assert str(Status.DECEASED.label) in probation.outcome_reason
    assert probation.version == lan_on_probation.version + 1
    event = AuditEvent.objects.get(action="admissions.close")
    assert event.changes["ending"] == Status.DECEASED
    # No reminder, no decision waits for it any more.
    assert not any(d.probation_id for d in admission_queries.deadlines(tree["S"], D(2027, 1, 10)))
    with pytest.raises(ValidationError):
        admissions.decide_recognition(
            system, probation, recognised=True, number="1", decided_on=TODAY
        )


def test_a_transfer_out_of_the_system_closes_the_probation_as_transferred_out(
    system, tree, members, lan_on_probation
):
    transfers.issue_transfer(
        system,
        members["lan"],
        kind="official",
        reason="job",
        event_on=D(2026, 5, 1),
        letter_number="15-GGT/CB",
        letter_date=D(2026, 5, 10),
        outside_name="Đảng bộ Công an tỉnh",
    )
    probation = Probation.objects.get(pk=lan_on_probation.pk)
    assert probation.state == ProbationState.TRANSFERRED_OUT and not probation.is_open
    assert probation.outcome_number == "15-GGT/CB" and probation.outcome_on == D(2026, 5, 10)
    assert "Đảng bộ Công an tỉnh" in probation.outcome_reason
    assert fresh(members["lan"]).status == Status.TRANSFERRED_OUT
    # Nothing is left to remind anyone of: the probation goes on where the member went.
    assert not any(d.probation_id for d in admission_queries.deadlines(tree["S"], D(2027, 1, 10)))
    with pytest.raises(ValidationError):
        admissions.decide_recognition(
            system, probation, recognised=True, number="1", decided_on=TODAY
        )


def test_an_ended_membership_withdraws_the_invitation_to_a_planned_meeting(system, tree, members):
    from chibo.meetings import actions as meetings
    from chibo.meetings.models import Kind

    when = datetime.datetime(2026, 5, 28, 8, 0, tzinfo=HCM)
    planned = meetings.schedule_meeting(
        system, tree["A"], kind=Kind.EXTRAORDINARY, scheduled_at=when
    )
    meetings.send_notice(system, planned)
    assert planned.attendance.filter(member=members["duc"]).exists()
    actions.end_membership(system, members["duc"], Status.DECEASED, D(2026, 5, 18))
    assert not planned.attendance.filter(member=members["duc"]).exists()
    assert planned.attendance.filter(member=members["an"]).exists()


def test_removal_for_not_being_recognised_closes_the_probation_with_the_decision(
    system, users, members, lan_on_probation
):
    lan = members["lan"]
    proposal = actions.propose_removal(
        users["admin_P"], lan, RemovalGround.NOT_RECOGNISED, 2026, note="Không đủ tư cách."
    )
    actions.decide_removal(users["admin_P"], proposal, True, "8-QĐ/ĐU", effective_on=TODAY)
    probation = Probation.objects.get(pk=lan_on_probation.pk)
    assert probation.state == ProbationState.REMOVED
    assert probation.outcome_number == "8-QĐ/ĐU" and probation.outcome_on == TODAY


def test_the_committees_non_recognition_closes_the_probation_once(system, tree, members):
    """decide_recognition closes the probation with its own decision before it ends the
    membership: the hook finds nothing left to close, and the open transfer is cancelled."""
    from chibo.admissions.tests.conftest import meeting_in_progress

    newcomer = make_member(
        system,
        tree["A"],
        "Lý Văn Mới",
        status="probationary",
        official_on=None,
        admitted_on=D(2025, 1, 6),
    )
    probation = admissions.open_probation(system, newcomer, ceremony_on=D(2025, 1, 20))
    meeting = meeting_in_progress(system, tree["A"], TODAY)
    admissions.record_recognition_vote(system, probation, meeting, agree=0, disagree=2, abstain=0)
    transfer = in_transit(system, newcomer, tree["T"])
    probation = admissions.decide_recognition(
        system,
        probation,
        recognised=False,
        number="41-QĐ/ĐU",
        decided_on=TODAY,
        reason="Chi bộ không đề nghị công nhận",
    )
    probation = Probation.objects.get(pk=probation.pk)
    assert probation.state == ProbationState.REMOVED and probation.outcome_number == "41-QĐ/ĐU"
    assert probation.outcome_reason == "Chi bộ không đề nghị công nhận"
    assert AuditEvent.objects.filter(action="admissions.remove").count() == 1
    assert not AuditEvent.objects.filter(action="admissions.close").exists()
    assert fresh(newcomer).status == Status.REMOVED
    assert fresh(transfer).status == TransferStatus.CANCELLED


# 2. The fee summary rows follow a change of home cell and the end of a membership.


def test_a_change_of_home_cell_rewrites_both_cells_rows(system, tree, fee_book):
    an = fee_book["an"]
    assert row(tree["B"], MAR).members == 1
    actions.change_home_cell(system, an, tree["B"], D(2026, 3, 15), "Chuyển công tác")
    assert row(tree["A"], JAN).members == 2 and row(tree["A"], MAR).members == 1
    assert row(tree["B"], MAR).members == 2 and row(tree["B"], MAY).members == 2
    verify_clean()


def test_an_accepted_official_transfer_rewrites_the_rows(system, tree, fee_book):
    transfer = in_transit(system, fee_book["duc"], tree["B"])
    transfers.accept_transfer(system, transfer, accepted_on=D(2026, 5, 12))
    assert row(tree["B"], MAY).members == 2 and row(tree["A"], MAY).members == 1
    verify_clean()


def test_a_merge_rewrites_the_rows_of_the_merged_cells(users, tree, fee_book):
    merge_organisations(users["staff_X"], tree["B"], tree["A"], effective_on=D(2026, 4, 1))
    assert row(tree["A"], D(2026, 4, 1)).members == 3
    assert row(tree["B"], D(2026, 4, 1)).members == 0 and row(tree["B"], MAR).members == 1
    verify_clean()


def test_the_end_of_a_membership_rewrites_every_row_the_member_was_in(system, tree, fee_book):
    duc = fee_book["duc"]
    actions.change_home_cell(system, duc, tree["B"], D(2026, 3, 15), "Chuyển công tác")
    actions.end_membership(system, duc, Status.DECEASED, D(2026, 5, 15))
    # Past months keep the member in the cell they were in; from the month of the end they
    # are left out.
    assert row(tree["A"], JAN).members == 2
    assert row(tree["B"], APR).members == row(tree["B"], MAY).members + 1
    verify_clean()


def test_a_transfer_out_of_the_system_rewrites_the_rows(system, fee_book):
    transfers.issue_transfer(
        system,
        fee_book["an"],
        kind="official",
        reason="residence",
        event_on=D(2026, 5, 1),
        letter_number="15-GGT/CB",
        letter_date=D(2026, 5, 10),
        outside_name="Đảng bộ tỉnh Cao Bằng",
    )
    assert row(fee_book["an"].cell, MAY).members == 1
    verify_clean()


def test_a_member_without_a_fee_basis_leaves_the_rows_alone(system, tree, members):
    actions.change_home_cell(system, members["an"], tree["B"], D(2026, 3, 15), "Chuyển")
    actions.end_membership(system, members["duc"], Status.DECEASED, D(2026, 5, 15))
    assert not CellFeeMonth.objects.exists()


# 3. A status edit does not end a membership, nor reopen one.


def test_a_status_edit_cannot_end_or_reopen_a_membership(system, tree, members):
    an, duc = members["an"], members["duc"]
    transfer = in_transit(system, an, tree["T"])
    for status in (Status.DECEASED, Status.EXPELLED, Status.TRANSFERRED_OUT):
        with pytest.raises(ValidationError) as exc:
            actions.update_member(system, an, status=status)
        assert "status" in exc.value.message_dict
    assert fresh(an).status == Status.OFFICIAL
    assert fresh(transfer).status == TransferStatus.IN_TRANSIT
    assert an.periods.get().ended_on is None
    # A change among the current statuses is still an edit.
    assert actions.update_member(system, an, status=Status.EXEMPTED).status == Status.EXEMPTED
    actions.end_membership(system, duc, Status.DECEASED, D(2026, 5, 15))
    with pytest.raises(ValidationError):
        actions.update_member(system, duc, status=Status.OFFICIAL)
    # Other fields of an ended membership can still be corrected.
    assert actions.update_member(system, duc, hometown="Đồng Văn").hometown == "Đồng Văn"
    assert Member.objects.get(pk=duc.pk).status == Status.DECEASED


def test_only_the_recognition_makes_a_probationary_member_official(system, tree, members):
    from tests.fixtures import make_member

    new = make_member(
        system,
        tree["A"],
        "Hà Văn Mới",
        admitted_on=D(2025, 9, 2),
        official_on=None,
        status=Status.PROBATIONARY,
    )
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        actions.update_member(system, new, status=Status.OFFICIAL, official_on=D(2026, 9, 2))
    assert "recognition vote" in " ".join(exc.value.message_dict["status"])
    assert fresh(new).status == Status.PROBATIONARY and fresh(new).official_on is None
    # Nor is an official member made probationary again by an edit.
    with pytest.raises(ValidationError):
        actions.update_member(system, members["an"], status=Status.PROBATIONARY, official_on=None)
    assert fresh(members["an"]).status == Status.OFFICIAL
