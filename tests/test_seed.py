"""The seed command: the demo built through the actions, and the province at full size."""

import datetime
import json
import random
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q
from django.test import Client
from django.utils import timezone, translation

from chibo.accounts.models import CELL_ROLES, Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import actions, scoring
from chibo.meetings.minutes import _signature_rows, canonical_json, minutes_content
from chibo.meetings.models import (
    PRESENT_STATUSES,
    REGULAR_KINDS,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    QualityScore,
    Task,
    Vote,
)
from chibo.members.models import CURRENT_STATUSES, Member, MembershipPeriod, Status
from chibo.orgs.actions import create_organisation
from chibo.orgs.models import Level, Organisation, OrgChange
from chibo.seed.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from chibo.seed.names import People
from chibo.seed.province import (
    CELLS,
    GRASSROOTS_CELLS,
    GRASSROOTS_COMMITTEES,
    MEMBERS,
    PROBATIONARY,
    PROVINCE_ACCOUNTS,
    SUPERIOR_COMMITTEES,
    allocate,
    child_path,
)

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def stats(code: str) -> dict:
    out = StringIO()
    call_command("stats", "--org", code, "--json", stdout=out)
    return json.loads(out.getvalue())[0]


def assert_every_member_has_one_open_period_in_their_cell():
    """A current member is in exactly one home cell; one whose membership ended, in none."""
    open_periods = Count("periods", filter=Q(periods__ended_on__isnull=True))
    members = Member.objects.annotate(n=open_periods)
    assert not members.filter(status__in=CURRENT_STATUSES).exclude(n=1).exists()
    assert not members.exclude(status__in=CURRENT_STATUSES).exclude(n=0).exists()
    assert (
        not MembershipPeriod.objects.filter(ended_on__isnull=True)
        .exclude(organisation=F("member__cell"))
        .exists()
    )


def assert_cell_roles_are_linked_to_a_member_of_the_cell():
    for role in Role.objects.filter(kind__in=CELL_ROLES).select_related("user__member"):
        assert role.user.member is not None, role.user.username
        assert role.user.member.cell_id == role.organisation_id, role.user.username


# The demo


def test_the_demo_has_about_400_members_in_a_lively_tree():
    out = seed("--scale", "demo", "--no-history")

    assert 350 <= Member.objects.count() <= 450
    levels = set(Organisation.objects.values_list("level", flat=True))
    assert levels == {level.value for level in Level}
    assert Organisation.objects.get(code="TW").level == Level.CENTRAL
    assert Organisation.objects.get(code="HG").name == "Tỉnh ủy Hà Giang"
    probationary = Member.objects.filter(status=Status.PROBATIONARY)
    assert 8 <= probationary.count() <= 30
    assert not probationary.filter(official_on__isnull=False).exists()
    assert Member.objects.filter(status=Status.EXEMPTED).exists()
    assert "chibo-demo" in out
    assert not Meeting.objects.exists()  # --no-history: the tree, members and accounts only


def test_the_demo_is_built_through_the_actions():
    seed("--scale", "demo", "--no-history")

    system = User.objects.get(username="system")
    assert system.is_superuser and not system.has_usable_password()
    assert (
        OrgChange.objects.filter(kind=OrgChange.Kind.FOUNDED).count()
        == Organisation.objects.count()
    )
    assert (
        AuditEvent.objects.filter(action="member.create", actor=system).count()
        == Member.objects.count()
    )
    assert_every_member_has_one_open_period_in_their_cell()


def test_the_demo_has_vietnamese_names_of_several_peoples():
    seed("--scale", "demo", "--no-history")

    names = list(Member.objects.values_list("full_name", flat=True))
    assert any(name.startswith("Nguyễn ") for name in names)
    assert any(name.split()[0] in {"Vàng", "Giàng", "Sùng", "Thào", "Mua"} for name in names)
    assert {"Kinh", "Mông", "Tày", "Dao"} <= set(Member.objects.values_list("ethnicity", flat=True))
    assert Member.objects.filter(name_folded__startswith="nguyen ").exists()
    assert Member.objects.values("citizen_id").distinct().count() == Member.objects.count()


def test_every_demo_account_logs_in_with_the_demo_password():
    out = seed("--scale", "demo")

    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert Role.objects.filter(
            user=user, kind=account.role, organisation__code=account.org_code
        ).exists()
        assert Client().login(username=account.username, password=DEMO_PASSWORD)
        assert account.username in out
    assert_cell_roles_are_linked_to_a_member_of_the_cell()


def test_the_same_seed_gives_the_same_people():
    def draw(seed_value):
        people = People(random.Random(seed_value), datetime.date(2026, 1, 1))
        return [
            people.member(
                mix="highland", cell_type="residential", home="xã Lũng Cú", residence="thôn Lũng Cú"
            )
            for _ in range(20)
        ]

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


def test_if_empty_leaves_a_seeded_database_alone():
    seed("--scale", "demo", "--no-history")
    counts = (Organisation.objects.count(), Member.objects.count(), User.objects.count())

    out = seed("--scale", "demo", "--if-empty")

    assert (Organisation.objects.count(), Member.objects.count(), User.objects.count()) == counts
    assert "chibo-demo" not in out


def test_it_refuses_to_seed_a_database_that_has_data(tree):
    with pytest.raises(CommandError):
        seed("--scale", "demo")
    with pytest.raises(CommandError):
        seed("--scale", "province")
    assert not Member.objects.exists()


def test_it_refuses_when_a_demo_username_is_taken():
    User.objects.create_user("admin", password="someone-elses-1")

    with pytest.raises(CommandError, match="admin"):
        seed("--scale", "demo")
    assert not Organisation.objects.exists()


def test_it_refuses_when_an_account_the_history_opens_is_taken():
    User.objects.create_user("bithu.dv-st", password="someone-elses-1")

    with pytest.raises(CommandError, match="bithu.dv-st"):
        seed("--scale", "demo")
    assert not Organisation.objects.exists()


# The province


def test_paths_are_the_ones_treebeard_gives():
    for position in (1, 9, 10, 35, 36, 37, 1295, 1296, 46655):
        assert child_path("00010001", position) == Organisation._get_path("00010001", 3, position)


def test_allocate_splits_a_total_exactly():
    parts = allocate(3743, [14.2, 7.0, 9.9, 1.0], 3)

    assert sum(parts) == 3743 and min(parts) >= 3


def test_the_province_has_the_published_shape_and_a_sound_tree():
    out = seed("--scale", "province")

    hg = stats("HG")
    by_level = hg["organisations"]["by_level"]
    assert by_level["superior"] == SUPERIOR_COMMITTEES == 15
    assert by_level["grassroots_committee"] == GRASSROOTS_COMMITTEES == 305
    assert by_level["grassroots_cell"] == GRASSROOTS_CELLS == 539
    assert by_level["cell"] == CELLS == 3743
    assert hg["organisations"]["grassroots"] == 844
    assert hg["members"]["total"] == MEMBERS == 73551
    by_status = hg["members"]["by_status"]
    # The published figures counted the members whose membership ended during the seeded
    # year (a death, a removal, a transfer out of the system): the registry keeps them.
    ended = sum(n for status, n in by_status.items() if status not in ("official", "probationary"))
    assert 0 < ended < 0.005 * MEMBERS
    assert 70555 - ended <= by_status["official"] <= 70555
    assert PROBATIONARY - ended <= by_status["probationary"] <= PROBATIONARY == 2996
    assert Organisation.objects.get_parent(Organisation.objects.get(code="HG")).code == "TW"
    # What the actions would have written besides the rows themselves.
    assert_every_member_has_one_open_period_in_their_cell()
    assert (
        OrgChange.objects.filter(kind=OrgChange.Kind.FOUNDED).count()
        == Organisation.objects.count()
    )
    assert not Organisation.objects.filter(name_folded="").exists()
    assert not Member.objects.filter(name_folded="").exists()
    assert not Member.objects.filter(status=Status.PROBATIONARY, official_on__isnull=False).exists()
    assert AuditEvent.objects.filter(action="seed.province").count() == 1
    for account in PROVINCE_ACCOUNTS:
        assert account.username in out
        assert Client().login(username=account.username, password=DEMO_PASSWORD)
    assert_cell_roles_are_linked_to_a_member_of_the_cell()
    # treebeard finds nothing wrong and keeps working on the seeded tree.
    assert all(problems == [] for problems in Organisation.objects.find_problems())
    committee = Organisation.objects.filter(level=Level.GRASSROOTS_COMMITTEE).last()
    children = list(Organisation.objects.get_children(committee))
    assert len(children) == committee.numchild > 0
    assert all(child.level == Level.CELL for child in children)
    system = User.objects.get(username="system")
    new = create_organisation(system, committee, code="NEW", name="Chi bộ mới", level=Level.CELL)
    assert new.path == child_path(committee.path, committee.numchild + 1)
    assert Organisation.objects.get(pk=committee.pk).numchild == committee.numchild + 1
    assert all(problems == [] for problems in Organisation.objects.find_problems())
    # The same seeding holds twelve months of meetings of every cell.
    assert_the_province_history_is_what_the_actions_would_write(CELLS + GRASSROOTS_CELLS)


def assert_the_province_history_is_what_the_actions_would_write(cells: int):
    regular = Meeting.objects.filter(kind__in=REGULAR_KINDS).exclude(status=MeetingStatus.CANCELLED)
    assert cells * 10 <= regular.count() <= cells * 12
    assert regular.values("organisation").distinct().count() == cells
    held = Meeting.objects.filter(status__in=(MeetingStatus.CLOSED, MeetingStatus.SIGNED))
    # An attendance row per current member of the cell in every meeting the members were
    # invited to; none left "expected" once a meeting is closed; probationary members flagged.
    members = dict(Member.objects.values_list("cell").annotate(n=Count("id")))
    invited = Meeting.objects.filter(notice_sent_at__isnull=False)
    per_cell = dict(invited.values_list("organisation").annotate(n=Count("id")))
    rows = dict(Attendance.objects.values_list("meeting__organisation").annotate(n=Count("id")))
    assert rows == {cell: members[cell] * n for cell, n in per_cell.items()}
    assert not Attendance.objects.exclude(member__cell=F("meeting__organisation")).exists()
    assert not Attendance.objects.filter(
        meeting__in=held, status=AttendanceStatus.EXPECTED
    ).exists()
    assert not Attendance.objects.filter(
        member__status=Status.PROBATIONARY, was_official=True
    ).exists()
    present = Attendance.objects.filter(meeting__in=held, status__in=PRESENT_STATUSES).count()
    assert 0.80 <= present / Attendance.objects.filter(meeting__in=held).count() <= 0.95
    # Every held meeting is scored, at several levels; votes and task reviews are there.
    scores = QualityScore.objects.filter(meeting__in=held)
    assert scores.count() == held.count()
    assert scores.values("level").distinct().count() > 1
    assert Vote.objects.filter(meeting__in=held, passed=True).exists()
    statuses = set(Task.objects.values_list("status", flat=True))
    assert {Task.Status.DONE, Task.Status.LATE, Task.Status.NOT_DONE} <= statuses
    # Most meetings had their document released a day or more ahead, some not.
    with_documents = held.filter(materials__released_at__isnull=False).distinct().count()
    assert 0.6 * held.count() < with_documents < 0.95 * held.count()
    # Signed minutes verify; some were left unsigned.
    assert held.filter(status=MeetingStatus.CLOSED).exists()
    call_command("minutes", "verify", stdout=StringIO())
    call_command("fees", "verify", stdout=StringIO())
    # A sample, asked again through the code the actions use: what close_meeting checks, the
    # score from the record, and the signed minutes' content.
    sample = list(held.order_by("?")[:40])
    for meeting in sample:
        stored = meeting.score
        with translation.override(settings.LANGUAGE_CODE):
            again = scoring._plain_items(scoring.score_preview(meeting))
        assert again == stored.items, meeting
        meeting.status = MeetingStatus.IN_PROGRESS
        assert actions.missing_to_close(meeting) == [], meeting
    for minutes in Minutes.objects.filter(signed_at__isnull=False).order_by("?")[:40]:
        content = minutes_content(minutes.meeting)
        content["signatures"] = _signature_rows(minutes)
        content["signed_at"] = timezone.localtime(minutes.signed_at).isoformat()
        assert json.loads(canonical_json(content)) == minutes.content, minutes.meeting_id
