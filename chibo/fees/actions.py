"""Every change to party fees: a member's fee basis, exemptions and reductions, payments and
their cancellation, the share remitted to the level above, and the remittances.

Each action checks the right (COLLECT_FEES on the member's cell or on the organisation),
validates against the fees pack in force for the month concerned, writes, rewrites the
summary rows (CellFeeMonth) it touched and records the audit event, in one transaction. A
refused step raises ValidationError naming the field and the rule, and changes nothing.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, require
from chibo.audit.log import acting_user, record
from chibo.dates import add_years
from chibo.fees.arithmetic import (
    first_of,
    month_end,
    month_label,
    months_between,
    months_count,
    remit_amount,
)
from chibo.fees.ledger import Ledger, Packs, all_shares, cell_at_month_end, share_percent
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
from chibo.fees.queries import MemberFees, current_month
from chibo.fees.templatetags.fees import format_dong
from chibo.members.models import Member, MembershipPeriod
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.regulations.loader import Pack, PackNotFound
from chibo.regulations.rules import format_number

# Far above any income, far below what the database holds: a typing slip, not a salary.
MAX_INCOME = 10**11
MAX_AMOUNT = 10**10
MAX_MONTHS_AT_ONCE = 36


def _rule(pack: Pack) -> str:
    """The document a refusal cites: "Regulation 01-QĐ/TW"."""
    return _("Regulation %(number)s") % {"number": pack.source.number}


def _date(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _as_month(value, field: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError({field: _("Enter a month, for example 05/2026.")})
    return first_of(value)


def _as_amount(value, field: str, maximum: int) -> int:
    # Amounts are whole đồng: a float or a fraction is refused, never rounded silently.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("Enter a whole number of đồng.")})
    if value <= 0:
        raise ValidationError({field: _("Enter an amount above zero.")})
    if value > maximum:
        raise ValidationError({field: _("This amount is too large.")})
    return value


def _locked_member(member: Member) -> Member:
    # No join in the locking query: see chibo.members.actions.update_member.
    return Member.objects.select_for_update().get(pk=member.pk)


def _check_membership(member: Member, month: datetime.date, field: str) -> None:
    if month < first_of(member.admitted_on):
        raise ValidationError(
            {
                field: _("Fees start with membership: %(name)s was admitted on %(date)s.")
                % {"name": member.full_name, "date": _date(member.admitted_on)}
            }
        )


def _periods(member: Member) -> list[tuple[int, datetime.date, datetime.date | None]]:
    return list(
        MembershipPeriod.objects.filter(member=member).values_list(
            "organisation_id", "started_on", "ended_on"
        )
    )


def _check_joined(member: Member, month: datetime.date, field: str) -> None:
    """A member's fees here start with their first home cell in the system: a member who
    came from outside paid their earlier months where they were."""
    joined = min((started for _, started, _ in _periods(member)), default=None)
    if joined is not None and month < first_of(joined):
        raise ValidationError(
            {
                field: _(
                    "%(name)s joined a cell here on %(date)s; fees here start from "
                    "%(month)s at the earliest."
                )
                % {
                    "name": member.full_name,
                    "date": _date(joined),
                    "month": month_label(first_of(joined)),
                }
            }
        )


def _pack(packs: Packs, org: Organisation, month: datetime.date, field: str) -> Pack:
    try:
        return packs(org, month)
    except PackNotFound:
        raise ValidationError(
            {
                field: _("No party-fee rules are in force for %(month)s.")
                % {"month": month_label(month)}
            }
        ) from None


# The summary rows.


def lock_cells(cell_ids) -> None:
    """Lock the cells' organisation rows, in pk order, until the transaction ends.

    A summary row is computed from the records and written whole (last writer wins). Two
    writes to one cell at once (two collectors ticking two members, a cancellation beside a
    remittance) would each compute it without the other's uncommitted records and leave it
    short; holding the cell's row serialises them, and the second computes after the first
    has committed (PostgreSQL reads committed rows anew at each statement). Always in pk
    order, after any member or payment lock, so that two writes never wait on each other.
    SQLite has one writer at a time and ignores the lock."""
    ids = sorted({int(pk) for pk in cell_ids})
    for start in range(0, len(ids), 500):
        list(
            Organisation.objects.select_for_update()
            .filter(pk__in=ids[start : start + 500])
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def refresh_summaries(cells, months) -> int:
    """Rewrite the summary rows of these cells and months from the records; return how many.
    The cells are locked first (lock_cells), so rewrites of one cell follow each other."""
    cells, months = list(cells), sorted(set(months))
    if not cells or not months:
        return 0
    lock_cells(c.pk for c in cells)
    now = timezone.now()
    rows = [
        CellFeeMonth(cell_id=s.cell.pk, month=s.month, refreshed_at=now, **s.figures())
        for s in Ledger(cells, months).summaries()
    ]
    CellFeeMonth.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["cell", "month"],
        update_fields=[*SUMMARY_FIGURES, "refreshed_at"],
    )
    return len(rows)


# While seeding plays thousands of actions in one transaction, the cell-months they touch
# are gathered here and rewritten once at the end (summaries_deferred).
_deferred: ContextVar[dict | None] = ContextVar("fees_deferred", default=None)


@contextmanager
def summaries_deferred():
    """Rewrite the summary rows once, when the block ends, instead of after each action."""
    pending = {"cells": set(), "members": set()}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    months_of: dict[int, set[datetime.date]] = {}
    for cell_id, month in pending["cells"]:
        months_of.setdefault(cell_id, set()).add(month)
    member_months: dict[int, set[datetime.date]] = {}
    for member_id, month in pending["members"]:
        member_months.setdefault(member_id, set()).add(month)
    for member_id, cell_id in _cells_of(member_months):
        months_of.setdefault(cell_id, set()).update(member_months[member_id])
    by_months: dict[frozenset, list[int]] = {}
    for cell_id, months in months_of.items():
        by_months.setdefault(frozenset(months), []).append(cell_id)
    for months, cell_ids in by_months.items():
        cells = list(Organisation.objects.filter(pk__in=cell_ids, level__in=CELL_LEVELS))
        for start in range(0, len(cells), 500):
            refresh_summaries(cells[start : start + 500], months)


def _cells_of(member_months: dict[int, set[datetime.date]]):
    """(member id, cell id) for each cell the members were in during their months."""
    if not member_months:
        return []
    first = min(min(ms) for ms in member_months.values())
    last = month_end(max(max(ms) for ms in member_months.values()))
    found = set()
    ids = list(member_months)
    for start in range(0, len(ids), 500):
        found |= set(
            MembershipPeriod.objects.filter(member_id__in=ids[start : start + 500])
            .filter(started_on__lte=last)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
            .values_list("member_id", "organisation_id")
        )
    return sorted(found)


def _refresh(cells, months) -> None:
    pending = _deferred.get()
    if pending is None:
        refresh_summaries(cells, months)
    else:
        pending["cells"].update((c.pk, m) for c in cells for m in months)


def _refresh_member(member: Member, months: list[datetime.date], *extra_cells) -> None:
    """Rewrite the rows of every cell the member was in during these months (up to now)."""
    months = [m for m in months if m <= current_month()]
    if not months:
        return
    pending = _deferred.get()
    if pending is not None:
        pending["members"].update((member.pk, m) for m in months)
        pending["cells"].update((c.pk, m) for c in extra_cells for m in months)
        return
    first, last = months[0], months[-1]
    cell_ids = set(
        MembershipPeriod.objects.filter(member=member, started_on__lte=month_end(last))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .values_list("organisation_id", flat=True)
    )
    cell_ids |= {member.cell_id, *(c.pk for c in extra_cells)}
    refresh_summaries(Organisation.objects.filter(pk__in=cell_ids, level__in=CELL_LEVELS), months)


def _since(month: datetime.date) -> list[datetime.date]:
    return months_between(month, current_month())


# Hooks of the member registry: chibo.members.actions calls them inside its own transaction
# when a member changes home cell (move_members: a change of cell, a reorganisation, an
# accepted official transfer) or a membership ends (end_membership). Both change whom a cell
# accounts for, so the summary rows are rewritten at once, not at the nightly refresh, and
# `chibo fees verify` stays clean. Members without a fee basis are in no row: nothing to do.


def _first_fee_month(member_ids) -> datetime.date | None:
    return (
        FeeBasisPeriod.objects.filter(member_id__in=member_ids)
        .order_by("from_month")
        .values_list("from_month", flat=True)
        .first()
    )


def refresh_for_home_cell_change(member_ids, cells, on: datetime.date) -> None:
    """Rewrite the rows of the cells the members left and the cell they joined, from the
    month of the change (a cell accounts for its members at each month's end) up to now."""
    first = _first_fee_month(member_ids)
    if first is None:
        return
    months = _since(max(first_of(on), first))  # none when the change is in a month to come
    cells = [c for c in cells if c.level in CELL_LEVELS]
    if months and cells:
        _refresh(cells, months)


def refresh_for_ended_membership(member: Member) -> None:
    """Rewrite the rows from the month the membership ended: the member's last period is
    closed, so the cell no longer accounts for them from that month's end on. The months
    before keep them (chibo.fees.ledger), as the reports of those months did."""
    first = _first_fee_month([member.pk])
    if first is None:
        return
    ended = (
        MembershipPeriod.objects.filter(member=member, ended_on__isnull=False)
        .order_by("-ended_on")
        .values_list("ended_on", flat=True)
        .first()
    )
    _refresh_member(member, _since(max(first, first_of(ended)) if ended else first))


# A member's terms.


@transaction.atomic
def set_basis(
    actor, member: Member, *, basis: str, from_month: datetime.date, income: int | None = None
) -> FeeBasisPeriod:
    """Record the member's fee basis from a month on (a correction when that month already
    has one): which basis of the pack, and the monthly income for a percent basis."""
    member = _locked_member(member)
    require(actor, Perm.COLLECT_FEES, member.cell)
    from_month = _as_month(from_month, "from_month")
    _check_membership(member, from_month, "from_month")
    _check_joined(member, from_month, "from_month")
    packs = Packs()
    pack = _pack(packs, member.cell, from_month, "from_month")
    rules = pack.fees
    if basis not in rules.bases:
        raise ValidationError(
            {
                "basis": _("Choose one of the fee bases of %(rule)s: %(choices)s.")
                % {"rule": _rule(pack), "choices": ", ".join(b.label for b in rules.bases.values())}
            }
        )
    chosen = rules.bases[basis]
    if chosen.percent is not None:
        if income is None:
            raise ValidationError(
                {
                    "income": _(
                        "A fee of %(percent)s%% of the %(basis)s needs the monthly income "
                        "in đồng (%(rule)s)."
                    )
                    % {
                        "percent": format_number(chosen.percent),
                        "basis": chosen.label.lower(),
                        "rule": _rule(pack),
                    }
                }
            )
        income = _as_amount(income, "income", MAX_INCOME)
    else:
        income = None  # a fixed amount: the income plays no part and is not kept
    now_pack = packs(member.cell, current_month())
    if from_month < current_month() and basis not in now_pack.fees.bases:
        raise ValidationError(
            {"basis": _("%(rule)s in force today has no such basis.") % {"rule": _rule(now_pack)}}
        )
    row = FeeBasisPeriod.objects.filter(member=member, from_month=from_month).first()
    before = (row.basis, row.income) if row else (None, None)
    if row is None:
        row = FeeBasisPeriod(member=member, from_month=from_month)
    elif before == (basis, income):
        return row
    row.basis, row.income, row.recorded_by = basis, income, acting_user(actor)
    row.save()
    # The income is personal data; the audit log is read by more people.
    record(
        actor,
        "fees.set_basis",
        member.cell,
        member,
        {
            "basis": [before[0], basis],
            "income": ["•••" if before[1] else None, "•••" if income else None],
            "from_month": month_label(from_month),
        },
    )
    _refresh_member(member, _since(from_month))
    return row


@transaction.atomic
def grant_exemption(
    actor,
    member: Member,
    *,
    key: str,
    from_month: datetime.date,
    applied_on: datetime.date | None,
    until_month: datetime.date | None = None,
    note: str = "",
) -> FeeExemption:
    """Exempt the member from the fee on their application, for one of the pack's grounds."""
    member = _locked_member(member)
    require(actor, Perm.COLLECT_FEES, member.cell)
    from_month = _as_month(from_month, "from_month")
    _check_membership(member, from_month, "from_month")
    pack = _pack(Packs(), member.cell, from_month, "from_month")
    grounds = {e.key: e for e in pack.fees.exemptions}
    if key not in grounds:
        raise ValidationError(
            {
                "key": _("%(rule)s exempts only: %(grounds)s.")
                % {"rule": _rule(pack), "grounds": "; ".join(e.label for e in grounds.values())}
            }
        )
    _check_party_age(member, grounds[key], from_month, pack)
    if not isinstance(applied_on, datetime.date):
        raise ValidationError(
            {
                "applied_on": _(
                    "An exemption is granted on the member's application: give its date (%(rule)s)."
                )
                % {"rule": _rule(pack)}
            }
        )
    if applied_on > timezone.localdate():
        raise ValidationError({"applied_on": _("The application cannot be dated in the future.")})
    if until_month is not None:
        until_month = _as_month(until_month, "until_month")
        if until_month < from_month:
            raise ValidationError({"until_month": _("The last month cannot be before the first.")})
    for other in member.fee_exemptions.all():
        if other.from_month <= (until_month or datetime.date.max) and (
            other.until_month is None or other.until_month >= from_month
        ):
            raise ValidationError(
                {
                    "from_month": _(
                        "%(name)s is already exempt from %(month)s; end that exemption first."
                    )
                    % {"name": member.full_name, "month": month_label(other.from_month)}
                }
            )
    exemption = FeeExemption.objects.create(
        member=member,
        key=key,
        from_month=from_month,
        until_month=until_month,
        applied_on=applied_on,
        note=note.strip()[:255],
        recorded_by=acting_user(actor),
    )
    record(
        actor,
        "fees.exempt",
        member.cell,
        member,
        {
            "key": key,
            "from_month": month_label(from_month),
            "until_month": month_label(until_month) if until_month else None,
        },
    )
    _refresh_member(member, _since(from_month))
    return exemption


def _check_party_age(member: Member, ground, from_month: datetime.date, pack: Pack) -> None:
    """A ground of party age (50 years) holds from the month in which the member reaches it:
    party age counts from the admission decision, as on the member's page."""
    years = ground.min_party_years
    if years is None or member.party_age(month_end(from_month)) >= years:
        return
    reached = add_years(member.admitted_on, years)
    raise ValidationError(
        {
            "from_month": _(
                "%(name)s reaches %(years)s years of party age on %(date)s; this exemption "
                "can start from %(month)s at the earliest (%(rule)s)."
            )
            % {
                "name": member.full_name,
                "years": years,
                "date": _date(reached),
                "month": month_label(first_of(reached)),
                "rule": _rule(pack),
            }
        }
    )


@transaction.atomic
def end_exemption(actor, exemption: FeeExemption, until_month: datetime.date) -> FeeExemption:
    """Set the last month of an exemption (the ground ended, or it was granted until then)."""
    exemption = (
        FeeExemption.objects.select_for_update().select_related("member__cell").get(pk=exemption.pk)
    )
    member = exemption.member
    require(actor, Perm.COLLECT_FEES, member.cell)
    until_month = _as_month(until_month, "until_month")
    if until_month < exemption.from_month:
        raise ValidationError(
            {
                "until_month": _("The exemption began in %(month)s; it cannot end before.")
                % {"month": month_label(exemption.from_month)}
            }
        )
    before = exemption.until_month
    exemption.until_month = until_month
    exemption.save(update_fields=["until_month"])
    record(
        actor,
        "fees.end_exemption",
        member.cell,
        member,
        {"until_month": [month_label(before) if before else None, month_label(until_month)]},
    )
    _refresh_member(member, _since(min(until_month, before or until_month)))
    return exemption


@transaction.atomic
def grant_reduction(
    actor,
    member: Member,
    *,
    percent: int,
    from_month: datetime.date,
    until_month: datetime.date,
    reason: str,
) -> FeeReduction:
    """Reduce the member's fee by one of the pack's percents, for at most its months."""
    member = _locked_member(member)
    require(actor, Perm.COLLECT_FEES, member.cell)
    from_month = _as_month(from_month, "from_month")
    until_month = _as_month(until_month, "until_month")
    _check_membership(member, from_month, "from_month")
    pack = _pack(Packs(), member.cell, from_month, "from_month")
    rules = pack.fees
    if percent not in rules.reduction_percents:
        raise ValidationError(
            {
                "percent": _("A reduction is %(choices)s%% of the fee (%(rule)s).")
                % {
                    "choices": ", ".join(str(p) for p in rules.reduction_percents),
                    "rule": _rule(pack),
                }
            }
        )
    if until_month < from_month:
        raise ValidationError({"until_month": _("The last month cannot be before the first.")})
    if months_count(from_month, until_month) > rules.reduction_max_months:
        raise ValidationError(
            {
                "until_month": _(
                    "A reduction lasts at most %(months)s months each time (%(rule)s)."
                )
                % {"months": rules.reduction_max_months, "rule": _rule(pack)}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the fee is reduced.")})
    overlapping = member.fee_reductions.filter(
        from_month__lte=until_month, until_month__gte=from_month
    ).first()
    if overlapping is not None:
        raise ValidationError(
            {
                "from_month": _(
                    "%(name)s already has a reduction from %(first)s to %(last)s; "
                    "a new one starts after it ends."
                )
                % {
                    "name": member.full_name,
                    "first": month_label(overlapping.from_month),
                    "last": month_label(overlapping.until_month),
                }
            }
        )
    reduction = FeeReduction.objects.create(
        member=member,
        percent=percent,
        from_month=from_month,
        until_month=until_month,
        reason=reason.strip()[:255],
        recorded_by=acting_user(actor),
    )
    record(
        actor,
        "fees.reduce",
        member.cell,
        member,
        {
            "percent": percent,
            "from_month": month_label(from_month),
            "until_month": month_label(until_month),
        },
    )
    _refresh_member(member, _since(from_month))
    return reduction


# Payments.


@transaction.atomic
def record_payment(
    actor,
    member: Member,
    *,
    months: list[datetime.date],
    paid_on: datetime.date,
    method: str = PaymentMethod.CASH,
    reference: str = "",
    amount: int | None = None,
) -> list[FeePayment]:
    """Record that the member paid one or more months (arrears at once, too), each at its
    fee; a single month may be paid above its fee, of the member's own will."""
    member = _locked_member(member)
    require(actor, Perm.COLLECT_FEES, member.cell)
    if not member.is_current:
        raise ValidationError(
            {"member": _("%(name)s no longer belongs to the cell.") % {"name": member.full_name}}
        )
    if not months:
        raise ValidationError({"months": _("Choose the months paid.")})
    if len(months) > MAX_MONTHS_AT_ONCE:
        raise ValidationError({"months": _("Record at most 36 months at once.")})
    months = sorted({_as_month(m, "months") for m in months})
    today = timezone.localdate()
    if not isinstance(paid_on, datetime.date):
        raise ValidationError({"paid_on": _("Enter the date of the payment.")})
    if paid_on > today:
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    fees = MemberFees(member, today)
    pack = _pack(fees.packs, member.cell, first_of(paid_on), "paid_on")
    if method not in pack.fees.payment_methods:
        raise ValidationError(
            {
                "method": _("%(rule)s takes fees in cash to the cell or through the portal.")
                % {"rule": _rule(pack)}
            }
        )
    reference = reference.strip()
    if method == PaymentMethod.PORTAL and not reference:
        raise ValidationError(
            {
                "reference": _(
                    "A payment through the National Public Service Portal needs the "
                    "portal's transaction reference."
                )
            }
        )
    if len(reference) > 60:
        raise ValidationError({"reference": _("A reference has at most 60 characters.")})
    if amount is not None:
        amount = _as_amount(amount, "amount", MAX_AMOUNT)
        if len(months) > 1:
            raise ValidationError(
                {"amount": _("Several months are each paid at their fee; leave the amount empty.")}
            )
    rows = []
    periods = _periods(member)
    for month in months:
        if month > fees.current:
            raise ValidationError(
                {
                    "months": _("Fees are paid month by month: %(month)s has not begun.")
                    % {"month": month_label(month)}
                }
            )
        # A month is collected by the cell that accounts for it in the ledger: the cell the
        # member was in at the month's end (for the month in progress, the open period's,
        # else today's cell).
        cell_id = cell_at_month_end(periods, month)
        if cell_id is None and month == fees.current:
            cell_id = member.cell_id
        if cell_id is None:
            raise ValidationError(
                {
                    "months": _("%(name)s was not a member of a cell here at the end of %(month)s.")
                    % {"name": member.full_name, "month": month_label(month)}
                }
            )
        standing = fees.payments.get(month)
        if standing is not None:
            raise ValidationError(
                {
                    "months": _(
                        "The fee of %(month)s was already paid on %(date)s; a month is paid once."
                    )
                    % {"month": month_label(month), "date": _date(standing.paid_on)}
                }
            )
        fee = fees.fee(month)
        if fee is None:
            raise ValidationError(
                {
                    "months": _("%(name)s has no fee basis for %(month)s: record the basis first.")
                    % {"name": member.full_name, "month": month_label(month)}
                }
            )
        if fee.amount == 0:
            raise ValidationError(
                {
                    "months": _("%(name)s is exempt from the fee of %(month)s.")
                    % {"name": member.full_name, "month": month_label(month)}
                }
            )
        paid = fee.amount if amount is None else amount
        if paid < fee.amount:
            raise ValidationError(
                {
                    "amount": _(
                        "The fee of %(month)s is %(fee)s; a payment cannot be less "
                        "(a member may pay more of their own will)."
                    )
                    % {"month": month_label(month), "fee": format_dong(fee.amount)}
                }
            )
        rows.append(
            FeePayment(
                member=member,
                cell_id=cell_id,
                month=month,
                due=fee.amount,
                amount=paid,
                pack_id=fee.pack_id,
                paid_on=paid_on,
                method=method,
                reference=reference,
                recorded_by=acting_user(actor),
            )
        )
    try:
        with transaction.atomic():
            FeePayment.objects.bulk_create(rows)
    except IntegrityError as exc:
        # Another collector recorded one of these months at the same moment.
        raise ValidationError(
            {"months": _("One of these months was just recorded by someone else.")}
        ) from exc
    record(
        actor,
        "fees.pay",
        member.cell,
        member,
        {
            "months": [month_label(m) for m in months],
            "amount": sum(r.amount for r in rows),
            "method": method,
            "reference": reference,
            "paid_on": paid_on,
        },
    )
    _refresh_member(member, months)
    return rows


@transaction.atomic
def cancel_payment(actor, payment: FeePayment, reason: str) -> FeePayment:
    """Cancel a payment entered by mistake; the month is unpaid again. Kept with its reason."""
    payment = (
        FeePayment.objects.select_for_update().select_related("member", "cell").get(pk=payment.pk)
    )
    require(actor, Perm.COLLECT_FEES, payment.cell)
    if payment.cancelled_at is not None:
        raise ValidationError({"payment": _("This payment was already cancelled.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is cancelled.")})
    # The cell as record_remittance locks it: a remittance being recorded for the month
    # either commits first (and the check below sees it) or counts the month without this
    # payment. The other cells of the member's months are locked when the rows are rewritten.
    lock_cells([payment.cell_id])
    remitted = Remittance.objects.filter(cell=payment.cell, month=payment.month).first()
    if remitted is not None:
        raise ValidationError(
            {
                "payment": _(
                    "The share of %(month)s was remitted on %(date)s with this payment in it; "
                    "it can no longer be cancelled."
                )
                % {"month": month_label(payment.month), "date": _date(remitted.remitted_on)}
            }
        )
    payment.cancelled_at = timezone.now()
    payment.cancelled_by = acting_user(actor)
    payment.cancel_reason = reason.strip()[:255]
    payment.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    record(
        actor,
        "fees.cancel_payment",
        payment.cell,
        payment.member,
        {"month": month_label(payment.month), "amount": payment.amount, "reason": reason[:255]},
    )
    _refresh_member(payment.member, [payment.month], payment.cell)
    return payment


# The level above.


@transaction.atomic
def record_remittance(
    actor,
    cell: Organisation,
    *,
    month: datetime.date,
    remitted_on: datetime.date,
    amount: int | None = None,
) -> Remittance:
    """Record what the cell passed up for a month: by default its share of the month's
    collection (the organisation's own share, else the pack's)."""
    cell = Organisation.objects.select_for_update().get(pk=cell.pk)
    require(actor, Perm.COLLECT_FEES, cell)
    if not cell.is_cell:
        raise ValidationError({"cell": _("Cells remit their fees; a committee does not.")})
    month = _as_month(month, "month")
    if month > current_month():
        raise ValidationError(
            {"month": _("%(month)s has not begun.") % {"month": month_label(month)}}
        )
    if not isinstance(remitted_on, datetime.date):
        raise ValidationError({"remitted_on": _("Enter the date of the remittance.")})
    if remitted_on > timezone.localdate():
        raise ValidationError({"remitted_on": _("The date cannot be in the future.")})
    if remitted_on < month:
        raise ValidationError(
            {"remitted_on": _("A month's fees are remitted once the month has begun.")}
        )
    standing = Remittance.objects.filter(cell=cell, month=month).first()
    if standing is not None:
        raise ValidationError(
            {
                "month": _(
                    "The share of %(month)s was already remitted on %(date)s; "
                    "a month is remitted once."
                )
                % {"month": month_label(month), "date": _date(standing.remitted_on)}
            }
        )
    summary = Ledger([cell], [month]).summary(cell.pk, month)
    if summary.collected == 0:
        raise ValidationError(
            {"month": _("Nothing was collected for %(month)s.") % {"month": month_label(month)}}
        )
    amount = summary.remit_due if amount is None else _as_amount(amount, "amount", MAX_AMOUNT)
    if amount > summary.collected:
        raise ValidationError(
            {
                "amount": _("The cell collected %(collected)s for %(month)s; it cannot remit more.")
                % {"collected": format_dong(summary.collected), "month": month_label(month)}
            }
        )
    if amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    remittance = Remittance.objects.create(
        cell=cell,
        month=month,
        amount=amount,
        remitted_on=remitted_on,
        collected=summary.collected,
        percent=summary.remit_percent,
        recorded_by=acting_user(actor),
    )
    record(
        actor,
        "fees.remit",
        cell,
        remittance,
        {"month": month_label(month), "amount": amount, "percent": summary.remit_percent},
    )
    _refresh([cell], [month])
    return remittance


@transaction.atomic
def set_remit_share(
    actor, org: Organisation, *, percent: int, from_month: datetime.date
) -> RemitShare:
    """Set the share that the cells under a committee remit to the level above, from a
    month on, instead of the pack's. Remittances already recorded keep theirs."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    require(actor, Perm.COLLECT_FEES, org)
    if org.is_cell:
        raise ValidationError(
            {"organisation": _("The committee above a cell sets the share its cells remit.")}
        )
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Enter a whole percent from 0 to 100.")})
    from_month = _as_month(from_month, "from_month")
    row = RemitShare.objects.filter(organisation=org, from_month=from_month).first()
    before = row.percent if row else None
    if row is None:
        row = RemitShare(organisation=org, from_month=from_month)
    row.percent, row.recorded_by = percent, acting_user(actor)
    row.save()
    record(
        actor,
        "fees.set_share",
        org,
        org,
        {"percent": [before, percent], "from_month": month_label(from_month)},
    )
    _refresh_shares(org, from_month)
    return row


def _refresh_shares(org: Organisation, from_month: datetime.date) -> None:
    """Recompute the share of the summary rows under org from that month: only the
    percent and what it gives change, so no member's fee is read again."""
    shares = all_shares()
    packs = Packs()
    touched = CellFeeMonth.objects.filter(cell__path__startswith=org.path, month__gte=from_month)
    # Read after the lock: a payment's rewrite of a row in between would be undone.
    lock_cells(touched.values_list("cell_id", flat=True).distinct())
    rows = list(
        touched.select_related("cell").only(
            "cell__path", "cell__code", "month", "collected", "remit_percent", "remit_due"
        )
    )
    changed = []
    for row in rows:
        own = share_percent(row.cell.path, row.month, shares)
        percent = packs(row.cell, row.month).fees.remit_percent if own is None else own
        if percent != row.remit_percent:
            row.remit_percent = percent
            row.remit_due = remit_amount(row.collected, percent)
            changed.append(row)
    CellFeeMonth.objects.bulk_update(changed, ["remit_percent", "remit_due"], batch_size=500)
