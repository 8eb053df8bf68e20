"""Optimistic locking shared by every app: a write names the version it started from."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StaleVersion(ValidationError):
    """Someone saved the record after this user opened it."""


def check_version(obj, version: int | None) -> None:
    """Refuse the write when the record changed since the user read `version`."""
    if version is None or version == "":
        return
    try:
        stale = int(version) != obj.version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise StaleVersion(
            _(
                "Someone else saved this record after you opened it. "
                "The newer version is shown; make your change again."
            ),
            code="conflict",
        )
