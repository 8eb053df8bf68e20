"""Fixtures of the fee tests: a frozen today (20/05/2026, after the pack change of
1/2/2026), and a fee book for the shared tree's members."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.fees import actions
from chibo.fees.models import (
    CellFeeMonth,
    FeeBasisPeriod,
    FeeExemption,
    FeePayment,
    FeeReduction,
    RemitShare,
    Remittance,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = datetime.date(2026, 5, 20)
JAN, FEB, MAR, APR, MAY = (datetime.date(2026, m, 1) for m in range(1, 6))


class Frozen:
    """Moves the clock the actions read (timezone.now) for the length of a test."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.set(datetime.datetime(2026, 5, 20, 10, 0, tzinfo=HCM))

    def set(self, moment: datetime.datetime) -> None:
        self.moment = moment
        self.monkeypatch.setattr(timezone, "now", lambda: self.moment)


@pytest.fixture
def frozen(monkeypatch):
    return Frozen(monkeypatch)


@pytest.fixture
def book(frozen, users, members, tree):
    """an (A): salary 5,850,000 from 01/2026 (59,000 a month), paid 01–03 in cash;
    duc (A): pension 4,200,000 from 01/2026 (21,000), paid 01 through the portal;
    hoa (B): student from 01/2026 (3,000, then 5,000 from 02/2026);
    tung (T): no social insurance from 01/2026 (5,000, then 10,000)."""
    system = users["admin_P"]
    an, duc, hoa, tung = (members[k] for k in ("an", "duc", "hoa", "tung"))
    actions.set_basis(system, an, basis="salary", income=5_850_000, from_month=JAN)
    actions.set_basis(system, duc, basis="pension", income=4_200_000, from_month=JAN)
    actions.set_basis(system, hoa, basis="student", from_month=JAN)
    actions.set_basis(system, tung, basis="no_insurance", from_month=JAN)
    actions.record_payment(system, an, months=[JAN, FEB, MAR], paid_on=datetime.date(2026, 3, 5))
    actions.record_payment(
        system,
        duc,
        months=[JAN],
        paid_on=datetime.date(2026, 1, 10),
        method="public_service_portal",
        reference="DVC0012345678",
    )
    return members


def snapshot():
    """Everything a fee write could change, to show that a refused one changed nothing."""
    return (
        [
            list(model.objects.order_by("pk").values())
            for model in (
                FeeBasisPeriod,
                FeeExemption,
                FeeReduction,
                FeePayment,
                Remittance,
                RemitShare,
            )
        ],
        list(CellFeeMonth.objects.order_by("pk").values(*SUMMARY_FIELDS)),
        AuditEvent.objects.count(),
    )


SUMMARY_FIELDS = ("cell_id", "month", "members", "due", "collected", "paid", "remitted")
