"""Forms of the fee pages. The choices come from the fees pack in force; the actions check
them again, with the rule that refuses."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.fees.arithmetic import month_key, month_label, parse_month
from chibo.fees.models import PaymentMethod
from chibo.fees.templatetags.fees import format_dong
from chibo.orgs.forms import DateInput


class MonthInput(forms.TextInput):
    """A month picker on phones ("2026-05"); older browsers take "05/2026" as typed text."""

    input_type = "month"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return month_key(value)
        return super().format_value(value)


class MonthField(forms.Field):
    widget = MonthInput
    default_error_messages = {"invalid": _("Enter a month, for example 05/2026.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        try:
            return parse_month(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class BasisForm(forms.Form):
    prefix = "basis"

    basis = forms.ChoiceField(label=_("Fee basis"))
    income = forms.IntegerField(
        label=_("Monthly income (đồng)"),
        required=False,
        min_value=0,
        help_text=_("The social-insurance salary, allowance or pension; not for a fixed fee."),
    )
    from_month = MonthField(label=_("From month"))

    def __init__(self, *args, pack, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = [(b.key, _basis_label(b)) for b in pack.fees.bases.values()]


def _basis_label(basis) -> str:
    if basis.fixed is not None:
        return f"{basis.label} — {format_dong(basis.fixed)}"
    return f"{basis.label} — {basis.percent.normalize():f}%"


class ExemptionForm(forms.Form):
    prefix = "exemption"

    key = forms.ChoiceField(label=_("Ground"))
    applied_on = forms.DateField(label=_("Application dated"), widget=DateInput())
    from_month = MonthField(label=_("From month"))
    until_month = MonthField(label=_("Until month (empty while it lasts)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, pack, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(e.key, e.label) for e in pack.fees.exemptions]


class EndExemptionForm(forms.Form):
    until_month = MonthField(label=_("Last month exempted"))


class ReductionForm(forms.Form):
    prefix = "reduction"

    percent = forms.TypedChoiceField(label=_("Reduction"), coerce=int)
    from_month = MonthField(label=_("From month"))
    until_month = MonthField(label=_("Until month"))
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, pack, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["percent"].choices = [(p, f"{p}%") for p in pack.fees.reduction_percents]


class PaymentForm(forms.Form):
    prefix = "payment"

    months = forms.TypedMultipleChoiceField(
        label=_("Months paid"), widget=forms.CheckboxSelectMultiple, coerce=parse_month
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Portal reference"),
        max_length=60,
        required=False,
        help_text=_("The transaction code the National Public Service Portal gives."),
    )
    amount = forms.IntegerField(
        label=_("Amount (đồng), when one month is paid above its fee"),
        required=False,
        min_value=1,
    )

    def __init__(self, *args, owed, **kwargs):
        """owed: the member's MonthFee of each month that can be paid."""
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("paid_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [
            (month_key(f.month), f"{month_label(f.month)} — {format_dong(f.amount)}") for f in owed
        ]


class CancelPaymentForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=255)


class RemittanceForm(forms.Form):
    prefix = "remit"

    amount = forms.IntegerField(label=_("Amount remitted (đồng)"), min_value=1)
    remitted_on = forms.DateField(label=_("Remitted on"), widget=DateInput())


class ShareForm(forms.Form):
    percent = forms.IntegerField(label=_("Share remitted (%)"), min_value=0, max_value=100)
    from_month = MonthField(label=_("From month"))
