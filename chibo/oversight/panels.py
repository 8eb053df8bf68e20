"""This app's part of the organisation's page (see chibo/web/panels.py): the dashboard,
inspection and supervision."""

from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can


def org_links(request, org) -> list[tuple[str, str]]:
    links = []
    if can(request.user, Perm.VIEW_OVERSIGHT, org):
        links.append((_("Dashboard"), reverse("oversight:dashboard", args=[org.code])))
        if org.is_cell:
            links.append((_("Visits"), reverse("oversight:cell_visits", args=[org.code])))
        else:
            links.append(
                (_("Followers of the cells"), reverse("oversight:followers", args=[org.code]))
            )
            links.append((_("Visit coverage"), reverse("oversight:coverage", args=[org.code])))
    if org.is_cell and can(request.user, Perm.VIEW_ATTENTION, org):
        links.append(
            (_("Members under attention"), reverse("oversight:attention", args=[org.code]))
        )
    if can(request.user, Perm.VIEW_INSPECTION, org):
        links.append(
            (
                _("Inspection and supervision"),
                reverse("oversight:inspection_programme", args=[org.code]),
            )
        )
    return links
