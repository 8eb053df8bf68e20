"""Fee writes under concurrent actions, on PostgreSQL with real threads: two collectors
ticking two members of one cell at the same moment, and a cancellation beside the month's
remittance. The summary rows stay equal to the records (`chibo fees verify` is clean)."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.utils import translation

from chibo.fees import actions
from chibo.fees.models import CellFeeMonth, FeePayment, Remittance
from chibo.fees.tests.conftest import APR, MAR

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one writer at a time (BEGIN IMMEDIATE), so nothing races; row locks "
            "are tested on PostgreSQL, which CI runs (make test-postgres)."
        )


def race(*calls):
    """Run the calls at the same moment in threads; return "ok" or "refused" for each."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except ValidationError as exc:
            results[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported below
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(r is not None and r[0] != "error" for r in results), results
    return [r[0] for r in results]


def verified(*months: datetime.date) -> None:
    out = StringIO()
    with translation.override("en"):
        call_command("fees", "verify", *(f"--month={m:%Y-%m}" for m in months), stdout=out)
    assert "none differs" in out.getvalue()


def test_two_payments_in_one_cell_at_once_are_both_in_the_summary(book, users, tree):
    an, duc = book["an"], book["duc"]
    outcome = race(
        lambda: actions.record_payment(users["secretary_A"], an, months=[APR], paid_on=APR),
        lambda: actions.record_payment(users["staff_X"], duc, months=[APR], paid_on=APR),
    )
    assert outcome == ["ok", "ok"]
    april = CellFeeMonth.objects.get(cell=tree["A"], month=APR)
    assert (april.members, april.paid, april.collected) == (2, 2, 59_000 + 21_000)
    verified(APR)


def test_a_cancellation_beside_the_remittance_leaves_one_consistent_month(book, users, tree):
    march = FeePayment.objects.get(member=book["an"], month=MAR)
    outcome = race(
        lambda: actions.cancel_payment(users["secretary_A"], march, "Ghi nhầm tháng"),
        lambda: actions.record_remittance(users["staff_X"], tree["A"], month=MAR, remitted_on=APR),
    )
    march.refresh_from_db()
    remittance = Remittance.objects.filter(cell=tree["A"], month=MAR).first()
    if march.cancelled_at is None:
        # The remittance came first, with the payment in it; the cancellation was refused.
        assert outcome == ["refused", "ok"] and remittance.collected == 59_000
    else:
        # The cancellation came first: nothing was left to remit for March.
        assert outcome == ["ok", "refused"] and remittance is None
    verified(MAR)
