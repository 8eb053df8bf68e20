"""Party fees for the seeds: every member's fee basis, twelve months of payments with some
arrears, a few exemptions and reductions, the cells' remittances, and one committee that
sets its own share.

plan_member draws one member's fees the same way at both scales. The demo plays the plans
through the actions (seed_demo_fees), each step on the history's Clock at its date, as a
collector would have entered it. The province writes the same rows in bulk
(seed_province_fees): each payment's fee comes from arithmetic.month_fee under the pack in
force, as record_payment computes it, each remittance takes the share record_remittance
would, and the summary rows are rewritten by actions.refresh_summaries itself.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Sum
from django.utils import timezone

from chibo.accounts.models import Role, RoleKind
from chibo.dates import add_years
from chibo.fees import actions
from chibo.fees.arithmetic import (
    BasisTerm,
    ExemptionTerm,
    ReductionTerm,
    Terms,
    add_months,
    first_of,
    month_end,
    month_fee,
    remit_amount,
)
from chibo.fees.ledger import Ledger, cell_at_month_end, share_percent
from chibo.fees.models import (
    SUMMARY_FIGURES,
    CellFeeMonth,
    FeeBasisPeriod,
    FeeExemption,
    FeePayment,
    FeeReduction,
    PaymentMethod,
    RemitShare,
    Remittance,
)
from chibo.members.models import CURRENT_STATUSES, Member, MembershipPeriod
from chibo.orgs.models import CELL_LEVELS, Level, Organisation
from chibo.regulations.loader import pack_in_force
from chibo.seed import history as h

LOCAL = ZoneInfo(settings.TIME_ZONE)
MONTHS = 12
# Who pays how: every month, every quarter (three months at once), or late (the last
# months left unpaid: the arrears the cells chase).
STYLES = {"monthly": 45, "quarterly": 40, "late": 15}
PORTAL_SHARE = 0.15
POOR_SHARE = 0.03  # of residential members
REDUCED_SHARE = 0.02
UNREMITTED_SHARE = 0.12  # cells that have not remitted the last month yet
# The committee (by level) whose own share replaces the pack's: one commune of the demo.
OWN_SHARE = 40
PENSION = {"Hưu trí"}
NO_INSURANCE = {"Nông dân", "Kinh doanh", "Lao động tự do", "Cán bộ thôn"}
REDUCTION_REASON = "Hoàn cảnh gia đình khó khăn sau thiên tai"
POOR_NOTE = "Có sổ hộ nghèo do UBND xã cấp"
AGED_NOTE = "Đơn đề nghị miễn đóng đảng phí"
INSERT_BATCH = 5000


@dataclass
class Payment:
    months: list[datetime.date]
    paid_on: datetime.date
    method: str
    reference: str
    fees: list[tuple[int, str]] = field(default_factory=list)  # (đồng, pack id) of each month


@dataclass
class Plan:
    """One member's fees over the seeded months."""

    member_id: int
    cell_id: int
    basis: BasisTerm
    exemption: tuple[ExemptionTerm, datetime.date, str] | None = None  # with application date
    reduction: ReductionTerm | None = None
    payments: list[Payment] = field(default_factory=list)

    @property
    def terms(self) -> Terms:
        return Terms(
            (self.basis,),
            (self.exemption[0],) if self.exemption else (),
            (self.reduction,) if self.reduction else (),
        )


_PACKS: dict = {}


def _pack(month, province=None):
    key = (month, province.pk if province is not None else None)
    if key not in _PACKS:
        _PACKS[key] = pack_in_force(month, province, subject="fees")
    return _PACKS[key]


def _amount(terms: Terms, month: datetime.date, memo: dict, province=None) -> tuple | None:
    """The month's fee and its pack, as month_fee gives it, computed once for each set of
    terms that decide it."""
    basis = terms.basis_in(month)
    if basis is None:
        return None
    pack = _pack(month, province)
    if terms.exemptions or terms.reductions:
        key = (basis, terms.reduction_in(month), tuple(terms.exemptions_in(month)), pack.id)
    else:
        key = (basis.basis, basis.income, pack.id)
    if key not in memo:
        fee = month_fee(terms, month, pack.fees, pack.id)
        memo[key] = (fee.amount, fee.pack_id)
    return memo[key]


def _basis(rng: random.Random, occupation: str, start: datetime.date) -> BasisTerm:
    if occupation in PENSION:
        return BasisTerm("pension", rng.randrange(3_500_000, 9_000_000, 50_000), start)
    if occupation in NO_INSURANCE:
        return BasisTerm("no_insurance", None, start)
    return BasisTerm("salary", rng.randrange(4_500_000, 16_000_000, 50_000), start)


def plan_member(
    rng,
    member: dict,
    window: list[datetime.date],
    today: datetime.date,
    memo: dict | None = None,
    province=None,
) -> Plan:
    """Draw a member's basis, exemption, reduction and payments over the window's months.

    member: id, cell_id, occupation, admitted_on, joined (the start of their first home
    cell in the system), cell_type.
    """
    # Fees here start with membership and with the first cell in the system: a member who
    # came from outside (or was admitted during the year) paid nothing here before.
    joined = member["joined"] or member["admitted_on"]
    start = max(window[0], first_of(member["admitted_on"]), first_of(joined))
    plan = Plan(member["id"], member["cell_id"], _basis(rng, member["occupation"], start))
    if member["admitted_on"] <= _years_before(today, 50):
        # 50 years of party age exempts on application, where the pack has that ground,
        # from the month in which the member reaches it (as actions.grant_exemption checks).
        month = next(
            (
                m
                for m in window
                if m >= start and _aged_ground(_pack(m, province), member["admitted_on"], m)
            ),
            None,
        )
        if month is not None:
            applied = min(month + datetime.timedelta(days=rng.randint(2, 12)), today)
            plan.exemption = (ExemptionTerm("party_age_50", month, None), applied, AGED_NOTE)
    elif member["cell_type"] == "residential" and rng.random() < POOR_SHARE:
        applied = min(start + datetime.timedelta(days=rng.randint(2, 12)), today)
        plan.exemption = (ExemptionTerm("poor_household", start, None), applied, POOR_NOTE)
    if plan.exemption is None and rng.random() < REDUCED_SHARE and len(window) >= 6:
        first = rng.choice(window[: len(window) - 5])
        if first >= start:
            length = rng.choice((3, 6, 6, 12))
            plan.reduction = ReductionTerm(
                rng.choice((30, 50, 50, 70)), first, add_months(first, length - 1)
            )
    memo = {} if memo is None else memo
    plan.payments = _payments(rng, plan, window, today, memo, province)
    return plan


def _aged_ground(pack, admitted_on: datetime.date, month: datetime.date) -> bool:
    """Whether the pack exempts for party age and the member has it by the month's end."""
    ground = next((e for e in pack.fees.exemptions if e.key == "party_age_50"), None)
    if ground is None:
        return False
    years = ground.min_party_years
    return years is None or add_years(admitted_on, years) <= month_end(month)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _payments(rng, plan: Plan, window, today, memo: dict, province) -> list[Payment]:
    terms = plan.terms
    due, fees = [], {}
    for month in window:
        fee = _amount(terms, month, memo, province)
        if fee is not None and fee[0] > 0:
            due.append(month)
            fees[month] = fee
    if not due:
        return []
    style = h.weighted(rng, STYLES)
    if style == "late":
        due = due[: len(due) - rng.randint(2, 4)]
    groups = [[m] for m in due]
    if style == "quarterly":
        groups = [due[i : i + 3] for i in range(0, len(due), 3)]
    portal = rng.random() < PORTAL_SHARE
    payments = []
    for months in groups:
        last = months[-1]
        paid_on = last.replace(day=rng.randint(3, 25))
        if paid_on > today:
            continue  # not paid yet this month
        reference = f"DVC{rng.randrange(10**10):010d}" if portal else ""
        method = PaymentMethod.PORTAL if portal else PaymentMethod.CASH
        payments.append(Payment(months, paid_on, method, reference, [fees[m] for m in months]))
    return payments


def _remit_day(rng, month: datetime.date, today: datetime.date) -> datetime.date | None:
    """When a cell passes a month's share up: early in the next month (never the future)."""
    day = add_months(month, 1).replace(day=rng.randint(3, 15))
    return day if day <= today else None


def _members(cells: list[Organisation]) -> list[dict]:
    cell_types = {c.pk: c.cell_type for c in cells}
    rows = Member.objects.filter(
        cell_id__in=list(cell_types), status__in=CURRENT_STATUSES
    ).order_by("cell_id", "id")
    rows = rows.values("id", "cell_id", "occupation", "admitted_on").annotate(
        joined=Min("periods__started_on")
    )
    return [{**row, "cell_type": cell_types[row["cell_id"]]} for row in rows]


def _periods() -> dict[int, list[tuple]]:
    """Each member's home-cell periods: (organisation id, started_on, ended_on)."""
    periods: dict[int, list[tuple]] = {}
    for member_id, *period in MembershipPeriod.objects.values_list(
        "member_id", "organisation_id", "started_on", "ended_on"
    ):
        periods.setdefault(member_id, []).append(tuple(period))
    return periods


def _own_share_org() -> Organisation | None:
    """The committee that sets its own share instead of the pack's: the first commune."""
    return (
        Organisation.objects.filter(level=Level.SUPERIOR, closed_on__isnull=True)
        .order_by("path")
        .first()
    )


# The demo: through the actions.


def seed_demo_fees(actor, rng: random.Random, today: datetime.date | None = None) -> dict:
    """Play a year of fees for every cell through the actions; return counts."""
    _PACKS.clear()
    today = today or timezone.localdate()
    window = h.month_window(today, MONTHS)
    cells = list(Organisation.objects.filter(level__in=CELL_LEVELS, closed_on__isnull=True))
    cells.sort(key=lambda c: c.path)
    members = _members(cells)
    by_cell: dict[int, list[dict]] = {}
    for member in members:
        by_cell.setdefault(member["cell_id"], []).append(member)
    counts = {"fee_members": 0, "fee_payments": 0, "remittances": 0}
    clock = h.Clock()
    with transaction.atomic(), clock, actions.summaries_deferred():
        own = _own_share_org()
        if own is not None:
            clock.set(_moment(window[0]))
            actions.set_remit_share(actor, own, percent=OWN_SHARE, from_month=window[0])
        steps = []
        for cell in cells:
            collector = _collector(cell) or actor
            for member in by_cell.get(cell.pk, []):
                plan = plan_member(rng, member, window, today)
                steps += _member_steps(collector, plan)
                counts["fee_members"] += 1
                counts["fee_payments"] += sum(len(p.months) for p in plan.payments)
            steps += _remittance_steps(rng, collector, cell, window, today, counts)
        # All cells on one calendar: a member who moved paid some months under the cell they
        # were in then, and that cell's remittance counts what was paid by its day.
        for day, _order, step in sorted(steps, key=lambda s: (s[0], s[1])):
            clock.set(_moment(day))
            step()
        # What the daily `chibo fees refresh` would have written month after month.
        for start in range(0, len(cells), 500):
            actions.refresh_summaries(cells[start : start + 500], window)
    return counts


def _moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=LOCAL)


def _collector(cell: Organisation):
    """The cell's secretary's account, who keeps the fee book where the demo has one."""
    role = (
        Role.objects.filter(organisation=cell, kind=RoleKind.SECRETARY)
        .select_related("user")
        .first()
    )
    return role.user if role else None


def _member_steps(actor, plan: Plan) -> list[tuple]:
    member = Member(pk=plan.member_id)
    basis = plan.basis
    steps = [
        (
            basis.from_month,
            0,
            lambda: actions.set_basis(
                actor, member, basis=basis.basis, income=basis.income, from_month=basis.from_month
            ),
        )
    ]
    if plan.exemption:
        term, applied, note = plan.exemption
        steps.append(
            (
                applied,
                1,
                lambda: actions.grant_exemption(
                    actor,
                    member,
                    key=term.key,
                    from_month=term.from_month,
                    applied_on=applied,
                    note=note,
                ),
            )
        )
    if plan.reduction:
        r = plan.reduction
        steps.append(
            (
                r.from_month,
                1,
                lambda: actions.grant_reduction(
                    actor,
                    member,
                    percent=r.percent,
                    from_month=r.from_month,
                    until_month=r.until_month,
                    reason=REDUCTION_REASON,
                ),
            )
        )
    for p in plan.payments:
        steps.append(
            (
                p.paid_on,
                2,
                lambda p=p: actions.record_payment(
                    actor,
                    member,
                    months=p.months,
                    paid_on=p.paid_on,
                    method=p.method,
                    reference=p.reference,
                ),
            )
        )
    return steps


def _remit_days(rng, window, today) -> list[tuple[datetime.date, datetime.date]]:
    """(month, day) of each remittance of a cell: every month before this one, except, in
    some cells, the last month (not remitted yet)."""
    days = []
    late = rng.random() < UNREMITTED_SHARE
    for i, month in enumerate(window[:-1]):
        if late and i == len(window) - 2:
            continue
        day = _remit_day(rng, month, today)
        if day is not None:
            days.append((month, day))
    return days


def _remittance_steps(rng, actor, cell, window, today, counts) -> list[tuple]:
    steps = []
    for month, day in _remit_days(rng, window, today):

        def remit(month=month, day=day):
            # A cell that collected nothing that month has nothing to pass up.
            if FeePayment.objects.filter(cell=cell, month=month, cancelled_at=None).exists():
                actions.record_remittance(actor, cell, month=month, remitted_on=day)
                counts["remittances"] += 1

        steps.append((day, 3, remit))
    return steps


# The province: the same in bulk.


def _insert(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows with a plain executemany: building 800,000 model instances would take
    most of the seed."""
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


@transaction.atomic
def seed_province_fees(rng: random.Random, today: datetime.date | None = None, province=None):
    """Write a year of fees for every cell of the database in bulk; return counts.

    province: the provincial committee, whose own fees pack (if one is ever added) applies.
    """
    _PACKS.clear()
    started = time.monotonic()
    today = today or timezone.localdate()
    window = h.month_window(today, MONTHS)
    now = timezone.now()
    # Values as the database takes them, converted once rather than for each of the rows.
    stamp = connection.ops.adapt_datetimefield_value(now)
    days: dict[datetime.date, object] = {}

    def day(value: datetime.date):
        if value not in days:
            days[value] = connection.ops.adapt_datefield_value(value)
        return days[value]

    cells = list(Organisation.objects.filter(level__in=CELL_LEVELS, closed_on__isnull=True))
    cells.sort(key=lambda c: c.path)
    packs = {m: pack_in_force(m, province, subject="fees") for m in window}
    own = _own_share_org()
    shares = []
    if own is not None:
        RemitShare.objects.create(organisation=own, percent=OWN_SHARE, from_month=window[0])
        shares = [(own.path, window[0], OWN_SHARE)]
    members = _members(cells)
    bases, exemptions, reductions, payments = [], [], [], []
    collected: dict[tuple[int, datetime.date], list[tuple[datetime.date, int]]] = {}
    memo: dict[tuple, tuple[int, str]] = {}
    by_cell: dict[int, list[dict]] = {}
    for member in members:
        by_cell.setdefault(member["cell_id"], []).append(member)
    # Drawn in the demo's order (a cell's members, then its remittance days), so that the
    # same seed gives the same fees at both scales.
    plans, schedules = [], {}
    for cell in cells:
        for member in by_cell.get(cell.pk, []):
            plans.append(plan_member(rng, member, window, today, memo, province))
        schedules[cell.pk] = _remit_days(rng, window, today)
    periods = _periods()
    current = first_of(today)
    for plan in plans:
        b = plan.basis
        bases.append((plan.member_id, b.basis, b.income, b.from_month, now))
        if plan.exemption:
            term, applied, note = plan.exemption
            exemptions.append((plan.member_id, term.key, term.from_month, None, applied, note, now))
        if plan.reduction:
            r = plan.reduction
            reductions.append(
                (plan.member_id, r.percent, r.from_month, r.until_month, REDUCTION_REASON, now)
            )
        for p in plan.payments:
            paid_on = day(p.paid_on)
            # Each month at the fee record_payment computes (month_fee, the pack in force).
            for month, (amount, pack_id) in zip(p.months, p.fees, strict=True):
                # Under the cell record_payment takes: the one at the month's end.
                cell_id = cell_at_month_end(periods.get(plan.member_id, ()), month)
                if cell_id is None and month == current:
                    cell_id = plan.cell_id
                payments.append(
                    (
                        plan.member_id,
                        cell_id,
                        day(month),
                        amount,
                        amount,
                        pack_id,
                        paid_on,
                        p.method,
                        p.reference,
                        stamp,
                        "",
                    )
                )
                collected.setdefault((cell_id, month), []).append((p.paid_on, amount))
    _insert(FeeBasisPeriod, ("member", "basis", "income", "from_month", "created_at"), bases)
    _insert(
        FeeExemption,
        ("member", "key", "from_month", "until_month", "applied_on", "note", "created_at"),
        exemptions,
    )
    _insert(
        FeeReduction,
        ("member", "percent", "from_month", "until_month", "reason", "created_at"),
        reductions,
    )
    payment_fields = (
        "member",
        "cell",
        "month",
        "due",
        "amount",
        "pack_id",
        "paid_on",
        "method",
        "reference",
        "created_at",
        "cancel_reason",
    )
    _insert(FeePayment, payment_fields, payments)
    remittances = []
    for cell in cells:
        for month, day in schedules[cell.pk]:
            # What record_remittance sees on that day: the payments recorded by then.
            total = sum(a for paid_on, a in collected.get((cell.pk, month), ()) if paid_on <= day)
            if not total:
                continue
            own_percent = share_percent(cell.path, month, shares)
            percent = packs[month].fees.remit_percent if own_percent is None else own_percent
            remittances.append(
                (cell.pk, month, remit_amount(total, percent), day, total, percent, now)
            )
    _insert(
        Remittance,
        ("cell", "month", "amount", "remitted_on", "collected", "percent", "created_at"),
        remittances,
    )
    # The rows refresh_summaries writes, from the same Ledger, inserted plainly: there is
    # nothing to update yet.
    summaries = []
    for start in range(0, len(cells), 1000):
        for s in Ledger(cells[start : start + 1000], window).summaries():
            summaries.append((s.cell.pk, s.month, *s.figures().values(), now))
    _insert(CellFeeMonth, ("cell", "month", *SUMMARY_FIGURES, "refreshed_at"), summaries)
    return {
        "fee_members": len(bases),
        "fee_payments": len(payments),
        "fee_arrears_months": _arrears_count(window, today),
        "remittances": len(remittances),
        "fee_seconds": round(time.monotonic() - started, 1),
    }


def _arrears_count(window: list[datetime.date], today: datetime.date) -> int:
    """How many member-months the seed leaves unpaid before this month."""
    past = [m for m in window if m < first_of(today)]
    return CellFeeMonth.objects.filter(month__in=past).aggregate(n=Sum("unpaid"))["n"] or 0
