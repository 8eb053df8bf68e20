"""API of the organisation tree: browse, search, statistics, history, and reorganisation."""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, can, org_scope, visible_orgs
from chibo.api.common import (
    MAX_IDS,
    MAX_QUERY,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    DbId,
    OrgRef,
    Pager,
    blank_for_null,
    named_org,
    org_or_404,
)
from chibo.orgs import actions, queries
from chibo.orgs.models import CellType, Level, Organisation

router = Router(tags=["organisations"])


def _if_visible(context, org: Organisation | None) -> Organisation | None:
    """Return another organisation only when the user may see it; else it shows as empty."""
    if org is None or not can(context["request"].auth, Perm.VIEW_ORG, org):
        return None
    return org


class OrgOut(Schema):
    id: int
    code: str
    name: str
    level: str
    cell_type: str
    place: str
    closed_on: datetime.date | None
    children_count: int

    @staticmethod
    def resolve_children_count(obj) -> int:
        return obj.numchild


class OrgDetail(OrgOut):
    parent: OrgRef | None = Field(description="Empty when it is above the user's reach.")
    meeting_day: int | None
    effective_meeting_day: int = Field(description="Set here or by the nearest level above.")
    founded_on: datetime.date | None
    successor: OrgRef | None = Field(
        description="What it was merged into; empty when that is out of the user's reach."
    )
    version: int = Field(description="Send it back with a change to detect a concurrent edit.")

    @staticmethod
    def resolve_parent(obj, context):
        return _if_visible(context, Organisation.objects.get_parent(obj))

    @staticmethod
    def resolve_successor(obj, context):
        return _if_visible(context, obj.successor)

    @staticmethod
    def resolve_effective_meeting_day(obj) -> int:
        return obj.effective_meeting_day()


class OrgFilters(Schema):
    q: str = Field(
        "",
        max_length=MAX_QUERY,
        description="Code, or name without diacritics; the 30 best matches.",
    )
    parent: str = Field("", description="Only the organisations directly under this code.")
    level: Level | None = None


class StatsOut(Schema):
    organisations: dict[str, int] = Field(description="Open organisations below, by level.")
    members: dict[str, int] = Field(description="Members by status.")
    members_current: int
    cells: int


class ChangeOut(Schema):
    kind: str
    effective_on: datetime.date
    other: OrgRef | None = Field(
        description="The other organisation of a merge or split; empty when out of reach."
    )
    before: dict
    after: dict
    note: str
    recorded_at: datetime.datetime
    recorded_by: str | None

    @staticmethod
    def resolve_other(obj, context):
        return _if_visible(context, obj.other)

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return obj.recorded_by.username if obj.recorded_by else None


class OrgIn(Body):
    parent: str | None = Field(None, description="Code of the organisation to found it under.")
    code: str
    name: str
    level: Level
    cell_type: CellType | Literal[""] | None = None
    place: str | None = None
    meeting_day: int | None = None
    founded_on: datetime.date | None = None


class OrgPatch(Body):
    name: str | None = None
    cell_type: CellType | Literal[""] | None = None
    place: str | None = None
    meeting_day: int | None = None
    founded_on: datetime.date | None = None
    version: int | None = Field(None, description="The version the change was made from.")


class MoveIn(Body):
    new_parent: str
    effective_on: datetime.date | None = None
    note: str = ""


class MergeIn(Body):
    target: str
    effective_on: datetime.date | None = None
    note: str = ""


class SplitIn(Body):
    code: str
    name: str
    member_ids: list[DbId] = Field([], max_length=MAX_IDS)
    child_ids: list[DbId] = Field(
        [], max_length=MAX_IDS, description="ids of sub-organisations that go along."
    )
    effective_on: datetime.date | None = None
    note: str = ""


class CloseIn(Body):
    effective_on: datetime.date | None = None
    note: str = ""


@router.get("", response={200: list[OrgOut], **READ_ERRORS}, summary="List organisations")
@paginate(Pager)
def list_orgs(request, filters: Query[OrgFilters]):
    """The organisations the user may see, in tree order, or under one parent."""
    user = request.auth
    if filters.parent:
        qs = queries.children(named_org(user, filters.parent, Perm.VIEW_ORG, "parent"))
        qs = qs.filter(org_scope(user, Perm.VIEW_ORG))
    else:
        qs = visible_orgs(user).order_by("path")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.q:
        qs = qs.filter(pk__in=[o.pk for o in queries.search(user, filters.q)])
    return qs


@router.get("/{code}", response={200: OrgDetail, **READ_ERRORS}, summary="An organisation")
def get_org(request, code: str):
    return org_or_404(request.auth, code)


@router.get(
    "/{code}/children",
    response={200: list[OrgOut], **READ_ERRORS},
    summary="Organisations directly under one",
)
@paginate(Pager)
def list_children(request, code: str):
    org = org_or_404(request.auth, code)
    return queries.children(org).filter(org_scope(request.auth, Perm.VIEW_ORG))


@router.get("/{code}/stats", response={200: StatsOut, **READ_ERRORS}, summary="Subtree counts")
def stats(request, code: str):
    return queries.subtree_counts(org_or_404(request.auth, code))


@router.get(
    "/{code}/history", response={200: list[ChangeOut], **READ_ERRORS}, summary="Its history"
)
@paginate(Pager)
def history(request, code: str):
    """Founded, renamed, moved, merged, split, closed: newest first."""
    org = org_or_404(request.auth, code)
    return org.changes.select_related("other", "recorded_by")


@router.post("", response={201: OrgDetail, **WRITE_ERRORS}, summary="Found an organisation")
def create_org(request, payload: OrgIn):
    user = request.auth
    fields = payload.model_dump(exclude={"parent"})
    parent = named_org(user, payload.parent, Perm.REORGANISE, "parent") if payload.parent else None
    return Status(201, actions.create_organisation(user, parent, **fields))


@router.patch("/{code}", response={200: OrgDetail, **WRITE_ERRORS}, summary="Edit details")
def update_org(request, code: str, payload: OrgPatch):
    """Change only the fields sent. A stale version answers 409."""
    org = org_or_404(request.auth, code)
    fields = blank_for_null(payload.model_dump(exclude_unset=True), "cell_type", "place")
    version = fields.pop("version", None)
    return actions.update_organisation(request.auth, org, version=version, **fields)


@router.post(
    "/{code}/move", response={200: OrgDetail, **WRITE_ERRORS}, summary="Move under another"
)
def move_org(request, code: str, payload: MoveIn):
    """Move the organisation, with its whole subtree."""
    user = request.auth
    org = org_or_404(user, code)
    new_parent = named_org(user, payload.new_parent, Perm.REORGANISE, "new_parent")
    return actions.move_organisation(user, org, new_parent, payload.effective_on, payload.note)


@router.post(
    "/{code}/merge", response={200: OrgDetail, **WRITE_ERRORS}, summary="Merge into another"
)
def merge_org(request, code: str, payload: MergeIn):
    """Its members and sub-organisations go to the target, and it closes. Answers the target."""
    user = request.auth
    org = org_or_404(user, code)
    target = named_org(user, payload.target, Perm.REORGANISE, "target")
    return actions.merge_organisations(user, org, target, payload.effective_on, payload.note)


@router.post(
    "/{code}/split", response={201: OrgDetail, **WRITE_ERRORS}, summary="Split off a new one"
)
def split_org(request, code: str, payload: SplitIn):
    """The chosen members and sub-organisations form a new sibling. Answers the new one."""
    user = request.auth
    org = org_or_404(user, code)
    return Status(201, actions.split_organisation(user, org, **payload.model_dump()))


@router.post("/{code}/close", response={200: OrgDetail, **WRITE_ERRORS}, summary="Close")
def close_org(request, code: str, payload: CloseIn):
    """Only an organisation with no current members and no open sub-organisations closes."""
    org = org_or_404(request.auth, code)
    return actions.close_organisation(request.auth, org, payload.effective_on, payload.note)
