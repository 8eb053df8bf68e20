"""API of oversight: the dashboard of an organisation's subtree as the page shows it, and
its early warnings, which a person acknowledges with a note.

Reading needs VIEW_OVERSIGHT on the organisation; something out of reach answers 404. A
period is written 2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year); a share is
{part, whole, percent}, percent null when there is nothing to count.
"""

import datetime
from functools import partial
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, visible_orgs
from chibo.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    OrgRef,
    Pager,
    call_action,
    org_or_404,
)
from chibo.oversight import actions, queries, warnings
from chibo.oversight.models import EarlyWarning, WarningState
from chibo.web.helpers import get_or_404

router = Router(tags=["oversight"])


class Share(Schema):
    part: int
    whole: int
    percent: float | None


class FiguresOut(Schema):
    cell_months: int
    cell_quarters: int
    regular: Share
    on_day: Share
    thematic: Share
    attendance: Share
    good: Share
    scored: Share
    minutes: Share
    tasks: Share
    admissions: Share
    levels: dict[str, int]
    members: dict[str, int]
    warnings: dict[str, int]


class ChildOut(Schema):
    code: str
    name: str
    closed: bool
    figures: FiguresOut


class TrendPointOut(Schema):
    month: str
    figures: FiguresOut


class DashboardOut(Schema):
    organisation: OrgRef
    period: str
    figures: FiguresOut
    children: list[ChildOut]
    trend: list[TrendPointOut]


class DashboardQuery(Schema):
    period: str = ""
    sort: Literal["", *queries.SORTS, *queries.COUNT_SORTS] = ""
    order: Literal["asc", "desc"] = "asc"


def _figures(f: queries.Figures) -> dict:
    shares = {
        key: {
            "part": part,
            "whole": whole,
            "percent": round(part * 100 / whole, 1) if whole else None,
        }
        for key, (part, whole) in f.shares().items()
    }
    return {
        "cell_months": f.cell_months,
        "cell_quarters": f.cell_quarters,
        **shares,
        "levels": dict(f.levels),
        "members": f.members,
        "warnings": f.warnings,
    }


@router.get(
    "/oversight/orgs/{code}/dashboard",
    response={200: DashboardOut, **READ_ERRORS},
    summary="The dashboard of an organisation's subtree for a period",
)
def dashboard(request, code: str, filters: Query[DashboardQuery]):
    org = org_or_404(request.auth, code, Perm.VIEW_OVERSIGHT)
    today = timezone.localdate()
    period = queries.parse_period(filters.period, today)
    dashboard = queries.dashboard_figures(org, period, today)
    children = queries.rank_children(
        org, dashboard, filters.sort, descending=filters.order == "desc"
    )
    return {
        "organisation": org,
        "period": period.key,
        "figures": _figures(dashboard.total),
        "children": [
            {
                "code": c.org.code,
                "name": c.org.name,
                "closed": c.org.closed_on is not None,
                "figures": _figures(c.figures),
            }
            for c in children
        ],
        "trend": [
            {"month": p.month.strftime("%Y-%m"), "figures": _figures(p.figures)}
            for p in queries.trend(org, period.months[-1], today)
        ],
    }


# Warnings.


class MemberRef(Schema):
    id: int
    full_name: str


class WarningOut(Schema):
    id: int
    rule: str
    title: str
    organisation: OrgRef
    member: MemberRef | None
    subject: str
    source: str
    evidence: dict
    message: str
    state: WarningState
    note: str
    raised_on: datetime.date
    resolved_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_title(obj) -> str:
        return str(warnings.RULE_LABELS.get(obj.rule, obj.rule))

    @staticmethod
    def resolve_message(obj) -> str:
        return warnings.describe(obj)


class WarningFilters(Schema):
    state: Literal["", "open", "acknowledged", "resolved", "all"] = Field(
        "", description="Open and acknowledged by default."
    )
    rule: str = ""


class AcknowledgeIn(Body):
    note: str = Field(max_length=500, description="What is being done about it.")
    version: int | None = Field(None, ge=0, le=2**31 - 1)


_act = partial(call_action, {})


@router.get(
    "/oversight/orgs/{code}/warnings",
    response={200: list[WarningOut], **READ_ERRORS},
    summary="The early warnings of an organisation's subtree",
)
@paginate(Pager)
def list_warnings(request, code: str, filters: Query[WarningFilters]):
    """Newest first. The member a warning names is shown to those who oversee the cell."""
    org = org_or_404(request.auth, code, Perm.VIEW_OVERSIGHT)
    return warnings.warnings_of(org, filters.state, filters.rule).order_by("-raised_on", "id")


@router.post(
    "/oversight/warnings/{warning_id}/acknowledge",
    response={200: WarningOut, **WRITE_ERRORS},
    summary="Acknowledge a warning with a note",
)
def acknowledge(request, warning_id: int, payload: AcknowledgeIn):
    """The cell's leaders, the standing committee and the inspection staff above it."""
    warning = get_or_404(
        EarlyWarning.objects.filter(
            organisation__in=visible_orgs(request.auth, Perm.VIEW_OVERSIGHT)
        ),
        pk=warning_id,
    )
    return _act(actions.acknowledge_warning, request.auth, warning, payload.note, payload.version)
