"""Accounts and roles: open an account for a member, grant and revoke roles, API tokens."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chibo.accounts.models import CELL_ROLES, ApiToken, Role, RoleKind, User
from chibo.accounts.policy import Perm, org_scope, require
from chibo.audit.log import record
from chibo.members.models import Member
from chibo.orgs.models import Organisation

# No 0/O or 1/l/I: the password is read out or written down for an elderly member.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


@transaction.atomic
def open_account(actor, member: Member, username: str) -> tuple[User, str]:
    """Create a log-in for a member, with the member role on their cell; return the password."""
    member = Member.objects.select_related("cell").get(pk=member.pk)
    require(actor, Perm.MANAGE_ACCOUNTS, member.cell)
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Choose a username.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    if User.objects.filter(member=member).exists():
        raise ValidationError({"username": _("This member already has an account.")})
    if not member.is_current:
        raise ValidationError(
            {"username": _("Only members who still belong to a cell can have an account.")}
        )
    password = new_password()
    names = member.full_name.rsplit(" ", 1)
    user = User(
        username=username,
        member=member,
        email=member.email,
        first_name=names[-1],
        last_name=names[0] if len(names) > 1 else "",
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError({"username": exc.message_dict.get("username", exc.messages)}) from exc
    user.set_password(password)
    user.save()
    Role.objects.create(user=user, organisation=member.cell, kind=RoleKind.MEMBER)
    record(actor, "account.open", member.cell, user, {"member": member.pk})
    return user, password


def users_within_reach(actor):
    """Return the users an administrator may give roles to: members or role holders in reach."""
    if getattr(actor, "is_superuser", False):
        return User.objects.filter(is_active=True)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(member__cell__in=Organisation.objects.filter(org_scope(actor, Perm.MANAGE_ACCOUNTS)))
            | Q(
                roles__organisation__in=Organisation.objects.filter(
                    org_scope(actor, Perm.MANAGE_ACCOUNTS)
                )
            )
        )
        .distinct()
    )


NO_SUCH_USER = _lazy("There is no user with this username within your reach.")


@transaction.atomic
def grant_role(actor, user: User, org: Organisation, kind: str) -> Role:
    """Give a user a role on an organisation."""
    require(actor, Perm.MANAGE_ACCOUNTS, org)
    if not users_within_reach(actor).filter(pk=user.pk).exists():
        # The same answer as for an unknown username, so that usernames cannot be probed.
        raise ValidationError({"username": str(NO_SUCH_USER)})
    if kind not in RoleKind.values:
        raise ValidationError({"kind": _("Choose a role.")})
    if (kind in CELL_ROLES) != org.is_cell:
        raise ValidationError(
            {
                "kind": _("This role is held on a cell.")
                if kind in CELL_ROLES
                else _("This role is held on a committee.")
            }
        )
    if kind in CELL_ROLES and (
        user.member is None or user.member.cell_id != org.pk or not user.member.is_current
    ):
        raise ValidationError({"user": _("Cell roles are held by members of that cell.")})
    if not org.is_active:
        raise ValidationError({"kind": _("%(name)s is closed.") % {"name": org.name}})
    role, created = Role.objects.get_or_create(user=user, organisation=org, kind=kind)
    if not created:
        raise ValidationError({"kind": _("The user already holds this role here.")})
    record(actor, "role.grant", org, user, {"role": kind})
    return role


def sync_member_roles(actor, member: Member, old_cell_id: int | None = None) -> None:
    """Keep a member's log-in in step with their membership. Call inside the member's action.

    Offices held in a cell (secretary, committee member) end when the member leaves the cell;
    the plain member role follows them to the new cell. A member who is no longer current
    (transferred out, removed, expelled, deceased) loses every role and the log-in itself.
    """
    user = User.objects.filter(member=member).first()
    if user is None:
        return
    if not member.is_current:
        ended = list(user.roles.select_related("organisation"))
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
    elif old_cell_id is not None and old_cell_id != member.cell_id:
        ended = list(
            user.roles.filter(organisation_id=old_cell_id, kind__in=CELL_ROLES).select_related(
                "organisation"
            )
        )
        _role, created = Role.objects.get_or_create(
            user=user, organisation=member.cell, kind=RoleKind.MEMBER
        )
        if created:
            record(actor, "role.grant", member.cell, user, {"role": RoleKind.MEMBER})
    else:
        return
    for role in ended:
        record(actor, "role.revoke", role.organisation, user, {"role": role.kind})
        role.delete()


@transaction.atomic
def revoke_role(actor, role: Role) -> None:
    """Take a role away."""
    require(actor, Perm.MANAGE_ACCOUNTS, role.organisation)
    record(actor, "role.revoke", role.organisation, role.user, {"role": role.kind})
    role.delete()


TOKEN_MAX_DAYS = 3650


@transaction.atomic
def issue_token(actor, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for user and return it with its key, which is never stored.

    actor is None when an operator runs the command line.
    """
    if days is not None and not 1 <= days <= TOKEN_MAX_DAYS:
        message = _("Choose between 1 and %(max)d days.") % {"max": TOKEN_MAX_DAYS}
        raise ValidationError({"days": message})
    key = ApiToken.new_key()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=key[4:12],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    token.full_clean()
    token.save()
    record(actor, "token.create", None, token, {"user": user.username, "days": days})
    return token, key


@transaction.atomic
def revoke_tokens(actor, tokens) -> int:
    """Revoke the tokens of the queryset that are not revoked yet; return how many."""
    revoked = 0
    for token in tokens.filter(revoked_at__isnull=True).select_related("user"):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "token.revoke", None, token, {"user": token.user.username})
        revoked += 1
    return revoked
