"""Inspection and supervision programmes (QĐ 296), complaints and denunciations, and
discipline decisions.

Every record belongs to the organisation that does the work: the committee that plans and
inspects, receives a complaint, decides a discipline. Its subject is an organisation below
it or a member of its subtree, never both.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.meetings.models import Meeting
from chibo.members.models import Member
from chibo.orgs.models import Organisation

__all__ = [
    "INSPECTION_KINDS",
    "STEPS",
    "SUPERVISION_KINDS",
    "Complaint",
    "ComplaintKind",
    "ComplaintOutcome",
    "DisciplineDecision",
    "DisciplineForm",
    "Inspection",
    "InspectionKind",
    "InspectionPlan",
    "InspectionResult",
    "InspectionState",
]

# The audit actions of this module, for the app's ready() to merge into the audit labels
# (not in __all__: the package has its own AUDIT_LABELS).
AUDIT_LABELS = {
    "inspection.plan.create": _("Inspection plan created"),
    "inspection.plan.approve": _("Inspection plan approved"),
    "inspection.open": _("Inspection or supervision opened"),
    "inspection.step": _("Inspection step recorded"),
    "inspection.conclude": _("Inspection or supervision concluded"),
    "complaint.record": _("Complaint or denunciation recorded"),
    "complaint.handle": _("Complaint or denunciation handled"),
    "discipline.decide": _("Discipline decided"),
    "discipline.annul": _("Discipline decision annulled"),
}


class InspectionPlan(models.Model):
    """A committee's yearly programme of inspection and supervision (chương trình kiểm
    tra, giám sát)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inspection_plans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=255)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "title"], name="inspection_plan_title_once"
            )
        ]
        ordering = ["-year", "title", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class InspectionKind(models.TextChoices):
    REGULAR_SUPERVISION = "regular_supervision", _("Regular supervision")
    THEMATIC_SUPERVISION = "thematic_supervision", _("Thematic supervision")
    THEMATIC_INSPECTION = "thematic_inspection", _("Thematic inspection")
    SUSPECTED_VIOLATION = "suspected_violation", _("Inspection on suspected violation")


SUPERVISION_KINDS = (InspectionKind.REGULAR_SUPERVISION, InspectionKind.THEMATIC_SUPERVISION)
INSPECTION_KINDS = (InspectionKind.THEMATIC_INSPECTION, InspectionKind.SUSPECTED_VIOLATION)


class InspectionResult(models.TextChoices):
    NOTHING = "nothing", _("Nothing to correct")
    SHORTCOMINGS = "shortcomings", _("Shortcomings to correct")
    # Supervision does not conclude on a violation: it finds signs, and an inspection follows.
    SIGNS_OF_VIOLATION = "signs_of_violation", _("Signs of violation: an inspection follows")
    VIOLATION = "violation", _("Violation found")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTIFIED = "notified", _("Notice given")
    SELF_REPORTED = "self_reported", _("Self-report received")
    MET = "met", _("Meeting held")
    CONCLUDED = "concluded", _("Concluded")


# The steps in their order, each with its date field and the state it reaches (QĐ 296: the
# notice, the subject's self-report, the meeting that reviews it, the conclusion).
STEPS = (
    ("notice", "notice_on", InspectionState.NOTIFIED),
    ("self_report", "self_report_on", InspectionState.SELF_REPORTED),
    ("meeting", "meeting_on", InspectionState.MET),
    ("conclusion", "concluded_on", InspectionState.CONCLUDED),
)


class Inspection(models.Model):
    """One supervision or inspection of an organisation or a member, planned or not, with
    the dates of its steps and its conclusion."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("carried out by"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=InspectionKind.choices)
    subject_org = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation inspected"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspected_in",
    )
    subject_member = models.ForeignKey(
        Member,
        verbose_name=_("member inspected"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspected_in",
    )
    topic = models.CharField(_("topic"), max_length=500)
    notice_on = models.DateField(_("notice"), null=True, blank=True)
    self_report_on = models.DateField(_("self-report"), null=True, blank=True)
    meeting_on = models.DateField(_("meeting"), null=True, blank=True)
    # The cell meeting that reviewed the self-report, when it was held in Chibo.
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting held"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    concluded_on = models.DateField(_("conclusion"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=30, choices=InspectionResult.choices, blank=True, default=""
    )
    conclusion = models.TextField(_("conclusion"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_org__isnull=True)
                ^ models.Q(subject_member__isnull=True),
                name="inspection_one_subject",
            )
        ]
        indexes = [models.Index(fields=["organisation", "concluded_on"])]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.topic[:80]}"

    @property
    def subject(self) -> Organisation | Member:
        return self.subject_org or self.subject_member

    @property
    def subject_name(self) -> str:
        return self.subject_org.name if self.subject_org_id else self.subject_member.full_name

    @property
    def is_supervision(self) -> bool:
        return self.kind in SUPERVISION_KINDS

    @property
    def state(self) -> str:
        """The last step recorded."""
        state = InspectionState.PLANNED
        for _step, field, reached in STEPS:
            if getattr(self, field) is None:
                break
            state = reached
        return state

    @property
    def is_concluded(self) -> bool:
        return self.concluded_on is not None


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint about discipline")
    DENUNCIATION = "denunciation", _("Denunciation")
    STATE_NOTICE = "state_notice", _("Notice of a state body's discipline")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("Found right")
    PARTLY_UPHELD = "partly_upheld", _("Partly right")
    NOT_UPHELD = "not_upheld", _("Found wrong")
    # A state body's notice is not judged right or wrong: the party organisation considers it.
    CONSIDERED = "considered", _("Considered")


class Complaint(models.Model):
    """Something received about an organisation or a member: a complaint about a discipline
    decision (khiếu nại), a denunciation (tố cáo), or a state body's notice that it
    disciplined a member. Who sent it is seen only by those who handle it."""

    kind = models.CharField(_("kind"), max_length=20, choices=ComplaintKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"))
    # Empty: anonymous. An anonymous denunciation is recorded and, unless the pack says
    # otherwise, not handled.
    sender = models.CharField(_("from"), max_length=255, blank=True, default="")
    subject_org = models.ForeignKey(
        Organisation,
        verbose_name=_("about the organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_member = models.ForeignKey(
        Member,
        verbose_name=_("about the member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("summary"))
    # The decision a complaint is about.
    discipline = models.ForeignKey(
        "DisciplineDecision",
        verbose_name=_("discipline decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    # A state body's notice: the day the state body decided, to see whether it informed the
    # party organisation in time.
    state_decided_on = models.DateField(_("decided by the state body on"), null=True, blank=True)
    # The pack that set the due day; no due day when it is not to be handled.
    pack_id = models.CharField(max_length=60, blank=True, default="")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ComplaintOutcome.choices, blank=True, default=""
    )
    outcome_note = models.TextField(_("what was found"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_org__isnull=True)
                ^ models.Q(subject_member__isnull=True),
                name="complaint_one_subject",
            )
        ]
        indexes = [models.Index(fields=["organisation", "received_on"])]
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        # Never the sender: the audit log and lists show this.
        return f"{self.get_kind_display()} {self.received_on.isoformat()}"

    @property
    def subject(self) -> Organisation | Member:
        return self.subject_org or self.subject_member

    @property
    def subject_name(self) -> str:
        return self.subject_org.name if self.subject_org_id else self.subject_member.full_name

    @property
    def is_anonymous(self) -> bool:
        return not self.sender

    @property
    def to_handle(self) -> bool:
        """Whether it has a due day: an anonymous denunciation may be recorded only."""
        return self.due_on is not None

    def is_overdue(self, today) -> bool:
        """Handled after its due day, or still open past it."""
        if self.due_on is None:
            return False
        return (self.handled_on or today) > self.due_on


class DisciplineForm(models.TextChoices):
    """The forms of discipline, the lightest first (Điều lệ Đảng; QĐ 296)."""

    REPRIMAND = "reprimand", _("Reprimand")
    WARNING = "warning", _("Warning")
    REMOVAL_FROM_POST = "removal_from_post", _("Removal from post")
    EXPULSION = "expulsion", _("Expulsion")
    DISSOLUTION = "dissolution", _("Dissolution")


class DisciplineDecision(models.Model):
    """A discipline decision (quyết định kỷ luật) on an organisation or a member, by a
    committee above it. An annulled decision (after a complaint) no longer counts."""

    decided_by = models.ForeignKey(
        Organisation,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="discipline_decisions",
    )
    subject_org = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation disciplined"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disciplined_in",
    )
    subject_member = models.ForeignKey(
        Member,
        verbose_name=_("member disciplined"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disciplined_in",
    )
    form = models.CharField(_("form"), max_length=20, choices=DisciplineForm.choices)
    number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"))
    pack_id = models.CharField(max_length=60)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discipline_decisions",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("denunciation or notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discipline_decisions",
    )
    annulled_on = models.DateField(_("annulled on"), null=True, blank=True)
    annul_reason = models.TextField(_("why annulled"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_org__isnull=True)
                ^ models.Q(subject_member__isnull=True),
                name="discipline_one_subject",
            ),
            models.UniqueConstraint(fields=["decided_by", "number"], name="discipline_number_once"),
        ]
        indexes = [models.Index(fields=["decided_on"])]
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_form_display()}"

    @property
    def subject(self) -> Organisation | Member:
        return self.subject_org or self.subject_member

    @property
    def subject_name(self) -> str:
        return self.subject_org.name if self.subject_org_id else self.subject_member.full_name

    @property
    def is_effective(self) -> bool:
        return self.annulled_on is None
