"""The access policy: the one place that answers who may see and do what, and where.

A role on a committee reaches the committee's whole subtree; a role on a cell reaches that
cell; a user linked to a member record may always see that record. Every page and API
endpoint asks this module, never the roles directly.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleKind
from chibo.members.models import Member
from chibo.orgs.models import Organisation


class Perm(StrEnum):
    VIEW_ORG = "org.view"
    EDIT_ORG = "org.edit"  # name, place, meeting day
    REORGANISE = "org.reorganise"  # add, move, merge, split, close organisations below
    LIST_MEMBERS = "member.list"  # names, status, position: what a cell's members see
    VIEW_MEMBER = "member.view"  # the member's page with personal data (masked IDs)
    EDIT_MEMBER = "member.edit"  # add, edit, change home cell
    REVEAL_ID = "member.reveal"  # citizen ID and phone in clear, always logged
    VIEW_MEETINGS = "meeting.view"  # plans, agendas, released materials, minutes
    RUN_MEETINGS = "meeting.run"  # plan, prepare, hold, record, close a cell's meetings
    VIEW_AUDIT = "audit.view"
    MANAGE_ACCOUNTS = "accounts.manage"
    # A committee's decisions on a member's path: the committee's resolution and the
    # admission decision, recognition, accepting a transfer, removal of name, badges.
    DECIDE_MEMBERSHIP = "member.decide"
    VIEW_FEES = "fee.view"  # fee rates, collections, arrears, reports
    COLLECT_FEES = "fee.collect"  # set a member's fee basis, record payments and remittances
    # The dashboard of a subtree and its warnings; acknowledging a warning with a note.
    VIEW_OVERSIGHT = "oversight.view"
    ACT_ON_WARNINGS = "oversight.act"
    # The standing committee assigns its members to follow cells (supervision).
    ASSIGN_FOLLOWERS = "oversight.assign"
    # Members under attention: seen and kept only by the cell committee and the inspection
    # staff above it; every view is logged.
    VIEW_ATTENTION = "attention.view"
    MANAGE_ATTENTION = "attention.manage"
    # Inspection and supervision programmes, complaints and denunciations (QĐ 296).
    VIEW_INSPECTION = "inspection.view"
    MANAGE_INSPECTION = "inspection.manage"
    DECIDE_DISCIPLINE = "discipline.decide"
    # The annual review (QĐ 366): see the reviews of a subtree; open and close a round;
    # write an organisation's report, enter a member's self-review on their behalf and
    # record the cell's proposals; decide and confirm levels.
    VIEW_REVIEWS = "review.view"
    MANAGE_REVIEWS = "review.manage"
    PREPARE_REVIEWS = "review.prepare"
    DECIDE_REVIEWS = "review.decide"


_CELL_MEMBER = {Perm.VIEW_ORG, Perm.LIST_MEMBERS, Perm.VIEW_MEETINGS}
# The cell committee helps run meetings: one of them is often the minute-taker, and one
# often keeps the cell's fee book.
_CELL_COMMITTEE = _CELL_MEMBER | {
    Perm.VIEW_MEMBER,
    Perm.RUN_MEETINGS,
    Perm.VIEW_FEES,
    Perm.COLLECT_FEES,
    Perm.VIEW_OVERSIGHT,
    Perm.VIEW_ATTENTION,
    Perm.MANAGE_ATTENTION,
    Perm.VIEW_REVIEWS,
}
_CELL_LEADER = _CELL_COMMITTEE | {
    Perm.EDIT_MEMBER,
    Perm.EDIT_ORG,
    Perm.REVEAL_ID,
    Perm.ACT_ON_WARNINGS,
    # The cell receives the inspection's notice and writes its self-report.
    Perm.VIEW_INSPECTION,
    Perm.PREPARE_REVIEWS,
    # Reaches only what the cell decides itself: a grassroots cell classifies its members;
    # a subordinate cell's members and the cell itself are decided above it.
    Perm.DECIDE_REVIEWS,
}

GRANTS: dict[str, frozenset[Perm]] = {
    RoleKind.MEMBER: frozenset(_CELL_MEMBER),
    RoleKind.CELL_COMMITTEE: frozenset(_CELL_COMMITTEE),
    RoleKind.DEPUTY_SECRETARY: frozenset(_CELL_LEADER),
    RoleKind.SECRETARY: frozenset(_CELL_LEADER),
    RoleKind.STANDING_MEMBER: frozenset(
        {
            Perm.VIEW_ORG,
            Perm.EDIT_ORG,
            Perm.LIST_MEMBERS,
            Perm.VIEW_MEMBER,
            Perm.VIEW_MEETINGS,
            Perm.DECIDE_MEMBERSHIP,
            Perm.VIEW_FEES,
            Perm.VIEW_OVERSIGHT,
            Perm.ACT_ON_WARNINGS,
            Perm.ASSIGN_FOLLOWERS,
            Perm.VIEW_INSPECTION,
            Perm.MANAGE_INSPECTION,
            Perm.DECIDE_DISCIPLINE,
            Perm.VIEW_REVIEWS,
            Perm.MANAGE_REVIEWS,
            Perm.PREPARE_REVIEWS,
            Perm.DECIDE_REVIEWS,
        }
    ),
    RoleKind.ORGANISATION_STAFF: frozenset(
        {
            Perm.VIEW_ORG,
            Perm.EDIT_ORG,
            Perm.REORGANISE,
            Perm.LIST_MEMBERS,
            Perm.VIEW_MEMBER,
            Perm.EDIT_MEMBER,
            Perm.REVEAL_ID,
            Perm.VIEW_MEETINGS,
            Perm.DECIDE_MEMBERSHIP,
            Perm.VIEW_FEES,
            Perm.COLLECT_FEES,
            Perm.VIEW_OVERSIGHT,
            # The organisation commission runs the review for the standing committee.
            Perm.VIEW_REVIEWS,
            Perm.MANAGE_REVIEWS,
            Perm.PREPARE_REVIEWS,
        }
    ),
    RoleKind.INSPECTION_STAFF: frozenset(
        {
            Perm.VIEW_ORG,
            Perm.LIST_MEMBERS,
            Perm.VIEW_MEMBER,
            Perm.REVEAL_ID,
            Perm.VIEW_AUDIT,
            Perm.VIEW_MEETINGS,
            Perm.VIEW_FEES,  # the inspection commission inspects the fee books
            Perm.VIEW_OVERSIGHT,
            Perm.ACT_ON_WARNINGS,
            Perm.VIEW_ATTENTION,
            Perm.VIEW_INSPECTION,
            Perm.MANAGE_INSPECTION,
            Perm.DECIDE_DISCIPLINE,
            Perm.VIEW_REVIEWS,
        }
    ),
    # The system administrator does everything except read the sensitive attention list,
    # which is the cell committee's and the inspection staff's alone.
    RoleKind.ADMINISTRATOR: frozenset(Perm) - {Perm.VIEW_ATTENTION, Perm.MANAGE_ATTENTION},
}

# What a member may do with their own record, whatever their roles.
OWN_RECORD = frozenset({Perm.VIEW_MEMBER, Perm.REVEAL_ID, Perm.VIEW_FEES})


@dataclass(frozen=True)
class Reach:
    """Where one role reaches: a whole subtree, or a single cell."""

    kind: str
    org_id: int
    path: str
    subtree: bool

    def covers(self, org: Organisation) -> bool:
        return org.path.startswith(self.path) if self.subtree else org.pk == self.org_id


def reaches(user) -> list[Reach]:
    """Return the user's roles as reaches, read once per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_chibo_reaches", None)
    if cached is None:
        cached = [
            Reach(r.kind, r.organisation_id, r.organisation.path, r.reaches_subtree)
            # Roles on closed organisations reach nothing.
            for r in user.roles.filter(organisation__closed_on__isnull=True)
            .select_related("organisation")
            .only("kind", "organisation__path", "organisation_id")
        ]
        user._chibo_reaches = cached
    return cached


def _granting(user, perm: Perm) -> list[Reach]:
    return [r for r in reaches(user) if perm in GRANTS[r.kind]]


# Rights no one holds by being the installation's superuser: only a role grants them.
ROLE_ONLY = frozenset({Perm.VIEW_ATTENTION, Perm.MANAGE_ATTENTION})


def can(user, perm: Perm, obj: Organisation | Member | None = None) -> bool:
    """Return whether the user may do perm to obj (or anywhere at all, when obj is None)."""
    if _is_superuser(user) and perm not in ROLE_ONLY:
        return True
    granting = _granting(user, perm)
    if obj is None:
        return bool(granting) or (perm in OWN_RECORD and _own_member_id(user) is not None)
    if isinstance(obj, Member):
        if perm in OWN_RECORD and obj.pk is not None and obj.pk == _own_member_id(user):
            return True
        org = obj.cell
    else:
        org = obj
    return any(r.covers(org) for r in granting)


def require(user, perm: Perm, obj: Organisation | Member | None = None) -> None:
    """Raise PermissionDenied unless the user may do perm to obj."""
    if not can(user, perm, obj):
        raise PermissionDenied(_("You do not have permission to do this here."))


def org_scope(user, perm: Perm, prefix: str = "") -> Q:
    """Return a filter for the organisations where the user may do perm."""
    if _is_superuser(user) and perm not in ROLE_ONLY:
        return Q()
    q = Q(pk__in=[])
    for r in _granting(user, perm):
        if r.subtree:
            q |= Q(**{f"{prefix}path__startswith": r.path})
        else:
            q |= Q(**{f"{prefix}pk": r.org_id})
    return q


def visible_orgs(user, perm: Perm = Perm.VIEW_ORG) -> QuerySet[Organisation]:
    return Organisation.objects.filter(org_scope(user, perm))


def visible_members(user, perm: Perm = Perm.LIST_MEMBERS) -> QuerySet[Member]:
    q = org_scope(user, perm, prefix="cell__")
    own = _own_member_id(user)
    if own is not None and perm in OWN_RECORD | {Perm.LIST_MEMBERS}:
        q |= Q(pk=own)
    return Member.objects.filter(q)


def top_orgs(user) -> list[Organisation]:
    """Return the highest organisations the user can see, the roots of their tree."""
    if _is_superuser(user):
        return list(Organisation.objects.get_root_nodes())
    paths = sorted({r.path for r in _granting(user, Perm.VIEW_ORG)})
    tops = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
    return list(Organisation.objects.filter(path__in=tops).order_by("path"))


def _own_member_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.member_id


def _is_superuser(user) -> bool:
    # The installation's own superuser (created by `chibo createsuperuser` or the seed) is
    # above every organisation; everyone else acts through roles.
    return bool(getattr(user, "is_superuser", False) and user.is_active)
