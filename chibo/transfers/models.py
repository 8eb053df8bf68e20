"""Membership transfers (chuyển sinh hoạt đảng) and residence contact (Quy định 213-QĐ/TW).

A Transfer moves a member from their home cell to another organisation, officially (the home
cell changes) or temporarily (the member takes part in the receiving cell for a while and
comes back), or records a transfer to or from an organisation outside the system with its
letter. A ResidenceRegistration links a member who works elsewhere to the residential cell
where they live; that cell records its contacts with the member and writes the yearly comment
that the workplace cell reads at review time.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.members.models import Member
from chibo.orgs.models import Organisation

AUDIT_LABELS = {
    "transfer.issue": _("Transfer letter issued"),
    "transfer.reissue": _("Transfer letter issued again"),
    "transfer.accept": _("Transfer accepted"),
    "transfer.cancel": _("Transfer cancelled"),
    "transfer.end": _("Temporary transfer ended"),
    "transfer.out": _("Member transferred out of the system"),
    "transfer.in": _("Member transferred in from outside the system"),
    "transfer.letter_file": _("Transfer letter attached"),
    "residence.register": _("Residence registered"),
    "residence.end": _("Residence registration ended"),
    "residence.contact": _("Residence contact recorded"),
    "residence.comment": _("Residence comment written"),
}


class Kind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    TEMPORARY = "temporary", _("Temporary")


class Reason(models.TextChoices):
    JOB = "job", _("Change of job")
    RETIREMENT = "retirement", _("Retirement")
    RESIDENCE = "residence", _("Change of residence")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    ACTIVE = "active", _("Temporarily away")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


# A member has at most one of these at a time (the constraint below).
OPEN_STATUSES = (TransferStatus.IN_TRANSIT, TransferStatus.ACTIVE)


def letter_path(transfer: "Transfer", filename: str) -> str:
    return f"transfers/{transfer.member_id}/{filename}"


class Transfer(models.Model):
    """One transfer of a member's party activity, with its introduction letter."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    # The job move, retirement, change of residence or start of training that calls for it.
    event_on = models.DateField(_("date of the event"))
    # Inside the system: both ends are organisations. Outside: the other end's name.
    from_org = models.ForeignKey(
        Organisation,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_org = models.ForeignKey(
        Organisation,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    outside_name = models.CharField(
        _("organisation outside the system"), max_length=255, blank=True, default=""
    )
    letter_number = models.CharField(_("letter number"), max_length=60)
    letter_date = models.DateField(_("letter date"))
    letter_file = models.FileField(_("letter"), upload_to=letter_path, blank=True, default="")
    # The member must present the letter by this day (the letter's date + the pack's days).
    present_by = models.DateField(_("present the letter by"), null=True, blank=True)
    # Official transfers inside or out of the system: due within the pack's working days.
    due_on = models.DateField(_("due by"), null=True, blank=True)
    ends_on = models.DateField(_("temporary until"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.IN_TRANSIT,
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True, default="")
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    pack_id = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-letter_date", "-id"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["member", "status"]),
        ]
        constraints = [
            # Two transfers at once would leave the member in two places or none.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["in_transit", "active"]),
                name="one_open_transfer",
            ),
            models.CheckConstraint(
                condition=Q(from_org__isnull=False) | Q(to_org__isnull=False),
                name="transfer_has_an_end_in_the_system",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"

    @property
    def source(self) -> str:
        return self.from_org.name if self.from_org_id else self.outside_name

    @property
    def destination(self) -> str:
        return self.to_org.name if self.to_org_id else self.outside_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_temporary(self) -> bool:
        return self.kind == Kind.TEMPORARY

    @property
    def until(self) -> datetime.date | None:
        """Return the day a temporary stay ends: the day it was ended, else the planned day."""
        return self.returned_on or self.ends_on

    def letter_expired(self, today: datetime.date) -> bool:
        return (
            self.status == TransferStatus.IN_TRANSIT
            and bool(self.present_by)
            and (today > self.present_by)
        )

    def is_late(self, today: datetime.date) -> bool:
        """Return whether an official transfer is past the pack's working days (or was
        completed after them)."""
        if self.kind != Kind.OFFICIAL or self.due_on is None:
            return False
        if self.status == TransferStatus.COMPLETED:
            return (self.accepted_on or self.letter_date) > self.due_on
        return self.status == TransferStatus.IN_TRANSIT and today > self.due_on


class ResidenceRegistration(models.Model):
    """A member who works elsewhere, registered with the residential cell where they live."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="residences")
    cell = models.ForeignKey(
        Organisation,
        verbose_name=_("residential cell"),
        on_delete=models.PROTECT,
        related_name="residents",
    )
    address = models.CharField(_("address"), max_length=255)
    registered_on = models.DateField(_("registered on"))
    # A key of the pack's residence.exempt_groups: exempt from the routine comment.
    exempt_group = models.CharField(_("exempt group"), max_length=40, blank=True, default="")
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=255, blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("residence registration")
        verbose_name_plural = _("residence registrations")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_on__isnull=True), name="one_open_residence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.cell}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def covers_year(self, year: int) -> bool:
        return self.registered_on.year <= year and (
            self.ended_on is None or self.ended_on.year >= year
        )


class ResidenceContact(models.Model):
    """A meeting or contact between the residential cell and a registered member."""

    registration = models.ForeignKey(
        ResidenceRegistration, on_delete=models.CASCADE, related_name="contacts"
    )
    on = models.DateField(_("date"))
    note = models.CharField(_("what happened"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.note[:40]}"


class ResidenceComment(models.Model):
    """The residential cell's yearly comment on a registered member, with the neighbourhood
    Front committee's opinion, for the workplace cell's annual review."""

    registration = models.ForeignKey(
        ResidenceRegistration, on_delete=models.CASCADE, related_name="comments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("comment of the cell committee"))
    front_opinion = models.TextField(_("opinion of the Front committee"), blank=True, default="")
    written_on = models.DateField(_("written on"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "year"], name="one_comment_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.text[:40]}"
