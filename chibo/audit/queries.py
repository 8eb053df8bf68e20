from django.db.models import QuerySet

from chibo.accounts.policy import Perm, org_scope
from chibo.audit.models import AuditEvent


def visible_events(user, org=None) -> QuerySet[AuditEvent]:
    """Return the audit events of the organisations whose log the user may read."""
    qs = AuditEvent.objects.filter(org_scope(user, Perm.VIEW_AUDIT, prefix="organisation__"))
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    return qs.select_related("actor", "organisation")
