"""API of the member registry: list and search, records, add, edit, change cell, reveal; and
of a member's path: the end of a membership, removal of name (an organisation's list, the
cell's proposal, the committee's decision), training, party badges (with an organisation's
list for an award date), and the corrections a member asks for and the cell answers.

The same actions and queries as the pages. Something out of reach answers 404; a role that
sees the member but may not do what is asked is refused by the action (403).
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, can, require, visible_members
from chibo.api.common import (
    MAX_QUERY,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    OrgRef,
    Pager,
    blank_for_null,
    member_or_404,
    named_org,
    org_or_404,
)
from chibo.members import actions, queries
from chibo.members.models import (
    ENDING_STATUSES,
    CorrectionRequest,
    Gender,
    MembershipEnd,
    RemovalGround,
    RemovalProposal,
    TheoryLevel,
    Training,
    TrainingKind,
)
from chibo.members.models import Status as MemberStatus

router = Router(tags=["members"])

# Text fields the database keeps as empty strings, never null: null in a body means "".
BLANK_TEXT = (
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "phone",
    "email",
    "education",
    "qualification",
    "occupation",
    "position",
)


class MemberOut(Schema):
    """What a cell's members see of each other: names, status and position, nothing personal."""

    id: int
    full_name: str
    status: str
    position: str
    cell: OrgRef


class PeriodOut(Schema):
    organisation: OrgRef
    started_on: datetime.date
    ended_on: datetime.date | None
    reason: str


class EndingOut(Schema):
    kind: str = Field(description="removed, expelled, left or deceased.")
    effective_on: datetime.date
    decision_number: str
    decided_by: str
    reason: str


class MemberDetail(MemberOut):
    """The record. Citizen ID and phone are masked: POST …/reveal shows them, and logs it."""

    gender: str
    date_of_birth: datetime.date
    ethnicity: str
    religion: str
    hometown: str
    residence: str
    email: str
    citizen_id_masked: str
    phone_masked: str
    party_card_number: str | None
    education: str
    qualification: str
    theory_level: str
    occupation: str
    admitted_on: datetime.date
    official_on: datetime.date | None
    version: int = Field(description="Send it back with a change to detect a concurrent edit.")
    periods: list[PeriodOut] = Field(description="Home cells over time, newest first.")
    ending: EndingOut | None = Field(description="How the membership ended, if it has.")

    @staticmethod
    def resolve_periods(obj):
        return obj.periods.select_related("organisation")

    @staticmethod
    def resolve_ending(obj):
        return MembershipEnd.objects.filter(member=obj).first()


class MemberFilters(Schema):
    q: str = Field(
        "",
        max_length=MAX_QUERY,
        description="Name without diacritics, or a full card or citizen ID.",
    )
    org: str = Field("", description="Only members of this organisation's subtree.")
    status: MemberStatus | None = None
    gender: Gender | None = None


class MemberFields(Body):
    ethnicity: str | None = None
    religion: str | None = None
    hometown: str | None = None
    residence: str | None = None
    phone: str | None = None
    email: str | None = None
    citizen_id: str | None = None
    party_card_number: str | None = None
    education: str | None = None
    qualification: str | None = None
    theory_level: TheoryLevel | None = None
    occupation: str | None = None
    position: str | None = None
    official_on: datetime.date | None = None
    status: MemberStatus | None = None


class MemberIn(MemberFields):
    cell: str = Field(description="Code of the home cell.")
    full_name: str
    gender: Gender
    date_of_birth: datetime.date
    admitted_on: datetime.date


class MemberPatch(MemberFields):
    full_name: str | None = None
    gender: Gender | None = None
    date_of_birth: datetime.date | None = None
    admitted_on: datetime.date | None = None
    version: int | None = Field(None, description="The version the change was made from.")


class ChangeCellIn(Body):
    cell: str = Field(description="Code of the new home cell.")
    effective_on: datetime.date | None = None
    reason: str


class RevealIn(Body):
    field: Literal["citizen_id", "phone"]
    reason: str


class RevealOut(Schema):
    value: str


@router.get("", response={200: list[MemberOut], **READ_ERRORS}, summary="List members")
@paginate(Pager)
def list_members(request, filters: Query[MemberFilters]):
    """The members the user may list, by name."""
    user = request.auth
    if not can(user, Perm.LIST_MEMBERS):
        raise PermissionDenied
    org = named_org(user, filters.org, Perm.LIST_MEMBERS, "org") if filters.org else None
    return queries.find(
        user,
        text=filters.q,
        org=org,
        status=filters.status or "",
        gender=filters.gender or "",
    )


@router.get("/{member_id}", response={200: MemberDetail, **READ_ERRORS}, summary="A member")
def get_member(request, member_id: int):
    member = member_or_404(request.auth, member_id)
    require(request.auth, Perm.VIEW_MEMBER, member)
    return member


@router.post("", response={201: MemberDetail, **WRITE_ERRORS}, summary="Add a member")
def create_member(request, payload: MemberIn):
    user = request.auth
    cell = named_org(user, payload.cell, Perm.EDIT_MEMBER, "cell")
    fields = blank_for_null(payload.model_dump(exclude={"cell"}, exclude_unset=True), *BLANK_TEXT)
    return Status(201, actions.create_member(user, cell, **fields))


@router.patch("/{member_id}", response={200: MemberDetail, **WRITE_ERRORS}, summary="Correct")
def update_member(request, member_id: int, payload: MemberPatch):
    """Change only the fields sent. A stale version answers 409."""
    member = member_or_404(request.auth, member_id)
    fields = blank_for_null(payload.model_dump(exclude_unset=True), *BLANK_TEXT)
    version = fields.pop("version", None)
    return actions.update_member(request.auth, member, version=version, **fields)


@router.post(
    "/{member_id}/change-cell",
    response={200: MemberDetail, **WRITE_ERRORS},
    summary="Change the home cell",
)
def change_cell(request, member_id: int, payload: ChangeCellIn):
    """Record a completed transfer to another cell."""
    user = request.auth
    member = member_or_404(user, member_id)
    cell = named_org(user, payload.cell, Perm.EDIT_MEMBER, "cell")
    return actions.change_home_cell(user, member, cell, payload.effective_on, payload.reason)


@router.post(
    "/{member_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="Show a citizen ID or phone in clear",
)
def reveal(request, member_id: int, payload: RevealIn):
    """Logged in the audit trail with the reason given."""
    member = member_or_404(request.auth, member_id)
    value = actions.reveal_personal(request.auth, member, payload.field, payload.reason)
    return {"value": value}


# A member's path.

EndingKind = Literal[tuple(s.value for s in ENDING_STATUSES)]  # type: ignore[valid-type]
CorrectableField = Literal[actions.CORRECTABLE_FIELDS]  # type: ignore[valid-type]


class MemberRef(Schema):
    id: int
    full_name: str
    cell: OrgRef


class EndIn(Body):
    kind: EndingKind
    effective_on: datetime.date
    decision_number: str = Field("", description="Needed for every ending but a death.")
    decided_by: str = ""
    reason: str = ""
    version: int | None = Field(None, description="The version the change was made from.")


class TrainingOut(Schema):
    id: int
    kind: str
    title: str
    theory_level: str
    institution: str
    started_on: datetime.date
    finished_on: datetime.date | None
    certificate_number: str


class TrainingIn(Body):
    kind: TrainingKind
    title: str
    started_on: datetime.date
    finished_on: datetime.date | None = None
    theory_level: TheoryLevel | None = Field(
        None, description="The level a political-theory course gives."
    )
    institution: str = ""
    certificate_number: str = ""


class BadgeOut(Schema):
    id: int
    years: int
    awarded_on: datetime.date
    decision_number: str


class BadgeIn(Body):
    years: int = Field(ge=1, le=200)
    awarded_on: datetime.date = Field(description="One of the regulation pack's award days.")
    decision_number: str


class ProposalOut(Schema):
    id: int
    member: MemberRef
    ground: str
    year: int
    evidence: dict = Field(description="The months the records showed when it was proposed.")
    note: str
    proposed_at: datetime.datetime
    outcome: str = Field(description="pending, removed, rejected or withdrawn.")
    decided_at: datetime.datetime | None
    decision_note: str


class ProposeIn(Body):
    ground: RemovalGround
    year: int = Field(ge=1930, le=2100)
    note: str = ""


class DecisionIn(Body):
    remove: bool
    decision_number: str = Field("", description="Needed to remove the name.")
    note: str = Field("", description="Needed to keep the member.")
    effective_on: datetime.date | None = Field(None, description="Today when not given.")


class CandidateOut(Schema):
    member: MemberRef
    absent_months: list[datetime.date]
    unpaid_months: list[datetime.date]
    grounds: list[str]
    pending_proposal_id: int | None

    @staticmethod
    def resolve_pending_proposal_id(obj):
        return obj.pending.pk if obj.pending else None


class RemovalsOut(Schema):
    organisation: OrgRef
    year: int
    absent_months_needed: int
    unpaid_fee_months_needed: int
    fees_included: bool = Field(description="Unpaid fees are read for a single cell only.")
    candidates: list[CandidateOut]
    proposals: list[ProposalOut]


class BadgeCandidateOut(Schema):
    member: MemberRef
    years: int
    reached_on: datetime.date
    missing: list[int] = Field(description="Thresholds passed with no badge recorded.")


class BadgeListOut(Schema):
    organisation: OrgRef
    award_date: datetime.date
    previous_award_date: datetime.date
    due: list[BadgeCandidateOut]
    overdue: list[BadgeCandidateOut] = Field(description="At most the first 200.")
    overdue_count: int


class CorrectionOut(Schema):
    id: int
    member: MemberRef
    field: str
    current_value: str = Field(description="A citizen ID or phone is masked but for the member.")
    requested_value: str = Field(description="Masked like current_value.")
    reason: str
    requested_at: datetime.datetime
    outcome: str = Field(description="pending, approved or refused.")
    decided_at: datetime.datetime | None
    answer: str

    @staticmethod
    def resolve_current_value(obj, context):
        return obj.current_value if _own(obj, context) else obj.current_masked

    @staticmethod
    def resolve_requested_value(obj, context):
        return obj.requested_value if _own(obj, context) else obj.requested_masked


def _own(correction: CorrectionRequest, context) -> bool:
    """Whether the request is the caller's own: only they see their numbers in clear."""
    return context["request"].auth.member_id == correction.member_id


class CorrectionIn(Body):
    field: CorrectableField
    requested_value: str = Field(description="Dates as dd/mm/yyyy or yyyy-mm-dd.")
    reason: str


class AnswerIn(Body):
    answer: str = ""


def _proposal_or_404(user, proposal_id: int) -> RemovalProposal:
    visible = visible_members(user, Perm.VIEW_MEMBER)
    proposal = (
        RemovalProposal.objects.filter(member__in=visible)
        .select_related("member", "member__cell")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def _correction_or_404(user, correction_id: int) -> CorrectionRequest:
    visible = visible_members(user, Perm.LIST_MEMBERS)
    correction = (
        CorrectionRequest.objects.filter(member__in=visible)
        .select_related("member", "member__cell")
        .filter(pk=correction_id)
        .first()
    )
    if correction is None:
        raise Http404
    return correction


@router.post("/{member_id}/end", response={200: MemberDetail, **WRITE_ERRORS}, summary="End")
def end_membership(request, member_id: int, payload: EndIn):
    """Removal of name, expulsion, leaving the party (each with its decision), or death."""
    member = member_or_404(request.auth, member_id)
    fields = payload.model_dump()
    version = fields.pop("version")
    return actions.end_membership(request.auth, member, version=version, **fields)


@router.get(
    "/orgs/{code}/removals",
    response={200: RemovalsOut, **READ_ERRORS},
    summary="Removal of name in an organisation",
)
def removals(request, code: str, year: int | None = None):
    """The members whose records of the year reach a ground (Điều lệ Đảng, art. 8), the
    proposals waiting for the committee, and the year's decisions."""
    org = org_or_404(request.auth, code, Perm.VIEW_MEMBER)
    today = timezone.localdate()
    year = year or today.year
    if not 1930 <= year <= today.year:
        raise ValidationError({"year": _("Choose a year from 1930 to this year.")})
    rules = queries.membership_rules(org, min(datetime.date(year, 12, 31), today)).removal
    return {
        "organisation": org,
        "year": year,
        "absent_months_needed": rules.absent_months_in_year,
        "unpaid_fee_months_needed": rules.unpaid_fee_months_in_year,
        "fees_included": org.is_cell,
        "candidates": queries.removal_candidates(org, year),
        "proposals": list(queries.removal_proposals(org, year)),
    }


@router.post(
    "/{member_id}/removal-proposals",
    response={201: ProposalOut, **WRITE_ERRORS},
    summary="Propose to remove a name",
)
def propose_removal(request, member_id: int, payload: ProposeIn):
    """By the cell's leaders. Absences and unpaid fees must be shown by the year's records."""
    member = member_or_404(request.auth, member_id)
    proposal = actions.propose_removal(
        request.auth, member, payload.ground, payload.year, payload.note
    )
    return Status(201, proposal)


@router.get(
    "/removal-proposals/{proposal_id}",
    response={200: ProposalOut, **READ_ERRORS},
    summary="A proposal to remove a name",
)
def get_proposal(request, proposal_id: int):
    return _proposal_or_404(request.auth, proposal_id)


@router.post(
    "/removal-proposals/{proposal_id}/decision",
    response={200: ProposalOut, **WRITE_ERRORS},
    summary="Decide on a proposal to remove a name",
)
def decide_removal(request, proposal_id: int, payload: DecisionIn):
    """By the committee: removing the name ends the membership with the decision's number."""
    proposal = _proposal_or_404(request.auth, proposal_id)
    return actions.decide_removal(
        request.auth,
        proposal,
        payload.remove,
        payload.decision_number,
        payload.note,
        effective_on=payload.effective_on,
    )


@router.get(
    "/{member_id}/trainings", response={200: list[TrainingOut], **READ_ERRORS}, summary="Training"
)
def trainings(request, member_id: int):
    member = member_or_404(request.auth, member_id, Perm.VIEW_MEMBER)
    return member.trainings.all()


@router.post(
    "/{member_id}/trainings",
    response={201: TrainingOut, **WRITE_ERRORS},
    summary="Record a course",
)
def add_training(request, member_id: int, payload: TrainingIn):
    """A finished political-theory course of a higher level raises the member's level."""
    member = member_or_404(request.auth, member_id)
    fields = payload.model_dump()
    fields["theory_level"] = fields["theory_level"] or ""
    return Status(201, actions.add_training(request.auth, member, **fields))


@router.delete(
    "/trainings/{training_id}", response={204: None, **WRITE_ERRORS}, summary="Remove a course"
)
def remove_training(request, training_id: int):
    visible = visible_members(request.auth, Perm.VIEW_MEMBER)
    training = Training.objects.filter(member__in=visible, pk=training_id).first()
    if training is None:
        raise Http404
    actions.remove_training(request.auth, training)
    return Status(204, None)


@router.get(
    "/{member_id}/badges", response={200: list[BadgeOut], **READ_ERRORS}, summary="Party badges"
)
def badges(request, member_id: int):
    member = member_or_404(request.auth, member_id, Perm.VIEW_MEMBER)
    return member.badges.all()


@router.post(
    "/{member_id}/badges", response={201: BadgeOut, **WRITE_ERRORS}, summary="Award a badge"
)
def award_badge(request, member_id: int, payload: BadgeIn):
    """On one of the pack's award days, for party age reached by then, once per badge."""
    member = member_or_404(request.auth, member_id)
    badge = actions.award_badge(
        request.auth, member, payload.years, payload.awarded_on, payload.decision_number
    )
    return Status(201, badge)


@router.get(
    "/orgs/{code}/badges",
    response={200: BadgeListOut, **READ_ERRORS},
    summary="Badge candidates for an award date",
)
def badge_candidates(request, code: str, on: datetime.date | None = None):
    """Who becomes eligible on the award date (the next one when not given), and members
    past a threshold with no badge recorded."""
    org = org_or_404(request.auth, code, Perm.VIEW_MEMBER)
    if on is None:
        on = queries.next_award_dates(org, timezone.localdate(), 1)[0]
    rules = queries.membership_rules(org, on).badges
    if (on.month, on.day) not in rules.award_days:
        raise ValidationError(
            {"on": _("Choose one of the award days: %(days)s.") % {"days": _award_days(rules)}}
        )
    listing = queries.badge_candidates(org, on)
    return {
        "organisation": org,
        "award_date": listing.award_date,
        "previous_award_date": listing.previous,
        "due": listing.due,
        "overdue": listing.overdue,
        "overdue_count": listing.overdue_count,
    }


def _award_days(rules) -> str:
    return ", ".join(f"{day}/{month}" for month, day in rules.award_days)


@router.get(
    "/{member_id}/corrections",
    response={200: list[CorrectionOut], **READ_ERRORS},
    summary="A member's correction requests",
)
def member_corrections(request, member_id: int):
    """For the member themself and the cell's leaders."""
    user = request.auth
    member = member_or_404(user, member_id)
    if user.member_id != member.pk:
        require(user, Perm.EDIT_MEMBER, member.cell)
    return member.corrections.select_related("member", "member__cell")


@router.post(
    "/{member_id}/corrections",
    response={201: CorrectionOut, **WRITE_ERRORS},
    summary="Ask for a correction of one's own record",
)
def ask_correction(request, member_id: int, payload: CorrectionIn):
    member = member_or_404(request.auth, member_id)
    correction = actions.request_correction(
        request.auth, member, payload.field, payload.requested_value, payload.reason
    )
    return Status(201, correction)


@router.get(
    "/orgs/{code}/corrections",
    response={200: list[CorrectionOut], **READ_ERRORS},
    summary="Corrections waiting for an answer",
)
def pending_corrections(request, code: str):
    """The requests of the organisation's members, for those who correct the records."""
    org = org_or_404(request.auth, code, Perm.EDIT_MEMBER)
    return queries.pending_corrections(org)


@router.post(
    "/corrections/{correction_id}/approve",
    response={200: CorrectionOut, **WRITE_ERRORS},
    summary="Approve a correction",
)
def approve_correction(request, correction_id: int, payload: AnswerIn):
    """Applies the value with every rule of the registry; a value that breaks one answers 422
    and the request stays pending."""
    correction = _correction_or_404(request.auth, correction_id)
    return actions.approve_correction(request.auth, correction, payload.answer)


@router.post(
    "/corrections/{correction_id}/refuse",
    response={200: CorrectionOut, **WRITE_ERRORS},
    summary="Refuse a correction",
)
def refuse_correction(request, correction_id: int, payload: AnswerIn):
    correction = _correction_or_404(request.auth, correction_id)
    return actions.refuse_correction(request.auth, correction, payload.answer)
