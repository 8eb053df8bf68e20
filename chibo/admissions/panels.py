"""This app's part of the member's and the organisation's pages (see chibo/web/panels.py)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can
from chibo.admissions import queries
from chibo.admissions.models import Probation
from chibo.members.models import Status


def member_panel(request, member) -> dict | None:
    """The probation of a probationary member, or of one whose probation was decided."""
    if not can(request.user, Perm.VIEW_MEMBER, member):
        return None
    record = Probation.objects.filter(member=member).select_related("member__cell").first()
    if record is None:
        if member.status != Status.PROBATIONARY:
            return None
        return {
            "record": None,
            "may_open": can(request.user, Perm.EDIT_MEMBER, member.cell),
            "cell_code": member.cell.code,
        }
    return {"record": record, "deadline": queries.probation_deadline(record, timezone.localdate())}


def org_links(request, org) -> list[tuple[str, str]]:
    if not can(request.user, Perm.LIST_MEMBERS, org):
        return []
    links = []
    if org.is_cell:
        links.append((_("Admission and probation"), reverse("admissions:cell", args=[org.code])))
    links.append((_("Admission deadlines"), reverse("admissions:deadlines", args=[org.code])))
    return links
