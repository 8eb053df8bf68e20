"""API of transfers and residence contact.

The same policy as the pages: a transfer is read by those who may see members' records on
either side and by the member; a registration on the residential and the workplace side.
Every write goes through chibo.transfers.actions, which checks the right on the side that
acts (the sending cell issues and re-issues the letter, the receiving cell accepts, either
may cancel or end a temporary stay; the residential cell records contacts and comments).
Something out of reach answers 404.
"""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from chibo.accounts.policy import Perm, require
from chibo.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    OrgRef,
    Pager,
    blank_for_null,
    member_or_404,
    org_or_404,
)
from chibo.members.api import BLANK_TEXT, MemberFields
from chibo.members.models import Gender
from chibo.orgs.models import CellType, Organisation
from chibo.transfers import actions, queries, rules
from chibo.transfers.models import (
    Kind,
    Reason,
    ResidenceRegistration,
    Transfer,
    TransferStatus,
)

router = Router(tags=["transfers"])

MAX_TEXT = 10_000


class MemberRef(Schema):
    id: int
    full_name: str


class TransferOut(Schema):
    id: int
    member: MemberRef
    kind: Kind
    reason: Reason
    event_on: datetime.date
    from_org: OrgRef | None = Field(description="Null: from outside the system.")
    to_org: OrgRef | None = Field(description="Null: to outside the system.")
    outside_name: str = Field(description="The organisation outside the system, if any.")
    letter_number: str
    letter_date: datetime.date
    has_letter_file: bool
    present_by: datetime.date | None = Field(description="The letter is presented by this day.")
    due_on: datetime.date | None = Field(
        description="An official transfer is due by this day (working days after the event)."
    )
    ends_on: datetime.date | None = Field(description="A temporary transfer's planned end.")
    status: TransferStatus
    accepted_on: datetime.date | None
    returned_on: datetime.date | None
    cancelled_reason: str
    note: str
    expired: bool = Field(description="In transit with the letter past its deadline.")
    late: bool = Field(description="An official transfer past its due day.")
    pack_id: str
    version: int

    @staticmethod
    def resolve_has_letter_file(obj):
        return bool(obj.letter_file)

    @staticmethod
    def resolve_expired(obj):
        return obj.letter_expired(timezone.localdate())

    @staticmethod
    def resolve_late(obj):
        return obj.is_late(timezone.localdate())


class TransferIn(Body):
    kind: Kind
    reason: Reason
    event_on: datetime.date
    letter_number: str = Field(max_length=60)
    letter_date: datetime.date
    to_org: str | None = Field(None, description="Code of the receiving cell in the system.")
    outside_name: str | None = Field(
        None, max_length=255, description="Or the organisation outside the system."
    )
    ends_on: datetime.date | None = Field(None, description="Required for a temporary transfer.")
    note: str | None = Field(None, max_length=500)


class NewcomerIn(MemberFields):
    full_name: str
    gender: Gender
    date_of_birth: datetime.date
    admitted_on: datetime.date


class IncomingIn(Body):
    outside_name: str = Field(max_length=255, description="The organisation the member leaves.")
    reason: Reason
    event_on: datetime.date
    letter_number: str = Field(max_length=60)
    letter_date: datetime.date
    accepted_on: datetime.date | None = Field(None, description="Default: today.")
    note: str | None = Field(None, max_length=500)
    member: NewcomerIn


class AcceptIn(Body):
    accepted_on: datetime.date | None = Field(None, description="Default: today.")
    version: int | None = None


class LetterIn(Body):
    letter_number: str = Field(max_length=60)
    letter_date: datetime.date
    version: int | None = None


class CancelIn(Body):
    reason: str = Field(max_length=500)
    version: int | None = None


class EndIn(Body):
    ended_on: datetime.date | None = Field(None, description="Default: today (or the end day).")
    version: int | None = None


class TransferFilters(Schema):
    state: (
        Literal["in_transit", "active", "completed", "returned", "cancelled", "overdue"] | None
    ) = None


# Residence.


class ContactOut(Schema):
    id: int
    on: datetime.date
    note: str


class CommentOut(Schema):
    year: int
    text: str
    front_opinion: str
    written_on: datetime.date
    version: int


class RegistrationOut(Schema):
    id: int
    member: MemberRef
    workplace_cell: OrgRef
    cell: OrgRef = Field(description="The residential cell.")
    address: str
    registered_on: datetime.date
    exempt_group: str = Field(description="A key of the pack's exempt groups, or empty.")
    ended_on: datetime.date | None
    end_reason: str
    version: int

    @staticmethod
    def resolve_workplace_cell(obj):
        return obj.member.cell


class RegistrationDetail(RegistrationOut):
    contacts: list[ContactOut]
    comments: list[CommentOut]

    @staticmethod
    def resolve_contacts(obj):
        return obj.contacts.all()

    @staticmethod
    def resolve_comments(obj, context):
        user = context["request"].auth
        return obj.comments.all() if queries.may_read_comments(user, obj) else []


class ResidenceRow(RegistrationOut):
    last_contact: datetime.date | None
    contact_due: bool = Field(description="No contact within the pack's months.")
    comment: CommentOut | None = Field(description="The comment for the year asked, if any.")


class ResidenceIn(Body):
    cell: str = Field(description="Code of the residential cell where the member lives.")
    address: str = Field(max_length=255)
    registered_on: datetime.date
    exempt_group: str = Field("", max_length=40)


class ContactIn(Body):
    on: datetime.date
    note: str = Field(max_length=500)


class CommentIn(Body):
    text: str = Field(max_length=MAX_TEXT)
    front_opinion: str = Field("", max_length=MAX_TEXT)
    version: int | None = None


class EndResidenceIn(Body):
    ended_on: datetime.date
    reason: str = Field(max_length=255)


def _transfer_or_404(user, transfer_id: int) -> Transfer:
    try:
        return queries.visible_transfers(user).get(pk=transfer_id)
    except Transfer.DoesNotExist as exc:
        raise Http404 from exc


def _registration_or_404(user, registration_id: int) -> ResidenceRegistration:
    try:
        return queries.visible_registrations(user).get(pk=registration_id)
    except ResidenceRegistration.DoesNotExist as exc:
        raise Http404 from exc


def _system_org(code: str | None, field: str) -> Organisation | None:
    """Any organisation of the system by code: a transfer may go out of the user's reach."""
    if code is None or not code.strip():
        return None
    org = Organisation.objects.filter(code=code.strip()).first()
    if org is None:
        raise ValidationError({field: _("There is no organisation with this code.")})
    return org


def _fresh(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_related("member", "from_org", "to_org").get(pk=transfer.pk)


# Transfers.


@router.post(
    "/members/{member_id}/transfers",
    response={201: TransferOut, **WRITE_ERRORS},
    summary="Issue a transfer letter",
)
def issue_transfer(request, member_id: int, payload: TransferIn):
    """The sending cell issues the introduction letter. With to_org the member is in transit
    until the receiving cell accepts; with outside_name the transfer out of the system is
    recorded (official: the member is transferred out; temporary: away from today)."""
    user = request.auth
    member = member_or_404(user, member_id)
    require(user, Perm.EDIT_MEMBER, member.cell)
    transfer = actions.issue_transfer(
        user,
        member,
        kind=payload.kind,
        reason=payload.reason,
        event_on=payload.event_on,
        letter_number=payload.letter_number,
        letter_date=payload.letter_date,
        to_org=_system_org(payload.to_org, "to_org"),
        outside_name=payload.outside_name or "",
        ends_on=payload.ends_on,
        note=payload.note or "",
    )
    return Status(201, _fresh(transfer))


@router.post(
    "/orgs/{code}/transfers/incoming",
    response={201: TransferOut, **WRITE_ERRORS},
    summary="A member arrives from outside the system",
)
def record_incoming(request, code: str, payload: IncomingIn):
    """The member is added to the cell from the day of acceptance, with the letter."""
    user = request.auth
    cell = org_or_404(user, code)
    require(user, Perm.EDIT_MEMBER, cell)
    fields = blank_for_null(payload.member.model_dump(exclude_unset=True), *BLANK_TEXT)
    fields.setdefault("status", "official" if fields.get("official_on") else "probationary")
    transfer = actions.record_incoming(
        user,
        cell,
        outside_name=payload.outside_name,
        letter_number=payload.letter_number,
        letter_date=payload.letter_date,
        event_on=payload.event_on,
        reason=payload.reason,
        accepted_on=payload.accepted_on,
        note=payload.note or "",
        member=fields,
    )
    return Status(201, _fresh(transfer))


@router.get(
    "/transfers/{transfer_id}", response={200: TransferOut, **READ_ERRORS}, summary="A transfer"
)
def get_transfer(request, transfer_id: int):
    return _transfer_or_404(request.auth, transfer_id)


@router.get(
    "/orgs/{code}/transfers",
    response={200: list[TransferOut], **READ_ERRORS},
    summary="An organisation's transfers",
)
@paginate(Pager)
def list_transfers(request, code: str, filters: Query[TransferFilters]):
    """Transfers out of and into the organisation's subtree, newest letter first; state
    "overdue" lists those in transit whose letter expired or that are past their due day."""
    org = org_or_404(request.auth, code, Perm.VIEW_MEMBER)
    qs = queries.transfers_of(org).order_by("-letter_date", "-id")
    if filters.state == "overdue":
        today = timezone.localdate()
        return [
            t
            for t in qs.filter(status=TransferStatus.IN_TRANSIT)
            if t.letter_expired(today) or t.is_late(today)
        ]
    if filters.state:
        qs = qs.filter(status=filters.state)
    return qs


@router.get(
    "/members/{member_id}/transfers",
    response={200: list[TransferOut], **READ_ERRORS},
    summary="A member's transfers",
)
def member_transfers(request, member_id: int):
    member = member_or_404(request.auth, member_id, Perm.VIEW_MEMBER)
    return member.transfers.select_related("member", "from_org", "to_org").order_by(
        "-letter_date", "-id"
    )


@router.get(
    "/transfers/{transfer_id}/letter-file",
    response={200: None, **READ_ERRORS},
    summary="Download the scanned letter",
)
def download_letter(request, transfer_id: int):
    transfer = _transfer_or_404(request.auth, transfer_id)
    if not transfer.letter_file:
        raise Http404
    name = f"giay-gioi-thieu-{transfer.pk}.{transfer.letter_file.name.rsplit('.', 1)[-1]}"
    return FileResponse(transfer.letter_file.open("rb"), as_attachment=True, filename=name)


@router.post(
    "/transfers/{transfer_id}/letter-file",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Attach the scanned letter",
    openapi_extra={
        "requestBody": {"content": {"multipart/form-data": {"schema": {"required": ["file"]}}}}
    },
)
def attach_letter(request, transfer_id: int, file: File[UploadedFile] = None):
    """multipart/form-data with the file (PDF, DOCX, JPEG or PNG, at most 20 MB)."""
    transfer = _transfer_or_404(request.auth, transfer_id)
    return _fresh(actions.attach_letter(request.auth, transfer, file))


@router.post(
    "/transfers/{transfer_id}/accept",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Accept a transfer",
)
def accept_transfer(request, transfer_id: int, payload: AcceptIn):
    """The receiving cell accepts the letter presented in time; a late one is refused (422)
    and must be issued again."""
    transfer = _transfer_or_404(request.auth, transfer_id)
    transfer = actions.accept_transfer(
        request.auth, transfer, payload.accepted_on, version=payload.version
    )
    return _fresh(transfer)


@router.post(
    "/transfers/{transfer_id}/letter",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Issue the letter again",
)
def reissue_letter(request, transfer_id: int, payload: LetterIn):
    transfer = _transfer_or_404(request.auth, transfer_id)
    transfer = actions.reissue_letter(
        request.auth, transfer, payload.letter_number, payload.letter_date, version=payload.version
    )
    return _fresh(transfer)


@router.post(
    "/transfers/{transfer_id}/cancel",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Cancel a transfer in transit",
)
def cancel_transfer(request, transfer_id: int, payload: CancelIn):
    transfer = _transfer_or_404(request.auth, transfer_id)
    transfer = actions.cancel_transfer(
        request.auth, transfer, payload.reason, version=payload.version
    )
    return _fresh(transfer)


@router.post(
    "/transfers/{transfer_id}/end",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="End a temporary transfer",
)
def end_temporary(request, transfer_id: int, payload: EndIn):
    transfer = _transfer_or_404(request.auth, transfer_id)
    transfer = actions.end_temporary(
        request.auth, transfer, payload.ended_on, version=payload.version
    )
    return _fresh(transfer)


# Residence contact.


@router.post(
    "/members/{member_id}/residence",
    response={201: RegistrationDetail, **WRITE_ERRORS},
    summary="Register with the residential cell",
)
def register_residence(request, member_id: int, payload: ResidenceIn):
    """An open registration with another cell ends the same day (the member moved)."""
    user = request.auth
    member = member_or_404(user, member_id)
    require(user, Perm.EDIT_MEMBER, member.cell)
    cell = _system_org(payload.cell, "cell")
    registration = actions.register_residence(
        user,
        member,
        cell,
        address=payload.address,
        registered_on=payload.registered_on,
        exempt_group=payload.exempt_group,
    )
    return Status(201, registration)


@router.get(
    "/members/{member_id}/residence",
    response={200: list[RegistrationDetail], **READ_ERRORS},
    summary="A member's residence registrations and comments",
)
def member_residence(request, member_id: int):
    """What the workplace cell reads at review time: every registration with its contacts
    and yearly comments."""
    member = member_or_404(request.auth, member_id, Perm.VIEW_MEMBER)
    return member.residences.select_related("member__cell", "cell")


@router.get(
    "/orgs/{code}/residence",
    response={200: list[ResidenceRow], **READ_ERRORS},
    summary="Members registered with a residential cell",
)
def cell_residence(request, code: str, year: int | None = None, missing: bool = False):
    """The members registered at some time in the year (default this year), with their last
    contact and the year's comment; missing=true keeps those not exempt with no comment."""
    cell = org_or_404(request.auth, code, Perm.VIEW_MEMBER)
    if not cell.is_cell or cell.cell_type != CellType.RESIDENTIAL:
        raise Http404
    today = timezone.localdate()
    year = year or today.year
    pack = rules.membership_pack(cell, today)
    rows = []
    for r in queries.registrations_in_year(cell, year):
        comment = r.year_comments[0] if r.year_comments else None
        if missing and (comment is not None or r.exempt_group):
            continue
        due = rules.next_contact_due(pack, r.last_contact or r.registered_on)
        r.contact_due = r.is_open and due <= today
        r.comment = comment
        rows.append(r)
    return rows


@router.get(
    "/residence/{registration_id}",
    response={200: RegistrationDetail, **READ_ERRORS},
    summary="A residence registration",
)
def get_registration(request, registration_id: int):
    return _registration_or_404(request.auth, registration_id)


@router.post(
    "/residence/{registration_id}/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary="Record a contact",
)
def record_contact(request, registration_id: int, payload: ContactIn):
    registration = _registration_or_404(request.auth, registration_id)
    contact = actions.record_contact(request.auth, registration, payload.on, payload.note)
    return Status(201, contact)


@router.put(
    "/residence/{registration_id}/comments/{year}",
    response={200: CommentOut, **WRITE_ERRORS},
    summary="Write the yearly comment",
)
def write_comment(request, registration_id: int, year: int, payload: CommentIn):
    """Writes or corrects the year's comment; a stale version answers 409."""
    registration = _registration_or_404(request.auth, registration_id)
    return actions.write_comment(
        request.auth,
        registration,
        year=year,
        text=payload.text,
        front_opinion=payload.front_opinion,
        version=payload.version,
    )


@router.post(
    "/residence/{registration_id}/end",
    response={200: RegistrationDetail, **WRITE_ERRORS},
    summary="End a registration",
)
def end_residence(request, registration_id: int, payload: EndResidenceIn):
    registration = _registration_or_404(request.auth, registration_id)
    return actions.end_residence(request.auth, registration, payload.ended_on, payload.reason)
