"""Writing and reading audit events."""

import datetime
from decimal import Decimal

from django.db import models

from chibo.audit.models import AuditEvent


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def diff(before: dict, after: dict) -> dict:
    """Return {field: [old, new]} for the fields whose value changed."""
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in after
        if before.get(k) != after.get(k)
    }


def acting_user(actor):
    """Return the user behind an action, or None for the system (seeding, daily jobs)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def record(actor, action: str, organisation=None, obj=None, changes: dict | None = None):
    """Add one audit event; called by every action inside its transaction."""
    return AuditEvent.objects.create(
        actor=acting_user(actor),
        action=action,
        organisation=organisation,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        changes={
            k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v]
            for k, v in (changes or {}).items()
        },
    )
