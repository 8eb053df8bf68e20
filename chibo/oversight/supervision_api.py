"""API of supervision: the followers a committee assigns to its cells, their visits, the
coverage of a quarter, a follower's own cells; and the members a cell keeps under
attention.

The same rules as the pages. Followers, visits and coverage are read with VIEW_OVERSIGHT on
the organisation; assigning and ending need ASSIGN_FOLLOWERS on the committee; a visit is
recorded by the follower or by whoever may assign. Members under attention are read with
VIEW_ATTENTION on the cell (its committee, the inspection staff above) and written with
MANAGE_ATTENTION (its committee); every answer that shows a case is logged. Something out
of reach answers 404. A quarter is written 2026-Q4.
"""

import datetime
from functools import partial
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, require
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
from chibo.meetings.models import Kind, Meeting, MeetingStatus
from chibo.members.models import Member
from chibo.orgs.models import Organisation
from chibo.oversight import attention, supervision
from chibo.oversight.models import QUALITY_LEVELS, AttentionKind, ViewChannel
from chibo.web.helpers import get_or_404

router = Router(tags=["supervision"])

_act = partial(
    call_action, {"meeting": "meeting_id", "follower": "follower_id", "member": "member_id"}
)


class MemberRef(Schema):
    id: int
    full_name: str


class AssignmentOut(Schema):
    id: int
    committee: OrgRef
    cell: OrgRef
    follower: MemberRef
    started_on: datetime.date
    ended_on: datetime.date | None


class AssignIn(Body):
    cell: str = Field(max_length=40, description="The code of a cell under the committee.")
    follower_id: DbId = Field(description="An official member under the committee.")
    started_on: datetime.date | None = Field(None, description="Today when left out.")


class EndIn(Body):
    ended_on: datetime.date | None = Field(None, description="The last day; today when left out.")


class VisitIn(Body):
    observations: str = Field(max_length=supervision.OBSERVATIONS_MAX)
    meeting_id: DbId | None = Field(None, description="A meeting of the cell that was held.")
    visited_on: datetime.date | None = Field(
        None, description="Needed without a meeting; with one, the meeting's day."
    )
    score_agrees: bool | None = Field(
        None, description="Whether the follower agrees with the cell's score of the meeting."
    )
    proposed_level: Literal["", *QUALITY_LEVELS] = Field("", description="When not agreeing.")
    score_note: str = Field("", max_length=supervision.NOTE_MAX)


class VisitOut(Schema):
    id: int
    cell: OrgRef
    committee: OrgRef
    follower: MemberRef
    assignment_id: int
    meeting_id: int | None
    visited_on: datetime.date
    observations: str
    score_agrees: bool | None
    cell_level: str
    proposed_level: str
    score_note: str

    @staticmethod
    def resolve_committee(obj):
        return obj.assignment.committee

    @staticmethod
    def resolve_follower(obj):
        return obj.assignment.follower


class VisitFilters(Schema):
    quarter: str = Field("", description="Only the visits of this quarter, e.g. 2026-Q4.")


class MeetingBrief(Schema):
    id: int
    kind: Kind
    status: MeetingStatus
    scheduled_at: datetime.datetime
    place: str
    topic: str


class FollowingOut(Schema):
    assignment: AssignmentOut
    upcoming: list[MeetingBrief]
    visits: int
    last_visited_on: datetime.date | None


class CoverageFilters(Schema):
    quarter: str = Field("", description="2026-Q4; the current quarter when left out.")


class UncoveredOut(Schema):
    cell: OrgRef
    followers: list[str]


class CoverageOut(Schema):
    organisation: OrgRef
    quarter: str
    cells: int
    visited: int
    without_follower: int
    uncovered: list[UncoveredOut]


class FollowerFilters(Schema):
    ended: bool = Field(False, description="The ended assignments instead of the current ones.")


def _committee(user, code: str) -> Organisation:
    committee = org_or_404(user, code, Perm.VIEW_OVERSIGHT)
    if committee.is_cell:
        raise Http404
    return committee


@router.get(
    "/oversight/orgs/{code}/followers",
    response={200: list[AssignmentOut], **READ_ERRORS},
    summary="The followers a committee assigned to its cells",
)
@paginate(Pager)
def list_followers(request, code: str, filters: Query[FollowerFilters]):
    """By cell name; the current assignments unless ended=true."""
    committee = _committee(request.auth, code)
    return supervision.committee_assignments(committee, ended=filters.ended).select_related(
        "committee"
    )


@router.post(
    "/oversight/orgs/{code}/followers",
    response={201: AssignmentOut, **WRITE_ERRORS},
    summary="Assign a follower to a cell",
)
def assign_follower(request, code: str, payload: AssignIn):
    """A current follower of the cell for this committee is replaced: their assignment ends
    the day before the new one starts."""
    committee = _committee(request.auth, code)
    require(request.auth, Perm.ASSIGN_FOLLOWERS, committee)
    cell = Organisation.objects.filter(
        code=payload.cell.strip(), path__startswith=committee.path
    ).first()
    if cell is None:
        raise ValidationError({"cell": _("There is no cell with this code under this committee.")})
    follower = Member.objects.filter(
        pk=payload.follower_id, cell__path__startswith=committee.path
    ).first()
    if follower is None:
        raise ValidationError(
            {
                "follower_id": _(
                    "Choose the follower from the suggestions: a member under this committee."
                )
            }
        )
    row = _act(
        supervision.assign_follower, request.auth, committee, cell, follower, payload.started_on
    )
    return Status(201, row)


@router.post(
    "/oversight/followers/{assignment_id}/end",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="End a follower's assignment",
)
def end_following(request, assignment_id: int, payload: EndIn):
    assignment = get_or_404(supervision.visible_assignments(request.auth), pk=assignment_id)
    return _act(supervision.end_following, request.auth, assignment, payload.ended_on)


@router.post(
    "/oversight/followers/{assignment_id}/visits",
    response={201: VisitOut, **WRITE_ERRORS},
    summary="Record a visit to the cell followed",
)
def record_visit(request, assignment_id: int, payload: VisitIn):
    """By the follower, or by whoever may assign followers for the committee. A review of
    the meeting's score only where the rules it was scored under allow it."""
    assignment = get_or_404(supervision.visible_assignments(request.auth), pk=assignment_id)
    if not supervision.may_record_visit(request.auth, assignment):
        raise PermissionDenied(_("You do not have permission to do this here."))
    meeting = None
    if payload.meeting_id is not None:
        meeting = Meeting.objects.filter(
            pk=payload.meeting_id, organisation_id=assignment.cell_id
        ).first()
        if meeting is None:
            raise ValidationError({"meeting_id": _("Choose a meeting of the cell you follow.")})
    visit = _act(
        supervision.record_visit,
        request.auth,
        assignment,
        observations=payload.observations,
        visited_on=payload.visited_on,
        meeting=meeting,
        score_agrees=payload.score_agrees,
        proposed_level=payload.proposed_level,
        score_note=payload.score_note,
    )
    return Status(201, visit)


@router.get(
    "/oversight/orgs/{code}/visits",
    response={200: list[VisitOut], **READ_ERRORS},
    summary="The visits to the cells of an organisation's subtree",
)
@paginate(Pager)
def list_visits(request, code: str, filters: Query[VisitFilters]):
    """Latest first."""
    org = org_or_404(request.auth, code, Perm.VIEW_OVERSIGHT)
    if not filters.quarter:
        return supervision.visits_in(org)
    quarter = supervision.parse_quarter(filters.quarter, timezone.localdate())
    return supervision.visits_in(org, *supervision.quarter_days(quarter))


@router.get(
    "/oversight/orgs/{code}/coverage",
    response={200: CoverageOut, **READ_ERRORS},
    summary="Which cells of a subtree had a visit in a quarter",
)
def coverage(request, code: str, filters: Query[CoverageFilters]):
    """The open cells of the subtree, those that had a visit from a follower, and the others
    listed with their current followers."""
    org = org_or_404(request.auth, code, Perm.VIEW_OVERSIGHT)
    quarter = supervision.parse_quarter(filters.quarter, timezone.localdate())
    result = supervision.coverage(org, quarter)
    return {
        "organisation": org,
        "quarter": quarter.key,
        "cells": len(result.cells),
        "visited": len(result.visited),
        "without_follower": result.without_follower,
        "uncovered": [{"cell": c.cell, "followers": c.followers} for c in result.uncovered],
    }


@router.get(
    "/oversight/me/following",
    response={200: list[FollowingOut], **READ_ERRORS},
    summary="The cells I follow, with their next meetings",
)
def my_following(request):
    """Empty for a user with no member record or no assignment."""
    return [
        {
            "assignment": row.assignment,
            "upcoming": row.upcoming,
            "visits": row.visits,
            "last_visited_on": row.last_visit.visited_on if row.last_visit else None,
        }
        for row in supervision.following(getattr(request.auth, "member_id", None))
    ]


# Members under attention.


class CaseOut(Schema):
    id: int
    cell: OrgRef
    member: MemberRef
    kind: AttentionKind
    reason: str
    plan: str
    follower: MemberRef
    review_on: datetime.date
    opened_on: datetime.date
    closed_on: datetime.date | None
    outcome: str
    version: int


class CaseViewOut(Schema):
    viewer: str | None
    viewed_at: datetime.datetime
    channel: str

    @staticmethod
    def resolve_viewer(obj):
        return obj.viewer.username if obj.viewer else None


class CaseDetailOut(CaseOut):
    views: list[CaseViewOut]

    @staticmethod
    def resolve_views(obj):
        return attention.case_views(obj)


class CaseFilters(Schema):
    closed: bool = Field(False, description="The closed cases instead of the open ones.")


class CaseIn(Body):
    member_id: DbId
    kind: AttentionKind
    reason: str = Field(max_length=attention.TEXT_MAX)
    plan: str = Field(max_length=attention.TEXT_MAX, description="What the cell will do.")
    follower_id: DbId = Field(description="The member of the cell who follows the case.")
    review_on: datetime.date
    opened_on: datetime.date | None = Field(None, description="Today when left out.")


class CasePatch(Body):
    kind: AttentionKind | None = None
    reason: str | None = Field(None, max_length=attention.TEXT_MAX)
    plan: str | None = Field(None, max_length=attention.TEXT_MAX)
    follower_id: DbId | None = None
    review_on: datetime.date | None = None
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class CloseIn(Body):
    outcome: str = Field(max_length=attention.TEXT_MAX)
    closed_on: datetime.date | None = Field(None, description="Today when left out.")
    version: int | None = Field(None, ge=0, le=2**31 - 1)


def _attention_cell(user, code: str) -> Organisation:
    cell = org_or_404(user, code, Perm.VIEW_ATTENTION)
    if not cell.is_cell:
        raise Http404
    return cell


def _cell_member(cell: Organisation, member_id: int, field: str) -> Member:
    member = Member.objects.filter(pk=member_id, cell=cell).first()
    if member is None:
        raise ValidationError({field: _("Choose a current member of this cell.")})
    return member


def _shown(user, case):
    """The case as an answer shows it: the view is logged."""
    attention.log_view(user, case.cell, [case], ViewChannel.API, case=case)
    return case


@router.get(
    "/oversight/orgs/{code}/attention",
    response={200: list[CaseOut], **READ_ERRORS},
    summary="A cell's members under attention",
)
def list_cases(request, code: str, filters: Query[CaseFilters]):
    """The open cases (or the closed ones). For the cell committee and the inspection staff
    above; the view is logged."""
    cell = _attention_cell(request.auth, code)
    return attention.list_cases(request.auth, cell, closed=filters.closed, channel=ViewChannel.API)


@router.post(
    "/oversight/orgs/{code}/attention",
    response={201: CaseOut, **WRITE_ERRORS},
    summary="Place a member under attention",
)
def open_case(request, code: str, payload: CaseIn):
    cell = _attention_cell(request.auth, code)
    require(request.auth, Perm.MANAGE_ATTENTION, cell)
    case = _act(
        attention.open_case,
        request.auth,
        _cell_member(cell, payload.member_id, "member_id"),
        kind=payload.kind,
        reason=payload.reason,
        plan=payload.plan,
        follower=_cell_member(cell, payload.follower_id, "follower_id"),
        review_on=payload.review_on,
        opened_on=payload.opened_on,
    )
    return Status(201, _shown(request.auth, case))


@router.get(
    "/oversight/attention/{case_id}",
    response={200: CaseDetailOut, **READ_ERRORS},
    summary="A case of a member under attention",
)
def read_case(request, case_id: int):
    """With the latest views of it; this view is logged too."""
    return attention.read_case(request.auth, case_id, ViewChannel.API)


def _case(user, case_id: int):
    return get_or_404(attention.visible_cases(user).select_related("cell", "member"), pk=case_id)


@router.patch(
    "/oversight/attention/{case_id}",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Change an open case",
)
def update_case(request, case_id: int, payload: CasePatch):
    """Only the fields sent. A stale version answers 409."""
    case = _case(request.auth, case_id)
    require(request.auth, Perm.MANAGE_ATTENTION, case.cell)
    fields = payload.model_dump(exclude_unset=True)
    version = fields.pop("version", None)
    if "follower_id" in fields:
        fields["follower"] = _cell_member(case.cell, fields.pop("follower_id"), "follower_id")
    for name in ("kind", "reason", "plan", "review_on"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    case = _act(attention.update_case, request.auth, case, version=version, **fields)
    return _shown(request.auth, case)


@router.post(
    "/oversight/attention/{case_id}/close",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Close a case with its outcome",
)
def close_case(request, case_id: int, payload: CloseIn):
    case = _case(request.auth, case_id)
    case = _act(
        attention.close_case,
        request.auth,
        case,
        outcome=payload.outcome,
        closed_on=payload.closed_on,
        version=payload.version,
    )
    return _shown(request.auth, case)
