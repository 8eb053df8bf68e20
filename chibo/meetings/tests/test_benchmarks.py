"""The meeting benchmark runs end to end on a small cell (its numbers are not asserted)."""

from chibo.meetings.benchmarks import meeting_timings
from chibo.meetings.models import Attendance
from chibo.meetings.tests.test_actions import cell_a  # noqa: F401 - the fixture


def test_the_meeting_benchmark_measures_check_ins_and_documents(users, cell_a):  # noqa: F811
    timings = meeting_timings(users["secretary_A"], cell_a, runs=3)
    assert {
        "check_in_request",
        "baseline_check_in_action",
        "minutes_pdf",
        "baseline_minutes_html",
    } <= set(timings)
    assert timings["check_in_request"]["runs"] == 3
    assert Attendance.objects.filter(status="present").exists()
