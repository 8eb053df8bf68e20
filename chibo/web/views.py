"""The home page and the health check."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from chibo.accounts.policy import Perm, can, top_orgs
from chibo.meetings.models import Task
from chibo.meetings.queries import visible_meetings
from chibo.orgs.queries import subtree_counts


@never_cache
def healthz(request):
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        ok = True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        ok = False
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": "reachable" if ok else "unreachable"},
        status=200 if ok else 503,
    )


@login_required
def home(request):
    user = request.user
    roles = list(user.roles.select_related("organisation").order_by("organisation__path"))
    tops = top_orgs(user)
    overview = [(org, subtree_counts(org)) for org in tops[:5] if not org.is_cell]
    next_meeting = None
    if user.member_id:
        next_meeting = (
            visible_meetings(user)
            .filter(organisation_id=user.member.cell_id)
            .filter(
                Q(status="in_progress")
                | Q(status="planned", scheduled_at__gte=timezone.now() - timedelta(hours=12))
            )
            .order_by("scheduled_at")
            .first()
        )
    my_tasks = []
    if user.member_id:
        my_tasks = (
            Task.objects.filter(assignees=user.member_id, status=Task.Status.OPEN)
            .select_related("meeting")
            .order_by("due_on")[:10]
        )
    return render(
        request,
        "home.html",
        {
            "next_meeting": next_meeting,
            "my_tasks": my_tasks,
            "roles": roles,
            "tops": tops,
            "overview": overview,
            "own_member": user.member if user.member_id else None,
            "may_list_members": can(user, Perm.LIST_MEMBERS),
            "may_audit": can(user, Perm.VIEW_AUDIT),
        },
    )
