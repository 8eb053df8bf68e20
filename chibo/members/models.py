"""The member registry (đảng viên) and each member's history of home cells."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.orgs.models import Organisation
from chibo.text import fold, mask


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary")
    OFFICIAL = "official", _("Official")
    EXEMPTED = "exempted", _("Exempted from activity")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    REMOVED = "removed", _("Name removed")
    EXPELLED = "expelled", _("Expelled")
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
    education = models.CharField(_("general education"), max_length=20, blank=True, default="")
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
