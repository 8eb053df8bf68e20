"""Users, the roles they hold on organisations, and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.orgs.models import Organisation


class User(AbstractUser):
    """Someone who logs in. Linked to a member record when the user is a party member."""

    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Vietnamese order: family and middle names (last_name) before the given name.
        return f"{self.last_name} {self.first_name}".strip()


class RoleKind(models.TextChoices):
    # Roles on a cell reach that cell.
    MEMBER = "member", _("Member")
    CELL_COMMITTEE = "cell_committee", _("Cell committee member")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    SECRETARY = "secretary", _("Secretary")
    # Roles on a committee reach its whole subtree.
    STANDING_MEMBER = "standing_member", _("Standing committee member")
    ORGANISATION_STAFF = "organisation_staff", _("Organisation commission staff")
    INSPECTION_STAFF = "inspection_staff", _("Inspection commission staff")
    ADMINISTRATOR = "administrator", _("System administrator")


CELL_ROLES = (
    RoleKind.MEMBER,
    RoleKind.CELL_COMMITTEE,
    RoleKind.DEPUTY_SECRETARY,
    RoleKind.SECRETARY,
)
COMMITTEE_ROLES = (
    RoleKind.STANDING_MEMBER,
    RoleKind.ORGANISATION_STAFF,
    RoleKind.INSPECTION_STAFF,
    RoleKind.ADMINISTRATOR,
)


class Role(models.Model):
    """A user's role on one organisation (e.g. secretary of cell X)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=24, choices=RoleKind.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "kind"], name="unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organisation}"

    @property
    def reaches_subtree(self) -> bool:
        return self.kind in COMMITTEE_ROLES


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "chb_" + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )
