"""API of the annual review (QĐ 366-QĐ/TW): rounds and their pack, a cell's sheet, a member's
self-review with the year's record, the cell's proposal voted in a meeting, an organisation's
report, decisions, a decider's sheet with the quota and its confirmation, the distribution of
levels over the years, and a member's results.

The same policy as the pages. The reviews of an organisation are read with VIEW_REVIEWS on it;
a member also reads their own review and the round that reviews them. Writes go through the
actions, which check the right (403). Something out of reach answers 404. Levels are
excellent, good, completed and not_completed; points are strings ("8.5"), sent as strings or
numbers.
"""

import datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, can, require, visible_orgs
from chibo.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    DbId,
    OrgRef,
    Pager,
    call_action,
    org_or_404,
)
from chibo.meetings.models import Meeting
from chibo.members.models import Member
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.inspection import disciplined_in_year
from chibo.regulations.loader import pack_by_id
from chibo.regulations.reviews import LEVELS
from chibo.reviews import actions, queries, records
from chibo.reviews.models import (
    LEVEL_SHORT,
    MemberReview,
    OrganisationReview,
    ReviewRound,
    Stage,
)
from chibo.reviews.rules import Tasks, highest_level
from chibo.transfers.queries import residence_comments_for_review

router = Router(tags=["reviews"])

LevelKey = Literal[*LEVELS]
LevelOrNone = Literal["", *LEVELS]  # "": not given yet
StageKey = Literal["none", *Stage.values]  # "none": nothing written yet
Percent = Annotated[int | None, Field(None, ge=0, le=100)]
Version = Annotated[int | None, Field(None, ge=0, le=2**31 - 1)]
PointValue = Annotated[str, Field(max_length=20)] | int | float | None
MAX_KEYS = 50  # criteria or sections one request may name
MAX_YEARS = 10
LAST_YEARS = 5
DB_MAX_ID = 2**63 - 1
AFTER_PROPOSAL = (Stage.PROPOSED, Stage.DECIDED, Stage.CONFIRMED)

POINTS_NOTE = (
    'Errors name the part they are about as the action does: "points.<criterion>" (e.g. '
    '"points.duties") for a criterion\'s points, "sections.<key>" for a part of the form, '
    "tasks_done_percent, tasks_on_time_percent and tasks_exceeded_percent, and the level's "
    "field with each reason the conditions refuse it."
)


def _text(value: Decimal | None) -> str | None:
    """Points as text: 8.5, 95."""
    if value is None:
        return None
    return f"{value.normalize():f}" if value else "0"


# Answers: a round and its pack.


class ReviewRoundOut(Schema):
    id: int
    organisation: OrgRef = Field(description="The committee whose subtree is reviewed.")
    year: int
    pack_id: str
    opened_on: datetime.date
    self_review_until: datetime.date
    proposals_until: datetime.date = Field(description="The cells' meetings by this day.")
    decisions_until: datetime.date
    closed_on: datetime.date | None
    is_open: bool
    version: int


class PackGroupOut(Schema):
    key: str
    title: str
    max_points: str


class PackCriterionOut(Schema):
    key: str
    title: str
    group: str
    max_points: str


class PackLevelOut(Schema):
    key: LevelKey
    short: str = Field(description="HTXSNV, HTTNV, HTNV, KHTNV.")
    title: str
    min_points: str | None = Field(description="null in a pack that scores no points.")
    min_done_percent: int | None
    min_on_time_percent: int | None
    min_exceeded_percent: int | None


class PackSectionOut(Schema):
    key: str
    title: str


class PackFormOut(Schema):
    key: str = Field(description="01, 2A, 2B, 2C.")
    subject: Literal["member", "organisation"]
    title: str
    who: str
    sections: list[PackSectionOut]


class PackQuotaOut(Schema):
    level: LevelKey
    of_levels: list[str] = Field(description="The levels counted as the base.")
    max_percent: int
    applies_to: list[str]


class ReviewPackOut(Schema):
    id: str
    title: str
    scored: bool = Field(description="false: the levels are judged without points.")
    groups: list[PackGroupOut]
    criteria: dict[str, list[PackCriterionOut]] = Field(
        description="By subject: member, organisation."
    )
    levels: list[PackLevelOut] = Field(description="Best first, with their conditions.")
    disciplined_member_level: LevelKey = Field(
        description="The highest level of a member disciplined in the year."
    )
    collective_disciplined_level: LevelKey = Field(
        description="The highest level of a collective with a member or an organisation below "
        "it disciplined in the year."
    )
    member_statuses: list[str] = Field(description="The member statuses the round reviews.")
    forms: list[PackFormOut]
    quota: PackQuotaOut


class ReviewRoundDetailOut(ReviewRoundOut):
    pack: ReviewPackOut

    @staticmethod
    def resolve_pack(obj) -> dict:
        return _pack(obj.pack_id)


def _pack(pack_id: str) -> dict:
    pack = pack_by_id(pack_id)
    rules = pack.review

    def titled(item, **more) -> dict:
        return {"key": item.key, "title": item.label, **more}

    return {
        "id": pack.id,
        "title": pack.label,
        "scored": rules.scored,
        "groups": [titled(g, max_points=_text(g.max_points)) for g in rules.groups],
        "criteria": {
            subject: [titled(c, group=c.group, max_points=_text(c.max_points)) for c in criteria]
            for subject, criteria in rules.criteria.items()
        },
        "levels": [
            titled(
                level,
                short=level.short,
                min_points=_text(level.min_points),
                min_done_percent=level.min_done_percent,
                min_on_time_percent=level.min_on_time_percent,
                min_exceeded_percent=level.min_exceeded_percent,
            )
            for level in rules.levels
        ],
        "disciplined_member_level": rules.disciplined_member_level,
        "collective_disciplined_level": rules.collective_disciplined_level,
        "member_statuses": list(rules.member_statuses),
        "forms": [
            titled(
                form,
                subject=form.subject,
                who=form.who_label,
                sections=[titled(s) for s in form.sections],
            )
            for form in rules.forms
        ],
        "quota": {
            "level": rules.quota.level,
            "of_levels": list(rules.quota.of_levels),
            "max_percent": rules.quota.max_percent,
            "applies_to": list(rules.quota.applies_to),
        },
    }


# Answers: a member's review.


class ReviewedMemberOut(Schema):
    id: int
    full_name: str


class HighestLevelOut(Schema):
    level: LevelKey = Field(description="The best level the points, tasks and discipline allow.")
    reasons: dict[str, list[str]] = Field(
        description="For each better level, why it is out of reach."
    )


class ReviewTasksOut(Schema):
    done: int | None
    on_time: int | None
    exceeded: int | None


class ProposalVoteOut(Schema):
    id: int
    meeting_id: int
    agree: int
    disagree: int
    abstain: int
    eligible: int
    passed: bool
    summary: str


class ResidenceCommentForReviewOut(Schema):
    year: int
    cell: OrgRef = Field(description="The residential cell that wrote it.")
    text: str
    front_opinion: str
    written_on: datetime.date

    @staticmethod
    def resolve_cell(obj):
        return obj.registration.cell


class CellSheetRowOut(Schema):
    member: ReviewedMemberOut
    stage: StageKey
    form: str
    self_total: str | None
    self_level: LevelOrNone
    proposed_total: str | None
    proposed_level: LevelOrNone
    level: LevelOrNone = Field(description="The level decided; empty until then.")
    version: int | None = Field(description="null: nothing written yet.")


class MemberReviewOut(Schema):
    round_id: int
    year: int
    member: ReviewedMemberOut
    cell: OrgRef
    decider: OrgRef = Field(description="The grassroots organisation that decides the level.")
    stage: StageKey
    form: str
    sections: dict[str, str]
    self_points: dict[str, str]
    self_total: str | None = Field(description="null until every criterion has its points.")
    self_level: LevelOrNone
    tasks_done_percent: int | None
    tasks_on_time_percent: int | None
    tasks_exceeded_percent: int | None
    submitted_at: datetime.datetime | None
    proposed_points: dict[str, str]
    proposed_total: str | None
    proposed_level: LevelOrNone
    cell_comment: str
    proposal_vote: ProposalVoteOut | None
    proposed_at: datetime.datetime | None
    level: LevelOrNone
    decision_note: str
    decided_at: datetime.datetime | None
    confirmed: bool
    version: int | None = Field(description="null: nothing written yet.")
    record: dict = Field(
        description="The year's record: meetings, tasks, fees, discipline, inspections; as the "
        "cell judged it once proposed."
    )
    record_frozen: bool
    suggested_tasks: ReviewTasksOut = Field(description="The task figures the record suggests.")
    highest_level: HighestLevelOut
    residence_comments: list[ResidenceCommentForReviewOut] | None = Field(
        description="The residential cells' comments of the year (QĐ 213); null for the member "
        "themself and for those who may not see the member's record."
    )


class ReviewProposalOut(Schema):
    vote: ProposalVoteOut = Field(description="A vote that fails records nothing else.")
    review: MemberReviewOut


def _assessment(review) -> dict:
    """What a member review and an organisation review share, as answered."""
    if review is None:
        return {
            "stage": "none",
            "form": "",
            "sections": {},
            "self_points": {},
            "self_total": None,
            "self_level": "",
            "tasks_done_percent": None,
            "tasks_on_time_percent": None,
            "tasks_exceeded_percent": None,
            "submitted_at": None,
            "level": "",
            "decision_note": "",
            "decided_at": None,
            "confirmed": False,
            "version": None,
        }
    return {
        "stage": review.stage,
        "form": review.form,
        "sections": review.sections,
        "self_points": review.self_points,
        "self_total": _text(review.self_total),
        "self_level": review.self_level,
        "tasks_done_percent": review.tasks_done_percent,
        "tasks_on_time_percent": review.tasks_on_time_percent,
        "tasks_exceeded_percent": review.tasks_exceeded_percent,
        "submitted_at": review.submitted_at,
        "level": review.level,
        "decision_note": review.decision_note,
        "decided_at": review.decided_at,
        "confirmed": review.is_confirmed,
        "version": review.version,
    }


def _vote(vote) -> dict | None:
    if vote is None:
        return None
    fields = ("id", "meeting_id", "agree", "disagree", "abstain", "eligible", "passed", "summary")
    return {name: getattr(vote, name) for name in fields}


def _member_review(user, review_round: ReviewRound, member: Member, review) -> dict:
    rules = actions.rules_of(review_round)
    year = review_round.year
    cell = review.cell if review else member.cell
    proposed = review is not None and review.stage in AFTER_PROPOSAL and review.record is not None
    record = review.record if proposed else records.member_record(member, year)
    suggested = records.suggested_tasks(record)
    if review is None:
        total, tasks = None, suggested
    else:
        total = review.proposed_total if review.stage in AFTER_PROPOSAL else review.self_total
        tasks = Tasks.of(review)
    best, reasons = highest_level(
        rules, total, tasks, disciplined=disciplined_in_year(member, year)
    )
    comments = None
    if getattr(user, "member_id", None) != member.pk and can(user, Perm.VIEW_MEMBER, member.cell):
        comments = residence_comments_for_review(user, member, year)
    return {
        "round_id": review_round.pk,
        "year": year,
        "member": member,
        "cell": cell,
        "decider": actions.member_decider(cell),
        **_assessment(review),
        "proposed_points": review.proposed_points if review else {},
        "proposed_total": _text(review.proposed_total) if review else None,
        "proposed_level": review.proposed_level if review else "",
        "cell_comment": review.cell_comment if review else "",
        "proposal_vote": _vote(review.proposal_vote) if review else None,
        "proposed_at": review.proposed_at if review else None,
        "record": record,
        "record_frozen": proposed,
        "suggested_tasks": {
            "done": suggested.done,
            "on_time": suggested.on_time,
            "exceeded": suggested.exceeded,
        },
        "highest_level": {"level": best, "reasons": reasons},
        "residence_comments": comments,
    }


# Answers: an organisation's report.


class OrganisationReviewOut(Schema):
    round_id: int
    year: int
    organisation: OrgRef
    decider: OrgRef | None = Field(
        description="The organisation whose standing committee decides the level."
    )
    stage: StageKey
    form: str
    sections: dict[str, str]
    self_points: dict[str, str]
    self_total: str | None
    self_level: LevelOrNone
    tasks_done_percent: int | None
    tasks_on_time_percent: int | None
    tasks_exceeded_percent: int | None
    submitted_at: datetime.datetime | None
    level: LevelOrNone
    decision_note: str
    decided_at: datetime.datetime | None
    confirmed: bool
    version: int | None = Field(description="null: nothing written yet.")
    report: dict = Field(
        description="Form 01's figures drafted from the year's records; frozen on submission."
    )
    report_frozen: bool
    highest_level: HighestLevelOut


def _organisation_review(review_round: ReviewRound, org: Organisation, review) -> dict:
    rules = actions.rules_of(review_round)
    frozen = review is not None and review.report is not None
    report = review.report if frozen else records.organisation_report(org, review_round.year)
    total = review.self_total if review else None
    tasks = Tasks.of(review) if review else Tasks()
    best, reasons = highest_level(
        rules,
        total,
        tasks,
        disciplined=bool(report.get("disciplined_itself")),
        disciplined_below=records.disciplined_below(report),
    )
    answer = {
        "round_id": review_round.pk,
        "year": review_round.year,
        "organisation": org,
        "decider": actions.organisation_decider(org),
        **_assessment(review),
        "report": report,
        "report_frozen": frozen,
        "highest_level": {"level": best, "reasons": reasons},
    }
    if review is None:
        answer["form"] = rules.forms_for("organisation")[0].key
    return answer


# Answers: a decider's sheet, the results.


class DeciderRowOut(Schema):
    member: ReviewedMemberOut | None = Field(description="null on a sheet of organisations.")
    organisation: OrgRef = Field(description="The member's cell, or the organisation reviewed.")
    stage: StageKey
    proposed_level: LevelOrNone = Field(
        description="The cell's proposal; for an organisation, the level its report proposes."
    )
    level: LevelOrNone
    decision_note: str
    version: int | None = Field(description="null: nothing written yet.")


class ReviewQuotaOut(Schema):
    level: LevelKey
    rated: int = Field(description="How many are rated at the quota's level.")
    base: int = Field(description="How many are rated at the base's levels.")
    allowed: int
    max_percent: int
    applies: bool
    broken: bool
    message: str


class ReviewConfirmationOut(Schema):
    id: int
    round_id: int
    decider: OrgRef
    subject: Literal["member", "organisation"]
    confirmed_at: datetime.datetime
    counts: dict[str, int] = Field(description="By level.")


class DeciderSheetOut(Schema):
    round_id: int
    decider: OrgRef
    subject: Literal["member", "organisation"]
    expected: int = Field(description="How many the decider must decide.")
    decided: int
    ready: bool = Field(description="All decided, within the quota, not yet confirmed.")
    counts: dict[str, int] = Field(description="Decided, by level.")
    proposed: dict[str, int] = Field(description="Proposed, by level.")
    quota: ReviewQuotaOut = Field(description="Over the decided levels.")
    proposed_quota: ReviewQuotaOut = Field(description="Over the proposed levels.")
    confirmation: ReviewConfirmationOut | None
    count: int = Field(description="All the rows.")
    items: list[DeciderRowOut] = Field(description="The rows of the page (limit, offset).")


def _quota(check) -> dict:
    return {
        "level": check.level,
        "rated": check.rated,
        "base": check.base,
        "allowed": check.allowed,
        "max_percent": check.max_percent,
        "applies": check.applies,
        "broken": check.broken,
        "message": check.message(),
    }


def _decider_row(row) -> dict:
    review = row.review
    if isinstance(row, queries.MemberRow):
        member, org = row.member, row.member.cell
        proposed = review.proposed_level if review else ""
    else:
        member, org = None, row.organisation
        proposed = review.self_level if review and review.stage != Stage.DRAFT else ""
    return {
        "member": member,
        "organisation": org,
        "stage": row.stage,
        "proposed_level": proposed,
        "level": review.level if review else "",
        "decision_note": review.decision_note if review else "",
        "version": review.version if review else None,
    }


class ReviewShareOut(Schema):
    part: int
    whole: int
    percent: float | None = Field(description="null when there is nothing to count.")


class ReviewSharesOut(Schema):
    good_or_better: ReviewShareOut = Field(description="Excellent or good (seed 004: over 92%).")
    excellent: ReviewShareOut = Field(description="Seed 004: over 17%.")


class LevelDistributionOut(Schema):
    year: int
    members: dict[str, int] = Field(description="Confirmed levels, by level.")
    cells: dict[str, int]
    committees: dict[str, int]
    totals: dict[str, int] = Field(description="members, cells, committees.")
    shares: dict[str, ReviewSharesOut] = Field(description="members, cells, committees.")
    pending: dict[str, int] = Field(description="Decided, not yet confirmed: not counted above.")


class ReviewResultsOut(Schema):
    organisation: OrgRef
    years: list[LevelDistributionOut]


KINDS = ("members", "cells", "committees")


def _share(part: int, whole: int) -> dict:
    return {
        "part": part,
        "whole": whole,
        "percent": round(part * 100 / whole, 1) if whole else None,
    }


def _distribution(d: queries.Distribution) -> dict:
    return {
        "year": d.year,
        **{kind: d.of(kind) for kind in KINDS},
        "totals": {kind: d.total(d.of(kind)) for kind in KINDS},
        "shares": {
            kind: {
                "good_or_better": _share(*d.share(kind, ("excellent", "good"))),
                "excellent": _share(*d.share(kind, ("excellent",))),
            }
            for kind in KINDS
        },
        "pending": d.pending,
    }


class MemberResultOut(Schema):
    round_id: int
    year: int
    cell: OrgRef = Field(description="The member's cell when decided.")
    level: LevelKey
    short: str = Field(description="HTXSNV, HTTNV, HTNV, KHTNV.")
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_year(obj) -> int:
        return obj.round.year

    @staticmethod
    def resolve_short(obj) -> str:
        return LEVEL_SHORT[obj.level]


# Requests.


class RoundIn(Body):
    year: int = Field(ge=actions.EARLIEST_YEAR, le=2100)
    self_review_until: datetime.date
    proposals_until: datetime.date
    decisions_until: datetime.date


class RoundDatesIn(Body):
    self_review_until: datetime.date
    proposals_until: datetime.date
    decisions_until: datetime.date
    version: Version


class RoundCloseIn(Body):
    version: Version


class SelfReviewIn(Body):
    form: str = Field(max_length=4, description="One of the pack's member forms: 2A, 2B, 2C.")
    sections: dict[str, str] = Field(default_factory=dict, max_length=MAX_KEYS)
    points: dict[str, PointValue] = Field(
        default_factory=dict, max_length=MAX_KEYS, description='By criterion: 8, 8.5 or "8,5".'
    )
    tasks_done_percent: Percent
    tasks_on_time_percent: Percent
    tasks_exceeded_percent: Percent
    self_level: LevelKey | None = None
    submit: bool = Field(False, description="false: a draft, which may be half-filled.")
    version: Version


class ReportIn(Body):
    sections: dict[str, str] = Field(default_factory=dict, max_length=MAX_KEYS)
    points: dict[str, PointValue] = Field(default_factory=dict, max_length=MAX_KEYS)
    tasks_done_percent: Percent
    tasks_on_time_percent: Percent
    tasks_exceeded_percent: Percent
    self_level: LevelKey | None = None
    submit: bool = Field(False, description="true freezes the report's figures.")
    version: Version


class ProposalIn(Body):
    meeting_id: DbId = Field(description="A meeting of the member's cell, in progress.")
    points: dict[str, PointValue] = Field(default_factory=dict, max_length=MAX_KEYS)
    tasks_done_percent: Percent
    tasks_on_time_percent: Percent
    tasks_exceeded_percent: Percent
    level: LevelKey
    comment: str = ""
    agree: int = Field(ge=0, le=100_000)
    disagree: int = Field(ge=0, le=100_000)
    abstain: int = Field(ge=0, le=100_000)
    version: Version


class ReviewDecisionIn(Body):
    level: LevelKey
    note: str = ""
    version: Version


class ResultsQuery(Schema):
    years: str = Field(
        "",
        max_length=60,
        description="Years separated by commas, e.g. 2025,2024; the newest five with rounds "
        "by default.",
    )


_plain = partial(call_action, {})


def _tasks(payload) -> Tasks:
    return Tasks(
        payload.tasks_done_percent, payload.tasks_on_time_percent, payload.tasks_exceeded_percent
    )


# Finding what a request names: out of reach answers 404.


def _may_see_round(user, review_round: ReviewRound) -> bool:
    """Those who see the reviews of some organisation the round covers, and the members it
    reviews, who read its pack to write their self-review."""
    path = review_round.organisation.path
    if visible_orgs(user, Perm.VIEW_REVIEWS).filter(path__startswith=path).exists():
        return True
    own = getattr(user, "member_id", None)
    return own is not None and Member.objects.filter(pk=own, cell__path__startswith=path).exists()


def _round_or_404(user, round_id: int) -> ReviewRound:
    review_round = (
        ReviewRound.objects.select_related("organisation").filter(pk=round_id).first()
        if 0 < round_id <= DB_MAX_ID
        else None
    )
    if review_round is None or not _may_see_round(user, review_round):
        raise Http404
    return review_round


def _org_in_round_or_404(user, review_round: ReviewRound, code: str) -> Organisation:
    """An organisation the round reviews (not the committee that opened it)."""
    org = org_or_404(user, code, Perm.VIEW_REVIEWS)
    if org.pk == review_round.organisation_id or not actions.in_round(review_round, org):
        raise Http404
    return org


def _member_or_404(user, review_round: ReviewRound, member_id: int):
    """The member the round reviews, with their review (or None), if the user may see it:
    the member themself, or those who see the reviews of the member's cell."""
    member = (
        Member.objects.select_related("cell").filter(pk=member_id).first()
        if 0 < member_id <= DB_MAX_ID
        else None
    )
    if member is None:
        raise Http404
    review = (
        MemberReview.objects.select_related("cell", "proposal_vote")
        .filter(round=review_round, member=member)
        .first()
    )
    if review is not None:
        visible = queries.may_view(user, review)
    else:
        reviewed = member.status in actions.rules_of(review_round).member_statuses
        own = getattr(user, "member_id", None) == member.pk
        visible = reviewed and (own or can(user, Perm.VIEW_REVIEWS, member.cell))
    cell = review.cell if review else member.cell
    if not visible or not actions.in_round(review_round, cell):
        raise Http404
    return member, review


def _decider_or_404(user, review_round: ReviewRound, code: str, subject: str) -> Organisation:
    org = org_or_404(user, code, Perm.VIEW_REVIEWS)
    if not actions.decides(review_round, org, subject):
        raise Http404
    return org


# Rounds.


@router.get(
    "/reviews/orgs/{code}/rounds",
    response={200: list[ReviewRoundOut], **READ_ERRORS},
    summary="The review rounds covering an organisation and those opened below it",
)
@paginate(Pager)
def list_rounds(request, code: str):
    """Newest year first."""
    org = org_or_404(request.auth, code, Perm.VIEW_REVIEWS)
    return queries.rounds_of(org)


@router.post(
    "/reviews/orgs/{code}/rounds",
    response={201: ReviewRoundOut, **WRITE_ERRORS},
    summary="Open the review of an organisation's subtree for a year",
)
def open_round(request, code: str, payload: RoundIn):
    """By the committee's standing members or organisation commission. One round a year
    covers an organisation: a round of the year above or below it answers 422 naming
    "year". The round keeps the reviews pack in force on the year's last day."""
    org = org_or_404(request.auth, code, Perm.VIEW_REVIEWS)
    return Status(201, _plain(actions.open_round, request.auth, org, **payload.model_dump()))


@router.get(
    "/reviews/rounds/{round_id}",
    response={200: ReviewRoundDetailOut, **READ_ERRORS},
    summary="A review round with its pack",
)
def get_round(request, round_id: int):
    """The pack: whether it scores points, the criteria of members and organisations with
    their maximum points, the levels with their conditions, the forms with their parts and
    the quota of "excellent". Seen by those who see reviews within the round, and by the
    members it reviews."""
    return _round_or_404(request.auth, round_id)


@router.post(
    "/reviews/rounds/{round_id}/dates",
    response={200: ReviewRoundOut, **WRITE_ERRORS},
    summary="Change a round's dates",
)
def change_dates(request, round_id: int, payload: RoundDatesIn):
    review_round = _round_or_404(request.auth, round_id)
    return _plain(actions.change_dates, request.auth, review_round, **payload.model_dump())


@router.post(
    "/reviews/rounds/{round_id}/close",
    response={200: ReviewRoundOut, **WRITE_ERRORS},
    summary="Close a round",
)
def close_round(request, round_id: int, payload: RoundCloseIn):
    """Nothing in a closed round changes: every write after answers 422."""
    review_round = _round_or_404(request.auth, round_id)
    return _plain(actions.close_round, request.auth, review_round, version=payload.version)


# A cell's members.


@router.get(
    "/reviews/rounds/{round_id}/cells/{code}",
    response={200: list[CellSheetRowOut], **READ_ERRORS},
    summary="A cell's members with their reviews",
)
@paginate(Pager)
def cell_sheet(request, round_id: int, code: str):
    """Every member the round reviews in the cell, by name, with their review so far."""
    review_round = _round_or_404(request.auth, round_id)
    cell = _org_in_round_or_404(request.auth, review_round, code)
    if cell.level not in CELL_LEVELS:
        raise Http404
    return [
        {"member": row.member, "stage": row.stage, **_sheet_review(row.review)}
        for row in queries.cell_sheet(review_round, cell)
    ]


def _sheet_review(review: MemberReview | None) -> dict:
    if review is None:
        return {
            "form": "",
            "self_total": None,
            "self_level": "",
            "proposed_total": None,
            "proposed_level": "",
            "level": "",
            "version": None,
        }
    return {
        "form": review.form,
        "self_total": _text(review.self_total),
        "self_level": review.self_level,
        "proposed_total": _text(review.proposed_total),
        "proposed_level": review.proposed_level,
        "level": review.level,
        "version": review.version,
    }


@router.get(
    "/reviews/rounds/{round_id}/members/{member_id}",
    response={200: MemberReviewOut, **READ_ERRORS},
    summary="A member's review with the year's record",
)
def member_review(request, round_id: int, member_id: int):
    """The review so far (stage "none" when nothing is written), the year's record (frozen
    once the cell proposed), and the best level the points, tasks and discipline allow, with
    the reasons each better level is out of reach. Seen by the member and by those who see
    the reviews of the member's cell; the residential cells' comments only by those who may
    see the member's record, never by the member."""
    review_round = _round_or_404(request.auth, round_id)
    member, review = _member_or_404(request.auth, review_round, member_id)
    return _member_review(request.auth, review_round, member, review)


@router.put(
    "/reviews/rounds/{round_id}/members/{member_id}/self-review",
    response={200: MemberReviewOut, **WRITE_ERRORS},
    summary="Write or submit a member's self-review",
    description="By the member, or by a cell leader for a member who cannot. A draft may be "
    "half-filled; a submission needs every part, every criterion's points, the task figures "
    "and a level the conditions allow. Once the cell has proposed a level, 422. " + POINTS_NOTE,
)
def save_self_review(request, round_id: int, member_id: int, payload: SelfReviewIn):
    review_round = _round_or_404(request.auth, round_id)
    member, _review = _member_or_404(request.auth, review_round, member_id)
    review = _plain(
        actions.save_self_review,
        request.auth,
        review_round,
        member,
        form=payload.form,
        sections=payload.sections,
        points=payload.points,
        tasks=_tasks(payload),
        self_level=payload.self_level or "",
        submit=payload.submit,
        version=payload.version,
    )
    return _member_review(request.auth, review_round, member, _reread(review))


def _reread(review: MemberReview) -> MemberReview:
    return MemberReview.objects.select_related("cell", "proposal_vote").get(pk=review.pk)


@router.post(
    "/reviews/rounds/{round_id}/members/{member_id}/proposal",
    response={200: ReviewProposalOut, **WRITE_ERRORS},
    summary="Record the cell's proposal for a member, voted in a meeting",
    description="By those who run the cell's meetings, in a meeting of the member's cell in "
    "progress, once the member's self-review is submitted. The vote is recorded in the "
    "meeting; one that fails records nothing else (vote.passed is false). " + POINTS_NOTE,
)
def propose(request, round_id: int, member_id: int, payload: ProposalIn):
    user = request.auth
    review_round = _round_or_404(user, round_id)
    member, review = _member_or_404(user, review_round, member_id)
    # Asking about a meeting needs the right to hold one: no probing of ids.
    require(user, Perm.RUN_MEETINGS, member.cell)
    if review is None:
        raise ValidationError(
            _("The member has not submitted a self-review yet; a cell leader can enter it.")
        )
    meeting = Meeting.objects.filter(pk=payload.meeting_id).first()
    if meeting is None:
        raise ValidationError({"meeting_id": _("There is no such meeting.")})
    review, vote = call_action(
        {"meeting": "meeting_id"},
        actions.propose_member_level,
        user,
        review,
        meeting,
        points=payload.points,
        tasks=_tasks(payload),
        level=payload.level,
        comment=payload.comment,
        agree=payload.agree,
        disagree=payload.disagree,
        abstain=payload.abstain,
        version=payload.version,
    )
    return {
        "vote": _vote(vote),
        "review": _member_review(user, review_round, member, _reread(review)),
    }


@router.post(
    "/reviews/rounds/{round_id}/members/{member_id}/decision",
    response={200: MemberReviewOut, **WRITE_ERRORS},
    summary="Decide a member's level",
)
def decide_member(request, round_id: int, member_id: int, payload: ReviewDecisionIn):
    """By the grassroots organisation's standing committee (a grassroots cell's leaders for
    its own members), once the cell has proposed; within what the points, tasks and
    discipline allow (422 naming "level" with the reasons). A confirmed decision no longer
    changes."""
    user = request.auth
    review_round = _round_or_404(user, round_id)
    member, review = _member_or_404(user, review_round, member_id)
    if review is None:
        require(user, Perm.DECIDE_REVIEWS, actions.member_decider(member.cell))
        raise ValidationError(_("The cell has not proposed a level yet."))
    review = _plain(actions.decide, user, review, **payload.model_dump())
    return _member_review(user, review_round, member, _reread(review))


# An organisation's report.


def _org_review(review_round: ReviewRound, org: Organisation) -> OrganisationReview | None:
    return OrganisationReview.objects.filter(round=review_round, organisation=org).first()


@router.get(
    "/reviews/rounds/{round_id}/orgs/{code}/report",
    response={200: OrganisationReviewOut, **READ_ERRORS},
    summary="An organisation's review with its report",
)
def org_report(request, round_id: int, code: str):
    """The report's figures drafted from the year's records (frozen once submitted), the
    organisation's own assessment, and the best level allowed with the reasons."""
    review_round = _round_or_404(request.auth, round_id)
    org = _org_in_round_or_404(request.auth, review_round, code)
    return _organisation_review(review_round, org, _org_review(review_round, org))


@router.put(
    "/reviews/rounds/{round_id}/orgs/{code}/report",
    response={200: OrganisationReviewOut, **WRITE_ERRORS},
    summary="Write or submit an organisation's report",
    description="By the organisation's leaders, or the committees above. A draft may be "
    "half-filled; a submission needs every part, every criterion's points, the task figures "
    "and a level the conditions allow, and freezes the report's figures. " + POINTS_NOTE,
)
def save_report(request, round_id: int, code: str, payload: ReportIn):
    review_round = _round_or_404(request.auth, round_id)
    org = _org_in_round_or_404(request.auth, review_round, code)
    review = _plain(
        actions.save_report,
        request.auth,
        review_round,
        org,
        sections=payload.sections,
        points=payload.points,
        tasks=_tasks(payload),
        self_level=payload.self_level or "",
        submit=payload.submit,
        version=payload.version,
    )
    return _organisation_review(review_round, org, review)


@router.post(
    "/reviews/rounds/{round_id}/orgs/{code}/decision",
    response={200: OrganisationReviewOut, **WRITE_ERRORS},
    summary="Decide an organisation's level",
)
def decide_org(request, round_id: int, code: str, payload: ReviewDecisionIn):
    """By the standing committee of the organisation right above, once the report is
    submitted; within what the conditions allow (422 naming "level" with the reasons)."""
    user = request.auth
    review_round = _round_or_404(user, round_id)
    org = _org_in_round_or_404(user, review_round, code)
    review = _org_review(review_round, org)
    if review is None:
        decider = actions.organisation_decider(org)
        if decider is None or not can(user, Perm.DECIDE_REVIEWS, decider):
            raise PermissionDenied(
                _("Only the standing committee of the organisation above decides this level.")
            )
        raise ValidationError(_("The organisation has not submitted its report yet."))
    review = _plain(actions.decide, user, review, **payload.model_dump())
    return _organisation_review(review_round, org, review)


# Deciders: the sheet, the quota, the confirmation.


@router.get(
    "/reviews/rounds/{round_id}/deciders/{code}/{subject}",
    response={200: DeciderSheetOut, **READ_ERRORS},
    summary="What an organisation decides in a round, counted by level, with the quota",
)
def decider_sheet(
    request,
    round_id: int,
    code: str,
    subject: Literal["member", "organisation"],
    paging: Query[Pager.Input],
):
    """A grassroots organisation decides its members' levels ("member"); a committee the
    levels of the organisations right below it ("organisation"). The rows are paged (limit,
    offset; count is all of them); the counts, the quota and the confirmation cover them
    all."""
    review_round = _round_or_404(request.auth, round_id)
    decider = _decider_or_404(request.auth, review_round, code, subject)
    sheet = queries.decider_sheet(review_round, decider, subject)
    rows = sheet.rows[paging.offset : paging.offset + paging.limit]
    return {
        "round_id": review_round.pk,
        "decider": decider,
        "subject": subject,
        "expected": sheet.expected,
        "decided": sheet.decided,
        "ready": sheet.ready,
        "counts": sheet.counts,
        "proposed": sheet.proposed,
        "quota": _quota(sheet.quota),
        "proposed_quota": _quota(sheet.proposed_quota),
        "confirmation": sheet.confirmation,
        "count": len(sheet.rows),
        "items": [_decider_row(row) for row in rows],
    }


@router.post(
    "/reviews/rounds/{round_id}/deciders/{code}/{subject}/confirm",
    response={201: ReviewConfirmationOut, **WRITE_ERRORS},
    summary="Confirm all of an organisation's decisions at once",
)
def confirm(request, round_id: int, code: str, subject: Literal["member", "organisation"]):
    """Once every level is decided and the quota of "excellent" holds; a broken quota
    answers 422 naming "quota" with its numbers. Confirmed decisions are the year's
    results."""
    review_round = _round_or_404(request.auth, round_id)
    decider = _decider_or_404(request.auth, review_round, code, subject)
    return Status(201, _plain(actions.confirm, request.auth, review_round, decider, subject))


# Results.


def _years(text: str, org: Organisation) -> list[int]:
    if not text.strip():
        return queries.years_with_rounds(org)[:LAST_YEARS]
    try:
        years = [int(part) for part in text.split(",")]
    except ValueError:
        years = []
    valid = years and len(years) <= MAX_YEARS
    if not valid or any(not actions.EARLIEST_YEAR <= y <= 2100 for y in years):
        raise ValidationError(
            {
                "years": _("Give up to %(max)s years separated by commas, e.g. 2025,2024.")
                % {"max": MAX_YEARS}
            }
        )
    return list(dict.fromkeys(years))


@router.get(
    "/reviews/orgs/{code}/results",
    response={200: ReviewResultsOut, **READ_ERRORS},
    summary="The levels confirmed in an organisation's subtree, year by year",
)
def results(request, code: str, filters: Query[ResultsQuery]):
    """Members whose cell is in the subtree, and the cells and committees below the
    organisation, counted by confirmed level; the shares rated good or better and
    excellent; and how many are decided but not yet confirmed."""
    org = org_or_404(request.auth, code, Perm.VIEW_REVIEWS)
    years = _years(filters.years, org)
    return {
        "organisation": org,
        "years": [_distribution(d) for d in queries.distribution(org, years)],
    }


@router.get(
    "/members/{member_id}/reviews",
    response={200: list[MemberResultOut], **READ_ERRORS},
    summary="A member's confirmed review results",
)
def member_results(request, member_id: int):
    """Newest year first. Seen by the member and by those who see the reviews of the
    member's cell."""
    user = request.auth
    member = (
        Member.objects.select_related("cell").filter(pk=member_id).first()
        if 0 < member_id <= DB_MAX_ID
        else None
    )
    own = member is not None and getattr(user, "member_id", None) == member.pk
    if member is None or not (own or can(user, Perm.VIEW_REVIEWS, member.cell)):
        raise Http404
    return queries.member_results(member)
