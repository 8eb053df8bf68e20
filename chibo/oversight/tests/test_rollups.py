"""The monthly roll-up follows every write that changes a cell's figures, in the same
transaction, and always equals a recomputation from the records; a reorganisation keeps
the rows and moves them with their cell."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chibo.meetings import actions, minutes, scoring
from chibo.meetings.models import AttendanceStatus, Kind, Task
from chibo.orgs.actions import merge_organisations, move_organisation
from chibo.orgs.models import Organisation
from chibo.oversight import queries, rollups, warnings
from chibo.oversight.models import EarlyWarning, MonthFigures, OpenWarnings
from chibo.oversight.tests.conftest import HCM, hold

D = datetime.date
DECEMBER = D(2026, 12, 1)


def row(cell, month):
    return MonthFigures.objects.get(organisation=cell, month=month)


def test_a_meeting_in_progress_counts_nothing_yet(clock, system, cell_a, members):
    clock.set(D(2026, 12, 3))
    meeting = actions.schedule_meeting(
        system,
        cell_a,
        kind=Kind.REGULAR,
        scheduled_at=datetime.datetime(2026, 12, 3, 8, tzinfo=HCM),
    )
    actions.send_notice(system, meeting)
    actions.start_meeting(system, meeting, chair=members["an"], minute_taker=members["duc"])
    actions.check_in(system, meeting, members["an"])
    assert not MonthFigures.objects.exists()
    assert rollups.verify() == []


def test_a_meeting_counts_once_it_is_closed(clock, system, cell_a, members):
    held = hold(clock, system, cell_a, D(2026, 12, 4), absent=2, moved_reason="Họp bù")
    december = row(cell_a, DECEMBER)
    assert held.period == DECEMBER
    assert (december.regular_held, december.meetings_held) == (1, 1)
    assert december.regular_on_day == 0  # the 4th, not the set day (the 3rd)
    # Seven expected (six official, one probationary; the exempted member is not counted).
    assert (december.attendance_expected, december.attendance_present) == (7, 5)
    # The task is due on 24/12 and not reviewed yet: due, not done on time.
    assert (december.tasks_due, december.tasks_on_time) == (1, 0)
    assert december.path == cell_a.path
    assert rollups.verify() == []


def test_on_the_set_day_and_a_thematic_meeting_in_the_quarter(clock, system, cell_a, members):
    hold(clock, system, cell_a, D(2026, 10, 3))
    hold(clock, system, cell_a, D(2026, 11, 3))
    hold(clock, system, cell_a, D(2026, 11, 17), kind=Kind.THEMATIC)
    hold(clock, system, cell_a, D(2026, 12, 10), kind=Kind.THEMATIC)
    october, november = row(cell_a, D(2026, 10, 1)), row(cell_a, D(2026, 11, 1))
    assert (october.regular_held, october.regular_on_day) == (1, 1)
    assert (november.meetings_held, november.thematic_held) == (2, 1)
    # The quarter's first thematic meeting marks its month only.
    assert november.thematic_first_in_quarter == 1
    assert row(cell_a, DECEMBER).thematic_first_in_quarter == 0
    assert october.thematic_first_in_quarter == 0
    assert rollups.verify() == []


def test_corrections_after_closing_and_the_next_review_follow(clock, system, cell_a, members):
    first = hold(clock, system, cell_a, D(2026, 10, 3), absent=1)
    absent = first.attendance.get(status=AttendanceStatus.ABSENT_UNEXCUSED).member
    actions.set_attendance(system, first, absent, AttendanceStatus.PRESENT)
    assert row(cell_a, D(2026, 10, 1)).attendance_present == 7
    # October's task is due on 23/10; the November meeting reviews it as done.
    hold(clock, system, cell_a, D(2026, 11, 3))
    october = row(cell_a, D(2026, 10, 1))
    assert (october.tasks_due, october.tasks_on_time) == (1, 1)
    assert rollups.verify() == []


def test_a_task_done_late_is_due_but_not_on_time(clock, system, cell_a, members):
    hold(clock, system, cell_a, D(2026, 10, 3))
    clock.set(D(2026, 11, 3))
    later = actions.schedule_meeting(
        system,
        cell_a,
        kind=Kind.REGULAR,
        scheduled_at=datetime.datetime(2026, 11, 3, 8, tzinfo=HCM),
    )
    actions.send_notice(system, later)
    actions.start_meeting(system, later, chair=members["an"], minute_taker=members["duc"])
    actions.review_task(system, later, Task.objects.get(), Task.Status.LATE)
    assert (row(cell_a, D(2026, 10, 1)).tasks_due, row(cell_a, D(2026, 10, 1)).tasks_on_time) == (
        1,
        0,
    )
    assert rollups.verify() == []


def test_signed_minutes_and_a_score_are_counted(clock, system, cell_a, members, users):
    meeting = hold(clock, system, cell_a, D(2026, 10, 3))
    minutes.edit_minutes(system, meeting, summary="Tóm tắt", conclusion="Kết luận")
    chair, taker = users["secretary_A"], users["member_A"]
    taker.member, chair.member = meeting.minute_taker, meeting.chair
    taker.save()
    chair.save()
    clock.set(D(2026, 10, 5))  # two days after: within HD 42's deadline
    minutes.sign_minutes(chair, meeting, "chair", "pw-secretary_A-123")
    minutes.sign_minutes(taker, meeting, "minute_taker", "pw-member_A-123")
    october = row(cell_a, D(2026, 10, 1))
    assert (october.minutes_signed, october.minutes_on_time) == (1, 1)
    preview = scoring.score_preview(meeting)
    manual = {line.key: str(line.max_points) for line in preview.lines if not line.auto}
    stored = scoring.save_score(system, meeting, manual)
    assert stored.level
    assert getattr(row(cell_a, D(2026, 10, 1)), f"level_{stored.level}") == 1
    assert rollups.verify() == []


def test_minutes_signed_after_the_deadline_are_not_on_time(clock, system, cell_a, members, users):
    meeting = hold(clock, system, cell_a, D(2026, 10, 3))
    minutes.edit_minutes(system, meeting, summary="Tóm tắt", conclusion="Kết luận")
    chair, taker = users["secretary_A"], users["member_A"]
    taker.member, chair.member = meeting.minute_taker, meeting.chair
    taker.save()
    chair.save()
    clock.set(D(2026, 10, 6))  # three days after: one day late
    minutes.sign_minutes(chair, meeting, "chair", "pw-secretary_A-123")
    minutes.sign_minutes(taker, meeting, "minute_taker", "pw-member_A-123")
    october = row(cell_a, D(2026, 10, 1))
    assert (october.minutes_signed, october.minutes_on_time) == (1, 0)


def test_verify_names_a_changed_row_and_rebuild_repairs_it(clock, system, cell_a, members):
    hold(clock, system, cell_a, D(2026, 10, 3))
    MonthFigures.objects.filter(organisation=cell_a).update(attendance_present=1)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("rollups", "verify", "--org", "G", stdout=out)
    assert "attendance_present" in out.getvalue() and cell_a.code in out.getvalue()
    call_command("rollups", "rebuild", "--org", "G", stdout=StringIO())
    out = StringIO()
    call_command("rollups", "verify", stdout=out)
    assert rollups.verify() == []
    # An unknown organisation is refused, not taken for the whole tree.
    with pytest.raises(CommandError):
        call_command("rollups", "verify", "--org", "NOPE", stdout=StringIO())


def test_a_row_without_records_is_a_difference(clock, system, cell_a, tree):
    B = tree["B"]
    MonthFigures.objects.create(
        organisation=B, path=B.path, is_cell=True, month=DECEMBER, meetings_held=1
    )
    differences = {(d.organisation, d.field, d.stored, d.computed) for d in rollups.verify()}
    # The cell's row has no records behind it; the committees above never counted it.
    assert differences == {
        ("B", "meetings_held", 1, 0),
        ("G", "meetings_held", 0, 1),
        ("X", "meetings_held", 0, 1),
        ("P", "meetings_held", 0, 1),
        ("C", "meetings_held", 0, 1),
    }


def test_a_committees_row_is_the_sum_of_its_cells(clock, system, cell_a, tree, members):
    hold(clock, system, cell_a, D(2026, 10, 3), absent=1)
    for code in ("G", "X", "P", "C"):
        row = MonthFigures.objects.get(organisation=tree[code], month=D(2026, 10, 1))
        assert (row.is_cell, row.meetings_held, row.attendance_present) == (False, 1, 6)
    MonthFigures.objects.filter(organisation=tree["X"]).update(attendance_present=9)
    assert [(d.organisation, d.field) for d in rollups.verify()] == [("X", "attendance_present")]
    rollups.rebuild()
    assert rollups.verify() == []


def subtree_meetings(org):
    return sum(
        MonthFigures.objects.filter(organisation=org).values_list("meetings_held", flat=True)
    )


def test_a_moved_committee_takes_its_cells_rows_along(clock, system, cell_a, members, tree, users):
    hold(clock, system, cell_a, D(2026, 10, 3))
    assert (subtree_meetings(tree["X"]), subtree_meetings(tree["X2"])) == (1, 0)
    move_organisation(users["admin_P"], tree["G"], tree["X2"])
    cell_a = Organisation.objects.get(pk=cell_a.pk)
    assert row(cell_a, D(2026, 10, 1)).path == cell_a.path
    assert (subtree_meetings(tree["X"]), subtree_meetings(tree["X2"])) == (0, 1)
    assert rollups.verify() == []


def test_a_merged_cell_keeps_its_past_and_the_whole_adds_up(clock, system, cell_a, members, tree):
    hold(clock, system, cell_a, D(2026, 10, 3))
    clock.set(D(2026, 10, 20))
    merge_organisations(system, cell_a, tree["B"])
    # A's October stays A's: nothing is lost or counted twice under the committee.
    assert row(cell_a, D(2026, 10, 1)).meetings_held == 1
    assert subtree_meetings(tree["G"]) == 1
    assert rollups.verify() == []


def test_open_warnings_are_counted_up_the_tree_by_each_run(clock, system, cell_a, tree):
    hold(clock, system, cell_a, D(2026, 10, 5), absent=3, moved_reason="Họp bù")
    clock.set(D(2026, 10, 20))
    warnings.run(D(2026, 10, 20))
    low = EarlyWarning.objects.filter(rule="attendance_low", state="open").count()
    assert low == 1
    for code in ("A", "G", "X", "P", "C"):
        counted = OpenWarnings.objects.get(organisation=tree[code], rule="attendance_low")
        assert counted.count == 1
    assert not OpenWarnings.objects.filter(organisation=tree["X2"], rule="attendance_low").exists()
    assert rollups.verify_open_warnings() == []
    figures = queries.subtree_figures(
        tree["X"], queries.parse_period("2026-10", D(2026, 10, 20)), D(2026, 10, 20)
    )
    assert figures.warnings["attendance_low"] == 1
    OpenWarnings.objects.filter(organisation=tree["G"]).delete()
    assert {d.organisation for d in rollups.verify_open_warnings()} == {"G"}


def test_every_meetings_pack_scores_into_the_levels_the_roll_up_counts():
    from chibo.oversight.models import QUALITY_LEVELS
    from chibo.regulations.loader import load_packs

    for pack in load_packs():
        if pack.subject == "meetings":
            assert {level.key for level in pack.quality.levels} <= set(QUALITY_LEVELS), pack.id
