"""Forms of the admission and probation pages. They parse what was typed; the actions judge it.

The candidate's page shows many forms at once: each has its own prefix so that no field id
repeats on the page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.admissions.actions import CANDIDATE_FIELDS
from chibo.admissions.models import Candidate, DocumentStatus
from chibo.orgs.forms import DateInput


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = list(CANDIDATE_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {
            "education": _("The grade completed over the system's grades: 9/12, 12/12, 7/10."),
            "education_exception": _(
                "Only for a candidate below lower secondary school where the regulation allows "
                "it: highland and remote areas, ethnic minorities."
            ),
            "over_age_approval": _("Only for a candidate over the age limit: number and date."),
        }

    def validate_unique(self):
        pass

    def _post_clean(self):
        # The action validates the model inside its transaction.
        pass


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} — {obj.cell.name}"


class IntroducerForm(forms.Form):
    prefix = "introducer"

    member = MemberChoice(label=_("Official member"), queryset=None)
    known_since = forms.DateField(
        label=_("Has worked with the candidate since"), widget=DateInput()
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class DocumentForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)
    reference = forms.CharField(label=_("Number"), max_length=60, required=False)
    dated = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    file = forms.FileField(label=_("Scan (PDF, JPEG, PNG or DOCX)"), required=False)


class MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class VoteForm(forms.Form):
    prefix = "vote"

    meeting = MeetingChoice(label=_("Meeting in progress"), queryset=None)
    agree = forms.IntegerField(label=_("Agree"), min_value=0, max_value=100_000)
    disagree = forms.IntegerField(label=_("Disagree"), min_value=0, max_value=100_000)
    abstain = forms.IntegerField(
        label=_("Abstain"), min_value=0, max_value=100_000, initial=0, required=False
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings

    def clean_abstain(self):
        return self.cleaned_data["abstain"] or 0


class CommitteeForm(forms.Form):
    prefix = "committee"

    number = forms.CharField(label=_("Resolution number"), max_length=60)
    resolved_on = forms.DateField(label=_("Date"), widget=DateInput())


class DecisionForm(forms.Form):
    prefix = "decision"

    number = forms.CharField(label=_("Decision number"), max_length=60)
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DateInput())
    signer = forms.CharField(label=_("Signed by"), max_length=120, required=False)


class CloseForm(forms.Form):
    prefix = "close"

    reason = forms.CharField(label=_("Why is the case closed?"), max_length=500)


class CeremonyForm(forms.Form):
    prefix = "ceremony"

    held_on = forms.DateField(label=_("Date of the ceremony"), widget=DateInput())


class OpenProbationForm(forms.Form):
    prefix = "probation"

    ceremony_on = forms.DateField(
        label=_("Date of the ceremony, if held"), required=False, widget=DateInput()
    )
    decision_number = forms.CharField(
        label=_("Admission decision number"), max_length=60, required=False
    )


class RecognitionForm(forms.Form):
    prefix = "recognition"

    recognised = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Recognised as an official member")), ("0", _("Name removed"))],
        coerce=lambda v: v == "1",
    )
    number = forms.CharField(label=_("Decision number"), max_length=60)
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason (when not recognised)"), max_length=500, required=False
    )
