"""Pages of transfers and residence contact: an organisation's transfers, starting a transfer
from the member, a transfer's page with its steps, a member arriving from outside, the
residence page of a residential cell and a registration's page. Every write goes through
chibo.transfers.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can, require, visible_orgs
from chibo.members import queries as member_queries
from chibo.members.forms import MemberForm
from chibo.members.models import Member
from chibo.orgs.models import CELL_LEVELS, CellType, Organisation
from chibo.text import fold
from chibo.transfers import actions, forms, queries, rules
from chibo.transfers.models import ResidenceRegistration, Transfer, TransferStatus
from chibo.web.helpers import add_action_errors, get_or_404

OPTIONS_LIMIT = 20


def _transfer(request, pk) -> Transfer:
    return get_or_404(queries.visible_transfers(request.user), pk=pk)


def _registration(request, pk) -> ResidenceRegistration:
    return get_or_404(queries.visible_registrations(request.user), pk=pk)


def _member(request, member_id, perm=Perm.VIEW_MEMBER) -> Member:
    try:
        return member_queries.get_visible(request.user, member_id, perm)
    except Member.DoesNotExist as exc:
        raise Http404 from exc


def _cell(code: str) -> Organisation | None:
    """Find an organisation of the system by its code (any, also out of the user's reach:
    the action refuses what is not an active cell, naming the rule)."""
    code = (code or "").strip()
    if not code:
        return None
    return Organisation.objects.filter(code=code).first()


def _side_perms(user, transfer: Transfer) -> dict:
    sending = transfer.from_org is not None and can(user, Perm.EDIT_MEMBER, transfer.from_org)
    receiving = transfer.to_org is not None and can(user, Perm.EDIT_MEMBER, transfer.to_org)
    return {"sending": sending, "receiving": receiving}


# Transfers.


@login_required
def org_transfers(request, code):
    """An organisation's transfers: on the way out and in, overdue, away and visiting."""
    org = get_or_404(visible_orgs(request.user, Perm.VIEW_MEMBER), code=code)
    today = timezone.localdate()
    return render(
        request,
        "transfers/org_list.html",
        {
            "org": org,
            "today": today,
            "lists": queries.cell_lists(org, today),
            "may_receive": org.is_cell
            and org.is_active
            and can(request.user, Perm.EDIT_MEMBER, org),
        },
    )


@login_required
def cell_options(request):
    """<option> rows of active cells of the whole system, for the code inputs."""
    require(request.user, Perm.EDIT_MEMBER)
    text = next((v for k, v in request.GET.items() if k != "residential" and v), "")[:100]
    folded = fold(text)
    results = Organisation.objects.none()
    if folded:
        results = Organisation.objects.filter(
            Q(name_folded__contains=folded) | Q(code__iexact=text.strip()),
            level__in=CELL_LEVELS,
            closed_on__isnull=True,
        )
        if request.GET.get("residential") == "1":
            results = results.filter(cell_type=CellType.RESIDENTIAL)
        results = results.order_by("name_folded")[:OPTIONS_LIMIT]
    return render(request, "transfers/_options.html", {"results": results})


@login_required
def start(request, member_id):
    """The sending cell issues the introduction letter for one of its members."""
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    form = forms.TransferForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_org = _cell(data["to_code"])
        if data["to_code"].strip() and to_org is None:
            form.add_error("to_code", _("There is no organisation with this code."))
        else:
            try:
                transfer = actions.issue_transfer(
                    request.user,
                    member,
                    kind=data["kind"],
                    reason=data["reason"],
                    event_on=data["event_on"],
                    letter_number=data["letter_number"],
                    letter_date=data["letter_date"],
                    to_org=to_org,
                    outside_name=data["outside_name"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                    letter_file=data["letter_file"],
                )
            except ValidationError as exc:
                add_action_errors(form, _renamed(exc, {"to_org": "to_code"}))
            else:
                messages.success(request, _("The transfer is recorded."))
                return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request,
        "transfers/start.html",
        {"member": member, "form": form, "open": queries.open_transfer(member)},
    )


def _renamed(exc: ValidationError, names: dict) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


@login_required
def detail(request, pk):
    transfer = _transfer(request, pk)
    today = timezone.localdate()
    sides = _side_perms(request.user, transfer)
    in_transit = transfer.status == TransferStatus.IN_TRANSIT
    active = transfer.status == TransferStatus.ACTIVE
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "today": today,
            "expired": transfer.letter_expired(today),
            "late": transfer.is_late(today),
            "sides": sides,
            "may_see_member": can(request.user, Perm.VIEW_MEMBER, transfer.member),
            "accept_form": forms.AcceptForm(initial={"accepted_on": today})
            if in_transit and sides["receiving"]
            else None,
            "reissue_form": forms.ReissueForm(initial={"letter_date": today})
            if in_transit and sides["sending"]
            else None,
            "cancel_form": forms.CancelForm()
            if in_transit and (sides["sending"] or sides["receiving"])
            else None,
            "end_form": forms.EndForm(initial={"ended_on": min(today, transfer.ends_on)})
            if active and transfer.ends_on and (sides["sending"] or sides["receiving"])
            else None,
            "file_form": forms.LetterFileForm() if sides["sending"] or sides["receiving"] else None,
        },
    )


def _step(request, pk, form_class, run, success):
    """One step on a transfer's page: validate, call the action, come back to the page."""
    transfer = _transfer(request, pk)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("transfers:detail", pk=transfer.pk)
    try:
        run(transfer, form.cleaned_data if form is not None else {})
    except ValidationError as exc:  # StaleVersion too: the newer version is shown
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("transfers:detail", pk=transfer.pk)


def _version(request):
    return request.POST.get("version") or None


@login_required
@require_POST
def accept(request, pk):
    return _step(
        request,
        pk,
        forms.AcceptForm,
        lambda t, d: actions.accept_transfer(
            request.user, t, d["accepted_on"], version=_version(request)
        ),
        _("The transfer is accepted."),
    )


@login_required
@require_POST
def reissue(request, pk):
    return _step(
        request,
        pk,
        forms.ReissueForm,
        lambda t, d: actions.reissue_letter(
            request.user, t, d["letter_number"], d["letter_date"], version=_version(request)
        ),
        _("The new letter is recorded."),
    )


@login_required
@require_POST
def cancel(request, pk):
    return _step(
        request,
        pk,
        forms.CancelForm,
        lambda t, d: actions.cancel_transfer(
            request.user, t, d["reason"], version=_version(request)
        ),
        _("The transfer is cancelled."),
    )


@login_required
@require_POST
def end(request, pk):
    return _step(
        request,
        pk,
        forms.EndForm,
        lambda t, d: actions.end_temporary(
            request.user, t, d["ended_on"], version=_version(request)
        ),
        _("The temporary transfer has ended; the member takes part at home again."),
    )


@login_required
@require_POST
def attach(request, pk):
    return _step(
        request,
        pk,
        forms.LetterFileForm,
        lambda t, d: actions.attach_letter(request.user, t, d["letter_file"]),
        _("The letter is attached."),
    )


@login_required
def letter(request, pk):
    transfer = _transfer(request, pk)
    if not transfer.letter_file:
        raise Http404
    name = f"giay-gioi-thieu-{transfer.pk}.{transfer.letter_file.name.rsplit('.', 1)[-1]}"
    return FileResponse(transfer.letter_file.open("rb"), as_attachment=True, filename=name)


@login_required
def incoming(request, code):
    """A member arrives from an organisation outside the system with a letter."""
    cell = get_or_404(visible_orgs(request.user, Perm.EDIT_MEMBER), code=code)
    if not cell.is_cell:
        raise Http404
    today = timezone.localdate()
    letter = forms.IncomingForm(
        request.POST or None, request.FILES or None, initial={"accepted_on": today}
    )
    person = MemberForm(request.POST or None, prefix="member")
    if request.method == "POST" and letter.is_valid() and person.is_valid():
        data = letter.cleaned_data
        try:
            transfer = actions.record_incoming(
                request.user,
                cell,
                outside_name=data["outside_name"],
                letter_number=data["letter_number"],
                letter_date=data["letter_date"],
                event_on=data["event_on"],
                reason=data["reason"],
                accepted_on=data["accepted_on"],
                member=person.cleaned_data,
                letter_file=data["letter_file"],
            )
        except ValidationError as exc:
            add_action_errors(letter, exc)
            if hasattr(exc, "error_dict"):
                add_action_errors(
                    person,
                    ValidationError(
                        {k: v for k, v in exc.error_dict.items() if k in person.fields}
                    ),
                )
        else:
            messages.success(request, _("The member is added to the cell with the letter."))
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request, "transfers/incoming.html", {"cell": cell, "letter": letter, "person": person}
    )


# Residence contact.


@login_required
def residence(request, code):
    """The residential cell's registered members: contacts, comments, and what is missing."""
    cell = get_or_404(visible_orgs(request.user, Perm.VIEW_MEMBER), code=code)
    if not cell.is_cell or cell.cell_type != CellType.RESIDENTIAL:
        raise Http404
    today = timezone.localdate()
    try:
        year = min(max(int(request.GET.get("year", today.year)), 2000), today.year)
    except ValueError:
        year = today.year
    pack = rules.membership_pack(cell, today)
    every = rules.rules_of(pack).residence.meeting_every_months
    rows = []
    for r in queries.registrations_in_year(cell, year):
        last = r.last_contact
        due = rules.next_contact_due(pack, last or r.registered_on)
        rows.append(
            {
                "registration": r,
                "comment": r.year_comments[0] if r.year_comments else None,
                "contact_due": r.is_open and due <= today,
                "due": due,
            }
        )
    return render(
        request,
        "transfers/residence.html",
        {
            "cell": cell,
            "year": year,
            "years": list(range(today.year, today.year - 4, -1)),
            "rows": rows,
            "missing": [x for x in rows if not x["registration"].exempt_group and not x["comment"]],
            "every": every,
            "groups": {g.key: g.label for g in rules.rules_of(pack).residence.exempt_groups},
        },
    )


@login_required
def register_residence(request, member_id):
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    today = timezone.localdate()
    groups = rules.rules_of(rules.membership_pack(member.cell, today)).residence.exempt_groups
    form = forms.RegisterResidenceForm(
        request.POST or None,
        groups=groups,
        initial={"address": member.residence, "registered_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cell = _cell(data["cell_code"])
        if cell is None:
            form.add_error("cell_code", _("There is no organisation with this code."))
        else:
            try:
                registration = actions.register_residence(
                    request.user,
                    member,
                    cell,
                    address=data["address"],
                    registered_on=data["registered_on"],
                    exempt_group=data["exempt_group"],
                )
            except ValidationError as exc:
                add_action_errors(form, _renamed(exc, {"cell": "cell_code"}))
            else:
                messages.success(request, _("The residence is registered."))
                return redirect("transfers:registration", pk=registration.pk)
    return render(
        request,
        "transfers/register.html",
        {"member": member, "form": form, "current": queries.open_registration(member)},
    )


@login_required
def registration(request, pk):
    reg = _registration(request, pk)
    today = timezone.localdate()
    may_record = can(request.user, Perm.EDIT_MEMBER, reg.cell)
    may_end = reg.is_open and (may_record or can(request.user, Perm.EDIT_MEMBER, reg.member.cell))
    pack = rules.membership_pack(reg.cell, today)
    groups = {g.key: g.label for g in rules.rules_of(pack).residence.exempt_groups}
    return render(
        request,
        "transfers/registration.html",
        {
            "reg": reg,
            "exempt_label": groups.get(reg.exempt_group, reg.exempt_group),
            "contacts": reg.contacts.all(),
            "comments": reg.comments.all() if queries.may_read_comments(request.user, reg) else (),
            "may_record": may_record,
            "may_see_member": can(request.user, Perm.VIEW_MEMBER, reg.member),
            "contact_form": forms.ContactForm(initial={"on": today}) if may_record else None,
            "comment_form": forms.CommentForm(initial={"year": today.year}) if may_record else None,
            "end_form": forms.EndResidenceForm(initial={"ended_on": today}) if may_end else None,
        },
    )


def _registration_step(request, pk, form_class, run, success):
    reg = _registration(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("transfers:registration", pk=reg.pk)
    try:
        run(reg, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("transfers:registration", pk=reg.pk)


@login_required
@require_POST
def add_contact(request, pk):
    return _registration_step(
        request,
        pk,
        forms.ContactForm,
        lambda r, d: actions.record_contact(request.user, r, d["on"], d["note"]),
        _("The contact is recorded."),
    )


@login_required
@require_POST
def write_comment(request, pk):
    return _registration_step(
        request,
        pk,
        forms.CommentForm,
        lambda r, d: actions.write_comment(
            request.user,
            r,
            year=d["year"],
            text=d["text"],
            front_opinion=d["front_opinion"],
            version=_version(request),
        ),
        _("The comment is saved."),
    )


@login_required
@require_POST
def end_registration(request, pk):
    return _registration_step(
        request,
        pk,
        forms.EndResidenceForm,
        lambda r, d: actions.end_residence(request.user, r, d["ended_on"], d["reason"]),
        _("The registration has ended."),
    )
