"""The fee seeds on the shared tree: the demo through the actions, the province in bulk, and
the same seed giving the same records at both scales."""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from chibo.audit.models import AuditEvent
from chibo.fees import queries, seeding
from chibo.fees.models import (
    CellFeeMonth,
    FeeBasisPeriod,
    FeeExemption,
    FeePayment,
    FeeReduction,
    RemitShare,
    Remittance,
)
from chibo.members.models import CURRENT_STATUSES, Member
from chibo.seed import history

pytestmark = pytest.mark.django_db

RECORDS = {
    FeeBasisPeriod: ("member_id", "basis", "income", "from_month"),
    FeeExemption: ("member_id", "key", "from_month", "until_month", "applied_on", "note"),
    FeeReduction: ("member_id", "percent", "from_month", "until_month", "reason"),
    FeePayment: (
        "member_id",
        "cell_id",
        "month",
        "due",
        "amount",
        "pack_id",
        "paid_on",
        "method",
        "reference",
    ),
    Remittance: ("cell_id", "month", "amount", "remitted_on", "collected", "percent"),
    RemitShare: ("organisation_id", "percent", "from_month"),
    CellFeeMonth: ("cell_id", "month", "members", "due", "collected", "paid", "unpaid_due"),
}


def records():
    return {
        model.__name__: sorted(model.objects.values_list(*fields))
        for model, fields in RECORDS.items()
    }


def forget():
    for model in RECORDS:
        model.objects.all().delete()


def _check(window):
    # Every current member has a basis; each payment's fee is the one the rules give.
    current = Member.objects.filter(status__in=CURRENT_STATUSES)
    assert FeeBasisPeriod.objects.filter(member__in=current).count() == current.count()
    for payment in FeePayment.objects.select_related("member__cell"):
        fee = queries.MemberFees(payment.member).fee(payment.month)
        assert (payment.due, payment.pack_id) == (fee.amount, fee.pack_id)
        assert window[0] <= payment.month <= payment.paid_on.replace(day=1)
    # The summary rows are what the records give.
    out = StringIO()
    months = [f"{m.year}-{m.month:02d}" for m in window]
    try:
        with translation.override("en"):
            call_command("fees", "verify", *[a for m in months for a in ("--month", m)], stdout=out)
    finally:
        assert "none differs" in out.getvalue(), out.getvalue()


def test_the_demo_and_the_province_seed_give_the_same_fees(system, users, members):
    today = timezone.localdate()
    window = history.month_window(today, seeding.MONTHS)
    demo = seeding.seed_demo_fees(system, random.Random(7))
    assert demo["fee_members"] == 5 and demo["fee_payments"] > 20
    _check(window)
    # Played through the actions: each step is in the audit log, by the cell's secretary
    # where the cell has one, dated when it happened.
    pays = AuditEvent.objects.filter(action="fees.pay")
    assert pays.count() > 5 and pays.filter(actor=users["secretary_A"]).exists()
    assert pays.order_by("at").first().at < timezone.now() - timezone.timedelta(days=100)
    assert RemitShare.objects.get().organisation.code == "X"
    through_actions = records()

    forget()
    province = seeding.seed_province_fees(random.Random(7))
    assert province["fee_members"] == 5
    assert province["fee_payments"] == demo["fee_payments"]
    _check(window)
    assert records() == through_actions


def test_each_cell_month_collects_from_the_members_it_accounts_for(system, users, members, tree):
    import datetime

    from chibo.fees.arithmetic import first_of
    from chibo.fees.ledger import Ledger
    from chibo.members.actions import change_home_cell
    from chibo.members.models import MembershipPeriod
    from chibo.orgs.models import CELL_LEVELS, Organisation
    from tests.fixtures import make_member

    today = timezone.localdate()
    window = history.month_window(today, seeding.MONTHS)
    # One member came from outside four months ago; another moved from A to B in the year.
    newcomer = make_member(
        system,
        tree["A"],
        "Lê Văn Đến",
        admitted_on=datetime.date(2005, 3, 1),
        official_on=datetime.date(2006, 3, 1),
    )
    arrived = first_of(window[-5]) + datetime.timedelta(days=20)
    MembershipPeriod.objects.filter(member=newcomer).update(started_on=arrived)
    change_home_cell(
        system, members["an"], tree["B"], window[5] + datetime.timedelta(days=9), "Chuyển"
    )
    seeding.seed_demo_fees(system, random.Random(7))
    _check(window)
    assert FeeBasisPeriod.objects.get(member=newcomer).from_month == first_of(arrived)
    assert not FeePayment.objects.filter(member=newcomer, month__lt=first_of(arrived)).exists()
    assert FeePayment.objects.filter(member=members["an"], cell=tree["A"]).exists()
    cells = list(Organisation.objects.filter(level__in=CELL_LEVELS))
    ledger = Ledger(cells, window)
    paid = {(p.member_id, p.month): p.amount for p in FeePayment.objects.filter(cancelled_at=None)}
    rows = CellFeeMonth.objects.all()
    assert rows.exists()
    for row in rows:
        roster = ledger.roster.get((row.cell_id, row.month), [])
        assert row.collected == sum(paid.get((m, row.month), 0) for m in roster), row
    through_actions = records()

    forget()
    seeding.seed_province_fees(random.Random(7))
    _check(window)
    assert records() == through_actions


def test_the_seed_leaves_arrears_and_exemptions_to_see(system, tree):
    # A bigger cell, so that the draws show every case.
    import datetime

    from tests.fixtures import make_member

    for i in range(60):
        make_member(
            system,
            tree["S"],
            f"Đảng viên {i}",
            occupation="Hưu trí" if i % 3 == 0 else "Nông dân",
            admitted_on=datetime.date(1970, 1, 1) if i % 20 == 0 else datetime.date(2000, 1, 1),
            official_on=datetime.date(1971, 1, 1) if i % 20 == 0 else datetime.date(2001, 1, 1),
            date_of_birth=datetime.date(1945, 1, 1),
        )
    counts = seeding.seed_province_fees(random.Random(3))
    assert counts["fee_arrears_months"] > 0
    assert FeeExemption.objects.filter(key="party_age_50").count() == 3
    assert FeeBasisPeriod.objects.filter(basis="pension").count() == 20
    assert FeePayment.objects.filter(method="public_service_portal").exclude(reference="").exists()
    assert not FeePayment.objects.filter(method="public_service_portal", reference="").exists()
