"""The dashboard's figures for an organisation's subtree and a period, read from the roll-up
(MonthFigures) and never from raw attendance: the rows of the organisation and of its
children over the period's months.

A share is a pair of counts (part, whole) so that a page shows "x/y (z%)" and a ranking
compares the ratio. Months after the current one count for nothing: a year in progress is
the year so far.
"""

import datetime
import re
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from chibo.members.models import CURRENT_STATUSES, Member, Status
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.models import (
    COUNTS,
    QUALITY_LEVELS,
    MonthFigures,
    OpenWarnings,
)
from chibo.oversight.rollups import month_end, month_of, quarter_months

TREND_MONTHS = 12
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    """A month, a quarter or a year: written 2026-11, 2026-Q4, 2026."""

    kind: str  # "month", "quarter" or "year"
    year: int
    number: int  # the month or the quarter; 0 for a year

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def months(self) -> list[datetime.date]:
        if self.kind == "month":
            return [datetime.date(self.year, self.number, 1)]
        if self.kind == "quarter":
            return quarter_months(datetime.date(self.year, self.number * 3, 1))
        return [datetime.date(self.year, m, 1) for m in range(1, 13)]

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("month %(month)s/%(year)s") % {"month": self.number, "year": self.year}
        if self.kind == "quarter":
            return _("quarter %(quarter)s/%(year)s") % {"quarter": self.number, "year": self.year}
        return _("year %(year)s") % {"year": self.year}

    def previous(self) -> "Period":
        return self._shift(-1)

    def next(self) -> "Period":
        return self._shift(1)

    def _shift(self, step: int) -> "Period":
        if self.kind == "year":
            return Period("year", self.year + step, 0)
        size = 12 if self.kind == "month" else 4
        index = self.year * size + self.number - 1 + step
        return Period(self.kind, index // size, index % size + 1)


def parse_period(text: str | None, today: datetime.date) -> Period:
    """Read a period; refuse one that is malformed or not yet begun. None or "" gives the
    current month."""
    text = (text or "").strip().upper()
    if not text:
        return Period("month", today.year, today.month)
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        period = Period("month", int(match[1]), int(match[2]))
        valid = 1 <= period.number <= 12
    elif match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        period, valid = Period("quarter", int(match[1]), int(match[2])), True
    elif match := re.fullmatch(r"\d{4}", text):
        period, valid = Period("year", int(text), 0), True
    else:
        valid = False
    if not valid:
        raise ValidationError(
            {"period": _("Write the period as a month (2026-11), a quarter (2026-Q4) or a year.")}
        )
    if period.year < EARLIEST_YEAR or period.months[0] > today:
        raise ValidationError(
            {"period": _("%(period)s has not begun or is too long ago.") % {"period": text}}
        )
    return period


def recent_periods(today: datetime.date) -> list[Period]:
    """The periods a person picks from: the last twelve months, four quarters, two years."""
    month = Period("month", today.year, today.month)
    quarter = Period("quarter", today.year, (today.month - 1) // 3 + 1)
    periods = []
    for first, count in ((month, 12), (quarter, 4), (Period("year", today.year, 0), 2)):
        for _i in range(count):
            periods.append(first)
            first = first.previous()
    return periods


@dataclass
class Figures:
    """The sums of one subtree (or one child) over a period."""

    cell_months: int = 0  # cells open, counted once per month
    cell_quarters: int = 0  # cells open, counted once per quarter (thematic meetings)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    members: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)

    def share(self, name: str) -> tuple[int, int]:
        """Return (part, whole) of a figure."""
        c = self.counts
        return {
            "regular": (c["regular_held"], self.cell_months),
            "on_day": (c["regular_on_day"], self.cell_months),
            "thematic": (c["thematic_first_in_quarter"], self.cell_quarters),
            "attendance": (c["attendance_present"], c["attendance_expected"]),
            "good": (c["level_good"], c["meetings_held"]),
            "scored": (self.scored, c["meetings_held"]),
            "minutes": (c["minutes_on_time"], c["meetings_held"]),
            "tasks": (c["tasks_on_time"], c["tasks_due"]),
            "admissions": (c["admissions"], self.current_members),
        }[name]

    def shares(self) -> dict[str, tuple[int, int]]:
        """Every share, (part, whole), by name: what the page and the API show."""
        return {name: self.share(name) for name in (*SORTS, "scored")}

    def ratio(self, name: str) -> Fraction | None:
        part, whole = self.share(name)
        return Fraction(part, whole) if whole else None

    @property
    def scored(self) -> int:
        return sum(self.counts[f"level_{key}"] for key in QUALITY_LEVELS)

    @property
    def levels(self) -> list[tuple[str, int]]:
        """Meetings held by quality level, best first, then those not scored."""
        return [(key, self.counts[f"level_{key}"]) for key in QUALITY_LEVELS] + [
            ("unscored", self.counts["meetings_held"] - self.scored)
        ]

    @property
    def current_members(self) -> int:
        return sum(self.members.get(s, 0) for s in CURRENT_STATUSES)

    @property
    def open_warnings(self) -> int:
        return sum(self.warnings.values())

    def add_counts(self, row: dict) -> None:
        for name in COUNTS:
            self.counts[name] += row.get(name) or 0


# What children can be ranked by: a share's ratio, or a plain count.
SORTS = ("regular", "on_day", "thematic", "attendance", "good", "minutes", "tasks", "admissions")
COUNT_SORTS = ("members", "warnings")


def _counted_months(period: Period, today: datetime.date) -> list[datetime.date]:
    return [m for m in period.months if m <= month_of(today)]


def _prefix_length(org: Organisation) -> int:
    return Organisation.steplen * (org.depth + 1)


def _open_filter(first: datetime.date, last: datetime.date) -> Q:
    """Cells open at some time between first and last."""
    return (Q(founded_on__isnull=True) | Q(founded_on__lte=last)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gte=first)
    )


@dataclass
class Dashboard:
    """The figures of an organisation's subtree over a period, and of each child's."""

    total: Figures
    children: dict[int, Figures]  # by the child's id


def dashboard_figures(org: Organisation, period: Period, today: datetime.date) -> Dashboard:
    """Return the subtree's figures and each child's, from the roll-up rows of org and its
    children (a few rows each), the tree's cells, the members and the open warnings: six
    grouped queries, whatever the size of the subtree."""
    months = _counted_months(period, today)
    children = list(
        Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).values_list(
            "id", "path"
        )
    )
    child_of_path = {path: pk for pk, path in children}
    length = _prefix_length(org)
    total, by_child = Figures(), {pk: Figures() for pk, _path in children}

    def owner(path: str) -> Figures | None:
        """The child a path lies under, or None for org itself."""
        child = child_of_path.get(path[:length])
        return by_child[child] if child is not None else None

    # The roll-up: org's own rows and its children's.
    ids = [org.pk, *by_child]
    sums = {name: Sum(name) for name in COUNTS if name != "thematic_first_in_quarter"}
    for line in (
        MonthFigures.objects.filter(organisation_id__in=ids, month__in=months)
        .values("organisation_id")
        .order_by()
        .annotate(**sums)
    ):
        (
            total if line["organisation_id"] == org.pk else by_child[line["organisation_id"]]
        ).add_counts(line)
    # A quarter's thematic meeting counts over the whole quarter up to the period's end,
    # even when the period is one month of it.
    quarters = sorted({quarter_months(m)[0] for m in months})
    thematic = [m for q in quarters for m in quarter_months(q) if m <= months[-1]]
    for line in (
        MonthFigures.objects.filter(organisation_id__in=ids, month__in=thematic)
        .values("organisation_id")
        .order_by()
        .annotate(n=Sum("thematic_first_in_quarter"))
    ):
        figures = total if line["organisation_id"] == org.pk else by_child[line["organisation_id"]]
        figures.counts["thematic_first_in_quarter"] = line["n"] or 0
    # The cells open in each month and quarter, counted by the database.
    opened = {
        f"m{i}": Count("id", filter=_open_filter(m, month_end(m))) for i, m in enumerate(months)
    }
    opened |= {
        f"q{i}": Count("id", filter=_open_filter(q, month_end(quarter_months(q)[2])))
        for i, q in enumerate(quarters)
    }
    for line in (
        Organisation.objects.filter(path__startswith=org.path, level__in=CELL_LEVELS)
        .annotate(group=Substr("path", 1, length))
        .values("group")
        .order_by()
        .annotate(**opened)
    ):
        cell_months = sum(line[f"m{i}"] for i in range(len(months)))
        cell_quarters = sum(line[f"q{i}"] for i in range(len(quarters)))
        for figures in (total, owner(line["group"])):
            if figures is not None:
                figures.cell_months += cell_months
                figures.cell_quarters += cell_quarters
    # Members now, by status, counted per cell and added up by child.
    cells = Organisation.objects.filter(path__startswith=org.path, level__in=CELL_LEVELS)
    child_of_cell = {pk: owner(path) for pk, path in cells.values_list("id", "path")}
    for line in (
        Member.objects.filter(cell_id__in=cells.values("id"))
        .values("cell_id", "status")
        .order_by()
        .annotate(n=Count("id"))
    ):
        for figures in (total, child_of_cell[line["cell_id"]]):
            if figures is not None:
                figures.members[line["status"]] = figures.members.get(line["status"], 0) + line["n"]
    # Open warnings, by rule, as the last warnings run counted them.
    for pk, rule, n in OpenWarnings.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "rule", "count"
    ):
        (total if pk == org.pk else by_child[pk]).warnings[rule] = n
    return Dashboard(total, by_child)


def subtree_figures(org: Organisation, period: Period, today: datetime.date) -> Figures:
    """Return the figures of org's whole subtree (org included) over the period."""
    return dashboard_figures(org, period, today).total


@dataclass(frozen=True)
class Child:
    org: Organisation
    figures: Figures


def rank_children(
    org: Organisation, dashboard: Dashboard, sort: str = "", descending: bool = False
) -> list[Child]:
    """Return each organisation directly under org with its figures, ordered by name or
    ranked by a figure (children without the figure last); closed ones after open ones."""
    children = Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1)
    rows = [
        Child(c, dashboard.children.get(c.pk, Figures())) for c in children.order_by("name_folded")
    ]
    rows.sort(key=lambda r: r.org.closed_on is not None)
    if sort in SORTS:
        present = [r for r in rows if r.figures.ratio(sort) is not None]
        missing = [r for r in rows if r.figures.ratio(sort) is None]
        present.sort(key=lambda r: r.figures.ratio(sort), reverse=descending)
        rows = present + missing
    elif sort in COUNT_SORTS:
        value = {
            "members": lambda r: r.figures.current_members,
            "warnings": lambda r: r.figures.open_warnings,
        }[sort]
        rows.sort(key=value, reverse=descending)
    return rows


def children_figures(
    org: Organisation,
    period: Period,
    today: datetime.date,
    sort: str = "",
    descending: bool = False,
) -> list[Child]:
    """Return each organisation directly under org with its subtree's figures, ranked."""
    return rank_children(org, dashboard_figures(org, period, today), sort, descending)


@dataclass(frozen=True)
class TrendPoint:
    month: datetime.date
    figures: Figures


def trend(org: Organisation, last: datetime.date, today: datetime.date) -> list[TrendPoint]:
    """Return the twelve months up to last (the current month at most), each with the
    subtree's figures of that month: twelve rows and one count of the cells."""
    last = min(month_of(last), month_of(today))
    months = []
    month = last
    for _i in range(TREND_MONTHS):
        months.append(month)
        month = month_of(month - datetime.timedelta(days=1))
    months.reverse()
    points = {m: Figures() for m in months}
    opened = Organisation.objects.filter(
        path__startswith=org.path, level__in=CELL_LEVELS
    ).aggregate(
        **{f"m{i}": Count("id", filter=_open_filter(m, month_end(m))) for i, m in enumerate(months)}
    )
    for i, m in enumerate(months):
        points[m].cell_months = opened[f"m{i}"]
    for row in MonthFigures.objects.filter(organisation=org, month__in=months):
        points[row.month].add_counts({name: getattr(row, name) for name in COUNTS})
    return [TrendPoint(m, points[m]) for m in months]


STATUS_ORDER = (Status.OFFICIAL, Status.PROBATIONARY, Status.EXEMPTED)
