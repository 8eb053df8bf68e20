"""Pages of the organisation tree: browse, search, view, and the reorganisation forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chibo.accounts.policy import Perm, can, top_orgs, visible_orgs
from chibo.conflicts import StaleVersion
from chibo.members.models import CURRENT_STATUSES, Status
from chibo.orgs import actions, queries
from chibo.orgs.forms import (
    CloseForm,
    MergeForm,
    MoveForm,
    NewOrganisationForm,
    OrganisationForm,
    SplitForm,
)
from chibo.orgs.models import Organisation
from chibo.web.helpers import add_action_errors, get_or_404, paginate
from chibo.web.panels import org_links

CHILDREN_PAGE = 100


def _org(request, code, perm=Perm.VIEW_ORG) -> Organisation:
    return get_or_404(visible_orgs(request.user, perm), code=code)


@login_required
def tree(request):
    return render(request, "orgs/tree.html", {"tops": top_orgs(request.user)})


@login_required
@require_GET
def tree_children(request, code):
    org = _org(request, code)
    page = paginate(request, queries.children(org), CHILDREN_PAGE)
    return render(request, "orgs/_children.html", {"org": org, "page": page})


@login_required
@require_GET
def search(request):
    text = request.GET.get("q", "")
    results = queries.search(request.user, text)
    return render(request, "orgs/_search_results.html", {"results": results, "q": text})


@login_required
@require_GET
def options(request):
    """<option> rows for the code inputs of the reorganisation forms."""
    # The picker sends its own field name (new_parent, target, cell) with what was typed.
    text = next((v for k, v in request.GET.items() if k not in ("cells", "page") and v), "")
    cells_only = request.GET.get("cells") == "1"
    perm = Perm.EDIT_MEMBER if cells_only else Perm.REORGANISE
    results = queries.search(request.user, text, active_only=True, cells_only=cells_only, perm=perm)
    return render(request, "orgs/_options.html", {"results": results})


@login_required
def detail(request, code):
    org = _org(request, code)
    user = request.user
    ancestors = [a for a in Organisation.objects.get_ancestors(org) if can(user, Perm.VIEW_ORG, a)]
    page = paginate(request, queries.children(org), CHILDREN_PAGE)
    counts = queries.subtree_counts(org)
    status_rows = [
        (label, counts["members"].get(value, 0))
        for value, label in Status.choices
        if counts["members"].get(value)
    ]
    changes = list(org.changes.select_related("other")[:20])
    # Organisations outside the user's reach are named in the history but not linked.
    linkable = set(
        visible_orgs(user)
        .filter(pk__in=[c.other_id for c in changes if c.other_id] + [org.successor_id])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": ancestors,
            "page": page,
            "counts": counts,
            "status_rows": status_rows,
            "changes": changes,
            "linkable": linkable,
            "meeting_day": org.effective_meeting_day(),
            "may": {
                "edit": can(user, Perm.EDIT_ORG, org),
                "add_child": not org.is_cell and org.is_active and can(user, Perm.REORGANISE, org),
                "reorganise": org.is_active and actions.may_reorganise(user, org),
                "members": can(user, Perm.LIST_MEMBERS, org),
                "add_member": org.is_cell and org.is_active and can(user, Perm.EDIT_MEMBER, org),
                "audit": can(user, Perm.VIEW_AUDIT, org),
                "roles": can(user, Perm.MANAGE_ACCOUNTS, org),
                "meetings": org.is_cell and can(user, Perm.VIEW_MEETINGS, org),
            },
            "current_statuses": CURRENT_STATUSES,
            "app_links": org_links(request, org),
        },
    )


def _run(request, form, action, success_message):
    """Run an action with a valid form; return the result, or None with errors on the form."""
    if not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except StaleVersion:
        raise
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None
    messages.success(request, success_message)
    return result


@login_required
def edit(request, code):
    org = _org(request, code, Perm.EDIT_ORG)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=org.pk))
    if request.method == "POST":
        try:
            done = _run(
                request,
                form,
                lambda cd: actions.update_organisation(
                    request.user, org, version=request.POST.get("version"), **cd
                ),
                _("The organisation was saved."),
            )
        except StaleVersion as exc:
            messages.error(request, exc.messages[0])
            org.refresh_from_db()
            form, done = OrganisationForm(instance=org), None
        if done:
            return redirect("orgs:detail", code=org.code)
    return render(
        request,
        "orgs/form.html",
        {
            "org": org,
            "form": form,
            "title": _("Edit %(name)s") % {"name": org.name},
            "version": org.version,
        },
    )


@login_required
def add_child(request, code):
    parent = _org(request, code, Perm.REORGANISE)
    form = NewOrganisationForm(request.POST or None, parent=parent)
    if request.method == "POST":
        new = _run(
            request,
            form,
            lambda cd: actions.create_organisation(request.user, parent, **cd),
            _("The organisation was created."),
        )
        if new:
            return redirect("orgs:detail", code=new.code)
    return render(
        request,
        "orgs/form.html",
        {
            "org": parent,
            "form": form,
            "title": _("New organisation under %(name)s") % {"name": parent.name},
        },
    )


def _target(request, text: str) -> Organisation:
    code = text.strip()
    try:
        return visible_orgs(request.user, Perm.REORGANISE).get(code=code)
    except Organisation.DoesNotExist as exc:
        raise ValidationError(
            _("No organisation with the code %(code)s that you may reorganise.") % {"code": code}
        ) from exc


def _reorganisable(request, code) -> Organisation:
    org = _org(request, code)
    if not actions.may_reorganise(request.user, org):
        raise PermissionDenied
    return org


def _reorganise_page(request, code, form_class, run, success, title, *, choices=None, **extra):
    """One reorganisation form (move, merge, split, close): show it, run it, go to the result.

    run(org, cleaned_data) calls the action and returns the organisation to show next.
    """
    org = _reorganisable(request, code)
    kwargs = {"choices": choices(org)} if choices else {}
    form = form_class(
        request.POST or None, initial={"effective_on": timezone.localdate()}, **kwargs
    )
    if request.method == "POST":
        result = _run(request, form, lambda cd: run(org, cd), success)
        if result:
            return redirect("orgs:detail", code=result.code)
    context = {"org": org, "form": form, "title": title % {"name": org.name}, **extra}
    return render(request, "orgs/form.html", context)


@login_required
def move(request, code):
    return _reorganise_page(
        request,
        code,
        MoveForm,
        lambda org, cd: actions.move_organisation(
            request.user, org, _target(request, cd["new_parent"]), cd["effective_on"], cd["note"]
        ),
        _("The organisation was moved."),
        _("Move %(name)s"),
        pick_org=True,
    )


@login_required
def merge(request, code):
    return _reorganise_page(
        request,
        code,
        MergeForm,
        lambda org, cd: actions.merge_organisations(
            request.user, org, _target(request, cd["target"]), cd["effective_on"], cd["note"]
        ),
        _("The organisations were merged."),
        _("Merge %(name)s"),
        pick_org=True,
        warning=_(
            "Its members and sub-organisations move to the other organisation, "
            "and it is closed. Its past records stay with it."
        ),
    )


def _split_choices(org):
    """Members of a cell, or organisations under a committee, prefixed m or o."""
    if org.is_cell:
        members = org.members.filter(status__in=CURRENT_STATUSES).only("full_name")
        return [(f"m{m.pk}", m.full_name) for m in members]
    return [(f"o{c.pk}", c.name) for c in queries.children(org).filter(closed_on=None)]


@login_required
def split(request, code):
    return _reorganise_page(
        request,
        code,
        SplitForm,
        lambda org, cd: actions.split_organisation(
            request.user,
            org,
            code=cd["code"],
            name=cd["name"],
            member_ids=[int(p[1:]) for p in cd["parts"] if p.startswith("m")],
            child_ids=[int(p[1:]) for p in cd["parts"] if p.startswith("o")],
            effective_on=cd["effective_on"],
            note=cd["note"],
        ),
        _("The organisation was split."),
        _("Split %(name)s"),
        choices=_split_choices,
    )


@login_required
def close(request, code):
    return _reorganise_page(
        request,
        code,
        CloseForm,
        lambda org, cd: actions.close_organisation(
            request.user, org, cd["effective_on"], cd["note"]
        ),
        _("The organisation was closed."),
        _("Close %(name)s"),
    )
