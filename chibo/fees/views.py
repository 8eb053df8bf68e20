"""Pages of party fees: a cell's month (a list to tick who paid), its year, a committee's
subtree, the share remitted upward, and a member's fee book. Every write goes through
chibo.fees.actions."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can
from chibo.fees import actions, forms, queries, xlsx
from chibo.fees.arithmetic import add_months, month_label
from chibo.fees.ledger import Packs, cell_at_month_end
from chibo.fees.models import FeeExemption, FeePayment
from chibo.web.helpers import add_action_errors, get_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _org(request, code, perm=Perm.VIEW_FEES):
    return get_or_404(queries.fee_orgs(request.user, perm), code=code)


def _cell(request, code):
    cell = _org(request, code)
    if not cell.is_cell:
        raise Http404
    return cell


def _month(year: int, month: int) -> datetime.date:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    return datetime.date(year, month, 1)


def _year(request) -> int:
    try:
        return min(max(int(request.GET.get("year", "")), 2000), 2100)
    except ValueError:
        return timezone.localdate().year


def _may_collect(request, org) -> bool:
    return can(request.user, Perm.COLLECT_FEES, org)


def _xlsx(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A cell's or a committee's year.


@login_required
def year(request, code):
    """A cell's months of the year, or, for a committee, each organisation under it."""
    org = _org(request, code)
    year = _year(request)
    today = timezone.localdate()
    context = {"org": org, "year": year, "may_collect": _may_collect(request, org)}
    if org.is_cell:
        context["months"] = queries.cell_year(org, year, today)
        context["totals"] = queries.totals(context["months"])
        return render(request, "fees/year.html", context)
    try:
        month = forms.MonthField().clean(request.GET.get("month")) or add_months(
            queries.current_month(today), -1
        )
    except ValidationError:
        month = add_months(queries.current_month(today), -1)
    branches, total = queries.subtree_year(org, year, today)
    remits, remit_total = queries.subtree_month(org, month)
    context.update(
        {
            "branches": branches,
            "total": total,
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "remits": remits,
            "remit_total": remit_total,
            "share": queries.remit_percent(org, month),
        }
    )
    return render(request, "fees/subtree.html", context)


@login_required
def year_xlsx(request, code, year):
    org = _org(request, code)
    if not 2000 <= year <= 2100:
        raise Http404
    body = xlsx.year_workbook(org, year, timezone.localdate())
    return _xlsx(body, f"dang-phi-{org.code}-{year}.xlsx")


# A cell's month.


def _month_context(request, cell, month):
    report = queries.month_report(cell, month)
    may_collect = _may_collect(request, cell) and month <= report.current
    context = {
        "cell": cell,
        "month": month,
        "report": report,
        "summary": report.summary,
        "may_collect": may_collect,
        "previous_month": add_months(month, -1),
        "next_month": add_months(month, 1) if month < report.current else None,
    }
    if may_collect and report.summary.remittance is None and report.summary.collected:
        context["remit_form"] = forms.RemittanceForm(
            initial={"amount": report.summary.remit_due, "remitted_on": timezone.localdate()}
        )
    return context


@login_required
def month(request, code, year, month):
    """The month's sheet: who paid, who owes, the totals, and the share to remit."""
    cell = _cell(request, code)
    return render(request, "fees/month.html", _month_context(request, cell, _month(year, month)))


@login_required
def month_xlsx(request, code, year, month):
    cell = _cell(request, code)
    the_month = _month(year, month)
    body = xlsx.month_workbook(queries.month_report(cell, the_month))
    return _xlsx(body, f"dang-phi-{cell.code}-{year}-{month:02d}.xlsx")


@login_required
@require_POST
def tick(request, code, year, month, member_id):
    """Tick a member as paid for the month, in cash, today, at the month's fee. With htmx,
    answers the row and the totals."""
    cell = _cell(request, code)
    the_month = _month(year, month)
    if not _may_collect(request, cell):
        raise PermissionDenied
    member = get_or_404(queries.fee_members(request.user), pk=member_id)
    # Only a member on this cell's sheet for the month is ticked here: the month belongs to
    # the cell the member was in at its end.
    periods = member.periods.values_list("organisation_id", "started_on", "ended_on")
    if cell_at_month_end(periods, the_month) != cell.pk:
        raise Http404
    error = ""
    try:
        actions.record_payment(
            request.user, member, months=[the_month], paid_on=timezone.localdate()
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        context = _month_context(request, cell, the_month)
        row = next((r for r in context["report"].rows if r.member.pk == member.pk), None)
        if row is None:
            raise Http404
        return render(request, "fees/_tick_answer.html", {**context, "row": row, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s paid %(month)s.")
            % {"name": member.full_name, "month": month_label(the_month)},
        )
    return redirect("fees:month", code=cell.code, year=year, month=month)


@login_required
@require_POST
def remit(request, code, year, month):
    cell = _cell(request, code)
    the_month = _month(year, month)
    if not _may_collect(request, cell):
        raise PermissionDenied
    form = forms.RemittanceForm(request.POST)
    if form.is_valid():
        try:
            actions.record_remittance(request.user, cell, month=the_month, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The remittance was recorded."))
            return redirect("fees:month", code=cell.code, year=year, month=month)
    context = _month_context(request, cell, the_month)
    context["remit_form"] = form
    return render(request, "fees/month.html", context)


# The share remitted upward.


@login_required
def shares(request, code):
    """The share the cells under an organisation remit, where it comes from, and (for those
    who collect) a new setting from a month on."""
    org = _org(request, code)
    may_set = _may_collect(request, org) and not org.is_cell
    form = forms.ShareForm(request.POST or None)
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.set_remit_share(request.user, org, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The share was saved."))
                return redirect("fees:shares", code=org.code)
    current = queries.current_month()
    return render(
        request,
        "fees/shares.html",
        {
            "org": org,
            "form": form,
            "may_set": may_set,
            "settings": queries.shares_of(org),
            "share": queries.remit_percent(org, current),
            "pack": Packs()(org, current),
        },
    )


# A member's fee book.


def _member(request, member_id):
    return get_or_404(queries.fee_members(request.user), pk=member_id)


def _member_page(request, member, bound: dict | None = None, status=200):
    today = timezone.localdate()
    year = _year(request)
    fees = queries.MemberFees(member, today)
    current = fees.month(fees.current)
    pack = fees.packs(member.cell, fees.current)
    may_collect = can(request.user, Perm.COLLECT_FEES, member.cell) and member.is_current
    context = {
        "member": member,
        "year": year,
        "months": fees.year(year),
        "current": current,
        "basis": fees.terms.basis_in(fees.current),
        "start": fees.terms.start,
        "arrears": fees.arrears(),
        "history": _labelled_history(member, pack),
        "basis_label": _basis_label(pack, fees.terms.basis_in(fees.current)),
        "pack": pack,
        "may_collect": may_collect,
        "own": getattr(request.user, "member_id", None) == member.pk,
    }
    context["arrears_total"] = sum(f.amount for f in context["arrears"])
    if may_collect:
        owed = list(context["arrears"])
        if current.state == "owed":
            owed.append(current.fee)
        bound = bound or {}
        context.update(
            {
                "basis_form": bound.get("basis") or forms.BasisForm(pack=pack),
                "exemption_form": bound.get("exemption") or forms.ExemptionForm(pack=pack),
                "reduction_form": bound.get("reduction") or forms.ReductionForm(pack=pack),
                "payment_form": bound.get("payment") or forms.PaymentForm(owed=owed),
                "end_form": forms.EndExemptionForm(),
                "cancel_form": forms.CancelPaymentForm(),
            }
        )
    return render(request, "fees/member.html", context, status=status)


def _basis_label(pack, basis) -> str:
    if basis is None:
        return ""
    found = pack.fees.bases.get(basis.basis)
    return found.label if found else basis.basis


def _labelled_history(member, pack) -> dict:
    """The member's bases, exemptions and reductions, with the pack's names of their keys."""
    history = queries.member_history(member)
    grounds = {e.key: e.label for e in pack.fees.exemptions}
    bases = list(history["bases"])
    for b in bases:
        b.label = _basis_label(pack, b)
    exemptions = list(history["exemptions"])
    for e in exemptions:
        e.label = grounds.get(e.key, e.key)
    return {"bases": bases, "exemptions": exemptions, "reductions": history["reductions"]}


@login_required
def member(request, member_id):
    return _member_page(request, _member(request, member_id))


@login_required
def mine(request):
    """The signed-in member's own fee book."""
    if not request.user.member_id:
        raise Http404
    return redirect("fees:member", member_id=request.user.member_id)


def _member_post(request, member_id, name, form_class, run, success, form_kwargs=None):
    """Validate one of the member page's forms and call the action; show the page again
    with the errors next to the fields, or come back to it."""
    member = _member(request, member_id)
    if not can(request.user, Perm.COLLECT_FEES, member.cell):
        raise PermissionDenied
    form = form_class(request.POST, **(form_kwargs(member) if form_kwargs else {}))
    if form.is_valid():
        try:
            run(member, form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(reverse("fees:member", args=[member.pk]) + f"?year={_year(request)}")
    return _member_page(request, member, {name: form})


def _pack_kwargs(member):
    return {"pack": Packs()(member.cell, queries.current_month())}


@login_required
@require_POST
def set_basis(request, member_id):
    return _member_post(
        request,
        member_id,
        "basis",
        forms.BasisForm,
        lambda m, cd: actions.set_basis(request.user, m, **cd),
        _("The fee basis was saved."),
        form_kwargs=_pack_kwargs,
    )


@login_required
@require_POST
def exempt(request, member_id):
    return _member_post(
        request,
        member_id,
        "exemption",
        forms.ExemptionForm,
        lambda m, cd: actions.grant_exemption(request.user, m, **cd),
        _("The exemption was recorded."),
        form_kwargs=_pack_kwargs,
    )


@login_required
@require_POST
def end_exemption(request, member_id, exemption_id):
    member = _member(request, member_id)
    exemption = get_or_404(FeeExemption.objects.filter(member=member), pk=exemption_id)
    if not can(request.user, Perm.COLLECT_FEES, member.cell):
        raise PermissionDenied
    form = forms.EndExemptionForm(request.POST)
    if form.is_valid():
        try:
            actions.end_exemption(request.user, exemption, form.cleaned_data["until_month"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The exemption's last month was saved."))
    else:
        messages.error(request, _("Enter a month, for example 05/2026."))
    return redirect("fees:member", member_id=member.pk)


@login_required
@require_POST
def reduce(request, member_id):
    return _member_post(
        request,
        member_id,
        "reduction",
        forms.ReductionForm,
        lambda m, cd: actions.grant_reduction(request.user, m, **cd),
        _("The reduction was recorded."),
        form_kwargs=_pack_kwargs,
    )


def _owed_kwargs(member):
    fees = queries.MemberFees(member)
    owed = fees.arrears()
    current = fees.month(fees.current)
    if current.state == "owed":
        owed.append(current.fee)
    return {"owed": owed}


@login_required
@require_POST
def pay(request, member_id):
    return _member_post(
        request,
        member_id,
        "payment",
        forms.PaymentForm,
        lambda m, cd: actions.record_payment(request.user, m, **cd),
        _("The payment was recorded."),
        form_kwargs=_owed_kwargs,
    )


@login_required
@require_POST
def cancel_payment(request, member_id, payment_id):
    member = _member(request, member_id)
    payment = get_or_404(
        FeePayment.objects.filter(member=member, cancelled_at__isnull=True), pk=payment_id
    )
    if not can(request.user, Perm.COLLECT_FEES, payment.cell):
        raise PermissionDenied
    form = forms.CancelPaymentForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel_payment(request.user, payment, form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The payment was cancelled."))
    else:
        messages.error(request, _("Say why the payment is cancelled."))
    return redirect("fees:member", member_id=member.pk)
