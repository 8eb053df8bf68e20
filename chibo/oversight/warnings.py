"""Early warnings (cảnh báo sớm): the rules of the packs in force, evaluated over a subtree.

`run(today, org)` is the daily job behind `chibo warnings run`. Each rule is one function
that reads the whole subtree set-wise, with a fixed number of queries whatever the number
of cells and members, and returns its findings. The run then compares them with the stored
warnings (EarlyWarning): a finding with no warning raises one; a warning found again keeps
its state (an acknowledged one stays acknowledged) and takes the fresh evidence; a
resolved warning found again reopens; an open or acknowledged warning no longer found is
resolved, by itself, on that day. A second run on the same day changes nothing.

What a run looks at: meetings of the last LOOKBACK_MONTHS months (and those planned
later); the members' year for absences and unpaid fees; probations and temporary
transfers as they stand. A warning about a month, a quarter or a year the run no longer
looks at is left as it is: it was true, and only a person closes it (acknowledges it).

The figures and each warning's source come from the packs: a meetings pack's "warnings"
block and meeting section (chibo.regulations.loader), a membership pack's "warnings" block
and removal figures (chibo.regulations.lifecycle). A warning belongs to the cell: the
secretary sees it, and so does every committee above (its path is copied for that).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chibo.admissions.queries import deadlines
from chibo.fees.arithmetic import add_months, first_of, month_end, month_fee, year_months
from chibo.fees.ledger import Packs, load_terms
from chibo.fees.models import FeeBasisPeriod, FeePayment
from chibo.meetings.models import (
    PRESENT_STATUSES,
    REGULAR_KINDS,
    THEMATIC_KINDS,
    Attendance,
    AttendanceStatus,
    Kind,
    Material,
    Meeting,
    MeetingStatus,
    QualityScore,
    Task,
)
from chibo.members.models import CURRENT_STATUSES, Member
from chibo.members.queries import absent_months
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.models import EarlyWarning, WarningState
from chibo.oversight.rollups import (
    HELD,
    cell_rules_of,
    month_of,
    quarter_months,
    recount_open_warnings,
)
from chibo.regulations.loader import Pack, PackNotFound, pack_in_force
from chibo.regulations.rules import MeetingEvidence, format_percent
from chibo.transfers.models import Kind as TransferKind
from chibo.transfers.models import Transfer, TransferStatus

LOCAL = ZoneInfo(settings.TIME_ZONE)
# How far back a run looks at meetings: this month and the eleven before it (Chibo's
# choice). An installation that started recording later sets CHIBO_WARNINGS_FROM (a date)
# so that the months before it raise nothing.
LOOKBACK_MONTHS = 12
# The cell's own meetings that the rules judge; extraordinary and cell-committee meetings
# have no monthly or quarterly rule.
CELL_MEETING_KINDS = (Kind.REGULAR, Kind.REGULAR_THEMATIC, Kind.THEMATIC)
# Not held yet: planned, or under way.
NOT_HELD = (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)
ACTIVE_STATES = (WarningState.OPEN, WarningState.ACKNOWLEDGED)
# Ids per query when a list of members is read in parts.
CHUNK = 5000

RULE_LABELS = {
    "meeting_missed": gettext_lazy("Monthly meeting not held"),
    "meeting_off_day": gettext_lazy("Meeting not on the set day"),
    "thematic_missing": gettext_lazy("No thematic meeting in the quarter"),
    "attendance_low": gettext_lazy("Low attendance"),
    "materials_late": gettext_lazy("Documents released late"),
    "minutes_unsigned": gettext_lazy("Minutes not signed"),
    "score_missing": gettext_lazy("Meeting not scored"),
    "tasks_overdue": gettext_lazy("Resolution task overdue"),
    "member_absent": gettext_lazy("Absent without reason"),
    "member_unpaid_fees": gettext_lazy("Party fees unpaid"),
    "probation_ending": gettext_lazy("Probation ending"),
    "temporary_transfer_ending": gettext_lazy("Temporary transfer ending"),
}


def _month_key(month: datetime.date) -> str:
    return f"{month.year}-{month.month:02d}"


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, LOCAL).date()


# What a run reads once and every rule shares.


@dataclass(frozen=True)
class _Meeting:
    id: int
    cell_id: int
    kind: str
    status: str
    day: datetime.date  # the planned day, local
    held_day: datetime.date  # the day it ended, else the planned day (as the roll-up counts)
    month: datetime.date  # the month it is for: its period (regular), else its held day's
    moved_reason: str
    scheduled_at: datetime.datetime

    @property
    def is_regular(self) -> bool:
        return self.kind in REGULAR_KINDS

    @property
    def is_thematic(self) -> bool:
        return self.kind in THEMATIC_KINDS

    @property
    def is_held(self) -> bool:
        return self.status in HELD


@dataclass
class Finding:
    """What one rule found about one subject: the warning to raise or keep."""

    rule: str
    cell_id: int
    subject: str
    pack: Pack
    evidence: dict
    member_id: int | None = None
    # False: the finding keeps a warning already raised but raises none (a quarter that has
    # ended is no time for an early warning).
    raise_new: bool = True

    @property
    def source(self) -> str:
        return self.pack.warnings[self.rule].source


@dataclass
class _Scope:
    """The subtree a run looks at, and the records the rules share."""

    today: datetime.date
    org: Organisation | None
    first_month: datetime.date
    cells: dict[int, Organisation]
    cell_rules: dict
    meetings: list[_Meeting] = field(default_factory=list)
    _packs: dict = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return self.org.path if self.org is not None else ""

    @property
    def months(self) -> list[datetime.date]:
        """The months looked at, up to this one."""
        months, month = [], self.first_month
        while month <= first_of(self.today):
            months.append(month)
            month = add_months(month, 1)
        return months

    def pack(self, cell_id: int, day: datetime.date, subject: str = "meetings") -> Pack | None:
        """The pack of a subject in force for the cell on that day (None when none is)."""
        province = self.cell_rules[cell_id].province
        key = (province.pk if province is not None else None, day, subject)
        if key not in self._packs:
            try:
                self._packs[key] = pack_in_force(day, province, subject=subject)
            except PackNotFound:
                self._packs[key] = None
        return self._packs[key]

    def is_open(self, cell_id: int, founded_by: datetime.date, open_on: datetime.date) -> bool:
        """Whether the cell was founded by one day and still open on another."""
        cell = self.cells[cell_id]
        if cell.founded_on is not None and cell.founded_on > founded_by:
            return False
        return cell.closed_on is None or cell.closed_on > open_on


def _first_month(today: datetime.date) -> datetime.date:
    first = add_months(first_of(today), -(LOOKBACK_MONTHS - 1))
    since = getattr(settings, "CHIBO_WARNINGS_FROM", None)
    if since:
        first = max(first, first_of(datetime.date.fromisoformat(str(since))))
    return first


def _scope(today: datetime.date, org: Organisation | None) -> _Scope:
    cells = Organisation.objects.filter(level__in=CELL_LEVELS)
    if org is not None:
        cells = cells.filter(path__startswith=org.path)
    cell_list = list(
        cells.only("id", "code", "path", "level", "meeting_day", "founded_on", "closed_on")
    )
    scope = _Scope(
        today=today,
        org=org,
        first_month=_first_month(today),
        cells={c.pk: c for c in cell_list},
        cell_rules=cell_rules_of(cell_list),
    )
    scope.meetings = _meetings(scope)
    return scope


def _cell_meetings(scope: _Scope) -> QuerySet[Meeting]:
    # A month's regular meeting is sometimes held early, in the month before.
    since = add_months(scope.first_month, -1)
    start = datetime.datetime(since.year, since.month, 1, tzinfo=LOCAL)
    return Meeting.objects.filter(
        organisation__path__startswith=scope.prefix,
        organisation__level__in=CELL_LEVELS,
        kind__in=CELL_MEETING_KINDS,
        scheduled_at__gte=start,
    ).exclude(status=MeetingStatus.CANCELLED)


def _meetings(scope: _Scope) -> list[_Meeting]:
    found = []
    rows = _cell_meetings(scope).values_list(
        "id",
        "organisation_id",
        "kind",
        "status",
        "period",
        "scheduled_at",
        "ended_at",
        "moved_reason",
    )
    for meeting_id, cell_id, kind, status, period, scheduled_at, ended_at, reason in rows:
        held_day = _local_day(ended_at or scheduled_at)
        month = period if period and kind in REGULAR_KINDS else month_of(held_day)
        if month < scope.first_month:
            continue
        found.append(
            _Meeting(
                meeting_id,
                cell_id,
                kind,
                status,
                _local_day(scheduled_at),
                held_day,
                month,
                reason,
                scheduled_at,
            )
        )
    return found


def _meeting_evidence(m: _Meeting, **more) -> dict:
    return {"meeting": m.id, "date": m.held_day.isoformat(), "month": _month_key(m.month), **more}


# The rules of the meetings pack.


def meeting_missed(scope: _Scope) -> list[Finding]:
    """A cell held no regular meeting for a month, the set day and the pack's grace days
    past, and none is planned later (a meeting moved with its reason is waited for)."""
    held, coming, planned = set(), set(), {}
    for m in scope.meetings:
        if not m.is_regular:
            continue
        key = (m.cell_id, m.month)
        if m.is_held:
            held.add(key)
        elif m.day >= scope.today:
            coming.add(key)
        else:
            planned[key] = m.day
    months = scope.months
    found = []
    for cell_id in scope.cells:
        for month in months:
            if (cell_id, month) in held or (cell_id, month) in coming:
                continue
            pack = scope.pack(cell_id, month)
            if pack is None:
                continue
            rule = pack.warnings["meeting_missed"]
            set_day = scope.cell_rules[cell_id].set_day(pack)
            day = month.replace(day=min(set_day, month_end(month).day))
            due = day + datetime.timedelta(days=rule.figures["grace_days"])
            if scope.today <= due or not scope.is_open(cell_id, month_end(month), due):
                continue
            evidence = {"month": _month_key(month), "set_day": set_day, "due": due.isoformat()}
            if (cell_id, month) in planned:
                evidence["planned_on"] = planned[cell_id, month].isoformat()
            found.append(Finding("meeting_missed", cell_id, _month_key(month), pack, evidence))
    return found


def meeting_off_day(scope: _Scope) -> list[Finding]:
    """A regular meeting held (or planned) on another day than the set day, or outside its
    month, with no reason recorded; the day as the roll-up counts it (regular_on_day)."""
    found = []
    for m in scope.meetings:
        if not m.is_regular or m.moved_reason.strip():
            continue
        pack = scope.pack(m.cell_id, m.held_day)
        if pack is None:
            continue
        set_day = scope.cell_rules[m.cell_id].set_day(pack)
        if m.held_day.day == set_day and month_of(m.held_day) == m.month:
            continue
        evidence = _meeting_evidence(m, set_day=set_day)
        found.append(Finding("meeting_off_day", m.cell_id, f"meeting:{m.id}", pack, evidence))
    return found


def _quarter_key(first: datetime.date) -> str:
    return f"{first.year}-Q{(first.month - 1) // 3 + 1}"


def thematic_missing(scope: _Scope) -> list[Finding]:
    """A quarter with fewer thematic meetings than the pack asks (held, or planned from
    today on), from the pack's month of the quarter on. Once the quarter has ended, a
    warning already raised stays while the record still shows none; no new one is raised."""
    held: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for m in scope.meetings:
        if not m.is_thematic:
            continue
        if m.is_held or m.day >= scope.today:
            held[m.cell_id, quarter_months(m.month)[0]] += 1
    current = quarter_months(first_of(scope.today))[0]
    quarters = sorted({quarter_months(m)[0] for m in scope.months})
    found = []
    for quarter in quarters:
        if quarter < scope.first_month:
            continue
        ends_on = month_end(quarter_months(quarter)[2])
        for cell_id in scope.cells:
            pack = scope.pack(cell_id, quarter)
            if pack is None:
                continue
            warn_from = pack.warnings["thematic_missing"].figures["warn_from_month"]
            warn_on = add_months(quarter, warn_from - 1)
            if scope.today < warn_on or not scope.is_open(cell_id, ends_on, warn_on):
                continue
            count = held.get((cell_id, quarter), 0)
            if count >= pack.meeting.thematic_per_quarter:
                continue
            evidence = {
                "quarter": _quarter_key(quarter),
                "month": _month_key(quarter),
                "ends_on": ends_on.isoformat(),
                "held": count,
                "required": pack.meeting.thematic_per_quarter,
            }
            found.append(
                Finding(
                    "thematic_missing",
                    cell_id,
                    _quarter_key(quarter),
                    pack,
                    evidence,
                    raise_new=quarter == current,
                )
            )
    return found


def attendance_low(scope: _Scope) -> list[Finding]:
    """A meeting held with fewer members present than the pack's minimum share of those
    expected: exempted members and members here temporarily counted in neither, as the
    score and the roll-up count them."""
    held = {m.id: m for m in scope.meetings if m.is_held}
    rows = (
        Attendance.objects.filter(
            meeting__in=_cell_meetings(scope).filter(status__in=HELD), temporary=False
        )
        .exclude(status=AttendanceStatus.EXEMPTED)
        .values("meeting_id")
        .order_by()
        .annotate(expected=Count("id"), present=Count("id", filter=Q(status__in=PRESENT_STATUSES)))
    )
    found = []
    for row in rows:
        m = held.get(row["meeting_id"])
        if m is None or not row["expected"]:
            continue
        pack = scope.pack(m.cell_id, m.held_day)
        if pack is None:
            continue
        minimum = pack.warnings["attendance_low"].figures["min_percent"]
        if row["present"] * 100 >= minimum * row["expected"]:
            continue
        evidence = _meeting_evidence(
            m, present=row["present"], expected=row["expected"], min_percent=minimum
        )
        found.append(Finding("attendance_low", m.cell_id, f"meeting:{m.id}", pack, evidence))
    return found


def materials_late(scope: _Scope) -> list[Finding]:
    """A meeting whose documents were not released the pack's lead days before it, judged
    as soon as that can no longer be met: a planned meeting too, once fewer days are left."""
    released = dict(
        Material.objects.filter(meeting__in=_cell_meetings(scope), released_at__isnull=False)
        .values("meeting_id")
        .order_by()
        .annotate(first=Min("released_at"))
        .values_list("meeting_id", "first")
    )
    found = []
    for m in scope.meetings:
        if m.status == MeetingStatus.PLANNED and m.day < scope.today:
            continue  # never held: meeting_missed says so
        pack = scope.pack(m.cell_id, m.day)
        if pack is None:
            continue
        lead = pack.meeting.materials_lead_days
        if (m.day - scope.today).days >= lead:
            continue
        first = released.get(m.id)
        evidence = MeetingEvidence(starts_at=m.scheduled_at, materials_released_at=first)
        days = evidence.days_materials_before()
        if days is not None and days >= lead:
            continue
        facts = _meeting_evidence(
            m,
            released_on=_local_day(first).isoformat() if first else None,
            days_before=days,
            lead_days=lead,
        )
        facts["date"] = m.day.isoformat()
        found.append(Finding("materials_late", m.cell_id, f"meeting:{m.id}", pack, facts))
    return found


def minutes_unsigned(scope: _Scope) -> list[Finding]:
    """A meeting held whose minutes are still unsigned after the pack's deadline (calendar
    days after the meeting, as the score's line counts them)."""
    found = []
    for m in scope.meetings:
        if m.status not in (MeetingStatus.CLOSED, MeetingStatus.IN_PROGRESS):
            continue
        pack = scope.pack(m.cell_id, m.held_day)
        if pack is None:
            continue
        days = pack.meeting.minutes_sign_deadline_days
        deadline = m.held_day + datetime.timedelta(days=days)
        if scope.today <= deadline:
            continue
        evidence = _meeting_evidence(m, deadline=deadline.isoformat(), deadline_days=days)
        found.append(Finding("minutes_unsigned", m.cell_id, f"meeting:{m.id}", pack, evidence))
    return found


def score_missing(scope: _Scope) -> list[Finding]:
    """A regular meeting held with no complete quality score, the pack's grace days after
    the meeting."""
    scores = dict(
        QualityScore.objects.filter(
            meeting__in=_cell_meetings(scope).filter(status__in=HELD)
        ).values_list("meeting_id", "total")
    )
    found = []
    for m in scope.meetings:
        if not (m.is_regular and m.is_held):
            continue
        if scores.get(m.id) is not None:
            continue
        pack = scope.pack(m.cell_id, m.held_day)
        if pack is None:
            continue
        due = m.held_day + datetime.timedelta(
            days=pack.warnings["score_missing"].figures["grace_days"]
        )
        if scope.today <= due:
            continue
        evidence = _meeting_evidence(m, due=due.isoformat(), unfinished=m.id in scores)
        found.append(Finding("score_missing", m.cell_id, f"meeting:{m.id}", pack, evidence))
    return found


def tasks_overdue(scope: _Scope) -> list[Finding]:
    """A task of a resolution past its due day and not reviewed yet (still "open"), in an
    open cell."""
    rows = (
        Task.objects.filter(
            meeting__organisation__path__startswith=scope.prefix,
            status=Task.Status.OPEN,
            due_on__lt=scope.today,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values_list(
            "id",
            "title",
            "due_on",
            "meeting_id",
            "meeting__organisation_id",
            "meeting__scheduled_at",
        )
    )
    found = []
    for task_id, title, due_on, meeting_id, cell_id, meeting_at in rows:
        if cell_id not in scope.cells or not scope.is_open(cell_id, scope.today, scope.today):
            continue
        meeting_day = _local_day(meeting_at)
        pack = scope.pack(cell_id, meeting_day)
        if pack is None:
            continue
        evidence = {
            "task": task_id,
            "title": title,
            "due_on": due_on.isoformat(),
            "meeting": meeting_id,
            "meeting_date": meeting_day.isoformat(),
        }
        found.append(Finding("tasks_overdue", cell_id, f"task:{task_id}", pack, evidence))
    return found


# The rules of the membership pack.


def _current_members(scope: _Scope) -> QuerySet[Member]:
    return Member.objects.filter(
        cell__path__startswith=scope.prefix,
        cell__level__in=CELL_LEVELS,
        status__in=CURRENT_STATUSES,
    )


def _least(scope: _Scope, rule: str) -> int | None:
    """The lowest warning figure of a membership rule among the packs of the scope's cells
    (None when no pack is in force): members below it need no further look."""
    packs = {scope.pack(c, scope.today, subject="membership") for c in scope.cells}
    figures = [p.warnings[rule].figures["warn_at_months"] for p in packs if p is not None]
    return min(figures, default=None)


def _member_findings(
    scope: _Scope,
    rule: str,
    months_by_member: dict[int, list[datetime.date]],
    removal_figure: Callable[[Pack], int],
) -> list[Finding]:
    """Findings for the members whose months of the year reach the pack's warning figure;
    level 1 once they reach the removal figure (Charter art. 8)."""
    year = scope.today.year
    least = _least(scope, rule)
    if least is None:
        return []
    ids = sorted(m for m, months in months_by_member.items() if len(months) >= least)
    cells = {}
    for chunk in _chunks(ids):
        cells.update(Member.objects.filter(pk__in=chunk).values_list("id", "cell_id"))
    found = []
    for member_id in ids:
        months = months_by_member[member_id]
        cell_id = cells.get(member_id)
        if cell_id is None or cell_id not in scope.cells:
            continue
        pack = scope.pack(cell_id, scope.today, subject="membership")
        if pack is None:
            continue
        warn_at = pack.warnings[rule].figures["warn_at_months"]
        removal_at = removal_figure(pack)
        if len(months) < warn_at:
            continue
        evidence = {
            "year": year,
            "months": [_month_key(m) for m in sorted(months)],
            "warn_at": warn_at,
            "removal_at": removal_at,
            "level": int(len(months) >= removal_at),
        }
        subject = f"member:{member_id}:{year}"
        found.append(Finding(rule, cell_id, subject, pack, evidence, member_id=member_id))
    return found


def member_absent(scope: _Scope) -> list[Finding]:
    """A current member absent without reason from the regular meeting in the pack's
    number of months of the year (warned before the removal figure); the months as the
    registry's removal rule counts them (chibo.members.queries)."""
    current = _current_members(scope)
    months = absent_months(Attendance.objects.filter(member__in=current), scope.today.year)
    return _member_findings(
        scope, "member_absent", months, lambda p: p.membership.removal.absent_months_in_year
    )


def unpaid_fee_months(
    members: QuerySet[Member], year: int, today: datetime.date, least: int
) -> dict[int, list[datetime.date]]:
    """Return, for the members with at least `least` unpaid months in the year, those
    months: what chibo.fees.queries.unpaid_months gives one member (months ended, since the
    fees started, not exempt, no payment standing), read for many members at once. Members
    who paid enough months to stay below `least` are left out before any fee is computed."""
    due = [m for m in year_months(year) if m < first_of(today)]
    if len(due) < least:
        return {}
    paid_count = dict(
        FeePayment.objects.filter(member__in=members, cancelled_at__isnull=True, month__in=due)
        .values("member_id")
        .order_by()
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    with_basis = set(
        FeeBasisPeriod.objects.filter(member__in=members, from_month__lt=first_of(today))
        .values_list("member_id", flat=True)
        .distinct()
    )
    candidates = sorted(m for m in with_basis if len(due) - paid_count.get(m, 0) >= least)
    cell_objects = {}
    packs = Packs()
    found = {}
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        cells = dict(Member.objects.filter(pk__in=chunk).values_list("id", "cell_id"))
        terms = load_terms(chunk)
        paid = set(
            FeePayment.objects.filter(
                member_id__in=chunk, cancelled_at__isnull=True, month__in=due
            ).values_list("member_id", "month")
        )
        missing = {cells[m] for m in chunk} - set(cell_objects)
        cell_objects.update(Organisation.objects.in_bulk(missing))
        for member_id in chunk:
            member_terms = terms.get(member_id)
            if member_terms is None or member_terms.start is None:
                continue
            cell = cell_objects[cells[member_id]]
            unpaid = []
            for month in due:
                if month < member_terms.start or (member_id, month) in paid:
                    continue
                pack = packs(cell, month)
                fee = month_fee(member_terms, month, pack.fees, pack.id)
                if fee is not None and fee.amount > 0:
                    unpaid.append(month)
            if len(unpaid) >= least:
                found[member_id] = unpaid
    return found


def member_unpaid_fees(scope: _Scope) -> list[Finding]:
    """A current member whose party fee is unpaid for the pack's number of months of the
    year (the current month is still being collected and does not count)."""
    least = _least(scope, "member_unpaid_fees")
    if least is None:
        return []
    months = unpaid_fee_months(_current_members(scope), scope.today.year, scope.today, least)
    return _member_findings(
        scope,
        "member_unpaid_fees",
        months,
        lambda p: p.membership.removal.unpaid_fee_months_in_year,
    )


def probation_ending(scope: _Scope) -> list[Finding]:
    """A probation that ends within the pack's first reminder: the deadlines of the
    admissions app (chibo.admissions.queries.deadlines), its "probation_end" items."""
    roots = [scope.org] if scope.org is not None else Organisation.objects.get_root_nodes()
    found = []
    for root in roots:
        for item in deadlines(root, scope.today):
            if item.kind != "probation_end" or item.cell.pk not in scope.cells:
                continue
            pack = scope.pack(item.cell.pk, scope.today, subject="membership")
            if pack is None:
                continue
            evidence = {
                "probation": item.probation_id,
                "ends_on": item.due.isoformat(),
                "within_days": item.horizon,
            }
            found.append(
                Finding(
                    "probation_ending",
                    item.cell.pk,
                    f"probation:{item.probation_id}",
                    pack,
                    evidence,
                    member_id=item.member_id,
                )
            )
    return found


def temporary_transfer_ending(scope: _Scope) -> list[Finding]:
    """A member away on a temporary transfer that ends within the pack's days, or has ended
    with the return not recorded yet; the warning is the home cell's."""
    rows = Transfer.objects.filter(
        kind=TransferKind.TEMPORARY,
        status=TransferStatus.ACTIVE,
        ends_on__isnull=False,
        member__in=_current_members(scope),
    ).values_list("id", "member_id", "member__cell_id", "ends_on", "to_org__name", "outside_name")
    found = []
    for transfer_id, member_id, cell_id, ends_on, to_name, outside in rows:
        pack = scope.pack(cell_id, scope.today, subject="membership")
        if pack is None:
            continue
        within = pack.warnings["temporary_transfer_ending"].figures["within_days"]
        if (ends_on - scope.today).days > within:
            continue
        evidence = {
            "transfer": transfer_id,
            "ends_on": ends_on.isoformat(),
            "to": to_name or outside,
            "within_days": within,
        }
        found.append(
            Finding(
                "temporary_transfer_ending",
                cell_id,
                f"transfer:{transfer_id}",
                pack,
                evidence,
                member_id=member_id,
            )
        )
    return found


RULES: dict[str, Callable[[_Scope], list[Finding]]] = {
    "meeting_missed": meeting_missed,
    "meeting_off_day": meeting_off_day,
    "thematic_missing": thematic_missing,
    "attendance_low": attendance_low,
    "materials_late": materials_late,
    "minutes_unsigned": minutes_unsigned,
    "score_missing": score_missing,
    "tasks_overdue": tasks_overdue,
    "member_absent": member_absent,
    "member_unpaid_fees": member_unpaid_fees,
    "probation_ending": probation_ending,
    "temporary_transfer_ending": temporary_transfer_ending,
}
# What each rule looks at, for resolving: "month" rules look at the months from the
# scope's first month on (a warning about an earlier month is left as it is), "year" rules
# at today's year; the others at everything as it stands.
_PERIODS = {
    "meeting_missed": "month",
    "meeting_off_day": "month",
    "thematic_missing": "month",
    "attendance_low": "month",
    "materials_late": "month",
    "minutes_unsigned": "month",
    "score_missing": "month",
    "member_absent": "year",
    "member_unpaid_fees": "year",
}


def _looked_at(warning: EarlyWarning, scope: _Scope) -> bool:
    """Whether this run judged the warning's subject, so that not finding it resolves it."""
    period = _PERIODS.get(warning.rule)
    if period == "month":
        return str(warning.evidence.get("month", "")) >= _month_key(scope.first_month)
    if period == "year":
        return warning.evidence.get("year") == scope.today.year
    return warning.rule in RULES


# The run.


def _take(warning: EarlyWarning, finding: Finding, path: str) -> bool:
    """Copy the finding's facts onto the warning; return whether anything changed."""
    changed = False
    for name, value in (
        ("evidence", finding.evidence),
        ("pack_id", finding.pack.id),
        ("source", finding.source),
        ("path", path),
        ("member_id", finding.member_id),
    ):
        if getattr(warning, name) != value:
            setattr(warning, name, value)
            changed = True
    return changed


_UPDATED_FIELDS = [
    "evidence",
    "pack_id",
    "source",
    "path",
    "member_id",
    "state",
    "seen_on",
    "resolved_on",
    "version",
]


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def run(today: datetime.date, org: Organisation | None = None) -> dict[str, dict[str, int]]:
    """Evaluate every rule over the subtree of org (everything when None) on `today`, and
    bring the stored warnings in step. Returns, per rule, how many warnings were raised
    (new or reopened), are still open (open or acknowledged, found again) and were resolved.
    """
    scope = _scope(today, org)
    counts = {rule: {"raised": 0, "open": 0, "resolved": 0} for rule in RULES}
    findings: dict[tuple[str, int, str], Finding] = {}
    for evaluate in RULES.values():
        for finding in evaluate(scope):
            findings[finding.rule, finding.cell_id, finding.subject] = finding

    stored = EarlyWarning.objects.filter(path__startswith=scope.prefix)
    # Locked until the run commits: an acknowledgement made meanwhile waits, then meets the
    # new version instead of being overwritten.
    active = {
        (w.rule, w.organisation_id, w.subject): w
        for w in stored.filter(state__in=ACTIVE_STATES).select_for_update()
    }
    resolved = {
        (rule, org_id, subject): pk
        for pk, rule, org_id, subject in stored.filter(state=WarningState.RESOLVED).values_list(
            "id", "rule", "organisation_id", "subject"
        )
    }
    again = [resolved[key] for key in findings if key not in active and key in resolved]
    reopened = {}
    for ids in _chunks(again):
        reopened.update(
            {
                (w.rule, w.organisation_id, w.subject): w
                for w in EarlyWarning.objects.filter(pk__in=ids)
            }
        )
    paths = {pk: cell.path for pk, cell in scope.cells.items()}

    new, changed, seen = [], [], []
    for key, finding in findings.items():
        path = paths[finding.cell_id]
        warning = active.get(key)
        if warning is not None:
            before = warning.evidence.get("level", 0)
            if _take(warning, finding, path):
                warning.version += 1
                if (
                    warning.state == WarningState.ACKNOWLEDGED
                    and finding.evidence.get("level", 0) > before
                ):
                    # Worse than when it was acknowledged (a member's third month): open again.
                    warning.state = WarningState.OPEN
                    counts[finding.rule]["raised"] += 1
                else:
                    counts[finding.rule]["open"] += 1
                warning.seen_on = today
                changed.append(warning)
            else:
                counts[finding.rule]["open"] += 1
                if warning.seen_on != today:
                    seen.append(warning.pk)
        elif key in reopened:
            warning = reopened[key]
            _take(warning, finding, path)
            warning.state = WarningState.OPEN
            warning.resolved_on = None
            warning.seen_on = today
            warning.version += 1
            changed.append(warning)
            counts[finding.rule]["raised"] += 1
        elif finding.raise_new:
            new.append(
                EarlyWarning(
                    rule=finding.rule,
                    organisation_id=finding.cell_id,
                    path=path,
                    member_id=finding.member_id,
                    subject=finding.subject,
                    pack_id=finding.pack.id,
                    source=finding.source,
                    evidence=finding.evidence,
                    raised_on=today,
                    seen_on=today,
                )
            )
            counts[finding.rule]["raised"] += 1

    for key, warning in active.items():
        if key in findings or not _looked_at(warning, scope):
            continue
        warning.state = WarningState.RESOLVED
        warning.resolved_on = today
        warning.version += 1
        changed.append(warning)
        counts[warning.rule]["resolved"] += 1

    EarlyWarning.objects.bulk_create(new, batch_size=1000)
    EarlyWarning.objects.bulk_update(changed, _UPDATED_FIELDS, batch_size=500)
    for ids in _chunks(seen):
        EarlyWarning.objects.filter(pk__in=ids).update(seen_on=today)
    # The dashboards' counts follow: this run is what opens and resolves warnings.
    recount_open_warnings()
    return counts


# Reading warnings.


def warnings_of(
    org: Organisation | None, state: str = "", rule: str = ""
) -> QuerySet[EarlyWarning]:
    """The warnings of the organisation's subtree (everything when None): in one state, all
    of them ("all"), or by default those open or acknowledged; of one rule when given."""
    rows = EarlyWarning.objects.select_related("organisation", "member__cell")
    if org is not None:
        rows = rows.filter(path__startswith=org.path)
    if state in WarningState.values:
        rows = rows.filter(state=state)
    elif state != "all":
        rows = rows.filter(state__in=ACTIVE_STATES)
    return rows.filter(rule=rule) if rule else rows


def _date(iso: str | None) -> str:
    if not iso:
        return ""
    return date_format(datetime.date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _month(iso: str) -> str:
    """Return "10/2026" for "2026-10"."""
    year, month = iso.split("-")
    return f"{month}/{year}"


def _member_name(warning: EarlyWarning) -> str:
    return warning.member.full_name if warning.member_id else ""


def _past(warning: EarlyWarning, iso: str) -> bool:
    """Whether the run that last found the warning came after that day."""
    return warning.seen_on is not None and warning.seen_on.isoformat() > iso


def _meeting_missed(w: EarlyWarning, e: dict) -> str:
    text = _("No regular meeting was held in %(month)s.") % {"month": _month(e["month"])}
    if e.get("planned_on"):
        text += " " + _("The meeting planned for %(date)s was not held.") % {
            "date": _date(e["planned_on"])
        }
    return text


def _meeting_off_day(w: EarlyWarning, e: dict) -> str:
    return _(
        "The regular meeting of %(date)s, for %(month)s, was not held on the set day "
        "(day %(day)s of the month) and no reason was recorded."
    ) % {"date": _date(e["date"]), "month": _month(e["month"]), "day": e["set_day"]}


def _thematic_missing(w: EarlyWarning, e: dict) -> str:
    year, number = e["quarter"].split("-Q")
    values = {"quarter": f"{number}/{year}", "date": _date(e["ends_on"])}
    if _past(w, e["ends_on"]):
        return _("No thematic meeting was held in quarter %(quarter)s.") % values
    return (
        _(
            "No thematic meeting has been held or planned in quarter %(quarter)s; the quarter "
            "ends on %(date)s."
        )
        % values
    )


def _attendance_low(w: EarlyWarning, e: dict) -> str:
    return _(
        "Attendance was %(percent)s (%(present)s of %(expected)s) at the meeting of %(date)s; "
        "the rule asks for at least %(minimum)s%%."
    ) % {
        "percent": format_percent(e["present"], e["expected"]),
        "present": e["present"],
        "expected": e["expected"],
        "date": _date(e["date"]),
        "minimum": e["min_percent"],
    }


def _materials_late(w: EarlyWarning, e: dict) -> str:
    values = {"date": _date(e["date"]), "lead": e["lead_days"], "released": ""}
    if e.get("released_on"):
        values["released"] = _date(e["released_on"])
        text = ngettext(
            "The documents for the meeting of %(date)s were released on %(released)s, less "
            "than %(lead)s day before.",
            "The documents for the meeting of %(date)s were released on %(released)s, less "
            "than %(lead)s days before.",
            e["lead_days"],
        )
    else:
        text = ngettext(
            "No documents were released for the meeting of %(date)s; the rule asks for them "
            "%(lead)s day before.",
            "No documents were released for the meeting of %(date)s; the rule asks for them "
            "%(lead)s days before.",
            e["lead_days"],
        )
    return text % values


def _minutes_unsigned(w: EarlyWarning, e: dict) -> str:
    return _(
        "The minutes of the meeting of %(date)s are not signed; the deadline was %(deadline)s."
    ) % {"date": _date(e["date"]), "deadline": _date(e["deadline"])}


def _score_missing(w: EarlyWarning, e: dict) -> str:
    if e.get("unfinished"):
        text = _("The quality score of the meeting of %(date)s is not finished.")
    else:
        text = _("The meeting of %(date)s has no quality score.")
    return text % {"date": _date(e["date"])}


def _tasks_overdue(w: EarlyWarning, e: dict) -> str:
    return _(
        "The task “%(title)s” of the meeting of %(meeting)s was due on %(due)s and has not "
        "been reviewed."
    ) % {"title": e["title"], "meeting": _date(e["meeting_date"]), "due": _date(e["due_on"])}


def _removal_note(w: EarlyWarning, e: dict) -> str:
    if e.get("level"):
        return _("The cell must consider removing the name (%(source)s).") % {"source": w.source}
    return ngettext(
        "At %(count)s month the cell must consider removing the name (%(source)s).",
        "At %(count)s months the cell must consider removing the name (%(source)s).",
        e["removal_at"],
    ) % {"count": e["removal_at"], "source": w.source}


def _member_months(e: dict, w: EarlyWarning) -> dict:
    return {
        "name": _member_name(w),
        "count": len(e["months"]),
        "year": e["year"],
        "months": ", ".join(_month(m) for m in e["months"]),
    }


def _member_absent(w: EarlyWarning, e: dict) -> str:
    text = ngettext(
        "%(name)s was absent without reason from the regular meeting in %(count)s month of "
        "%(year)s (%(months)s).",
        "%(name)s was absent without reason from the regular meeting in %(count)s months of "
        "%(year)s (%(months)s).",
        len(e["months"]),
    ) % _member_months(e, w)
    return f"{text} {_removal_note(w, e)}"


def _member_unpaid_fees(w: EarlyWarning, e: dict) -> str:
    text = ngettext(
        "%(name)s has not paid the party fee for %(count)s month of %(year)s (%(months)s).",
        "%(name)s has not paid the party fee for %(count)s months of %(year)s (%(months)s).",
        len(e["months"]),
    ) % _member_months(e, w)
    return f"{text} {_removal_note(w, e)}"


def _probation_ending(w: EarlyWarning, e: dict) -> str:
    return _(
        "The probation of %(name)s ends on %(date)s: the cell prepares the vote on recognition "
        "as an official member."
    ) % {"name": _member_name(w), "date": _date(e["ends_on"])}


def _temporary_transfer_ending(w: EarlyWarning, e: dict) -> str:
    values = {"name": _member_name(w), "to": e["to"], "date": _date(e["ends_on"])}
    if _past(w, e["ends_on"]):
        return (
            _(
                "The temporary transfer of %(name)s to %(to)s ended on %(date)s; the return has "
                "not been recorded."
            )
            % values
        )
    return _("The temporary transfer of %(name)s to %(to)s ends on %(date)s.") % values


_SENTENCES: dict[str, Callable[[EarlyWarning, dict], str]] = {
    "meeting_missed": _meeting_missed,
    "meeting_off_day": _meeting_off_day,
    "thematic_missing": _thematic_missing,
    "attendance_low": _attendance_low,
    "materials_late": _materials_late,
    "minutes_unsigned": _minutes_unsigned,
    "score_missing": _score_missing,
    "tasks_overdue": _tasks_overdue,
    "member_absent": _member_absent,
    "member_unpaid_fees": _member_unpaid_fees,
    "probation_ending": _probation_ending,
    "temporary_transfer_ending": _temporary_transfer_ending,
}


def describe(warning: EarlyWarning) -> str:
    """Return the warning as a sentence in the active language, from its evidence."""
    sentence = _SENTENCES.get(warning.rule)
    if sentence is None:
        return str(RULE_LABELS.get(warning.rule, warning.rule))
    return sentence(warning, warning.evidence)
