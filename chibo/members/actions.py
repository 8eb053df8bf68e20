"""Every change to the member registry: add, edit, change home cell, reveal personal data.

A member is always in exactly one home cell: Member.cell is never empty, and every change of
cell closes the open MembershipPeriod and opens the next one in the same transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, require
from chibo.audit.log import diff, record
from chibo.conflicts import check_version
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
    if isinstance(dob, datetime.date) and dob >= today:
        errors.setdefault("date_of_birth", []).append(_("The date of birth must be in the past."))
    if isinstance(admitted, datetime.date):
        if admitted > today:
            errors.setdefault("admitted_on", []).append(
                _("The admission date cannot be in the future.")
            )
        if isinstance(dob, datetime.date) and admitted < dob.replace(year=dob.year + 16):
            errors.setdefault("admitted_on", []).append(
                _("The admission date must be after the member's 16th birthday.")
            )
        if isinstance(official, datetime.date) and official < admitted:
            errors.setdefault("official_on", []).append(
                _("The official date cannot be before the admission date.")
            )
    if member.status == Status.PROBATIONARY and official:
        errors.setdefault("official_on", []).append(
            _("A probationary member has no official date yet.")
        )
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
    record(actor, "member.update", member.cell, member, _masked_changes(changes))
    return member


def move_members(actor, members, cell: Organisation, on: datetime.date, reason: str) -> int:
    """Move members to another home cell; return how many moved. Call inside a transaction."""
    _check_cell(cell)
    moved = 0
    for member in members.select_for_update():
        if member.cell_id == cell.pk:
            continue
        MembershipPeriod.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        MembershipPeriod.objects.create(
            member=member, organisation=cell, started_on=on, reason=reason[:255]
        )
        old_cell_id = member.cell_id
        member.cell = cell
        member.version += 1
        member.save(update_fields=["cell", "version", "updated_at"])
        record(actor, "member.change_cell", cell, member, {"cell": [old_cell_id, cell.pk]})
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
    last = member.periods.filter(ended_on__isnull=True).first()
    if last and on < last.started_on:
        raise ValidationError(
            {"effective_on": _("The date cannot be before the member joined the current cell.")}
        )
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
