"""Reads of party fees, scoped to what the user may see: a member's fees and arrears, a
cell's month and year, a committee's subtree, and unpaid_months for the removal rule.

Who sees what (chibo.accounts.policy): VIEW_FEES on the cell (its committee, the committees
above, inspection staff), and every member for their own record. Incomes are personal data:
only those who may see the member's fees see them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from chibo.accounts.policy import Perm, visible_members, visible_orgs
from chibo.fees.arithmetic import (
    MonthFee,
    Terms,
    first_of,
    month_fee,
    months_between,
    year_months,
)
from chibo.fees.ledger import (
    NO_TERMS,
    Ledger,
    Packs,
    Summary,
    all_shares,
    load_terms,
    share_percent,
)
from chibo.fees.models import (
    CellFeeMonth,
    FeeBasisPeriod,
    FeeExemption,
    FeePayment,
    FeeReduction,
    RemitShare,
)
from chibo.members.models import Member
from chibo.orgs.models import Organisation


def current_month(today: datetime.date | None = None) -> datetime.date:
    return first_of(today or timezone.localdate())


# Scope.


def fee_members(user) -> QuerySet[Member]:
    """The members whose fees the user may see: their cells' and their own."""
    return visible_members(user, Perm.VIEW_FEES).select_related("cell")


def fee_orgs(user, perm: Perm = Perm.VIEW_FEES) -> QuerySet[Organisation]:
    return visible_orgs(user, perm)


# One member.


def member_terms(member: Member) -> Terms:
    return load_terms([member.pk]).get(member.pk, NO_TERMS)


def payments_of(member: Member) -> dict[datetime.date, FeePayment]:
    """The member's payments that stand (not cancelled), by month."""
    return {
        p.month: p
        for p in FeePayment.objects.filter(member=member, cancelled_at__isnull=True).select_related(
            "cell"
        )
    }


@dataclass
class MemberMonth:
    """One month of a member's fee book."""

    month: datetime.date
    fee: MonthFee | None
    payment: FeePayment | None
    state: str  # paid, exempt, owed (this month), arrears, future, none (no fee yet)


def _state(fee, payment, month, current, belongs: bool) -> str:
    if payment is not None:
        return "paid"
    if fee is None or not belongs:
        return "none"
    if month > current:
        return "future"
    if fee.amount == 0:
        return "exempt"
    return "owed" if month == current else "arrears"


class MemberFees:
    """A member's fees month by month, from their terms, payments and the packs."""

    def __init__(self, member: Member, today: datetime.date | None = None):
        self.member = member
        self.current = current_month(today)
        self.terms = member_terms(member)
        self.payments = payments_of(member)
        self.packs = Packs()

    def fee(self, month: datetime.date) -> MonthFee | None:
        pack = self.packs(self.member.cell, month)
        return month_fee(self.terms, month, pack.fees, pack.id)

    def month(self, month: datetime.date) -> MemberMonth:
        fee, payment = self.fee(month), self.payments.get(month)
        state = _state(fee, payment, month, self.current, self.member.is_current)
        return MemberMonth(month, fee, payment, state)

    def year(self, year: int) -> list[MemberMonth]:
        return [self.month(m) for m in year_months(year)]

    def arrears(self, before: datetime.date | None = None) -> list[MonthFee]:
        """The months due and unpaid since the fees started, before `before` (the current
        month, by default: the current month is still being collected).

        A member who no longer belongs to the party (transferred out of the system, removed,
        deceased) owes nothing through here.
        """
        before = before or self.current
        start = self.terms.start
        if start is None or not self.member.is_current or start >= before:
            return []
        due = []
        for month in months_between(start, before - datetime.timedelta(days=1)):
            if month in self.payments:
                continue
            fee = self.fee(month)
            if fee is not None and fee.amount > 0:
                due.append(fee)
        return due

    def unpaid_months(self, year: int) -> list[datetime.date]:
        return [fee.month for fee in self.arrears() if fee.month.year == year]


def unpaid_months(
    member: Member, year: int, today: datetime.date | None = None
) -> list[datetime.date]:
    """Return the first day of each month of the year that was due and is unpaid: months
    since the member's fees started (their first fee basis) that have ended, whose fee is
    not zero (exempt), with no payment standing. The current month is still being collected
    and is not listed. Used by the removal-of-name rule (3 months in a year, Charter art. 8)."""
    return MemberFees(member, today).unpaid_months(year)


def member_history(member: Member):
    """The member's bases, exemptions and reductions, newest first."""
    return {
        "bases": FeeBasisPeriod.objects.filter(member=member).order_by("-from_month"),
        "exemptions": FeeExemption.objects.filter(member=member).order_by("-from_month"),
        "reductions": FeeReduction.objects.filter(member=member).order_by("-from_month"),
    }


# A cell's month.


@dataclass
class Row:
    """One member on the cell's month sheet."""

    member: Member
    fee: MonthFee | None
    payment: FeePayment | None
    arrears: list[MonthFee] = field(default_factory=list)

    @property
    def owes(self) -> bool:
        return self.payment is None and self.fee is not None and self.fee.amount > 0

    @property
    def arrears_amount(self) -> int:
        return sum(f.amount for f in self.arrears)


@dataclass
class MonthReport:
    """The cell's fee report for a month, as read at the meeting."""

    summary: Summary
    rows: list[Row]
    current: datetime.date

    @property
    def paid_rows(self) -> list[Row]:
        return [r for r in self.rows if r.payment is not None]

    @property
    def owing_rows(self) -> list[Row]:
        return [r for r in self.rows if r.owes]

    @property
    def without_basis(self) -> list[Row]:
        return [r for r in self.rows if r.fee is None]

    @property
    def arrears_total(self) -> int:
        return sum(r.arrears_amount for r in self.rows)

    @property
    def arrears_months(self) -> int:
        return sum(len(r.arrears) for r in self.rows)

    @property
    def in_arrears(self) -> list[Row]:
        return [r for r in self.rows if r.arrears]


def month_report(cell: Organisation, month: datetime.date, today=None) -> MonthReport:
    """Who paid, who owes, the totals and the share to remit; arrears are the members'
    earlier months still unpaid."""
    current = current_month(today)
    ledger = Ledger([cell], [month])
    summary = ledger.summary(cell.pk, month)
    ids = ledger.roster.get((cell.pk, month), [])
    members = Member.objects.filter(pk__in=ids).order_by("name_folded", "id")
    payments: dict[int, dict[datetime.date, FeePayment]] = {}
    for p in FeePayment.objects.filter(member_id__in=ids, cancelled_at__isnull=True).select_related(
        "cell"
    ):
        payments.setdefault(p.member_id, {})[p.month] = p
    rows = []
    for member in members:
        paid = payments.get(member.pk, {})
        terms = ledger.terms.get(member.pk, NO_TERMS)
        arrears = []
        if terms.start is not None and terms.start < month:
            for earlier in months_between(terms.start, month - datetime.timedelta(days=1)):
                if earlier in paid:
                    continue
                fee = ledger.fee(member.pk, cell, earlier)
                if fee is not None and fee.amount > 0:
                    arrears.append(fee)
        rows.append(Row(member, ledger.fee(member.pk, cell, month), paid.get(month), arrears))
    return MonthReport(summary=summary, rows=rows, current=current)


# A year.


def cell_year(cell: Organisation, year: int, today=None) -> list[Summary]:
    """The cell's months of the year that have begun, counted from the records."""
    months = [m for m in year_months(year) if m <= current_month(today)]
    if not months:
        return []
    ledger = Ledger([cell], months)
    return [ledger.summary(cell.pk, m) for m in months]


def totals(summaries: list[Summary]) -> dict[str, int]:
    """The sums of a cell's months (the year's last line)."""
    return {name: sum(getattr(s, name) for s in summaries) for name in MONEY_FIELDS}


@dataclass
class Branch:
    """The figures of one organisation's subtree (or of one cell) over some months."""

    org: Organisation
    cells: int = 0
    members: int = 0  # in the last month counted
    due: int = 0
    collected: int = 0
    unpaid_due: int = 0
    remit_due: int = 0
    remitted: int = 0
    remitted_cells: int = 0


MONEY_FIELDS = ("due", "collected", "unpaid_due", "remit_due", "remitted")
# Summed under other names: an aggregate may not take the name of the field it sums.
SUMS = {f"{name}_sum": Sum(name) for name in MONEY_FIELDS}


def _money(figures: dict) -> dict[str, int]:
    return {name: figures.get(f"{name}_sum") or 0 for name in MONEY_FIELDS}


def _children(org: Organisation) -> QuerySet[Organisation]:
    # By path, not by treebeard's numchild, which an instance read before a child was added
    # does not know about.
    return Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by(
        "path"
    )


def _by_branch(org: Organisation, rows: QuerySet[CellFeeMonth], **extra) -> dict[str, dict]:
    """Sum summary rows by the branch under org they fall in: one query."""
    length = len(org.path) + Organisation.steplen
    return {
        row["branch"]: row
        for row in rows.filter(cell__path__startswith=org.path)
        .annotate(branch=Substr("cell__path", 1, length))
        .values("branch")
        .annotate(cells=Count("cell_id", distinct=True), **SUMS, **extra)
        .order_by()
    }


def subtree_year(org: Organisation, year: int, today=None) -> tuple[list[Branch], Branch]:
    """The year of each organisation directly under a committee, and the total, from the
    summary rows (CellFeeMonth): a few queries whatever the size of the subtree."""
    last = min(datetime.date(year, 12, 1), current_month(today))
    rows = CellFeeMonth.objects.filter(month__gte=datetime.date(year, 1, 1), month__lte=last)
    sums = _by_branch(org, rows)
    members = _by_branch(org, rows.filter(month=last), members_last=Sum("members"))
    branches = []
    total = Branch(org=org)
    for child in _children(org):
        figures = sums.get(child.path, {})
        branch = Branch(
            org=child,
            cells=figures.get("cells", 0),
            members=members.get(child.path, {}).get("members_last") or 0,
            **_money(figures),
        )
        branches.append(branch)
        for name in ("cells", "members", *MONEY_FIELDS):
            setattr(total, name, getattr(total, name) + getattr(branch, name))
    return branches, total


def subtree_month(org: Organisation, month: datetime.date) -> tuple[list[Branch], Branch]:
    """For one month: which organisations under a committee remitted their share."""
    rows = CellFeeMonth.objects.filter(month=month)
    sums = _by_branch(
        org,
        rows,
        members_sum=Sum("members"),
        remitted_count=Count("cell_id", filter=Q(remitted__gt=0)),
    )
    branches = []
    total = Branch(org=org)
    for child in _children(org):
        figures = sums.get(child.path, {})
        branch = Branch(
            org=child,
            cells=figures.get("cells", 0),
            members=figures.get("members_sum") or 0,
            remitted_cells=figures.get("remitted_count", 0),
            **_money(figures),
        )
        branches.append(branch)
        for name in ("cells", "members", "remitted_cells", *MONEY_FIELDS):
            setattr(total, name, getattr(total, name) + getattr(branch, name))
    return branches, total


# The share remitted to the level above.


def shares_of(org: Organisation) -> QuerySet[RemitShare]:
    """The settings that apply under an organisation: its own and its ancestors'."""
    step = Organisation.steplen
    prefixes = [org.path[:n] for n in range(step, len(org.path) + 1, step)]
    return (
        RemitShare.objects.filter(organisation__path__in=prefixes)
        .select_related("organisation")
        .order_by("organisation__path", "from_month")
    )


def remit_percent(org: Organisation, month: datetime.date) -> tuple[int, str]:
    """Return the share a cell under org (or org itself) remits for the month, and where it
    comes from: "pack" or "organisation"."""
    own = share_percent(org.path, month, all_shares())
    if own is not None:
        return own, "organisation"
    return Packs()(org, month).fees.remit_percent, "pack"
