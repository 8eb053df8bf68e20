"""The home page and the health check.

For a user who is a party member the home page is their own corner: the next meeting, their
open tasks, their cell, the panels the apps of a member's path add (fees, transfer status,
probation), and their requests to correct the record.
"""

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
from chibo.members.models import CorrectionRequest
from chibo.orgs.queries import subtree_counts
from chibo.oversight.models import ACTIVE_STATES, EarlyWarning, FollowAssignment
from chibo.reviews.models import Stage
from chibo.reviews.queries import open_reviews_of
from chibo.web.panels import member_panels


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
    my_tasks, panels, my_corrections = [], [], []
    review_due = None
    if user.member_id:
        # The year's self-review still to write (chibo.reviews).
        review_due = next(
            (
                {"round": review_round, "review": review}
                for review_round, review in open_reviews_of(user.member)
                if review is None or review.stage == Stage.DRAFT
            ),
            None,
        )
        my_tasks = (
            Task.objects.filter(assignees=user.member_id, status=Task.Status.OPEN)
            .select_related("meeting")
            .order_by("due_on")[:10]
        )
        panels = member_panels(request, user.member)
        # Requests still waiting, and answers of the last month the member may not have read.
        recent = timezone.now() - timedelta(days=30)
        my_corrections = CorrectionRequest.objects.filter(member_id=user.member_id).filter(
            Q(outcome=CorrectionRequest.Outcome.PENDING) | Q(decided_at__gte=recent)
        )[:5]
    # The warnings reach the people who act on them: each organisation the user oversees.
    watched = [
        (
            org,
            EarlyWarning.objects.filter(path__startswith=org.path, state__in=ACTIVE_STATES).count(),
        )
        for org in tops[:5]
        if can(user, Perm.VIEW_OVERSIGHT, org)
    ]
    # A committee member assigned to follow cells finds them from the home page.
    follows = (
        bool(user.member_id)
        and FollowAssignment.objects.filter(
            follower_id=user.member_id, ended_on__isnull=True
        ).exists()
    )
    return render(
        request,
        "home.html",
        {
            "watched": watched,
            "follows": follows,
            "next_meeting": next_meeting,
            "my_tasks": my_tasks,
            "review_due": review_due,
            "panels": panels,
            "my_corrections": my_corrections,
            "roles": roles,
            "tops": tops,
            "overview": overview,
            "own_member": user.member if user.member_id else None,
            "may_list_members": can(user, Perm.LIST_MEMBERS),
            "may_audit": can(user, Perm.VIEW_AUDIT),
        },
    )
