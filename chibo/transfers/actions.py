"""Every change to transfers and residence contact.

Each action checks permission, validates against the membership pack in force, writes and
records the audit event in one transaction; a refused step changes nothing. Actions that
touch a member lock the member first and the transfer second, so that two people accepting,
one accepting while another cancels, or a transfer racing a change of home cell, are served
one after the other and exactly one wins. A member is always in exactly one home cell: an
official transfer changes it through chibo.members.actions.move_members (which closes the
open MembershipPeriod and opens the next in the same transaction) only when the receiving
cell accepts; while in transit the home cell stays the sending cell.
"""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.actions import sync_member_roles
from chibo.accounts.policy import Perm, can, require
from chibo.audit.log import record
from chibo.conflicts import check_version
from chibo.meetings.actions import (
    ACCEPTED_TYPES,
    MAX_MATERIAL_BYTES,
    material_type,
    resync_invitations,
)
from chibo.members.actions import create_member, move_members
from chibo.members.models import (
    CURRENT_STATUSES,
    Member,
    MembershipEnd,
    MembershipPeriod,
    Status,
)
from chibo.orgs.models import CellType, Organisation
from chibo.regulations.loader import pack_by_id
from chibo.transfers import rules
from chibo.transfers.models import (
    OPEN_STATUSES,
    Kind,
    Reason,
    ResidenceComment,
    ResidenceContact,
    ResidenceRegistration,
    Transfer,
    TransferStatus,
)
from chibo.transfers.rules import membership_pack, short


def _today() -> datetime.date:
    return timezone.localdate()


def _locked_member(member_id: int) -> Member:
    # Locked alone: with a join, PostgreSQL re-checks the join after waiting for the lock and
    # loses the row when the member changed cell meanwhile.
    return Member.objects.select_for_update().get(pk=member_id)


def _locked_transfer(transfer: Transfer) -> tuple[Member, Transfer]:
    """Lock the member, then the transfer (always in this order), and return both fresh."""
    member_id = Transfer.objects.values_list("member_id", flat=True).get(pk=transfer.pk)
    member = _locked_member(member_id)
    fresh = Transfer.objects.select_for_update().get(pk=transfer.pk)
    return member, fresh


def _require_either_side(actor, transfer: Transfer) -> None:
    """The sending or the receiving organisation may act (each on its own side)."""
    sides = [o for o in (transfer.from_org, transfer.to_org) if o is not None]
    if not any(can(actor, Perm.EDIT_MEMBER, o) for o in sides):
        raise PermissionDenied(_("You do not have permission to do this here."))


def _check_letter(number: str, letter_date, today: datetime.date, errors: dict) -> None:
    if not (number or "").strip():
        errors["letter_number"] = _("Give the number of the introduction letter.")
    if not isinstance(letter_date, datetime.date):
        errors["letter_date"] = _("Give the date of the introduction letter.")
    elif letter_date > today:
        errors["letter_date"] = _("The letter's date cannot be in the future.")


def _check_destination(to_org: Organisation, member: Member, pack) -> None:
    if not to_org.is_cell:
        rules.raise_field(
            "to_org",
            _("A member takes part in a cell: choose a cell, not a committee (%(source)s).")
            % {"source": rules.transfer_source(pack)},
        )
    if not to_org.is_active:
        rules.raise_field(
            "to_org",
            _(
                "%(name)s was closed on %(date)s: a member cannot be transferred to a closed "
                "organisation (%(source)s)."
            )
            % {
                "name": to_org.name,
                "date": short(to_org.closed_on),
                "source": rules.transfer_source(pack),
            },
        )
    if to_org.pk == member.cell_id:
        rules.raise_field(
            "to_org", _("The member's home cell is already %(name)s.") % {"name": to_org.name}
        )


def _save_letter_file(transfer: Transfer, upload) -> None:
    if upload.size > MAX_MATERIAL_BYTES:
        rules.raise_field(
            "letter_file",
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_MATERIAL_BYTES // (1024 * 1024)},
        )
    kind = material_type(upload)
    if kind is None:
        rules.raise_field(
            "letter_file", _("Only PDF, Word (DOCX), JPEG and PNG files are accepted.")
        )
    upload.name = f"{secrets.token_hex(8)}.{ACCEPTED_TYPES[kind]}"
    transfer.letter_file = upload
    transfer.save(update_fields=["letter_file"])


def _letter(transfer: Transfer) -> dict:
    return {"letter_number": transfer.letter_number, "letter_date": transfer.letter_date}


def _end_residence(member: Member, on: datetime.date, reason: str) -> ResidenceRegistration | None:
    """End the member's open residence registration (the member moved or left); return it."""
    registration = member.residences.select_for_update().filter(ended_on__isnull=True).first()
    if registration is not None:
        registration.ended_on = max(on, registration.registered_on)
        registration.end_reason = reason[:255]
        registration.version += 1
        registration.save(update_fields=["ended_on", "end_reason", "version"])
    return registration


# Transfers.


@transaction.atomic
def issue_transfer(
    actor,
    member: Member,
    *,
    kind: str,
    reason: str,
    event_on: datetime.date,
    letter_number: str,
    letter_date: datetime.date,
    to_org: Organisation | None = None,
    outside_name: str = "",
    ends_on: datetime.date | None = None,
    note: str = "",
    letter_file=None,
) -> Transfer:
    """The sending cell issues the introduction letter.

    Inside the system the member is then in transit until the receiving cell accepts (the
    home cell does not change yet). To an organisation outside the system the transfer is
    recorded with its letter: an official one ends the member's membership here
    (transferred out), a temporary one starts the member's time away at once.
    """
    member = _locked_member(member.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    today = _today()
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose official or temporary.")
    if reason not in Reason.values:
        errors["reason"] = _("Choose the reason for the transfer.")
    if not isinstance(event_on, datetime.date):
        errors["event_on"] = _("Give the date of the job move, retirement or other event.")
    _check_letter(letter_number, letter_date, today, errors)
    outside_name = (outside_name or "").strip()
    if (to_org is None) == (not outside_name):
        errors["to_org"] = _(
            "Name the receiving organisation in the system, or the organisation outside it."
        )
    if kind == Kind.TEMPORARY and not isinstance(ends_on, datetime.date):
        errors["ends_on"] = _("A temporary transfer needs the day it ends.")
    if errors:
        raise ValidationError(errors)
    pack = membership_pack(member.cell, letter_date)
    if not member.is_current:
        rules.raise_field(
            "member",
            _("%(name)s is not a current member (%(status)s): there is nothing to transfer.")
            % {"name": member.full_name, "status": member.get_status_display()},
        )
    current = member.transfers.filter(status__in=OPEN_STATUSES).select_related("to_org").first()
    if current is not None:
        rules.raise_field(
            "member",
            _(
                "%(name)s already has a transfer in progress (%(status)s, to %(to)s): a member "
                "is in exactly one home cell. Finish or cancel it first."
            )
            % {
                "name": member.full_name,
                "status": current.get_status_display(),
                "to": current.destination,
            },
        )
    if to_org is not None:
        to_org = Organisation.objects.get(pk=to_org.pk)  # as it is now, not as the caller read it
        _check_destination(to_org, member, pack)
    if kind == Kind.TEMPORARY:
        rules.check_temporary_length(pack, reason, event_on, ends_on)
    transfer = Transfer(
        member=member,
        kind=kind,
        reason=reason,
        event_on=event_on,
        from_org=member.cell,
        to_org=to_org,
        outside_name=outside_name[:255],
        letter_number=letter_number.strip()[:60],
        letter_date=letter_date,
        ends_on=ends_on if kind == Kind.TEMPORARY else None,
        note=(note or "").strip()[:500],
        pack_id=pack.id,
    )
    if kind == Kind.OFFICIAL:
        transfer.due_on = rules.official_due(pack, event_on)
    if to_org is not None:
        # A letter recorded after its deadline stays in transit, shown as expired: the
        # receiving cell can still record an acceptance made in time, else a new letter.
        transfer.present_by = rules.present_by(pack, letter_date)
        transfer.status = TransferStatus.IN_TRANSIT
        transfer.save()
        action = "transfer.issue"
    elif kind == Kind.OFFICIAL:
        transfer.status = TransferStatus.COMPLETED
        transfer.accepted_on = letter_date
        transfer.save()
        _leave_the_system(actor, member, transfer)
        action = "transfer.out"
    else:
        transfer.status = TransferStatus.ACTIVE
        transfer.accepted_on = event_on
        transfer.save()
        resync_invitations(member.cell)
        action = "transfer.issue"
    if letter_file is not None:
        _save_letter_file(transfer, letter_file)
    changes = {
        "kind": kind,
        "reason": reason,
        "to": transfer.destination,
        "event_on": event_on,
        **_letter(transfer),
    }
    if ends_on and kind == Kind.TEMPORARY:
        changes["ends_on"] = ends_on
    record(actor, action, member.cell, transfer, changes)
    if to_org is not None:
        record(actor, action, to_org, transfer, changes)
    return transfer


def _leave_the_system(actor, member: Member, transfer: Transfer) -> None:
    """An official transfer out of the system: the member's status says so, their open period
    in the home cell ends on the letter's date, their roles and log-in end."""
    period = member.periods.select_for_update().filter(ended_on__isnull=True).first()
    if period is not None and period.started_on > transfer.letter_date:
        rules.raise_field(
            "letter_date",
            _("%(name)s joined the current cell on %(date)s; the letter cannot be earlier.")
            % {"name": member.full_name, "date": short(period.started_on)},
        )
    MembershipPeriod.objects.filter(member=member, ended_on__isnull=True).update(
        ended_on=transfer.letter_date,
        reason=(_("Transferred out to %(name)s") % {"name": transfer.outside_name})[:255],
    )
    member.status = Status.TRANSFERRED_OUT
    member.version += 1
    member.save(update_fields=["status", "version", "updated_at"])
    sync_member_roles(actor, member)
    _end_residence(member, transfer.letter_date, _("Transferred out of the system"))
    resync_invitations(member.cell)
    # A probation goes on where the member goes: here it closes, with no reminder left.
    # Imported here: chibo.admissions imports the registry this module builds on.
    from chibo.admissions.actions import close_for_transfer_out

    close_for_transfer_out(
        actor, member, transfer.outside_name, transfer.letter_number, transfer.letter_date
    )
    # The member no longer belongs here: the fee summaries that counted them are rewritten
    # in this transaction, as for any end of membership (imported here, like the registry).
    from chibo.fees.actions import refresh_for_ended_membership

    refresh_for_ended_membership(member)


@transaction.atomic
def accept_transfer(
    actor, transfer: Transfer, accepted_on: datetime.date | None = None, version=None
) -> Transfer:
    """The receiving cell accepts the member who presents the letter in time.

    Official: the home cell becomes the receiving cell from that day. Temporary: the member
    takes part in the receiving cell until the transfer ends, without being counted there.
    """
    member, transfer = _locked_transfer(transfer)
    if transfer.to_org is None:
        raise PermissionDenied(_("Only an organisation in the system accepts a transfer."))
    require(actor, Perm.EDIT_MEMBER, transfer.to_org)
    check_version(transfer, version)
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise ValidationError(
            _("This transfer is %(status)s: only a transfer in transit can be accepted.")
            % {"status": transfer.get_status_display().lower()}
        )
    today = _today()
    on = accepted_on or today
    if on > today:
        rules.raise_field("accepted_on", _("The day of acceptance cannot be in the future."))
    if on < transfer.letter_date:
        rules.raise_field(
            "accepted_on",
            _("The member cannot present the letter before its date, %(date)s.")
            % {"date": short(transfer.letter_date)},
        )
    pack = pack_by_id(transfer.pack_id)
    rules.check_presented_in_time(pack, transfer.letter_date, transfer.present_by, on)
    if member.cell_id != transfer.from_org_id:
        rules.raise_field(
            "member",
            _(
                "%(name)s's home cell changed to %(cell)s after the letter was issued: this "
                "letter no longer applies."
            )
            % {"name": member.full_name, "cell": member.cell.name},
        )
    if not member.is_current:
        rules.raise_field(
            "member",
            _("%(name)s is not a current member (%(status)s).")
            % {"name": member.full_name, "status": member.get_status_display()},
        )
    if not transfer.to_org.is_active:
        _check_destination(transfer.to_org, member, pack)
    transfer.accepted_on = on
    transfer.version += 1
    if transfer.kind == Kind.OFFICIAL:
        reason = _("Transferred from %(cell)s, letter %(number)s of %(date)s") % {
            "cell": transfer.from_org.name,
            "number": transfer.letter_number,
            "date": short(transfer.letter_date),
        }
        move_members(actor, Member.objects.filter(pk=member.pk), transfer.to_org, on, reason)
        transfer.status = TransferStatus.COMPLETED
        if transfer.to_org.cell_type == CellType.RESIDENTIAL:
            _end_residence(member, on, _("The home cell is now the residential cell"))
    else:
        if transfer.ends_on <= on:
            rules.raise_field(
                "accepted_on",
                _("The temporary transfer was to end on %(date)s; it cannot start after that.")
                % {"date": short(transfer.ends_on)},
            )
        transfer.status = TransferStatus.ACTIVE
    transfer.save(update_fields=["accepted_on", "status", "version"])
    resync_invitations(transfer.from_org, transfer.to_org)
    changes = {"accepted_on": on, "kind": transfer.kind, "to": transfer.to_org.code}
    record(actor, "transfer.accept", transfer.to_org, transfer, changes)
    record(actor, "transfer.accept", transfer.from_org, transfer, changes)
    return transfer


@transaction.atomic
def reissue_letter(
    actor, transfer: Transfer, letter_number: str, letter_date: datetime.date, version=None
) -> Transfer:
    """The sending cell issues a new letter for a transfer in transit (the old one expired)."""
    member, transfer = _locked_transfer(transfer)
    require(actor, Perm.EDIT_MEMBER, transfer.from_org)
    check_version(transfer, version)
    if transfer.status != TransferStatus.IN_TRANSIT or transfer.to_org is None:
        raise ValidationError(_("Only the letter of a transfer in transit can be issued again."))
    errors: dict[str, str] = {}
    _check_letter(letter_number, letter_date, _today(), errors)
    if not errors and letter_date < transfer.letter_date:
        errors["letter_date"] = _("The new letter cannot be older than the one it replaces.")
    if errors:
        raise ValidationError(errors)
    if member.cell_id != transfer.from_org_id:
        rules.raise_field("member", _("The member's home cell has changed since the letter."))
    pack = membership_pack(transfer.from_org, letter_date)
    _check_destination(transfer.to_org, member, pack)
    before = _letter(transfer)
    transfer.letter_number = letter_number.strip()[:60]
    transfer.letter_date = letter_date
    transfer.present_by = rules.present_by(pack, letter_date)
    transfer.pack_id = pack.id
    transfer.version += 1
    transfer.save(
        update_fields=["letter_number", "letter_date", "present_by", "pack_id", "version"]
    )
    changes = {k: [before[k], v] for k, v in _letter(transfer).items()}
    record(actor, "transfer.reissue", transfer.from_org, transfer, changes)
    record(actor, "transfer.reissue", transfer.to_org, transfer, changes)
    return transfer


@transaction.atomic
def cancel_transfer(actor, transfer: Transfer, reason: str, version=None) -> Transfer:
    """Either side withdraws a transfer in transit; the member stays where they are."""
    _member, transfer = _locked_transfer(transfer)
    _require_either_side(actor, transfer)
    check_version(transfer, version)
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise ValidationError(
            _(
                "Only a transfer in transit can be cancelled: a temporary stay is ended, and a "
                "completed transfer is followed by a new one."
            )
        )
    if not (reason or "").strip():
        rules.raise_field("reason", _("Say why the transfer is cancelled."))
    transfer.status = TransferStatus.CANCELLED
    transfer.cancelled_reason = reason.strip()[:500]
    transfer.version += 1
    transfer.save(update_fields=["status", "cancelled_reason", "version"])
    for side in (transfer.from_org, transfer.to_org):
        if side is not None:
            record(actor, "transfer.cancel", side, transfer, {"reason": transfer.cancelled_reason})
    return transfer


def _return(actor, transfer: Transfer, on: datetime.date) -> None:
    transfer.status = TransferStatus.RETURNED
    transfer.returned_on = on
    transfer.version += 1
    transfer.save(update_fields=["status", "returned_on", "version"])
    resync_invitations(transfer.from_org, transfer.to_org)
    for side in (transfer.from_org, transfer.to_org):
        if side is not None:
            record(actor, "transfer.end", side, transfer, {"returned_on": on})


@transaction.atomic
def end_temporary(
    actor, transfer: Transfer, ended_on: datetime.date | None = None, version=None
) -> Transfer:
    """A temporary transfer ends (earlier than planned, or on its day): the member takes part
    in the home cell again."""
    _member, transfer = _locked_transfer(transfer)
    _require_either_side(actor, transfer)
    check_version(transfer, version)
    if transfer.kind != Kind.TEMPORARY or transfer.status != TransferStatus.ACTIVE:
        raise ValidationError(_("Only a temporary transfer in progress can be ended."))
    on = ended_on or min(_today(), transfer.ends_on)
    if on > _today():
        rules.raise_field("ended_on", _("The day it ends cannot be in the future."))
    if on < transfer.accepted_on:
        rules.raise_field(
            "ended_on",
            _("The temporary transfer started on %(date)s; it cannot end before.")
            % {"date": short(transfer.accepted_on)},
        )
    if on > transfer.ends_on:
        rules.raise_field(
            "ended_on",
            _("The temporary transfer ends by %(date)s; a longer stay needs a new transfer.")
            % {"date": short(transfer.ends_on)},
        )
    _return(actor, transfer, on)
    return transfer


def end_due_temporaries(actor=None, today: datetime.date | None = None) -> int:
    """End every temporary transfer whose day has come; return how many. Idempotent: the
    daily job (`chibo transfers`) calls it."""
    today = today or _today()
    ended = 0
    due = Transfer.objects.filter(
        kind=Kind.TEMPORARY, status=TransferStatus.ACTIVE, ends_on__lte=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            _member, transfer = _locked_transfer(Transfer(pk=pk))
            if transfer.status == TransferStatus.ACTIVE and transfer.ends_on <= today:
                _return(actor, transfer, transfer.ends_on)
                ended += 1
    return ended


def close_for_ended_membership(actor, member: Member, ending: MembershipEnd) -> None:
    """Close what the member still has open here when the membership ends (called by
    chibo.members.actions.end_membership, in its transaction, the member already locked).

    A transfer in transit or a temporary stay is cancelled, saying why: no cell receives, or
    keeps taking part with, someone who is no longer a member; the stay's dates stay as they
    were, the reason gives the day it stopped. The residence registration ends that day.
    """
    on = ending.effective_on
    why = _("The membership ended on %(date)s: %(how)s.") % {
        "date": short(on),
        "how": ending.get_kind_display(),
    }
    # Locked without a join (see _locked_member); the member was locked first.
    for transfer in Transfer.objects.select_for_update().filter(
        member=member, status__in=OPEN_STATUSES
    ):
        before = transfer.status
        transfer.status = TransferStatus.CANCELLED
        transfer.cancelled_reason = why[:500]
        transfer.version += 1
        transfer.save(update_fields=["status", "cancelled_reason", "version"])
        resync_invitations(transfer.from_org, transfer.to_org)
        changes = {"status": [before, transfer.status], "reason": transfer.cancelled_reason}
        for side in (transfer.from_org, transfer.to_org):
            if side is not None:
                record(actor, "transfer.cancel", side, transfer, changes)
    registration = _end_residence(member, on, why)
    if registration is not None:
        changes = {"ended_on": registration.ended_on, "reason": registration.end_reason}
        record(actor, "residence.end", registration.cell, registration, changes)
        record(actor, "residence.end", member.cell, registration, changes)


@transaction.atomic
def record_incoming(
    actor,
    cell: Organisation,
    *,
    outside_name: str,
    letter_number: str,
    letter_date: datetime.date,
    event_on: datetime.date,
    reason: str,
    member: dict,
    accepted_on: datetime.date | None = None,
    note: str = "",
    letter_file=None,
) -> Transfer:
    """A member arrives from an organisation outside the system with a letter: the member is
    added to the receiving cell (chibo.members.actions.create_member) from the day of
    acceptance, and the letter is recorded."""
    cell = Organisation.objects.get(pk=cell.pk)
    require(actor, Perm.EDIT_MEMBER, cell)
    today = _today()
    on = accepted_on or today
    errors: dict[str, str] = {}
    if not (outside_name or "").strip():
        errors["outside_name"] = _("Name the organisation the member comes from.")
    if reason not in Reason.values:
        errors["reason"] = _("Choose the reason for the transfer.")
    if not isinstance(event_on, datetime.date):
        errors["event_on"] = _("Give the date of the job move, retirement or other event.")
    _check_letter(letter_number, letter_date, today, errors)
    if member.get("status") not in CURRENT_STATUSES:
        errors["status"] = _("A member who arrives is official, probationary or exempted.")
    if on > today:
        errors["accepted_on"] = _("The day of acceptance cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    pack = membership_pack(cell, letter_date)
    deadline = rules.present_by(pack, letter_date)
    rules.check_presented_in_time(pack, letter_date, deadline, on)
    if on < letter_date:
        rules.raise_field("accepted_on", _("The member cannot arrive before the letter's date."))
    newcomer = create_member(actor, cell, **member)
    if on < newcomer.admitted_on:
        rules.raise_field("accepted_on", _("The member cannot arrive before being admitted."))
    MembershipPeriod.objects.filter(member=newcomer).update(
        started_on=on,
        reason=(
            _("Transferred in from %(name)s, letter %(number)s of %(date)s")
            % {"name": outside_name.strip(), "number": letter_number, "date": short(letter_date)}
        )[:255],
    )
    transfer = Transfer.objects.create(
        member=newcomer,
        kind=Kind.OFFICIAL,
        reason=reason,
        event_on=event_on,
        to_org=cell,
        outside_name=outside_name.strip()[:255],
        letter_number=letter_number.strip()[:60],
        letter_date=letter_date,
        present_by=deadline,
        status=TransferStatus.COMPLETED,
        accepted_on=on,
        note=(note or "").strip()[:500],
        pack_id=pack.id,
    )
    if letter_file is not None:
        _save_letter_file(transfer, letter_file)
    resync_invitations(cell)
    record(
        actor,
        "transfer.in",
        cell,
        transfer,
        {"from": transfer.outside_name, "accepted_on": on, **_letter(transfer)},
    )
    return transfer


@transaction.atomic
def attach_letter(actor, transfer: Transfer, upload) -> Transfer:
    """Attach the scanned letter to a transfer (either side keeps a copy)."""
    _member, transfer = _locked_transfer(transfer)
    _require_either_side(actor, transfer)
    if upload is None:
        rules.raise_field("letter_file", _("Choose a file."))
    _save_letter_file(transfer, upload)
    for side in (transfer.from_org, transfer.to_org):
        if side is not None:
            record(actor, "transfer.letter_file", side, transfer, {"size": upload.size})
    return transfer


# Residence contact (Quy định 213-QĐ/TW).


def _locked_registration(registration: ResidenceRegistration) -> ResidenceRegistration:
    return ResidenceRegistration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def register_residence(
    actor,
    member: Member,
    cell: Organisation,
    *,
    address: str,
    registered_on: datetime.date,
    exempt_group: str = "",
) -> ResidenceRegistration:
    """A member who works elsewhere registers with the residential cell where they live; an
    earlier registration ends the same day (the member moved)."""
    member = _locked_member(member.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    cell = Organisation.objects.get(pk=cell.pk)
    today = _today()
    errors: dict[str, str] = {}
    if not (address or "").strip():
        errors["address"] = _("Give the address where the member lives.")
    if not isinstance(registered_on, datetime.date):
        errors["registered_on"] = _("Give the day of registration.")
    elif registered_on > today:
        errors["registered_on"] = _("The day of registration cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    pack = membership_pack(member.cell, registered_on)
    source = rules.residence_source(pack)
    if not member.is_current:
        rules.raise_field(
            "member",
            _("%(name)s is not a current member (%(status)s).")
            % {"name": member.full_name, "status": member.get_status_display()},
        )
    if member.cell.cell_type == CellType.RESIDENTIAL:
        rules.raise_field(
            "member",
            _(
                "%(name)s's home cell is a residential cell: registration is for members who "
                "work elsewhere (%(source)s)."
            )
            % {"name": member.full_name, "source": source},
        )
    if not cell.is_cell or cell.cell_type != CellType.RESIDENTIAL:
        rules.raise_field(
            "cell",
            _("%(name)s is not a residential cell: members register where they live (%(source)s).")
            % {"name": cell.name, "source": source},
        )
    if not cell.is_active:
        rules.raise_field(
            "cell",
            _("%(name)s was closed on %(date)s.")
            % {"name": cell.name, "date": short(cell.closed_on)},
        )
    groups = {g.key for g in rules.rules_of(pack).residence.exempt_groups}
    if exempt_group and exempt_group not in groups:
        rules.raise_field(
            "exempt_group",
            _("The exempt groups are: %(groups)s (%(source)s).")
            % {"groups": ", ".join(sorted(groups)), "source": source},
        )
    if registered_on < member.admitted_on:
        rules.raise_field("registered_on", _("The member registers after being admitted."))
    current = member.residences.select_for_update().filter(ended_on__isnull=True).first()
    if current is not None:
        if current.cell_id == cell.pk:
            rules.raise_field(
                "cell",
                _("%(name)s is already registered with this cell.") % {"name": member.full_name},
            )
        if registered_on < current.registered_on:
            rules.raise_field(
                "registered_on",
                _("The member registered with %(cell)s on %(date)s; a move cannot be earlier.")
                % {"cell": current.cell.name, "date": short(current.registered_on)},
            )
        _end_residence(member, registered_on, _("Moved to %(cell)s") % {"cell": cell.name})
    registration = ResidenceRegistration.objects.create(
        member=member,
        cell=cell,
        address=address.strip()[:255],
        registered_on=registered_on,
        exempt_group=exempt_group,
    )
    changes = {"cell": cell.code, "registered_on": registered_on, "exempt_group": exempt_group}
    record(actor, "residence.register", member.cell, registration, changes)
    record(actor, "residence.register", cell, registration, changes)
    return registration


@transaction.atomic
def end_residence(
    actor, registration: ResidenceRegistration, ended_on: datetime.date, reason: str
) -> ResidenceRegistration:
    """The registration ends: the member moved, or no longer works elsewhere."""
    registration = _locked_registration(registration)
    if not (
        can(actor, Perm.EDIT_MEMBER, registration.cell)
        or can(actor, Perm.EDIT_MEMBER, registration.member.cell)
    ):
        raise PermissionDenied(_("You do not have permission to do this here."))
    if not registration.is_open:
        raise ValidationError(_("This registration has already ended."))
    errors: dict[str, str] = {}
    if not isinstance(ended_on, datetime.date):
        errors["ended_on"] = _("Give the day it ends.")
    elif ended_on > _today():
        errors["ended_on"] = _("The day it ends cannot be in the future.")
    elif ended_on < registration.registered_on:
        errors["ended_on"] = _("It cannot end before the day of registration, %(date)s.") % {
            "date": short(registration.registered_on)
        }
    if not (reason or "").strip():
        errors["reason"] = _("Say why the registration ends.")
    if errors:
        raise ValidationError(errors)
    registration.ended_on = ended_on
    registration.end_reason = reason.strip()[:255]
    registration.version += 1
    registration.save(update_fields=["ended_on", "end_reason", "version"])
    changes = {"ended_on": ended_on, "reason": registration.end_reason}
    record(actor, "residence.end", registration.cell, registration, changes)
    record(actor, "residence.end", registration.member.cell, registration, changes)
    return registration


@transaction.atomic
def record_contact(
    actor, registration: ResidenceRegistration, on: datetime.date, note: str
) -> ResidenceContact:
    """The residential cell records a meeting or contact with a registered member."""
    registration = _locked_registration(registration)
    require(actor, Perm.EDIT_MEMBER, registration.cell)
    errors: dict[str, str] = {}
    if not isinstance(on, datetime.date):
        errors["on"] = _("Give the day of the contact.")
    elif on > _today():
        errors["on"] = _("The day of the contact cannot be in the future.")
    elif on < registration.registered_on or (
        registration.ended_on is not None and on > registration.ended_on
    ):
        errors["on"] = _("The contact must fall while the member is registered here.")
    if not (note or "").strip():
        errors["note"] = _("Say what happened.")
    if errors:
        raise ValidationError(errors)
    contact = ResidenceContact.objects.create(
        registration=registration, on=on, note=note.strip()[:500]
    )
    record(actor, "residence.contact", registration.cell, registration, {"on": on})
    return contact


@transaction.atomic
def write_comment(
    actor,
    registration: ResidenceRegistration,
    *,
    year: int,
    text: str,
    front_opinion: str = "",
    version=None,
) -> ResidenceComment:
    """The residential cell writes (or corrects) its yearly comment on a registered member,
    with the neighbourhood Front committee's opinion."""
    registration = _locked_registration(registration)
    require(actor, Perm.EDIT_MEMBER, registration.cell)
    today = _today()
    if not isinstance(year, int) or year > today.year or not registration.covers_year(year):
        rules.raise_field(
            "year",
            _("Comment on a year the member was registered here, up to this year."),
        )
    if not (text or "").strip():
        rules.raise_field("text", _("Write the cell committee's comment."))
    comment = ResidenceComment.objects.filter(registration=registration, year=year).first()
    if comment is None:
        comment = ResidenceComment(registration=registration, year=year)
    else:
        check_version(comment, version)
        comment.version += 1
    comment.text = text.strip()
    comment.front_opinion = (front_opinion or "").strip()
    comment.written_on = today
    comment.save()
    record(
        actor,
        "residence.comment",
        registration.cell,
        registration,
        {"year": year, "version": comment.version},
    )
    record(
        actor,
        "residence.comment",
        registration.member.cell,
        registration,
        {"year": year, "version": comment.version},
    )
    return comment
