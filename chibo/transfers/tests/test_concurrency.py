"""Transfers under concurrent actions, on PostgreSQL with real threads: two people accepting,
one accepting while another cancels, a transfer racing a change of home cell, two letters at
once. Exactly one wins where only one may, and the member ends in exactly one home cell."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from chibo.members.actions import change_home_cell
from chibo.members.models import Member, MembershipPeriod
from chibo.transfers import actions
from chibo.transfers.models import Transfer, TransferStatus

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date


@pytest.fixture(autouse=True)
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one writer at a time (BEGIN IMMEDIATE), so nothing races; row locks "
            "are tested on PostgreSQL, which CI runs (make test-postgres)."
        )


def race(*calls):
    """Run the calls at the same moment in threads; return ("ok", value) or ("refused", exc)."""
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


def one_home_cell(member: Member) -> Member:
    member.refresh_from_db()
    open_periods = list(MembershipPeriod.objects.filter(member=member, ended_on__isnull=True))
    assert [p.organisation_id for p in open_periods] == [member.cell_id]
    return member


def letter(system, member, to_org):
    return actions.issue_transfer(
        system,
        member,
        kind="official",
        reason="job",
        event_on=D(2026, 1, 26),
        letter_number="1",
        letter_date=D(2026, 1, 31),
        to_org=to_org,
    )


def test_two_people_accepting_at_once_move_the_member_once(system, members, tree):
    transfer = letter(system, members["an"], tree["T"])
    outcome = race(
        lambda: actions.accept_transfer(system, transfer, D(2026, 2, 2)),
        lambda: actions.accept_transfer(system, transfer, D(2026, 2, 3)),
    )
    assert sorted(outcome) == ["ok", "refused"]
    an = one_home_cell(members["an"])
    assert an.cell == tree["T"] and an.periods.count() == 2


def test_accepting_while_another_cancels_leaves_one_outcome(system, members, tree):
    transfer = letter(system, members["an"], tree["T"])
    outcome = race(
        lambda: actions.accept_transfer(system, transfer, D(2026, 2, 2)),
        lambda: actions.cancel_transfer(system, transfer, "Không chuyển nữa"),
    )
    assert sorted(outcome) == ["ok", "refused"]
    transfer.refresh_from_db()
    an = one_home_cell(members["an"])
    if transfer.status == TransferStatus.COMPLETED:
        assert an.cell == tree["T"]
    else:
        assert transfer.status == TransferStatus.CANCELLED and an.cell == tree["A"]


def test_a_transfer_racing_a_change_of_home_cell_leaves_one_home_cell(system, members, tree):
    transfer = letter(system, members["an"], tree["T"])
    race(
        lambda: actions.accept_transfer(system, transfer, D(2026, 2, 2)),
        lambda: change_home_cell(system, members["an"], tree["B"], D(2026, 2, 3), "Điều động"),
    )
    an = one_home_cell(members["an"])
    transfer.refresh_from_db()
    # Either the transfer came first (then the change moved the member on), or the change
    # came first and the letter no longer applied.
    if transfer.status == TransferStatus.COMPLETED:
        assert an.cell == tree["B"] and an.periods.count() == 3
    else:
        assert transfer.status == TransferStatus.IN_TRANSIT and an.cell == tree["B"]


def test_two_letters_at_once_leave_one_transfer(system, members, tree):
    outcome = race(
        lambda: letter(system, members["an"], tree["T"]),
        lambda: letter(system, members["an"], tree["B"]),
    )
    assert sorted(outcome) == ["ok", "refused"]
    assert Transfer.objects.filter(member=members["an"]).count() == 1
    one_home_cell(members["an"])
