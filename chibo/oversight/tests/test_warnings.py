"""Early warnings: every rule on both sides of its threshold, the run that raises, keeps,
resolves and reopens them, and acknowledging one with a note.

Records are written straight to the tables where the actions would refuse them (a meeting
off its day without a reason, a month left without a meeting): the rules exist to catch
records like these. Today is 20/11/2026 unless a test says otherwise; the HD 42 pack and
the 2025 membership pack are in force.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from chibo.admissions.models import Probation, ProbationState
from chibo.audit.models import AuditEvent
from chibo.conflicts import StaleVersion
from chibo.fees import actions as fee_actions
from chibo.fees.queries import unpaid_months
from chibo.meetings.models import (
    REGULAR_KINDS,
    Attendance,
    AttendanceStatus,
    Kind,
    Material,
    Meeting,
    MeetingStatus,
    QualityScore,
    Task,
)
from chibo.members.models import Member
from chibo.oversight import warnings
from chibo.oversight.actions import acknowledge_warning
from chibo.oversight.models import EarlyWarning, WarningState
from chibo.transfers.models import Kind as TransferKind
from chibo.transfers.models import Reason, Transfer, TransferStatus
from tests.fixtures import make_member

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date
TODAY = D(2026, 11, 20)


@pytest.fixture
def clock(monkeypatch):
    """The actions' today (timezone.now): 20/11/2026, 10:00 in Hà Giang."""
    moment = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=HCM)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def recent(settings):
    """Only October and November 2026 are looked at, so that the cells without meetings
    do not fill the tests with a warning for every month of the year."""
    settings.CHIBO_WARNINGS_FROM = "2026-10-01"


def at(day: datetime.date, hour: int = 8) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=HCM)


def meeting(cell, day, *, kind=Kind.REGULAR, status=MeetingStatus.SIGNED, reason="", period=None):
    """A meeting of the cell on day, from 8:00 to 10:00 when held."""
    held = status in (MeetingStatus.CLOSED, MeetingStatus.SIGNED, MeetingStatus.IN_PROGRESS)
    regular = kind in REGULAR_KINDS
    return Meeting.objects.create(
        organisation=cell,
        kind=kind,
        status=status,
        period=(period or day.replace(day=1)) if regular else None,
        scheduled_at=at(day),
        started_at=at(day) if held else None,
        ended_at=at(day, 10) if held and status != MeetingStatus.IN_PROGRESS else None,
        moved_reason=reason,
        topic="" if regular and kind == Kind.REGULAR else "Học tập và làm theo tư tưởng Bác",
    )


def active(rule, cell=None, subject=None):
    rows = EarlyWarning.objects.filter(rule=rule, state__in=warnings.ACTIVE_STATES)
    if cell is not None:
        rows = rows.filter(organisation=cell)
    if subject is not None:
        rows = rows.filter(subject=subject)
    return list(rows)


def subjects(rule, cell):
    return sorted(w.subject for w in active(rule, cell))


def message(warning) -> str:
    with translation.override("en"):
        return warnings.describe(EarlyWarning.objects.select_related("member").get(pk=warning.pk))


# A month without its regular meeting.


def test_a_month_without_a_regular_meeting_is_warned_once_the_grace_days_pass(tree, recent):
    # given: A met in October, not yet in November; B met in neither month
    meeting(tree["A"], D(2026, 10, 3))
    # when: the set day (3rd) and the pack's 7 grace days have not passed yet
    warnings.run(D(2026, 11, 10))
    # then: only October's missed month is warned
    assert subjects("meeting_missed", tree["A"]) == []
    assert subjects("meeting_missed", tree["B"]) == ["2026-10"]
    # when: one day later
    warnings.run(D(2026, 11, 11))
    assert subjects("meeting_missed", tree["A"]) == ["2026-11"]
    assert subjects("meeting_missed", tree["B"]) == ["2026-10", "2026-11"]
    warning = active("meeting_missed", tree["A"])[0]
    assert warning.source == "50-CT/TW" and warning.pack_id == "hd42-2025"
    assert warning.path == tree["A"].path and warning.member is None
    assert message(warning) == "No regular meeting was held in 11/2026."


def test_a_cells_own_meeting_day_moves_the_deadline(tree, recent):
    # given: S meets on the 1st of the month
    tree["S"].meeting_day = 1
    tree["S"].save()
    meeting(tree["S"], D(2026, 10, 1))
    # then: due on the 8th, warned on the 9th
    warnings.run(D(2026, 11, 8))
    assert subjects("meeting_missed", tree["S"]) == []
    warnings.run(D(2026, 11, 9))
    assert subjects("meeting_missed", tree["S"]) == ["2026-11"]
    assert active("meeting_missed", tree["S"])[0].evidence["set_day"] == 1


def test_a_meeting_planned_later_in_the_month_is_waited_for(tree, recent):
    meeting(tree["A"], D(2026, 10, 3))
    meeting(
        tree["A"], D(2026, 11, 25), status=MeetingStatus.PLANNED, reason="Bí thư đi học tập trung"
    )
    warnings.run(TODAY)
    assert subjects("meeting_missed", tree["A"]) == []
    # when: its day passes and it was never held
    warnings.run(D(2026, 11, 26))
    [warning] = active("meeting_missed", tree["A"])
    assert message(warning) == (
        "No regular meeting was held in 11/2026. The meeting planned for 25/11/2026 was not held."
    )


def test_a_thematic_meeting_does_not_stand_for_the_regular_one(tree, recent):
    meeting(tree["A"], D(2026, 10, 3))
    meeting(tree["A"], D(2026, 11, 3), kind=Kind.THEMATIC)
    warnings.run(TODAY)
    assert subjects("meeting_missed", tree["A"]) == ["2026-11"]


# A meeting off its set day.


def test_a_regular_meeting_off_the_set_day_needs_a_recorded_reason(tree, recent):
    on_day = meeting(tree["A"], D(2026, 10, 3))
    off_day = meeting(tree["A"], D(2026, 11, 5))
    excused = meeting(tree["B"], D(2026, 11, 6), reason="Trùng lịch họp của xã")
    warnings.run(TODAY)
    assert subjects("meeting_off_day", tree["A"]) == [f"meeting:{off_day.pk}"]
    assert active("meeting_off_day", subject=f"meeting:{on_day.pk}") == []
    assert active("meeting_off_day", subject=f"meeting:{excused.pk}") == []
    assert message(active("meeting_off_day")[0]) == (
        "The regular meeting of 05/11/2026, for 11/2026, was not held on the set day "
        "(day 3 of the month) and no reason was recorded."
    )


def test_a_months_meeting_held_in_another_month_without_reason_is_warned(tree, recent):
    # October's meeting held on 3 November: on the day, but not in its month
    late = meeting(tree["A"], D(2026, 11, 3), period=D(2026, 10, 1))
    warnings.run(TODAY)
    assert subjects("meeting_off_day", tree["A"]) == [f"meeting:{late.pk}"]


# The thematic meeting of the quarter.


def test_no_thematic_meeting_is_warned_from_the_quarters_second_month(tree, recent):
    # given: A held one in October, B plans one for December, S has none
    meeting(tree["A"], D(2026, 10, 15), kind=Kind.THEMATIC)
    meeting(tree["B"], D(2026, 12, 10), kind=Kind.THEMATIC, status=MeetingStatus.PLANNED)
    # when: still the quarter's first month
    warnings.run(D(2026, 10, 31))
    assert active("thematic_missing") == []
    # when: its second month begins
    warnings.run(D(2026, 11, 1))
    assert subjects("thematic_missing", tree["A"]) == []
    assert subjects("thematic_missing", tree["B"]) == []
    assert subjects("thematic_missing", tree["S"]) == ["2026-Q4"]
    warning = active("thematic_missing", tree["S"])[0]
    assert warning.source == "50-CT/TW"
    assert message(warning) == (
        "No thematic meeting has been held or planned in quarter 4/2026; the quarter ends on "
        "31/12/2026."
    )


def test_a_quarter_that_has_ended_keeps_its_warning_but_raises_no_new_one(tree, settings):
    settings.CHIBO_WARNINGS_FROM = "2026-10-01"
    # given: S was warned during the quarter; A was not looked at then
    warnings.run(D(2026, 11, 1), tree["S"])
    # when: the quarter is over and nothing was held
    warnings.run(D(2027, 1, 5))
    [kept] = active("thematic_missing", tree["S"], "2026-Q4")
    assert kept.state == WarningState.OPEN
    assert active("thematic_missing", tree["A"], "2026-Q4") == []
    assert message(kept) == "No thematic meeting was held in quarter 4/2026."
    # when: the thematic meeting of December is entered late
    meeting(tree["S"], D(2026, 12, 20), kind=Kind.THEMATIC)
    warnings.run(D(2027, 1, 6))
    kept.refresh_from_db()
    assert kept.state == WarningState.RESOLVED and kept.resolved_on == D(2027, 1, 6)


# Attendance.


@pytest.fixture
def crowd(tree, members, system):
    """Cell A: an, duc and eight more members."""
    extra = [make_member(system, tree["A"], f"Hoàng Văn {i}") for i in range(8)]
    return [members["an"], members["duc"], *extra]


def attend(held, people, present, absent=0, exempted=0, temporary=0):
    """Attendance rows: `present` present, then `absent` absent with reason, `exempted`
    exempted and `temporary` members here temporarily (absent)."""
    statuses = (
        [AttendanceStatus.PRESENT] * present
        + [AttendanceStatus.ABSENT_EXCUSED] * absent
        + [AttendanceStatus.EXEMPTED] * exempted
    )
    for member, status in zip(people, statuses, strict=False):
        Attendance.objects.create(meeting=held, member=member, status=status)
    for member in people[len(statuses) : len(statuses) + temporary]:
        Attendance.objects.create(
            meeting=held, member=member, status=AttendanceStatus.ABSENT_EXCUSED, temporary=True
        )


def test_attendance_below_the_packs_minimum_is_warned(tree, crowd, recent):
    # 80% exactly: 4 of 5, however many are exempted or here temporarily
    enough = meeting(tree["A"], D(2026, 10, 3))
    attend(enough, crowd, present=4, absent=1, exempted=2, temporary=2)
    # just below: 3 of 4 (75%)
    short = meeting(tree["A"], D(2026, 11, 3))
    attend(short, crowd, present=3, absent=1)
    warnings.run(TODAY)
    assert subjects("attendance_low", tree["A"]) == [f"meeting:{short.pk}"]
    warning = active("attendance_low")[0]
    assert warning.evidence["present"] == 3 and warning.evidence["expected"] == 4
    assert warning.source == "42-HD/BTCTW"
    assert message(warning) == (
        "Attendance was 75% (3 of 4) at the meeting of 03/11/2026; the rule asks for at least 80%."
    )


def test_attendance_of_a_meeting_not_held_yet_is_not_judged(tree, crowd, recent):
    under_way = meeting(tree["A"], D(2026, 11, 20), status=MeetingStatus.IN_PROGRESS)
    attend(under_way, crowd, present=1, absent=4)
    warnings.run(TODAY)
    assert active("attendance_low") == []


# The documents.


def release(held, day, hour=20):
    return Material.objects.create(
        meeting=held,
        title="Dự thảo nghị quyết",
        file="materials/draft.pdf",
        content_type="application/pdf",
        size=1,
        released_at=at(day, hour),
    )


def test_documents_released_less_than_a_day_before_are_warned(tree, recent):
    in_time = meeting(tree["A"], D(2026, 11, 3))
    release(in_time, D(2026, 11, 2))
    same_day = meeting(tree["B"], D(2026, 11, 3))
    release(same_day, D(2026, 11, 3), hour=7)
    nothing = meeting(tree["S"], D(2026, 11, 3))
    warnings.run(TODAY)
    assert subjects("materials_late", tree["A"]) == []
    assert subjects("materials_late", tree["B"]) == [f"meeting:{same_day.pk}"]
    assert subjects("materials_late", tree["S"]) == [f"meeting:{nothing.pk}"]
    assert message(active("materials_late", tree["B"])[0]) == (
        "The documents for the meeting of 03/11/2026 were released on 03/11/2026, less than "
        "1 day before."
    )
    assert message(active("materials_late", tree["S"])[0]) == (
        "No documents were released for the meeting of 03/11/2026; the rule asks for them "
        "1 day before."
    )


def test_a_planned_meeting_is_warned_once_its_documents_can_no_longer_be_on_time(tree, recent):
    coming = meeting(tree["A"], D(2026, 11, 21), status=MeetingStatus.PLANNED)
    warnings.run(TODAY)  # the day before: still time to release
    assert active("materials_late") == []
    warnings.run(D(2026, 11, 21))
    assert subjects("materials_late", tree["A"]) == [f"meeting:{coming.pk}"]


# The minutes.


def test_minutes_unsigned_after_the_deadline_are_warned(tree, recent):
    closed = meeting(tree["A"], D(2026, 11, 17), status=MeetingStatus.CLOSED, reason="Họp bù")
    meeting(tree["B"], D(2026, 11, 3), status=MeetingStatus.SIGNED)
    # the 2-day deadline ends on 19/11
    warnings.run(D(2026, 11, 19))
    assert active("minutes_unsigned") == []
    warnings.run(TODAY)
    assert subjects("minutes_unsigned", tree["A"]) == [f"meeting:{closed.pk}"]
    assert subjects("minutes_unsigned", tree["B"]) == []
    assert message(active("minutes_unsigned")[0]) == (
        "The minutes of the meeting of 17/11/2026 are not signed; the deadline was 19/11/2026."
    )
    # when: they are signed, the warning resolves by itself
    Meeting.objects.filter(pk=closed.pk).update(status=MeetingStatus.SIGNED)
    warnings.run(D(2026, 11, 21))
    assert active("minutes_unsigned") == []
    assert EarlyWarning.objects.get(rule="minutes_unsigned").resolved_on == D(2026, 11, 21)


# The quality score.


def test_a_meeting_without_a_complete_score_is_warned_after_the_grace_days(tree, recent):
    scored = meeting(tree["A"], D(2026, 11, 3))
    QualityScore.objects.create(meeting=scored, pack_id="hd42-2025", total=Decimal(92))
    unscored = meeting(tree["B"], D(2026, 11, 3))
    unfinished = meeting(tree["S"], D(2026, 11, 3))
    QualityScore.objects.create(meeting=unfinished, pack_id="hd42-2025", total=None)
    # 7 days after the meeting: not yet
    warnings.run(D(2026, 11, 10))
    assert active("score_missing") == []
    warnings.run(D(2026, 11, 11))
    assert subjects("score_missing", tree["A"]) == []
    assert subjects("score_missing", tree["B"]) == [f"meeting:{unscored.pk}"]
    assert subjects("score_missing", tree["S"]) == [f"meeting:{unfinished.pk}"]
    assert message(active("score_missing", tree["B"])[0]) == (
        "The meeting of 03/11/2026 has no quality score."
    )
    assert message(active("score_missing", tree["S"])[0]) == (
        "The quality score of the meeting of 03/11/2026 is not finished."
    )


# The resolution's tasks.


def test_a_task_past_its_due_day_and_not_reviewed_is_warned(tree, recent):
    held = meeting(tree["A"], D(2026, 11, 3))
    late = Task.objects.create(meeting=held, title="Rà soát hộ nghèo", due_on=D(2026, 11, 19))
    Task.objects.create(meeting=held, title="Sửa đường thôn", due_on=TODAY)
    Task.objects.create(
        meeting=held, title="Thu đảng phí", due_on=D(2026, 11, 10), status=Task.Status.DONE
    )
    warnings.run(TODAY)
    assert subjects("tasks_overdue", tree["A"]) == [f"task:{late.pk}"]
    assert message(active("tasks_overdue")[0]) == (
        "The task “Rà soát hộ nghèo” of the meeting of 03/11/2026 was due on 19/11/2026 and "
        "has not been reviewed."
    )
    # when: it is reviewed as done late
    Task.objects.filter(pk=late.pk).update(status=Task.Status.LATE)
    warnings.run(D(2026, 11, 21))
    assert subjects("tasks_overdue", tree["A"]) == [f"task:{Task.objects.get(due_on=TODAY).pk}"]


# A member's absences (Charter art. 8).


def absent_in(cell, member, *months, status=AttendanceStatus.ABSENT_UNEXCUSED):
    for month in months:
        held = Meeting.objects.filter(organisation=cell, period=D(2026, month, 1)).first()
        held = held or meeting(cell, D(2026, month, 3))
        Attendance.objects.create(meeting=held, member=member, status=status)


def test_absences_without_reason_warn_at_two_months_and_call_for_removal_at_three(
    tree, members, system, recent
):
    an, duc = members["an"], members["duc"]
    absent_in(tree["A"], an, 3)
    absent_in(tree["A"], duc, 3, 5)
    absent_in(tree["A"], an, 5, 6, status=AttendanceStatus.ABSENT_EXCUSED)
    warnings.run(TODAY)
    assert active("member_absent", tree["A"], f"member:{an.pk}:2026") == []
    [warning] = active("member_absent", tree["A"], f"member:{duc.pk}:2026")
    assert warning.member == duc and warning.source == "Điều lệ Đảng, Điều 8"
    assert warning.evidence["months"] == ["2026-03", "2026-05"]
    assert warning.evidence["level"] == 0
    assert message(warning) == (
        "Đỗ Minh Đức was absent without reason from the regular meeting in 2 months of 2026 "
        "(03/2026, 05/2026). At 3 months the cell must consider removing the name "
        "(Điều lệ Đảng, Điều 8)."
    )
    # when: acknowledged, then a third month
    acknowledge_warning(system, warning, "Chi ủy đã gặp đồng chí Đức")
    absent_in(tree["A"], duc, 9)
    warnings.run(D(2026, 11, 21))
    warning.refresh_from_db()
    assert warning.evidence["level"] == 1
    assert warning.state == WarningState.OPEN  # worse than when acknowledged
    assert message(warning).endswith(
        "The cell must consider removing the name (Điều lệ Đảng, Điều 8)."
    )


def test_absences_of_last_year_are_left_as_they_were(tree, members, settings):
    settings.CHIBO_WARNINGS_FROM = "2026-01-01"
    duc = members["duc"]
    absent_in(tree["A"], duc, 3, 5)
    warnings.run(TODAY)
    # when: the new year begins, last year's warning is not this year's rule any more
    warnings.run(D(2027, 1, 2))
    [warning] = active("member_absent", tree["A"])
    assert warning.subject == f"member:{duc.pk}:2026" and warning.state == WarningState.OPEN


# A member's unpaid fees (Charter art. 8).


@pytest.fixture
def fee_book(clock, tree, members, system):
    """an and duc pay 1% of their salary from 01/2026: an paid January to August, duc
    January to September; hoa's fee is from 10/2026 and unpaid."""
    an, duc, hoa = members["an"], members["duc"], members["hoa"]
    for member, last in ((an, 8), (duc, 9)):
        fee_actions.set_basis(
            system, member, basis="salary", income=6_000_000, from_month=D(2026, 1, 1)
        )
        fee_actions.record_payment(
            system,
            member,
            months=[D(2026, m, 1) for m in range(1, last + 1)],
            paid_on=D(2026, 10, 1),
        )
    fee_actions.set_basis(system, hoa, basis="salary", income=6_000_000, from_month=D(2026, 10, 1))
    return {"an": an, "duc": duc, "hoa": hoa}


def test_fees_unpaid_for_two_months_of_the_year_are_warned(tree, fee_book, recent):
    an, duc, hoa = fee_book["an"], fee_book["duc"], fee_book["hoa"]
    warnings.run(TODAY)
    # an: September and October unpaid (November is still being collected)
    [warning] = active("member_unpaid_fees", tree["A"])
    assert warning.member == an and warning.evidence["months"] == ["2026-09", "2026-10"]
    assert message(warning) == (
        "Nguyễn Văn An has not paid the party fee for 2 months of 2026 (09/2026, 10/2026). "
        "At 3 months the cell must consider removing the name (Điều lệ Đảng, Điều 8)."
    )
    # duc owes October only, hoa October only: below the figure
    assert active("member_unpaid_fees", tree["B"]) == []
    # the months are those the fee book gives, member by member
    for member in (an, duc, hoa):
        found = warnings.unpaid_fee_months(
            Member.objects.filter(pk=member.pk), 2026, TODAY, least=1
        )
        assert found.get(member.pk, []) == unpaid_months(member, 2026, TODAY)


def test_a_payment_resolves_the_fee_warning(tree, fee_book, system, recent):
    warnings.run(TODAY)
    fee_actions.record_payment(
        system, fee_book["an"], months=[D(2026, 9, 1)], paid_on=D(2026, 11, 20)
    )
    warnings.run(D(2026, 11, 21))
    assert active("member_unpaid_fees") == []
    assert EarlyWarning.objects.get(rule="member_unpaid_fees").state == WarningState.RESOLVED


# Probation and temporary transfers.


def probation(member, ends_on):
    return Probation.objects.create(
        member=member,
        pack_id="membership-2025",
        decided_on=ends_on.replace(year=ends_on.year - 1) - datetime.timedelta(days=10),
        ceremony_due=ends_on.replace(year=ends_on.year - 1),
        ceremony_on=ends_on.replace(year=ends_on.year - 1),
        ends_on=ends_on,
        review_due=ends_on + datetime.timedelta(days=42),
        state=ProbationState.ON_PROBATION,
    )


def test_a_probation_ending_within_thirty_days_is_warned(tree, members, system, recent):
    soon = probation(members["lan"], TODAY + datetime.timedelta(days=30))
    later_member = make_member(
        system, tree["T"], "Vàng Thị Mỷ", status="probationary", official_on=None
    )
    probation(later_member, TODAY + datetime.timedelta(days=31))
    warnings.run(TODAY)
    [warning] = active("probation_ending")
    assert warning.organisation == tree["S"] and warning.member == members["lan"]
    assert warning.subject == f"probation:{soon.pk}"
    assert message(warning) == (
        "The probation of Lò Thị Lan ends on 20/12/2026: the cell prepares the vote on "
        "recognition as an official member."
    )
    # when: the probation has ended, the recognition is a deadline of its own
    warnings.run(D(2026, 12, 21))
    assert subjects("probation_ending", tree["S"]) == []


def transfer(member, home, to, ends_on, status=TransferStatus.ACTIVE):
    return Transfer.objects.create(
        member=member,
        kind=TransferKind.TEMPORARY,
        reason=Reason.TRAINING,
        event_on=D(2026, 6, 1),
        from_org=home,
        to_org=to,
        letter_number="12-GGT",
        letter_date=D(2026, 6, 1),
        ends_on=ends_on,
        status=status,
        accepted_on=D(2026, 6, 5),
        pack_id="membership-2025",
    )


def test_a_temporary_transfer_ending_within_the_packs_days_is_warned(tree, members, recent):
    soon = transfer(members["hoa"], tree["B"], tree["A"], TODAY + datetime.timedelta(days=30))
    transfer(members["tung"], tree["T"], tree["S"], TODAY + datetime.timedelta(days=31))
    warnings.run(TODAY)
    [warning] = active("temporary_transfer_ending")
    assert warning.organisation == tree["B"] and warning.subject == f"transfer:{soon.pk}"
    assert warning.source == "294-QĐ/TW"
    assert message(warning) == (
        "The temporary transfer of Trần Thị Hoa to Chi bộ Giáo viên ends on 20/12/2026."
    )
    # when: the day passes with no return recorded
    warnings.run(D(2026, 12, 21))
    warning.refresh_from_db()
    assert message(warning) == (
        "The temporary transfer of Trần Thị Hoa to Chi bộ Giáo viên ended on 20/12/2026; "
        "the return has not been recorded."
    )
    # when: the return is recorded
    Transfer.objects.filter(pk=soon.pk).update(status=TransferStatus.RETURNED)
    warnings.run(D(2026, 12, 22))
    assert subjects("temporary_transfer_ending", tree["B"]) == []


# The run.


def snapshot():
    return list(EarlyWarning.objects.order_by("id").values())


def test_a_second_run_on_the_same_day_changes_nothing(tree, crowd, recent):
    attend(meeting(tree["A"], D(2026, 11, 5)), crowd, present=2, absent=3)
    first = warnings.run(TODAY)
    before = snapshot()
    second = warnings.run(TODAY)
    assert snapshot() == before
    assert sum(c["raised"] for c in first.values()) == len(before) > 0
    assert all(c["raised"] == c["resolved"] == 0 for c in second.values())
    assert sum(c["open"] for c in second.values()) == len(before)


def test_a_warning_resolves_by_itself_and_reopens_when_the_record_matches_again(tree, recent):
    warnings.run(TODAY)
    [warning] = active("meeting_missed", tree["A"], "2026-11")
    # when: the meeting is recorded
    held = meeting(tree["A"], D(2026, 11, 12), reason="Họp bù")
    counts = warnings.run(D(2026, 11, 21))
    warning.refresh_from_db()
    assert warning.state == WarningState.RESOLVED and warning.resolved_on == D(2026, 11, 21)
    assert counts["meeting_missed"]["resolved"] == 1
    # when: it turns out it was cancelled
    Meeting.objects.filter(pk=held.pk).update(status=MeetingStatus.CANCELLED)
    counts = warnings.run(D(2026, 11, 22))
    warning.refresh_from_db()
    assert warning.state == WarningState.OPEN and warning.resolved_on is None
    assert warning.raised_on == TODAY and warning.seen_on == D(2026, 11, 22)
    assert counts["meeting_missed"]["raised"] == 1
    assert EarlyWarning.objects.filter(rule="meeting_missed", organisation=tree["A"]).count() == 2


def test_an_acknowledged_warning_stays_acknowledged_while_it_holds(tree, system, recent):
    warnings.run(TODAY)
    [warning] = active("meeting_missed", tree["A"], "2026-11")
    acknowledge_warning(system, warning, "Chi bộ họp bù ngày 25/11")
    warnings.run(D(2026, 11, 21))
    warning.refresh_from_db()
    assert warning.state == WarningState.ACKNOWLEDGED and warning.seen_on == D(2026, 11, 21)
    meeting(tree["A"], D(2026, 11, 22), reason="Họp bù")
    warnings.run(D(2026, 11, 23))
    warning.refresh_from_db()
    assert warning.state == WarningState.RESOLVED


def test_warnings_of_months_the_run_no_longer_looks_at_are_left_as_they_were(tree, settings):
    settings.CHIBO_WARNINGS_FROM = "2026-10-01"
    warnings.run(TODAY)
    [october] = active("meeting_missed", tree["A"], "2026-10")
    # a year later October 2026 is out of the twelve months looked at
    warnings.run(D(2027, 11, 20))
    october.refresh_from_db()
    assert october.state == WarningState.OPEN


def test_a_run_for_one_organisation_touches_only_its_subtree(tree, recent):
    warnings.run(TODAY, tree["G"])
    cells = set(EarlyWarning.objects.values_list("organisation__code", flat=True))
    assert cells == {"A", "B"}
    assert all(w.path.startswith(tree["G"].path) for w in EarlyWarning.objects.all())
    # a later run of another subtree resolves nothing here
    warnings.run(D(2026, 11, 21), tree["S"])
    assert EarlyWarning.objects.filter(state=WarningState.RESOLVED).count() == 0


def test_the_number_of_queries_does_not_grow_with_the_subtree(tree, crowd, system, recent):
    def queries(org):
        EarlyWarning.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            warnings.run(TODAY, org)
        return len(captured)

    attend(meeting(tree["A"], D(2026, 11, 5)), crowd, present=2, absent=3)
    one = queries(tree["A"])
    # many more cells, meetings, members and tasks
    for code in ("B", "S", "T"):
        for month in (10, 11):
            held = meeting(tree[code], D(2026, month, 4), status=MeetingStatus.CLOSED)
            Task.objects.create(meeting=held, title="Việc", due_on=D(2026, 11, 1))
            for i in range(3):
                who = make_member(system, tree[code], f"Lê Văn {code}{month}{i}")
                Attendance.objects.create(
                    meeting=held, member=who, status=AttendanceStatus.ABSENT_UNEXCUSED
                )
    assert queries(tree["C"]) == one


# Acknowledging.


@pytest.fixture
def warning(tree, recent):
    warnings.run(TODAY)
    return active("meeting_missed", tree["A"], "2026-11")[0]


def test_the_secretary_acknowledges_a_warning_with_a_note(warning, users, clock):
    done = acknowledge_warning(users["secretary_A"], warning, "  Họp bù ngày 25/11  ")
    done.refresh_from_db()
    assert done.state == WarningState.ACKNOWLEDGED and done.note == "Họp bù ngày 25/11"
    assert done.acknowledged_by == users["secretary_A"] and done.acknowledged_at == clock
    assert done.version == warning.version + 1
    event = AuditEvent.objects.get(action="warning.acknowledge")
    assert event.organisation == warning.organisation and event.object_id == str(warning.pk)
    # a standing member of the committee above may too
    acknowledge_warning(users["standing_X"], done, "Đã nhắc chi bộ", version=done.version)


@pytest.mark.parametrize("who", ["member_A", "committee_A", "staff_X", "stranger"])
def test_only_those_who_act_on_warnings_may_acknowledge(warning, users, who):
    with pytest.raises(PermissionDenied):
        acknowledge_warning(users[who], warning, "Đã biết")
    warning.refresh_from_db()
    assert warning.state == WarningState.OPEN and warning.note == ""
    assert not AuditEvent.objects.filter(action="warning.acknowledge").exists()


@pytest.mark.parametrize("note", ["", "   ", "x" * 501])
def test_a_note_is_required_and_short(warning, users, note):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        acknowledge_warning(users["secretary_A"], warning, note)
    assert "note" in exc.value.message_dict
    warning.refresh_from_db()
    assert warning.state == WarningState.OPEN


def test_a_resolved_warning_cannot_be_acknowledged(warning, users):
    EarlyWarning.objects.filter(pk=warning.pk).update(state=WarningState.RESOLVED)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        acknowledge_warning(users["secretary_A"], warning, "Đã biết")
    assert exc.value.message_dict["state"] == [
        "This warning is resolved: the record no longer matches its rule."
    ]


def test_an_acknowledgement_on_a_stale_version_is_refused(warning, users):
    acknowledge_warning(users["secretary_A"], warning, "Lần một", version=warning.version)
    with pytest.raises(StaleVersion):
        acknowledge_warning(users["standing_X"], warning, "Lần hai", version=warning.version)
    warning.refresh_from_db()
    assert warning.note == "Lần một"


def test_the_warnings_of_a_subtree_are_those_still_to_deal_with_by_default(warning, tree):
    assert warning in warnings.warnings_of(tree["G"])
    assert warning not in warnings.warnings_of(tree["S"])
    EarlyWarning.objects.filter(pk=warning.pk).update(state=WarningState.RESOLVED)
    assert warning not in warnings.warnings_of(tree["G"])
    assert warning in warnings.warnings_of(tree["G"], "resolved")
    assert warning in warnings.warnings_of(None, "all", warning.rule)
    assert warning not in warnings.warnings_of(
        None, "all", "attendance_low" if warning.rule != "attendance_low" else "tasks_overdue"
    )


def test_every_rule_has_a_title_and_a_sentence():
    assert set(warnings.RULE_LABELS) == set(warnings.RULES)
    assert set(warnings._SENTENCES) == set(warnings.RULES)
