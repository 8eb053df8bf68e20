"""Meeting timings for `chibo bench`: the check-in request and the minutes documents.

Each figure comes with a baseline measured in the same run on the same data, so that a
reader compares ratios rather than raw times from different machines.
"""

import datetime
import math
import statistics
import time

from django.test import Client
from django.utils import timezone

from chibo.meetings import actions, documents
from chibo.meetings.models import Attendance, AttendanceStatus, Kind
from chibo.members.models import Member


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000, 3),
        "runs": len(ordered),
    }


def _timed_check_ins(meeting, rows, check_in, runs: int) -> dict:
    """Check members in one after another; the row is reset, untimed, before each."""
    samples = []
    for i in range(runs):
        row = rows[i % len(rows)]
        Attendance.objects.filter(pk=row.pk).update(
            status=AttendanceStatus.EXPECTED, checked_in_at=None
        )
        started = time.perf_counter()
        check_in(row.member)
        samples.append(time.perf_counter() - started)
    return _summary(samples)


def meeting_timings(secretary, cell, runs: int) -> dict:
    """Hold a meeting in the cell as its secretary and time what a meeting day does most."""
    start = timezone.localtime().replace(hour=19, minute=30, second=0, microsecond=0)
    meeting = actions.schedule_meeting(
        secretary, cell, kind=Kind.EXTRAORDINARY, scheduled_at=start + datetime.timedelta(days=1)
    )
    actions.send_notice(secretary, meeting)
    chair, taker = Member.objects.filter(cell=cell, status="official").order_by("id")[:2]
    meeting = actions.start_meeting(secretary, meeting, chair=chair, minute_taker=taker)
    rows = list(
        meeting.attendance.exclude(status=AttendanceStatus.EXEMPTED).select_related("member")
    )
    client = Client()
    client.force_login(secretary)

    def over_http(member):
        response = client.post(
            f"/meetings/{meeting.pk}/check-in/{member.pk}/", HTTP_HX_REQUEST="true"
        )
        if response.status_code != 200:
            raise RuntimeError(f"check-in answered {response.status_code}")

    def direct(member):
        actions.check_in(secretary, meeting, member)

    timings = {
        "check_in_request": _timed_check_ins(meeting, rows, over_http, runs),
        "baseline_check_in_action": _timed_check_ins(meeting, rows, direct, runs),
    }
    pdf, html = [], []
    for _ in range(max(3, runs // 10)):
        started = time.perf_counter()
        documents.minutes_html(meeting)
        html.append(time.perf_counter() - started)
        started = time.perf_counter()
        documents.minutes_pdf(meeting)
        pdf.append(time.perf_counter() - started)
    timings["minutes_pdf"] = _summary(pdf)
    timings["baseline_minutes_html"] = _summary(html)
    timings["ratios"] = {
        "check_in_request_to_action": round(
            timings["check_in_request"]["median_ms"]
            / timings["baseline_check_in_action"]["median_ms"],
            2,
        ),
        "minutes_pdf_to_html": round(
            timings["minutes_pdf"]["median_ms"] / timings["baseline_minutes_html"]["median_ms"], 2
        ),
        "members_in_meeting": len(rows),
    }
    return timings
