from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chibo.orgs.actions import EDITABLE_FIELDS
from chibo.orgs.models import ALLOWED_PARENTS, Level, Organisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(EDITABLE_FIELDS)
        widgets = {"founded_on": DateInput()}
        help_texts = {
            "meeting_day": _("Leave empty to follow the day set by the level above."),
        }


class NewOrganisationForm(OrganisationForm):
    class Meta(OrganisationForm.Meta):
        fields = ["code", "level", *EDITABLE_FIELDS]

    def __init__(self, *args, parent: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [lvl for lvl in Level if parent.level in ALLOWED_PARENTS[lvl]]
        self.fields["level"].choices = [(lvl.value, lvl.label) for lvl in allowed]

    def validate_unique(self):
        # The action checks the code and says so in the user's language.
        pass


class OrgPicker(forms.TextInput):
    """A code input that suggests organisations from a search as the user types."""

    def __init__(self, cells_only: bool = False):
        super().__init__(
            attrs={
                "list": "org-options",
                "autocomplete": "off",
                "hx-get": format_lazy("{}?cells={}", reverse_lazy("orgs:options"), int(cells_only)),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#org-options",
            }
        )


class _TargetForm(forms.Form):
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveForm(_TargetForm):
    new_parent = forms.CharField(label=_("Move under (code or name)"), widget=OrgPicker())
    field_order = ["new_parent", "effective_on", "note"]


class MergeForm(_TargetForm):
    target = forms.CharField(label=_("Merge into (code or name)"), widget=OrgPicker())
    field_order = ["target", "effective_on", "note"]


class SplitForm(_TargetForm):
    code = forms.CharField(label=_("Code of the new organisation"), max_length=40)
    name = forms.CharField(label=_("Name of the new organisation"), max_length=255)
    parts = forms.MultipleChoiceField(
        label=_("What goes to the new organisation"), widget=forms.CheckboxSelectMultiple
    )
    field_order = ["code", "name", "parts", "effective_on", "note"]

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = choices


class CloseForm(_TargetForm):
    pass
