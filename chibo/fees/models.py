"""Party fees (đảng phí): each member's fee basis over time, exemptions and reductions, the
payments a cell collects month by month, the share it remits to the level above, and a
summary row per cell and month that committees add up over their subtree.

Amounts are whole đồng (integers) everywhere. A month is the date of its first day. The
rates are not here: they come from the "fees" regulation pack in force on the month's first
day (chibo.regulations), and a payment keeps the id of the pack its fee was computed with.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.members.models import Member
from chibo.orgs.models import Organisation

AUDIT_LABELS = {
    "fees.set_basis": _("Fee basis recorded"),
    "fees.exempt": _("Fee exemption granted"),
    "fees.end_exemption": _("Fee exemption ended"),
    "fees.reduce": _("Fee reduction granted"),
    "fees.pay": _("Party fee paid"),
    "fees.cancel_payment": _("Fee payment cancelled"),
    "fees.remit": _("Fees remitted to the level above"),
    "fees.set_share": _("Share remitted to the level above set"),
}


class Recorded(models.Model):
    """Who wrote a row of the fee book, and when: every fee record keeps both."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class FeeBasisPeriod(Recorded):
    """A member's fee basis (căn cứ đóng đảng phí) from a month on, until the next one.

    The basis is a key of the pack's bases (salary, sickness_allowance, pension, student,
    no_insurance…); a percent basis needs the monthly income in đồng. The member's fees
    start with their first basis: no month before it is due.
    """

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="fee_bases"
    )
    basis = models.CharField(_("fee basis"), max_length=40)
    # Personal data: shown only to those who may see the member's fees.
    income = models.PositiveBigIntegerField(_("monthly income (đồng)"), null=True, blank=True)
    from_month = models.DateField(_("from month"))

    class Meta:
        verbose_name = _("fee basis")
        verbose_name_plural = _("fee bases")
        ordering = ["member", "from_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "from_month"], name="one_basis_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.basis} {self.from_month:%m/%Y}"


class FeeExemption(Recorded):
    """An exemption from the fee (miễn đóng đảng phí), granted on the member's application
    for one of the pack's grounds (50 years of party age, poor household, …)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="fee_exemptions"
    )
    key = models.CharField(_("ground"), max_length=40)
    from_month = models.DateField(_("from month"))
    # The last month exempted; empty while it lasts.
    until_month = models.DateField(_("until month"), null=True, blank=True)
    applied_on = models.DateField(_("application dated"))
    note = models.CharField(_("note"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("fee exemption")
        verbose_name_plural = _("fee exemptions")
        ordering = ["member", "from_month"]

    def __str__(self) -> str:
        return f"{self.member} {self.key} {self.from_month:%m/%Y}"


class FeeReduction(Recorded):
    """A reduction of the fee (giảm đảng phí) by one of the pack's percents, for at most the
    pack's number of months each time."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="fee_reductions"
    )
    percent = models.PositiveSmallIntegerField(_("reduction (%)"))
    from_month = models.DateField(_("from month"))
    until_month = models.DateField(_("until month"))
    reason = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("fee reduction")
        verbose_name_plural = _("fee reductions")
        ordering = ["member", "from_month"]

    def __str__(self) -> str:
        return f"{self.member} -{self.percent}% {self.from_month:%m/%Y}–{self.until_month:%m/%Y}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash to the cell")
    PORTAL = "public_service_portal", _("National Public Service Portal")


class FeePayment(Recorded):
    """One month of a member's fee, paid. A month is paid once; a mistaken entry is
    cancelled with its reason, never edited or deleted."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="fee_payments"
    )
    # The cell that collected it: the member's home cell when it was recorded.
    cell = models.ForeignKey(
        Organisation,
        verbose_name=_("cell"),
        on_delete=models.PROTECT,
        related_name="fee_payments",
        db_index=False,  # the (cell, month) index serves
    )
    month = models.DateField(_("month"))
    due = models.PositiveBigIntegerField(_("fee due (đồng)"))
    amount = models.PositiveBigIntegerField(_("amount paid (đồng)"))
    pack_id = models.CharField(max_length=60)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("paid by"), max_length=30, choices=PaymentMethod.choices)
    reference = models.CharField(_("portal reference"), max_length=60, blank=True, default="")
    # Who recorded and who cancelled are read with the payment, never searched by: no index
    # to keep up on the biggest table of the app.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True, default="")
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("fee payment")
        verbose_name_plural = _("fee payments")
        ordering = ["member", "month"]
        indexes = [models.Index(fields=["cell", "month"])]
        constraints = [
            # The database's own guard against a month entered twice, even by two collectors
            # at the same moment.
            models.UniqueConstraint(
                fields=["member", "month"],
                condition=Q(cancelled_at__isnull=True),
                name="one_payment_a_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%m/%Y} {self.amount}"


class RemitShare(Recorded):
    """The share of what they collect that the cells under an organisation remit to the
    level above, from a month on, instead of the pack's default."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="remit_shares",
    )
    percent = models.PositiveSmallIntegerField(_("share remitted (%)"))
    from_month = models.DateField(_("from month"))

    class Meta:
        verbose_name = _("share remitted")
        verbose_name_plural = _("shares remitted")
        ordering = ["organisation", "from_month"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "from_month"], name="one_share_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.percent}% {self.from_month:%m/%Y}"


class Remittance(Recorded):
    """What a cell passed up to the level above for one month (nộp đảng phí lên cấp trên)."""

    cell = models.ForeignKey(
        Organisation, verbose_name=_("cell"), on_delete=models.PROTECT, related_name="remittances"
    )
    month = models.DateField(_("month"))
    amount = models.PositiveBigIntegerField(_("amount remitted (đồng)"))
    remitted_on = models.DateField(_("remitted on"))
    # What the share was when it was remitted: the month's collection and the percent.
    collected = models.PositiveBigIntegerField()
    percent = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("remittance")
        verbose_name_plural = _("remittances")
        ordering = ["cell", "month"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "month"], name="one_remittance_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.cell} {self.month:%m/%Y} {self.amount}"


# The figures of a CellFeeMonth, in the order the refresh compares them.
SUMMARY_FIGURES = (
    "members",
    "due",
    "collected",
    "paid",
    "unpaid",
    "unpaid_due",
    "remit_percent",
    "remit_due",
    "remitted",
)


class CellFeeMonth(models.Model):
    """A cell's month in figures, so that a committee's pages add up their whole subtree by
    path in one query instead of computing every member's fee.

    Rewritten by every fee write for the cell-months it touches, and for the current month
    by the daily `chibo fees refresh`; `chibo fees refresh --verify` recomputes and reports
    any difference.
    """

    cell = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="fee_months")
    month = models.DateField()
    members = models.PositiveIntegerField(default=0)  # members with a fee basis that month
    due = models.PositiveBigIntegerField(default=0)
    collected = models.PositiveBigIntegerField(default=0)  # paid for the month in this cell
    paid = models.PositiveIntegerField(default=0)  # members who paid the month
    unpaid = models.PositiveIntegerField(default=0)  # members who owe the month
    unpaid_due = models.PositiveBigIntegerField(default=0)
    remit_percent = models.PositiveSmallIntegerField(default=0)
    remit_due = models.PositiveBigIntegerField(default=0)
    remitted = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cell", "month"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "month"], name="one_summary_a_cell_month")
        ]
        indexes = [models.Index(fields=["month", "cell"])]

    def __str__(self) -> str:
        return f"{self.cell} {self.month:%m/%Y}"
