"""The audit log: who did what, when, on which organisation, and the change."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# What each action code means to a reader of the log.
ACTION_LABELS = {
    "org.create": _("Organisation founded"),
    "org.update": _("Organisation details changed"),
    "org.move": _("Organisation moved"),
    "org.merge": _("Organisations merged"),
    "org.split": _("Organisation split"),
    "org.close": _("Organisation closed"),
    "member.create": _("Member added"),
    "member.update": _("Member record corrected"),
    "member.change_cell": _("Member joined the cell"),
    "member.leave_cell": _("Member left the cell"),
    "org.absorb": _("Took in a merged organisation"),
    "seed.demo": _("Demo data loaded"),
    "seed.province": _("Province data loaded"),
    "member.reveal": _("Personal data viewed"),
    "account.open": _("Account opened"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "token.create": _("API token issued"),
    "token.revoke": _("API token revoked"),
}


class AuditEvent(models.Model):
    """One recorded action. Rows are only ever added."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    object_type = models.CharField(max_length=40, blank=True, default="")
    object_id = models.CharField(max_length=40, blank=True, default="")
    object_repr = models.CharField(_("object"), max_length=255, blank=True, default="")
    changes = models.JSONField(_("change"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
