"""Transfers through the actions: each rule refuses with its reason and changes nothing, and
a member is always in exactly one home cell."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from chibo.accounts.models import User
from chibo.audit.models import AuditEvent
from chibo.members.actions import change_home_cell
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.orgs.actions import close_organisation, create_organisation
from chibo.orgs.models import Level
from chibo.transfers import actions
from chibo.transfers.models import Transfer, TransferStatus
from chibo.transfers.rules import add_months
from chibo.transfers.tests.conftest import pdf, snapshot

D = datetime.date
DAY = datetime.timedelta(days=1)


def official(actor, member, to_org=None, letter_date=None, event_on=None, **kw):
    letter_date = letter_date or D(2026, 1, 31)
    return actions.issue_transfer(
        actor,
        member,
        kind="official",
        reason=kw.pop("reason", "job"),
        event_on=event_on or letter_date - 5 * DAY,
        letter_number=kw.pop("letter_number", "12-GGT/ĐU"),
        letter_date=letter_date,
        to_org=to_org,
        **kw,
    )


def open_periods(member):
    return list(MembershipPeriod.objects.filter(member=member, ended_on__isnull=True))


def refused(call, field=None, contains=""):
    before = snapshot()
    # The reason is asserted in its English wording; the default language is Vietnamese.
    with pytest.raises(ValidationError) as info, translation.override("en"):
        call()
    assert snapshot() == before, "a refused step changed something"
    with translation.override("en"):
        error = info.value
        message = " ".join(error.message_dict[field]) if field else " ".join(error.messages)
    assert contains in message, message
    return message


def test_a_letter_puts_the_member_in_transit_without_changing_the_home_cell(system, members, tree):
    an = members["an"]
    transfer = official(system, an, tree["T"], letter_date=D(2026, 1, 31), event_on=D(2026, 1, 20))
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert transfer.present_by == D(2026, 3, 2)
    assert transfer.due_on == D(2026, 4, 21)  # 60 working days, Tết skipped
    an.refresh_from_db()
    assert an.cell == tree["A"] and [p.organisation for p in open_periods(an)] == [tree["A"]]
    assert AuditEvent.objects.filter(action="transfer.issue").count() == 2  # both sides


def test_acceptance_moves_the_home_cell_in_the_same_step(system, members, tree):
    an = members["an"]
    transfer = official(system, an, tree["T"], letter_date=D(2026, 1, 31))
    actions.accept_transfer(system, transfer, accepted_on=D(2026, 3, 2))  # the last day
    an.refresh_from_db()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED and transfer.accepted_on == D(2026, 3, 2)
    assert an.cell == tree["T"]
    periods = list(an.periods.order_by("started_on"))
    assert [(p.organisation.code, p.ended_on) for p in periods] == [
        ("A", D(2026, 3, 2)),
        ("T", None),
    ]
    assert "12-GGT/ĐU" in periods[-1].reason


def test_an_expired_letter_is_refused_and_a_new_one_is_accepted(system, members, tree):
    transfer = official(system, members["an"], tree["T"], letter_date=D(2026, 1, 31))
    message = refused(
        lambda: actions.accept_transfer(system, transfer, accepted_on=D(2026, 3, 3)),
        "accepted_on",
        "294-QĐ/TW",
    )
    assert "02/03/2026" in message
    actions.reissue_letter(system, transfer, "15-GGT/ĐU", D(2026, 3, 5))
    actions.accept_transfer(system, transfer, accepted_on=D(2026, 3, 9))
    members["an"].refresh_from_db()
    assert members["an"].cell == tree["T"]


def test_a_transfer_to_a_closed_organisation_is_refused_with_the_rule(system, members, tree):
    empty = create_organisation(system, tree["G"], code="E", name="Chi bộ cũ", level=Level.CELL)
    close_organisation(system, empty, effective_on=D(2026, 1, 1))
    message = refused(lambda: official(system, members["an"], empty), "to_org", "294-QĐ/TW")
    assert "01/01/2026" in message and "Chi bộ cũ" in message


def test_acceptance_is_refused_when_the_cell_closed_meanwhile(system, members, tree):
    empty = create_organisation(system, tree["G"], code="E", name="Chi bộ cũ", level=Level.CELL)
    transfer = official(system, members["an"], empty, letter_date=D(2026, 1, 31))
    close_organisation(system, empty, effective_on=D(2026, 2, 1))
    refused(lambda: actions.accept_transfer(system, transfer, D(2026, 2, 2)), "to_org", "closed")


def test_a_member_goes_to_a_cell_not_a_committee_nor_their_own_cell(system, members, tree):
    refused(lambda: official(system, members["an"], tree["G"]), "to_org", "294-QĐ/TW")
    refused(lambda: official(system, members["an"], tree["A"]), "to_org", "Chi bộ Giáo viên")


def test_the_letter_needs_its_number_date_and_one_destination(system, members, tree):
    refused(lambda: official(system, members["an"], tree["T"], letter_number=" "), "letter_number")
    refused(lambda: official(system, members["an"], None), "to_org")
    refused(
        lambda: official(system, members["an"], tree["T"], outside_name="Đảng bộ khác"), "to_org"
    )
    refused(
        lambda: official(system, members["an"], tree["T"], letter_date=D(2099, 1, 1)),
        "letter_date",
    )


def test_a_member_has_one_transfer_at_a_time(system, members, tree):
    official(system, members["an"], tree["T"])
    refused(lambda: official(system, members["an"], tree["B"]), "member", "exactly one home cell")
    # And the database holds it even past the action.
    with pytest.raises(IntegrityError), transaction.atomic():
        first = Transfer.objects.get()
        first.pk = None
        first.save()


def test_only_the_receiving_side_accepts_and_only_the_sending_side_issues(
    system, members, tree, users
):
    transfer = official(system, members["an"], tree["T"], letter_date=D(2026, 1, 31))
    before = snapshot()
    with pytest.raises(PermissionDenied):
        actions.accept_transfer(users["secretary_A"], transfer, D(2026, 2, 2))
    with pytest.raises(PermissionDenied):
        official(users["secretary_A"], members["tung"], tree["A"])
    with pytest.raises(PermissionDenied):
        actions.reissue_letter(users["committee_A"], transfer, "1", D(2026, 2, 2))
    assert snapshot() == before


def test_a_completed_or_cancelled_transfer_is_not_accepted_again(system, members, tree):
    transfer = official(system, members["an"], tree["T"], letter_date=D(2026, 1, 31))
    actions.accept_transfer(system, transfer, D(2026, 2, 2))
    refused(lambda: actions.accept_transfer(system, transfer, D(2026, 2, 3)), None, "in transit")
    other = official(system, members["duc"], tree["B"], letter_date=D(2026, 1, 31))
    actions.cancel_transfer(system, other, "Không chuyển nữa")
    refused(lambda: actions.accept_transfer(system, other, D(2026, 2, 3)), None, "in transit")
    refused(lambda: actions.cancel_transfer(system, transfer, "x"), None, "in transit")


def test_a_letter_no_longer_applies_once_the_home_cell_changed(system, members, tree):
    transfer = official(system, members["an"], tree["T"], letter_date=D(2026, 1, 31))
    change_home_cell(system, members["an"], tree["B"], D(2026, 2, 1), "Điều động")
    refused(
        lambda: actions.accept_transfer(system, transfer, D(2026, 2, 2)),
        "member",
        "Chi bộ Hành chính",
    )
    members["an"].refresh_from_db()
    assert members["an"].cell == tree["B"] and len(open_periods(members["an"])) == 1


def test_acceptance_cannot_be_before_the_letter_nor_in_the_future(system, members, tree, today):
    transfer = official(system, members["an"], tree["T"], letter_date=D(2026, 1, 31))
    refused(lambda: actions.accept_transfer(system, transfer, D(2026, 1, 30)), "accepted_on")
    refused(lambda: actions.accept_transfer(system, transfer, today + DAY), "accepted_on")


def test_an_official_transfer_out_of_the_system_ends_membership_here(
    system, members, tree, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    duc = members["duc"]  # member_A's record: the log-in ends with the membership
    transfer = official(
        system,
        duc,
        outside_name="Đảng bộ phường Ba Đình, Hà Nội",
        letter_date=D(2026, 2, 10),
        reason="retirement",
        letter_file=pdf(),
    )
    duc.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED and transfer.letter_file
    assert duc.status == Status.TRANSFERRED_OUT and duc.cell == tree["A"]
    assert open_periods(duc) == []
    assert duc.periods.get().ended_on == D(2026, 2, 10)
    assert not User.objects.get(username="member_A").is_active
    assert AuditEvent.objects.filter(action="transfer.out").exists()
    refused(lambda: official(system, duc, tree["B"]), "member", "not a current member")


def test_a_member_arriving_from_outside_is_added_with_the_letter(system, tree, today):
    transfer = actions.record_incoming(
        system,
        tree["A"],
        outside_name="Đảng bộ Quân khu 2",
        letter_number="44-GGT",
        letter_date=today - 10 * DAY,
        event_on=today - 20 * DAY,
        reason="job",
        accepted_on=today - 2 * DAY,
        member={
            "full_name": "Lê Văn Mới",
            "gender": "male",
            "date_of_birth": D(1985, 4, 2),
            "admitted_on": D(2010, 5, 19),
            "official_on": D(2011, 5, 19),
            "status": "official",
        },
    )
    member = transfer.member
    assert member.cell == tree["A"] and transfer.status == TransferStatus.COMPLETED
    period = member.periods.get()
    assert period.started_on == today - 2 * DAY and "Quân khu 2" in period.reason


def test_a_late_arrival_from_outside_is_refused_and_adds_no_one(system, tree, today):
    count = Member.objects.count()
    with pytest.raises(ValidationError) as info:
        actions.record_incoming(
            system,
            tree["A"],
            outside_name="Đảng bộ Quân khu 2",
            letter_number="44-GGT",
            letter_date=today - 40 * DAY,
            event_on=today - 50 * DAY,
            reason="job",
            member={
                "full_name": "Lê Văn Mới",
                "gender": "male",
                "date_of_birth": D(1985, 4, 2),
                "admitted_on": D(2010, 5, 19),
                "official_on": D(2011, 5, 19),
                "status": "official",
            },
        )
    assert "accepted_on" in info.value.message_dict
    assert Member.objects.count() == count


def test_an_official_transfer_shows_when_it_is_late(system, members, tree):
    transfer = official(
        system, members["an"], tree["T"], letter_date=D(2026, 4, 20), event_on=D(2026, 1, 20)
    )
    assert transfer.due_on == D(2026, 4, 21)
    assert not transfer.is_late(D(2026, 4, 21)) and transfer.is_late(D(2026, 4, 22))
    actions.accept_transfer(system, transfer, D(2026, 5, 4))
    transfer.refresh_from_db()
    assert transfer.is_late(D(2026, 5, 4))  # completed after the due day


def test_a_temporary_transfer_starts_on_acceptance_and_ends_with_the_member_back(
    system, members, tree
):
    duc = members["duc"]
    transfer = actions.issue_transfer(
        system,
        duc,
        kind="temporary",
        reason="job",
        event_on=D(2026, 3, 1),
        letter_number="3",
        letter_date=D(2026, 2, 25),
        to_org=tree["B"],
        ends_on=D(2026, 9, 1),
    )
    actions.accept_transfer(system, transfer, D(2026, 3, 2))
    duc.refresh_from_db()
    assert duc.cell == tree["A"] and duc.status == Status.OFFICIAL  # still home here
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACTIVE
    refused(lambda: actions.end_temporary(system, transfer, D(2026, 3, 1)), "ended_on")
    refused(lambda: actions.end_temporary(system, transfer, D(2026, 9, 2)), "ended_on")
    actions.end_temporary(system, transfer, D(2026, 6, 30))
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RETURNED and transfer.until == D(2026, 6, 30)


def test_a_temporary_stay_ends_by_itself_on_its_day(system, members, tree):
    transfer = actions.issue_transfer(
        system,
        members["duc"],
        kind="temporary",
        reason="training",
        event_on=D(2025, 6, 1),
        letter_number="3",
        letter_date=D(2025, 5, 25),
        to_org=tree["B"],
        ends_on=add_months(D(2025, 6, 1), 6),
    )
    actions.accept_transfer(system, transfer, D(2025, 6, 1))
    assert actions.end_due_temporaries(today=D(2025, 11, 30)) == 0
    assert actions.end_due_temporaries(today=D(2025, 12, 1)) == 1
    assert actions.end_due_temporaries(today=D(2025, 12, 2)) == 0  # idempotent
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RETURNED and transfer.returned_on == D(2025, 12, 1)


def test_a_temporary_transfer_out_of_the_system_starts_at_once(system, members):
    transfer = actions.issue_transfer(
        system,
        members["duc"],
        kind="temporary",
        reason="training",
        event_on=D(2026, 9, 1),
        letter_number="3",
        letter_date=D(2026, 8, 25),
        outside_name="Học viện Chính trị khu vực I",
        ends_on=D(2027, 6, 30),
    )
    assert transfer.status == TransferStatus.ACTIVE and transfer.accepted_on == D(2026, 9, 1)


def test_a_temporary_transfer_of_more_than_a_year_is_refused(system, members, tree):
    refused(
        lambda: actions.issue_transfer(
            system,
            members["duc"],
            kind="temporary",
            reason="job",
            event_on=D(2026, 3, 1),
            letter_number="3",
            letter_date=D(2026, 2, 25),
            to_org=tree["B"],
            ends_on=D(2027, 3, 1),
        ),
        "ends_on",
        "12",
    )


def test_a_letter_of_another_type_is_refused(system, members, tree, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    transfer = official(system, members["an"], tree["T"])
    refused(
        lambda: actions.attach_letter(system, transfer, SimpleUploadedFile("a.exe", b"MZ\x90")),
        "letter_file",
        "PDF",
    )


def test_the_daily_command_ends_the_stays_that_are_over(system, members, tree, today):
    import io

    from django.core.management import call_command

    transfer = actions.issue_transfer(
        system,
        members["duc"],
        kind="temporary",
        reason="training",
        event_on=add_months(today, -7),
        letter_number="3",
        letter_date=add_months(today, -7),
        to_org=tree["B"],
        ends_on=add_months(today, -4),
    )
    actions.accept_transfer(system, transfer, add_months(today, -7))
    out = io.StringIO()
    call_command("transfers", stdout=out)
    assert out.getvalue().startswith("1 ")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RETURNED


def test_the_database_refuses_a_second_home_cell(system, members, tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipPeriod.objects.create(
            member=members["an"], organisation=tree["B"], started_on=D(2026, 1, 1)
        )
