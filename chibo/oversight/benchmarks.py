"""Dashboard timings for `chibo bench`: the province's dashboard and a drill-down, served
from the roll-up, against the same figures computed naively from the raw records (every
held meeting, attendance row, score, signature and task of the subtree) in the same run.
"""

import math
import statistics
import time

from django.test import Client
from django.utils import timezone

from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight import queries, rollups
from chibo.oversight.models import COUNTS


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000, 3),
        "runs": len(ordered),
    }


def timed(fn, runs: int) -> dict:
    fn()  # warm up
    samples = []
    for _i in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return _summary(samples)


def naive_figures(org: Organisation, period: queries.Period) -> dict[str, int]:
    """The subtree's counts for the period, recomputed from the raw records."""
    cells = Organisation.objects.filter(path__startswith=org.path, level__in=CELL_LEVELS)
    months = set(period.months)
    totals = dict.fromkeys(COUNTS, 0)
    for (_cell, month), counts in rollups.compute(cells).items():
        if month in months:
            for name, value in counts.items():
                totals[name] += value
    return totals


def dashboard_timings(user, province: Organisation, runs: int, naive_runs: int = 5) -> dict:
    """Time the province's dashboard, a commune's (the drill-down), both as pages and as
    queries, and the naive recomputation of the province's figures."""
    today = timezone.localdate()
    period = queries.Period("year", today.year, 0)
    commune = (
        Organisation.objects.filter(path__startswith=province.path, depth=province.depth + 1)
        .order_by("-numchild", "path")
        .first()
    )
    client = Client()
    client.force_login(user)
    statuses = {}

    def page(code):
        def get():
            statuses[code] = client.get(
                f"/orgs/{code}/dashboard/", {"period": period.key}
            ).status_code

        return get

    timings = {
        "dashboard_province_page": timed(page(province.code), runs),
        "dashboard_drill_down_page": timed(page(commune.code), runs),
        "dashboard_province_figures": timed(
            lambda: queries.subtree_figures(province, period, today), runs
        ),
        "dashboard_province_children": timed(
            lambda: queries.children_figures(province, period, today), runs
        ),
        "baseline_naive_province_figures": timed(
            lambda: naive_figures(province, period), naive_runs
        ),
        "baseline_naive_drill_down_figures": timed(
            lambda: naive_figures(commune, period), naive_runs
        ),
    }
    if statuses != {province.code: 200, commune.code: 200}:
        raise RuntimeError(f"a dashboard page failed: {statuses}")
    # The two ways agree: the benchmark compares equal work.
    if queries.subtree_figures(province, period, today).counts != naive_figures(province, period):
        raise RuntimeError("the roll-up differs from the records")
    naive = timings["baseline_naive_province_figures"]["median_ms"]
    served = timings["dashboard_province_figures"]["median_ms"]
    return {
        "period": period.key,
        "drill_down": commune.code,
        "cells": Organisation.objects.filter(
            path__startswith=province.path, level__in=CELL_LEVELS
        ).count(),
        "timings": timings,
        "ratio_naive_to_rollup": round(naive / served, 1) if served else None,
    }
