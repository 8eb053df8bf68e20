"""Forms of the member pages: the registry, and the records of a member's path."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.members.actions import CORRECTABLE_FIELDS, EDITABLE_FIELDS, REVEALABLE
from chibo.members.models import (
    CURRENT_STATUSES,
    Gender,
    Member,
    RemovalGround,
    Status,
    TheoryLevel,
    TrainingKind,
)
from chibo.orgs.forms import DateInput, OrgPicker


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "admitted_on": DateInput(),
            "official_on": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def validate_unique(self):
        # The action validates uniqueness inside its transaction.
        pass

    def _post_clean(self):
        # The action validates the model; the form only parses what was typed.
        pass


class EditMemberForm(MemberForm):
    class Meta(MemberForm.Meta):
        # The citizen ID is corrected through its own logged reveal, not shown in the form.
        fields = [f for f in EDITABLE_FIELDS if f != "citizen_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A membership ends through its own record (with the decision) or a transfer, so
        # the form offers only the statuses of a current member; an ended one keeps its own.
        current = {s.value for s in CURRENT_STATUSES}
        if self.instance.pk and self.instance.status not in current:
            current.add(self.instance.status)
        self.fields["status"].choices = [c for c in Status.choices if c[0] in current]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or card number"), required=False, max_length=100)
    org = forms.CharField(label=_("Organisation code"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Status.choices)
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("All")), *Gender.choices],
    )


class ChangeCellForm(forms.Form):
    cell = forms.CharField(
        label=_("New home cell (code or name)"), widget=OrgPicker(cells_only=True)
    )
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=255)


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[(name, Member._meta.get_field(name).verbose_name) for name in REVEALABLE]
    )
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=500)


# A member's path: the end of a membership, removal of name, training, badges, corrections.


class EndMembershipForm(forms.Form):
    kind = forms.ChoiceField(label=_("How the membership ends"), choices=())
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput())
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=60,
        required=False,
        help_text=_("Needed for every ending but a death."),
    )
    decided_by = forms.CharField(label=_("Decided by"), max_length=255, required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class RemovalProposalForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=RemovalGround.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1930, max_value=2100)
    note = forms.CharField(
        label=_("The cell's note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when the ground is not shown by the records."),
    )


class RemovalDecisionForm(forms.Form):
    remove = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Remove the name")), ("no", _("Do not remove the name"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput(), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the name is not removed."),
    )


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingKind.choices)
    title = forms.CharField(label=_("Course"), max_length=255)
    theory_level = forms.ChoiceField(
        label=_("Political theory level"),
        required=False,
        choices=[("", "—")] + [c for c in TheoryLevel.choices if c[0] != TheoryLevel.NONE],
        help_text=_("Only for a political-theory course."),
    )
    institution = forms.CharField(label=_("Institution"), max_length=255, required=False)
    started_on = forms.DateField(label=_("From"), widget=DateInput())
    finished_on = forms.DateField(
        label=_("To"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty while the course goes on."),
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=60, required=False
    )


class BadgeForm(forms.Form):
    years = forms.TypedChoiceField(label=_("Badge"), coerce=int, choices=())
    awarded_on = forms.DateField(label=_("Award date"), widget=DateInput())
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].choices = [
            (y, _("%(years)s-year badge") % {"years": y}) for y in years
        ]


class BadgeAwardsForm(forms.Form):
    """The badges of one award date, awarded together under one decision."""

    decision_number = forms.CharField(label=_("Decision number"), max_length=60)


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("What is wrong"),
        choices=[(name, Member._meta.get_field(name).verbose_name) for name in CORRECTABLE_FIELDS],
    )
    requested_value = forms.CharField(
        label=_("The correct value"),
        max_length=255,
        help_text=_("Dates as dd/mm/yyyy."),
    )
    reason = forms.CharField(
        label=_("Why, and which paper shows it"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CorrectionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the member"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you refuse."),
    )
