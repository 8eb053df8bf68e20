"""The meeting story through its actions: plan, prepare, hold, vote, follow up, close."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.meetings import actions
from chibo.meetings.models import AttendanceStatus, Kind, Meeting, MeetingStatus, Task
from chibo.members.actions import end_membership
from tests.fixtures import make_member

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=8):
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=HCM)


@pytest.fixture
def cell_a(tree, members, system):
    """Cell A with six official members, one probationary and one exempted."""
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba", "Hà Văn Bốn"):
        make_member(system, tree["A"], name)
    make_member(system, tree["A"], "Lò Văn Dự Bị", status="probationary", official_on=None)
    make_member(system, tree["A"], "Cụ Ông Miễn", status="exempted")
    return tree["A"]


@pytest.fixture
def secretary(users):
    return users["secretary_A"]


def regular(secretary, cell, day=datetime.date(2026, 12, 3), **kw):
    return actions.schedule_meeting(secretary, cell, kind=Kind.REGULAR, scheduled_at=at(day), **kw)


def test_the_year_plan_puts_a_regular_meeting_on_the_third(secretary, cell_a):
    made = actions.plan_year(secretary, cell_a, 2027)
    assert len(made) == 12
    assert {m.scheduled_at.astimezone(HCM).day for m in made} == {3}
    # Planning again adds nothing: each month already has its meeting.
    assert actions.plan_year(secretary, cell_a, 2027) == []


def test_the_committee_day_overrides_the_pack(secretary, cell_a, tree, users):
    from chibo.orgs.actions import update_organisation

    update_organisation(users["admin_P"], tree["X"], meeting_day=4)
    made = actions.plan_year(secretary, cell_a, 2027)
    assert {m.scheduled_at.astimezone(HCM).day for m in made} == {4}


def test_a_meeting_on_another_day_needs_a_reason(secretary, cell_a):
    with pytest.raises(ValidationError) as exc:
        regular(secretary, cell_a, datetime.date(2026, 12, 5))
    assert "moved_reason" in exc.value.message_dict
    meeting = regular(
        secretary, cell_a, datetime.date(2026, 12, 5), moved_reason="Trùng lịch tiêm chủng của xã"
    )
    assert meeting.moved_reason and meeting.period == datetime.date(2026, 12, 1)


def test_one_regular_meeting_a_month(secretary, cell_a):
    regular(secretary, cell_a)
    with pytest.raises(ValidationError):
        regular(secretary, cell_a, datetime.date(2026, 12, 10), moved_reason="Họp lại")
    assert Meeting.objects.filter(organisation=cell_a).count() == 1


def test_a_thematic_meeting_needs_a_topic_and_gets_the_thematic_agenda(secretary, cell_a):
    with pytest.raises(ValidationError) as exc:
        actions.schedule_meeting(
            secretary, cell_a, kind=Kind.THEMATIC, scheduled_at=at(datetime.date(2026, 12, 15))
        )
    assert "topic" in exc.value.message_dict
    thematic = actions.schedule_meeting(
        secretary,
        cell_a,
        kind=Kind.THEMATIC,
        scheduled_at=at(datetime.date(2026, 12, 15)),
        topic="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    )
    plain = regular(secretary, cell_a)
    assert thematic.agenda.count() > plain.agenda.count()


def test_only_those_who_run_the_cells_meetings_may_plan_them(users, cell_a):
    for role in ("member_A", "standing_X", "staff_X", "stranger"):
        with pytest.raises(PermissionDenied):
            regular(users[role], cell_a)
    assert not Meeting.objects.exists()


def test_members_are_invited_and_ask_to_be_excused(secretary, cell_a, users, members):
    meeting = regular(secretary, cell_a)
    actions.send_notice(secretary, meeting)
    rows = {r.member.full_name: r for r in meeting.attendance.select_related("member")}
    assert rows["Cụ Ông Miễn"].status == AttendanceStatus.EXEMPTED
    assert not rows["Lò Văn Dự Bị"].was_official
    row = actions.request_absence(users["member_A"], meeting, "Đi công tác Hà Nội")
    assert row.absence_request == "pending"
    actions.decide_absence(secretary, meeting, members["duc"], accept=True)
    with pytest.raises(PermissionDenied):
        actions.request_absence(users["stranger"], meeting, "không")


def _held(secretary, cell_a, members, present=6):
    meeting = regular(secretary, cell_a)
    actions.send_notice(secretary, meeting)
    actions.start_meeting(secretary, meeting, chair=members["an"], minute_taker=members["duc"])
    official = [
        r.member
        for r in meeting.attendance.select_related("member")
        .filter(was_official=True)
        .exclude(status=AttendanceStatus.EXEMPTED)
        .order_by("member__name_folded")
    ]
    for member in official[:present]:
        actions.check_in(secretary, meeting, member)
    return Meeting.objects.get(pk=meeting.pk), official


def test_a_check_in_twice_counts_once(secretary, cell_a, members):
    meeting, official = _held(secretary, cell_a, members, present=0)
    actions.check_in(secretary, meeting, official[0])
    actions.check_in(secretary, meeting, official[0])
    assert meeting.attendance.filter(status__in=["present", "late"]).count() == 1


def test_the_code_works_only_during_the_meeting(secretary, cell_a, members, users):
    meeting = regular(secretary, cell_a)
    actions.send_notice(secretary, meeting)
    with pytest.raises(ValidationError):
        actions.check_in_with_code(users["member_A"], meeting, meeting.checkin_code)
    actions.start_meeting(secretary, meeting, chair=members["an"], minute_taker=members["duc"])
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.check_in_with_code(
            users["member_A"], meeting, "000000" if meeting.checkin_code != "000000" else "111111"
        )
    row = actions.check_in_with_code(users["member_A"], meeting, meeting.checkin_code)
    assert row.is_present and row.checked_in_by_self


def test_the_register_counts_official_members_only(secretary, cell_a, members):
    # given 6 official members who take part, 1 probationary and 1 exempted (absent)
    meeting, official = _held(secretary, cell_a, members, present=4)
    register = actions.vote_register(meeting)
    assert register["eligible"] == 6
    assert register["present_official"] == 4
    assert register["needed"] == 4 and register["quorum"]


@pytest.mark.parametrize(("agree", "passed"), [(3, False), (4, True)])
def test_a_resolution_needs_more_than_half_of_the_official_members(
    secretary, cell_a, members, agree, passed
):
    meeting, _ = _held(secretary, cell_a, members, present=6)
    vote = actions.record_vote(
        secretary,
        meeting,
        subject="Nghị quyết tháng 12",
        agree=agree,
        disagree=6 - agree,
        abstain=0,
    )
    assert vote.passed is passed
    assert vote.summary.startswith(f"{agree}/6")


def test_recognition_needs_two_thirds(secretary, cell_a, members):
    meeting, _ = _held(secretary, cell_a, members, present=6)
    short = actions.record_vote(
        secretary,
        meeting,
        subject="Công nhận đảng viên chính thức",
        kind="recognition",
        agree=3,
        disagree=3,
        abstain=0,
    )
    enough = actions.record_vote(
        secretary,
        meeting,
        subject="Công nhận đảng viên chính thức",
        kind="recognition",
        agree=4,
        disagree=2,
        abstain=0,
    )
    assert (short.passed, enough.passed) == (False, True)


def test_more_votes_than_official_members_present_are_refused(secretary, cell_a, members):
    meeting, _ = _held(secretary, cell_a, members, present=4)
    with pytest.raises(ValidationError):
        actions.record_vote(
            secretary, meeting, subject="Nghị quyết", agree=5, disagree=0, abstain=0
        )
    assert not meeting.votes.exists()


def test_a_vote_by_name_only_takes_official_members_present(secretary, cell_a, members):
    meeting, official = _held(secretary, cell_a, members, present=5)
    probationary = cell_a.members.get(full_name="Lò Văn Dự Bị")
    with pytest.raises(ValidationError):
        actions.record_vote(
            secretary, meeting, subject="Nghị quyết", ballots={probationary.pk: "agree"}
        )
    vote = actions.record_vote(
        secretary, meeting, subject="Nghị quyết", ballots={m.pk: "agree" for m in official[:5]}
    )
    assert (vote.agree, vote.passed, vote.ballots.count()) == (5, True, 5)


def test_speakers_must_be_present(secretary, cell_a, members):
    meeting, official = _held(secretary, cell_a, members, present=2)
    actions.post_opinion(secretary, meeting, "Đề nghị tăng cường kiểm tra", member=official[0])
    with pytest.raises(ValidationError):
        actions.post_opinion(secretary, meeting, "Vắng mà nói", member=official[5])


def test_closing_lists_exactly_what_is_missing(secretary, cell_a, members):
    meeting, official = _held(secretary, cell_a, members, present=5)
    with pytest.raises(ValidationError) as exc:
        actions.close_meeting(secretary, meeting)
    missing = exc.value.messages
    assert any(official[5].full_name in m for m in missing)
    assert any("biểu quyết" in m for m in missing)
    assert any("nhiệm vụ" in m for m in missing)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS


def _finish(secretary, meeting, official, members):
    for row in meeting.attendance.filter(status=AttendanceStatus.EXPECTED).select_related("member"):
        actions.set_attendance(secretary, meeting, row.member, AttendanceStatus.ABSENT_UNEXCUSED)
    actions.record_vote(secretary, meeting, subject="Nghị quyết", agree=5, disagree=0, abstain=0)
    actions.add_task(
        secretary,
        meeting,
        title="Vận động đóng góp quỹ khuyến học",
        due_on=datetime.date(2026, 12, 31),
        assignees=[official[0]],
    )
    return actions.close_meeting(secretary, meeting)


def test_a_complete_meeting_closes(secretary, cell_a, members):
    meeting, official = _held(secretary, cell_a, members, present=5)
    closed = _finish(secretary, meeting, official, members)
    assert closed.status == MeetingStatus.CLOSED and closed.ended_at


def test_the_next_meeting_reviews_the_open_tasks(secretary, cell_a, members):
    meeting, official = _held(secretary, cell_a, members, present=5)
    _finish(secretary, meeting, official, members)
    task = Task.objects.get()
    following = actions.schedule_meeting(
        secretary, cell_a, kind=Kind.REGULAR, scheduled_at=at(datetime.date(2027, 1, 3))
    )
    assert list(actions.open_tasks_before(following)) == [task]
    actions.send_notice(secretary, following)
    following = actions.start_meeting(
        secretary, following, chair=members["an"], minute_taker=members["duc"]
    )
    assert any("Vận động" in m for m in actions.missing_to_close(following))
    actions.review_task(secretary, following, task, Task.Status.LATE, "Xong ngày 5/1")
    assert Task.objects.get().status == Task.Status.LATE
    assert not any("Vận động" in m for m in actions.missing_to_close(following))


def test_a_task_needs_someone_responsible(secretary, cell_a, members):
    meeting, _ = _held(secretary, cell_a, members)
    with pytest.raises(ValidationError) as exc:
        actions.add_task(
            secretary,
            meeting,
            title="Việc không ai làm",
            due_on=datetime.date(2026, 12, 31),
            assignees=[],
        )
    assert "assignees" in exc.value.message_dict


def test_a_member_who_left_is_not_invited(secretary, cell_a, members, users):
    end_membership(users["admin_P"], members["duc"], "left", datetime.date(2026, 1, 5), "3-QĐ/ĐU")
    meeting = regular(secretary, cell_a)
    actions.send_notice(secretary, meeting)
    assert not meeting.attendance.filter(member=members["duc"]).exists()


def test_a_merged_cell_hands_over_its_open_work(secretary, cell_a, members, users, tree):
    from chibo.orgs.actions import merge_organisations

    # given cell B with a task still open and a meeting planned for next month
    b_secretary = users["admin_P"]
    meeting = actions.schedule_meeting(
        b_secretary, tree["B"], kind=Kind.REGULAR, scheduled_at=at(datetime.date(2026, 11, 3))
    )
    actions.send_notice(b_secretary, meeting)
    actions.start_meeting(b_secretary, meeting, chair=members["hoa"], minute_taker=members["hoa"])
    task = actions.add_task(
        b_secretary,
        meeting,
        title="Sửa nhà văn hóa thôn",
        due_on=datetime.date(2026, 11, 30),
        assignees=[members["hoa"]],
    )
    planned = actions.schedule_meeting(
        b_secretary, tree["B"], kind=Kind.REGULAR, scheduled_at=at(datetime.date(2026, 12, 3))
    )
    # when B merges into A
    merge_organisations(users["staff_X"], tree["B"], cell_a, datetime.date(2026, 11, 20))
    # then B's planned meeting is cancelled and A's next meeting reviews B's task
    assert Meeting.objects.get(pk=planned.pk).status == MeetingStatus.CANCELLED
    following = regular(secretary, cell_a)
    assert list(actions.open_tasks_before(following)) == [task]
