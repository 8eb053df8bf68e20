"""Reads of transfers and residence contact, scoped by the access policy.

A transfer is seen by those who may see members' records on either side (the sending and the
receiving organisation, and the committees above them) and by the member. A residence
registration is seen on the residential cell's side and the workplace cell's side alike.
Meetings ask here who is temporarily away from a cell and who takes part in it temporarily.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, org_scope
from chibo.members.models import CURRENT_STATUSES, Member, Status
from chibo.orgs.models import Organisation
from chibo.transfers.models import (
    Kind,
    ResidenceComment,
    ResidenceRegistration,
    Transfer,
    TransferStatus,
)


def _own_member_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.member_id


def visible_transfers(user) -> QuerySet[Transfer]:
    q = org_scope(user, Perm.VIEW_MEMBER, prefix="from_org__") | org_scope(
        user, Perm.VIEW_MEMBER, prefix="to_org__"
    )
    own = _own_member_id(user)
    if own is not None:
        q |= Q(member_id=own)
    return Transfer.objects.filter(q).select_related("member", "from_org", "to_org")


def transfers_of(org: Organisation) -> QuerySet[Transfer]:
    """Transfers out of or into the organisation and everything under it."""
    return Transfer.objects.filter(
        Q(from_org__path__startswith=org.path) | Q(to_org__path__startswith=org.path)
    ).select_related("member", "from_org", "to_org")


def open_transfer(member: Member) -> Transfer | None:
    return (
        member.transfers.filter(status__in=[TransferStatus.IN_TRANSIT, TransferStatus.ACTIVE])
        .select_related("from_org", "to_org")
        .first()
    )


def temporary_on(day: datetime.date) -> Q:
    """Temporary transfers in force on a day: accepted, started, and not yet over."""
    return (
        Q(kind=Kind.TEMPORARY, status__in=[TransferStatus.ACTIVE, TransferStatus.RETURNED])
        & Q(accepted_on__lte=day)
        & (
            Q(returned_on__isnull=False, returned_on__gt=day)
            | Q(returned_on__isnull=True, ends_on__gt=day)
        )
    )


def away_member_ids(cell: Organisation, day: datetime.date) -> set[int]:
    """Members of the cell (home cell) who are transferred temporarily elsewhere on day."""
    return set(
        Transfer.objects.filter(temporary_on(day), member__cell=cell, from_org=cell).values_list(
            "member_id", flat=True
        )
    )


def away_official_count(cell: Organisation, day: datetime.date, invited: set[int]) -> int:
    """Count the cell's official members away temporarily on day and not at the meeting (an
    away member who came and voted counts, as QĐ 294's rule on the denominator says)."""
    # One query: vote_register asks it on every refresh of the meeting's register.
    return (
        Transfer.objects.filter(
            temporary_on(day),
            from_org=cell,
            member__cell=cell,
            member__status__in=CURRENT_STATUSES,
        )
        .exclude(member__status=Status.PROBATIONARY)
        .exclude(member_id__in=invited)
        .values("member_id")
        .distinct()
        .count()
    )


def temporary_members(cell: Organisation, day: datetime.date) -> QuerySet[Member]:
    """Members of other cells who take part in this cell temporarily on day."""
    ids = Transfer.objects.filter(temporary_on(day), to_org=cell).values("member_id")
    return Member.objects.filter(pk__in=ids, status__in=CURRENT_STATUSES).exclude(cell=cell)


def cell_lists(org: Organisation, today: datetime.date) -> dict:
    """The transfers page of an organisation: what is on the way, overdue, here or away."""
    rows = list(transfers_of(org).order_by("-letter_date", "-id")[:500])
    inside = org.path

    def under(o):
        return o is not None and o.path.startswith(inside)

    in_transit = [t for t in rows if t.status == TransferStatus.IN_TRANSIT]
    return {
        "in_transit_out": [t for t in in_transit if under(t.from_org)],
        "in_transit_in": [t for t in in_transit if under(t.to_org) and not under(t.from_org)],
        "overdue": [t for t in in_transit if t.letter_expired(today) or t.is_late(today)],
        "away": [t for t in rows if t.status == TransferStatus.ACTIVE and under(t.from_org)],
        "visiting": [
            t
            for t in rows
            if t.status == TransferStatus.ACTIVE and under(t.to_org) and not under(t.from_org)
        ],
        "done": [t for t in rows if not t.is_open][:100],
    }


# Residence contact.


def visible_registrations(user) -> QuerySet[ResidenceRegistration]:
    q = org_scope(user, Perm.VIEW_MEMBER, prefix="cell__") | org_scope(
        user, Perm.VIEW_MEMBER, prefix="member__cell__"
    )
    own = _own_member_id(user)
    if own is not None:
        q |= Q(member_id=own)
    return ResidenceRegistration.objects.filter(q).select_related("member__cell", "cell")


def open_registration(member: Member) -> ResidenceRegistration | None:
    return member.residences.filter(ended_on__isnull=True).select_related("cell").first()


def may_read_comments(user, registration: ResidenceRegistration) -> bool:
    """The yearly comment is written for the workplace cell's review (QĐ 213): its leaders
    and the committees above read it, and the residential cell that wrote it; the member
    does not. Asked of the organisations, so a member's right to their own record does not
    count here."""
    return can(user, Perm.VIEW_MEMBER, registration.member.cell) or can(
        user, Perm.VIEW_MEMBER, registration.cell
    )


def last_comment(member: Member) -> ResidenceComment | None:
    return (
        ResidenceComment.objects.filter(registration__member=member)
        .select_related("registration__cell")
        .order_by("-year", "-id")
        .first()
    )


def residence_comments_for_review(user, member: Member, year: int) -> list[ResidenceComment]:
    """The residential cells' comments on a member for a year, for the workplace cell's
    annual review (issue 6 calls this). Refused unless the user may see the member's record."""
    # Asked of the cell, not the member: the member does not read their own comment.
    if not can(user, Perm.VIEW_MEMBER, member.cell):
        raise PermissionDenied(_("You do not have permission to do this here."))
    return list(
        ResidenceComment.objects.filter(registration__member=member, year=year)
        .select_related("registration__cell")
        .order_by("registration__registered_on", "id")
    )


def registrations_in_year(cell: Organisation, year: int) -> QuerySet[ResidenceRegistration]:
    """Members registered with the residential cell at some time in the year."""
    return (
        ResidenceRegistration.objects.filter(cell=cell, registered_on__year__lte=year)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__year__gte=year))
        .select_related("member__cell")
        .annotate(last_contact=Max("contacts__on"))
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=ResidenceComment.objects.filter(year=year),
                to_attr="year_comments",
            )
        )
        .order_by("member__name_folded", "id")
    )


def missing_comments(cell: Organisation, year: int) -> list[ResidenceRegistration]:
    """Registered members who are not exempt and have no comment for the year yet."""
    return [
        r for r in registrations_in_year(cell, year) if not r.exempt_group and not r.year_comments
    ]
