"""Forms of the transfer and residence pages; the rules themselves are in actions.py."""

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chibo.orgs.forms import DateInput
from chibo.transfers.models import Kind, Reason


class CellPicker(forms.TextInput):
    """A cell code input that suggests active cells of the whole system as the user types:
    a transfer may go to any cell, also outside the user's reach."""

    def __init__(self, residential: bool = False):
        super().__init__(
            attrs={
                "list": "cell-options",
                "autocomplete": "off",
                "hx-get": format_lazy(
                    "{}?residential={}", reverse_lazy("transfers:cell_options"), int(residential)
                ),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#cell-options",
            }
        )


class LetterFields(forms.Form):
    letter_number = forms.CharField(label=_("Letter number"), max_length=60)
    letter_date = forms.DateField(label=_("Letter date"), widget=DateInput())


class TransferForm(LetterFields):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.OFFICIAL
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    event_on = forms.DateField(
        label=_("Date of the event"),
        widget=DateInput(),
        help_text=_("The job move, retirement, change of residence or start of training."),
    )
    to_code = forms.CharField(
        label=_("Receiving cell in the system (code or name)"),
        required=False,
        widget=CellPicker(),
    )
    outside_name = forms.CharField(
        label=_("Or: organisation outside the system"), required=False, max_length=255
    )
    ends_on = forms.DateField(
        label=_("Temporary until"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for a temporary transfer."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    letter_file = forms.FileField(label=_("Scanned letter (PDF, DOCX, JPEG, PNG)"), required=False)

    field_order = [
        "kind",
        "reason",
        "event_on",
        "to_code",
        "outside_name",
        "ends_on",
        "letter_number",
        "letter_date",
        "letter_file",
        "note",
    ]


class IncomingForm(LetterFields):
    outside_name = forms.CharField(label=_("Coming from (organisation)"), max_length=255)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    event_on = forms.DateField(label=_("Date of the event"), widget=DateInput())
    accepted_on = forms.DateField(label=_("Accepted on"), widget=DateInput())
    letter_file = forms.FileField(label=_("Scanned letter (PDF, DOCX, JPEG, PNG)"), required=False)

    field_order = [
        "outside_name",
        "reason",
        "event_on",
        "letter_number",
        "letter_date",
        "accepted_on",
        "letter_file",
    ]


class AcceptForm(forms.Form):
    accepted_on = forms.DateField(label=_("Letter presented and accepted on"), widget=DateInput())


class ReissueForm(LetterFields):
    pass


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ends on"), widget=DateInput())


class LetterFileForm(forms.Form):
    letter_file = forms.FileField(label=_("Scanned letter (PDF, DOCX, JPEG, PNG)"))


class RegisterResidenceForm(forms.Form):
    cell_code = forms.CharField(
        label=_("Residential cell where the member lives (code or name)"),
        widget=CellPicker(residential=True),
    )
    address = forms.CharField(label=_("Address"), max_length=255)
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())
    exempt_group = forms.ChoiceField(
        label=_("Exempt from the routine comment"),
        required=False,
        help_text=_("Soldiers and police in barracks, mobile workers, full-time students."),
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exempt_group"].choices = [("", _("Not exempt"))] + [
            (g.key, g.label) for g in groups
        ]


class ContactForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(
        label=_("What happened"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    text = forms.CharField(
        label=_("Comment of the cell committee"), widget=forms.Textarea(attrs={"rows": 4})
    )
    front_opinion = forms.CharField(
        label=_("Opinion of the neighbourhood Front committee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EndResidenceForm(forms.Form):
    ended_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    reason = forms.CharField(label=_("Why"), max_length=255)
