"""The year's records a review rests on (seed 001: the monthly scores must be its basis).

member_record: a member's meetings, tasks, party fees, discipline and inspections in the
year, shown beside the self-review and frozen when the decision is confirmed.
organisation_report: the figures of form 01, drafted from the organisation's roll-up
(meetings held and on the set day, thematic meetings per quarter, attendance, quality levels,
minutes, tasks), its monthly quality scores, the year's warnings and the discipline below
it; frozen when the report is submitted.

Both return plain JSON-ready dicts, so that what was frozen reads the same as what is live.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from chibo.meetings.models import (
    REGULAR_KINDS,
    THEMATIC_KINDS,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    QualityScore,
    Task,
)
from chibo.members.models import Member
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.inspection import discipline_in_year, disciplined_ids
from chibo.oversight.models import EarlyWarning, Inspection
from chibo.oversight.queries import Period, subtree_figures
from chibo.reviews.rules import Tasks

HELD = (MeetingStatus.CLOSED, MeetingStatus.SIGNED)
# The kinds of the cell's own meetings a member is expected at (not the cell committee's).
MEMBER_MEETING_KINDS = (*REGULAR_KINDS, *THEMATIC_KINDS, "extraordinary")
TASK_ITEMS = 30  # the tasks listed by name; the counts cover them all


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def member_record(member: Member, year: int, today: datetime.date | None = None) -> dict:
    """What the member did in the year, from the records."""
    today = today or timezone.localdate()
    attendance = Counter(
        Attendance.objects.filter(
            member=member,
            temporary=False,
            meeting__status__in=HELD,
            meeting__kind__in=MEMBER_MEETING_KINDS,
            meeting__scheduled_at__year=year,
        ).values_list("status", flat=True)
    )
    invited = sum(attendance.values())
    present = attendance[AttendanceStatus.PRESENT] + attendance[AttendanceStatus.LATE]
    tasks = list(
        Task.objects.filter(assignees=member, due_on__year=year)
        .order_by("due_on", "id")
        .values("title", "due_on", "status")
    )
    by_status = Counter(t["status"] for t in tasks)
    reviewed = (
        by_status[Task.Status.DONE] + by_status[Task.Status.LATE] + by_status[Task.Status.NOT_DONE]
    )
    done = by_status[Task.Status.DONE] + by_status[Task.Status.LATE]
    return {
        "year": year,
        "meetings": {
            "invited": invited,
            "present": present,
            "late": attendance[AttendanceStatus.LATE],
            "excused": attendance[AttendanceStatus.ABSENT_EXCUSED],
            "unexcused": attendance[AttendanceStatus.ABSENT_UNEXCUSED],
            "exempted": attendance[AttendanceStatus.EXEMPTED],
            "present_percent": _percent(present, invited),
        },
        "tasks": {
            "assigned": len(tasks),
            "done": by_status[Task.Status.DONE],
            "late": by_status[Task.Status.LATE],
            "not_done": by_status[Task.Status.NOT_DONE],
            "open": by_status[Task.Status.OPEN],
            "done_percent": _percent(done, reviewed),
            "on_time_percent": _percent(by_status[Task.Status.DONE], reviewed),
            "items": [
                {"title": t["title"], "due_on": t["due_on"].isoformat(), "status": t["status"]}
                for t in tasks[:TASK_ITEMS]
            ],
        },
        "fees": _fees(member, year, today),
        "discipline": [
            {
                "form": d.form,
                "form_label": str(d.get_form_display()),
                "number": d.number,
                "decided_on": d.decided_on.isoformat(),
            }
            for d in discipline_in_year(member, year).order_by("decided_on", "id")
        ],
        "inspections": [
            {
                "kind": i.kind,
                "kind_label": str(i.get_kind_display()),
                "topic": i.topic,
                "concluded_on": i.concluded_on.isoformat() if i.concluded_on else None,
                "result": i.result,
                "result_label": str(i.get_result_display()) if i.result else "",
            }
            for i in Inspection.objects.filter(subject_member=member)
            .filter(Q(concluded_on__year=year) | Q(notice_on__year=year))
            .order_by("notice_on", "id")
        ],
    }


def _fees(member: Member, year: int, today: datetime.date) -> dict:
    from chibo.fees.queries import MemberFees

    months = MemberFees(member, today).year(year)
    states = Counter(m.state for m in months)
    return {
        "paid": states["paid"],
        "exempt": states["exempt"],
        "unpaid": states["arrears"],
        "owed": states["owed"],
        "amount_paid": sum(m.payment.amount for m in months if m.payment is not None),
    }


def suggested_tasks(record: dict) -> Tasks:
    """The task figures the meeting records suggest; all done when none was given."""
    tasks = record["tasks"]
    done = tasks["done_percent"]
    on_time = tasks["on_time_percent"]
    return Tasks(
        done=100 if done is None else done,
        on_time=100 if on_time is None else on_time,
        exceeded=0,
    )


# An organisation's report (form 01).


def organisation_report(org: Organisation, year: int, today: datetime.date | None = None) -> dict:
    """The figures of the organisation's year, from the roll-up and the records."""
    today = today or timezone.localdate()
    figures = subtree_figures(org, Period("year", year, 0), today)
    shares = {name: list(pair) for name, pair in figures.shares().items()}
    disciplined = disciplined_ids(year, org)
    below_members = len(disciplined.members)
    below_orgs = len(disciplined.organisations - {org.pk})
    warnings = dict(
        EarlyWarning.objects.filter(path__startswith=org.path, raised_on__year=year)
        .values_list("rule")
        .annotate(n=Count("id"))
        .order_by("rule")
    )
    report = {
        "year": year,
        "is_cell": org.level in CELL_LEVELS,
        "cells": figures.cell_months // 12 if figures.cell_months else 0,
        "shares": shares,
        "counts": dict(figures.counts),
        "levels": dict(figures.levels),
        "warnings": warnings,
        "warnings_total": sum(warnings.values()),
        "disciplined_members": below_members,
        "disciplined_organisations": below_orgs,
        "disciplined_itself": org.pk in disciplined.organisations,
        "members": figures.current_members,
    }
    if org.level in CELL_LEVELS:
        report["months"] = _monthly_scores(org, year)
    return report


def _monthly_scores(cell: Organisation, year: int) -> list[dict]:
    """The cell's regular meeting of each month with its quality score: the twelve scores."""
    meetings = {
        m.period.month if m.period else timezone.localtime(m.scheduled_at).month: m
        for m in Meeting.objects.filter(
            organisation=cell,
            kind__in=REGULAR_KINDS,
            status__in=HELD,
            scheduled_at__year=year,
        ).order_by("scheduled_at")
    }
    scores = {
        s.meeting_id: s
        for s in QualityScore.objects.filter(meeting_id__in=[m.pk for m in meetings.values()])
    }
    rows = []
    for month in range(1, 13):
        meeting = meetings.get(month)
        score = scores.get(meeting.pk) if meeting else None
        rows.append(
            {
                "month": month,
                "held": meeting is not None,
                "meeting_id": meeting.pk if meeting else None,
                "total": str(score.total) if score and score.total is not None else None,
                "level": score.level if score else "",
                "level_label": score.level_label if score else "",
            }
        )
    return rows


def disciplined_below(report: dict) -> bool:
    """Whether a member of the subtree or an organisation below was disciplined in the year."""
    return bool(report["disciplined_members"] or report["disciplined_organisations"])
