"""This app's part of the member's and the organisation's pages (see chibo/web/panels.py).

The member's page is this app's own and shows its records (the ending, removal proposals,
training, badges, corrections) itself; the organisation's page gets the buttons to the
removal list, the badge list and, for the cell's leaders, the corrections members ask for.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can
from chibo.members.queries import pending_corrections


def org_links(request, org) -> list[tuple[str, str]]:
    user = request.user
    if not can(user, Perm.VIEW_MEMBER, org):
        return []
    links = [
        (_("Removal of name"), reverse("members:removals", args=[org.code])),
        (_("Party badges"), reverse("members:badges", args=[org.code])),
    ]
    if can(user, Perm.EDIT_MEMBER, org):
        waiting = pending_corrections(org).count()
        label = _("Corrections asked for")
        if waiting:
            label = f"{label} ({waiting})"
        links.append((label, reverse("members:corrections", args=[org.code])))
    return links
