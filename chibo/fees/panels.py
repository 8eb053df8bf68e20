"""This app's part of the member's and the organisation's pages (see chibo/web/panels.py):
the member's fee of the month and arrears, and the organisation's fee pages."""

from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can
from chibo.fees import queries


def member_panel(request, member) -> dict | None:
    """The fee of this month and the arrears, for the member and those who see their fees."""
    if not can(request.user, Perm.VIEW_FEES, member):
        return None
    fees = queries.MemberFees(member)
    month = fees.month(fees.current)
    arrears = fees.arrears()
    return {
        "fee": month.fee,
        "state": month.state,
        "arrears": len(arrears),
        "arrears_total": sum(f.amount for f in arrears),
        "url": reverse("fees:member", args=[member.pk]),
    }


def org_links(request, org) -> list[tuple[str, str]]:
    if not can(request.user, Perm.VIEW_FEES, org):
        return []
    if org.is_cell:
        month = queries.current_month()
        return [(_("Party fees"), reverse("fees:month", args=[org.code, month.year, month.month]))]
    return [(_("Party fees"), reverse("fees:year", args=[org.code]))]
