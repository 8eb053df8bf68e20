"""Admission of new members and their probation (kết nạp đảng viên, đảng viên dự bị).

A candidate (quần chúng ưu tú) is tracked by a cell: the dossier of the membership pack in
force when the case opened, the introducers, the cell's vote in a meeting, the grassroots
committee's resolution (for a subordinate cell), and the admission decision, which makes the
candidate a probationary member. The probation then runs from the admission ceremony to
recognition as an official member, or to the removal of the name.

Dates that count working days (the ceremony's deadline, the review's) are computed when the
step that starts them is recorded and stored, so that lists of deadlines are one query.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.dates import add_years
from chibo.meetings.models import Vote
from chibo.members.models import Gender, Member, validate_education
from chibo.orgs.models import Organisation
from chibo.regulations.loader import pack_by_id
from chibo.text import fold

AUDIT_LABELS = {
    "admissions.create": _("Admission case opened"),
    "admissions.update": _("Candidate's record corrected"),
    "admissions.introducer": _("Introducer added"),
    "admissions.introducer_removed": _("Introducer removed"),
    "admissions.document": _("Dossier document recorded"),
    "admissions.vote": _("Cell voted on an admission"),
    "admissions.committee": _("Grassroots committee's resolution on an admission"),
    "admissions.decide": _("Admission decided"),
    "admissions.withdraw": _("Admission case closed"),
    "admissions.probation": _("Probation record opened"),
    "admissions.ceremony": _("Admission ceremony held"),
    "admissions.recognition_vote": _("Cell voted on a recognition"),
    "admissions.recognise": _("Recognised as an official member"),
    "admissions.remove": _("Probationary member's name removed"),
    "admissions.close": _("Probation closed: the membership ended"),
    "seed.admissions": _("Admission and probation data loaded"),
}


class Stage(models.TextChoices):
    PREPARING = "preparing", _("Preparing the dossier")
    CELL_APPROVED = "cell_approved", _("Approved by the cell")
    COMMITTEE_PROPOSED = "committee_proposed", _("Proposed by the grassroots committee")
    ADMITTED = "admitted", _("Admitted")
    WITHDRAWN = "withdrawn", _("Case closed")


OPEN_STAGES = (Stage.PREPARING, Stage.CELL_APPROVED, Stage.COMMITTEE_PROPOSED)


class Candidate(models.Model):
    """A person the cell prepares for admission (quần chúng ưu tú)."""

    cell = models.ForeignKey(
        Organisation, verbose_name=_("cell"), on_delete=models.PROTECT, related_name="candidates"
    )
    full_name = models.CharField(_("full name"), max_length=120)
    name_folded = models.CharField(max_length=120, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=60, default="Kinh")
    religion = models.CharField(_("religion"), max_length=60, blank=True, default="")
    hometown = models.CharField(_("hometown"), max_length=255, blank=True, default="")
    residence = models.CharField(_("residence"), max_length=255, blank=True, default="")
    # The registry's own formats, so that the decision can copy them into the member's record.
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        default="",
        validators=Member._meta.get_field("phone").validators,
    )
    email = models.EmailField(_("e-mail"), blank=True, default="")
    citizen_id = models.CharField(
        _("citizen ID"),
        max_length=12,
        blank=True,
        default="",
        validators=Member._meta.get_field("citizen_id").validators,
    )
    education = models.CharField(
        _("general education"),
        max_length=20,
        blank=True,
        default="",
        validators=[validate_education],
    )
    # A candidate below the pack's minimum education may be admitted where the regulation
    # allows it (highland and remote areas, ethnic minorities): the ground, as decided.
    education_exception = models.CharField(
        _("ground for a lower education"), max_length=255, blank=True, default=""
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True, default="")
    # Candidates older than the pack's max_age need the provincial committee's approval:
    # its number and date, as written on the document.
    over_age_approval = models.CharField(
        _("provincial committee's approval (over the age limit)"),
        max_length=120,
        blank=True,
        default="",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PREPARING
    )
    # The membership pack whose dossier the case follows (the one in force when it opened).
    pack_id = models.CharField(max_length=60)
    cell_voted_on = models.DateField(_("cell's vote"), null=True, blank=True)
    committee_resolution_number = models.CharField(
        _("committee's resolution number"), max_length=60, blank=True, default=""
    )
    committee_resolved_on = models.DateField(_("committee's resolution"), null=True, blank=True)
    member = models.OneToOneField(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="candidate"
    )
    closed_reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["name_folded", "id"]
        indexes = [models.Index(fields=["cell", "stage"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def rules(self):
        """The admission rules of the pack the case follows."""
        return pack_by_id(self.pack_id).membership.admission

    def document(self, key: str) -> "DossierItem | None":
        return next((d for d in self.documents.all() if d.key == key), None)

    @property
    def certificate(self) -> "DossierItem | None":
        return self.document("course_certificate")


class DocumentStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Checked")


PRESENT_STATUSES = (DocumentStatus.SUBMITTED, DocumentStatus.CHECKED)


def dossier_path(item: "DossierItem", filename: str) -> str:
    return f"dossiers/{item.candidate.cell_id}/{item.candidate_id}/{filename}"


class DossierItem(models.Model):
    """One document of a candidate's dossier: its status, number, date and an upload."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="documents")
    key = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.MISSING
    )
    reference = models.CharField(_("number"), max_length=60, blank=True, default="")
    dated = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    file = models.FileField(_("file"), upload_to=dossier_path, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "key"], name="one_dossier_item_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.key}"

    @property
    def rule(self):
        """The pack's description of this document (title, who makes it, validity)."""
        return self.candidate.rules.document(self.key)

    @property
    def is_present(self) -> bool:
        return self.status in PRESENT_STATUSES

    @property
    def expires_on(self):
        """Return the first day the document is no longer valid, or None if it never expires."""
        years = self.rule.valid_years
        if not years or self.dated is None:
            return None
        return add_years(self.dated, years)


class Introducer(models.Model):
    """An official member who introduces the candidate (người giới thiệu)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="introducers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="introductions")
    known_since = models.DateField(_("has worked with the candidate since"))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "member"], name="one_introduction")
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.candidate}"


class CandidateVote(models.Model):
    """A cell's vote on admitting the candidate; failed votes are kept too."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="votes")
    vote = models.OneToOneField(Vote, on_delete=models.PROTECT, related_name="admission_case")

    class Meta:
        ordering = ["vote__recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.vote}"


class ProbationState(models.TextChoices):
    AWAITING_CEREMONY = "awaiting_ceremony", _("Waiting for the admission ceremony")
    ON_PROBATION = "on_probation", _("On probation")
    PROPOSED = "proposed", _("Recognition proposed by the cell")
    REFERRED = "referred", _("Referred to the superior committee")
    RECOGNISED = "recognised", _("Recognised as an official member")
    REMOVED = "removed", _("Name removed")
    # An official transfer out of the system: the probation goes on in the receiving
    # organisation, which Chibo does not follow.
    TRANSFERRED_OUT = "transferred_out", _("Transferred out of the system")


OPEN_PROBATION_STATES = (
    ProbationState.AWAITING_CEREMONY,
    ProbationState.ON_PROBATION,
    ProbationState.PROPOSED,
    ProbationState.REFERRED,
)


class Probation(models.Model):
    """A probationary member's path from the admission decision to the official date."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="probation")
    candidate = models.OneToOneField(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="probation"
    )
    # The membership pack in force on the admission decision: months, deadlines.
    pack_id = models.CharField(max_length=60)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True, default="")
    # Party age counts from this day: it is the member's admitted_on.
    decided_on = models.DateField(_("admission decision"))
    decided_by = models.ForeignKey(
        Organisation,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer = models.CharField(_("signed by"), max_length=120, blank=True, default="")
    ceremony_due = models.DateField(_("ceremony due by"))
    ceremony_on = models.DateField(_("admission ceremony"), null=True, blank=True)
    ends_on = models.DateField(_("probation ends"), null=True, blank=True)
    review_due = models.DateField(_("review due by"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ProbationState.choices,
        default=ProbationState.AWAITING_CEREMONY,
    )
    failed_votes = models.PositiveSmallIntegerField(_("failed recognition votes"), default=0)
    outcome_number = models.CharField(_("decision number"), max_length=60, blank=True, default="")
    outcome_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        Organisation,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome_reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("probation")
        verbose_name_plural = _("probations")
        ordering = ["ends_on", "ceremony_due", "id"]
        indexes = [
            models.Index(fields=["state", "ends_on"]),
            models.Index(fields=["state", "ceremony_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PROBATION_STATES

    @property
    def rules(self):
        return pack_by_id(self.pack_id).membership


class ProbationVote(models.Model):
    """A cell's vote on recognising the probationary member as official."""

    probation = models.ForeignKey(Probation, on_delete=models.CASCADE, related_name="votes")
    vote = models.OneToOneField(Vote, on_delete=models.PROTECT, related_name="probation_case")

    class Meta:
        ordering = ["vote__recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.probation}: {self.vote}"
