"""Pages of organisations' reports (form 01), of a decider's sheet with its decisions and
confirmation, and of the results of a subtree over the years. Thin, over chibo.reviews'
actions, queries and records."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can
from chibo.meetings.models import Vote
from chibo.orgs.models import Organisation
from chibo.orgs.queries import get_visible
from chibo.oversight.models import QUALITY_LABELS
from chibo.oversight.warnings import RULE_LABELS
from chibo.regulations.reviews import LEVELS
from chibo.regulations.rules import format_number, format_percent
from chibo.reviews import actions, queries, records
from chibo.reviews.charts import stacked_bars
from chibo.reviews.forms import level_choices
from chibo.reviews.models import (
    LEVEL_SHORT,
    MemberReview,
    OrganisationReview,
    ReviewRound,
    Stage,
    Subject,
)
from chibo.reviews.rules import Tasks, highest_level, level_labels
from chibo.web.helpers import add_action_errors, get_or_404, paginate

# The report's shares, each a (part, whole) of the year (chibo.oversight.queries.Figures).
REPORT_SHARES = (
    ("regular", gettext_lazy("Regular meeting held")),
    ("on_day", gettext_lazy("On the set day")),
    ("thematic", gettext_lazy("Thematic meeting in the quarter")),
    ("attendance", gettext_lazy("Attendance rate")),
    ("minutes", gettext_lazy("Minutes signed on time")),
    ("tasks", gettext_lazy("Tasks done on time")),
)
# What a decider may decide: a member once the cell has proposed, an organisation once it
# has submitted its report; again, until the decisions are confirmed.
DECIDABLE = {
    Subject.MEMBER: (Stage.PROPOSED, Stage.DECIDED),
    Subject.ORGANISATION: (Stage.SUBMITTED, Stage.DECIDED),
}
GOOD_OR_BETTER = ("excellent", "good")
RESULT_KINDS = (
    ("members", gettext_lazy("Members")),
    ("cells", gettext_lazy("Cells")),
    ("committees", gettext_lazy("Committees below")),
)
EARLIER_YEARS = 4
TASK_FIELDS = ("tasks_done_percent", "tasks_on_time_percent", "tasks_exceeded_percent")


def _round(round_id) -> ReviewRound:
    return get_or_404(ReviewRound.objects.select_related("organisation"), pk=round_id)


def _subject(subject: str) -> str:
    if subject not in Subject.values:
        raise Http404
    return subject


def _share(part: int, whole: int) -> dict:
    return {"part": part, "whole": whole, "percent": format_percent(part, whole) if whole else "—"}


def _points(value) -> str:
    return format_number(Decimal(str(value))) if value not in (None, "") else ""


def _decider(request, review_round: ReviewRound, code: str, subject: str) -> Organisation:
    """The deciding organisation: 404 when the user does not see its reviews or it decides
    nothing of the kind in the round; 403 when the user sees it but may not decide."""
    try:
        decider = get_visible(request.user, code, Perm.VIEW_REVIEWS)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
    if not actions.decides(review_round, decider, subject):
        raise Http404
    if not can(request.user, Perm.DECIDE_REVIEWS, decider):
        raise PermissionDenied(_("You do not have permission to do this here."))
    return decider


def _sheet_url(review_round: ReviewRound, decider: Organisation, subject: str) -> str:
    return reverse("reviews:decider_sheet", args=[review_round.pk, decider.code, subject])


def _back(request, target: str, fallback: str) -> str:
    """Where a form sends the user back: the page it came from, when it is on this site."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _stage_label(subject: str, review) -> str:
    if review is None:
        return _("Not started")
    if subject == Subject.ORGANISATION and review.stage == Stage.DRAFT:
        return _("Report being written")
    if subject == Subject.ORGANISATION and review.stage == Stage.SUBMITTED:
        return _("Report submitted")
    return str(Stage(review.stage).label)


# Forms.


class ReportForm(forms.Form):
    """Form 01 as the organisation's leaders fill it: the parts in their own words, the points
    of each criterion, the year's tasks in percent and the level they propose."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    tasks_done_percent = forms.IntegerField(
        label=capfirst(OrganisationReview._meta.get_field("tasks_done_percent").verbose_name),
        required=False,
    )
    tasks_on_time_percent = forms.IntegerField(
        label=capfirst(OrganisationReview._meta.get_field("tasks_on_time_percent").verbose_name),
        required=False,
    )
    tasks_exceeded_percent = forms.IntegerField(
        label=capfirst(OrganisationReview._meta.get_field("tasks_exceeded_percent").verbose_name),
        required=False,
    )
    self_level = forms.ChoiceField(label=gettext_lazy("Level the organisation proposes"))

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = rules.forms_for("organisation")[0].sections
        self.criteria = rules.criteria_of("organisation") if rules.scored else ()
        for section in self.sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.label,
                required=False,
                max_length=actions.SECTION_MAX,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        for criterion in self.criteria:
            self.fields[f"points_{criterion.key}"] = forms.CharField(
                label=criterion.label,
                required=False,
                max_length=8,
                help_text=_("From 0 to %(max)s points, in whole or half points.")
                % {"max": format_number(criterion.max_points)},
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.fields["self_level"].choices = level_choices(rules)
        self.fields["self_level"].required = False

    def section_fields(self):
        return [self[f"section_{s.key}"] for s in self.sections]

    def point_fields(self):
        return [self[f"points_{c.key}"] for c in self.criteria]

    def task_fields(self):
        return [self[name] for name in TASK_FIELDS]

    def written(self) -> dict:
        data = self.cleaned_data
        return {
            "sections": {s.key: data[f"section_{s.key}"] for s in self.sections},
            "points": {c.key: data[f"points_{c.key}"] for c in self.criteria},
            "tasks": Tasks(
                done=data["tasks_done_percent"],
                on_time=data["tasks_on_time_percent"],
                exceeded=data["tasks_exceeded_percent"],
            ),
            "self_level": data["self_level"],
        }

    def add_action_errors(self, exc: ValidationError) -> None:
        """The action names a part "sections.<key>" and a criterion "points.<key>"."""
        if hasattr(exc, "error_dict"):
            renamed = {
                key.replace("sections.", "section_", 1).replace("points.", "points_", 1): errors
                for key, errors in exc.message_dict.items()
            }
            exc = ValidationError(renamed)
        add_action_errors(self, exc)


def _report_initial(review: OrganisationReview | None) -> dict:
    if review is None:
        return {}
    initial = {
        "version": review.version,
        "self_level": review.self_level,
        "tasks_done_percent": review.tasks_done_percent,
        "tasks_on_time_percent": review.tasks_on_time_percent,
        "tasks_exceeded_percent": review.tasks_exceeded_percent,
    }
    initial |= {f"section_{key}": text for key, text in review.sections.items()}
    initial |= {f"points_{key}": _points(value) for key, value in review.self_points.items()}
    return initial


class DecideForm(forms.Form):
    """The level decided, with a note; the version read and the page to go back to."""

    level = forms.ChoiceField(label=gettext_lazy("Level decided"))
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=actions.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(rules, blank=False)


# An organisation's report (form 01).


def _report_figures(report: dict) -> dict:
    """The drafted figures as the page lists them."""
    shares = report.get("shares", {})
    return {
        "shares": [(key, label, _share(*shares.get(key, (0, 0)))) for key, label in REPORT_SHARES],
        "thematic_held": report.get("counts", {}).get("thematic_held", 0),
        "meetings_held": report.get("counts", {}).get("meetings_held", 0),
        "levels": [
            (key, label, report.get("levels", {}).get(key, 0))
            for key, label in QUALITY_LABELS.items()
        ],
        "warnings": [
            (str(RULE_LABELS.get(rule, rule)), n) for rule, n in report.get("warnings", {}).items()
        ],
        "months": [{**row, "total": _points(row["total"])} for row in report.get("months", ())],
    }


def _report_page(request, review_round, org, review, report_form=None, status=200):
    rules = actions.rules_of(review_round)
    decider = actions.organisation_decider(org)
    frozen = review is not None and review.report is not None
    report = review.report if frozen else records.organisation_report(org, review_round.year)
    may_prepare = (
        review_round.is_open
        and can(request.user, Perm.PREPARE_REVIEWS, org)
        and (review is None or review.stage in actions.EDITABLE)
    )
    if may_prepare and report_form is None:
        report_form = ReportForm(rules=rules, initial=_report_initial(review))
    may_decide = (
        review is not None
        and review_round.is_open
        and review.stage in DECIDABLE[Subject.ORGANISATION]
        and decider is not None
        and can(request.user, Perm.DECIDE_REVIEWS, decider)
    )
    decide_form = None
    if may_decide:
        decide_form = DecideForm(
            rules=rules,
            auto_id="decide-%s",
            initial={
                "level": review.level or review.self_level,
                "note": review.decision_note,
                "version": review.version,
                "next": request.path,
            },
        )
    best, reasons = highest_level(
        rules,
        review.self_total if review else None,
        Tasks.of(review) if review else Tasks(),
        disciplined=bool(report.get("disciplined_itself")),
        disciplined_below=records.disciplined_below(report),
    )
    context = {
        "round": review_round,
        "org": org,
        "decider": decider,
        "review": review,
        "stage": _stage_label(Subject.ORGANISATION, review),
        "rules": rules,
        "form_key": rules.forms_for("organisation")[0].key,
        "form_title": rules.forms_for("organisation")[0].label,
        "report": report,
        "frozen": frozen,
        "figures": _report_figures(report),
        "written": _written(rules, review),
        "report_form": report_form,
        "decide_form": decide_form,
        "best": rules.level(best),
        "reasons": [(rules.level(key).label, problems) for key, problems in reasons.items()],
        "may_view_decider": decider is not None
        and can(request.user, Perm.DECIDE_REVIEWS, decider)
        and actions.decides(review_round, decider, Subject.ORGANISATION),
    }
    return render(request, "reviews/org_report.html", context, status=status)


def _written(rules, review: OrganisationReview | None) -> dict | None:
    """What the report says, for reading: its parts, points and tasks."""
    if review is None:
        return None
    sections = rules.forms_for("organisation")[0].sections
    criteria = rules.criteria_of("organisation") if rules.scored else ()
    return {
        "sections": [(s.label, review.sections.get(s.key, "")) for s in sections],
        "points": [
            (c.label, _points(review.self_points.get(c.key)), format_number(c.max_points))
            for c in criteria
        ],
        "total": _points(review.self_total),
        "self_level": rules.level(review.self_level).label if review.self_level else "",
    }


@login_required
def org_report(request, round_id, code):
    """The organisation's report (form 01): the figures drafted from its year, what its
    leaders wrote, and the decision of the committee above."""
    review_round = _round(round_id)
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise Http404
    decider = actions.organisation_decider(org)
    may_see = can(request.user, Perm.VIEW_REVIEWS, org) or (
        decider is not None and can(request.user, Perm.DECIDE_REVIEWS, decider)
    )
    if not may_see or org.pk == review_round.organisation_id:
        raise Http404
    if not actions.in_round(review_round, org):
        raise Http404
    review = (
        OrganisationReview.objects.filter(round=review_round, organisation=org)
        .select_related("submitted_by", "decided_by", "confirmation__confirmed_by")
        .first()
    )
    if request.method != "POST":
        return _report_page(request, review_round, org, review)
    if not can(request.user, Perm.PREPARE_REVIEWS, org):
        raise PermissionDenied(_("You do not have permission to do this here."))
    form = ReportForm(request.POST, rules=actions.rules_of(review_round))
    if form.is_valid():
        submit = "submit" in request.POST
        try:
            actions.save_report(
                request.user,
                review_round,
                org,
                **form.written(),
                submit=submit,
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request,
                _("The report was submitted to the committee above.")
                if submit
                else _("The draft was saved."),
            )
            return redirect("reviews:org_report", round_id=review_round.pk, code=org.code)
    return _report_page(request, review_round, org, review, report_form=form, status=400)


# A decider's sheet, its decisions and their confirmation.


def _attach_votes(rows) -> None:
    """The cell's votes of the rows shown, in one query."""
    reviews = [row.review for row in rows if row.review and row.review.proposal_vote_id]
    votes = Vote.objects.only("summary", "passed").in_bulk([r.proposal_vote_id for r in reviews])
    for review in reviews:
        review.proposal_vote = votes.get(review.proposal_vote_id)


def _sheet_item(subject: str, row, open_: bool) -> dict:
    review = row.review
    item = {
        "row": row,
        "review": review,
        "stage": _stage_label(subject, review),
        "proposal": "",
        "total": "",
        "vote": "",
        "level": "",
        "decidable": False,
    }
    if review is None:
        return item
    if subject == Subject.MEMBER:
        proposal, total = review.proposed_level, review.proposed_total
        item["vote"] = review.proposal_vote.summary if review.proposal_vote_id else ""
    else:
        proposal = review.self_level if review.stage != Stage.DRAFT else ""
        total = review.self_total if review.stage != Stage.DRAFT else None
    item["proposal"] = LEVEL_SHORT.get(proposal, "")
    item["total"] = _points(total)
    item["level"] = LEVEL_SHORT.get(review.level, "")
    item["decidable"] = open_ and review.stage in DECIDABLE[subject]
    item["default"] = review.level or proposal
    return item


@login_required
def decider_sheet(request, round_id, code, subject):
    """What a deciding organisation decides in a round, row by row, with the counts by level,
    the quota and the confirmation."""
    subject = _subject(subject)
    review_round = _round(round_id)
    decider = _decider(request, review_round, code, subject)
    rules = actions.rules_of(review_round)
    sheet = queries.decider_sheet(review_round, decider, subject)
    show = "undecided" if request.GET.get("show") == "undecided" else "all"
    rows = sheet.rows
    if show == "undecided":
        rows = [row for row in rows if row.review is None or not row.review.level]
    page = paginate(request, rows)
    if subject == Subject.MEMBER:
        _attach_votes(page)
    open_ = review_round.is_open and sheet.confirmation is None
    labels = level_labels()
    context = {
        "round": review_round,
        "decider": decider,
        "subject": subject,
        "subject_label": Subject(subject).label,
        "sheet": sheet,
        "page": page,
        "show": show,
        "items": [_sheet_item(subject, row, open_) for row in page],
        "levels": [
            (key, labels[key], LEVEL_SHORT[key], sheet.counts[key], sheet.proposed[key])
            for key in LEVELS
        ],
        "level_choices": level_choices(rules, blank=False),
        "open": open_,
        "quota_message": sheet.quota.message(),
        "proposed_quota_message": sheet.proposed_quota.message(),
        "confirmed_by": sheet.confirmation.confirmed_by if sheet.confirmation else None,
    }
    return render(request, "reviews/decider_sheet.html", context)


def _may_see_decision(user, decider: Organisation, review) -> bool:
    if can(user, Perm.VIEW_REVIEWS, decider):
        return True
    if isinstance(review, MemberReview):
        return queries.may_view(user, review)
    return can(user, Perm.VIEW_REVIEWS, review.organisation)


@login_required
@require_POST
def decide(request, round_id, code, subject, review_id):
    """Decide one level. The review is looked for among those the decider decides in the
    round; the level's reasons, when refused, are shown as messages on the page it came
    from."""
    subject = _subject(subject)
    review_round = _round(round_id)
    decider = Organisation.objects.filter(code=code).first()
    if decider is None:
        raise Http404
    related = ("member", "cell") if subject == Subject.MEMBER else ("organisation",)
    review = (
        actions.group_of(review_round, decider, subject)
        .select_related(*related)
        .filter(pk=review_id)
        .first()
    )
    if review is None or not _may_see_decision(request.user, decider, review):
        raise Http404
    real = actions.decider_of(review)
    if real is None or real.pk != decider.pk:
        raise Http404
    if not actions.may_decide(request.user, review):
        raise PermissionDenied(_("You do not have permission to do this here."))
    rules = actions.rules_of(review_round)
    form = DecideForm(request.POST, rules=rules)
    back = _back(
        request,
        request.POST.get("next", ""),
        f"{_sheet_url(review_round, decider, subject)}#review-{review.pk}",
    )
    if not form.is_valid():
        for field in form:
            for error in field.errors:
                messages.error(request, f"{field.label}: {error}")
        return redirect(back)
    data = form.cleaned_data
    try:
        review = actions.decide(
            request.user, review, level=data["level"], note=data["note"], version=data["version"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        name = review.member.full_name if subject == Subject.MEMBER else review.organisation.name
        messages.success(
            request,
            _("%(name)s: “%(level)s” decided.")
            % {"name": name, "level": rules.level(review.level).label},
        )
    return redirect(back)


@login_required
@require_POST
def confirm(request, round_id, code, subject):
    """Confirm every decision of the decider at once; a broken quota is shown with its
    numbers and nothing changes."""
    subject = _subject(subject)
    review_round = _round(round_id)
    decider = _decider(request, review_round, code, subject)
    try:
        actions.confirm(request.user, review_round, decider, subject)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The decisions are confirmed: they are the year's results."))
    return redirect(_sheet_url(review_round, decider, subject))


# The results of a subtree over the years.


def _results_year(request, years: list[int]) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return years[0] if years else today.year
    return min(max(year, actions.EARLIEST_YEAR), today.year)


def _result_rows(dist: queries.Distribution, kind: str) -> dict:
    counts = dist.of(kind)
    total = dist.total(counts)
    labels = level_labels()
    return {
        "kind": kind,
        "total": total,
        "levels": [
            (key, labels[key], LEVEL_SHORT[key], counts[key], _share(counts[key], total))
            for key in LEVELS
        ],
        "good_or_better": _share(*dist.share(kind, GOOD_OR_BETTER)),
        "excellent": _share(*dist.share(kind, ("excellent",))),
    }


@login_required
def results(request, code):
    """The confirmed levels of the subtree for a year and up to four earlier years with
    rounds: members, cells and committees below, with the shares the reports quote."""
    try:
        org = get_visible(request.user, code, Perm.VIEW_REVIEWS)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
    years = queries.years_with_rounds(org)
    year = _results_year(request, years)
    shown = [year, *[y for y in years if y < year][:EARLIER_YEARS]]
    dists = queries.distribution(org, shown)
    current = dists[0]
    ascending = list(reversed(dists))
    labels = level_labels()
    levels = [(key, labels[key]) for key in LEVELS]
    kinds = []
    for kind, label in RESULT_KINDS:
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "now": _result_rows(current, kind),
                "years": [_result_rows(d, kind) | {"year": d.year} for d in ascending],
                "chart": stacked_bars([(str(d.year), d.of(kind)) for d in ascending], levels)
                if kind != "committees"
                else None,
            }
        )
    context = {
        "org": org,
        "year": year,
        "years": years,
        "kinds": kinds,
        "pending": current.pending,
        "shorts": [LEVEL_SHORT[key] for key in LEVELS],
        "document_url": f"{reverse('reviews:results_document', args=[org.code])}?year={year}",
    }
    return render(request, "reviews/results.html", context)
