"""API of party fees: a member's fee book and terms, payments, a cell's month report, the
yearly summaries of a cell or a committee's subtree, remittances and the share remitted.

The same policy as the pages: reading needs VIEW_FEES on the cell (or the member's own
record); every write goes through chibo.fees.actions, which checks COLLECT_FEES. Something
out of reach answers 404. Months are written "2026-05"; amounts are whole đồng (a number
with a fraction is refused).
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from chibo.accounts.policy import Perm
from chibo.api.common import READ_ERRORS, WRITE_ERRORS, Body, OrgRef, org_or_404
from chibo.fees import actions, queries, xlsx
from chibo.fees.arithmetic import month_key, parse_month
from chibo.fees.models import FeeExemption, FeePayment, PaymentMethod
from chibo.fees.views import XLSX
from chibo.members.models import Member

router = Router(tags=["fees"])

Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-05"])]
Money = Annotated[int, Field(ge=1, le=actions.MAX_AMOUNT, description="Whole đồng.")]


def _month(value: str, field: str = "month") -> datetime.date:
    try:
        return parse_month(value)
    except ValueError:
        raise ValidationError({field: _("Enter a month, for example 05/2026.")}) from None


def _member_or_404(user, member_id: int) -> Member:
    try:
        return queries.fee_members(user).get(pk=member_id)
    except Member.DoesNotExist as exc:
        raise Http404 from exc


def _cell_or_404(user, code: str):
    cell = org_or_404(user, code, Perm.VIEW_FEES)
    if not cell.is_cell:
        raise Http404
    return cell


def _file(description: str) -> dict:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": {XLSX: binary}}}}


def _xlsx(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Answers.


class MemberRef(Schema):
    id: int
    full_name: str


class MonthFeeOut(Schema):
    month: datetime.date
    amount: int = Field(description="The fee in đồng: after the reduction, rounded; 0 if exempt.")
    pack_id: str = Field(description="The fees pack in force on the month's first day.")
    basis: str
    base: int = Field(description="The basis amount before the reduction and the rounding.")
    reduction: int = Field(description="Percent; 0 when none.")
    exemption: str = Field(description="The pack's exemption ground, when exempt.")


class PaymentOut(Schema):
    id: int
    month: datetime.date
    due: int = Field(description="The month's fee when it was paid.")
    amount: int
    pack_id: str
    paid_on: datetime.date
    method: str = Field(description="cash or public_service_portal.")
    reference: str
    cell: OrgRef = Field(description="The cell that collected it.")


class MemberMonthOut(Schema):
    month: datetime.date
    fee: MonthFeeOut | None = Field(description="null before the member's fees start.")
    payment: PaymentOut | None
    state: str = Field(description="paid, exempt, owed (this month), arrears, future or none.")


class BasisOut(Schema):
    id: int
    basis: str
    income: int | None = Field(description="Monthly income in đồng, for a percent basis.")
    from_month: datetime.date


class ExemptionOut(Schema):
    id: int
    key: str
    from_month: datetime.date
    until_month: datetime.date | None
    applied_on: datetime.date
    note: str


class ReductionOut(Schema):
    id: int
    percent: int
    from_month: datetime.date
    until_month: datetime.date
    reason: str


class MemberFeesOut(Schema):
    member: MemberRef
    cell: OrgRef
    year: int
    current: MemberMonthOut = Field(description="This month.")
    months: list[MemberMonthOut] = Field(description="The twelve months of the year asked.")
    arrears: list[MonthFeeOut] = Field(
        description="Months due and unpaid since the fees started, before this month."
    )
    arrears_total: int
    bases: list[BasisOut]
    exemptions: list[ExemptionOut]
    reductions: list[ReductionOut]


class RemittanceOut(Schema):
    month: datetime.date
    amount: int
    remitted_on: datetime.date
    collected: int = Field(description="The month's collection when it was remitted.")
    percent: int


class SummaryOut(Schema):
    month: datetime.date
    pack_id: str
    members: int = Field(description="Members with a fee that month.")
    due: int
    collected: int
    paid: int = Field(description="Members who paid the month.")
    unpaid: int = Field(description="Members who owe the month.")
    unpaid_due: int
    remit_percent: int
    remit_due: int = Field(description="The share of the collection to remit.")
    remitted: int
    remittance: RemittanceOut | None


class RowOut(Schema):
    member: MemberRef
    fee: MonthFeeOut | None = Field(description="null: no fee basis yet.")
    payment: PaymentOut | None
    arrears: list[datetime.date] = Field(description="Earlier months still unpaid.")
    arrears_amount: int


class MonthReportOut(Schema):
    cell: OrgRef
    summary: SummaryOut
    arrears_total: int = Field(description="The earlier months still unpaid, of these members.")
    rows: list[RowOut]


class BranchOut(Schema):
    org: OrgRef
    is_cell: bool
    cells: int
    members: int
    due: int
    collected: int
    unpaid_due: int
    remit_due: int
    remitted: int
    remitted_cells: int


class YearOut(Schema):
    org: OrgRef
    year: int
    months: list[SummaryOut] | None = Field(None, description="For a cell: each month begun.")
    branches: list[BranchOut] | None = Field(
        None, description="For a committee: each organisation directly under it, over the year."
    )
    total: BranchOut | None = Field(None, description="For a committee: the whole subtree.")


class RemittancesOut(Schema):
    org: OrgRef
    month: datetime.date
    branches: list[BranchOut]
    total: BranchOut


class ShareOut(Schema):
    organisation: OrgRef
    percent: int
    from_month: datetime.date


class SharesOut(Schema):
    percent: int = Field(description="The share the cells under it remit this month.")
    source: str = Field(description="pack (the rules) or organisation (its own setting).")
    settings: list[ShareOut]


def _summary(s) -> dict:
    return {**s.figures(), "month": s.month, "pack_id": s.pack.id, "remittance": s.remittance}


def _branch(b) -> dict:
    return {
        "org": b.org,
        "is_cell": b.org.is_cell,
        **{
            k: getattr(b, k)
            for k in (
                "cells",
                "members",
                "due",
                "collected",
                "unpaid_due",
                "remit_due",
                "remitted",
                "remitted_cells",
            )
        },
    }


def _member_fees(member: Member, year: int | None) -> dict:
    fees = queries.MemberFees(member)
    year = year or fees.current.year
    arrears = fees.arrears()
    history = queries.member_history(member)
    return {
        "member": member,
        "cell": member.cell,
        "year": year,
        "current": fees.month(fees.current),
        "months": fees.year(year),
        "arrears": arrears,
        "arrears_total": sum(f.amount for f in arrears),
        **history,
    }


# Requests.


class YearFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="This year by default.")


class BasisIn(Body):
    basis: str = Field(max_length=40, description="A basis key of the fees pack in force.")
    income: int | None = Field(
        None, ge=1, le=actions.MAX_INCOME, description="Monthly income, for a percent basis."
    )
    from_month: Month


class ExemptionIn(Body):
    key: str = Field(max_length=40, description="An exemption ground of the fees pack.")
    applied_on: datetime.date = Field(description="The date of the member's application.")
    from_month: Month
    until_month: Month | None = Field(None, description="Empty while it lasts.")
    note: str = Field("", max_length=255)


class EndExemptionIn(Body):
    until_month: Month


class ReductionIn(Body):
    percent: int = Field(ge=1, le=99, description="One of the pack's percents: 30, 50, 70.")
    from_month: Month
    until_month: Month
    reason: str = Field(max_length=255)


class PaymentIn(Body):
    months: list[Month] = Field(min_length=1, max_length=actions.MAX_MONTHS_AT_ONCE)
    paid_on: datetime.date
    method: Literal["cash", "public_service_portal"] = PaymentMethod.CASH
    reference: str = Field(
        "", max_length=60, description="The portal's transaction reference (needed there)."
    )
    amount: Money | None = Field(
        None, description="For one month paid above its fee; each month at its fee otherwise."
    )


class CancelIn(Body):
    reason: str = Field(max_length=255)


class RemittanceIn(Body):
    remitted_on: datetime.date
    amount: Money | None = Field(None, description="The share of the collection by default.")


class ShareIn(Body):
    percent: int = Field(ge=0, le=100)
    from_month: Month


# A member.


@router.get(
    "/fees/members/{member_id}",
    response={200: MemberFeesOut, **READ_ERRORS},
    summary="A member's fee book",
)
def member_fees(request, member_id: int, filters: Query[YearFilter]):
    """For the member's cell committee and the committees above, and for the member."""
    return _member_fees(_member_or_404(request.auth, member_id), filters.year)


@router.get("/me/fees", response={200: MemberFeesOut, **READ_ERRORS}, summary="My fee book")
def my_fees(request, filters: Query[YearFilter]):
    member_id = getattr(request.auth, "member_id", None)
    if not member_id:
        raise Http404
    return _member_fees(_member_or_404(request.auth, member_id), filters.year)


@router.post(
    "/fees/members/{member_id}/bases",
    response={201: BasisOut, **WRITE_ERRORS},
    summary="Record a fee basis",
)
def set_basis(request, member_id: int, payload: BasisIn):
    """From a month on; the same month again corrects it."""
    member = _member_or_404(request.auth, member_id)
    row = actions.set_basis(
        request.auth,
        member,
        basis=payload.basis,
        income=payload.income,
        from_month=_month(payload.from_month, "from_month"),
    )
    return Status(201, row)


@router.post(
    "/fees/members/{member_id}/exemptions",
    response={201: ExemptionOut, **WRITE_ERRORS},
    summary="Grant an exemption",
)
def grant_exemption(request, member_id: int, payload: ExemptionIn):
    member = _member_or_404(request.auth, member_id)
    row = actions.grant_exemption(
        request.auth,
        member,
        key=payload.key,
        applied_on=payload.applied_on,
        from_month=_month(payload.from_month, "from_month"),
        until_month=_month(payload.until_month, "until_month") if payload.until_month else None,
        note=payload.note,
    )
    return Status(201, row)


@router.post(
    "/fees/exemptions/{exemption_id}/end",
    response={200: ExemptionOut, **WRITE_ERRORS},
    summary="End an exemption",
)
def end_exemption(request, exemption_id: int, payload: EndExemptionIn):
    visible = queries.fee_members(request.auth).values("pk")
    try:
        exemption = FeeExemption.objects.get(pk=exemption_id, member__in=visible)
    except FeeExemption.DoesNotExist as exc:
        raise Http404 from exc
    return actions.end_exemption(
        request.auth, exemption, _month(payload.until_month, "until_month")
    )


@router.post(
    "/fees/members/{member_id}/reductions",
    response={201: ReductionOut, **WRITE_ERRORS},
    summary="Grant a reduction",
)
def grant_reduction(request, member_id: int, payload: ReductionIn):
    member = _member_or_404(request.auth, member_id)
    row = actions.grant_reduction(
        request.auth,
        member,
        percent=payload.percent,
        from_month=_month(payload.from_month, "from_month"),
        until_month=_month(payload.until_month, "until_month"),
        reason=payload.reason,
    )
    return Status(201, row)


@router.post(
    "/fees/members/{member_id}/payments",
    response={201: list[PaymentOut], **WRITE_ERRORS},
    summary="Record a payment",
)
def record_payment(request, member_id: int, payload: PaymentIn):
    """One or more months, each at its fee; a month already paid is refused."""
    member = _member_or_404(request.auth, member_id)
    rows = actions.record_payment(
        request.auth,
        member,
        months=[_month(m, "months") for m in payload.months],
        paid_on=payload.paid_on,
        method=payload.method,
        reference=payload.reference,
        amount=payload.amount,
    )
    return Status(201, rows)


@router.post(
    "/fees/payments/{payment_id}/cancel",
    response={200: PaymentOut, **WRITE_ERRORS},
    summary="Cancel a payment",
)
def cancel_payment(request, payment_id: int, payload: CancelIn):
    """A payment entered by mistake; it stays on record with the reason."""
    visible = queries.fee_members(request.auth).values("pk")
    try:
        payment = FeePayment.objects.get(
            pk=payment_id, member__in=visible, cancelled_at__isnull=True
        )
    except FeePayment.DoesNotExist as exc:
        raise Http404 from exc
    return actions.cancel_payment(request.auth, payment, payload.reason)


# A cell's month.


@router.get(
    "/fees/cells/{code}/months/{month}",
    response={200: MonthReportOut, **READ_ERRORS},
    summary="A cell's fee report of a month",
)
def month_report(request, code: str, month: str):
    """Who paid, who owes, the totals, the share to remit and the remittance."""
    cell = _cell_or_404(request.auth, code)
    report = queries.month_report(cell, _month(month))
    return {
        "cell": cell,
        "summary": _summary(report.summary),
        "arrears_total": report.arrears_total,
        "rows": [
            {
                "member": r.member,
                "fee": r.fee,
                "payment": r.payment,
                "arrears": [f.month for f in r.arrears],
                "arrears_amount": r.arrears_amount,
            }
            for r in report.rows
        ],
    }


@router.get(
    "/fees/cells/{code}/months/{month}/report.xlsx",
    response={200: None, **READ_ERRORS},
    summary="A cell's fee report of a month, as Excel",
    openapi_extra=_file("The month report: the totals, and a line per member."),
)
def month_report_xlsx(request, code: str, month: str):
    cell = _cell_or_404(request.auth, code)
    the_month = _month(month)
    body = xlsx.month_workbook(queries.month_report(cell, the_month))
    return _xlsx(body, f"dang-phi-{cell.code}-{month_key(the_month)}.xlsx")


@router.post(
    "/fees/cells/{code}/months/{month}/remittance",
    response={201: RemittanceOut, **WRITE_ERRORS},
    summary="Record the remittance of a month",
)
def record_remittance(request, code: str, month: str, payload: RemittanceIn):
    cell = _cell_or_404(request.auth, code)
    row = actions.record_remittance(
        request.auth,
        cell,
        month=_month(month),
        remitted_on=payload.remitted_on,
        amount=payload.amount,
    )
    return Status(201, row)


# A year, a subtree.


@router.get(
    "/fees/orgs/{code}/years/{year}",
    response={200: YearOut, **READ_ERRORS},
    summary="The yearly summary",
)
def year_summary(request, code: str, year: int):
    """A cell's months, or the organisations under a committee with the subtree's total."""
    org = org_or_404(request.auth, code, Perm.VIEW_FEES)
    if not 2000 <= year <= 2100:
        raise Http404
    if org.is_cell:
        months = queries.cell_year(org, year)
        return {"org": org, "year": year, "months": [_summary(s) for s in months]}
    branches, total = queries.subtree_year(org, year)
    return {
        "org": org,
        "year": year,
        "branches": [_branch(b) for b in branches],
        "total": _branch(total),
    }


@router.get(
    "/fees/orgs/{code}/years/{year}/summary.xlsx",
    response={200: None, **READ_ERRORS},
    summary="The yearly summary, as Excel",
    openapi_extra=_file("A sheet by month; for a committee also one by organisation."),
)
def year_summary_xlsx(request, code: str, year: int):
    org = org_or_404(request.auth, code, Perm.VIEW_FEES)
    if not 2000 <= year <= 2100:
        raise Http404
    body = xlsx.year_workbook(org, year, timezone.localdate())
    return _xlsx(body, f"dang-phi-{org.code}-{year}.xlsx")


@router.get(
    "/fees/orgs/{code}/remittances/{month}",
    response={200: RemittancesOut, **READ_ERRORS},
    summary="Who remitted for a month",
)
def remittances(request, code: str, month: str):
    """Each organisation directly under a committee: its cells, how many remitted, the
    share due and what was remitted."""
    org = org_or_404(request.auth, code, Perm.VIEW_FEES)
    the_month = _month(month)
    branches, total = queries.subtree_month(org, the_month)
    return {
        "org": org,
        "month": the_month,
        "branches": [_branch(b) for b in branches],
        "total": _branch(total),
    }


@router.get(
    "/fees/orgs/{code}/shares",
    response={200: SharesOut, **READ_ERRORS},
    summary="The share remitted to the level above",
)
def shares(request, code: str):
    org = org_or_404(request.auth, code, Perm.VIEW_FEES)
    percent, source = queries.remit_percent(org, queries.current_month())
    return {"percent": percent, "source": source, "settings": queries.shares_of(org)}


@router.post(
    "/fees/orgs/{code}/shares",
    response={201: ShareOut, **WRITE_ERRORS},
    summary="Set the share the cells under a committee remit",
)
def set_share(request, code: str, payload: ShareIn):
    """From a month on, instead of the pack's; remittances already recorded keep theirs."""
    org = org_or_404(request.auth, code, Perm.VIEW_FEES)
    row = actions.set_remit_share(
        request.auth,
        org,
        percent=payload.percent,
        from_month=_month(payload.from_month, "from_month"),
    )
    return Status(201, row)
