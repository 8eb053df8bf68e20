"""The member registry (đảng viên), each member's history of home cells, and the records of a
member's path that belong to the registry: the end of a membership, proposals to remove a
name, training courses, party badges, and the member's own requests to correct the record."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from chibo.dates import add_years
from chibo.orgs.models import Organisation
from chibo.text import fold, mask

AUDIT_LABELS = {
    "member.end": _("Membership ended"),
    "member.removal_propose": _("Removal of name proposed"),
    "member.removal_decide": _("Removal of name decided"),
    "member.removal_withdraw": _("Removal proposal closed"),
    "member.training_add": _("Training recorded"),
    "member.training_remove": _("Training removed"),
    "member.badge_award": _("Party badge awarded"),
    "member.correction_request": _("Correction asked for"),
    "member.correction_approve": _("Correction approved"),
    "member.correction_refuse": _("Correction refused"),
}


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary")
    OFFICIAL = "official", _("Official")
    EXEMPTED = "exempted", _("Exempted from activity")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    REMOVED = "removed", _("Name removed")
    EXPELLED = "expelled", _("Expelled")
    LEFT = "left", _("Left the party")
    DECEASED = "deceased", _("Deceased")


# Members who still belong to their cell; the others are kept for the record. A member
# transferred temporarily elsewhere keeps their status: chibo.transfers knows they are away.
CURRENT_STATUSES = (Status.PROBATIONARY, Status.OFFICIAL, Status.EXEMPTED)


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class TheoryLevel(models.TextChoices):
    NONE = "none", _("None")
    ELEMENTARY = "elementary", _("Elementary")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    BACHELOR = "bachelor", _("Bachelor of political science")


def theory_rank(level: str) -> int:
    """Return where a theory level stands among the levels, from none (0) up."""
    return TheoryLevel.values.index(level) if level in TheoryLevel.values else 0


class Education(models.TextChoices):
    """How far a member's general education went, for the pack's admission minimum."""

    NONE = "none", _("No school completed")
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary school")


# General education is written as the party's forms write it: the grade completed over the
# grades of the school system studied in, "9/12" today, "7/10" in the North's ten-year
# system (to 1981), "7/9" in its nine-year system (to 1956). For each system, the grades
# that complete primary and lower secondary school.
SCHOOL_SYSTEMS = {12: (5, 9), 10: (4, 7), 9: (4, 7)}
EDUCATION_FORMAT = r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$"


def education_level(text: str) -> str | None:
    """Return the Education level of a "grade/system" text, or None when it is not one."""
    match = re.match(EDUCATION_FORMAT, text or "")
    if not match:
        return None
    grade, system = int(match[1]), int(match[2])
    if system not in SCHOOL_SYSTEMS or not 0 <= grade <= system:
        return None
    primary, lower = SCHOOL_SYSTEMS[system]
    if grade == system:
        return Education.UPPER_SECONDARY
    if grade >= lower:
        return Education.LOWER_SECONDARY
    return Education.PRIMARY if grade >= primary else Education.NONE


def validate_education(value: str) -> None:
    if value and education_level(value) is None:
        raise ValidationError(
            _(
                "Write the general education as the grade completed over the school system's "
                "grades: 9/12, 12/12, or 7/10 for the old ten-year system."
            )
        )


class Member(models.Model):
    """A party member with the fields of the member database and the handbook app."""

    full_name = models.CharField(_("full name"), max_length=120)
    name_folded = models.CharField(max_length=120, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=60, default="Kinh")
    religion = models.CharField(_("religion"), max_length=60, blank=True, default="")
    hometown = models.CharField(_("hometown"), max_length=255, blank=True, default="")
    residence = models.CharField(_("residence"), max_length=255, blank=True, default="")
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        default="",
        validators=[
            RegexValidator(
                r"^(\+84|0)\d{9,10}$",
                _("Enter a Vietnamese phone number, for example 0912345678."),
            )
        ],
    )
    email = models.EmailField(_("e-mail"), blank=True, default="")
    citizen_id = models.CharField(
        _("citizen ID"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("A citizen ID has exactly 12 digits."))],
    )
    party_card_number = models.CharField(
        _("party card number"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        validators=[RegexValidator(r"^\d{6,12}$", _("A party card number has 6 to 12 digits."))],
    )
    education = models.CharField(
        _("general education"),
        max_length=20,
        blank=True,
        default="",
        validators=[validate_education],
    )
    qualification = models.CharField(
        _("professional qualification"), max_length=120, blank=True, default=""
    )
    theory_level = models.CharField(
        _("political theory"), max_length=20, choices=TheoryLevel.choices, default=TheoryLevel.NONE
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True, default="")
    position = models.CharField(_("position"), max_length=120, blank=True, default="")
    admitted_on = models.DateField(_("admission date"))
    official_on = models.DateField(_("official date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROBATIONARY
    )
    # The one home cell. Never null, so a member can never be in no cell; MembershipPeriod keeps
    # where the member was before.
    cell = models.ForeignKey(
        Organisation, verbose_name=_("cell"), on_delete=models.PROTECT, related_name="members"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name_folded", "id"]
        indexes = [models.Index(fields=["cell", "status"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def citizen_id_masked(self) -> str:
        return mask(self.citizen_id or "", 3, 3)

    @property
    def phone_masked(self) -> str:
        return mask(self.phone, 3, 3)

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    def party_age(self, on: datetime.date) -> int:
        """Return the whole years of party age on a day, counted from the admission decision."""
        years = on.year - self.admitted_on.year
        if add_years(self.admitted_on, years) > on:
            years -= 1
        return max(years, 0)


class MembershipPeriod(models.Model):
    """A stretch of time during which a member's home cell was one organisation."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="periods")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="membership_periods"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_on__isnull=True), name="one_open_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.organisation} {self.started_on}–{self.ended_on or ''}"


# The end of a membership: each needs its decision (or, for a death, the date it is known).
ENDING_STATUSES = (Status.REMOVED, Status.EXPELLED, Status.LEFT, Status.DECEASED)


class MembershipEnd(models.Model):
    """How and by whose decision a membership ended: removal of name, expulsion, leaving,
    death. Kept beside the member, who stays in the registry for the record."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="ending")
    kind = models.CharField(
        _("kind"), max_length=20, choices=[(s.value, s.label) for s in ENDING_STATUSES]
    )
    effective_on = models.DateField(_("effective on"))
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    status_before = models.CharField(max_length=20, choices=Status.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.member}: {self.get_kind_display()} {self.effective_on}"


class RemovalGround(models.TextChoices):
    """The Charter's grounds for removing a name (Điều lệ Đảng, art. 8)."""

    ABSENT = "absent", _("Missed cell meetings for 3 months in a year without good reason")
    UNPAID_FEES = (
        "unpaid_fees",
        _("Did not pay party fees for 3 months in a year without good reason"),
    )
    NO_WILL = "no_will", _("Lost the will to strive after 12 months of the cell's help")
    NOT_RECOGNISED = "not_recognised", _("Not recognised as an official member")


class RemovalProposal(models.Model):
    """The cell's proposal to remove a member's name, and the committee's decision on it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the committee")
        REMOVED = "removed", _("Name removed")
        REJECTED = "rejected", _("Not removed")
        # The membership ended another way (death, expulsion) before the committee decided.
        WITHDRAWN = "withdrawn", _("Closed: the membership ended otherwise")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="removal_proposals")
    ground = models.CharField(_("ground"), max_length=20, choices=RemovalGround.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    evidence = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("the cell's note"), blank=True)
    proposed_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(outcome="pending"), name="one_pending_removal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_ground_display()}"

    @property
    def absent_months(self) -> list[datetime.date]:
        """The months of the evidence with an unexcused absence (stored as ISO dates)."""
        return [datetime.date.fromisoformat(m) for m in self.evidence.get("absent_months", [])]

    @property
    def unpaid_months(self) -> list[datetime.date]:
        return [datetime.date.fromisoformat(m) for m in self.evidence.get("unpaid_months", [])]


class TrainingKind(models.TextChoices):
    POLITICAL_THEORY = "political_theory", _("Political theory")
    REFRESHER = "refresher", _("Party refresher course")
    STATE_MANAGEMENT = "state_management", _("State management")
    PROFESSIONAL = "professional", _("Professional")
    OTHER = "other", _("Other")


class Training(models.Model):
    """A course the member attended: political theory and other training."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="trainings")
    kind = models.CharField(_("kind"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("course"), max_length=255)
    theory_level = models.CharField(
        _("political theory level"), max_length=20, choices=TheoryLevel.choices, blank=True
    )
    institution = models.CharField(_("institution"), max_length=255, blank=True)
    started_on = models.DateField(_("from"))
    finished_on = models.DateField(_("to"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    # The member's theory level before this course raised it (blank: it raised nothing), so
    # that removing a course entered by mistake gives the old level back.
    previous_theory_level = models.CharField(
        max_length=20, choices=TheoryLevel.choices, blank=True, editable=False
    )

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Badge(models.Model):
    """A party badge (Huy hiệu Đảng) awarded for so many years of party age."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="badges")
    years = models.PositiveSmallIntegerField(_("years"))
    awarded_on = models.DateField(_("awarded on"))
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["years"]
        constraints = [
            models.UniqueConstraint(fields=["member", "years"], name="one_badge_per_years")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.years}"


class CorrectionRequest(models.Model):
    """A member asks for a correction of their record; the cell approves or refuses it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the cell")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("field"), max_length=40)
    current_value = models.CharField(max_length=255, blank=True)
    requested_value = models.CharField(_("correct value"), max_length=255)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member}: {self.field}"

    @property
    def field_label(self) -> str:
        return Member._meta.get_field(self.field).verbose_name

    @property
    def current_shown(self) -> str:
        return self._shown(self.current_value)

    @property
    def requested_shown(self) -> str:
        return self._shown(self.requested_value)

    @property
    def is_personal(self) -> bool:
        """A citizen ID or phone number: shown masked, like the record shows them."""
        return self.field in ("citizen_id", "phone")

    @property
    def current_masked(self) -> str:
        return mask(self.current_value, 3, 3) if self.is_personal else self.current_shown

    @property
    def requested_masked(self) -> str:
        return mask(self.requested_value, 3, 3) if self.is_personal else self.requested_shown

    def _shown(self, value: str) -> str:
        """Return a stored value as the member reads it: a date day first, a choice by name."""
        field = Member._meta.get_field(self.field)
        if field.choices:
            return str(dict(field.choices).get(value, value))
        if isinstance(field, models.DateField) and value:
            try:
                return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
            except ValueError:
                return value
        return value
