"""The fees of some cells over some months, read in a few queries: who each cell accounts
for in each month, their fees, what was paid and collected, and the month's figures.

A cell accounts for a month for the members whose home cell it was at the month's end
(MembershipPeriod). A membership that ends (transfer out of the system, removal, death)
closes the member's period on that day, so they owe nothing from that month on, while the
months before still count them: a past month's report does not change when someone leaves
later, and its collection keeps matching its members. The pages of one cell, the summary
rows (CellFeeMonth) and the province seed all count through here, so they agree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum

from chibo.fees.arithmetic import (
    BasisTerm,
    ExemptionTerm,
    MonthFee,
    ReductionTerm,
    Terms,
    month_end,
    month_fee,
    remit_amount,
)
from chibo.fees.models import (
    FeeBasisPeriod,
    FeeExemption,
    FeePayment,
    FeeReduction,
    RemitShare,
    Remittance,
)
from chibo.members.models import MembershipPeriod
from chibo.orgs.models import Organisation
from chibo.regulations.loader import Pack, load_packs, pack_for, pack_in_force

NO_TERMS = Terms()


class Packs:
    """The fees pack in force for an organisation and a month, looked up once each.

    While no provincial fees pack exists (none is shipped) the national one applies
    everywhere and no query is needed.
    """

    def __init__(self):
        self._packs: dict[tuple, Pack] = {}
        self._provincial = any(p.subject == "fees" and p.scope is not None for p in load_packs())

    def __call__(self, org: Organisation, month: datetime.date) -> Pack:
        key = (org.pk if self._provincial else None, month)
        if key not in self._packs:
            if self._provincial:
                self._packs[key] = pack_for(org, month, subject="fees")
            else:
                self._packs[key] = pack_in_force(month, None, subject="fees")
        return self._packs[key]


def cell_at_month_end(periods, month: datetime.date) -> int | None:
    """The cell a month belongs to for a member: the organisation of their period that
    covers the month's last day (as Ledger draws its roster), or None when they were in no
    cell of the system then. periods: (organisation id, started_on, ended_on)."""
    end = month_end(month)
    for cell_id, started, ended in periods:
        if started <= end and (ended is None or ended > end):
            return cell_id
    return None


def load_terms(member_ids) -> dict[int, Terms]:
    """Return the terms of the members (ids, or a subquery of ids): three queries."""
    bases, exemptions, reductions = defaultdict(list), defaultdict(list), defaultdict(list)
    for mid, basis, income, start in (
        FeeBasisPeriod.objects.filter(member_id__in=member_ids)
        .order_by("member_id", "from_month")
        .values_list("member_id", "basis", "income", "from_month")
    ):
        bases[mid].append(BasisTerm(basis, income, start))
    for mid, key, start, until in (
        FeeExemption.objects.filter(member_id__in=member_ids)
        .order_by("member_id", "from_month", "id")
        .values_list("member_id", "key", "from_month", "until_month")
    ):
        exemptions[mid].append(ExemptionTerm(key, start, until))
    for mid, percent, start, until in (
        FeeReduction.objects.filter(member_id__in=member_ids)
        .order_by("member_id", "from_month")
        .values_list("member_id", "percent", "from_month", "until_month")
    ):
        reductions[mid].append(ReductionTerm(percent, start, until))
    return {
        mid: Terms(tuple(bases[mid]), tuple(exemptions[mid]), tuple(reductions[mid]))
        for mid in set(bases) | set(exemptions) | set(reductions)
    }


def share_percent(path: str, month: datetime.date, shares: list[tuple[str, datetime.date, int]]):
    """Return the share an organisation's own setting gives a cell at path for the month, or
    None when no organisation above it (or itself) sets one: the nearest organisation's
    latest setting that has begun. shares: (organisation path, from month, percent)."""
    best = None
    for org_path, start, percent in shares:
        if path.startswith(org_path) and start <= month:
            key = (len(org_path), start)
            if best is None or key > best[0]:
                best = (key, percent)
    return best[1] if best else None


def all_shares() -> list[tuple[str, datetime.date, int]]:
    return list(RemitShare.objects.values_list("organisation__path", "from_month", "percent"))


@dataclass
class Summary:
    """A cell's month in figures (what a CellFeeMonth row holds)."""

    cell: Organisation
    month: datetime.date
    pack: Pack
    members: int = 0
    due: int = 0
    collected: int = 0
    paid: int = 0
    unpaid: int = 0
    unpaid_due: int = 0
    remit_percent: int = 0
    remit_due: int = 0
    remitted: int = 0
    remittance: dict | None = None  # month, amount, remitted_on, collected, percent

    def figures(self) -> dict[str, int]:
        return {
            "members": self.members,
            "due": self.due,
            "collected": self.collected,
            "paid": self.paid,
            "unpaid": self.unpaid,
            "unpaid_due": self.unpaid_due,
            "remit_percent": self.remit_percent,
            "remit_due": self.remit_due,
            "remitted": self.remitted,
        }

    @property
    def to_remit(self) -> int:
        """What is still to be passed up: the share less what was remitted."""
        return max(self.remit_due - self.remitted, 0)


class Ledger:
    """The fees of the given cells over the given months."""

    def __init__(self, cells: Iterable[Organisation], months: Iterable[datetime.date]):
        self.cells = {c.pk: c for c in cells}
        self.months = sorted(set(months))
        self.packs = Packs()
        first_end, last_end = month_end(self.months[0]), month_end(self.months[-1])
        periods = MembershipPeriod.objects.filter(
            organisation_id__in=list(self.cells),
            started_on__lte=last_end,
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first_end))
        # Who each cell accounts for in each month: its members at the month's end.
        self.roster: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)
        ends = [(month, month_end(month)) for month in self.months]
        for member_id, cell_id, started, ended in periods.values_list(
            "member_id", "organisation_id", "started_on", "ended_on"
        ):
            for month, end in ends:
                if started <= end and (ended is None or ended > end):
                    self.roster[cell_id, month].append(member_id)
        member_ids = periods.values("member_id")
        self.terms = load_terms(member_ids)
        # Month by month: ids alone come back faster than (id, date) pairs.
        self.paid: set[tuple[int, datetime.date]] = set()
        for month in self.months:
            self.paid.update(
                (member_id, month)
                for member_id in FeePayment.objects.filter(
                    cancelled_at__isnull=True, member_id__in=member_ids, month=month
                ).values_list("member_id", flat=True)
            )
        self.collected = {
            (row["cell_id"], row["month"]): row["total"]
            for row in FeePayment.objects.filter(
                cancelled_at__isnull=True, cell_id__in=list(self.cells), month__in=self.months
            )
            .values("cell_id", "month")
            .annotate(total=Sum("amount"))
        }
        self.remittances = {
            (r["cell_id"], r["month"]): r
            for r in Remittance.objects.filter(
                cell_id__in=list(self.cells), month__in=self.months
            ).values("cell_id", "month", "amount", "remitted_on", "collected", "percent")
        }
        self.shares = all_shares()
        self._amounts: dict[tuple, int] = {}

    def fee(self, member_id: int, cell: Organisation, month: datetime.date) -> MonthFee | None:
        pack = self.packs(cell, month)
        return month_fee(self.terms.get(member_id, NO_TERMS), month, pack.fees, pack.id)

    def amount(self, member_id: int, cell: Organisation, month: datetime.date) -> int | None:
        """The month's fee in đồng (None before the fees start), as fee() gives it.

        Most members have one basis and no exemption or reduction: their fee depends only
        on the basis and the pack, so it is computed once for them all."""
        terms = self.terms.get(member_id, NO_TERMS)
        if len(terms.bases) != 1 or terms.exemptions or terms.reductions:
            found = self.fee(member_id, cell, month)
            return None if found is None else found.amount
        basis = terms.bases[0]
        if month < basis.from_month:
            return None
        pack = self.packs(cell, month)
        key = (basis.basis, basis.income, pack.id)
        if key not in self._amounts:
            self._amounts[key] = month_fee(terms, month, pack.fees, pack.id).amount
        return self._amounts[key]

    def remit_percent(self, cell: Organisation, month: datetime.date) -> int:
        own = share_percent(cell.path, month, self.shares)
        return self.packs(cell, month).fees.remit_percent if own is None else own

    def summary(self, cell_id: int, month: datetime.date) -> Summary:
        cell = self.cells[cell_id]
        out = Summary(cell=cell, month=month, pack=self.packs(cell, month))
        for member_id in self.roster.get((cell_id, month), ()):
            amount = self.amount(member_id, cell, month)
            if amount is None:
                continue
            out.members += 1
            out.due += amount
            if (member_id, month) in self.paid:
                out.paid += 1
            elif amount > 0:
                out.unpaid += 1
                out.unpaid_due += amount
        out.collected = self.collected.get((cell_id, month), 0)
        out.remit_percent = self.remit_percent(cell, month)
        out.remit_due = remit_amount(out.collected, out.remit_percent)
        out.remittance = self.remittances.get((cell_id, month))
        out.remitted = out.remittance["amount"] if out.remittance else 0
        return out

    def summaries(self) -> list[Summary]:
        return [self.summary(cell_id, month) for cell_id in self.cells for month in self.months]
