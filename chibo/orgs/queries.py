"""Reads of the organisation tree, always scoped to what the user may see."""

from django.db.models import Count, Q, QuerySet

from chibo.accounts.policy import Perm, visible_orgs
from chibo.members.models import CURRENT_STATUSES, Member
from chibo.orgs.models import CELL_LEVELS, Level, Organisation
from chibo.text import fold

SEARCH_LIMIT = 30


def get_visible(user, code: str, perm: Perm = Perm.VIEW_ORG) -> Organisation:
    """Return the organisation with this code, or raise DoesNotExist when it is out of reach."""
    return visible_orgs(user, perm).get(code=code)


def search(
    user,
    text: str,
    *,
    cells_only: bool = False,
    active_only: bool = False,
    perm: Perm = Perm.VIEW_ORG,
) -> QuerySet[Organisation]:
    """Find organisations by code or by name without diacritics."""
    text = text[:100]
    folded = fold(text)
    if not folded:
        return Organisation.objects.none()
    qs = visible_orgs(user, perm).filter(
        Q(name_folded__contains=folded) | Q(code__iexact=text.strip())
    )
    if cells_only:
        qs = qs.filter(level__in=CELL_LEVELS)
    if active_only:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("depth", "name_folded")[:SEARCH_LIMIT]


def children(org: Organisation) -> QuerySet[Organisation]:
    """Return the organisations directly under org, open ones first."""
    return Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by(
        "closed_on", "name_folded"
    )


def subtree_counts(org: Organisation) -> dict:
    """Return organisations by level and current members by status for org's subtree."""
    orgs = (
        Organisation.objects.filter(path__startswith=org.path, closed_on__isnull=True)
        .exclude(pk=org.pk)
        # The tree manager orders by path, which would split the GROUP BY into single rows.
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
    )
    by_level = {row["level"]: row["n"] for row in orgs}
    members = (
        Member.objects.filter(cell__path__startswith=org.path)
        .values("status")
        .annotate(n=Count("id"))
    )
    by_status = {row["status"]: row["n"] for row in members}
    return {
        "organisations": {lvl.value: by_level.get(lvl.value, 0) for lvl in Level},
        "members": by_status,
        "members_current": sum(by_status.get(s, 0) for s in CURRENT_STATUSES),
        "cells": sum(by_level.get(lvl, 0) for lvl in CELL_LEVELS) + (1 if org.is_cell else 0),
    }
