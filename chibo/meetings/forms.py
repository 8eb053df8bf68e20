from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.meetings.models import AttendanceStatus, Kind, Task, VoteKind
from chibo.orgs.forms import DateInput


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    scheduled_at = forms.DateTimeField(
        label=_("Time"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
    )
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    topic = forms.CharField(label=_("Topic (thematic meetings)"), max_length=500, required=False)
    presenter = MemberChoice(label=_("Presenter"), queryset=None, required=False)
    preparer = MemberChoice(label=_("Prepared by"), queryset=None, required=False)
    moved_reason = forms.CharField(
        label=_("Reason, when not on the regular day"), max_length=500, required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = members
        self.fields["preparer"].queryset = members


class PlanYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


# The meeting page shows many forms at once: each has its own prefix so that no field id
# repeats on the page.


class CancelForm(forms.Form):
    prefix = "cancel"

    reason = forms.CharField(label=_("Reason"), max_length=500)


class AgendaItemForm(forms.Form):
    prefix = "agenda"

    title = forms.CharField(label=_("Title"), max_length=255)
    notes = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GuestForm(forms.Form):
    prefix = "guest"

    name = forms.CharField(label=_("Name"), max_length=120)
    title = forms.CharField(label=_("Position"), max_length=255, required=False)
    is_follower = forms.BooleanField(
        label=_("Follows the cell for the higher committee"), required=False
    )


class AbsenceForm(forms.Form):
    prefix = "absence"

    reason = forms.CharField(label=_("Why can you not attend?"), max_length=500)


class OpinionForm(forms.Form):
    prefix = "opinion"

    text = forms.CharField(label=_("Your opinion"), widget=forms.Textarea(attrs={"rows": 3}))


class SpeakerForm(forms.Form):
    prefix = "speaker"

    member = MemberChoice(label=_("Speaker"), queryset=None)
    agenda_item = forms.ModelChoiceField(label=_("On the item"), queryset=None, required=False)
    text = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        from chibo.members.models import Member

        self.fields["member"].queryset = Member.objects.filter(
            attendance__meeting=meeting
        ).order_by("name_folded")
        self.fields["agenda_item"].queryset = meeting.agenda.all()


class StartForm(forms.Form):
    prefix = "start"

    chair = MemberChoice(label=_("Chair"), queryset=None)
    minute_taker = MemberChoice(label=_("Minute-taker"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = members
        self.fields["minute_taker"].queryset = members


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown in the room"),
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "class": "code",
            }
        ),
    )


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[c for c in AttendanceStatus.choices if c[0] != AttendanceStatus.EXPECTED],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class VoteForm(forms.Form):
    prefix = "vote"

    subject = forms.CharField(label=_("What is voted on"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind of vote"), choices=VoteKind.choices)
    agree = forms.IntegerField(label=_("Agree"), min_value=0)
    disagree = forms.IntegerField(label=_("Disagree"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0)


class TaskForm(forms.Form):
    prefix = "task"

    title = forms.CharField(label=_("Task"), max_length=500)
    deliverable = forms.CharField(
        label=_("What is to be delivered"), max_length=500, required=False
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    assignees = forms.ModelMultipleChoiceField(
        label=_("Assigned to"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = members
        self.fields["assignees"].label_from_instance = lambda m: m.full_name


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (s.value, s.label) for s in (Task.Status.DONE, Task.Status.LATE, Task.Status.NOT_DONE)
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AssessorForm(forms.Form):
    assessor = MemberChoice(label=_("Assessor"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = members


class MinutesForm(forms.Form):
    opening = forms.CharField(
        label=_("Opening"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary = forms.CharField(
        label=_("Summary of the discussion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    conclusion = forms.CharField(
        label=_("Conclusion of the chair"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class SignForm(forms.Form):
    role = forms.ChoiceField(
        choices=[("chair", _("Chair")), ("minute_taker", _("Minute-taker"))],
        widget=forms.HiddenInput,
    )
    password = forms.CharField(
        label=_("Your password, to sign"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class AddendumForm(forms.Form):
    text = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 3}))


class MaterialForm(forms.Form):
    prefix = "material"

    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    file = forms.FileField(label=_("File (PDF, Word, JPEG or PNG)"))


class EditMeetingForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Time"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
    )
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    topic = forms.CharField(label=_("Topic (thematic meetings)"), max_length=500, required=False)
    moved_reason = forms.CharField(
        label=_("Reason, when not on the regular day"), max_length=500, required=False
    )


class NamedVoteForm(forms.Form):
    prefix = "named"

    subject = forms.CharField(label=_("What is voted on"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind of vote"), choices=VoteKind.choices)
