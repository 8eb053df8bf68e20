"""The dashboard benchmark runs end to end on a small tree (its numbers are not asserted)."""

import datetime

from chibo.oversight.benchmarks import dashboard_timings, naive_figures
from chibo.oversight.queries import Period
from chibo.oversight.tests.conftest import hold


def test_the_dashboard_benchmark_compares_the_rollup_with_the_records(
    clock,
    system,
    cell_a,
    members,
    tree,
    users,
):
    hold(clock, system, cell_a, datetime.date(2026, 11, 3), absent=1)
    result = dashboard_timings(users["admin_P"], tree["P"], runs=2, naive_runs=2)
    assert result["drill_down"] == "X" and result["cells"] == 4
    assert result["timings"]["dashboard_province_page"]["runs"] == 2
    assert naive_figures(tree["P"], Period("year", 2026, 0))["attendance_present"] == 6
