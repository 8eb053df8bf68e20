"""API of the audit log: who did what, when, where."""

import datetime

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, can
from chibo.api.common import READ_ERRORS, OrgRef, Pager, named_org
from chibo.audit.queries import visible_events

router = Router(tags=["audit"])


class EventOut(Schema):
    id: int
    at: datetime.datetime
    actor: str | None = Field(description="Username; empty for the system.")
    action: str
    label: str
    organisation: OrgRef | None
    object_type: str
    object_id: str
    object_repr: str
    changes: dict

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor else None


class EventFilters(Schema):
    org: str = Field("", description="Only events of this organisation's subtree.")


@router.get("", response={200: list[EventOut], **READ_ERRORS}, summary="List audit events")
@paginate(Pager)
def list_events(request, filters: Query[EventFilters]):
    """Newest first, for the organisations whose log the user may read."""
    user = request.auth
    if not can(user, Perm.VIEW_AUDIT):
        raise PermissionDenied
    org = named_org(user, filters.org, Perm.VIEW_AUDIT, "org") if filters.org else None
    return visible_events(user, org)
