"""Reads of the member registry, always scoped to what the user may see, and the lists of a
member's path that the rules draw from the records: who may have their name removed
(Điều lệ Đảng, art. 8) and who becomes eligible for a party badge on an award date."""

import datetime
from dataclasses import dataclass, field

from django.db.models import DateField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from chibo.accounts.policy import Perm, org_scope, visible_members
from chibo.dates import add_years
from chibo.members.models import (
    CURRENT_STATUSES,
    Badge,
    CorrectionRequest,
    Member,
    RemovalGround,
    RemovalProposal,
)
from chibo.orgs.models import Organisation
from chibo.regulations.lifecycle import BadgeRules, MembershipRules
from chibo.regulations.loader import PackNotFound, load_packs, pack_for
from chibo.text import fold

SEARCH_MAX = 100
# The overdue badge list of a big committee is cut to this many rows on a page.
OVERDUE_SHOWN = 200


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


# The membership pack.


def membership_rules(org: Organisation, day: datetime.date) -> MembershipRules:
    """Return the membership figures in force for the organisation on that day.

    Chibo's first membership pack applies from 2021; a badge awarded or a year judged before
    it is read by that first pack, the earliest text entered, rather than refused.
    """
    try:
        return pack_for(org, day, subject="membership").membership
    except PackNotFound:
        national = sorted(
            (p for p in load_packs() if p.subject == "membership" and p.scope is None),
            key=lambda p: p.applies_from,
        )
        if national and day < national[0].applies_from:
            return national[0].membership
        raise


def _year_end(year: int) -> datetime.date:
    """The day whose pack judges a year: its last day, or today for the year under way."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


# Removal of name (Điều lệ Đảng, art. 8).


@dataclass(frozen=True)
class RemovalEvidence:
    """What the records show against a member for one year."""

    year: int
    absent_months: list[datetime.date]
    unpaid_months: list[datetime.date]

    def as_record(self) -> dict:
        """The evidence as stored with a proposal, so the decision reads what the cell saw."""
        return {
            "year": self.year,
            "absent_months": [m.isoformat() for m in self.absent_months],
            "unpaid_months": [m.isoformat() for m in self.unpaid_months],
        }


def absent_months(attendance, year: int) -> dict[int, list[datetime.date]]:
    """Return, by member, the months of the year with an unexcused absence from a regular
    meeting, in one query. The month is the meeting's, in the installation's time zone."""
    from chibo.meetings.models import REGULAR_KINDS, AttendanceStatus, MeetingStatus

    local = timezone.get_default_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=local)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=local)
    rows = (
        attendance.filter(
            status=AttendanceStatus.ABSENT_UNEXCUSED,
            meeting__kind__in=REGULAR_KINDS,
            meeting__scheduled_at__gte=start,
            meeting__scheduled_at__lt=end,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .annotate(month=TruncMonth("meeting__scheduled_at", output_field=DateField(), tzinfo=local))
        .values_list("member_id", "month")
        .distinct()
    )
    months: dict[int, list[datetime.date]] = {}
    for member_id, month in rows:
        months.setdefault(member_id, []).append(month)
    return {k: sorted(v) for k, v in months.items()}


def _unpaid_months(member: Member, year: int) -> list[datetime.date]:
    # Imported here: the fee book is its own app, which reads the registry.
    from chibo.fees.queries import unpaid_months

    return sorted(unpaid_months(member, year))


def removal_grounds(member: Member, year: int) -> RemovalEvidence:
    """Return the months of the year in which the member missed a regular meeting without
    good reason, and the months whose party fee is unpaid."""
    from chibo.meetings.models import Attendance

    absent = absent_months(Attendance.objects.filter(member=member), year).get(member.pk, [])
    return RemovalEvidence(year, absent, _unpaid_months(member, year))


@dataclass
class RemovalCandidate:
    """A current member whose records for the year reach a ground for removing the name."""

    member: Member
    absent_months: list[datetime.date]
    unpaid_months: list[datetime.date]
    grounds: list[str] = field(default_factory=list)  # RemovalGround values the data shows
    pending: RemovalProposal | None = None


def removal_candidates(org: Organisation, year: int) -> list[RemovalCandidate]:
    """Return the current members of a cell, or of a committee's subtree, whose absences
    without reason (or, for a cell, unpaid fee months) in the year reach the pack's figure.

    Absences come from one query over the subtree. Fees are read member by member, so only
    for a single cell; a committee sees the absences and each cell's list has the fees.
    """
    from chibo.meetings.models import Attendance

    rules = membership_rules(org, _year_end(year)).removal
    current = Member.objects.filter(
        cell__path__startswith=org.path, status__in=CURRENT_STATUSES
    ).select_related("cell")
    absences = absent_months(
        Attendance.objects.filter(
            member__cell__path__startswith=org.path, member__status__in=CURRENT_STATUSES
        ),
        year,
    )
    unpaid: dict[int, list[datetime.date]] = {}
    if org.is_cell:
        unpaid = {m.pk: _unpaid_months(m, year) for m in current}
    flagged = [
        pk
        for pk in set(absences) | set(unpaid)
        if len(absences.get(pk, [])) >= rules.absent_months_in_year
        or len(unpaid.get(pk, [])) >= rules.unpaid_fee_months_in_year
    ]
    pending = {
        p.member_id: p
        for p in RemovalProposal.objects.filter(
            member_id__in=flagged, outcome=RemovalProposal.Outcome.PENDING
        )
    }
    candidates = []
    for member in current.filter(pk__in=flagged).order_by("cell__path", "name_folded"):
        absent, owed = absences.get(member.pk, []), unpaid.get(member.pk, [])
        grounds = []
        if len(absent) >= rules.absent_months_in_year:
            grounds.append(RemovalGround.ABSENT)
        if len(owed) >= rules.unpaid_fee_months_in_year:
            grounds.append(RemovalGround.UNPAID_FEES)
        candidates.append(RemovalCandidate(member, absent, owed, grounds, pending.get(member.pk)))
    return candidates


def removal_proposals(org: Organisation, year: int | None = None) -> QuerySet[RemovalProposal]:
    """The proposals of the subtree: every pending one, and those decided in the year."""
    qs = RemovalProposal.objects.filter(member__cell__path__startswith=org.path).select_related(
        "member", "member__cell"
    )
    pending = Q(outcome=RemovalProposal.Outcome.PENDING)
    if year is not None:
        pending |= Q(decided_at__year=year)
    return qs.filter(pending).order_by("outcome", "-proposed_at", "-id")


# Party badges.


def award_dates_around(rules: BadgeRules, day: datetime.date) -> tuple[datetime.date, ...]:
    """Return the award dates of day's year and the years either side, in order."""
    return tuple(d for y in (day.year - 1, day.year, day.year + 1) for d in rules.award_dates(y))


def previous_award_date(rules: BadgeRules, award_date: datetime.date) -> datetime.date:
    return max(d for d in award_dates_around(rules, award_date) if d < award_date)


def next_award_dates(org: Organisation, today: datetime.date, count: int = 4):
    """Return the next award dates from today (today included)."""
    rules = membership_rules(org, today).badges
    later = [d for d in award_dates_around(rules, today) if d >= today]
    later += rules.award_dates(today.year + 2)
    return later[:count]


def badge_reached_on(member: Member, years: int) -> datetime.date:
    """The day the member's party age, counted from the admission decision, reaches years."""
    return add_years(member.admitted_on, years)


@dataclass
class BadgeCandidate:
    """A member due a badge: years is the badge; missing lists, for an older member, the
    thresholds passed with no badge of that or a higher number recorded."""

    member: Member
    years: int
    reached_on: datetime.date
    missing: list[int] = field(default_factory=list)


@dataclass
class BadgeList:
    award_date: datetime.date
    previous: datetime.date
    due: list[BadgeCandidate]
    overdue: list[BadgeCandidate]
    overdue_count: int


def badge_candidates(org: Organisation, award_date: datetime.date) -> BadgeList:
    """Return the current members of a cell or a committee's subtree who become eligible for
    a badge on this award date — their party age reaches one of the pack's years after the
    previous award date and on or before this one, with no badge of those years yet — and,
    apart, those already past a threshold with no badge recorded for it (older members
    whose earlier badges were never entered). award_date must be one of the pack's days."""
    rules = membership_rules(org, award_date).badges
    previous = previous_award_date(rules, award_date)
    first = rules.years[0]
    # A day of slack either side of each window: 29 February is checked exactly below.
    window = Q()
    for years in rules.years:
        window |= Q(
            admitted_on__gt=add_years(previous, -years) - datetime.timedelta(days=1),
            admitted_on__lte=add_years(award_date, -years) + datetime.timedelta(days=1),
        )
    older = Q(admitted_on__lte=add_years(previous, -first) + datetime.timedelta(days=1))
    members = list(
        Member.objects.filter(cell__path__startswith=org.path, status__in=CURRENT_STATUSES)
        .filter(window | older)
        .select_related("cell")
        .only("id", "full_name", "admitted_on", "status", "cell__code", "cell__name", "cell__path")
        .order_by("cell__path", "name_folded", "id")
    )
    held: dict[int, set[int]] = {}
    for member_id, years in Badge.objects.filter(
        member__cell__path__startswith=org.path
    ).values_list("member_id", "years"):
        held.setdefault(member_id, set()).add(years)
    due, overdue = [], []
    for member in members:
        badges = held.get(member.pk, set())
        for years in rules.years:
            reached = badge_reached_on(member, years)
            if previous < reached <= award_date and years not in badges:
                due.append(BadgeCandidate(member, years, reached))
        passed = [y for y in rules.years if badge_reached_on(member, y) <= previous]
        missing = [y for y in passed if not any(b >= y for b in badges)]
        if missing:
            overdue.append(
                BadgeCandidate(member, missing[-1], badge_reached_on(member, missing[-1]), missing)
            )
    return BadgeList(award_date, previous, due, overdue[:OVERDUE_SHOWN], len(overdue))


# Corrections asked for by members.


def pending_corrections(org: Organisation) -> QuerySet[CorrectionRequest]:
    """The requests of the cell's members (or the subtree's) that wait for an answer."""
    return (
        CorrectionRequest.objects.filter(
            member__cell__path__startswith=org.path, outcome=CorrectionRequest.Outcome.PENDING
        )
        .select_related("member", "member__cell")
        .order_by("requested_at", "id")
    )
