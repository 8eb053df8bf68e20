"""`chibo bench`: how fast one machine serves the Hà Giang province, on SQLite (or on
PostgreSQL with `--postgres postgres://user@host:port`).

The command never touches the configured database. It runs itself again in a subprocess
whose DATABASE_URL points to a new SQLite file in a temporary folder (or a new database
chibo_bench on the PostgreSQL server, dropped afterwards); that worker migrates, loads the
province (timed), then times member search, the organisation pages, a meeting day, the
dashboards against the same figures computed from the raw records, and the warnings run,
each with a baseline measured in the same run so that results from different machines can
be compared as ratios. Prints JSON. Nothing is asserted: the numbers are for reading.
"""

import argparse
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from chibo.accounts.models import User
from chibo.meetings.benchmarks import meeting_timings
from chibo.members.models import Member
from chibo.members.queries import find
from chibo.orgs.models import Level, Organisation
from chibo.oversight import warnings
from chibo.oversight.benchmarks import dashboard_timings
from chibo.oversight.models import EarlyWarning
from chibo.reviews.benchmarks import review_timings
from chibo.seed.province import seed_province

RUNS = 100
QUICK_RUNS = 10
# The province seed alone, twelve months of meetings included, takes a few minutes.
WORKER_TIMEOUT = 1200
SEARCHES = (
    "nguyen van",
    "thi hoa",
    "giang mi",
    "lo thi",
    "trieu",
    "hoang duc",
    "sung seo",
    "ban thi",
)
ENV_DB = "CHIBO_BENCH_DB"
PG_BENCH_DB = "chibo_bench"


def _p95(samples: list[float]) -> float:
    """Return the 95th percentile by nearest rank."""
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _measure(fn, runs: int) -> dict:
    fn()  # warm up: templates compiled, statements prepared, pages in the cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(_p95(samples), 3),
        "runs": runs,
    }


class Command(BaseCommand):
    help = "Benchmark a fresh province-sized SQLite database in a temporary folder; print JSON."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Fewer repetitions.")
        parser.add_argument(
            "--postgres",
            metavar="URL",
            help=(
                "Run on PostgreSQL instead: the server's URL without a database "
                "(postgres://postgres@127.0.0.1:5432); a database chibo_bench is created "
                "there and dropped afterwards."
            ),
        )
        # Used by the command itself to run the measurements against the temporary database.
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, quick, worker, postgres, **options):
        if worker:
            self._work(QUICK_RUNS if quick else RUNS)
        else:
            self._spawn(quick, postgres)

    def _spawn(self, quick: bool, postgres: str | None = None) -> None:
        with tempfile.TemporaryDirectory(prefix="chibo-bench-") as folder:
            db = os.path.join(folder, "bench.sqlite3")
            url = f"sqlite:///{db}"
            if postgres:
                db = PG_BENCH_DB
                url = f"{postgres.rstrip('/')}/{db}"
                _recreate_postgres(postgres, db)
            env = {
                **os.environ,
                "DATABASE_URL": url,
                ENV_DB: db,
                "CHIBO_VAR_DIR": folder,
                # Measure what production runs: no debug query log, the test client's host.
                "CHIBO_DEBUG": "0",
                "CHIBO_ALLOWED_HOSTS": "testserver",
            }
            command = [sys.executable, "-m", "chibo.cli", "bench", "--worker"]
            if quick:
                command.append("--quick")
            started = time.monotonic()
            done = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=WORKER_TIMEOUT,
                check=False,
            )
            if postgres:
                _recreate_postgres(postgres, db, create=False)
            if done.returncode != 0:
                raise CommandError(f"The benchmark worker failed:\n{done.stderr[-4000:]}")
            result = json.loads(done.stdout)
            result["total_seconds"] = round(time.monotonic() - started, 1)
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _work(self, runs: int) -> None:
        if settings.DATABASES["default"]["NAME"] != os.environ.get(ENV_DB):
            raise CommandError("The worker runs only on the benchmark's own temporary database.")
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        migrate_seconds = time.monotonic() - started
        started = time.monotonic()
        seeded = seed_province(seed=1)
        seed_seconds = time.monotonic() - started

        admin = User.objects.get(username="admin")
        searches = itertools.cycle(SEARCHES)

        def search():
            return list(find(admin, text=next(searches))[:50])

        # Baseline: the same search as a plain Python scan over every name, already in
        # memory and sorted like the page. It depends only on the machine's speed.
        names = list(Member.objects.order_by("name_folded", "id").values_list("name_folded", "id"))
        scans = itertools.cycle(SEARCHES)

        def scan():
            text = next(scans)
            return [n for n in names if text in n[0]][:50]

        def select_one():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        committee = (
            Organisation.objects.filter(level=Level.GRASSROOTS_COMMITTEE)
            .order_by("-numchild", "path")
            .first()
        )
        client = Client()
        client.force_login(admin)
        statuses: dict[str, int] = {}

        def page(name, url):
            def get():
                statuses[name] = client.get(url).status_code

            return get

        pages = {
            "org_tree": "/orgs/",
            "org_detail": f"/orgs/{committee.code}/",
            "org_children": f"/orgs/{committee.code}/children/",
            # The province's own page counts its whole subtree: the heaviest organisation page.
            "province_detail": "/orgs/HG/",
            "member_search": "/members/?q=nguyen+van",
        }
        timings = {
            "member_search": _measure(search, runs),
            "baseline_python_scan": _measure(scan, runs),
            "baseline_select_1": _measure(select_one, runs),
        }
        for name, url in pages.items():
            timings[f"page_{name}"] = {
                **_measure(page(name, url), runs),
                "url": url,
                "status": statuses[name],
            }
        # A meeting day in the cell of the province's demo secretary.
        secretary = User.objects.get(username="bithu")
        cell = secretary.roles.get(kind="secretary").organisation
        timings["meeting"] = meeting_timings(secretary, cell, runs)
        province = Organisation.objects.get(code="HG")
        dashboard = dashboard_timings(admin, province, runs)
        # The daily warnings job over the whole province: once as a first run after the
        # seed's own, once more (nothing to change: the idempotent path).
        started = time.monotonic()
        warnings.run(timezone.localdate(), province)
        dashboard["warnings_run_seconds"] = round(time.monotonic() - started, 1)
        dashboard["open_warnings"] = EarlyWarning.objects.filter(state="open").count()
        reviews = review_timings(admin, province, runs)
        result = {
            "database": connection.vendor,
            "sqlite": connection.Database.sqlite_version if connection.vendor == "sqlite" else None,
            "python": platform.python_version(),
            "django": django.get_version(),
            "cpus": os.cpu_count(),
            "runs": runs,
            "migrate_seconds": round(migrate_seconds, 1),
            "seed_seconds": round(seed_seconds, 1),
            "organisations": seeded["organisations"],
            "members": seeded["members"],
            "searches": list(SEARCHES),
            "timings": timings,
            "dashboard": dashboard,
            "reviews": reviews,
            "ratios": {
                "member_search_to_python_scan": _ratio(
                    timings["member_search"], timings["baseline_python_scan"]
                ),
                "org_detail_to_select_1": _ratio(
                    timings["page_org_detail"], timings["baseline_select_1"]
                ),
            },
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))


def _recreate_postgres(server: str, name: str, create: bool = True) -> None:
    """Drop the benchmark's own database on the server, and create it again when asked."""
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def _ratio(a: dict, b: dict) -> float | None:
    return round(a["median_ms"] / b["median_ms"], 2) if b["median_ms"] else None
