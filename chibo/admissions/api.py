"""API of admission and probation: the candidates of a cell, their dossier, introducers,
votes and decisions; probations from the ceremony to recognition; the deadlines.

The same policy as the pages: whoever may list a cell's members sees its candidates' names
and stages; the personal data and the dossier need the right to see member records; every
write goes through chibo.admissions.actions, which checks the right it needs. A case out of
reach answers 404.
"""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, can, require, visible_members
from chibo.admissions import actions, queries, rules
from chibo.admissions.models import (
    Candidate,
    DocumentStatus,
    Probation,
    Stage,
)
from chibo.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    DbId,
    OrgRef,
    Pager,
    blank_for_null,
    call_action,
    member_or_404,
    org_or_404,
)
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Meeting
from chibo.members.models import Gender
from chibo.orgs.models import Organisation

router = Router(tags=["admissions"])

FIELD_NAMES = {"meeting": "meeting_id", "member": "member_id"}


_act = partial(call_action, FIELD_NAMES)


def _cell_or_404(user, code: str, perm: Perm = Perm.LIST_MEMBERS) -> Organisation:
    cell = org_or_404(user, code, perm)
    if not cell.is_cell:
        raise Http404
    return cell


def _candidate_or_404(user, candidate_id: int) -> Candidate:
    try:
        return queries.with_documents(queries.visible_candidates(user)).get(pk=candidate_id)
    except Candidate.DoesNotExist as exc:
        raise Http404 from exc


def _probation_or_404(user, probation_id: int) -> Probation:
    try:
        return queries.visible_probations(user).get(pk=probation_id)
    except Probation.DoesNotExist as exc:
        raise Http404 from exc


def _meeting_of(cell: Organisation, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.filter(pk=meeting_id, organisation=cell).first()
    if meeting is None:
        raise ValidationError({"meeting_id": _("Choose a meeting of the member's cell.")})
    return meeting


# Answers.


class MemberRef(Schema):
    id: int
    full_name: str


class DeadlineOut(Schema):
    kind: str = Field(description="ceremony, probation_end, review or certificate.")
    label: str
    due: datetime.date
    days_left: int = Field(description="Negative when overdue.")
    level: str = Field(description="overdue, soon (within the pack's first reminder) or later.")
    remind: bool = Field(description="A reminder is due today (the pack's reminder days).")
    name: str
    cell: OrgRef
    candidate_id: int | None
    probation_id: int | None
    member_id: int | None


class VoteOut(Schema):
    id: int
    meeting_id: int
    kind: str
    agree: int
    disagree: int
    abstain: int
    eligible: int
    passed: bool
    rule: str = Field(description="The pack's threshold that decided the vote.")
    summary: str
    recorded_at: datetime.datetime


class PersonalOut(Schema):
    """The citizen ID and the phone are masked unless the caller may reveal them in the
    cell."""

    gender: str
    date_of_birth: datetime.date
    ethnicity: str
    religion: str
    hometown: str
    residence: str
    phone: str
    email: str
    citizen_id: str
    education: str
    education_exception: str
    occupation: str
    over_age_approval: str


class DocumentOut(Schema):
    key: str
    title: str
    required: bool
    produced_by: str = Field(description="candidate, cell or committee.")
    alternative: str = Field(description="A document that may stand in for this one.")
    valid_years: int | None
    status: str = Field(description="missing, submitted or checked.")
    reference: str
    dated: datetime.date | None
    expires_on: datetime.date | None = Field(description="First day it is no longer valid.")
    note: str
    file: bool = Field(description="A scan is attached.")
    by_step: bool = Field(description="Made by a step of the case, not entered by hand.")


class IntroducerOut(Schema):
    id: int
    member: MemberRef
    cell: OrgRef
    known_since: datetime.date


class CandidateOut(Schema):
    id: int
    full_name: str
    stage: str = Field(description="preparing, cell_approved, committee_proposed, admitted, …")
    cell: OrgRef
    cell_voted_on: datetime.date | None
    committee_resolution_number: str
    committee_resolved_on: datetime.date | None
    member_id: int | None = Field(description="The member the admission made.")
    next_deadline: DeadlineOut | None


class CandidateDetail(CandidateOut):
    version: int
    closed_reason: str
    personal: PersonalOut | None = Field(description="null for those who see names only.")
    documents: list[DocumentOut] | None = Field(description="null for those who see names only.")
    introducers: list[IntroducerOut]
    introducers_needed: int
    votes: list[VoteOut]
    blocking: dict[str, list[str]] | None = Field(
        description="What stops the cell's vote today, by field; null once voted or hidden."
    )
    probation_id: int | None


class ProbationOut(Schema):
    id: int
    member: MemberRef
    cell: OrgRef
    candidate_id: int | None
    state: str = Field(
        description="awaiting_ceremony, on_probation, proposed, referred, recognised, removed."
    )
    decision_number: str
    decided_on: datetime.date = Field(description="The admission date: party age counts from it.")
    decided_by: OrgRef | None
    signer: str
    ceremony_due: datetime.date
    ceremony_on: datetime.date | None
    ends_on: datetime.date | None = Field(description="The official date when recognised.")
    review_due: datetime.date | None
    failed_votes: int
    outcome_number: str
    outcome_on: datetime.date | None
    outcome_reason: str
    version: int
    votes: list[VoteOut]
    next_deadline: DeadlineOut | None


class CaseVoteOut(Schema):
    vote: VoteOut
    state: str = Field(description="The case's stage or state after the vote.")


def _deadline(d) -> dict | None:
    if d is None:
        return None
    return {
        "kind": d.kind,
        "label": d.label,
        "due": d.due,
        "days_left": d.days_left,
        "level": d.level,
        "remind": d.remind,
        "name": d.name,
        "cell": d.cell,
        "candidate_id": d.candidate_id,
        "probation_id": d.probation_id,
        "member_id": d.member_id,
    }


def _candidate_out(c: Candidate, today, reminders: tuple[int, ...] | None = None) -> dict:
    """reminders: the pack's reminder days, given once by a list of one cell's cases."""
    return {
        "id": c.pk,
        "full_name": c.full_name,
        "stage": c.stage,
        "cell": c.cell,
        "cell_voted_on": c.cell_voted_on,
        "committee_resolution_number": c.committee_resolution_number,
        "committee_resolved_on": c.committee_resolved_on,
        "member_id": c.member_id,
        "next_deadline": _deadline(queries.candidate_deadline(c, today, reminders)),
    }


def _document_out(item) -> dict:
    rule = item.rule
    return {
        "key": item.key,
        "title": rule.label,
        "required": rule.required,
        "produced_by": rule.produced_by,
        "alternative": rule.alternative,
        "valid_years": rule.valid_years,
        "status": item.status,
        "reference": item.reference,
        "dated": item.dated,
        "expires_on": item.expires_on,
        "note": item.note,
        "file": bool(item.file),
        "by_step": item.key in rules.STEP_DOCUMENTS,
    }


def _candidate_detail(user, c: Candidate) -> dict:
    c = queries.with_documents(Candidate.objects.select_related("cell")).get(pk=c.pk)
    personal = can(user, Perm.VIEW_MEMBER, c.cell)
    today = timezone.localdate()
    probation = Probation.objects.filter(candidate=c).values_list("pk", flat=True).first()
    return {
        **_candidate_out(c, today),
        "version": c.version,
        "closed_reason": c.closed_reason,
        "personal": {k: queries.shown(user, c, k) for k in PersonalOut.model_fields}
        if personal
        else None,
        "documents": [
            _document_out(d) for d in c.documents.all() if rules.applies_to(d.key, c.cell)
        ]
        if personal
        else None,
        "introducers": [
            {"id": i.pk, "member": i.member, "cell": i.member.cell, "known_since": i.known_since}
            for i in c.introducers.select_related("member__cell")
        ],
        "introducers_needed": actions.introducers_needed(c),
        "votes": [cv.vote for cv in c.votes.select_related("vote")],
        "blocking": actions.readiness(c, today)
        if personal and c.stage == Stage.PREPARING
        else None,
        "probation_id": probation,
    }


def _probations(qs):
    return qs.select_related("member__cell", "decided_by").prefetch_related("votes__vote")


def _probation_out(
    p: Probation, fresh: bool = True, reminders: tuple[int, ...] | None = None
) -> dict:
    """The probation as the API shows it; fresh reads it again after a write; reminders as
    for _candidate_out."""
    if fresh:
        p = _probations(Probation.objects.filter(pk=p.pk)).get()
    return {
        **{
            k: getattr(p, k)
            for k in (
                "state",
                "decision_number",
                "decided_on",
                "decided_by",
                "signer",
                "ceremony_due",
                "ceremony_on",
                "ends_on",
                "review_due",
                "failed_votes",
                "outcome_number",
                "outcome_on",
                "outcome_reason",
                "version",
                "candidate_id",
            )
        },
        "id": p.pk,
        "member": p.member,
        "cell": p.member.cell,
        "votes": [pv.vote for pv in p.votes.all()],
        "next_deadline": _deadline(queries.probation_deadline(p, timezone.localdate(), reminders)),
    }


# Requests.


class CandidateIn(Body):
    full_name: str = Field(max_length=120)
    gender: Gender
    date_of_birth: datetime.date
    ethnicity: str = Field("Kinh", max_length=60)
    religion: str | None = Field(None, max_length=60)
    hometown: str | None = Field(None, max_length=255)
    residence: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    citizen_id: str | None = Field(None, max_length=12)
    education: str | None = Field(
        None, max_length=20, description="Grade completed over the system's grades: 9/12."
    )
    education_exception: str | None = Field(
        None, max_length=255, description="Ground for an education below the pack's minimum."
    )
    occupation: str | None = Field(None, max_length=120)
    over_age_approval: str | None = Field(
        None, max_length=120, description="The provincial committee's approval, for over 60s."
    )


class CandidatePatch(Body):
    full_name: str | None = Field(None, max_length=120)
    gender: Gender | None = None
    date_of_birth: datetime.date | None = None
    ethnicity: str | None = Field(None, max_length=60)
    religion: str | None = Field(None, max_length=60)
    hometown: str | None = Field(None, max_length=255)
    residence: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    citizen_id: str | None = Field(None, max_length=12)
    education: str | None = Field(
        None, max_length=20, description="Grade completed over the system's grades: 9/12."
    )
    education_exception: str | None = Field(
        None, max_length=255, description="Ground for an education below the pack's minimum."
    )
    occupation: str | None = Field(None, max_length=120)
    over_age_approval: str | None = Field(None, max_length=120)
    version: int | None = Field(None, ge=0, le=2**31 - 1)


TEXT_FIELDS = (
    "religion",
    "hometown",
    "residence",
    "phone",
    "email",
    "citizen_id",
    "education",
    "education_exception",
    "occupation",
    "over_age_approval",
)


class IntroducerIn(Body):
    member_id: DbId = Field(description="An official member within the caller's reach.")
    known_since: datetime.date = Field(description="Since when they have worked together.")


class DocumentFormIn(Schema):
    status: DocumentStatus
    reference: str = Field("", max_length=60, description="The document's number.")
    dated: datetime.date | None = Field(None, description="Needed unless missing.")
    note: str = Field("", max_length=500)


class VoteIn(Body):
    meeting_id: DbId = Field(description="A meeting of the cell, in progress.")
    agree: int = Field(ge=0, le=100_000)
    disagree: int = Field(ge=0, le=100_000)
    abstain: int = Field(0, ge=0, le=100_000)


class ResolutionIn(Body):
    number: str = Field(max_length=60)
    resolved_on: datetime.date


class DecisionIn(Body):
    number: str = Field(max_length=60)
    decided_on: datetime.date
    signer: str = Field("", max_length=120)


class CloseIn(Body):
    reason: str = Field(max_length=500)


class OpenProbationIn(Body):
    ceremony_on: datetime.date | None = Field(None, description="When it was held, if it was.")
    decision_number: str = Field("", max_length=60)


class CeremonyIn(Body):
    held_on: datetime.date


class RecognitionIn(Body):
    recognised: bool = Field(description="false: the name is removed.")
    number: str = Field(max_length=60)
    decided_on: datetime.date
    reason: str = Field("", max_length=500, description="Needed when not recognised.")


class CandidateFilters(Schema):
    stage: Stage | None = None


# Candidates.


@router.get(
    "/admissions/orgs/{code}/candidates",
    response={200: list[CandidateOut], **READ_ERRORS},
    summary="A cell's candidates",
)
@paginate(Pager)
def list_candidates(request, code: str, filters: Query[CandidateFilters]):
    """Names and stages, for whoever may list the cell's members; newest first."""
    cell = _cell_or_404(request.auth, code)
    qs = queries.cell_candidates(cell)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    today = timezone.localdate()
    reminders = queries.reminder_days(cell, today)  # once for the list, not once a row
    return [_candidate_out(c, today, reminders) for c in qs]


@router.post(
    "/admissions/orgs/{code}/candidates",
    response={201: CandidateDetail, **WRITE_ERRORS},
    summary="Open an admission case",
)
def create_candidate(request, code: str, payload: CandidateIn):
    """With the dossier of the membership pack in force today. The cell's leaders only."""
    user = request.auth
    cell = org_or_404(user, code, Perm.LIST_MEMBERS)
    fields = blank_for_null(payload.model_dump(), *TEXT_FIELDS)
    candidate = _act(actions.create_candidate, user, cell, **fields)
    return Status(201, _candidate_detail(user, candidate))


@router.get(
    "/admissions/candidates/{candidate_id}",
    response={200: CandidateDetail, **READ_ERRORS},
    summary="A candidate",
)
def get_candidate(request, candidate_id: int):
    """The personal data, the dossier and what stops the vote only for those who may see
    member records."""
    return _candidate_detail(request.auth, _candidate_or_404(request.auth, candidate_id))


@router.patch(
    "/admissions/candidates/{candidate_id}",
    response={200: CandidateDetail, **WRITE_ERRORS},
    summary="Correct a candidate's record",
)
def update_candidate(request, candidate_id: int, payload: CandidatePatch):
    """Only the fields sent, while the case is open. A stale version answers 409."""
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    fields = blank_for_null(payload.model_dump(exclude_unset=True), *TEXT_FIELDS)
    for name in ("full_name", "gender", "date_of_birth", "ethnicity"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field is required.")})
    version = fields.pop("version", None)
    candidate = _act(actions.update_candidate, user, candidate, version=version, **fields)
    return _candidate_detail(user, candidate)


@router.post(
    "/admissions/candidates/{candidate_id}/introducers",
    response={201: IntroducerOut, **WRITE_ERRORS},
    summary="Add an introducer",
)
def add_introducer(request, candidate_id: int, payload: IntroducerIn):
    """An official member who has worked with the candidate for the pack's months."""
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    require(user, Perm.EDIT_MEMBER, candidate.cell)
    member = visible_members(user).filter(pk=payload.member_id).select_related("cell").first()
    if member is None:
        raise ValidationError({"member_id": _("Choose an official member within your reach.")})
    introducer = _act(actions.add_introducer, user, candidate, member, payload.known_since)
    return Status(
        201,
        {
            "id": introducer.pk,
            "member": member,
            "cell": member.cell,
            "known_since": introducer.known_since,
        },
    )


@router.delete(
    "/admissions/candidates/{candidate_id}/introducers/{introducer_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove an introducer",
)
def remove_introducer(request, candidate_id: int, introducer_id: int):
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    require(user, Perm.EDIT_MEMBER, candidate.cell)
    introducer = candidate.introducers.filter(pk=introducer_id).first()
    if introducer is None:
        raise Http404
    _act(actions.remove_introducer, user, candidate, introducer)
    return Status(204, None)


@router.post(
    "/admissions/candidates/{candidate_id}/documents/{key}",
    response={200: DocumentOut, **WRITE_ERRORS},
    summary="Record a dossier document",
)
def set_document(
    request,
    candidate_id: int,
    key: str,
    form: Form[DocumentFormIn],
    file: File[UploadedFile] = None,
):
    """multipart/form-data: the status, number, date, a note and optionally the scan (PDF,
    DOCX, JPEG or PNG, judged by its content, at most 20 MB). A document past its validity is
    refused naming "dated"."""
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    item = _act(
        actions.set_document,
        user,
        candidate,
        key,
        status=form.status,
        reference=form.reference,
        dated=form.dated,
        note=form.note,
        upload=file,
    )
    return _document_out(item)


@router.get(
    "/admissions/candidates/{candidate_id}/documents/{key}/file",
    response={200: None, **READ_ERRORS},
    summary="A dossier document's scan",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The scan, as attached.",
                "content": {t: {} for t in meeting_actions.ACCEPTED_TYPES},
            }
        }
    },
)
def document_file(request, candidate_id: int, key: str):
    """For those who may see member records of the cell."""
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    require(user, Perm.VIEW_MEMBER, candidate.cell)
    item = candidate.documents.exclude(file="").filter(key=key).first()
    if item is None:
        raise Http404
    extension = meeting_actions.ACCEPTED_TYPES[item.content_type]
    return FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=extension == "docx",
        filename=f"{slugify(candidate.full_name) or 'ho-so'}-{key}.{extension}",
    )


@router.post(
    "/admissions/candidates/{candidate_id}/vote",
    response={201: CaseVoteOut, **WRITE_ERRORS},
    summary="Record the cell's vote on the admission",
)
def admission_vote(request, candidate_id: int, payload: VoteIn):
    """In a meeting of the cell in progress. The pack's threshold (two thirds of the official
    members) decides; a failed vote is kept and the case stays where it was. Refused (422),
    naming the field, when the age, the certificate, the introducers or the dossier do not
    meet the rules."""
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    require(user, Perm.RUN_MEETINGS, candidate.cell)
    meeting = _meeting_of(candidate.cell, payload.meeting_id)
    vote = _act(
        actions.record_admission_vote,
        user,
        candidate,
        meeting,
        agree=payload.agree,
        disagree=payload.disagree,
        abstain=payload.abstain,
    )
    candidate.refresh_from_db()
    return Status(201, {"vote": vote, "state": candidate.stage})


@router.post(
    "/admissions/candidates/{candidate_id}/committee-resolution",
    response={200: CandidateDetail, **WRITE_ERRORS},
    summary="Record the grassroots committee's resolution",
)
def committee_resolution(request, candidate_id: int, payload: ResolutionIn):
    """For a subordinate cell's candidate, after the cell's vote has passed."""
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    candidate = _act(
        actions.record_committee_resolution,
        user,
        candidate,
        number=payload.number,
        resolved_on=payload.resolved_on,
    )
    return _candidate_detail(user, candidate)


@router.post(
    "/admissions/candidates/{candidate_id}/decision",
    response={201: ProbationOut, **WRITE_ERRORS},
    summary="Decide the admission",
)
def decide_admission(request, candidate_id: int, payload: DecisionIn):
    """The candidate becomes a probationary member of the cell from the decision's date; the
    ceremony is due within the pack's working days."""
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    probation = _act(
        actions.decide_admission,
        user,
        candidate,
        number=payload.number,
        decided_on=payload.decided_on,
        signer=payload.signer,
    )
    return Status(201, _probation_out(probation))


@router.post(
    "/admissions/candidates/{candidate_id}/close",
    response={200: CandidateDetail, **WRITE_ERRORS},
    summary="Close a case without admission",
)
def close_case(request, candidate_id: int, payload: CloseIn):
    user = request.auth
    candidate = _candidate_or_404(user, candidate_id)
    candidate = _act(actions.close_case, user, candidate, payload.reason)
    return _candidate_detail(user, candidate)


# Probations.


@router.get(
    "/admissions/orgs/{code}/probations",
    response={200: list[ProbationOut], **READ_ERRORS},
    summary="A cell's probations",
)
@paginate(Pager)
def list_probations(request, code: str):
    """The open probations of the cell's members, the soonest to end first."""
    cell = _cell_or_404(request.auth, code)
    reminders = queries.reminder_days(cell, timezone.localdate())
    return [
        _probation_out(p, fresh=False, reminders=reminders)
        for p in _probations(queries.cell_probations(cell))
    ]


@router.get(
    "/admissions/probations/{probation_id}",
    response={200: ProbationOut, **READ_ERRORS},
    summary="A probation",
)
def get_probation(request, probation_id: int):
    """For whoever may list the member's cell, and for the member."""
    return _probation_out(_probation_or_404(request.auth, probation_id))


@router.post(
    "/admissions/members/{member_id}/probation",
    response={201: ProbationOut, **WRITE_ERRORS},
    summary="Open the probation record of a probationary member",
)
def open_probation(request, member_id: int, payload: OpenProbationIn):
    """For a member admitted before the case was kept here: the decision is the member's
    admission date; the ceremony, if held, within the pack's working days of it."""
    user = request.auth
    member = member_or_404(user, member_id)
    probation = _act(
        actions.open_probation,
        user,
        member,
        ceremony_on=payload.ceremony_on,
        decision_number=payload.decision_number,
    )
    return Status(201, _probation_out(probation))


@router.post(
    "/admissions/probations/{probation_id}/ceremony",
    response={200: ProbationOut, **WRITE_ERRORS},
    summary="Record the admission ceremony",
)
def hold_ceremony(request, probation_id: int, payload: CeremonyIn):
    """Within the pack's working days of the decision (weekends and public holidays, Tết
    included, do not count); the probation's months run from it."""
    user = request.auth
    probation = _probation_or_404(user, probation_id)
    probation = _act(actions.hold_ceremony, user, probation, payload.held_on)
    return _probation_out(probation)


@router.post(
    "/admissions/probations/{probation_id}/vote",
    response={201: CaseVoteOut, **WRITE_ERRORS},
    summary="Record the cell's recognition vote",
)
def recognition_vote(request, probation_id: int, payload: VoteIn):
    """After the months of probation, in a meeting of the member's cell in progress; two
    thirds of the official members. After the pack's number of failed votes the case goes to
    the superior committee (state "referred")."""
    user = request.auth
    probation = _probation_or_404(user, probation_id)
    require(user, Perm.RUN_MEETINGS, probation.member.cell)
    meeting = _meeting_of(probation.member.cell, payload.meeting_id)
    vote = _act(
        actions.record_recognition_vote,
        user,
        probation,
        meeting,
        agree=payload.agree,
        disagree=payload.disagree,
        abstain=payload.abstain,
    )
    probation.refresh_from_db()
    return Status(201, {"vote": vote, "state": probation.state})


@router.post(
    "/admissions/probations/{probation_id}/decision",
    response={200: ProbationOut, **WRITE_ERRORS},
    summary="Decide the recognition",
)
def decide_recognition(request, probation_id: int, payload: RecognitionIn):
    """Recognised: official from the end of the probation, even when the vote was late. Not
    recognised: the name is removed. A referred case is decided by the superior committee."""
    user = request.auth
    probation = _probation_or_404(user, probation_id)
    probation = _act(
        actions.decide_recognition,
        user,
        probation,
        recognised=payload.recognised,
        number=payload.number,
        decided_on=payload.decided_on,
        reason=payload.reason,
    )
    return _probation_out(probation)


@router.get(
    "/admissions/orgs/{code}/deadlines",
    response={200: list[DeadlineOut], **READ_ERRORS},
    summary="Deadlines of a cell or a committee's subtree",
)
def list_deadlines(request, code: str):
    """Ceremonies due, probations ending, recognitions to decide, course certificates
    expiring: overdue ones and those within the pack's first reminder, soonest first."""
    org = org_or_404(request.auth, code, Perm.LIST_MEMBERS)
    return [_deadline(d) for d in queries.deadlines(org, timezone.localdate())]
