"""This app's part of the member's and the organisation's pages (see chibo/web/panels.py).

On the member's page: the transfer in progress, where the member takes part temporarily, the
recent transfers, the residence registration and the last yearly comment, with the buttons
to start a transfer or register the residence. The member's page is shown only to those who
may see the record (and to the member); the comment with it, as QĐ 213 intends, to the
workplace cell's leaders.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can
from chibo.orgs.models import CellType
from chibo.transfers import queries
from chibo.transfers.models import Transfer


def member_panel(request, member) -> dict | None:
    user = request.user
    if not can(user, Perm.VIEW_MEMBER, member):
        return None
    today = timezone.localdate()
    may_edit = member.is_current and can(user, Perm.EDIT_MEMBER, member.cell)
    open_transfer = queries.open_transfer(member)
    visiting = (
        Transfer.objects.filter(queries.temporary_on(today), member=member)
        .select_related("to_org")
        .first()
    )
    residence = queries.open_registration(member)
    comment = queries.last_comment(member)
    panel = {
        "member_id": member.pk,
        "open": open_transfer,
        "visiting": visiting if visiting and visiting.to_org_id else None,
        "recent": list(
            member.transfers.exclude(pk=getattr(open_transfer, "pk", None))
            .select_related("from_org", "to_org")
            .order_by("-letter_date", "-id")[:3]
        ),
        "residence": residence,
        "residence_link": residence is not None,
        "comment": comment
        if comment and queries.may_read_comments(user, comment.registration)
        else None,
        "may_transfer": may_edit and open_transfer is None,
        "may_register": may_edit and member.cell.cell_type != CellType.RESIDENTIAL,
    }
    shows = (
        panel["open"]
        or panel["recent"]
        or panel["residence"]
        or panel["comment"]
        or panel["may_transfer"]
        or panel["may_register"]
    )
    return panel if shows else None


def org_links(request, org) -> list[tuple[str, str]]:
    user = request.user
    if not can(user, Perm.VIEW_MEMBER, org):
        return []
    links = [(_("Transfers"), reverse("transfers:org_list", args=[org.code]))]
    if org.is_cell and org.cell_type == CellType.RESIDENTIAL:
        links.append((_("Residence contact"), reverse("transfers:residence", args=[org.code])))
    return links
