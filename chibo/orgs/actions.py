"""Every change to the organisation tree: create, edit, move, merge, split, close.

Each action checks permission, validates, writes, records history and the audit event, in
one transaction. Pages and the API call these and nothing else.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, require
from chibo.audit.log import acting_user, diff, record
from chibo.conflicts import check_version
from chibo.members.models import CURRENT_STATUSES
from chibo.orgs.models import ALLOWED_PARENTS, Level, Organisation, OrgChange
from chibo.oversight.rollups import after_reorganisation, rebuild

EDITABLE_FIELDS = ("name", "cell_type", "place", "meeting_day", "founded_on")


def _today() -> datetime.date:
    return timezone.localdate()


def _snapshot(org: Organisation) -> dict:
    parent = Organisation.objects.get_parent(org)
    return {
        "name": org.name,
        "code": org.code,
        "path": org.path,
        "parent": parent.code if parent else None,
    }


def _check_fits_under(level: str, parent: Organisation | None) -> None:
    allowed = ALLOWED_PARENTS[level]
    parent_level = parent.level if parent else None
    if parent_level not in allowed:
        raise ValidationError(
            {
                "parent": _("A %(level)s cannot stand directly under a %(parent)s.")
                % {
                    "level": Level(level).label.lower(),
                    "parent": Level(parent_level).label.lower() if parent else _("nothing"),
                }
            }
        )
    if parent is not None and not parent.is_active:
        raise ValidationError({"parent": _("%(name)s is closed.") % {"name": parent.name}})


def _check_fields(org: Organisation) -> None:
    errors = {}
    if org.meeting_day is not None and not 1 <= org.meeting_day <= 28:
        errors["meeting_day"] = _("The meeting day must be between 1 and 28.")
    if org.cell_type and org.level in (Level.CENTRAL, Level.PROVINCE, Level.SUPERIOR):
        errors["cell_type"] = _("Only grassroots organisations and cells have a type.")
    if errors:
        raise ValidationError(errors)
    org.full_clean(exclude=["path", "depth", "numchild", "successor", "name_folded"])


@transaction.atomic
def create_organisation(actor, parent: Organisation | None, **fields) -> Organisation:
    """Found a new organisation under parent (or a root when parent is None)."""
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            require(actor, Perm.REORGANISE, None)
            raise ValidationError({"parent": _("Choose the organisation to add it under.")})
    else:
        parent = Organisation.objects.select_for_update().get(pk=parent.pk)
        require(actor, Perm.REORGANISE, parent)
    level = fields.get("level", "")
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a level.")})
    _check_fits_under(level, parent)
    org = Organisation(**{k: v for k, v in fields.items() if v is not None})
    if Organisation.objects.filter(code=org.code).exists():
        raise ValidationError({"code": _("Another organisation already has this code.")})
    _check_fields(org)
    org = (
        Organisation.objects.add_child(parent, instance=org)
        if parent
        else Organisation.objects.add_root(instance=org)
    )
    OrgChange.objects.create(
        organisation=org,
        kind=OrgChange.Kind.FOUNDED,
        effective_on=org.founded_on or _today(),
        after=_snapshot(org),
        recorded_by=acting_user(actor),
    )
    record(actor, "org.create", org, org, {"parent": parent.code if parent else None, **fields})
    return org


@transaction.atomic
def update_organisation(actor, org: Organisation, version: int | None = None, **fields):
    """Change an organisation's name, type, place, meeting day or founding date."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    require(actor, Perm.EDIT_ORG, org)
    check_version(org, version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    before = {k: getattr(org, k) for k in EDITABLE_FIELDS}
    for key, value in fields.items():
        setattr(org, key, value)
    _check_fields(org)
    changes = diff(before, {k: getattr(org, k) for k in EDITABLE_FIELDS})
    if not changes:
        return org
    org.version += 1
    org.save()
    kind = OrgChange.Kind.RENAMED if "name" in changes else OrgChange.Kind.EDITED
    OrgChange.objects.create(
        organisation=org,
        kind=kind,
        effective_on=_today(),
        before={k: v[0] for k, v in changes.items()},
        after={k: v[1] for k, v in changes.items()},
        recorded_by=acting_user(actor),
    )
    record(actor, "org.update", org, org, changes)
    if "meeting_day" in changes:
        # Whether a meeting was on the set day is counted in the roll-up of the cells
        # below that take their day from here.
        rebuild(org)
    return org


def may_reorganise(user, org: Organisation) -> bool:
    """Moving, merging, splitting or closing an organisation needs the right over its parent."""
    parent = Organisation.objects.get_parent(org)
    return parent is not None and can(user, Perm.REORGANISE, parent)


def _require_reorganise_above(actor, org: Organisation) -> Organisation | None:
    parent = Organisation.objects.get_parent(org)
    if parent is None:
        raise ValidationError(_("The top of the tree cannot be moved, merged or split."))
    require(actor, Perm.REORGANISE, parent)
    return parent


@transaction.atomic
def move_organisation(
    actor, org: Organisation, new_parent: Organisation, effective_on=None, note: str = ""
) -> Organisation:
    """Move org, with its whole subtree, under new_parent."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    new_parent = Organisation.objects.select_for_update().get(pk=new_parent.pk)
    old_parent = _require_reorganise_above(actor, org)
    require(actor, Perm.REORGANISE, new_parent)
    if not org.is_active:
        raise ValidationError(_("%(name)s is closed.") % {"name": org.name})
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            {"new_parent": _("An organisation cannot be moved under itself or its own subtree.")}
        )
    if old_parent and old_parent.pk == new_parent.pk:
        raise ValidationError({"new_parent": _("It is already there.")})
    _check_fits_under(org.level, new_parent)
    before = _snapshot(org)
    Organisation.objects.move(org, new_parent, pos="last-child")
    org = Organisation.objects.get(pk=org.pk)
    after_reorganisation(before["path"], org.path)
    org.version += 1
    org.save(update_fields=["version"])
    after = _snapshot(org)
    OrgChange.objects.create(
        organisation=org,
        kind=OrgChange.Kind.MOVED,
        effective_on=effective_on or _today(),
        other=new_parent,
        before=before,
        after=after,
        note=note,
        recorded_by=acting_user(actor),
    )
    record(actor, "org.move", org, org, {"parent": [before["parent"], after["parent"]]})
    return org


def _close(org: Organisation, on: datetime.date, successor: Organisation | None) -> None:
    org.closed_on = on
    org.successor = successor
    org.version += 1
    org.save(update_fields=["closed_on", "successor", "version"])


@transaction.atomic
def merge_organisations(
    actor, source: Organisation, target: Organisation, effective_on=None, note: str = ""
) -> Organisation:
    """Merge source into target: its members and sub-organisations move, and it is closed."""
    from chibo.members.actions import move_members

    source = Organisation.objects.select_for_update().get(pk=source.pk)
    target = Organisation.objects.select_for_update().get(pk=target.pk)
    _require_reorganise_above(actor, source)
    require(actor, Perm.REORGANISE, target)
    on = effective_on or _today()
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another organisation to merge into.")})
    if not source.is_active or not target.is_active:
        raise ValidationError({"target": _("Closed organisations cannot be merged.")})
    if target.path.startswith(source.path):
        raise ValidationError(
            {"target": _("An organisation cannot be merged into its own subtree.")}
        )
    if source.is_cell != target.is_cell or (not source.is_cell and source.level != target.level):
        raise ValidationError(
            {"target": _("A cell merges into a cell, a committee into a committee of its level.")}
        )
    children = list(Organisation.objects.get_children(source).filter(closed_on__isnull=True))
    for child in children:
        _check_fits_under(child.level, target)
    moved_members = 0
    if source.is_cell:
        from chibo.meetings.actions import hand_over_open_work

        hand_over_open_work(actor, source, target)
        # Members who left, died or were expelled stay on the record of their last cell.
        moved_members = move_members(
            actor,
            source.members.filter(status__in=CURRENT_STATUSES),
            target,
            on,
            _("Merged into %(name)s") % {"name": target.name},
        )
    for child in children:
        Organisation.objects.move(child, target, pos="last-child")
    after_reorganisation(source.path, target.path)
    source = Organisation.objects.get(pk=source.pk)
    _close(source, on, target)
    OrgChange.objects.create(
        organisation=source,
        kind=OrgChange.Kind.MERGED_INTO,
        effective_on=on,
        other=target,
        before=_snapshot(source),
        note=note,
        recorded_by=acting_user(actor),
    )
    OrgChange.objects.create(
        organisation=target,
        kind=OrgChange.Kind.ABSORBED,
        effective_on=on,
        other=source,
        after={"members": moved_members, "children": [c.code for c in children]},
        note=note,
        recorded_by=acting_user(actor),
    )
    record(
        actor,
        "org.merge",
        source,
        source,
        {"into": target.code, "members": moved_members, "children": len(children)},
    )
    return Organisation.objects.get(pk=target.pk)


@transaction.atomic
def split_organisation(
    actor,
    org: Organisation,
    *,
    code: str,
    name: str,
    member_ids=(),
    child_ids=(),
    effective_on=None,
    note: str = "",
) -> Organisation:
    """Split part of org into a new sibling: the chosen members or sub-organisations go there."""
    from chibo.members.actions import move_members

    org = Organisation.objects.select_for_update().get(pk=org.pk)
    parent = _require_reorganise_above(actor, org)
    if not org.is_active:
        raise ValidationError(_("%(name)s is closed.") % {"name": org.name})
    members = org.members.filter(pk__in=list(member_ids), status__in=CURRENT_STATUSES)
    children = list(
        Organisation.objects.get_children(org).filter(
            pk__in=list(child_ids), closed_on__isnull=True
        )
    )
    if len(set(member_ids)) != members.count() or len(set(child_ids)) != len(children):
        raise ValidationError(
            _("Some of the chosen members or organisations are not in %(name)s.")
            % {"name": org.name}
        )
    if not members.exists() and not children:
        raise ValidationError(_("Choose the members or organisations that form the new one."))
    on = effective_on or _today()
    new = create_organisation(
        actor,
        parent,
        code=code,
        name=name,
        level=org.level,
        cell_type=org.cell_type,
        place=org.place,
        meeting_day=org.meeting_day,
        founded_on=on,
    )
    moved_members = 0
    if org.is_cell:
        moved_members = move_members(
            actor, members, new, on, _("Split from %(name)s") % {"name": org.name}
        )
    for child in children:
        Organisation.objects.move(Organisation.objects.get(pk=child.pk), new, pos="last-child")
    after_reorganisation(org.path, new.path)
    OrgChange.objects.filter(organisation=new).update(kind=OrgChange.Kind.SPLIT_FROM, other=org)
    OrgChange.objects.create(
        organisation=org,
        kind=OrgChange.Kind.SPLIT_OFF,
        effective_on=on,
        other=new,
        after={"members": moved_members, "children": [c.code for c in children]},
        note=note,
        recorded_by=acting_user(actor),
    )
    record(
        actor,
        "org.split",
        org,
        org,
        {"new": new.code, "members": moved_members, "children": len(children)},
    )
    return Organisation.objects.get(pk=new.pk)


@transaction.atomic
def close_organisation(actor, org: Organisation, effective_on=None, note: str = ""):
    """Close an organisation that no longer has members or open sub-organisations."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    _require_reorganise_above(actor, org)
    if not org.is_active:
        raise ValidationError(_("%(name)s is closed.") % {"name": org.name})
    if org.members.filter(status__in=CURRENT_STATUSES).exists():
        raise ValidationError(_("Move its members to another cell first."))
    if Organisation.objects.get_children(org).filter(closed_on__isnull=True).exists():
        raise ValidationError(_("Move or close its sub-organisations first."))
    on = effective_on or _today()
    _close(org, on, None)
    OrgChange.objects.create(
        organisation=org,
        kind=OrgChange.Kind.CLOSED,
        effective_on=on,
        note=note,
        recorded_by=acting_user(actor),
    )
    record(actor, "org.close", org, org, {"closed_on": on})
    return org
