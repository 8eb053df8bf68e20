"""Writes of the oversight app: acknowledging an early warning with a note.

Warnings are raised and resolved by `chibo warnings run` (chibo.oversight.warnings); a person
only acknowledges one: "seen, this is what we do about it". The warning stays acknowledged
while its rule still holds, and resolves by itself when the record no longer matches.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, require
from chibo.audit.log import record
from chibo.conflicts import check_version
from chibo.oversight.models import EarlyWarning, WarningState

NOTE_MAX = EarlyWarning._meta.get_field("note").max_length


@transaction.atomic
def acknowledge_warning(
    actor, warning: EarlyWarning, note: str, version: int | None = None
) -> EarlyWarning:
    """Acknowledge an open or acknowledged warning with a note (a new note replaces the
    last one). Needs ACT_ON_WARNINGS on the warning's organisation."""
    warning = (
        EarlyWarning.objects.select_for_update().select_related("organisation").get(pk=warning.pk)
    )
    require(actor, Perm.ACT_ON_WARNINGS, warning.organisation)
    check_version(warning, version)
    note = (note or "").strip()
    if warning.state == WarningState.RESOLVED:
        raise ValidationError(
            {"state": _("This warning is resolved: the record no longer matches its rule.")}
        )
    if not note:
        raise ValidationError({"note": _("Write what is being done about this warning.")})
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note to %(max)d characters or fewer.") % {"max": NOTE_MAX}}
        )
    before = {"state": warning.state, "note": warning.note}
    warning.state = WarningState.ACKNOWLEDGED
    warning.note = note
    warning.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
    warning.acknowledged_at = timezone.now()
    warning.version += 1
    warning.save(update_fields=["state", "note", "acknowledged_by", "acknowledged_at", "version"])
    record(
        actor,
        "warning.acknowledge",
        warning.organisation,
        warning,
        {
            "rule": warning.rule,
            "subject": warning.subject,
            "state": [before["state"], warning.state],
            "note": [before["note"], warning.note],
        },
    )
    return warning
