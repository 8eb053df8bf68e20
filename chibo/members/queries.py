"""Reads of the member registry, always scoped to what the user may see."""

from django.db.models import Q, QuerySet

from chibo.accounts.policy import Perm, org_scope, visible_members
from chibo.members.models import Member
from chibo.orgs.models import Organisation
from chibo.text import fold

SEARCH_MAX = 100


def find(
    user,
    *,
    text: str = "",
    org: Organisation | None = None,
    status: str = "",
    gender: str = "",
) -> QuerySet[Member]:
    """Return the members the user may list, filtered; names match without diacritics."""
    qs = visible_members(user, Perm.LIST_MEMBERS).select_related("cell")
    text = text[:SEARCH_MAX]
    if org is not None:
        qs = qs.filter(cell__path__startswith=org.path)
    if status:
        qs = qs.filter(status=status)
    if gender:
        # Gender is part of the record: filter only among members whose record the user sees.
        qs = qs.filter(gender=gender).filter(org_scope(user, Perm.VIEW_MEMBER, prefix="cell__"))
    folded = fold(text)
    if folded:
        digits = text.strip()
        match = Q(name_folded__contains=folded)
        if digits.isdigit() and len(digits) >= 6:
            # Matching a full number would confirm a masked ID: only for those who may reveal it.
            match |= (Q(party_card_number=digits) | Q(citizen_id=digits)) & org_scope(
                user, Perm.REVEAL_ID, prefix="cell__"
            )
        qs = qs.filter(match)
    return qs.order_by("name_folded", "id")


def get_visible(user, member_id: int, perm: Perm = Perm.VIEW_MEMBER) -> Member:
    """Return the member, or raise DoesNotExist when the user may not see them."""
    return visible_members(user, perm).select_related("cell").get(pk=member_id)
