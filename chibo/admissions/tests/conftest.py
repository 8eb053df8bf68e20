"""Fixtures of the admission tests: a clock to set today, a cell A of six official members,
candidates with their dossier complete, and meetings in progress to vote in."""

import datetime
import itertools
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chibo.admissions import actions
from chibo.admissions.models import DocumentStatus
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Kind
from chibo.members.models import Member, Status
from tests.fixtures import make_member

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class Today:
    """Sets the day the actions believe it is (timezone.now), like the seeds' Clock."""

    def __init__(self):
        self._real = timezone.now
        self.moment = None

    def __call__(self, day: datetime.date, hour: int = 12):
        self.moment = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=HCM)
        timezone.now = lambda: self.moment
        return day

    def restore(self):
        timezone.now = self._real


@pytest.fixture
def today():
    clock = Today()
    yield clock
    clock.restore()


@contextmanager
def on(clock: Today, day: datetime.date):
    """Run a block on another day, then come back."""
    before = clock.moment
    clock(day)
    try:
        yield
    finally:
        if before is not None:
            timezone.now = lambda: before
            clock.moment = before


@pytest.fixture
def six(tree, members, system):
    """Cell A with six official members (an, duc and four more)."""
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba", "Hà Văn Bốn"):
        make_member(system, tree["A"], name)
    return tree["A"]


PERSON = {
    "full_name": "Sùng Thị Mai",
    "gender": "female",
    "date_of_birth": datetime.date(2000, 6, 15),
    "ethnicity": "Mông",
    "residence": "thôn Lũng Cú, xã Đồng Văn",
    "phone": "0987654321",
    "education": "12/12",
    "occupation": "Giáo viên",
}


_citizen_ids = itertools.count(12345)


def open_case(actor, cell, **fields):
    """Open a case for a candidate like PERSON, with a citizen ID of their own."""
    fields.setdefault("citizen_id", f"0023000{next(_citizen_ids) % 100000:05d}")
    return actions.create_candidate(actor, cell, **{**PERSON, **fields})


def complete_dossier(actor, candidate, dated, status=DocumentStatus.CHECKED, skip=()):
    """Record every document the candidate brings or the cell writes before the vote."""
    for item in candidate.documents.all():
        if item.key in actions.rules.STEP_DOCUMENTS or item.key in skip:
            continue
        if not item.rule.required:
            continue
        actions.set_document(
            actor, candidate, item.key, status=status, reference=f"{item.key}-1", dated=dated
        )


def introduce(actor, candidate, *members, since=datetime.date(2020, 1, 1)):
    for member in members:
        actions.add_introducer(actor, candidate, member, since)


def meeting_in_progress(actor, cell, day, present=None):
    """An extraordinary meeting of the cell on day, started, with members checked in
    (all current members unless present lists them)."""
    meeting = meeting_actions.schedule_meeting(
        actor,
        cell,
        kind=Kind.EXTRAORDINARY,
        scheduled_at=datetime.datetime(day.year, day.month, day.day, 8, tzinfo=HCM),
        topic="Kết nạp đảng viên",
    )
    meeting_actions.send_notice(actor, meeting)
    current = list(Member.objects.filter(cell=cell, status=Status.OFFICIAL).order_by("id"))
    meeting_actions.start_meeting(actor, meeting, chair=current[0], minute_taker=current[-1])
    for member in present if present is not None else current:
        meeting_actions.check_in(actor, meeting, member)
    return meeting


def ready_candidate(secretary, cell, day, introducers, **fields):
    """A candidate whose dossier is complete, checked, with qualifying introducers."""
    candidate = open_case(secretary, cell, **fields)
    complete_dossier(secretary, candidate, day - datetime.timedelta(days=30))
    introduce(secretary, candidate, *introducers)
    return candidate


@pytest.fixture
def cases(users, members, tree, system, today, settings, tmp_path):
    """A candidate in A with a scan in the dossier, one in T, probations in A and S, and a
    meeting of A in progress."""
    settings.MEDIA_ROOT = tmp_path
    today(datetime.date(2026, 3, 3))
    secretary = users["secretary_A"]
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba", "Hà Văn Bốn"):
        make_member(system, tree["A"], name)
    a = ready_candidate(
        secretary, tree["A"], datetime.date(2026, 3, 3), (members["an"], members["duc"])
    )
    actions.set_document(
        secretary,
        a,
        "application",
        status="checked",
        dated=datetime.date(2026, 2, 1),
        upload=SimpleUploadedFile("don.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    t = open_case(system, tree["T"], full_name="Vàng Thị Pà")
    newcomer = make_member(
        system,
        tree["A"],
        "Lý Văn Mới",
        status="probationary",
        official_on=None,
        admitted_on=datetime.date(2026, 1, 5),
    )
    in_a = actions.open_probation(system, newcomer, ceremony_on=datetime.date(2026, 1, 20))
    lan = members["lan"]
    lan.admitted_on = datetime.date(2026, 1, 5)
    lan.save()
    in_s = actions.open_probation(system, lan)
    meeting = meeting_in_progress(secretary, tree["A"], datetime.date(2026, 3, 3))
    return {"a": a, "t": t, "prob_a": in_a, "prob_s": in_s, "meeting": meeting}


def proposed_probation(system, secretary, tree, meeting):
    """A probationer of A whose months ended on 02/03/2026, and the cell's passed vote."""
    newcomer = make_member(
        system,
        tree["A"],
        "Lý Văn Đủ",
        status="probationary",
        official_on=None,
        admitted_on=datetime.date(2025, 2, 20),
    )
    record = actions.open_probation(system, newcomer, ceremony_on=datetime.date(2025, 3, 2))
    actions.record_recognition_vote(secretary, record, meeting, agree=6, disagree=0, abstain=0)
    return record
