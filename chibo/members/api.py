"""API of the member registry: list and search, records, add, edit, change cell, reveal."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, can, require
from chibo.api.common import (
    MAX_QUERY,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    OrgRef,
    Pager,
    blank_for_null,
    member_or_404,
    named_org,
)
from chibo.members import actions, queries
from chibo.members.models import Gender, TheoryLevel
from chibo.members.models import Status as MemberStatus

router = Router(tags=["members"])

# Text fields the database keeps as empty strings, never null: null in a body means "".
BLANK_TEXT = (
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "phone",
    "email",
    "education",
    "qualification",
    "occupation",
    "position",
)


class MemberOut(Schema):
    """What a cell's members see of each other: names, status and position, nothing personal."""

    id: int
    full_name: str
    status: str
    position: str
    cell: OrgRef


class PeriodOut(Schema):
    organisation: OrgRef
    started_on: datetime.date
    ended_on: datetime.date | None
    reason: str


class MemberDetail(MemberOut):
    """The record. Citizen ID and phone are masked: POST …/reveal shows them, and logs it."""

    gender: str
    date_of_birth: datetime.date
    ethnicity: str
    religion: str
    hometown: str
    residence: str
    email: str
    citizen_id_masked: str
    phone_masked: str
    party_card_number: str | None
    education: str
    qualification: str
    theory_level: str
    occupation: str
    admitted_on: datetime.date
    official_on: datetime.date | None
    version: int = Field(description="Send it back with a change to detect a concurrent edit.")
    periods: list[PeriodOut] = Field(description="Home cells over time, newest first.")

    @staticmethod
    def resolve_periods(obj):
        return obj.periods.select_related("organisation")


class MemberFilters(Schema):
    q: str = Field(
        "",
        max_length=MAX_QUERY,
        description="Name without diacritics, or a full card or citizen ID.",
    )
    org: str = Field("", description="Only members of this organisation's subtree.")
    status: MemberStatus | None = None
    gender: Gender | None = None


class MemberFields(Body):
    ethnicity: str | None = None
    religion: str | None = None
    hometown: str | None = None
    residence: str | None = None
    phone: str | None = None
    email: str | None = None
    citizen_id: str | None = None
    party_card_number: str | None = None
    education: str | None = None
    qualification: str | None = None
    theory_level: TheoryLevel | None = None
    occupation: str | None = None
    position: str | None = None
    official_on: datetime.date | None = None
    status: MemberStatus | None = None


class MemberIn(MemberFields):
    cell: str = Field(description="Code of the home cell.")
    full_name: str
    gender: Gender
    date_of_birth: datetime.date
    admitted_on: datetime.date


class MemberPatch(MemberFields):
    full_name: str | None = None
    gender: Gender | None = None
    date_of_birth: datetime.date | None = None
    admitted_on: datetime.date | None = None
    version: int | None = Field(None, description="The version the change was made from.")


class ChangeCellIn(Body):
    cell: str = Field(description="Code of the new home cell.")
    effective_on: datetime.date | None = None
    reason: str


class RevealIn(Body):
    field: Literal["citizen_id", "phone"]
    reason: str


class RevealOut(Schema):
    value: str


@router.get("", response={200: list[MemberOut], **READ_ERRORS}, summary="List members")
@paginate(Pager)
def list_members(request, filters: Query[MemberFilters]):
    """The members the user may list, by name."""
    user = request.auth
    if not can(user, Perm.LIST_MEMBERS):
        raise PermissionDenied
    org = named_org(user, filters.org, Perm.LIST_MEMBERS, "org") if filters.org else None
    return queries.find(
        user,
        text=filters.q,
        org=org,
        status=filters.status or "",
        gender=filters.gender or "",
    )


@router.get("/{member_id}", response={200: MemberDetail, **READ_ERRORS}, summary="A member")
def get_member(request, member_id: int):
    member = member_or_404(request.auth, member_id)
    require(request.auth, Perm.VIEW_MEMBER, member)
    return member


@router.post("", response={201: MemberDetail, **WRITE_ERRORS}, summary="Add a member")
def create_member(request, payload: MemberIn):
    user = request.auth
    cell = named_org(user, payload.cell, Perm.EDIT_MEMBER, "cell")
    fields = blank_for_null(payload.model_dump(exclude={"cell"}, exclude_unset=True), *BLANK_TEXT)
    return Status(201, actions.create_member(user, cell, **fields))


@router.patch("/{member_id}", response={200: MemberDetail, **WRITE_ERRORS}, summary="Correct")
def update_member(request, member_id: int, payload: MemberPatch):
    """Change only the fields sent. A stale version answers 409."""
    member = member_or_404(request.auth, member_id)
    fields = blank_for_null(payload.model_dump(exclude_unset=True), *BLANK_TEXT)
    version = fields.pop("version", None)
    return actions.update_member(request.auth, member, version=version, **fields)


@router.post(
    "/{member_id}/change-cell",
    response={200: MemberDetail, **WRITE_ERRORS},
    summary="Change the home cell",
)
def change_cell(request, member_id: int, payload: ChangeCellIn):
    """Record a completed transfer to another cell."""
    user = request.auth
    member = member_or_404(user, member_id)
    cell = named_org(user, payload.cell, Perm.EDIT_MEMBER, "cell")
    return actions.change_home_cell(user, member, cell, payload.effective_on, payload.reason)


@router.post(
    "/{member_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="Show a citizen ID or phone in clear",
)
def reveal(request, member_id: int, payload: RevealIn):
    """Logged in the audit trail with the reason given."""
    member = member_or_404(request.auth, member_id)
    value = actions.reveal_personal(request.auth, member, payload.field, payload.reason)
    return {"value": value}
