"""What every router shares: the error shape, paging, and finding what a request names."""

from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict

from chibo.accounts.policy import Perm, require, visible_orgs
from chibo.members import queries as member_queries
from chibo.members.models import Member
from chibo.orgs import queries as org_queries
from chibo.orgs.models import Organisation

MAX_PAGE = 500
# Searches read no more than this many characters; a longer query is refused, not cut.
MAX_QUERY = 100
# How many ids one request may list (the members and sub-organisations of a split).
MAX_IDS = 1000

# An id in a body. The database cannot hold a larger number, so it is refused (422) before
# it reaches a query, where it would fail (500).
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ErrorDetail(Schema):
    code: str = Field(description="invalid, conflict, forbidden, not_found, unauthorized, …")
    message: str = Field(description="In the request's language (Accept-Language).")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages for each request field that is wrong."
    )


class ErrorOut(Schema):
    error: ErrorDetail


READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut}


class Body(Schema):
    """A request body. Unknown fields are refused, so a misspelt field is not silently lost."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class OrgRef(Schema):
    code: str
    name: str


class Pager(LimitOffsetPagination):
    """limit and offset in the query; the answer is {"items": [...], "count": total}."""

    class Input(Schema):
        limit: int = Field(settings.CHIBO_PAGE_SIZE, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0)


def org_or_404(user, code: str, perm: Perm = Perm.VIEW_ORG) -> Organisation:
    """Return the organisation in the URL; out of reach answers 404 like a missing one."""
    try:
        return org_queries.get_visible(user, code, perm)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def member_or_404(user, member_id: int, perm: Perm = Perm.LIST_MEMBERS) -> Member:
    """Return the member in the URL; out of reach answers 404 like a missing one.

    The default is the least right, listing: a role that sees the member but may not do what
    the request asks is refused by the action (403), as on the pages.
    """
    try:
        return member_queries.get_visible(user, member_id, perm)
    except Member.DoesNotExist as exc:
        raise Http404 from exc


def named_org(user, code: str, perm: Perm, field: str) -> Organisation:
    """Return the organisation a request field names, among those where the user may do perm.

    A user who may do perm nowhere is refused outright (403) rather than told the code is
    wrong.
    """
    require(user, perm)
    org = visible_orgs(user, perm).filter(code=code.strip()).first()
    if org is None:
        raise ValidationError(
            {field: _("There is no organisation with this code within your reach.")}
        )
    return org


def blank_for_null(fields: dict, *names: str) -> dict:
    """Turn null into "" for text fields the database keeps as empty strings."""
    return {k: ("" if v is None and k in names else v) for k, v in fields.items()}


def call_action(field_names: dict[str, str], action, *args, **kwargs):
    """Call an action; the fields its errors name become the request's names for them
    (field_names maps the action's name to the API's, e.g. "member" to "member_id")."""
    try:
        return action(*args, **kwargs)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {field_names.get(k, k): v for k, v in exc.error_dict.items()}
        raise ValidationError(renamed) from exc
