"""Every fee write and the rule that refuses it: bases, exemptions, reductions, payments
(twice for a month, the portal's reference), arrears and unpaid_months around month ends,
the share remitted with and without an organisation's own setting, and the summary rows."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from chibo.audit.models import AuditEvent
from chibo.fees import actions, queries
from chibo.fees.ledger import Ledger
from chibo.fees.models import CellFeeMonth, FeeBasisPeriod, FeePayment, Remittance
from chibo.fees.tests.conftest import APR, FEB, HCM, JAN, MAR, MAY, snapshot
from chibo.members.actions import change_home_cell, end_membership
from chibo.members.models import Member, MembershipPeriod
from tests.fixtures import make_member

pytestmark = pytest.mark.django_db


def refused(call, field: str, *words: str):
    """Run a write that must be refused: the error names the field and the rule's words,
    and nothing changed."""
    before = snapshot()
    # The rule is asserted in its English wording; the default language is Vietnamese.
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        call()
    with translation.override("en"):
        messages = caught.value.message_dict
    assert field in messages, messages
    text = " ".join(messages[field])
    for word in words:
        assert word in text, text
    assert snapshot() == before
    return text


# The fee basis.


def test_a_basis_must_be_one_of_the_pack_and_a_percent_needs_the_income(book, users):
    secretary, an = users["secretary_A"], book["an"]
    refused(
        lambda: actions.set_basis(secretary, an, basis="salary", from_month=APR),
        "income",
        "1%",
        "01-QĐ/TW",
    )
    refused(
        lambda: actions.set_basis(secretary, an, basis="lottery", from_month=APR),
        "basis",
        "01-QĐ/TW",
    )
    # Whole đồng only: a float is refused, never rounded.
    refused(
        lambda: actions.set_basis(
            secretary, an, basis="salary", income=5_850_000.5, from_month=APR
        ),
        "income",
    )
    refused(
        lambda: actions.set_basis(secretary, an, basis="salary", income=-5, from_month=APR),
        "income",
    )


def test_a_fixed_basis_keeps_no_income_and_the_same_month_corrects(book, users):
    secretary, an = users["secretary_A"], book["an"]
    row = actions.set_basis(secretary, an, basis="no_insurance", income=99, from_month=APR)
    assert row.income is None
    again = actions.set_basis(secretary, an, basis="salary", income=7_000_000, from_month=APR)
    assert again.pk == row.pk and (again.basis, again.income) == ("salary", 7_000_000)
    assert FeeBasisPeriod.objects.filter(member=an).count() == 2
    # The income is personal data: the audit log masks it.
    event = AuditEvent.objects.filter(action="fees.set_basis").first()
    assert "7000000" not in str(event.changes) and "•••" in str(event.changes)
    assert queries.MemberFees(an).fee(APR).amount == 70_000
    assert queries.MemberFees(an).fee(MAR).amount == 59_000


def test_fees_start_with_membership(book, users):
    refused(
        lambda: actions.set_basis(
            users["secretary_A"],
            book["an"],
            basis="salary",
            income=5_000_000,
            from_month=datetime.date(2009, 1, 1),
        ),
        "from_month",
        "02/03/2010",
    )


def test_only_those_who_collect_fees_record_them(book, users):
    for role in ("member_A", "standing_X", "inspection_X", "stranger"):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            actions.set_basis(
                users[role], book["an"], basis="salary", income=1_000_000, from_month=APR
            )
        with pytest.raises(PermissionDenied):
            actions.record_payment(users[role], book["an"], months=[APR], paid_on=MAY)
        assert snapshot() == before
    # Staff of the commune collect in its cells, not in another commune's.
    actions.record_payment(users["staff_X"], book["an"], months=[APR], paid_on=MAY)
    with pytest.raises(PermissionDenied):
        actions.record_payment(users["staff_X"], book["tung"], months=[FEB], paid_on=MAY)


# Exemptions and reductions.


def test_an_exemption_takes_a_ground_of_the_pack_and_the_application_date(book, users):
    secretary, duc = users["secretary_A"], book["duc"]
    # 50 years of party age exempts from 1/2/2026 (Quy định 01-QĐ/TW), not under 342-QĐ/TW.
    refused(
        lambda: actions.grant_exemption(
            secretary, duc, key="party_age_50", from_month=JAN, applied_on=JAN
        ),
        "key",
        "342-QĐ/TW",
    )
    refused(
        lambda: actions.grant_exemption(
            secretary, duc, key="serious_illness", from_month=FEB, applied_on=None
        ),
        "applied_on",
        "application",
    )
    exemption = actions.grant_exemption(
        secretary,
        duc,
        key="serious_illness",
        from_month=FEB,
        applied_on=datetime.date(2026, 2, 3),
        note="Giấy ra viện",
    )
    fees = queries.MemberFees(duc)
    assert [fees.fee(m).amount for m in (JAN, FEB, MAR)] == [21_000, 0, 0]
    refused(
        lambda: actions.grant_exemption(
            secretary, duc, key="poor_household", from_month=MAR, applied_on=MAR
        ),
        "from_month",
        "already exempt",
    )
    actions.end_exemption(secretary, exemption, MAR)
    fees = queries.MemberFees(duc)
    assert [fees.fee(m).amount for m in (MAR, APR)] == [0, 21_000]
    # Exempt months are neither paid nor unpaid.
    assert queries.unpaid_months(duc, 2026) == [APR]
    refused(lambda: actions.end_exemption(secretary, exemption, JAN), "until_month")


def test_fifty_years_of_party_age_exempts_from_the_month_they_are_reached(book, users, tree):
    secretary = users["secretary_A"]
    # an was admitted on 02/03/2010: 16 years of party age, not 50.
    refused(
        lambda: actions.grant_exemption(
            secretary, book["an"], key="party_age_50", from_month=MAR, applied_on=MAR
        ),
        "from_month",
        "50 years of party age",
        "02/03/2060",
        "01-QĐ/TW",
    )
    # Admitted on 31/03/1976: 50 years on 31/03/2026, the last day of March.
    elder = make_member(
        users["admin_P"],
        tree["A"],
        "Hoàng Văn Thụ",
        date_of_birth=datetime.date(1950, 1, 1),
        admitted_on=datetime.date(1976, 3, 31),
        official_on=datetime.date(1977, 3, 31),
    )
    actions.set_basis(secretary, elder, basis="pension", income=6_000_000, from_month=JAN)
    assert elder.party_age(datetime.date(2026, 2, 28)) == 49
    refused(
        lambda: actions.grant_exemption(
            secretary, elder, key="party_age_50", from_month=FEB, applied_on=MAR
        ),
        "from_month",
        "31/03/2026",
        "from 03/2026",
        "Regulation 01-QĐ/TW",
    )
    actions.grant_exemption(secretary, elder, key="party_age_50", from_month=MAR, applied_on=MAR)
    fees = queries.MemberFees(elder)
    assert [fees.fee(m).amount for m in (FEB, MAR, APR)] == [30_000, 0, 0]


def test_a_reduction_is_30_50_or_70_for_at_most_12_months_each_time(book, users):
    secretary, an = users["secretary_A"], book["an"]
    refused(
        lambda: actions.grant_reduction(
            secretary, an, percent=40, from_month=APR, until_month=MAY, reason="x"
        ),
        "percent",
        "30, 50, 70",
        "01-QĐ/TW",
    )
    refused(
        lambda: actions.grant_reduction(
            secretary,
            an,
            percent=50,
            from_month=APR,
            until_month=datetime.date(2027, 4, 1),
            reason="Thiên tai",
        ),
        "until_month",
        "12",
        "01-QĐ/TW",
    )
    refused(
        lambda: actions.grant_reduction(
            secretary, an, percent=50, from_month=APR, until_month=MAY, reason=" "
        ),
        "reason",
    )
    actions.grant_reduction(
        secretary,
        an,
        percent=50,
        from_month=APR,
        until_month=datetime.date(2027, 3, 1),
        reason="Thiên tai",
    )
    refused(
        lambda: actions.grant_reduction(
            secretary, an, percent=30, from_month=MAY, until_month=MAY, reason="x"
        ),
        "from_month",
        "04/2026",
        "03/2027",
    )
    fees = queries.MemberFees(an)
    # 58,500 halved is 29,250: 29,000; the reduction ends with 03/2027.
    assert [fees.fee(m).amount for m in (MAR, APR, datetime.date(2027, 3, 1))] == [
        59_000,
        29_000,
        29_000,
    ]
    assert fees.fee(datetime.date(2027, 4, 1)).amount == 59_000


# Payments.


def test_a_month_is_paid_once(book, users):
    secretary, an = users["secretary_A"], book["an"]
    text = refused(
        lambda: actions.record_payment(secretary, an, months=[FEB], paid_on=MAY),
        "months",
        "02/2026",
        "05/03/2026",
    )
    assert "once" in text
    # Also when it comes among other months: none of them is recorded.
    refused(
        lambda: actions.record_payment(secretary, an, months=[APR, MAR], paid_on=MAY),
        "months",
        "03/2026",
    )


def test_the_database_refuses_the_same_month_entered_at_the_same_moment(book, users, monkeypatch):
    # Two collectors submit together: the second did not see the first's row when it
    # checked. The unique constraint refuses it, and nothing of it is kept.
    monkeypatch.setattr(queries, "payments_of", lambda member: {})
    refused(
        lambda: actions.record_payment(users["secretary_A"], book["an"], months=[FEB], paid_on=MAY),
        "months",
        "someone else",
    )
    assert FeePayment.objects.filter(member=book["an"], month=FEB).count() == 1


def test_a_portal_payment_needs_the_portals_reference(book, users):
    secretary, an = users["secretary_A"], book["an"]
    refused(
        lambda: actions.record_payment(
            secretary, an, months=[APR], paid_on=MAY, method="public_service_portal"
        ),
        "reference",
        "Portal",
    )
    refused(
        lambda: actions.record_payment(secretary, an, months=[APR], paid_on=MAY, method="bank"),
        "method",
        "01-QĐ/TW",
    )
    [payment] = actions.record_payment(
        secretary,
        an,
        months=[APR],
        paid_on=MAY,
        method="public_service_portal",
        reference=" DVC778899 ",
    )
    assert payment.reference == "DVC778899" and payment.method == "public_service_portal"


def test_months_not_begun_and_payments_in_the_future_are_refused(book, users, frozen):
    secretary, an = users["secretary_A"], book["an"]
    june = datetime.date(2026, 6, 1)
    refused(
        lambda: actions.record_payment(secretary, an, months=[june], paid_on=MAY),
        "months",
        "06/2026",
    )
    refused(
        lambda: actions.record_payment(
            secretary, an, months=[APR], paid_on=datetime.date(2026, 5, 21)
        ),
        "paid_on",
    )
    # On the last evening of May, June has not begun; a minute after midnight it has.
    frozen.set(datetime.datetime(2026, 5, 31, 23, 59, tzinfo=HCM))
    refused(
        lambda: actions.record_payment(secretary, an, months=[june], paid_on=MAY),
        "months",
    )
    frozen.set(datetime.datetime(2026, 6, 1, 0, 1, tzinfo=HCM))
    actions.record_payment(secretary, an, months=[june], paid_on=datetime.date(2026, 6, 1))


def test_a_payment_is_at_least_the_fee_and_months_together_each_at_their_fee(book, users):
    secretary, an, hoa = users["secretary_A"], book["an"], book["hoa"]
    refused(
        lambda: actions.record_payment(secretary, an, months=[APR], paid_on=MAY, amount=50_000),
        "amount",
        "59,000",  # the fee, in English number format
    )
    refused(
        lambda: actions.record_payment(
            secretary, an, months=[APR, MAY], paid_on=MAY, amount=200_000
        ),
        "amount",
    )
    refused(
        lambda: actions.record_payment(secretary, an, months=[APR], paid_on=MAY, amount=59_000.0),
        "amount",
    )
    [more] = actions.record_payment(secretary, an, months=[APR], paid_on=MAY, amount=100_000)
    assert (more.due, more.amount) == (59_000, 100_000)
    # A month keeps the pack it was computed with: January under 342-QĐ/TW at 3,000 đ.
    rows = actions.record_payment(users["admin_P"], hoa, months=[FEB, JAN], paid_on=MAY)
    assert [(r.month, r.due, r.pack_id) for r in rows] == [
        (JAN, 3_000, "fees-2010"),
        (FEB, 5_000, "fees-2026"),
    ]


def test_an_exempt_month_and_a_month_without_basis_are_not_paid(book, users, members):
    secretary = users["secretary_A"]
    actions.grant_exemption(
        secretary, book["duc"], key="poor_household", from_month=APR, applied_on=APR
    )
    refused(
        lambda: actions.record_payment(secretary, book["duc"], months=[APR], paid_on=MAY),
        "months",
        "exempt",
    )
    refused(
        lambda: actions.record_payment(
            secretary, book["an"], months=[datetime.date(2025, 12, 1)], paid_on=MAY
        ),
        "months",
        "basis",
    )


# Arrears.


def test_arrears_and_unpaid_months_around_the_month_end(book, users, frozen):
    an, duc = book["an"], book["duc"]
    # Paid 01–03; May is still being collected.
    assert queries.unpaid_months(an, 2026) == [APR]
    assert [f.month for f in queries.MemberFees(duc).arrears()] == [FEB, MAR, APR]
    assert queries.unpaid_months(an, 2025) == []
    frozen.set(datetime.datetime(2026, 5, 31, 23, 59, tzinfo=HCM))
    assert queries.unpaid_months(an, 2026) == [APR]
    frozen.set(datetime.datetime(2026, 6, 1, 0, 0, tzinfo=HCM))
    assert queries.unpaid_months(an, 2026) == [APR, MAY]
    # A year later, the months of 2026 stay; 2027's come as they end.
    assert queries.unpaid_months(an, 2026, today=datetime.date(2027, 2, 10)) == [
        APR,
        MAY,
        *(datetime.date(2026, m, 1) for m in range(6, 13)),
    ]
    assert queries.unpaid_months(an, 2027, today=datetime.date(2027, 2, 10)) == [
        datetime.date(2027, 1, 1)
    ]
    # Paying settles a month; a member with no basis owes nothing.
    actions.record_payment(users["secretary_A"], an, months=[APR], paid_on=MAY)
    assert queries.unpaid_months(an, 2026) == [MAY]
    assert queries.unpaid_months(book["lan"], 2026) == []


def test_a_member_who_left_owes_nothing_more(book):
    Member.objects.filter(pk=book["an"].pk).update(status="deceased")
    assert queries.unpaid_months(Member.objects.get(pk=book["an"].pk), 2026) == []


def test_a_member_whose_membership_ended_still_counts_in_the_months_before(
    book, users, tree, system
):
    secretary, an, cell = users["secretary_A"], book["an"], tree["A"]
    year_2025 = [datetime.date(2025, m, 1) for m in range(1, 13)]
    actions.set_basis(secretary, an, basis="salary", income=5_850_000, from_month=year_2025[0])
    actions.record_payment(secretary, an, months=year_2025, paid_on=datetime.date(2025, 12, 20))
    end_membership(system, an, "left", datetime.date(2026, 3, 10), decision_number="12-QĐ/ĐU")
    fee = queries.MemberFees(an).fee(year_2025[5]).amount
    june = queries.month_report(cell, year_2025[5])
    assert [r.member.full_name for r in june.paid_rows] == ["Nguyễn Văn An"]
    s = june.summary
    assert (s.members, s.due, s.paid, s.collected) == (1, fee, 1, fee)
    assert [(m.members, m.paid, m.collected) for m in queries.cell_year(cell, 2025)] == [
        (1, 1, fee)
    ] * 12
    # The months that end after the membership do not count the member any more.
    ledger = Ledger([cell], [FEB, MAR, APR])
    assert an.pk in ledger.roster[cell.pk, FEB]
    assert an.pk not in ledger.roster[cell.pk, MAR]
    assert an.pk not in ledger.roster[cell.pk, APR]
    out = StringIO()
    with translation.override("en"):
        call_command(
            "fees",
            "verify",
            *(f"--month={m:%Y-%m}" for m in [*year_2025, JAN, FEB, MAR, APR, MAY]),
            stdout=out,
        )
    assert "none differs" in out.getvalue()


def test_a_month_counts_in_the_cell_of_its_last_day(book, users, tree):
    an = book["an"]
    # Moved on 31/03: March is the new cell's to collect.
    change_home_cell(users["admin_P"], an, tree["B"], datetime.date(2026, 3, 31), "Chuyển công tác")
    ledger = Ledger([tree["A"], tree["B"]], [FEB, MAR, APR])
    assert an.pk in ledger.roster[tree["A"].pk, FEB]
    assert an.pk not in ledger.roster[tree["A"].pk, MAR]
    assert an.pk in ledger.roster[tree["B"].pk, MAR]


def test_a_move_on_the_first_leaves_the_month_before_behind(book, users, tree):
    an = book["an"]
    change_home_cell(users["admin_P"], an, tree["B"], datetime.date(2026, 4, 1), "Chuyển công tác")
    ledger = Ledger([tree["A"], tree["B"]], [MAR, APR])
    assert an.pk in ledger.roster[tree["A"].pk, MAR]
    assert an.pk in ledger.roster[tree["B"].pk, APR]


def _arrived_from_outside(system, cell, on: datetime.date) -> Member:
    """A member admitted long ago elsewhere, whose first home cell here starts on `on`."""
    member = make_member(
        system,
        cell,
        "Lê Văn Đến",
        admitted_on=datetime.date(2005, 3, 1),
        official_on=datetime.date(2006, 3, 1),
    )
    MembershipPeriod.objects.filter(member=member).update(started_on=on)
    return member


def test_fees_here_start_with_the_first_cell_in_the_system(book, users, tree):
    secretary = users["secretary_A"]
    newcomer = _arrived_from_outside(users["admin_P"], tree["A"], datetime.date(2026, 2, 21))
    text = refused(
        lambda: actions.set_basis(secretary, newcomer, basis="no_insurance", from_month=JAN),
        "from_month",
        "Lê Văn Đến",
        "21/02/2026",
        "02/2026",
    )
    assert "01/2026" not in text
    actions.set_basis(secretary, newcomer, basis="no_insurance", from_month=FEB)


def test_a_month_spent_outside_the_system_is_not_paid_here(book, users, tree):
    secretary = users["secretary_A"]
    newcomer = _arrived_from_outside(users["admin_P"], tree["A"], datetime.date(2005, 3, 1))
    actions.set_basis(secretary, newcomer, basis="no_insurance", from_month=JAN)
    # The arrival is corrected afterwards: the member came from outside on 21/02/2026.
    MembershipPeriod.objects.filter(member=newcomer).update(started_on=datetime.date(2026, 2, 21))
    refused(
        lambda: actions.record_payment(
            secretary, newcomer, months=[JAN, FEB], paid_on=datetime.date(2026, 5, 4)
        ),
        "months",
        "Lê Văn Đến was not a member of a cell here at the end of 01/2026.",
    )
    # February ended with the member here: it is paid, under this cell.
    [payment] = actions.record_payment(
        secretary, newcomer, months=[FEB], paid_on=datetime.date(2026, 5, 4)
    )
    assert payment.cell_id == tree["A"].pk


def test_arrears_of_a_month_spent_in_another_cell_count_in_that_cell(book, users, tree, frozen):
    an = book["an"]
    # an (A, paid 01–03) moves to B on 02/05/2026 and pays April and May there.
    change_home_cell(users["admin_P"], an, tree["B"], datetime.date(2026, 5, 2), "Chuyển công tác")
    an = Member.objects.get(pk=an.pk)
    april, may = actions.record_payment(
        users["admin_P"],
        an,
        months=[APR, MAY],
        paid_on=datetime.date(2026, 5, 20),
    )
    # April ended with an in A: A collects it, as A's April counts an as due.
    assert (april.cell_id, may.cell_id) == (tree["A"].pk, tree["B"].pk)
    row = CellFeeMonth.objects.get(cell=tree["A"], month=APR)
    ledger = Ledger([tree["A"], tree["B"]], [APR, MAY])
    assert an.pk in ledger.roster[tree["A"].pk, APR]
    assert row.collected == april.amount == 59_000
    assert row.due == ledger.summary(tree["A"].pk, APR).due
    assert CellFeeMonth.objects.get(cell=tree["B"], month=MAY).collected == may.amount
    out = StringIO()
    with translation.override("en"):
        call_command("fees", "verify", "--month", "2026-04", "--month", "2026-05", stdout=out)
    assert "none differs" in out.getvalue()


# Cancelling.


def test_a_payment_entered_by_mistake_is_cancelled_with_its_reason(book, users):
    secretary, an = users["secretary_A"], book["an"]
    payment = FeePayment.objects.get(member=an, month=MAR)
    refused(lambda: actions.cancel_payment(secretary, payment, " "), "reason")
    actions.cancel_payment(secretary, payment, "Ghi nhầm tháng")
    payment.refresh_from_db()
    assert payment.cancelled_at and payment.cancel_reason == "Ghi nhầm tháng"
    assert queries.unpaid_months(an, 2026) == [MAR, APR]
    refused(lambda: actions.cancel_payment(secretary, payment, "again"), "payment")
    [again] = actions.record_payment(secretary, an, months=[MAR], paid_on=MAY)
    assert again.pk != payment.pk
    with pytest.raises(PermissionDenied):
        actions.cancel_payment(users["standing_X"], again, "x")


# The level above.


def test_the_share_remitted_comes_from_the_pack_or_the_organisations_setting(book, users, tree):
    secretary, cell = users["secretary_A"], tree["A"]
    assert queries.remit_percent(cell, FEB) == (50, "pack")
    actions.set_remit_share(users["staff_X"], tree["X"], percent=30, from_month=FEB)
    actions.set_remit_share(users["staff_X"], tree["G"], percent=40, from_month=MAR)
    assert queries.remit_percent(cell, JAN) == (50, "pack")
    assert queries.remit_percent(cell, FEB) == (30, "organisation")  # X's setting
    assert queries.remit_percent(cell, MAR) == (40, "organisation")  # G is nearer
    assert queries.remit_percent(tree["S"], MAR) == (30, "organisation")
    assert queries.remit_percent(tree["T"], MAR) == (50, "pack")  # another commune
    # February: an paid 59,000 and duc nothing; the share is 30% of it.
    remittance = actions.record_remittance(
        secretary, cell, month=FEB, remitted_on=datetime.date(2026, 3, 6)
    )
    assert (remittance.collected, remittance.percent, remittance.amount) == (59_000, 30, 17_700)
    january = actions.record_remittance(secretary, cell, month=JAN, remitted_on=FEB)
    assert (january.collected, january.percent, january.amount) == (80_000, 50, 40_000)
    refused(
        lambda: actions.record_remittance(secretary, cell, month=FEB, remitted_on=MAY),
        "month",
        "once",
    )
    refused(
        lambda: actions.record_remittance(secretary, cell, month=APR, remitted_on=MAY),
        "month",
        "Nothing",
    )
    refused(
        lambda: actions.record_remittance(
            secretary, cell, month=MAR, remitted_on=MAY, amount=60_000
        ),
        "amount",
        "59,000",  # the fee, in English number format
    )
    # A cell does not set its own share; a share changed later keeps recorded remittances.
    with pytest.raises(ValidationError):
        actions.set_remit_share(users["admin_P"], cell, percent=10, from_month=FEB)
    with pytest.raises(PermissionDenied):
        actions.set_remit_share(secretary, tree["G"], percent=10, from_month=FEB)
    actions.set_remit_share(users["staff_X"], tree["X"], percent=20, from_month=FEB)
    assert Remittance.objects.get(cell=cell, month=FEB).amount == 17_700
    row = CellFeeMonth.objects.get(cell=cell, month=FEB)
    assert (row.remit_percent, row.remit_due, row.remitted) == (20, 11_800, 17_700)
    # A payment inside a remitted month can no longer be cancelled.
    refused(
        lambda: actions.cancel_payment(
            secretary, FeePayment.objects.get(member=book["an"], month=FEB), "x"
        ),
        "payment",
        "remitted",
    )


# The summary rows.


def test_every_write_keeps_the_summary_rows_equal_to_the_records(book, users, tree):
    secretary = users["secretary_A"]
    actions.grant_reduction(
        secretary, book["an"], percent=70, from_month=APR, until_month=MAY, reason="Ốm"
    )
    actions.record_payment(secretary, book["duc"], months=[FEB, MAR], paid_on=MAY)
    actions.record_remittance(secretary, tree["A"], month=MAR, remitted_on=APR)
    cells = [tree[c] for c in "ABST"]
    months = [JAN, FEB, MAR, APR, MAY]
    stored = {
        (r.cell_id, r.month): {k: getattr(r, k) for k in r.__dict__ if k in FIGURES}
        for r in CellFeeMonth.objects.all()
    }
    for summary in Ledger(cells, months).summaries():
        if summary.members or summary.collected:
            assert stored[summary.cell.pk, summary.month] == summary.figures()
    march = CellFeeMonth.objects.get(cell=tree["A"], month=MAR)
    assert (march.members, march.due, march.collected, march.paid, march.unpaid) == (
        2,
        80_000,
        80_000,
        2,
        0,
    )
    april = CellFeeMonth.objects.get(cell=tree["A"], month=APR)
    # an reduced by 70%: 17,550 → 18,000; duc 21,000; nobody paid yet.
    assert (april.due, april.unpaid_due, april.remitted) == (39_000, 39_000, 0)
    out = StringIO()
    with translation.override("en"):
        call_command("fees", "verify", "--month", "2026-03", "--month", "2026-04", stdout=out)
    assert "none differs" in out.getvalue()
    # A change behind the application's back is found, and refresh mends it.
    CellFeeMonth.objects.filter(cell=tree["A"], month=APR).update(due=1)
    with pytest.raises(CommandError):
        call_command("fees", "verify", "--month", "2026-04", stdout=StringIO())
    call_command("fees", "refresh", "--month", "2026-04", stdout=StringIO())
    call_command("fees", "verify", "--month", "2026-04", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("fees", "refresh", "--month", "April", stdout=StringIO())


FIGURES = (
    "members",
    "due",
    "collected",
    "paid",
    "unpaid",
    "unpaid_due",
    "remit_percent",
    "remit_due",
    "remitted",
)


def test_the_month_report_lists_who_paid_who_owes_and_the_arrears(book, users, tree):
    report = queries.month_report(tree["A"], MAR)
    assert [r.member.full_name for r in report.paid_rows] == ["Nguyễn Văn An"]
    assert [r.member.full_name for r in report.owing_rows] == ["Đỗ Minh Đức"]
    duc = report.owing_rows[0]
    assert [f.month for f in duc.arrears] == [FEB] and duc.arrears_amount == 21_000
    s = report.summary
    assert (s.due, s.collected, s.unpaid_due, s.remit_due) == (80_000, 59_000, 21_000, 29_500)
    assert report.arrears_total == 21_000
