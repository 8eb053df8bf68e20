from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from chibo.accounts.policy import Perm, can, visible_orgs
from chibo.audit.queries import visible_events
from chibo.web.helpers import get_or_404, paginate


@login_required
def event_list(request):
    if not can(request.user, Perm.VIEW_AUDIT):
        raise PermissionDenied
    org = None
    if request.GET.get("org"):
        org = get_or_404(visible_orgs(request.user, Perm.VIEW_AUDIT), code=request.GET["org"])
    page = paginate(request, visible_events(request.user, org))
    return render(request, "audit/list.html", {"page": page, "org": org})
