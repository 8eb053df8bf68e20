"""Reads of the annual review, scoped by the access policy: the rounds that cover an
organisation, a cell's sheet of members, a decider's sheet with the quota, the distribution
of levels over a subtree and the years, and a member's results."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from chibo.accounts.policy import Perm, can
from chibo.members.models import Member
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.regulations.reviews import LEVELS
from chibo.reviews.models import (
    MemberReview,
    OrganisationReview,
    ReviewConfirmation,
    ReviewRound,
    Stage,
    Subject,
)
from chibo.reviews.rules import QuotaCheck, quota_check


def _ancestor_paths(org: Organisation) -> list[str]:
    step = Organisation.steplen
    return [org.path[:n] for n in range(step, len(org.path) + 1, step)]


def covering_rounds(org: Organisation, year: int | None = None) -> QuerySet[ReviewRound]:
    """The rounds whose subtree holds org: opened by org or a committee above it."""
    rounds = ReviewRound.objects.filter(organisation__path__in=_ancestor_paths(org))
    if year is not None:
        rounds = rounds.filter(year=year)
    return rounds.select_related("organisation").order_by("-year")


def round_for(org: Organisation, year: int) -> ReviewRound | None:
    return covering_rounds(org, year).first()


def rounds_of(org: Organisation) -> list[ReviewRound]:
    """Every round an organisation's page lists: those covering it and those opened below."""
    rounds = ReviewRound.objects.filter(
        Q(organisation__path__in=_ancestor_paths(org)) | Q(organisation__path__startswith=org.path)
    )
    return list(rounds.select_related("organisation").order_by("-year", "organisation__path"))


def reviewed_members(review_round: ReviewRound, org: Organisation) -> QuerySet[Member]:
    """The members of org's subtree the round reviews: by the statuses of its pack, and
    admitted by the end of the year reviewed (a member admitted since has no year to
    review)."""
    from chibo.reviews.actions import rules_of

    return Member.objects.filter(
        cell__path__startswith=org.path,
        status__in=rules_of(review_round).member_statuses,
        admitted_on__lte=datetime.date(review_round.year, 12, 31),
    )


def may_view(user, review: MemberReview) -> bool:
    """The member themself, and those who see the reviews of the member's cell."""
    own = getattr(user, "member_id", None)
    return (own is not None and own == review.member_id) or can(
        user, Perm.VIEW_REVIEWS, review.cell
    )


def may_view_report(user, org: Organisation) -> bool:
    """An organisation's report: those who see its reviews, and the committee that decides
    its level."""
    from chibo.reviews.actions import organisation_decider

    if can(user, Perm.VIEW_REVIEWS, org):
        return True
    decider = organisation_decider(org)
    return decider is not None and can(user, Perm.DECIDE_REVIEWS, decider)


# A cell's sheet: each member with their review, or none yet.


@dataclass
class MemberRow:
    member: Member
    review: MemberReview | None

    @property
    def stage(self) -> str:
        return self.review.stage if self.review else "none"


def cell_sheet(review_round: ReviewRound, cell: Organisation) -> list[MemberRow]:
    members = reviewed_members(review_round, cell).filter(cell=cell).order_by("name_folded", "id")
    reviews = {
        r.member_id: r
        for r in MemberReview.objects.filter(round=review_round, member__in=members).select_related(
            "proposal_vote"
        )
    }
    return [MemberRow(m, reviews.get(m.pk)) for m in members]


def stage_counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(["none", *Stage.values], 0)
    for row in rows:
        counts[row.stage] += 1
    return counts


# A decider's sheet: what it decides, counted by level, with the quota.


@dataclass
class DeciderSheet:
    decider: Organisation
    subject: str
    rows: list  # MemberRow, or OrgRow
    counts: dict[str, int]  # decided by level
    proposed: dict[str, int]  # proposed (or self-assessed, for organisations) by level
    quota: QuotaCheck
    proposed_quota: QuotaCheck
    confirmation: ReviewConfirmation | None
    expected: int

    @property
    def decided(self) -> int:
        return sum(self.counts.values())

    @property
    def ready(self) -> bool:
        return self.confirmation is None and self.decided >= self.expected and not self.quota.broken


@dataclass
class OrgRow:
    organisation: Organisation
    review: OrganisationReview | None

    @property
    def stage(self) -> str:
        return self.review.stage if self.review else "none"


def decider_sheet(review_round: ReviewRound, decider: Organisation, subject: str) -> DeciderSheet:
    from chibo.reviews.actions import rules_of

    rules = rules_of(review_round)
    if subject == Subject.MEMBER:
        members = (
            reviewed_members(review_round, decider)
            .select_related("cell")
            .order_by("cell__path", "name_folded", "id")
        )
        reviews = {
            r.member_id: r
            for r in MemberReview.objects.filter(
                round=review_round, cell__path__startswith=decider.path
            ).select_related("proposal_vote")
        }
        rows: list = [MemberRow(m, reviews.get(m.pk)) for m in members]
        proposed_of = lambda r: r.proposed_level  # noqa: E731
    else:
        orgs = Organisation.objects.filter(
            path__startswith=decider.path, depth=decider.depth + 1, closed_on__isnull=True
        ).order_by("path")
        reviews = {
            r.organisation_id: r
            for r in OrganisationReview.objects.filter(round=review_round, organisation__in=orgs)
        }
        rows = [OrgRow(o, reviews.get(o.pk)) for o in orgs]
        proposed_of = lambda r: r.self_level if r.stage != Stage.DRAFT else ""  # noqa: E731
    counts = dict.fromkeys(LEVELS, 0)
    proposed = dict.fromkeys(LEVELS, 0)
    for row in rows:
        review = row.review
        if review is None:
            continue
        if review.level:
            counts[review.level] += 1
        if proposed_of(review):
            proposed[proposed_of(review)] += 1
    confirmation = ReviewConfirmation.objects.filter(
        round=review_round, decider=decider, subject=subject
    ).first()
    return DeciderSheet(
        decider=decider,
        subject=subject,
        rows=rows,
        counts=counts,
        proposed=proposed,
        quota=quota_check(rules, subject, counts),
        proposed_quota=quota_check(rules, subject, proposed),
        confirmation=confirmation,
        expected=len(rows),
    )


def deciders_in(review_round: ReviewRound, org: Organisation) -> dict[str, QuerySet[Organisation]]:
    """The organisations of org's subtree (org included) that decide something in the round:
    grassroots organisations decide members, committees decide the organisations below."""
    from chibo.orgs.models import Level

    scope = Organisation.objects.filter(path__startswith=org.path, closed_on__isnull=True).filter(
        path__startswith=review_round.organisation.path
    )
    return {
        Subject.MEMBER: scope.filter(
            level__in=(Level.GRASSROOTS_COMMITTEE, Level.GRASSROOTS_CELL)
        ).order_by("path"),
        Subject.ORGANISATION: scope.exclude(level__in=CELL_LEVELS)
        .filter(numchild__gt=0)
        .order_by("path"),
    }


# The distribution of levels (seed 004: "over 92% good or excellent, over 17% excellent").


@dataclass
class Distribution:
    """Confirmed levels of one year in a subtree, for members, cells and committees."""

    year: int
    members: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    cells: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    committees: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    # Decided but not yet confirmed: not in the figures above.
    pending: dict[str, int] = field(default_factory=lambda: {"members": 0, "organisations": 0})

    def of(self, kind: str) -> dict[str, int]:
        return getattr(self, kind)

    @staticmethod
    def total(counts: dict[str, int]) -> int:
        return sum(counts.values())

    def share(self, kind: str, levels: tuple[str, ...]) -> tuple[int, int]:
        counts = self.of(kind)
        return sum(counts[k] for k in levels), self.total(counts)


def distribution(org: Organisation, years: list[int]) -> list[Distribution]:
    """The confirmed levels of org's subtree for each year: members whose cell was in it when
    decided, and the organisations below org."""
    result = {year: Distribution(year) for year in years}
    members = (
        MemberReview.objects.filter(
            round__year__in=years, cell__path__startswith=org.path, level__in=LEVELS
        )
        .values_list("round__year", "level", "stage")
        .annotate(n=Count("id"))
    )
    for year, level, stage, n in members:
        if stage == Stage.CONFIRMED:
            result[year].members[level] += n
        else:
            result[year].pending["members"] += n
    orgs = (
        OrganisationReview.objects.filter(
            round__year__in=years,
            organisation__path__startswith=org.path,
            organisation__depth__gt=org.depth,
            level__in=LEVELS,
        )
        .values_list("round__year", "level", "stage", "organisation__level")
        .annotate(n=Count("id"))
    )
    for year, level, stage, org_level, n in orgs:
        if stage != Stage.CONFIRMED:
            result[year].pending["organisations"] += n
        elif org_level in CELL_LEVELS:
            result[year].cells[level] += n
        else:
            result[year].committees[level] += n
    return [result[y] for y in years]


def years_with_rounds(org: Organisation) -> list[int]:
    """The years some round covered part of org's subtree, newest first."""
    rounds = ReviewRound.objects.filter(
        Q(organisation__path__in=_ancestor_paths(org)) | Q(organisation__path__startswith=org.path)
    )
    return sorted(set(rounds.values_list("year", flat=True)), reverse=True)


# A member's results, for their profile.


def member_results(member: Member) -> list[MemberReview]:
    """The member's confirmed levels, newest first."""
    return list(
        MemberReview.objects.filter(member=member, stage=Stage.CONFIRMED)
        .select_related("round", "cell")
        .order_by("-round__year")
    )


def open_reviews_of(member: Member) -> list[tuple[ReviewRound, MemberReview | None]]:
    """The open rounds that review the member, with their review so far."""
    from chibo.reviews.actions import rules_of

    rounds = [
        r
        for r in covering_rounds(member.cell)
        if r.is_open and member.status in rules_of(r).member_statuses
    ]
    reviews = {r.round_id: r for r in MemberReview.objects.filter(member=member, round__in=rounds)}
    return [(r, reviews.get(r.pk)) for r in rounds]


def pending_by_round(org: Organisation) -> dict[int, dict[str, int]]:
    """For the rounds listed on an organisation's page: reviews by stage within org."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Stage.values, 0))
    for round_id, stage, n in (
        MemberReview.objects.filter(cell__path__startswith=org.path)
        .values_list("round_id", "stage")
        .annotate(n=Count("id"))
    ):
        counts[round_id][stage] += n
    return counts
