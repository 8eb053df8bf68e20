"""Supervision by the committee above: who follows which cell, their visits, and the members
the cell committee keeps under attention.

A standing committee assigns its members to follow the cells of its subtree (phân công cấp
ủy viên theo dõi, dự sinh hoạt chi bộ); each follower records visits, usually to a meeting,
with observations and, where the rules allow it, a review of the cell's own quality score.

A cell committee keeps some members under attention, monitoring or reminder (diện quan
tâm, theo dõi, nhắc nhở, seed 000). Those records are sensitive: only the cell committee
and the inspection staff above read them (Perm.VIEW_ATTENTION), and every read is logged
in AttentionView.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.members.models import Member
from chibo.orgs.models import Organisation

__all__ = [
    "AttentionCase",
    "AttentionKind",
    "AttentionView",
    "FollowAssignment",
    "ViewChannel",
    "Visit",
]

# Merged into the audit log's labels by the app's ready().
AUDIT_LABELS = {
    "follow.assign": _("Follower assigned to a cell"),
    "follow.end": _("Follower's assignment ended"),
    "visit.record": _("Visit to a cell recorded"),
    "attention.open": _("Member placed under attention"),
    "attention.update": _("Attention case updated"),
    "attention.close": _("Attention case closed"),
}


class FollowAssignment(models.Model):
    """A committee member assigned to follow one cell of the committee's subtree, from a day
    until the assignment ends. A cell has at most one current follower per committee."""

    committee = models.ForeignKey(
        Organisation, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="+"
    )
    cell = models.ForeignKey(
        Organisation, verbose_name=_("cell"), on_delete=models.CASCADE, related_name="+"
    )
    follower = models.ForeignKey(
        Member, verbose_name=_("follower"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)  # the last day; None: current
    assigned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "cell"],
                condition=Q(ended_on__isnull=True),
                name="follow_one_current_per_cell",
            )
        ]
        indexes = [models.Index(fields=["follower", "ended_on"])]
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self.follower} → {self.cell}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class Visit(models.Model):
    """A follower's visit to the cell, usually to one of its meetings, with what they saw;
    where the rules allow it, whether they agree with the score the cell gave the meeting."""

    assignment = models.ForeignKey(
        FollowAssignment, on_delete=models.PROTECT, related_name="visits"
    )
    # The assignment's cell, copied so that a subtree's visits are read by the cell's path.
    cell = models.ForeignKey(
        Organisation, verbose_name=_("cell"), on_delete=models.CASCADE, related_name="+"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"))
    observations = models.TextField(_("observations"))
    # The review of the cell's own score: None when the follower gave none.
    score_agrees = models.BooleanField(_("agrees with the cell's score"), null=True, blank=True)
    cell_level = models.CharField(max_length=20, blank=True, default="")  # the cell's, then
    proposed_level = models.CharField(_("proposed level"), max_length=20, blank=True, default="")
    score_note = models.CharField(_("note on the score"), max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "meeting"],
                condition=Q(meeting__isnull=False),
                name="visit_once_per_meeting",
            )
        ]
        indexes = [models.Index(fields=["cell", "visited_on"])]
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.cell} {self.visited_on:%d/%m/%Y}"


class AttentionKind(models.TextChoices):
    """How closely the cell follows a member (seed 000: "attention, monitoring, reminder")."""

    ATTENTION = "attention", _("Attention")  # quan tâm
    MONITORING = "monitoring", _("Monitoring")  # theo dõi
    REMINDER = "reminder", _("Reminder")  # nhắc nhở


class AttentionCase(models.Model):
    """A member the cell committee keeps under attention, monitoring or reminder: why, what
    the cell will do, who in the cell follows it, and when it is reviewed."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    # The cell that keeps the case: the member's cell when it was opened.
    cell = models.ForeignKey(
        Organisation, verbose_name=_("cell"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttentionKind.choices)
    reason = models.TextField(_("reason"))
    plan = models.TextField(_("what the cell will do"))
    follower = models.ForeignKey(
        Member, verbose_name=_("followed by"), on_delete=models.PROTECT, related_name="+"
    )
    review_on = models.DateField(_("review on"))
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(closed_on__isnull=True),
                name="attention_one_open_per_member",
            )
        ]
        indexes = [models.Index(fields=["cell", "closed_on"])]
        ordering = ["closed_on", "review_on", "id"]

    def __str__(self) -> str:
        # No name and no kind: this text is copied into the audit log, which readers
        # without the right to see the case (the administrator) may read.
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class ViewChannel(models.TextChoices):
    PAGE = "page", _("page")
    API = "api", _("API")


class AttentionView(models.Model):
    """One read of a cell's attention list or of one case: who, when, which cases were
    shown. Written in the same request as the read, never edited."""

    viewer = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cell = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        AttentionCase, null=True, blank=True, on_delete=models.CASCADE, related_name="views"
    )  # None: the cell's list
    case_ids = models.JSONField(default=list)  # the cases the answer showed
    channel = models.CharField(max_length=10, choices=ViewChannel.choices)
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["cell", "viewed_at"])]
        ordering = ["-viewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.viewed_at:%Y-%m-%d %H:%M}"
