"""Forms of the review pages. Django checks the types; the actions check the rules and name
their errors after the fields here: `points.<criterion>`, `sections.<part>`,
`tasks_done_percent`…, so that chibo.web.helpers.add_action_errors puts each message next
to its field.

The builders (points_fields, section_fields, task_fields, level_choices) and AssessmentForm
serve every page where an assessment is written: a member's self-review, the cell's
proposal, an organisation's report.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.orgs.forms import DateInput
from chibo.regulations.reviews import Form, ReviewRules
from chibo.reviews.rules import Tasks

TASK_FIELDS = (
    ("tasks_done_percent", "done", gettext_lazy("Tasks done (%)")),
    ("tasks_on_time_percent", "on_time", gettext_lazy("Tasks done on time (%)")),
    ("tasks_exceeded_percent", "exceeded", gettext_lazy("Tasks done beyond what was asked (%)")),
)


def points_text(value) -> str:
    """Points as people write them here: 8,5 and 10 (not 8.50, 10.00)."""
    text = f"{value.normalize():f}" if value else "0"
    return text.replace(".", ",")


def points_fields(rules: ReviewRules, subject: str) -> dict[str, forms.Field]:
    """A field per criterion of the pack, named `points.<criterion>`; none when the pack
    gives no points. Text, so that "8,5" is taken as well as "8.5"; the action checks it."""
    if not rules.scored:
        return {}
    return {
        f"points.{c.key}": forms.CharField(
            label=c.label,
            required=False,
            max_length=10,
            help_text=_("From 0 to %(max)s points, whole or half.")
            % {"max": points_text(c.max_points)},
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "points"}),
        )
        for c in rules.criteria_of(subject)
    }


def section_fields(form: Form) -> dict[str, forms.Field]:
    """A text box per part of the form, named `sections.<part>`."""
    return {
        f"sections.{s.key}": forms.CharField(
            label=s.label, required=False, widget=forms.Textarea(attrs={"rows": 4})
        )
        for s in form.sections
    }


def task_fields(*, required: bool = False) -> dict[str, forms.Field]:
    """The year's tasks in percent: done, done on time, done beyond what was asked."""
    return {
        name: forms.IntegerField(
            label=label,
            required=required,
            widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
        )
        for name, _key, label in TASK_FIELDS
    }


def level_label(rules: ReviewRules, key: str) -> str:
    """A level as the pack names it, with its short code: "Hoàn thành tốt nhiệm vụ (HTTNV)"."""
    level = rules.level(key)
    return f"{level.label} ({level.short})"


def level_choices(rules: ReviewRules, *, blank: bool = True) -> list[tuple[str, str]]:
    choices = [(level.key, level_label(rules, level.key)) for level in rules.levels]
    return [("", "—"), *choices] if blank else choices


def points_initial(points: dict | None) -> dict[str, str]:
    """Stored points (text by criterion) as the fields' initial values."""
    return {f"points.{key}": value for key, value in (points or {}).items()}


def tasks_initial(tasks: Tasks) -> dict[str, int | None]:
    return {name: getattr(tasks, key) for name, key, _label in TASK_FIELDS}


class AssessmentForm(forms.Form):
    """What every assessment form shares: the points of the pack's criteria and the year's
    tasks, read back as the actions take them."""

    subject = "member"

    def __init__(self, *args, rules: ReviewRules, tasks_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.fields.update(points_fields(rules, self.subject))
        self.fields.update(task_fields(required=tasks_required))

    def points(self) -> dict[str, str] | None:
        """The points given, by criterion; None when the pack gives none."""
        if not self.rules.scored:
            return None
        prefix = "points."
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value not in (None, "")
        }

    def sections(self) -> dict[str, str]:
        prefix = "sections."
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix)
        }

    def tasks(self) -> Tasks:
        return Tasks(**{key: self.cleaned_data.get(name) for name, key, _label in TASK_FIELDS})

    # The fields in groups, for the templates.

    def points_groups(self) -> list[tuple[str, list]]:
        """(group title with its points, bound fields) for each group of criteria."""
        groups = []
        for group in self.rules.groups:
            fields = [
                self[f"points.{c.key}"]
                for c in self.rules.criteria_of(self.subject)
                if c.group == group.key
            ]
            title = _("%(group)s (%(max)s points)") % {
                "group": group.label,
                "max": points_text(group.max_points),
            }
            groups.append((title, fields))
        return groups

    def section_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("sections.")]

    def task_fields(self) -> list:
        return [self[name] for name, _key, _label in TASK_FIELDS]


# A round.


class RoundDatesForm(forms.Form):
    self_review_until = forms.DateField(label=gettext_lazy("Self-reviews by"), widget=DateInput())
    proposals_until = forms.DateField(label=gettext_lazy("Cell meetings by"), widget=DateInput())
    decisions_until = forms.DateField(label=gettext_lazy("Decisions by"), widget=DateInput())


class OpenRoundForm(RoundDatesForm):
    year = forms.IntegerField(label=gettext_lazy("Year reviewed"))

    field_order = ["year", "self_review_until", "proposals_until", "decisions_until"]

    @staticmethod
    def defaults(today: datetime.date | None = None) -> dict:
        """This year, with two weeks for the self-reviews, then about two weeks for each
        step after."""
        today = today or timezone.localdate()
        return {
            "year": today.year,
            "self_review_until": today + datetime.timedelta(days=14),
            "proposals_until": today + datetime.timedelta(days=30),
            "decisions_until": today + datetime.timedelta(days=45),
        }


# A member's self-review and the cell's proposal.


class SelfReviewForm(AssessmentForm):
    """Forms 2A, 2B, 2C: the parts of the chosen form, the points, the tasks and the level the
    member proposes. The parts shown are those of the form chosen (in the data, else the
    initial form)."""

    form = forms.ChoiceField(label=gettext_lazy("Form"), widget=forms.RadioSelect)
    self_level = forms.ChoiceField(label=gettext_lazy("The level I propose"), required=False)

    def __init__(self, *args, rules: ReviewRules, **kwargs):
        super().__init__(*args, rules=rules, **kwargs)
        member_forms = rules.forms_for("member")
        self.fields["form"].choices = [
            (f.key, f"{f.key} · {f.label} — {f.who_label}") for f in member_forms
        ]
        self.fields["self_level"].choices = level_choices(rules)
        chosen = self.data.get(self.add_prefix("form")) or self.initial.get("form")
        by_key = {f.key: f for f in member_forms}
        self.chosen_form = by_key.get(chosen) or member_forms[-1]
        self.fields.update(section_fields(self.chosen_form))


class ProposalForm(AssessmentForm):
    """The cell's proposal for a member, voted in the meeting."""

    level = forms.ChoiceField(label=gettext_lazy("Level proposed by the cell"))
    comment = forms.CharField(
        label=gettext_lazy("The cell's comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agree = forms.IntegerField(label=gettext_lazy("Agree"), min_value=0)
    disagree = forms.IntegerField(label=gettext_lazy("Disagree"), min_value=0)
    abstain = forms.IntegerField(label=gettext_lazy("Abstain"), min_value=0)

    def __init__(self, *args, rules: ReviewRules, register: dict | None = None, **kwargs):
        super().__init__(*args, rules=rules, tasks_required=True, **kwargs)
        self.fields["level"].choices = level_choices(rules)
        if register is not None:
            self.fields["agree"].help_text = _(
                "%(present)s official members present; %(eligible)s vote in this cell."
            ) % {"present": register["present_official"], "eligible": register["eligible"]}

    def count_fields(self) -> list:
        return [self["agree"], self["disagree"], self["abstain"]]
