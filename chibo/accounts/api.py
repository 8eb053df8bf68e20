"""API of the signed-in user: who they are, their roles, and their API tokens."""

import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from chibo.accounts.actions import issue_token, revoke_tokens
from chibo.api.auth import SessionAuth
from chibo.api.common import READ_ERRORS, Body, OrgRef

router = Router(tags=["accounts"])


class RoleOut(Schema):
    kind: str
    organisation: OrgRef


class MeOut(Schema):
    username: str
    name: str
    member_id: int | None
    roles: list[RoleOut]


class TokenIn(Body):
    name: str
    days: int | None = None


class TokenOut(Schema):
    prefix: str
    name: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class NewTokenOut(TokenOut):
    key: str


@router.get("/me", response={200: MeOut, **READ_ERRORS}, summary="The signed-in user")
def me(request):
    """The user, the member record they are linked to, and their roles."""
    user = request.auth
    return {
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "member_id": user.member_id,
        "roles": user.roles.select_related("organisation").order_by("organisation__path"),
    }


@router.post(
    "/tokens",
    auth=SessionAuth(),
    response={201: NewTokenOut, **READ_ERRORS},
    summary="Create an API token",
)
def create_token(request, payload: TokenIn):
    """Needs a login session. The key is in this answer only: store it now."""
    token, key = issue_token(request.auth, request.auth, payload.name, payload.days)
    token.key = key
    return Status(201, token)


@router.get("/tokens", response={200: list[TokenOut], **READ_ERRORS}, summary="My API tokens")
def list_tokens(request):
    return request.auth.api_tokens.order_by("-created_at")


@router.delete("/tokens/{prefix}", response={204: None, **READ_ERRORS}, summary="Revoke a token")
def revoke_token(request, prefix: str):
    if not revoke_tokens(request.auth, request.auth.api_tokens.filter(prefix=prefix)):
        raise Http404
    return Status(204, None)
