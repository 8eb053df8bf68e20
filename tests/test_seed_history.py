"""Twelve months of meetings in the demo, played through the actions with the mix the seeds
describe. The demo is seeded once for the module (it takes a while) and rolled back after."""

import datetime
import random
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from chibo.accounts.models import Role, RoleKind
from chibo.audit.models import AuditEvent
from chibo.meetings import actions
from chibo.meetings.models import (
    PRESENT_STATUSES,
    REGULAR_KINDS,
    THEMATIC_KINDS,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    QualityScore,
    Signature,
    Task,
    Vote,
    VoteKind,
)
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.seed.demo import DEMO_PASSWORD
from chibo.seed.history import Planner, month_window, quarter_of

pytestmark = pytest.mark.django_db

HELD = (MeetingStatus.CLOSED, MeetingStatus.SIGNED)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo with its history, seeded once; everything is rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed", "--scale", "demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def cells():
    return Organisation.objects.filter(level__in=CELL_LEVELS, members__isnull=False).distinct()


def held():
    return Meeting.objects.filter(status__in=HELD)


def test_every_cell_meets_nearly_every_month_and_some_skip_one(demo):
    months = dict(
        Meeting.objects.filter(kind__in=REGULAR_KINDS)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("organisation")
        .annotate(n=Count("period", distinct=True))
    )
    counts = [months.get(cell.pk, 0) for cell in cells()]
    assert len(counts) == 19
    assert sum(counts) / len(counts) >= 10
    assert max(counts) == 12 and min(counts) < 12
    # This month's meeting is in the plan, or being held; never closed yet.
    this_month = timezone.localdate().replace(day=1)
    current = Meeting.objects.filter(period=this_month, kind__in=REGULAR_KINDS)
    assert current.count() == len(counts)
    assert set(current.values_list("status", flat=True)) <= {
        MeetingStatus.PLANNED,
        MeetingStatus.IN_PROGRESS,
    }
    # Some meetings were moved, each with its reason; a few were cancelled with theirs.
    moved = Meeting.objects.exclude(moved_reason="")
    assert moved.exists()
    assert all(m.scheduled_at.astimezone(actions.LOCAL).day != 3 for m in moved)
    cancelled = Meeting.objects.filter(status=MeetingStatus.CANCELLED)
    assert not cancelled.filter(cancelled_reason="").exists()


def test_attendance_is_between_80_and_95_percent_with_reasons_for_the_excused(demo):
    rows = Attendance.objects.filter(meeting__status__in=HELD)
    statuses = Counter(rows.values_list("status", flat=True))
    expected = sum(n for status, n in statuses.items() if status != AttendanceStatus.EXEMPTED)
    present = sum(statuses[s] for s in PRESENT_STATUSES)
    assert 0.80 <= present / expected <= 0.95
    assert statuses[AttendanceStatus.LATE] > 0
    assert (
        0 < statuses[AttendanceStatus.ABSENT_UNEXCUSED] < statuses[AttendanceStatus.ABSENT_EXCUSED]
    )
    assert not rows.filter(status=AttendanceStatus.ABSENT_EXCUSED, absence_reason="").exists()
    # Members with an account asked to be excused themselves; the secretary answered.
    assert rows.exclude(absence_request="").exists()
    assert not Attendance.objects.filter(absence_request="pending").exists()


def test_some_cells_hold_no_thematic_meeting_in_a_quarter(demo):
    window = month_window(timezone.localdate())
    quarters = defaultdict(list)
    for first in window[:-1]:
        quarters[quarter_of(first)].append(first)
    full = [q for q, months in quarters.items() if len(months) == 3]
    thematic = defaultdict(int)
    for cell_id, moment in (
        Meeting.objects.filter(kind__in=THEMATIC_KINDS)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("organisation", "scheduled_at")
    ):
        thematic[cell_id, quarter_of(moment.astimezone(actions.LOCAL).date())] += 1
    per_cell = [[thematic[cell.pk, q] for q in full] for cell in cells()]
    assert any(0 in quarters_of_cell for quarters_of_cell in per_cell)
    held_quarters = [n for quarters_of_cell in per_cell for n in quarters_of_cell]
    assert sum(1 for n in held_quarters if n >= 1) / len(held_quarters) >= 0.75
    # Both ways of holding it: with the regular meeting, and on its own, each with a topic.
    kinds = set(Meeting.objects.filter(kind__in=THEMATIC_KINDS).values_list("kind", flat=True))
    assert kinds == set(THEMATIC_KINDS)
    assert not Meeting.objects.filter(kind__in=THEMATIC_KINDS, topic="").exists()


def test_members_speak_vote_and_take_tasks_reviewed_at_the_next_meeting(demo):
    for meeting in held():
        present = meeting.attendance.filter(status__in=PRESENT_STATUSES).count()
        spoke = meeting.opinions.filter(prepared=False).values("member").distinct().count()
        assert 0.25 <= spoke / present <= 0.75, meeting
    assert Meeting.objects.filter(opinions__prepared=True).exists()
    regular = held().filter(kind__in=REGULAR_KINDS)
    passed = Vote.objects.filter(meeting__in=regular, kind=VoteKind.RESOLUTION, passed=True)
    assert passed.values("meeting").distinct().count() >= 0.95 * regular.count()
    per_meeting = Counter(
        Task.objects.filter(meeting__in=regular).values_list("meeting", flat=True)
    )
    assert set(per_meeting.values()) <= {1, 2, 3} and len(per_meeting) == regular.count()
    statuses = Counter(Task.objects.values_list("status", flat=True))
    assert statuses[Task.Status.DONE] > statuses[Task.Status.LATE] > 0
    assert statuses[Task.Status.NOT_DONE] > 0
    for task in Task.objects.exclude(status=Task.Status.OPEN).select_related(
        "meeting", "reviewed_in"
    ):
        assert task.reviewed_in.organisation_id == task.meeting.organisation_id
        assert task.reviewed_in.scheduled_at > task.meeting.scheduled_at
        assert task.assignees.exists()
    # Tasks still open belong to each cell's latest meeting, reviewed at this month's.
    for task in Task.objects.filter(status=Task.Status.OPEN).select_related("meeting"):
        later = held().filter(
            organisation=task.meeting.organisation_id, scheduled_at__gt=task.meeting.scheduled_at
        )
        assert not later.exists()


def test_every_held_meeting_has_what_closing_requires(demo):
    for meeting in held():
        assert meeting.chair_id and meeting.minute_taker_id
        assert meeting.started_at < meeting.ended_at <= timezone.now()
        assert not meeting.attendance.filter(status=AttendanceStatus.EXPECTED).exists()
        assert meeting.attendance.exists()
        # What close_meeting checked, asked again of the meeting as it stands.
        meeting.status = MeetingStatus.IN_PROGRESS
        assert actions.missing_to_close(meeting) == [], meeting


def test_meetings_are_scored_mostly_good_or_fair(demo):
    scores = QualityScore.objects.filter(meeting__in=held())
    assert scores.count() == held().count()
    assert not scores.filter(level="").exists()
    assert not scores.filter(assessor__isnull=True).exists()
    levels = Counter(scores.values_list("level", flat=True))
    assert len(levels) > 1
    assert levels["good"] + levels["fair"] > 0.7 * scores.count()
    assert levels["good"] > 0 and levels["average"] > 0


def test_most_minutes_are_signed_within_two_days_and_the_chain_verifies(demo):
    signed = Minutes.objects.filter(signed_at__isnull=False).select_related("meeting")
    assert held().filter(status=MeetingStatus.CLOSED).exists()  # some left unsigned
    assert signed.count() == held().filter(status=MeetingStatus.SIGNED).count()
    assert signed.count() > 0.75 * held().count()
    on_time = sum(
        1
        for m in signed
        if (
            timezone.localtime(m.signed_at, actions.LOCAL).date()
            - timezone.localtime(m.meeting.ended_at, actions.LOCAL).date()
        ).days
        <= 2
    )
    assert on_time > 0.85 * signed.count()
    for minutes in signed[:20]:
        signers = dict(Signature.objects.filter(minutes=minutes).values_list("role", "member_id"))
        assert signers == {
            Signature.Role.CHAIR: minutes.meeting.chair_id,
            Signature.Role.MINUTE_TAKER: minutes.meeting.minute_taker_id,
        }
    out = StringIO()
    call_command("minutes", "verify", stdout=out)
    assert str(signed.count()) in out.getvalue()


def test_most_documents_are_released_a_day_ahead_and_opened(demo):
    meetings = list(held().prefetch_related("materials__openings"))
    ahead = late = none = opened = 0
    for meeting in meetings:
        released = [m.released_at for m in meeting.materials.all() if m.released_at]
        if not released:
            none += 1
            continue
        days = (
            timezone.localtime(meeting.scheduled_at, actions.LOCAL).date()
            - timezone.localtime(min(released), actions.LOCAL).date()
        ).days
        ahead += days >= 1
        late += days < 1
        opened += any(m.openings.exists() for m in meeting.materials.all())
    assert ahead > 0.6 * len(meetings)
    assert late > 0 and none > 0 and opened > 0
    # The score's line for documents a day ahead follows them.
    lines = [
        line["points"]
        for score in QualityScore.objects.filter(meeting__in=meetings)
        for line in score.items
        if line["key"] == "materials_posted"
    ]
    assert {float(p) for p in lines} == {0.0, 5.0}, set(lines)


def test_the_history_went_through_the_actions_at_the_time(demo):
    assert AuditEvent.objects.filter(action="meeting.schedule").count() == Meeting.objects.count()
    checked_in = Attendance.objects.filter(status__in=PRESENT_STATUSES).count()
    assert AuditEvent.objects.filter(action="meeting.check_in").count() == checked_in
    assert AuditEvent.objects.filter(action="minutes.sign").count() == 2 * (
        Minutes.objects.filter(signed_at__isnull=False).count()
    )
    # Each step is dated when it happened, not when the seed ran.
    first = AuditEvent.objects.filter(action="meeting.schedule").order_by("at").first()
    assert first.at < timezone.now() - datetime.timedelta(days=300)
    for meeting in held()[:30]:
        start = AuditEvent.objects.get(action="meeting.start", object_id=str(meeting.pk))
        assert start.at == meeting.started_at
        assert meeting.created_at < meeting.notice_sent_at < meeting.started_at
    secretaries = Role.objects.filter(kind=RoleKind.SECRETARY).values_list("user", flat=True)
    actors = set(AuditEvent.objects.filter(action="meeting.close").values_list("actor", flat=True))
    assert actors <= set(secretaries)


def test_the_chairs_and_minute_takers_log_in_with_the_demo_password(demo):
    signers = Role.objects.filter(
        kind__in=(RoleKind.SECRETARY, RoleKind.DEPUTY_SECRETARY)
    ).select_related("user")
    assert signers.count() == 2 * cells().count()
    for role in signers:
        assert role.user.password.startswith("pbkdf2_sha256$")
    for role in signers[:3]:
        assert Client().login(username=role.user.username, password=DEMO_PASSWORD)


def test_the_same_seed_plans_the_same_years():
    def plan(seed):
        planner = Planner(random.Random(seed), datetime.date(2026, 11, 24))
        years = [
            planner.year("residential", lambda first: 3, skips=i == 0, lacks=i == 1)
            for i in range(3)
        ]
        return [
            [(s.kind, s.day, s.moved_reason, s.topic) for s in y.slots if not s.cancelled_reason]
            for y in years
        ]

    assert plan(3) == plan(3)
    assert plan(3) != plan(4)
    first, second, third = plan(3)
    months = {day.replace(day=1) for kind, day, *_ in first if kind in REGULAR_KINDS}
    assert len(months) < 12  # the first cell skips a month
    assert len({day.replace(day=1) for kind, day, *_ in third if kind in REGULAR_KINDS}) == 12
