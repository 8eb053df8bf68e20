"""API of accounts: the signed-in user, their API tokens, roles, and members' log-ins."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from chibo.accounts import actions
from chibo.accounts.models import Role, RoleKind, User
from chibo.accounts.policy import Perm, require, visible_orgs
from chibo.api.auth import SessionAuth
from chibo.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    OrgRef,
    Pager,
    member_or_404,
    org_or_404,
)

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


class RoleHolderOut(Schema):
    id: int = Field(description="DELETE /roles/{id} revokes it.")
    username: str
    full_name: str
    kind: str

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.user.get_full_name()


class GrantIn(Body):
    username: str = Field(description="A member or role holder within your reach.")
    kind: RoleKind


class AccountIn(Body):
    username: str


class AccountOut(Schema):
    username: str
    password: str = Field(description="In this answer only: hand it to the member now.")


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
    token, key = actions.issue_token(request.auth, request.auth, payload.name, payload.days)
    token.key = key
    return Status(201, token)


@router.get("/tokens", response={200: list[TokenOut], **READ_ERRORS}, summary="My API tokens")
def list_tokens(request):
    return request.auth.api_tokens.order_by("-created_at")


@router.delete("/tokens/{prefix}", response={204: None, **READ_ERRORS}, summary="Revoke a token")
def revoke_token(request, prefix: str):
    if not actions.revoke_tokens(request.auth, request.auth.api_tokens.filter(prefix=prefix)):
        raise Http404
    return Status(204, None)


@router.get(
    "/orgs/{code}/roles",
    response={200: list[RoleHolderOut], **READ_ERRORS},
    summary="Roles held on an organisation",
)
@paginate(Pager)
def list_roles(request, code: str):
    """Needs the right to manage accounts there."""
    org = org_or_404(request.auth, code)
    require(request.auth, Perm.MANAGE_ACCOUNTS, org)
    return org.roles.select_related("user").order_by("kind", "user__username")


@router.post(
    "/orgs/{code}/roles",
    response={201: RoleHolderOut, **WRITE_ERRORS},
    summary="Grant a role on an organisation",
)
def grant_role(request, code: str, payload: GrantIn):
    """A cell's roles go to members of that cell; the others to anyone within reach."""
    actor = request.auth
    org = org_or_404(actor, code)
    require(actor, Perm.MANAGE_ACCOUNTS, org)
    user = User.objects.filter(username=payload.username.strip()).first()
    if user is None:
        # The action's answer for a user out of reach, so that usernames cannot be probed.
        raise ValidationError({"username": str(actions.NO_SUCH_USER)})
    return Status(201, actions.grant_role(actor, user, org, payload.kind))


@router.delete("/roles/{role_id}", response={204: None, **WRITE_ERRORS}, summary="Revoke a role")
def revoke_role(request, role_id: int):
    manageable = visible_orgs(request.auth, Perm.MANAGE_ACCOUNTS)
    role = (
        Role.objects.filter(organisation__in=manageable)
        .select_related("organisation", "user")
        .filter(pk=role_id)
        .first()
    )
    if role is None:
        raise Http404
    actions.revoke_role(request.auth, role)
    return Status(204, None)


@router.post(
    "/members/{member_id}/account",
    response={201: AccountOut, **WRITE_ERRORS},
    summary="Open a log-in for a member",
)
def open_account(request, member_id: int, payload: AccountIn):
    """The member gets the member role on their cell. The password is in this answer only."""
    member = member_or_404(request.auth, member_id)
    user, password = actions.open_account(request.auth, member, payload.username)
    return Status(201, {"username": user.username, "password": password})
