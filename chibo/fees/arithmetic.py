"""The fee arithmetic, without the database: months as dates, a member's terms, and the fee
of one month under the pack in force.

A month's fee: the basis amount (the pack's percent of the income, or its fixed amount) →
the reduction (30, 50 or 70%) → rounding to the pack's round_to, half up → 0 when one of the
pack's exemptions applies. Decimal is used only inside the computation; every amount that
leaves this module is a whole number of đồng (int), never a float.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from chibo.regulations.lifecycle import FeeRules

# Months

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$|^\s*(\d{1,2})/(\d{4})\s*$")


def first_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first days of the months from first to last, both included."""
    months, month = [], first_of(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def months_count(first: datetime.date, last: datetime.date) -> int:
    """Return how many months a span covers, both ends included: 03/2026–02/2027 is 12."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def year_months(year: int) -> list[datetime.date]:
    return [datetime.date(year, m, 1) for m in range(1, 13)]


def parse_month(text: str) -> datetime.date:
    """Return the first day of "2026-05" or "05/2026"; ValueError for anything else."""
    found = _MONTH.match(text or "")
    if not found:
        raise ValueError(text)
    year, month = (found[1], found[2]) if found[1] else (found[4], found[3])
    if not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2100:
        raise ValueError(text)
    return datetime.date(int(year), int(month), 1)


def month_label(month: datetime.date) -> str:
    """Return "05/2026", as the fee book writes a month in both languages."""
    return f"{month.month:02d}/{month.year}"


def month_key(month: datetime.date) -> str:
    """Return "2026-05", the month in addresses and the API."""
    return f"{month.year}-{month.month:02d}"


# Money


def round_half_up(value: Decimal | int, step: int) -> int:
    """Round to a multiple of step đồng, half up: the pack's rounding (FeeRules.rounded) for
    amounts that are not whole đồng yet, e.g. after a reduction."""
    if step <= 1:
        return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    units = (Decimal(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(units) * step


def remit_amount(collected: int, percent: int) -> int:
    """Return the share of a collection passed to the level above, in whole đồng (down)."""
    return collected * percent // 100


# A member's terms


@dataclass(frozen=True)
class BasisTerm:
    basis: str
    income: int | None
    from_month: datetime.date


@dataclass(frozen=True)
class ExemptionTerm:
    key: str
    from_month: datetime.date
    until_month: datetime.date | None  # the last month exempted; None while it lasts

    def covers(self, month: datetime.date) -> bool:
        return self.from_month <= month and (self.until_month is None or month <= self.until_month)


@dataclass(frozen=True)
class ReductionTerm:
    percent: int
    from_month: datetime.date
    until_month: datetime.date

    def covers(self, month: datetime.date) -> bool:
        return self.from_month <= month <= self.until_month


@dataclass(frozen=True)
class Terms:
    """What decides a member's fees: bases, exemptions and reductions, each sorted by month."""

    bases: tuple[BasisTerm, ...] = ()
    exemptions: tuple[ExemptionTerm, ...] = ()
    reductions: tuple[ReductionTerm, ...] = ()

    @property
    def start(self) -> datetime.date | None:
        """The first month a fee is due: the month of the first basis."""
        return self.bases[0].from_month if self.bases else None

    def basis_in(self, month: datetime.date) -> BasisTerm | None:
        found = None
        for basis in self.bases:
            if basis.from_month > month:
                break
            found = basis
        return found

    def exemptions_in(self, month: datetime.date) -> list[ExemptionTerm]:
        return [e for e in self.exemptions if e.covers(month)]

    def reduction_in(self, month: datetime.date) -> ReductionTerm | None:
        return next((r for r in self.reductions if r.covers(month)), None)


@dataclass(frozen=True)
class MonthFee:
    """The fee of one member for one month, and how it was reached."""

    month: datetime.date
    amount: int
    pack_id: str
    basis: str
    base: int  # the basis amount, before the reduction and the rounding
    reduction: int  # percent, 0 when none
    exemption: str  # the pack's exemption key when exempt, else ""

    @property
    def is_exempt(self) -> bool:
        return bool(self.exemption)


def month_fee(terms: Terms, month: datetime.date, rules: FeeRules, pack_id: str) -> MonthFee | None:
    """Return the member's fee for the month under the rules in force, or None before the
    member's fees start (no basis yet)."""
    basis = terms.basis_in(month)
    if basis is None:
        return None
    base = rules.basis(basis.basis).amount(basis.income)
    reduction = terms.reduction_in(month)
    percent = reduction.percent if reduction else 0
    amount = round_half_up(Decimal(base) * (100 - percent) / 100, rules.round_to)
    # Only the grounds of the pack in force exempt: a ground a later pack added exempts from
    # that pack's first month on.
    grounds = {e.key for e in rules.exemptions}
    exemption = next((e.key for e in terms.exemptions_in(month) if e.key in grounds), "")
    return MonthFee(
        month=month,
        amount=0 if exemption else amount,
        pack_id=pack_id,
        basis=basis.basis,
        base=base,
        reduction=percent,
        exemption=exemption,
    )
