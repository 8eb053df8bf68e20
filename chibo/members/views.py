"""Pages of the member registry: list and search, detail, add, edit, change cell, reveal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can, visible_members, visible_orgs
from chibo.conflicts import StaleVersion
from chibo.members import actions, queries
from chibo.members.forms import (
    ChangeCellForm,
    EditMemberForm,
    MemberFilterForm,
    MemberForm,
    RevealForm,
)
from chibo.members.models import Member
from chibo.web.helpers import add_action_errors, get_or_404, paginate
from chibo.web.panels import member_panels


def _member(request, member_id: int, perm: Perm = Perm.VIEW_MEMBER) -> Member:
    try:
        return queries.get_visible(request.user, member_id, perm)
    except Member.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def member_list(request):
    if not can(request.user, Perm.LIST_MEMBERS):
        raise PermissionDenied
    form = MemberFilterForm(request.GET or None)
    org = None
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("org"):
        org = visible_orgs(request.user, Perm.LIST_MEMBERS).filter(code=filters["org"]).first()
        if org is None:
            form.add_error("org", _("No organisation with this code that you may see."))
    members = queries.find(
        request.user,
        text=filters.get("q", ""),
        org=org,
        status=filters.get("status", ""),
        gender=filters.get("gender", ""),
    )
    page = paginate(request, members)
    visible_ids = set()
    if page.object_list:
        # Links only where the user may open the record; one query for the whole page.
        visible_ids = set(
            visible_members(request.user, Perm.VIEW_MEMBER)
            .filter(pk__in=[m.pk for m in page.object_list])
            .values_list("pk", flat=True)
        )
    template = "members/_rows.html" if request.htmx else "members/list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "org": org,
            "openable": visible_ids,
            "may_add": org is not None and org.is_cell and can(request.user, Perm.EDIT_MEMBER, org),
        },
    )


@login_required
def detail(request, member_id):
    member = _member(request, member_id)
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "periods": member.periods.select_related("organisation"),
            "may_edit": can(request.user, Perm.EDIT_MEMBER, member.cell),
            "may_reveal": can(request.user, Perm.REVEAL_ID, member),
            "may_open_account": can(request.user, Perm.MANAGE_ACCOUNTS, member.cell)
            and not hasattr(member, "user"),
            "reveal_form": RevealForm(),
            "panels": member_panels(request, member),
        },
    )


@login_required
@require_POST
def reveal(request, member_id):
    member = _member(request, member_id)
    form = RevealForm(request.POST)
    value, error = "", ""
    if form.is_valid():
        try:
            value = actions.reveal_personal(
                request.user, member, form.cleaned_data["field"], form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Say why you need to see it.")
    return render(
        request,
        "members/_revealed.html",
        {
            "member": member,
            "value": value,
            "error": error,
            "field": request.POST.get("field", ""),
            "reveal_form": form,
        },
        status=200 if value or not error else 422,
    )


@login_required
def create(request):
    code = request.GET.get("cell") or request.POST.get("cell_code", "")
    cell = get_or_404(visible_orgs(request.user, Perm.EDIT_MEMBER), code=code)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.create_member(request.user, cell, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The member was added."))
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "cell": cell,
            "title": _("New member of %(name)s") % {"name": cell.name},
        },
    )


@login_required
def edit(request, member_id):
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    form = EditMemberForm(request.POST or None, instance=Member.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_member(
                request.user, member, version=request.POST.get("version"), **form.cleaned_data
            )
        except StaleVersion as exc:
            messages.error(request, exc.messages[0])
            member.refresh_from_db()
            form = EditMemberForm(instance=member)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The member was saved."))
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "member": member,
            "version": member.version,
            "title": _("Edit %(name)s") % {"name": member.full_name},
        },
    )


@login_required
def change_cell(request, member_id):
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    form = ChangeCellForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        cell = visible_orgs(request.user, Perm.EDIT_MEMBER).filter(code=cd["cell"].strip()).first()
        if cell is None:
            form.add_error("cell", _("No cell with this code that you may add members to."))
        else:
            try:
                actions.change_home_cell(
                    request.user, member, cell, cd["effective_on"], cd["reason"]
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The home cell was changed."))
                return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "member": member,
            "pick_org": True,
            "title": _("Change the home cell of %(name)s") % {"name": member.full_name},
        },
    )
