"""Early warnings: a rule of the pack in force found slipping, raised and resolved by the
daily run (chibo.oversight.warnings), acknowledged by a person with a note."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.members.models import Member
from chibo.orgs.models import Organisation


class WarningState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


# Warnings that still hold: shown on dashboards, counted, acknowledged.
ACTIVE_STATES = (WarningState.OPEN, WarningState.ACKNOWLEDGED)


class EarlyWarning(models.Model):
    """A rule of the pack in force found slipping: a cell's meetings, a member's absences
    or fees, a deadline coming. Raised and resolved by `chibo warnings run`; acknowledged
    by a person with a note."""

    rule = models.CharField(_("rule"), max_length=60)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    # The organisation's path, copied for subtree filters; rewritten when it moves.
    path = models.CharField(max_length=255)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # What the warning is about within its rule and organisation: a month ("2026-11"), a
    # quarter ("2026-Q4"), a meeting ("meeting:12"), a task ("task:7"), a member's year
    # ("member:5:2026"). One warning per rule, organisation and subject.
    subject = models.CharField(max_length=60)
    pack_id = models.CharField(max_length=60)
    source = models.CharField(_("source"), max_length=255)
    evidence = models.JSONField(default=dict)
    state = models.CharField(
        _("state"), max_length=20, choices=WarningState.choices, default=WarningState.OPEN
    )
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    raised_on = models.DateField(_("raised on"))
    seen_on = models.DateField()  # the last run that found it
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "organisation", "subject"], name="warning_one_per_subject"
            )
        ]
        # Covering the count of a subtree's open warnings by rule.
        indexes = [models.Index(fields=["state", "path", "rule"])]
        ordering = ["-raised_on", "id"]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject}"


class OpenWarnings(models.Model):
    """How many warnings are open or acknowledged in an organisation's whole subtree, by
    rule: rewritten by each warnings run (the one writer that opens and resolves them), so
    that a dashboard reads a few rows."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=60)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "rule"], name="openwarnings_one_per_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.rule}: {self.count}"
