"""The membership and party-fee sections of regulation packs.

A "membership" pack holds the Charter's figures for a member's path: admission (ages, the
introducers, the dossier and how long its documents stay valid, the ceremony's deadline),
probation, transfers, removal of name, party badges and residence contact. A "fees" pack
holds the party-fee rates, exemptions and reductions. Both are read by loader.read_pack,
with the same checks and error messages as the meeting sections; see README.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

from chibo.regulations.loader import _Titled as Titled
from chibo.regulations.loader import _unique as unique

if TYPE_CHECKING:  # pragma: no cover
    from chibo.regulations.loader import Source, WarningRule, _Fields

PRODUCERS = ("candidate", "cell", "committee")
# The levels of general education a pack may set as the admission minimum, lowest first
# (chibo.members.models.Education has the same values with their labels).
EDUCATION_LEVELS = ("none", "primary", "lower_secondary", "upper_secondary")
# The early warnings (chibo.oversight.warnings) a membership pack must give, with their
# figures. Absences and unpaid fees warn at warn_at_months and name the removal figure of
# "removal"; a probation warns from the first of "probation.reminder_days".
MEMBERSHIP_WARNING_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "member_absent": ("warn_at_months",),
        "member_unpaid_fees": ("warn_at_months",),
        "probation_ending": (),
        "temporary_transfer_ending": ("within_days",),
    }
)


@dataclass(frozen=True)
class DossierDocument(Titled):
    """One document of an admission dossier (hồ sơ kết nạp)."""

    key: str
    title: str
    title_en: str
    produced_by: str  # "candidate" brings it; "cell" or "committee" makes it in Chibo
    required: bool = True
    valid_years: int | None = None  # e.g. the course certificate: 5 years
    # A document that may stand in for this one (the Youth Union's resolution for the
    # second introduction).
    alternative: str = ""


@dataclass(frozen=True)
class AdmissionRules:
    min_age: int
    max_age: int  # older candidates need the approval of over_max_age_approver
    over_max_age_approver: str
    min_education: str
    introducers: int
    introducer_min_months_known: int
    ceremony_within_working_days: int
    dossier: tuple[DossierDocument, ...]

    def document(self, key: str) -> DossierDocument:
        for doc in self.dossier:
            if doc.key == key:
                return doc
        raise KeyError(key)


@dataclass(frozen=True)
class ProbationRules:
    months: int
    review_within_working_days: int
    reminder_days: tuple[int, ...]  # remind this many days before each deadline


@dataclass(frozen=True)
class TransferRules:
    official_within_working_days: int
    present_letter_within_days: int
    temporary_min_months: int
    temporary_max_months: int
    training_max_months: int


@dataclass(frozen=True)
class RemovalRules:
    absent_months_in_year: int
    unpaid_fee_months_in_year: int
    help_months_before_removal: int


@dataclass(frozen=True)
class BadgeRules:
    years: tuple[int, ...]
    award_days: tuple[tuple[int, int], ...]  # (month, day), in the order of the year

    def award_dates(self, year: int) -> list[datetime.date]:
        return [datetime.date(year, m, d) for m, d in self.award_days]


@dataclass(frozen=True)
class ExemptGroup(Titled):
    key: str
    title: str
    title_en: str = ""


@dataclass(frozen=True)
class ResidenceRules:
    meeting_every_months: int
    exempt_groups: tuple[ExemptGroup, ...]


@dataclass(frozen=True, eq=False)
class MembershipRules:
    admission: AdmissionRules
    probation: ProbationRules
    transfer: TransferRules
    removal: RemovalRules
    badges: BadgeRules
    residence: ResidenceRules


@dataclass(frozen=True)
class FeeBasis(Titled):
    """How one group of members computes its monthly fee: a percent of an income, or a
    fixed amount in đồng."""

    key: str
    title: str
    title_en: str
    percent: Decimal | None = None
    fixed: int | None = None  # đồng a month

    def amount(self, income: int | None) -> int:
        """Return the fee in đồng before rounding, reductions and exemptions."""
        if self.fixed is not None:
            return self.fixed
        if income is None:
            raise ValueError(f"fee basis {self.key!r} needs an income")
        return int(Decimal(income) * self.percent / 100)


@dataclass(frozen=True)
class FeeExemption(Titled):
    key: str
    title: str
    title_en: str = ""
    # The party age a member must have reached (e.g. 50 years), when the ground is one.
    min_party_years: int | None = None


@dataclass(frozen=True, eq=False)
class FeeRules:
    bases: Mapping[str, FeeBasis]
    exemptions: tuple[FeeExemption, ...]
    reduction_percents: tuple[int, ...]
    reduction_max_months: int
    round_to: int  # đồng; 1 means no rounding
    remit_percent: int  # share of a cell's collection passed to the level above (default)
    payment_methods: tuple[str, ...]

    def basis(self, key: str) -> FeeBasis:
        try:
            return self.bases[key]
        except KeyError:
            raise ValueError(f"unknown fee basis {key!r}: {sorted(self.bases)}") from None

    def rounded(self, amount: int) -> int:
        """Round half up to round_to đồng."""
        if self.round_to <= 1:
            return amount
        return (amount + self.round_to // 2) // self.round_to * self.round_to


PAYMENT_METHODS = ("cash", "public_service_portal")


def _titled_list(f: _Fields, field: str, cls) -> tuple:
    items = []
    for i, raw in enumerate(f.get(field, list)):
        s = f.sub(raw, f"{field}[{i}]")
        items.append(cls(key=s.key(), title=s.text("title"), title_en=s.text("title_en", "")))
        s.done()
    unique([i.key for i in items], f, field)
    return tuple(items)


def _fee_exemptions(f: _Fields) -> tuple[FeeExemption, ...]:
    items = []
    for i, raw in enumerate(f.get("exemptions", list)):
        s = f.sub(raw, f"exemptions[{i}]")
        items.append(
            FeeExemption(
                key=s.key(),
                title=s.text("title"),
                title_en=s.text("title_en", ""),
                min_party_years=s.integer("min_party_years", None, minimum=1),
            )
        )
        s.done()
    unique([i.key for i in items], f, "exemptions")
    return tuple(items)


def read_membership(f: _Fields) -> MembershipRules:
    a = f.sub(f.get("admission", dict), "admission")
    dossier = []
    for i, raw in enumerate(a.get("dossier", list)):
        d = a.sub(raw, f"dossier[{i}]")
        produced_by = d.text("produced_by")
        if produced_by not in PRODUCERS:
            d.fail(f"must be one of {', '.join(PRODUCERS)}", "produced_by")
        dossier.append(
            DossierDocument(
                key=d.key(),
                title=d.text("title"),
                title_en=d.text("title_en", ""),
                produced_by=produced_by,
                required=d.get("required", bool, True),
                valid_years=d.integer("valid_years", None, minimum=1),
                alternative=d.text("alternative", ""),
            )
        )
        d.done()
    if not dossier:
        a.fail("must list at least one document", "dossier")
    unique([d.key for d in dossier], a, "dossier")
    keys = {d.key for d in dossier}
    for i, doc in enumerate(dossier):
        if doc.alternative and doc.alternative not in keys:
            a.fail(f"{doc.alternative!r} is not a document of the dossier", f"dossier[{i}]")
    admission = AdmissionRules(
        min_age=a.integer("min_age", minimum=1),
        max_age=a.integer("max_age", minimum=1),
        over_max_age_approver=a.text("over_max_age_approver"),
        min_education=a.text("min_education"),
        introducers=a.integer("introducers", minimum=1),
        introducer_min_months_known=a.integer("introducer_min_months_known"),
        ceremony_within_working_days=a.integer("ceremony_within_working_days", minimum=1),
        dossier=tuple(dossier),
    )
    if admission.min_education not in EDUCATION_LEVELS:
        a.fail(f"one of {', '.join(EDUCATION_LEVELS)}", "min_education")
    if admission.max_age < admission.min_age:
        a.fail("must not be below min_age", "max_age")
    a.done()

    p = f.sub(f.get("probation", dict), "probation")
    reminders = p.get("reminder_days", list, [])
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in reminders):
        p.fail("must be a list of whole numbers of days", "reminder_days")
    probation = ProbationRules(
        months=p.integer("months", minimum=1),
        review_within_working_days=p.integer("review_within_working_days", minimum=1),
        reminder_days=tuple(sorted(reminders, reverse=True)),
    )
    p.done()

    t = f.sub(f.get("transfer", dict), "transfer")
    transfer = TransferRules(
        official_within_working_days=t.integer("official_within_working_days", minimum=1),
        present_letter_within_days=t.integer("present_letter_within_days", minimum=1),
        temporary_min_months=t.integer("temporary_min_months", minimum=1),
        temporary_max_months=t.integer("temporary_max_months", minimum=1),
        training_max_months=t.integer("training_max_months", minimum=1),
    )
    if transfer.temporary_max_months < transfer.temporary_min_months:
        t.fail("must not be below temporary_min_months", "temporary_max_months")
    t.done()

    r = f.sub(f.get("removal", dict), "removal")
    removal = RemovalRules(
        absent_months_in_year=r.integer("absent_months_in_year", minimum=1),
        unpaid_fee_months_in_year=r.integer("unpaid_fee_months_in_year", minimum=1),
        help_months_before_removal=r.integer("help_months_before_removal", minimum=1),
    )
    r.done()

    b = f.sub(f.get("badges", dict), "badges")
    years = b.get("years", list)
    if not years or not all(isinstance(y, int) and y > 0 for y in years):
        b.fail("must be a list of whole numbers of years", "years")
    if list(years) != sorted(set(years)):
        b.fail("must go up, each once", "years")
    award_days = []
    for i, text in enumerate(b.get("award_days", list)):
        try:
            day = datetime.datetime.strptime(f"2000-{text}", "%Y-%m-%d").date()
        except (TypeError, ValueError):
            b.fail(f"{text!r} is not a month and day (MM-DD)", f"award_days[{i}]")
        award_days.append((day.month, day.day))
    if not award_days or award_days != sorted(set(award_days)):
        b.fail("must list the award days once each, in the order of the year", "award_days")
    badges = BadgeRules(years=tuple(years), award_days=tuple(award_days))
    b.done()

    s = f.sub(f.get("residence", dict), "residence")
    residence = ResidenceRules(
        meeting_every_months=s.integer("meeting_every_months", minimum=1),
        exempt_groups=_titled_list(s, "exempt_groups", ExemptGroup),
    )
    s.done()
    f.done()
    return MembershipRules(admission, probation, transfer, removal, badges, residence)


def read_membership_warnings(
    f: _Fields, sources: Sequence[Source], membership: MembershipRules
) -> dict[str, WarningRule]:
    """Read the membership pack's "warnings" block; an early warning on absences or unpaid
    fees comes no later than the removal figure it announces."""
    from chibo.regulations.loader import read_warnings

    rules = read_warnings(f, MEMBERSHIP_WARNING_RULES, sources)
    for key, removal_at in (
        ("member_absent", membership.removal.absent_months_in_year),
        ("member_unpaid_fees", membership.removal.unpaid_fee_months_in_year),
    ):
        if rules[key].figures["warn_at_months"] > removal_at:
            f.sub(f.data[key], key).fail(
                f"must not be above the removal figure ({removal_at})", "warn_at_months"
            )
    if not membership.probation.reminder_days:
        f.fail("needs membership.probation.reminder_days to know how early", "probation_ending")
    return rules


def read_fees(f: _Fields) -> FeeRules:
    bases = {}
    for i, raw in enumerate(f.get("bases", list)):
        b = f.sub(raw, f"bases[{i}]")
        if ("percent" in b.data) == ("fixed" in b.data):
            b.fail('needs exactly one of "percent" and "fixed"')
        basis = FeeBasis(
            key=b.key(),
            title=b.text("title"),
            title_en=b.text("title_en", ""),
            percent=b.number("percent", None),
            fixed=b.integer("fixed", None),
        )
        if basis.percent is not None and not 0 < basis.percent <= 100:
            b.fail("must be more than 0 and at most 100", "percent")
        b.done()
        if basis.key in bases:
            f.fail(f"key {basis.key!r} is used twice", "bases")
        bases[basis.key] = basis
    if not bases:
        f.fail("must list at least one basis", "bases")
    reductions = f.get("reduction_percents", list)
    if not all(isinstance(n, int) and 0 < n < 100 for n in reductions):
        f.fail("must be whole percents between 1 and 99", "reduction_percents")
    methods = f.get("payment_methods", list)
    if not methods or any(m not in PAYMENT_METHODS for m in methods):
        f.fail(f"must list some of {', '.join(PAYMENT_METHODS)}", "payment_methods")
    rules = FeeRules(
        bases=MappingProxyType(bases),
        exemptions=_fee_exemptions(f),
        reduction_percents=tuple(sorted(reductions)),
        reduction_max_months=f.integer("reduction_max_months", minimum=1),
        round_to=f.integer("round_to", minimum=1),
        remit_percent=f.integer("remit_percent"),
        payment_methods=tuple(methods),
    )
    if rules.remit_percent > 100:
        f.fail("must be at most 100", "remit_percent")
    f.done()
    return rules
