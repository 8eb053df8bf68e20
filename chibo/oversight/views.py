"""The dashboard of an organisation's subtree: thin, over chibo.oversight.queries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can, visible_orgs
from chibo.meetings.queries import cell_meetings
from chibo.orgs.models import Organisation
from chibo.orgs.queries import get_visible
from chibo.oversight import actions, charts, queries, warnings
from chibo.oversight.models import EarlyWarning, WarningState
from chibo.oversight.rollups import month_end, month_of
from chibo.regulations.rules import format_percent
from chibo.web.helpers import get_or_404, paginate

# The figures of the children's table, in the order of its columns.
COLUMNS = (
    ("regular", gettext_lazy("Regular meeting held")),
    ("on_day", gettext_lazy("On the set day")),
    ("thematic", gettext_lazy("Thematic meeting in the quarter")),
    ("attendance", gettext_lazy("Attendance rate")),
    ("good", gettext_lazy("Rated good")),
    ("minutes", gettext_lazy("Minutes signed on time")),
    ("tasks", gettext_lazy("Tasks done on time")),
)


def _org(request, code) -> Organisation:
    try:
        return get_visible(request.user, code, Perm.VIEW_OVERSIGHT)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def _cells(figures: queries.Figures) -> dict:
    """Each share of the figures as the page shows it: part, whole and percentage."""
    return {
        key: {
            "part": part,
            "whole": whole,
            "percent": format_percent(part, whole) if whole else "—",
        }
        for key, (part, whole) in figures.shares().items()
    }


def _child(child: queries.Child) -> dict:
    """A child's row of the table: its shares in the order of the columns."""
    shares = _cells(child.figures)
    return {
        "org": child.org,
        "figures": child.figures,
        "columns": [shares[key] for key, _label in COLUMNS],
        "admissions": shares["admissions"],
    }


@login_required
def dashboard(request, code):
    org = _org(request, code)
    today = timezone.localdate()
    status = 200
    try:
        period = queries.parse_period(request.GET.get("period"), today)
        error = ""
    except ValidationError as exc:
        period = queries.parse_period("", today)
        error, status = exc.message_dict["period"][0], 400
    sort = request.GET.get("sort", "")
    descending = request.GET.get("order") == "desc"
    dashboard = queries.dashboard_figures(org, period, today)
    figures = dashboard.total
    children = [_child(c) for c in queries.rank_children(org, dashboard, sort, descending)]
    points = queries.trend(org, period.months[-1], today)
    chart = charts.percent_chart(
        [date_format(p.month, "m/y") for p in points],
        [
            (key, label, [p.figures.ratio(key) for p in points])
            for key, label in (
                ("regular", _("Regular meeting held")),
                ("attendance", _("Attendance rate")),
                ("minutes", _("Minutes signed on time")),
                ("tasks", _("Tasks done on time")),
            )
        ],
    )
    meetings = []
    if org.is_cell:
        months = period.months
        meetings = (
            cell_meetings(org)
            .filter(scheduled_at__date__range=(months[0], month_end(months[-1])))
            .select_related("score")
            .order_by("scheduled_at")
        )
    context = {
        "org": org,
        # Up the tree only as far as the user oversees.
        "ancestors": [
            a
            for a in Organisation.objects.get_ancestors(org)
            if can(request.user, Perm.VIEW_OVERSIGHT, a)
        ],
        "period": period,
        "periods": queries.recent_periods(today),
        "in_progress": month_of(today) in period.months,
        "error": error,
        "figures": figures,
        "shares": _cells(figures),
        "levels": figures.levels,
        "members": [(s.label, figures.members.get(s, 0)) for s in queries.STATUS_ORDER],
        "warnings": [
            (rule, warnings.RULE_LABELS.get(rule, rule), n)
            for rule, n in sorted(figures.warnings.items(), key=lambda kv: -kv[1])
        ],
        "children": children,
        "columns": COLUMNS,
        "sort": sort,
        "descending": descending,
        "chart": chart,
        "points": points,
        "meetings": meetings,
    }
    return render(request, "oversight/dashboard.html", context, status=status)


STATE_FILTERS = ("open", "acknowledged", "resolved", "all")


@login_required
def warning_list(request, code):
    """The warnings of a subtree: open and acknowledged by default, each with its rule, its
    source, the evidence in words, and the form to acknowledge it."""
    org = _org(request, code)
    state = request.GET.get("state", "")
    rule = request.GET.get("rule", "")
    rule = rule if rule in warnings.RULE_LABELS else ""
    page = paginate(
        request,
        warnings.warnings_of(org, state, rule)
        .select_related("acknowledged_by")
        .order_by("-raised_on", "id"),
    )
    items = [
        {
            "warning": w,
            "title": warnings.RULE_LABELS.get(w.rule, w.rule),
            "text": warnings.describe(w),
            "may_act": w.state != WarningState.RESOLVED
            and can(request.user, Perm.ACT_ON_WARNINGS, w.organisation),
            "may_see_member": w.member_id is not None
            and can(request.user, Perm.VIEW_MEMBER, w.member),
        }
        for w in page
    ]
    context = {
        "org": org,
        "page": page,
        "items": items,
        "state": state if state in STATE_FILTERS else "",
        "rule": rule,
        "rules": list(warnings.RULE_LABELS.items()),
        "states": [
            ("", _("Open and acknowledged")),
            (WarningState.OPEN, WarningState.OPEN.label),
            (WarningState.ACKNOWLEDGED, WarningState.ACKNOWLEDGED.label),
            (WarningState.RESOLVED, WarningState.RESOLVED.label),
            ("all", _("All")),
        ],
    }
    return render(request, "oversight/warnings.html", context)


@login_required
@require_POST
def acknowledge(request, warning_id):
    warning = get_or_404(
        EarlyWarning.objects.filter(
            organisation__in=visible_orgs(request.user, Perm.VIEW_OVERSIGHT)
        ),
        pk=warning_id,
    )
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        actions.acknowledge_warning(request.user, warning, request.POST.get("note", ""), version)
        messages.success(request, _("The warning is acknowledged."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = request.POST.get("next", "")
    if not back.startswith("/orgs/"):
        back = f"/orgs/{warning.organisation.code}/warnings/"
    return redirect(back)
