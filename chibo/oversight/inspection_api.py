"""API of inspection, supervision and discipline (QĐ 296): a committee's programme for a
year, inspections and their steps, complaints and denunciations with their due days,
discipline decisions, and the statistics of a subtree.

The same policy as the pages: reading needs VIEW_INSPECTION (an inspection or a decision is
reached through the organisation that made it or through its subject; a complaint only
through the organisation that received it); writes need MANAGE_INSPECTION, and
DECIDE_DISCIPLINE for discipline. Something out of reach answers 404. A subject is named
by an organisation's code (subject_org) or a member's id (subject_member), one of the two.
"""

import datetime
from functools import partial
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
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
from chibo.meetings.models import Meeting
from chibo.oversight import inspection as work
from chibo.oversight.models import (
    Complaint,
    ComplaintKind,
    ComplaintOutcome,
    DisciplineDecision,
    DisciplineForm,
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
)
from chibo.oversight.queries import parse_period
from chibo.web.helpers import get_or_404

router = Router(tags=["inspection"])

LongText = Annotated[str, Field(max_length=work.TEXT_MAX)]


# Answers.


class InspectionSubjectOut(Schema):
    kind: Literal["organisation", "member"]
    code: str | None = Field(description="The organisation's code.")
    member_id: int | None
    name: str


def _subject(obj) -> dict:
    if obj.subject_org_id:
        org = obj.subject_org
        return {"kind": "organisation", "code": org.code, "member_id": None, "name": org.name}
    member = obj.subject_member
    return {"kind": "member", "code": None, "member_id": member.pk, "name": member.full_name}


class InspectionOut(Schema):
    id: int
    organisation: OrgRef = Field(description="The organisation carrying it out.")
    plan_id: int | None
    kind: InspectionKind
    subject: InspectionSubjectOut
    topic: str
    notice_on: datetime.date | None
    self_report_on: datetime.date | None
    meeting_on: datetime.date | None
    meeting_id: int | None
    concluded_on: datetime.date | None
    result: str = Field(description="Empty until concluded.")
    conclusion: str
    state: str = Field(description="planned, notified, self_reported, met or concluded.")
    version: int

    @staticmethod
    def resolve_subject(obj) -> dict:
        return _subject(obj)


class PlanOut(Schema):
    id: int
    organisation: OrgRef
    year: int
    title: str
    approved_on: datetime.date | None
    version: int


class PlanRowOut(Schema):
    plan: PlanOut | None = Field(description="null: the inspections outside any plan.")
    inspections: list[InspectionOut]


class ProgrammeOut(Schema):
    organisation: OrgRef
    year: int
    plans: list[PlanRowOut]


class ComplaintOut(Schema):
    id: int
    kind: ComplaintKind
    organisation: OrgRef = Field(description="The organisation that received it.")
    received_on: datetime.date
    sender: str = Field(description="Empty when anonymous.")
    subject: InspectionSubjectOut
    summary: str
    discipline_id: int | None
    state_decided_on: datetime.date | None
    notice_days_late: int = Field(description="A state body's notice: days beyond the limit.")
    pack_id: str
    due_on: datetime.date | None = Field(description="null: recorded only, not handled.")
    handled_on: datetime.date | None
    outcome: str
    outcome_note: str
    overdue: bool
    version: int

    @staticmethod
    def resolve_subject(obj) -> dict:
        return _subject(obj)

    @staticmethod
    def resolve_notice_days_late(obj) -> int:
        return work.notice_days_late(obj)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class DecisionOut(Schema):
    id: int
    decided_by: OrgRef
    subject: InspectionSubjectOut
    form: DisciplineForm
    number: str
    decided_on: datetime.date
    reason: str
    pack_id: str
    inspection_id: int | None
    complaint_id: int | None
    annulled_on: datetime.date | None
    annul_reason: str
    effective: bool
    version: int

    @staticmethod
    def resolve_subject(obj) -> dict:
        return _subject(obj)

    @staticmethod
    def resolve_effective(obj) -> bool:
        return obj.is_effective


class CountedOut(Schema):
    organisations: int
    members: int


class InspectionStatisticsOut(Schema):
    organisation: OrgRef
    period: str
    first: datetime.date
    last: datetime.date
    supervised: CountedOut
    inspected: CountedOut
    inspected_on_suspicion: CountedOut
    disciplined: CountedOut
    by_form: dict[str, int] = Field(description="Decisions of the period, not annulled, by form.")
    received: dict[str, int] = Field(description="By kind.")
    not_to_handle: int = Field(description="Anonymous denunciations, recorded only.")
    handled: int
    handled_about: CountedOut
    overdue: int = Field(description="Received in the period and handled late or still late.")


# Requests.


class SubjectIn(Body):
    subject_org: str | None = Field(None, max_length=40, description="An organisation's code.")
    subject_member: DbId | None = Field(None, description="A member's id.")


class PlanIn(Body):
    year: int = Field(ge=work.EARLIEST_YEAR, le=2100)
    title: str = Field(max_length=work.TITLE_MAX)
    approved_on: datetime.date | None = None


class ApproveIn(Body):
    approved_on: datetime.date
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class InspectionIn(SubjectIn):
    kind: InspectionKind
    topic: str = Field(max_length=work.TOPIC_MAX)
    plan_id: DbId | None = None


class StepIn(Body):
    step: Literal["notice", "self_report", "meeting"]
    on: datetime.date | None = Field(None, description="For the meeting: the meeting's day.")
    meeting_id: DbId | None = None
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class ConclusionIn(Body):
    on: datetime.date
    result: InspectionResult
    conclusion: LongText
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class ComplaintIn(SubjectIn):
    kind: ComplaintKind
    received_on: datetime.date
    sender: str = Field("", max_length=work.SENDER_MAX, description="Empty: anonymous.")
    summary: LongText
    discipline_id: DbId | None = None
    state_decided_on: datetime.date | None = None


class HandleIn(Body):
    handled_on: datetime.date
    outcome: ComplaintOutcome
    note: LongText
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class DecisionIn(SubjectIn):
    form: DisciplineForm
    number: str = Field(max_length=work.NUMBER_MAX)
    decided_on: datetime.date
    reason: LongText
    inspection_id: DbId | None = None
    complaint_id: DbId | None = None


class AnnulIn(Body):
    annulled_on: datetime.date
    reason: LongText
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class YearQuery(Schema):
    year: int | None = Field(None, ge=work.EARLIEST_YEAR, le=2100)


class ComplaintFilters(Schema):
    which: Literal["", *work.COMPLAINT_FILTERS] = Field(
        "", description="To handle and not handled by default."
    )


class PeriodQuery(Schema):
    period: str = Field("", description="2026-11, 2026-Q4 or 2026; this year by default.")


_plain = partial(call_action, {})


def _names(payload: SubjectIn, **more: str) -> dict[str, str]:
    """The request's names for the fields an action's errors name: the subject is the
    field the request gave."""
    field = "subject_member" if payload.subject_member is not None else "subject_org"
    return {"subject": field, **more}


def _subject_of(org, payload: SubjectIn, required: bool = True):
    """The organisation or member the payload names, in org's subtree."""
    if not required and not payload.subject_org and payload.subject_member is None:
        return None
    return call_action(
        _names(payload),
        work.find_subject,
        org,
        code=payload.subject_org or "",
        member_id=payload.subject_member,
    )


def _year(value: int | None) -> int:
    return value or timezone.localdate().year


# Plans and the programme.


@router.get(
    "/oversight/orgs/{code}/inspection/programme",
    response={200: ProgrammeOut, **READ_ERRORS},
    summary="An organisation's plans of inspection and supervision for a year",
)
def get_programme(request, code: str, filters: Query[YearQuery]):
    """Each plan with its inspections, then the inspections of the year outside any plan."""
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    year = _year(filters.year)
    rows = work.programme(org, year)
    return {
        "organisation": org,
        "year": year,
        "plans": [{"plan": r.plan, "inspections": r.inspections} for r in rows],
    }


@router.post(
    "/oversight/orgs/{code}/inspection/plans",
    response={201: PlanOut, **WRITE_ERRORS},
    summary="Add a yearly plan of inspection and supervision",
)
def add_plan(request, code: str, payload: PlanIn):
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    return Status(201, _plain(work.create_plan, request.auth, org, **payload.model_dump()))


@router.post(
    "/oversight/inspection/plans/{plan_id}/approve",
    response={200: PlanOut, **WRITE_ERRORS},
    summary="Record the day a plan was approved",
)
def approve_plan(request, plan_id: int, payload: ApproveIn):
    plan = get_or_404(work.visible_plans(request.auth).select_related("organisation"), pk=plan_id)
    return _plain(work.approve_plan, request.auth, plan, payload.approved_on, payload.version)


# Inspections.


@router.get(
    "/oversight/orgs/{code}/inspections",
    response={200: list[InspectionOut], **READ_ERRORS},
    summary="Inspections done by or about an organisation's subtree",
)
@paginate(Pager)
def list_inspections(request, code: str, filters: Query[YearQuery]):
    """Newest first; of a year (by the notice, or by when opened) when given."""
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    return work.inspections_about(org, filters.year)


@router.post(
    "/oversight/orgs/{code}/inspections",
    response={201: InspectionOut, **WRITE_ERRORS},
    summary="Open a supervision or an inspection",
)
def open_inspection(request, code: str, payload: InspectionIn):
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    plan = None
    if payload.plan_id is not None:
        plan = InspectionPlan.objects.filter(organisation=org, pk=payload.plan_id).first()
        if plan is None:
            raise ValidationError({"plan_id": _("Choose one of this organisation's plans.")})
    inspection = call_action(
        _names(payload, plan="plan_id"),
        work.open_inspection,
        request.auth,
        org,
        kind=payload.kind,
        subject=_subject_of(org, payload),
        topic=payload.topic,
        plan=plan,
    )
    return Status(201, inspection)


def _inspection(request, inspection_id: int) -> Inspection:
    return get_or_404(
        work.visible_inspections(request.auth).select_related(*work.INSPECTION_RELATED),
        pk=inspection_id,
    )


@router.get(
    "/oversight/inspections/{inspection_id}",
    response={200: InspectionOut, **READ_ERRORS},
    summary="An inspection with its steps",
)
def get_inspection(request, inspection_id: int):
    return _inspection(request, inspection_id)


@router.post(
    "/oversight/inspections/{inspection_id}/steps",
    response={200: InspectionOut, **WRITE_ERRORS},
    summary="Record the day of a step: the notice, the self-report or the meeting",
)
def record_step(request, inspection_id: int, payload: StepIn):
    """Steps come in order; one recorded may be corrected within its neighbours' days until
    the conclusion."""
    inspection = _inspection(request, inspection_id)
    # Asking about a meeting needs the right to record the step: no probing of ids.
    require(request.auth, Perm.MANAGE_INSPECTION, inspection.organisation)
    meeting = None
    if payload.meeting_id is not None:
        meeting = Meeting.objects.filter(pk=payload.meeting_id).first()
        if meeting is None:
            raise ValidationError({"meeting_id": _("There is no such meeting.")})
    return call_action(
        {"meeting": "meeting_id"},
        work.record_step,
        request.auth,
        inspection,
        payload.step,
        payload.on,
        meeting=meeting,
        version=payload.version,
    )


@router.post(
    "/oversight/inspections/{inspection_id}/conclusion",
    response={200: InspectionOut, **WRITE_ERRORS},
    summary="Conclude a supervision or an inspection",
)
def conclude(request, inspection_id: int, payload: ConclusionIn):
    inspection = _inspection(request, inspection_id)
    return _plain(work.conclude, request.auth, inspection, **payload.model_dump())


# Complaints, denunciations, notices.


@router.get(
    "/oversight/orgs/{code}/complaints",
    response={200: list[ComplaintOut], **READ_ERRORS},
    summary="Complaints, denunciations and notices received in an organisation's subtree",
)
@paginate(Pager)
def list_complaints(request, code: str, filters: Query[ComplaintFilters]):
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    return work.complaints_of(org, filters.which)


@router.post(
    "/oversight/orgs/{code}/complaints",
    response={201: ComplaintOut, **WRITE_ERRORS},
    summary="Record a complaint, a denunciation or a state body's notice",
)
def record_complaint(request, code: str, payload: ComplaintIn):
    """The due day comes from the discipline pack in force on the day received."""
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    decision = None
    if payload.discipline_id is not None:
        decision = DisciplineDecision.objects.filter(
            pk=payload.discipline_id, decided_by__path__startswith=org.path
        ).first()
        if decision is None:
            raise ValidationError(
                {"discipline_id": _("Choose a decision of this organisation or below it.")}
            )
    complaint = call_action(
        _names(payload, discipline="discipline_id"),
        work.record_complaint,
        request.auth,
        org,
        kind=payload.kind,
        received_on=payload.received_on,
        sender=payload.sender,
        summary=payload.summary,
        subject=_subject_of(org, payload, required=False),
        discipline=decision,
        state_decided_on=payload.state_decided_on,
    )
    return Status(201, complaint)


def _complaint(request, complaint_id: int) -> Complaint:
    return get_or_404(
        work.visible_complaints(request.auth).select_related(*work.COMPLAINT_RELATED),
        pk=complaint_id,
    )


@router.get(
    "/oversight/complaints/{complaint_id}",
    response={200: ComplaintOut, **READ_ERRORS},
    summary="A complaint, denunciation or notice received",
)
def get_complaint(request, complaint_id: int):
    return _complaint(request, complaint_id)


@router.post(
    "/oversight/complaints/{complaint_id}/handle",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Record how a complaint, denunciation or notice was handled",
)
def handle_complaint(request, complaint_id: int, payload: HandleIn):
    complaint = _complaint(request, complaint_id)
    return _plain(work.handle_complaint, request.auth, complaint, **payload.model_dump())


# Discipline.


@router.get(
    "/oversight/orgs/{code}/discipline",
    response={200: list[DecisionOut], **READ_ERRORS},
    summary="Discipline decisions about an organisation's subtree",
)
@paginate(Pager)
def list_decisions(request, code: str, filters: Query[YearQuery]):
    """Newest first; of a year when given."""
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    return work.decisions_about(org, filters.year)


@router.post(
    "/oversight/orgs/{code}/discipline",
    response={201: DecisionOut, **WRITE_ERRORS},
    summary="Record a discipline decision of an organisation",
)
def decide(request, code: str, payload: DecisionIn):
    """The form must be one the discipline pack allows for the subject on the day: for an
    organisation reprimand, warning or dissolution; for an official member reprimand,
    warning, removal from post or expulsion; for a probationary member reprimand or
    warning. An expulsion does not end the membership here."""
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    inspection = complaint = None
    if payload.inspection_id is not None:
        inspection = work.visible_inspections(request.auth).filter(pk=payload.inspection_id).first()
        if inspection is None:
            raise ValidationError({"inspection_id": _("There is no such inspection.")})
    if payload.complaint_id is not None:
        complaint = work.visible_complaints(request.auth).filter(pk=payload.complaint_id).first()
        if complaint is None:
            raise ValidationError({"complaint_id": _("There is no such complaint.")})
    decision = call_action(
        _names(payload, inspection="inspection_id", complaint="complaint_id"),
        work.decide_discipline,
        request.auth,
        org,
        subject=_subject_of(org, payload),
        form=payload.form,
        number=payload.number,
        decided_on=payload.decided_on,
        reason=payload.reason,
        inspection=inspection,
        complaint=complaint,
    )
    return Status(201, decision)


def _decision(request, decision_id: int) -> DisciplineDecision:
    return get_or_404(
        work.visible_decisions(request.auth).select_related(*work.DECISION_RELATED),
        pk=decision_id,
    )


@router.get(
    "/oversight/discipline/{decision_id}",
    response={200: DecisionOut, **READ_ERRORS},
    summary="A discipline decision",
)
def get_decision(request, decision_id: int):
    return _decision(request, decision_id)


@router.post(
    "/oversight/discipline/{decision_id}/annul",
    response={200: DecisionOut, **WRITE_ERRORS},
    summary="Annul a discipline decision",
)
def annul(request, decision_id: int, payload: AnnulIn):
    """By the committee that decided or one above it; an annulled decision no longer
    counts."""
    decision = _decision(request, decision_id)
    return _plain(work.annul_discipline, request.auth, decision, **payload.model_dump())


# Statistics.


@router.get(
    "/oversight/orgs/{code}/inspection/statistics",
    response={200: InspectionStatisticsOut, **READ_ERRORS},
    summary="Organisations and members supervised, inspected and disciplined in a period",
)
def get_statistics(request, code: str, filters: Query[PeriodQuery]):
    """Each organisation and member counted once per line; supervision and inspection by
    the day of the conclusion, discipline by the day of the decision, complaints by the day
    received (handled: by the day handled)."""
    org = org_or_404(request.auth, code, Perm.VIEW_INSPECTION)
    today = timezone.localdate()
    period = parse_period(filters.period or str(today.year), today)
    stats = work.statistics(org, period, today)
    return {
        "organisation": org,
        "period": period.key,
        **{
            name: getattr(stats, name)
            for name in (
                "first",
                "last",
                "by_form",
                "received",
                "not_to_handle",
                "handled",
                "overdue",
            )
        },
        **{
            name: vars(getattr(stats, name))
            for name in (
                "supervised",
                "inspected",
                "inspected_on_suspicion",
                "disciplined",
                "handled_about",
            )
        },
    }
