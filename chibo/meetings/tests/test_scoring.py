"""The meeting-quality score: evidence from the record, the pack of the meeting's date,
manual lines by the named assessor, and a stored score that later packs never change."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.audit.models import AuditEvent
from chibo.meetings import actions, scoring
from chibo.meetings.models import (
    AttendanceStatus,
    Kind,
    Material,
    Meeting,
    Minutes,
    QualityScore,
    Task,
)
from chibo.meetings.tests import test_actions as base
from chibo.orgs.actions import create_organisation
from chibo.orgs.models import Level
from chibo.regulations.loader import pack_by_id
from tests.fixtures import make_member

# The fixtures and helpers of the actions' tests: cell A (6 official members, 1 probationary,
# 1 exempted) and its secretary.
cell_a = base.cell_a
secretary = base.secretary
at = base.at

DECEMBER = datetime.date(2026, 12, 3)


def _hold(
    actor,
    cell,
    chair,
    minute_taker,
    *,
    day=DECEMBER,
    absent=0,
    unexcused=0,
    speakers=0,
    minutes=100,
    close=True,
):
    """Hold a regular meeting through the actions: everyone expected is present except
    `absent` (with reason) and `unexcused` members; `speakers` of those present speak; the
    meeting lasts `minutes` from its planned time."""
    meeting = actions.schedule_meeting(actor, cell, kind=Kind.REGULAR, scheduled_at=at(day))
    actions.send_notice(actor, meeting)
    actions.start_meeting(actor, meeting, chair=chair, minute_taker=minute_taker)
    rows = list(
        meeting.attendance.exclude(status=AttendanceStatus.EXEMPTED)
        .select_related("member")
        .order_by("-was_official", "member__name_folded")
    )
    away = rows[len(rows) - absent - unexcused :]
    here = rows[: len(rows) - absent - unexcused]
    for row in here:
        actions.check_in(actor, meeting, row.member)
    for i, row in enumerate(away):
        if i < absent:
            actions.set_attendance(
                actor, meeting, row.member, AttendanceStatus.ABSENT_EXCUSED, "Đi công tác"
            )
        else:
            actions.set_attendance(actor, meeting, row.member, AttendanceStatus.ABSENT_UNEXCUSED)
    for row in here[:speakers]:
        actions.post_opinion(actor, meeting, "Nhất trí với dự thảo nghị quyết", member=row.member)
    if close:
        present_official = sum(1 for r in here if r.was_official)
        actions.record_vote(
            actor, meeting, subject="Nghị quyết", agree=present_official, disagree=0, abstain=0
        )
        actions.add_task(
            actor,
            meeting,
            title="Vận động đóng góp quỹ khuyến học",
            due_on=day + datetime.timedelta(days=25),
            assignees=[chair],
        )
        actions.close_meeting(actor, meeting)
        start = meeting.scheduled_at
        Meeting.objects.filter(pk=meeting.pk).update(
            started_at=start, ended_at=start + datetime.timedelta(minutes=minutes)
        )
    return Meeting.objects.get(pk=meeting.pk)


def _line(score, key):
    return next(line for line in score.lines if line.key == key)


def _grow(cell, system, count):
    for i in range(count):
        make_member(system, cell, f"Vừ Văn Thêm {i}")


def _sign(meeting, days_after=1):
    Minutes.objects.create(
        meeting=meeting, signed_at=meeting.ended_at + datetime.timedelta(days=days_after)
    )


def _manual_to_reach(score, target):
    """Return manual points that bring a complete automatic score to the target total."""
    auto = sum(line.points for line in score.lines if line.auto and line.points is not None)
    left = Decimal(target) - auto
    manual = {}
    for line in score.lines:
        if not line.auto:
            give = min(line.max_points, left)
            manual[line.key] = str(give)
            left -= give
    assert left == 0
    return manual


# Lines that data decides.


@pytest.mark.parametrize(
    ("extra", "absent", "unexcused", "points", "shown"),
    [
        (3, 1, 0, 5, "9/10"),  # 90%: the full band
        (2, 1, 0, 4, "8/9"),  # 88.9%: the next band down
        (3, 0, 1, 0, "9/10"),  # 90% but an absence without reason: the lowest
    ],
)
def test_attendance_bands_on_both_sides_of_90_percent(
    secretary, cell_a, members, system, extra, absent, unexcused, points, shown
):
    # given cell A grown to 9 or 10 members expected (the exempted member is not expected)
    _grow(cell_a, system, extra)
    meeting = _hold(
        secretary, cell_a, members["an"], members["duc"], absent=absent, unexcused=unexcused
    )
    evidence = scoring.gather_evidence(meeting)
    assert (evidence.present, evidence.expected) == tuple(map(int, shown.split("/")))
    line = _line(scoring.score_preview(meeting), "attendance")
    assert line.points == points and line.auto
    assert shown in line.evidence


@pytest.mark.parametrize(("speakers", "points"), [(5, 7), (6, 10)])
def test_the_share_of_members_who_spoke(secretary, cell_a, members, system, speakers, points):
    # given 10 members present, of whom 5 (exactly half: not "more than half") or 6 spoke
    _grow(cell_a, system, 3)
    meeting = _hold(secretary, cell_a, members["an"], members["duc"], speakers=speakers)
    evidence = scoring.gather_evidence(meeting)
    assert (evidence.speakers, evidence.members_present) == (speakers, 10)
    assert _line(scoring.score_preview(meeting), "speakers_share").points == points


def test_an_opinion_posted_in_advance_is_not_speaking(secretary, cell_a, members, users):
    meeting = actions.schedule_meeting(
        secretary, cell_a, kind=Kind.REGULAR, scheduled_at=at(DECEMBER)
    )
    actions.send_notice(secretary, meeting)
    actions.post_opinion(users["member_A"], meeting, "Đề nghị bổ sung chỉ tiêu")
    assert scoring.gather_evidence(meeting).speakers is None  # not held yet: no data
    meeting = actions.start_meeting(
        secretary, meeting, chair=members["an"], minute_taker=members["duc"]
    )
    actions.check_in(secretary, meeting, members["duc"])
    actions.check_in(secretary, meeting, members["an"])
    assert scoring.gather_evidence(meeting).speakers == 0
    actions.post_opinion(secretary, meeting, "Nhất trí", member=members["an"])
    assert scoring.gather_evidence(meeting).speakers == 1


def test_materials_tasks_and_minutes_come_from_the_record(secretary, cell_a, members):
    # November: three tasks; December reviews them: done, done late, not done.
    november = _hold(
        secretary, cell_a, members["an"], members["duc"], day=datetime.date(2026, 11, 3)
    )
    for title in ("Sửa nhà văn hóa", "Thu quỹ"):
        Task.objects.create(meeting=november, title=title, due_on=datetime.date(2026, 11, 30))
    december = _hold(secretary, cell_a, members["an"], members["duc"], close=False)
    Material.objects.create(
        meeting=december,
        title="Dự thảo nghị quyết",
        file="materials/draft.pdf",
        content_type="application/pdf",
        size=1,
        released_at=at(DECEMBER - datetime.timedelta(days=2), 20),
    )
    # Before the review the share is not known yet.
    assert scoring.gather_evidence(december).previous_tasks_done is None
    assert "previous_tasks_done" in scoring.score_preview(december).missing_evidence
    done, late, not_done = Task.objects.filter(meeting=november).order_by("id")
    actions.review_task(secretary, december, done, Task.Status.DONE)
    actions.review_task(secretary, december, late, Task.Status.LATE, "Xong ngày 5/12")
    actions.review_task(secretary, december, not_done, Task.Status.NOT_DONE)
    evidence = scoring.gather_evidence(december)
    # A task done late is done: the pack counts the tasks "đã hoàn thành" (completed).
    assert (evidence.previous_tasks_total, evidence.previous_tasks_done) == (3, 2)
    score = scoring.score_preview(december)
    assert _line(score, "previous_tasks_done").points == 12  # 66.7%: the band from 60%
    assert _line(score, "materials_posted").points == 5
    assert "2" in _line(score, "materials_posted").evidence
    # Unsigned and still within the deadline: pending, so the score is not complete.
    assert "minutes_signed_on_time" in score.missing_evidence and not score.complete
    actions.record_vote(secretary, december, subject="Nghị quyết", agree=6, disagree=0, abstain=0)
    actions.add_task(
        secretary,
        december,
        title="Tổng kết năm",
        due_on=datetime.date(2027, 1, 3),
        assignees=[members["an"]],
    )
    actions.close_meeting(secretary, december)
    december = Meeting.objects.get(pk=december.pk)
    _sign(december, days_after=3)
    line = _line(scoring.score_preview(december), "minutes_signed_on_time")
    assert line.points == 0 and "3" in line.evidence
    assert scoring.gather_evidence(november).materials_released_at is None


# Manual lines, completeness and storage.


def test_missing_manual_lines_are_listed_and_leave_no_total(secretary, cell_a, members):
    meeting = _hold(secretary, cell_a, members["an"], members["duc"])
    _sign(meeting)
    score = scoring.score_preview(meeting, {"principles": 4, "procedure": "9,5"})
    assert not score.missing_evidence
    assert set(score.missing_manual) == {
        "preparation_content",
        "current_events_content",
        "discussion_quality",
        "conclusion_quality",
        "previous_resolution_review",
        "readback",
    }
    assert not score.complete
    stored = scoring.save_score(secretary, meeting, {"principles": 4, "procedure": "9,5"})
    assert stored.total is None and stored.level == "" and stored.scored_at
    assert stored.manual == {"principles": 4, "procedure": 9.5}
    lines = {line["key"]: line for line in stored.items}
    assert lines["readback"]["points"] is None
    assert lines["procedure"] == {
        "key": "procedure",
        "title": "Thực hiện đúng, đủ các bước của chương trình sinh hoạt",
        "item_key": "conduct",
        "item_title": "Tổ chức, tiến hành sinh hoạt",
        "points": 9.5,
        "max": 10,
        "auto": False,
        "rule": None,
        "evidence": "",
    }
    assert lines["attendance"]["auto"] and lines["attendance"]["evidence"]
    # The preview shows the saved points when given none.
    assert scoring.score_preview(meeting).missing_manual == score.missing_manual


def test_manual_points_are_checked_by_the_rubric(secretary, cell_a, members):
    meeting = _hold(secretary, cell_a, members["an"], members["duc"])
    with pytest.raises(ValidationError) as exc:
        scoring.save_score(
            secretary, meeting, {"principles": 6, "readback": 2, "attendance": 5, "nothing": 1}
        )
    errors = exc.value.message_dict
    assert set(errors) == {"principles", "attendance", "nothing"}
    assert "Thực hiện nguyên tắc tập trung dân chủ" in errors["principles"][0]
    assert "từ 0 đến 5" in errors["principles"][0]
    assert not QualityScore.objects.exists()


def test_a_meeting_is_scored_once_it_is_closed(secretary, cell_a, members):
    meeting = _hold(secretary, cell_a, members["an"], members["duc"], close=False)
    with pytest.raises(ValidationError):
        scoring.save_score(secretary, meeting, {"principles": 4})
    assert not QualityScore.objects.exists()


# The pack of the meeting's date.


@pytest.fixture
def nghe_an_cell(tree, system):
    province = create_organisation(
        system, tree["C"], code="NA", name="Tỉnh ủy Nghệ An", level=Level.PROVINCE
    )
    commune = create_organisation(
        system, province, code="NA-NL", name="Đảng ủy xã Nghi Lộc", level=Level.SUPERIOR
    )
    cell = create_organisation(
        system,
        commune,
        code="NA-NL-X5",
        name="Chi bộ xóm 5",
        level=Level.GRASSROOTS_CELL,
        cell_type="residential",
    )
    for name in ("Nguyễn Văn Nam", "Hồ Thị Hương", "Phan Văn Đàn", "Lê Văn Hải", "Trần Văn Tứ"):
        make_member(system, cell, name)
    return cell


def test_a_2022_meeting_in_nghe_an_and_a_2026_meeting_use_their_own_packs(
    system, nghe_an_cell, secretary, cell_a, members
):
    chair, taker = nghe_an_cell.members.order_by("name_folded")[:2]
    old = _hold(system, nghe_an_cell, chair, taker, day=datetime.date(2022, 3, 3), speakers=3)
    new = _hold(secretary, cell_a, members["an"], members["duc"], speakers=4)
    _sign(new)

    old_preview, new_preview = scoring.score_preview(old), scoring.score_preview(new)
    assert (old_preview.pack_id, new_preview.pack_id) == ("nghe-an-2021", "hd42-2025")
    assert not old_preview.missing_evidence and not new_preview.missing_evidence
    # The 2021 sheet has no line for signing the minutes; its attendance line is worth 10.
    assert {line.key for line in old_preview.lines}.isdisjoint({"minutes_signed_on_time"})
    assert _line(old_preview, "attendance").max_points == 10

    old_score = scoring.save_score(system, old, _manual_to_reach(old_preview, 85))
    new_score = scoring.save_score(secretary, new, _manual_to_reach(new_preview, 85))
    assert (old_score.pack_id, old_score.total, old_score.level, old_score.level_label) == (
        "nghe-an-2021",
        Decimal(85),
        "good",
        "Tốt",
    )
    assert (new_score.pack_id, new_score.total, new_score.level, new_score.level_label) == (
        "hd42-2025",
        Decimal(85),
        "fair",
        "Khá",
    )


def test_a_later_pack_never_changes_a_stored_score(secretary, cell_a, members, monkeypatch):
    meeting = _hold(secretary, cell_a, members["an"], members["duc"], speakers=4)
    _sign(meeting)
    manual = _manual_to_reach(scoring.score_preview(meeting), 85)
    scoring.save_score(secretary, meeting, manual)
    saved = QualityScore.objects.values().get(meeting=meeting)

    # A different pack is now in force for that date (here: the Nghệ An sheet).
    monkeypatch.setattr(scoring, "pack_for", lambda org, day: pack_by_id("nghe-an-2021"))
    assert QualityScore.objects.values().get(meeting=meeting) == saved
    assert scoring.score_preview(meeting).pack_id == "hd42-2025"
    again = scoring.save_score(secretary, meeting, manual)
    assert (again.pack_id, again.total, again.level_label) == ("hd42-2025", Decimal(85), "Khá")
    assert again.items == saved["items"]


# Who may score.


def test_only_the_cells_runners_and_the_named_assessor_may_save(secretary, cell_a, members, users):
    meeting = _hold(secretary, cell_a, members["an"], members["duc"])
    for role in ("member_A", "standing_X", "staff_X", "stranger"):
        with pytest.raises(PermissionDenied):
            scoring.save_score(users[role], meeting, {"principles": 4})
    assert not QualityScore.objects.exists()
    assert not AuditEvent.objects.filter(action="meeting.score").exists()

    with pytest.raises(PermissionDenied):
        scoring.name_assessor(users["member_A"], meeting, members["duc"])
    with pytest.raises(ValidationError):
        scoring.name_assessor(secretary, meeting, members["hoa"])  # another cell's member
    scoring.name_assessor(secretary, meeting, members["duc"])
    assert QualityScore.objects.get().scored_at is None

    # member_A's user is Đỗ Minh Đức, now the assessor.
    stored = scoring.save_score(users["member_A"], meeting, {"principles": 5})
    assert stored.assessor == members["duc"] and stored.manual == {"principles": 5}
    event = AuditEvent.objects.get(action="meeting.score")
    assert event.changes["pack"] == "hd42-2025"
    # The committee member may score too; the plain member who is not the assessor may not.
    scoring.save_score(users["committee_A"], meeting, {"principles": 4})
    scoring.name_assessor(secretary, meeting, members["an"])
    with pytest.raises(PermissionDenied):
        scoring.save_score(users["member_A"], meeting, {"principles": 1})
    assert QualityScore.objects.get().manual == {"principles": 4}


def test_refresh_fills_the_minutes_line_once_signed(secretary, cell_a, members):
    meeting = _hold(secretary, cell_a, members["an"], members["duc"], speakers=4)
    preview = scoring.score_preview(meeting)
    manual = _manual_to_reach(preview, 80)  # automatic lines except the minutes' are known
    stored = scoring.save_score(secretary, meeting, manual)
    assert stored.total is None  # the minutes are not signed yet
    _sign(meeting)
    stored = scoring.refresh_score(secretary, meeting)
    assert stored.total == Decimal(83) and stored.level_label == "Khá"
