"""Reads of meetings, always scoped to what the user may see."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from chibo.accounts.policy import Perm, org_scope
from chibo.meetings.models import PRESENT_STATUSES, Meeting


def visible_meetings(user) -> QuerySet[Meeting]:
    """Meetings of the cells the user may follow, and those the user is invited to."""
    q = org_scope(user, Perm.VIEW_MEETINGS, prefix="organisation__")
    member_id = getattr(user, "member_id", None)
    if member_id is not None:
        q |= Q(attendance__member_id=member_id)
    return Meeting.objects.filter(q).distinct().select_related("organisation")


def cell_meetings(cell) -> QuerySet[Meeting]:
    """A cell's meetings with their attendance counts, for the plan page: one query."""
    return (
        cell.meetings.select_related("presenter")
        .annotate(
            present=Count(
                "attendance",
                filter=Q(attendance__status__in=PRESENT_STATUSES, attendance__temporary=False),
            ),
            invited=Count(
                "attendance",
                filter=~Q(attendance__status="exempted") & Q(attendance__temporary=False),
            ),
        )
        .order_by("scheduled_at", "id")
    )


def attendance_rows(meeting):
    return meeting.attendance.select_related("member").order_by("member__name_folded")


def thematic_by_quarter(meetings, year: int, today) -> list[dict]:
    """Group a year's meetings' thematic topics by quarter; a quarter that has begun with no
    thematic meeting is marked missing (Chỉ thị 50: at least one a quarter)."""
    quarters = []
    for q in range(4):
        first = datetime.date(year, 3 * q + 1, 1)
        held = [
            m
            for m in meetings
            if m.is_thematic
            and m.status != "cancelled"
            and (timezone.localtime(m.scheduled_at).month - 1) // 3 == q
        ]
        quarters.append({"number": q + 1, "meetings": held, "missing": not held and first <= today})
    return quarters
