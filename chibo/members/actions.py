"""Every change to the member registry: add, edit, change home cell, reveal personal data.

A member is always in exactly one home cell: Member.cell is never empty, and every change of
cell closes the open MembershipPeriod and opens the next one in the same transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chibo.accounts.actions import sync_member_roles
from chibo.accounts.policy import Perm, require
from chibo.audit.log import diff, record
from chibo.conflicts import check_version
from chibo.dates import add_years
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.orgs.models import Organisation

EDITABLE_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "phone",
    "email",
    "citizen_id",
    "party_card_number",
    "education",
    "qualification",
    "theory_level",
    "occupation",
    "position",
    "admitted_on",
    "official_on",
    "status",
)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# The Charter admits from 18 (issue 4 checks admissions); the registry also holds members
# admitted under older rules, so it refuses only what cannot be true.
MIN_ADMISSION_AGE = 16
# Changing these is logged with the values masked: the audit log is read by more people.
PERSONAL_FIELDS = ("citizen_id", "phone", "date_of_birth", "residence", "email")


def _check_cell(cell: Organisation) -> None:
    if not cell.is_cell:
        raise ValidationError({"cell": _("Members belong to a cell, not to a committee.")})
    if not cell.is_active:
        raise ValidationError({"cell": _("%(name)s is closed.") % {"name": cell.name}})


def _check_member(member: Member) -> None:
    """Validate field formats (model validators) and the rules between fields."""
    for key in ("citizen_id", "party_card_number"):
        if getattr(member, key) == "":
            setattr(member, key, None)
    errors: dict[str, list[str]] = {}
    try:
        member.full_clean(exclude=["cell", "name_folded"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    today = timezone.localdate()
    dob, admitted, official = member.date_of_birth, member.admitted_on, member.official_on

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    if isinstance(dob, datetime.date) and not EARLIEST_BIRTH <= dob < today:
        refuse("date_of_birth", _("The date of birth must be between 1900 and today."))
        dob = None
    if isinstance(admitted, datetime.date):
        if admitted > today:
            refuse("admitted_on", _("The admission date cannot be in the future."))
        elif isinstance(dob, datetime.date) and admitted < add_years(dob, MIN_ADMISSION_AGE):
            refuse("admitted_on", _("The admission date must be after the member's 16th birthday."))
        if isinstance(official, datetime.date) and official < admitted:
            refuse("official_on", _("The official date cannot be before the admission date."))
    if isinstance(official, datetime.date) and official > today:
        refuse("official_on", _("The official date cannot be in the future."))
    if member.status == Status.PROBATIONARY and official:
        refuse("official_on", _("A probationary member has no official date yet."))
    if member.status == Status.OFFICIAL and not official:
        refuse("official_on", _("An official member needs the official date."))
    if errors:
        raise ValidationError(errors)


def _masked_changes(changes: dict) -> dict:
    return {k: (["•••", "•••"] if k in PERSONAL_FIELDS else v) for k, v in changes.items()}


@transaction.atomic
def create_member(actor, cell: Organisation, **fields) -> Member:
    """Add a member to the registry with cell as their home cell."""
    cell = Organisation.objects.select_for_update().get(pk=cell.pk)
    require(actor, Perm.EDIT_MEMBER, cell)
    _check_cell(cell)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    member = Member(cell=cell, **fields)
    _check_member(member)
    member.save()
    MembershipPeriod.objects.create(
        member=member, organisation=cell, started_on=member.admitted_on, reason=_("Admitted")
    )
    record(
        actor,
        "member.create",
        cell,
        member,
        _masked_changes({k: [None, v] for k, v in fields.items()}),
    )
    return member


@transaction.atomic
def update_member(actor, member: Member, version: int | None = None, **fields) -> Member:
    """Correct a member's registry fields."""
    member = Member.objects.select_for_update().select_related("cell").get(pk=member.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    check_version(member, version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    before = {k: getattr(member, k) for k in EDITABLE_FIELDS}
    for key, value in fields.items():
        setattr(member, key, value)
    _check_member(member)
    changes = diff(before, {k: getattr(member, k) for k in EDITABLE_FIELDS})
    if not changes:
        return member
    member.version += 1
    member.save()
    if "admitted_on" in changes:
        first = member.periods.order_by("started_on", "id").first()
        if first is not None and first.started_on == changes["admitted_on"][0]:
            first.started_on = member.admitted_on
            first.save(update_fields=["started_on"])
    if "status" in changes:
        sync_member_roles(actor, member)
    record(actor, "member.update", member.cell, member, _masked_changes(changes))
    return member


def move_members(actor, members, cell: Organisation, on: datetime.date, reason: str) -> int:
    """Move members to another home cell; return how many moved. Call inside a transaction."""
    _check_cell(cell)
    moved = 0
    for member in members.select_for_update():
        if member.cell_id == cell.pk:
            continue
        current = member.periods.filter(ended_on__isnull=True).first()
        if current is not None and on < current.started_on:
            raise ValidationError(
                {
                    "effective_on": _(
                        "%(name)s joined the current cell on %(date)s; "
                        "the change cannot be earlier."
                    )
                    % {
                        "name": member.full_name,
                        "date": date_format(current.started_on, "SHORT_DATE_FORMAT"),
                    }
                }
            )
        MembershipPeriod.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        MembershipPeriod.objects.create(
            member=member, organisation=cell, started_on=on, reason=reason[:255]
        )
        old_cell = member.cell
        member.cell = cell
        member.version += 1
        member.save(update_fields=["cell", "version", "updated_at"])
        sync_member_roles(actor, member, old_cell_id=old_cell.pk)
        change = {"cell": [old_cell.code, cell.code], "reason": reason[:255]}
        # Recorded on both sides, so the log of either subtree shows the member moving.
        record(actor, "member.leave_cell", old_cell, member, change)
        record(actor, "member.change_cell", cell, member, change)
        moved += 1
    return moved


@transaction.atomic
def change_home_cell(
    actor, member: Member, cell: Organisation, effective_on=None, reason: str = ""
) -> Member:
    """Record that a member's home cell is now another cell (a completed transfer)."""
    member = Member.objects.select_for_update().select_related("cell").get(pk=member.pk)
    cell = Organisation.objects.get(pk=cell.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    require(actor, Perm.EDIT_MEMBER, cell)
    if member.cell_id == cell.pk:
        raise ValidationError({"cell": _("The member is already in this cell.")})
    on = effective_on or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the member changes cell.")})
    move_members(actor, Member.objects.filter(pk=member.pk), cell, on, reason)
    return Member.objects.get(pk=member.pk)


REVEALABLE = ("citizen_id", "phone")


@transaction.atomic
def reveal_personal(actor, member: Member, field: str, reason: str) -> str:
    """Return a masked field in clear, and log who saw it and why."""
    require(actor, Perm.REVEAL_ID, member)
    if field not in REVEALABLE:
        raise ValidationError({"field": _("This field cannot be revealed.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you need to see it.")})
    record(actor, "member.reveal", member.cell, member, {"field": field, "reason": reason[:500]})
    return getattr(member, field) or ""
