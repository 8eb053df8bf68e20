"""Pages for the roles held on an organisation and for opening members' accounts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import actions
from chibo.accounts.forms import GrantRoleForm, OpenAccountForm
from chibo.accounts.models import Role
from chibo.accounts.policy import Perm, visible_members, visible_orgs
from chibo.web.helpers import add_action_errors, get_or_404


@login_required
def org_roles(request, code):
    org = get_or_404(visible_orgs(request.user, Perm.MANAGE_ACCOUNTS), code=code)
    form = GrantRoleForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        user = (
            actions.users_within_reach(request.user)
            .filter(username=form.cleaned_data["username"].strip())
            .first()
        )
        if user is None:
            form.add_error("username", str(actions.NO_SUCH_USER))
        else:
            try:
                actions.grant_role(request.user, user, org, form.cleaned_data["kind"])
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The role was granted."))
                return redirect("accounts:org_roles", code=org.code)
    roles = org.roles.select_related("user", "user__member").order_by("kind", "user__username")
    return render(request, "accounts/org_roles.html", {"org": org, "roles": roles, "form": form})


@login_required
@require_POST
def revoke(request, role_id):
    role = get_or_404(
        Role.objects.filter(
            organisation__in=visible_orgs(request.user, Perm.MANAGE_ACCOUNTS)
        ).select_related("organisation"),
        pk=role_id,
    )
    actions.revoke_role(request.user, role)
    messages.success(request, _("The role was revoked."))
    return redirect("accounts:org_roles", code=role.organisation.code)


@login_required
def open_account(request, member_id):
    member = get_or_404(visible_members(request.user, Perm.MANAGE_ACCOUNTS), pk=member_id)
    form = OpenAccountForm(request.POST or None)
    password = None
    if request.method == "POST" and form.is_valid():
        try:
            _user, password = actions.open_account(
                request.user, member, form.cleaned_data["username"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
    return render(
        request,
        "accounts/open_account.html",
        {"member": member, "form": form, "password": password},
    )
