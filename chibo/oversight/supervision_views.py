"""Pages of supervision and of members under attention: thin, over chibo.oversight.supervision
and chibo.oversight.attention.

Supervision: a committee's followers (assign, end), "my cells" for a follower, the visit
form, the visits to a cell or subtree, and the coverage of a quarter. Attention: a cell's
list, a case's page, and the forms to open, change and close a case; every page that shows
a case reads it through chibo.oversight.attention, which logs the view.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chibo.accounts.policy import Perm, can
from chibo.meetings.forms import MemberChoice
from chibo.members.models import Member
from chibo.orgs.forms import DateInput
from chibo.orgs.models import Organisation
from chibo.orgs.queries import get_visible
from chibo.oversight import attention, supervision
from chibo.oversight.models import (
    QUALITY_LABELS,
    QUALITY_LEVELS,
    AttentionCase,
    AttentionKind,
    ViewChannel,
)
from chibo.oversight.queries import recent_periods
from chibo.web.helpers import add_action_errors, get_or_404, paginate

LEVEL_LABELS = {key: QUALITY_LABELS[key] for key in QUALITY_LEVELS}
UNFOLLOWED_SHOWN = 50


def _org(request, code, perm: Perm) -> Organisation:
    try:
        return get_visible(request.user, code, perm)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def _committee(request, code) -> Organisation:
    committee = _org(request, code, Perm.VIEW_OVERSIGHT)
    if committee.is_cell:
        raise Http404
    return committee


# Followers of a committee.


class FollowerPicker(forms.TextInput):
    """A name input that suggests the committee's official members as the user types."""

    def __init__(self, options_url: str):
        super().__init__(
            attrs={
                "list": "follower-options",
                "autocomplete": "off",
                "hx-get": options_url,
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#follower-options",
            }
        )


class AssignForm(forms.Form):
    cell = forms.CharField(
        label=gettext_lazy("Cell (code)"),
        max_length=40,
        widget=forms.TextInput(attrs={"list": "cell-options", "autocomplete": "off"}),
    )
    follower = forms.CharField(
        label=gettext_lazy("Follower"),
        max_length=300,
        help_text=gettext_lazy("Type a name and choose from the suggestions."),
    )
    started_on = forms.DateField(
        label=gettext_lazy("From (empty: today)"), required=False, widget=DateInput()
    )

    def __init__(self, *args, committee: Organisation, options_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.fields["follower"].widget = FollowerPicker(options_url)

    def clean_cell(self):
        code = self.cleaned_data["cell"].strip()
        cell = Organisation.objects.filter(code=code, path__startswith=self.committee.path).first()
        if cell is None:
            raise forms.ValidationError(_("There is no cell with this code under this committee."))
        return cell

    def clean_follower(self):
        member_id = supervision.picked_member_id(self.cleaned_data["follower"])
        member = (
            Member.objects.filter(pk=member_id, cell__path__startswith=self.committee.path).first()
            if member_id
            else None
        )
        if member is None:
            raise forms.ValidationError(
                _("Choose the follower from the suggestions: a member under this committee.")
            )
        return member


@login_required
def followers(request, code):
    """The cells a committee's members follow, the cells no one follows, and (for those who
    assign) the form to assign a follower."""
    committee = _committee(request, code)
    may_assign = can(request.user, Perm.ASSIGN_FOLLOWERS, committee)
    options_url = reverse("oversight:follower_options", args=[committee.code])
    form = AssignForm(
        request.POST or None,
        initial={"cell": request.GET.get("cell", "")},
        committee=committee,
        options_url=options_url,
    )
    if request.method == "POST":
        if not may_assign:
            raise PermissionDenied
        if form.is_valid():
            try:
                supervision.assign_follower(
                    request.user,
                    committee,
                    form.cleaned_data["cell"],
                    form.cleaned_data["follower"],
                    form.cleaned_data["started_on"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The follower is assigned."))
                return redirect("oversight:followers", code=committee.code)
    unfollowed = supervision.cells_without_follower(committee)
    context = {
        "committee": committee,
        "page": paginate(request, supervision.committee_assignments(committee)),
        "unfollowed": unfollowed[:UNFOLLOWED_SHOWN],
        "unfollowed_count": unfollowed.count(),
        "may_assign": may_assign and committee.closed_on is None,
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "oversight/supervision/followers.html", context)


@login_required
@require_GET
def follower_options(request, code):
    """<option> rows for the follower input: official members under the committee."""
    committee = _committee(request, code)
    if not can(request.user, Perm.ASSIGN_FOLLOWERS, committee):
        raise PermissionDenied
    text = request.GET.get("follower") or request.GET.get("q", "")
    return render(
        request,
        "oversight/supervision/_follower_options.html",
        {"results": supervision.follower_options(committee, text)},
    )


class EndForm(forms.Form):
    ended_on = forms.DateField(
        label=gettext_lazy("Last day (empty: today)"), required=False, widget=DateInput()
    )


@login_required
@require_POST
def end_following(request, assignment_id):
    assignment = get_or_404(supervision.visible_assignments(request.user), pk=assignment_id)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            supervision.end_following(request.user, assignment, form.cleaned_data["ended_on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The assignment has ended."))
    return redirect("oversight:followers", code=assignment.committee.code)


# A follower's cells and visits.


@login_required
def my_cells(request):
    """The cells the user follows, each with its next meetings and the last visit."""
    rows = supervision.following(request.user.member_id)
    for row in rows:
        row.may_see_meetings = can(request.user, Perm.VIEW_MEETINGS, row.assignment.cell)
    return render(
        request,
        "oversight/supervision/my_cells.html",
        {"rows": rows, "has_member": request.user.member_id is not None},
    )


def _meeting_label(meeting) -> str:
    day = date_format(supervision.meeting_day(meeting), "SHORT_DATE_FORMAT")
    label = f"{meeting.get_kind_display()} · {day}"
    score = supervision.score_of(meeting)
    if score is not None and score.total is not None:
        label += f" · {score.level_label} ({score.total.normalize():f})"
    return label


class VisitForm(forms.Form):
    meeting = forms.ChoiceField(label=gettext_lazy("Meeting attended"), required=False)
    visited_on = forms.DateField(
        label=gettext_lazy("Day of the visit"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("For a visit to a meeting, the meeting's day is taken."),
    )
    observations = forms.CharField(
        label=gettext_lazy("What you observed"),
        max_length=supervision.OBSERVATIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    score_review = forms.ChoiceField(
        label=gettext_lazy("The cell's score of the meeting"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("", gettext_lazy("No review")),
            ("agree", gettext_lazy("I agree with the level the cell gave")),
            ("disagree", gettext_lazy("I do not agree")),
        ],
    )
    proposed_level = forms.ChoiceField(
        label=gettext_lazy("The level I propose"),
        required=False,
        choices=[("", "—"), *LEVEL_LABELS.items()],
    )
    score_note = forms.CharField(
        label=gettext_lazy("Why"), max_length=supervision.NOTE_MAX, required=False
    )

    def __init__(self, *args, meetings, reviewable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {str(m.pk): m for m in meetings}
        self.fields["meeting"].choices = [
            ("", _("No meeting: a working visit")),
            *((str(m.pk), _meeting_label(m)) for m in meetings),
        ]
        if not reviewable:
            for name in ("score_review", "proposed_level", "score_note"):
                del self.fields[name]

    def action_fields(self) -> dict:
        data = self.cleaned_data
        review = data.get("score_review", "")
        return {
            "meeting": self.meetings.get(data["meeting"]),
            "visited_on": data["visited_on"],
            "observations": data["observations"],
            "score_agrees": {"agree": True, "disagree": False}.get(review),
            "proposed_level": data.get("proposed_level", ""),
            "score_note": data.get("score_note", ""),
        }


@login_required
def record_visit(request, assignment_id):
    """The follower records a visit to the cell, usually to a meeting just held."""
    assignment = get_or_404(supervision.visible_assignments(request.user), pk=assignment_id)
    if not supervision.may_record_visit(request.user, assignment):
        raise PermissionDenied
    meetings = supervision.visitable_meetings(assignment, timezone.localdate())
    reviewable = [m for m in meetings if supervision.may_review_score(m)]
    form = VisitForm(request.POST or None, meetings=meetings, reviewable=bool(reviewable))
    if request.method == "POST" and form.is_valid():
        try:
            supervision.record_visit(request.user, assignment, **form.action_fields())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The visit is recorded."))
            if request.user.member_id == assignment.follower_id:
                return redirect("oversight:my_cells")
            return redirect("oversight:cell_visits", code=assignment.cell.code)
    context = {"assignment": assignment, "form": form, "reviewable": reviewable}
    return render(request, "oversight/supervision/visit_form.html", context)


@login_required
def cell_visits(request, code):
    """The visits to the cells of an organisation's subtree, latest first."""
    org = _org(request, code, Perm.VIEW_OVERSIGHT)
    page = paginate(request, supervision.visits_in(org))
    for visit in page:
        visit.may_see_meeting = visit.meeting_id is not None and can(
            request.user, Perm.VIEW_MEETINGS, visit.cell
        )
    context = {"org": org, "page": page, "levels": LEVEL_LABELS}
    return render(request, "oversight/supervision/cell_visits.html", context)


@login_required
def coverage(request, code):
    """Which cells of the subtree had a visit in a quarter; the others listed."""
    org = _org(request, code, Perm.VIEW_OVERSIGHT)
    today = timezone.localdate()
    status, error = 200, ""
    try:
        quarter = supervision.parse_quarter(request.GET.get("quarter"), today)
    except ValidationError as exc:
        quarter = supervision.parse_quarter("", today)
        error, status = " ".join(exc.messages), 400
    result = supervision.coverage(org, quarter)
    context = {
        "org": org,
        "quarter": quarter,
        "quarters": [p for p in recent_periods(today) if p.kind == "quarter"],
        "error": error,
        "total": len(result.cells),
        "visited": len(result.visited),
        "without_follower": result.without_follower,
        "page": paginate(request, result.uncovered),
        "may_assign": not org.is_cell and can(request.user, Perm.ASSIGN_FOLLOWERS, org),
    }
    return render(request, "oversight/supervision/coverage.html", context, status=status)


# Members under attention.


def _cell_for_attention(request, code) -> Organisation:
    cell = _org(request, code, Perm.VIEW_ATTENTION)
    if not cell.is_cell:
        raise Http404
    return cell


@login_required
@require_GET
def attention_list(request, code):
    """The cell's members under attention: open cases, or closed ones."""
    cell = _cell_for_attention(request, code)
    closed = request.GET.get("closed") == "1"
    cases = attention.list_cases(request.user, cell, closed=closed, channel=ViewChannel.PAGE)
    context = {
        "cell": cell,
        "cases": cases,
        "closed": closed,
        "today": timezone.localdate(),
        "may_manage": can(request.user, Perm.MANAGE_ATTENTION, cell),
        "views": attention.cell_views(cell),
    }
    return render(request, "oversight/attention/list.html", context)


class CaseForm(forms.Form):
    member = MemberChoice(label=gettext_lazy("Member"), queryset=None)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=AttentionKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=attention.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    plan = forms.CharField(
        label=gettext_lazy("What the cell will do"),
        max_length=attention.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follower = MemberChoice(
        label=gettext_lazy("Followed by"),
        queryset=None,
        help_text=gettext_lazy("The member of the cell who follows and helps."),
    )
    review_on = forms.DateField(label=gettext_lazy("Review on"), widget=DateInput())

    def __init__(self, *args, cell: Organisation, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        members = attention.cell_members(cell)
        self.fields["member"].queryset = members
        self.fields["follower"].queryset = members
        if editing:
            del self.fields["member"]


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        max_length=attention.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    closed_on = forms.DateField(
        label=gettext_lazy("Closed on (empty: today)"), required=False, widget=DateInput()
    )


@login_required
def open_attention(request, code):
    cell = _cell_for_attention(request, code)
    if not can(request.user, Perm.MANAGE_ATTENTION, cell):
        raise PermissionDenied
    form = CaseForm(request.POST or None, cell=cell)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        member = fields.pop("member")
        try:
            case = attention.open_case(request.user, member, **fields)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The case is opened."))
            return redirect("oversight:attention_case", case_id=case.pk)
    context = {"cell": cell, "form": form, "title": _("Place a member under attention")}
    return render(request, "oversight/attention/form.html", context)


def _case_page(request, case, close_form=None, status=200):
    """The case's page; the case was read through attention.read_case, which logged it."""
    context = {
        "case": case,
        "cell": case.cell,
        "today": timezone.localdate(),
        "may_manage": case.is_open and can(request.user, Perm.MANAGE_ATTENTION, case.cell),
        "close_form": close_form or CloseForm(),
        "views": attention.case_views(case),
    }
    return render(request, "oversight/attention/case.html", context, status=status)


def _read_case(request, case_id) -> AttentionCase:
    try:
        return attention.read_case(request.user, case_id, ViewChannel.PAGE)
    except AttentionCase.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def attention_case(request, case_id):
    return _case_page(request, _read_case(request, case_id))


def _managed_case(request, case_id) -> AttentionCase:
    """The case, once the user may change it: checked before anything of it is shown, so a
    refusal logs no view."""
    case = get_or_404(attention.visible_cases(request.user).select_related("cell"), pk=case_id)
    if not can(request.user, Perm.MANAGE_ATTENTION, case.cell):
        raise PermissionDenied
    return _read_case(request, case_id)


@login_required
def edit_attention(request, case_id):
    case = _managed_case(request, case_id)
    if not case.is_open:
        messages.error(request, _("This case is closed: open a new one if the cell follows again."))
        return redirect("oversight:attention_case", case_id=case.pk)
    initial = {name: getattr(case, name) for name in attention.EDITABLE}
    form = CaseForm(request.POST or None, initial=initial, cell=case.cell, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            attention.update_case(
                request.user, case, version=request.POST.get("version"), **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The case is saved."))
            return redirect("oversight:attention_case", case_id=case.pk)
    context = {
        "cell": case.cell,
        "case": case,
        "form": form,
        "version": case.version,
        "title": _("Change the case"),
    }
    return render(request, "oversight/attention/form.html", context)


@login_required
@require_POST
def close_attention(request, case_id):
    case = _managed_case(request, case_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            attention.close_case(
                request.user, case, version=request.POST.get("version"), **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The case is closed."))
            return redirect("oversight:attention_case", case_id=case.pk)
    case.refresh_from_db()
    return _case_page(request, case, close_form=form)
