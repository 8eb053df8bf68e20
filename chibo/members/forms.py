from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.members.actions import EDITABLE_FIELDS, REVEALABLE
from chibo.members.models import Gender, Member, Status
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
