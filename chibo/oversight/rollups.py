"""The monthly roll-up (MonthFigures), kept in step with the records.

A cell's row of a month is counted from its records; a committee's row is the sum of the
rows of the cells under it, so that a dashboard reads a handful of rows for any subtree.

One computation, `compute`, counts a set of cells' months from the raw records with a fixed
number of grouped queries, whatever the number of cells. It serves three uses:
- the writes that change a cell's figures call `refresh_cells` in their own transaction
  (closing a meeting, attendance of a held meeting, a score, a signature, a task's review,
  an admission decision); the change of each month is added to every committee above;
- a reorganisation calls `after_reorganisation`, which copies the new paths onto the rows
  and recounts the committees on both sides;
- `chibo rollups verify|rebuild` compares or rewrites every row of a subtree.

A meeting counts in the month it is for: its `period` for a regular meeting (an October
meeting moved into November is October's), else the month it was held. It counts once held
(closed, or its minutes signed). The figures follow today's tree: a cell that moved counts
under its new committee for every month, and a closed cell keeps its rows where it stood.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from chibo.admissions.models import Probation
from chibo.meetings.models import (
    PRESENT_STATUSES,
    REGULAR_KINDS,
    THEMATIC_KINDS,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    QualityScore,
    Task,
)
from chibo.orgs.models import CELL_LEVELS, Level, Organisation
from chibo.oversight.models import (
    ACTIVE_STATES,
    COUNTS,
    QUALITY_LEVELS,
    EarlyWarning,
    MonthFigures,
    OpenWarnings,
)
from chibo.regulations.loader import pack_in_force

LOCAL = ZoneInfo(settings.TIME_ZONE)
HELD = (MeetingStatus.CLOSED, MeetingStatus.SIGNED)
COMMITTEE_LEVELS = [level for level in Level if level not in CELL_LEVELS]
# The day the packs fall back to when neither the cell nor a committee above sets one.
DEFAULT_DAY = 3

Key = tuple[int, datetime.date]  # (cell id, first day of the month)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def quarter_months(month: datetime.date) -> list[datetime.date]:
    first = (month.month - 1) // 3 * 3 + 1
    return [month.replace(month=first + i) for i in range(3)]


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, LOCAL).date()


@dataclass(frozen=True)
class CellRules:
    """What a cell's figures need from the tree: its set day, its province for the pack."""

    own_day: int | None
    province: Organisation | None

    def set_day(self, pack) -> int:
        return self.own_day or pack.meeting.regular_day or DEFAULT_DAY


def cell_rules_of(cells: list[Organisation]) -> dict[int, CellRules]:
    """Return each cell's meeting day (its own or the nearest committee's above) and its
    province, with one query for all the committees above them."""
    step = Organisation.steplen
    prefixes = {c.path[:n] for c in cells for n in range(step, len(c.path), step)}
    above = {
        o.path: o
        for o in Organisation.objects.filter(path__in=prefixes).only(
            "id", "code", "name", "path", "level", "meeting_day"
        )
    }
    result = {}
    for cell in cells:
        chain = [above.get(cell.path[:n]) for n in range(step, len(cell.path), step)]
        chain = [o for o in chain if o is not None]
        day = cell.meeting_day or next(
            (o.meeting_day for o in reversed(chain) if o.meeting_day), None
        )
        province = next((o for o in chain if o.level == Level.PROVINCE), None)
        if cell.level == Level.PROVINCE:
            province = cell
        result[cell.pk] = CellRules(day, province)
    return result


def compute(cells: QuerySet[Organisation]) -> dict[Key, dict[str, int]]:
    """Return the counts of every month with something to count, for each of the cells,
    from the raw records."""
    cell_list = list(cells.only("id", "path", "level", "meeting_day"))
    cell_rules = cell_rules_of(cell_list)
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    in_cells = Q(meeting__organisation__in=cells)
    held = Meeting.objects.filter(organisation__in=cells, status__in=HELD).values_list(
        "id", "organisation_id", "kind", "period", "scheduled_at", "ended_at"
    )
    meeting_key: dict[int, Key] = {}
    held_day: dict[int, datetime.date] = {}
    for meeting_id, cell_id, kind, period, scheduled_at, ended_at in held:
        day = _local_day(ended_at or scheduled_at)
        month = period if period and kind in REGULAR_KINDS else month_of(day)
        key = meeting_key[meeting_id] = (cell_id, month)
        held_day[meeting_id] = day
        row = rows[key]
        row["meetings_held"] += 1
        if kind in REGULAR_KINDS and not row["regular_held"]:
            row["regular_held"] = 1
            rules = cell_rules[cell_id]
            if day.day == rules.set_day(pack_in_force(day, rules.province)) and (
                month_of(day) == month
            ):
                row["regular_on_day"] = 1
        if kind in THEMATIC_KINDS:
            row["thematic_held"] += 1

    attendance = (
        Attendance.objects.filter(in_cells, meeting__status__in=HELD, temporary=False)
        .exclude(status=AttendanceStatus.EXEMPTED)
        .values("meeting_id")
        .order_by()
        .annotate(expected=Count("id"), present=Count("id", filter=Q(status__in=PRESENT_STATUSES)))
    )
    for line in attendance:
        row = rows[meeting_key[line["meeting_id"]]]
        row["attendance_expected"] += line["expected"]
        row["attendance_present"] += line["present"]

    scores = QualityScore.objects.filter(
        in_cells, meeting__status__in=HELD, level__in=QUALITY_LEVELS
    )
    for meeting_id, level in scores.values_list("meeting_id", "level"):
        rows[meeting_key[meeting_id]][f"level_{level}"] += 1

    signed = Minutes.objects.filter(in_cells, meeting__status__in=HELD, signed_at__isnull=False)
    for meeting_id, signed_at in signed.values_list("meeting_id", "signed_at"):
        key, day = meeting_key[meeting_id], held_day[meeting_id]
        row = rows[key]
        row["minutes_signed"] += 1
        deadline = pack_in_force(day, cell_rules[key[0]].province).meeting
        if (_local_day(signed_at) - day).days <= deadline.minutes_sign_deadline_days:
            row["minutes_on_time"] += 1

    tasks = Task.objects.filter(in_cells, meeting__status__in=HELD).values_list(
        "meeting__organisation_id", "due_on", "status"
    )
    for cell_id, due_on, status in tasks:
        row = rows[(cell_id, month_of(due_on))]
        row["tasks_due"] += 1
        row["tasks_on_time"] += status == Task.Status.DONE

    admitted = Probation.objects.filter(candidate__cell__in=cells).values_list(
        "candidate__cell_id", "decided_on"
    )
    for cell_id, decided_on in admitted:
        rows[(cell_id, month_of(decided_on))]["admissions"] += 1

    # The quarter's first thematic meeting marks its month.
    firsts: dict[tuple[int, datetime.date], datetime.date] = {}
    for (cell_id, month), row in rows.items():
        if row["thematic_held"]:
            quarter = (cell_id, quarter_months(month)[0])
            firsts[quarter] = min(firsts.get(quarter, month), month)
    for (cell_id, _quarter), month in firsts.items():
        rows[(cell_id, month)]["thematic_first_in_quarter"] = 1
    return dict(rows)


def _cells_of(org: Organisation | None) -> QuerySet[Organisation]:
    return _cells_under(org.path if org is not None else "")


def _cells_under(path: str) -> QuerySet[Organisation]:
    return Organisation.objects.filter(level__in=CELL_LEVELS, path__startswith=path)


def _stored(cells: QuerySet[Organisation], lock: bool = False) -> dict[Key, MonthFigures]:
    rows = MonthFigures.objects.filter(organisation__in=cells)
    if lock:
        rows = rows.select_for_update()
    return {(r.organisation_id, r.month): r for r in rows}


def _counts(row: MonthFigures | None) -> dict[str, int]:
    return {name: getattr(row, name) if row else 0 for name in COUNTS}


def _above(path: str) -> list[str]:
    """The paths of the committees above an organisation, nearest last."""
    step = Organisation.steplen
    return [path[:n] for n in range(step, len(path), step)]


@transaction.atomic
def refresh_cells(*cells: Organisation) -> int:
    """Bring the rows of these cells in step with their records, and add the change to the
    committees above them; return how many cell rows changed. Called inside the
    transaction of the write that changed the records."""
    ids = [c.pk for c in cells if c is not None and c.is_cell]
    if not ids:
        return 0
    scope = Organisation.objects.filter(pk__in=ids)
    # Two writes to meetings of one cell are counted one after the other: the cell is
    # locked before its records are read, so the second counts what the first wrote.
    list(scope.select_for_update().values_list("id", flat=True))
    changes = _write_cells(scope, compute(scope), _stored(scope, lock=True))
    _add_to_committees(changes)
    return len(changes)


def _write_cells(scope, fresh: dict[Key, dict], stored: dict[Key, MonthFigures]) -> list:
    """Write the cells' rows; return the changes as (path, month, {count: difference})."""
    paths = dict(scope.values_list("id", "path"))
    changes = []
    gone = [key for key in stored if key not in fresh]
    if gone:
        MonthFigures.objects.filter(pk__in=[stored[key].pk for key in gone]).delete()
    new, updated = [], []
    for key in [*gone, *fresh]:
        cell_id, month = key
        row, counts = stored.get(key), fresh.get(key)
        before = _counts(row)
        after = counts or dict.fromkeys(COUNTS, 0)
        delta = {name: after[name] - before[name] for name in COUNTS if after[name] != before[name]}
        if delta:
            changes.append((paths[cell_id], month, delta))
        if counts is None:
            continue
        if row is None:
            new.append(
                MonthFigures(
                    organisation_id=cell_id,
                    path=paths[cell_id],
                    is_cell=True,
                    month=month,
                    **counts,
                )
            )
        elif delta or row.path != paths[cell_id]:
            for name, value in counts.items():
                setattr(row, name, value)
            row.path = paths[cell_id]
            updated.append(row)
    MonthFigures.objects.bulk_create(new, batch_size=1000)
    MonthFigures.objects.bulk_update(updated, [*COUNTS, "path"], batch_size=1000)
    return changes


def _add_to_committees(changes: list) -> None:
    """Add each change of a cell's month to the same month of every committee above it:
    a few updates, whatever the size of the tree."""
    totals: dict[tuple[str, datetime.date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNTS, 0)
    )
    for path, month, delta in changes:
        for above in _above(path):
            total = totals[(above, month)]
            for name, value in delta.items():
                total[name] += value
    if not totals:
        return
    ids = dict(
        Organisation.objects.filter(path__in={p for p, _m in totals}).values_list("path", "id")
    )
    # Create the months a committee has no row for yet; a concurrent writer may create the
    # same one, hence ignore_conflicts; then add with F() so that two writers both count.
    MonthFigures.objects.bulk_create(
        [MonthFigures(organisation_id=ids[p], path=p, is_cell=False, month=m) for p, m in totals],
        ignore_conflicts=True,
    )
    for (path, month), total in sorted(totals.items()):
        added = {name: F(name) + value for name, value in total.items() if value}
        if added:
            MonthFigures.objects.filter(organisation_id=ids[path], month=month).update(**added)


def recount_committees(committees: QuerySet[Organisation]) -> int:
    """Rewrite the rows of these committees as the sums of their cells' rows."""
    written = 0
    sums = {name: Sum(name) for name in COUNTS}
    for committee in committees.filter(level__in=COMMITTEE_LEVELS).only("id", "path"):
        by_month = {
            line["month"]: {name: line[name] or 0 for name in COUNTS}
            for line in MonthFigures.objects.filter(is_cell=True, path__startswith=committee.path)
            .values("month")
            .order_by()
            .annotate(**sums)
        }
        MonthFigures.objects.filter(organisation=committee).exclude(
            month__in=list(by_month)
        ).delete()
        stored = {r.month: r for r in MonthFigures.objects.filter(organisation=committee)}
        new, updated = [], []
        for month, counts in by_month.items():
            row = stored.get(month)
            if row is None:
                new.append(
                    MonthFigures(
                        organisation=committee,
                        path=committee.path,
                        is_cell=False,
                        month=month,
                        **counts,
                    )
                )
            elif _counts(row) != counts or row.path != committee.path:
                for name, value in counts.items():
                    setattr(row, name, value)
                row.path = committee.path
                updated.append(row)
        MonthFigures.objects.bulk_create(new, batch_size=1000)
        MonthFigures.objects.bulk_update(updated, [*COUNTS, "path"], batch_size=1000)
        written += len(new) + len(updated)
    return written


def refresh_meeting(meeting: Meeting) -> None:
    """After a write to a meeting: once it is held, its cell's rows follow."""
    if meeting.status in HELD:
        refresh_cells(meeting.organisation)


@dataclass(frozen=True)
class Difference:
    organisation: str
    month: datetime.date | None
    field: str
    stored: int | str | None
    computed: int | str | None


def verify(org: Organisation | None = None) -> list[Difference]:
    """Return every difference between the stored rows of a subtree and its records: each
    cell's rows against its meetings, each committee's against the sum of its cells'."""
    scope = _cells_of(org)
    fresh, stored = compute(scope), _stored(scope)
    codes = dict(scope.values_list("id", "code"))
    paths = dict(scope.values_list("id", "path"))
    differences = []
    for key in sorted(set(fresh) | set(stored), key=lambda k: (codes.get(k[0], ""), k[1])):
        cell_id, month = key
        row = stored.get(key)
        have = _counts(row)
        want = fresh.get(key, dict.fromkeys(COUNTS, 0))
        differences += [
            Difference(codes[cell_id], month, name, have[name], want[name])
            for name in COUNTS
            if have[name] != want[name]
        ]
        if row is not None and row.path != paths[cell_id]:
            differences.append(Difference(codes[cell_id], month, "path", row.path, paths[cell_id]))
    committees = Organisation.objects.filter(level__in=COMMITTEE_LEVELS)
    if org is not None:
        committees = committees.filter(path__startswith=org.path)
    cell_rows = MonthFigures.objects.filter(is_cell=True)
    if org is not None:
        cell_rows = cell_rows.filter(path__startswith=org.path)
    expected: dict[tuple[str, datetime.date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNTS, 0)
    )
    for row in cell_rows:
        for above in _above(row.path):
            total = expected[(above, row.month)]
            for name in COUNTS:
                total[name] += getattr(row, name)
    for committee in committees.only("id", "code", "path").order_by("path"):
        rows = {r.month: r for r in MonthFigures.objects.filter(organisation=committee)}
        months = sorted({m for p, m in expected if p == committee.path} | set(rows))
        for month in months:
            have = _counts(rows.get(month))
            want = expected.get((committee.path, month), dict.fromkeys(COUNTS, 0))
            differences += [
                Difference(committee.code, month, name, have[name], want[name])
                for name in COUNTS
                if have[name] != want[name]
            ]
    return differences


@transaction.atomic
def rebuild(org: Organisation | None = None) -> int:
    """Rewrite every row of a subtree from its records (after a bulk load), and the rows of
    the committees above it; return the number of cell rows that changed."""
    scope = _cells_of(org)
    changes = _write_cells(scope, compute(scope), _stored(scope, lock=True))
    committees = Organisation.objects.filter(level__in=COMMITTEE_LEVELS)
    if org is not None:
        committees = committees.filter(Q(path__startswith=org.path) | Q(path__in=_above(org.path)))
    recount_committees(committees)
    return len(changes)


@transaction.atomic
def after_reorganisation(*paths: str) -> None:
    """After organisations moved (a move, a merger, a split), given the paths of the places
    they left and went to: copy the new paths onto the rows that copy them, and recount
    the committees on both sides. Figures follow today's tree; nothing is lost or counted
    twice."""
    for path in {p for p in paths if p}:
        moved = Organisation.objects.filter(path__startswith=path).values("id")
        for model in (MonthFigures, EarlyWarning):
            model.objects.filter(organisation_id__in=moved).update(
                path=Subquery(
                    Organisation.objects.filter(pk=OuterRef("organisation_id")).values("path")[:1]
                )
            )
        # A cell's set day and pack come from the committees above it: recount its own rows.
        cells = _cells_under(path)
        _write_cells(cells, compute(cells), _stored(cells, lock=True))
    above = {a for p in paths if p for a in [*_above(p), p]}
    recount_committees(Organisation.objects.filter(path__in=above))
    recount_open_warnings()


def _open_warning_totals() -> dict[tuple[str, str], int]:
    """{(organisation path, rule): open or acknowledged warnings in its subtree}."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    active = (
        EarlyWarning.objects.filter(state__in=ACTIVE_STATES)
        .values_list("path", "rule")
        .order_by()
        .annotate(n=Count("id"))
    )
    for path, rule, n in active:
        for above in [*_above(path), path]:
            totals[(above, rule)] += n
    return totals


@transaction.atomic
def recount_open_warnings() -> int:
    """Rewrite the count of open and acknowledged warnings of every organisation's subtree,
    by rule, from the warnings themselves; return the number of counts."""
    totals = _open_warning_totals()
    ids = dict(Organisation.objects.values_list("path", "id"))
    OpenWarnings.objects.all().delete()
    OpenWarnings.objects.bulk_create(
        [
            OpenWarnings(organisation_id=ids[path], rule=rule, count=n)
            for (path, rule), n in totals.items()
            if path in ids
        ],
        batch_size=1000,
    )
    return len(totals)


def verify_open_warnings() -> list[Difference]:
    """Return every count of open warnings that differs from the warnings themselves."""
    ids = dict(Organisation.objects.values_list("path", "id"))
    want = {(ids[path], rule): n for (path, rule), n in _open_warning_totals().items()}
    have = {(w.organisation_id, w.rule): w.count for w in OpenWarnings.objects.all()}
    codes = dict(
        Organisation.objects.filter(pk__in={k[0] for k in {*want, *have}}).values_list("id", "code")
    )
    return [
        Difference(
            codes[key[0]], None, f"open warnings: {key[1]}", have.get(key, 0), want.get(key, 0)
        )
        for key in sorted({*want, *have})
        if have.get(key, 0) != want.get(key, 0)
    ]
