"""The meeting pages: who reaches them, and the whole flow as a secretary and a member use it."""

import datetime

import pytest

from chibo.audit.models import AuditEvent
from chibo.meetings import actions
from chibo.meetings.models import Attendance, Kind, Meeting, Opinion, Task, Vote
from chibo.meetings.tests.test_actions import at
from tests.fixtures import ROLE_CASES

CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
RUNNERS = {"committee_A", "deputy_A", "secretary_A", "admin_P"}


@pytest.fixture
def meeting(users, members, tree):
    m = actions.schedule_meeting(
        users["secretary_A"],
        tree["A"],
        kind=Kind.REGULAR,
        scheduled_at=at(datetime.date(2026, 12, 3)),
    )
    actions.send_notice(users["secretary_A"], m)
    return m


@pytest.fixture
def other_meeting(users, members, tree):
    return actions.schedule_meeting(
        users["admin_P"], tree["T"], kind=Kind.REGULAR, scheduled_at=at(datetime.date(2026, 12, 3))
    )


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_sees_exactly_the_meetings_it_should(client, users, meeting, other_meeting, role):
    client.force_login(users[role])
    own = client.get(f"/meetings/{meeting.pk}/").status_code
    other = client.get(f"/meetings/{other_meeting.pk}/").status_code
    assert own == (200 if role in CELL_A | ABOVE_A else 404)
    assert other == (200 if role == "admin_P" else 404)


def _state():
    return (
        list(Meeting.objects.order_by("id").values_list("status", "version", "notice_sent_at")),
        list(Attendance.objects.order_by("id").values_list("status", "absence_request")),
        Vote.objects.count(),
        Task.objects.count(),
        Opinion.objects.count(),
    )


RUN_POSTS = [
    ("notice/", {}),
    ("cancel/", {"cancel-reason": "Bão lũ"}),
    ("agenda/", {"agenda-title": "Thêm nội dung"}),
    ("guests/", {"guest-name": "Đồng chí Phó Bí thư xã"}),
    ("start/", {"start-chair": "{an}", "start-minute_taker": "{duc}"}),
    (
        "votes/",
        {
            "vote-subject": "NQ",
            "vote-kind": "resolution",
            "vote-agree": 1,
            "vote-disagree": 0,
            "vote-abstain": 0,
        },
    ),
    ("close/", {}),
]


@pytest.mark.parametrize("role", sorted(set(ROLE_CASES) - RUNNERS))
def test_those_who_do_not_run_the_cell_cannot_change_its_meeting(
    client, users, members, meeting, role
):
    client.force_login(users[role])
    before = _state()
    for path, data in RUN_POSTS:
        data = {
            k: str(v).format(an=members["an"].pk, duc=members["duc"].pk) for k, v in data.items()
        }
        response = client.post(f"/meetings/{meeting.pk}/{path}", data)
        assert response.status_code in (403, 404), path
    response = client.post(f"/meetings/{meeting.pk}/check-in/{members['an'].pk}/")
    assert response.status_code in (403, 404)
    assert _state() == before


@pytest.mark.parametrize("role", ["committee_A", "standing_X", "staff_X", "stranger"])
def test_only_invited_members_ask_to_be_excused(client, users, meeting, role):
    client.force_login(users[role])
    before = _state()
    response = client.post(f"/meetings/{meeting.pk}/absence/", {"absence-reason": "Ốm"})
    assert response.status_code in (403, 404)
    assert _state() == before


def test_a_secretary_holds_a_meeting_through_the_pages(client, users, members, meeting, tree):
    secretary = users["secretary_A"]
    client.force_login(secretary)
    page = client.get("/orgs/A/meetings/?year=2026").content.decode()
    assert "Sinh hoạt thường kỳ" in page
    response = client.post(
        f"/meetings/{meeting.pk}/start/",
        {"start-chair": members["an"].pk, "start-minute_taker": members["duc"].pk},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert meeting.checkin_code in page
    # The check-in button answers the row alone when htmx asks.
    row = client.post(
        f"/meetings/{meeting.pk}/check-in/{members['an'].pk}/", HTTP_HX_REQUEST="true"
    )
    answer = row.content.decode()
    assert "Có mặt" in answer and "<html" not in answer
    # The live count comes along, out of band: 1 of the 2 official members is present.
    assert 'hx-swap-oob="true"' in answer and "<strong>1/2</strong>" in answer
    # The member checks in with the code on their phone.
    client.force_login(users["member_A"])
    response = client.post(f"/meetings/{meeting.pk}/check-in/", {"code": meeting.checkin_code})
    assert "Bạn đã điểm danh" in response.content.decode()
    client.force_login(secretary)
    response = client.post(
        f"/meetings/{meeting.pk}/votes/",
        {
            "vote-subject": "Nghị quyết tháng 12",
            "vote-kind": "resolution",
            "vote-agree": 2,
            "vote-disagree": 0,
            "vote-abstain": 0,
        },
    )
    vote = Vote.objects.get()
    assert vote.passed and vote.summary.startswith("2/2")
    response = client.post(
        f"/meetings/{meeting.pk}/tasks/",
        {
            "task-title": "Rà soát hộ nghèo",
            "task-due_on": "2026-12-20",
            "task-assignees": [members["an"].pk],
        },
    )
    assert Task.objects.filter(title="Rà soát hộ nghèo").exists()
    response = client.post(f"/meetings/{meeting.pk}/close/", follow=True)
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    assert AuditEvent.objects.filter(action="meeting.close").exists()


def test_closing_too_early_shows_what_is_missing(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    client.post(
        f"/meetings/{meeting.pk}/start/",
        {"start-chair": members["an"].pk, "start-minute_taker": members["duc"].pk},
    )
    response = client.post(f"/meetings/{meeting.pk}/close/", follow=True)
    page = response.content.decode()
    assert "Chưa điểm danh đồng chí Nguyễn Văn An." in page
    assert "Chưa ghi kết quả biểu quyết nghị quyết." in page
    assert Meeting.objects.get(pk=meeting.pk).status == "in_progress"


def test_a_vote_larger_than_the_room_is_refused_on_the_page(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    client.post(
        f"/meetings/{meeting.pk}/start/",
        {"start-chair": members["an"].pk, "start-minute_taker": members["duc"].pk},
    )
    response = client.post(
        f"/meetings/{meeting.pk}/votes/",
        {
            "vote-subject": "NQ",
            "vote-kind": "resolution",
            "vote-agree": 9,
            "vote-disagree": 0,
            "vote-abstain": 0,
        },
        follow=True,
    )
    assert "đảng viên chính thức có mặt" in response.content.decode()
    assert not Vote.objects.exists()


def test_the_plan_page_keeps_a_fixed_number_of_queries(
    client, users, tree, members, django_assert_max_num_queries
):
    client.force_login(users["secretary_A"])
    actions.plan_year(users["secretary_A"], tree["A"], 2026)
    with django_assert_max_num_queries(12):
        response = client.get("/orgs/A/meetings/?year=2026")
    assert response.content.decode().count("Sinh hoạt thường kỳ") >= 12


def _close(client, meeting, members):
    client.post(
        f"/meetings/{meeting.pk}/start/",
        {"start-chair": members["an"].pk, "start-minute_taker": members["duc"].pk},
    )
    for member in (members["an"], members["duc"]):
        client.post(f"/meetings/{meeting.pk}/check-in/{member.pk}/")
    client.post(
        f"/meetings/{meeting.pk}/votes/",
        {
            "vote-subject": "NQ",
            "vote-kind": "resolution",
            "vote-agree": 2,
            "vote-disagree": 0,
            "vote-abstain": 0,
        },
    )
    client.post(
        f"/meetings/{meeting.pk}/tasks/",
        {
            "task-title": "Rà soát",
            "task-due_on": "2026-12-20",
            "task-assignees": [members["an"].pk],
        },
    )
    client.post(
        f"/meetings/{meeting.pk}/speakers/",
        {"speaker-member": members["an"].pk, "speaker-text": "Đề nghị rà soát kỹ hộ nghèo."},
    )
    client.post(f"/meetings/{meeting.pk}/close/")


def test_the_secretary_scores_a_closed_meeting(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    _close(client, meeting, members)
    page = client.get(f"/meetings/{meeting.pk}/score/").content.decode()
    assert "Có mặt 2/2" in page or "2/2" in page
    from chibo.meetings.scoring import score_preview

    manual = {
        line.key: str(line.max_points) for line in score_preview(meeting).lines if not line.auto
    }
    response = client.post(
        f"/meetings/{meeting.pk}/score/", {f"line-{k}": v for k, v in manual.items()}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.score.scored_at is not None
    # A plain member sees the score but cannot change it.
    client.force_login(users["member_A"])
    assert client.get(f"/meetings/{meeting.pk}/score/").status_code == 200
    assert client.post(f"/meetings/{meeting.pk}/score/", {}).status_code == 403


def test_points_out_of_range_are_refused_with_the_item_named(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    _close(client, meeting, members)
    from chibo.meetings.scoring import score_preview

    line = next(line for line in score_preview(meeting).lines if not line.auto)
    response = client.post(f"/meetings/{meeting.pk}/score/", {f"line-{line.key}": "999"})
    assert response.status_code == 200
    assert line.title in response.content.decode()
    meeting.refresh_from_db()
    assert not hasattr(meeting, "score") or meeting.score.scored_at is None


def test_a_member_finds_the_calendar_address(client, users, members, meeting):
    client.force_login(users["member_A"])
    page = client.get("/me/calendar/").content.decode()
    assert "/calendar/" in page and ".ics" in page
    client.logout()
    import re

    url = re.search(r'href="(http://testserver/calendar/[^"]+\.ics)"', page).group(1)
    feed = client.get(url.removeprefix("http://testserver"))
    assert feed["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in feed.content.decode()


def test_the_minutes_are_written_signed_by_both_and_then_frozen(client, users, members, meeting):
    chair_user = users["secretary_A"]
    chair_user.member = members["an"]
    chair_user.save()
    client.force_login(chair_user)
    _close(client, meeting, members)
    page = client.get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert "Bản nháp" in page or "chưa ký" in page.lower()
    client.post(
        f"/meetings/{meeting.pk}/minutes/",
        {
            "version": 0,
            "opening": "Đồng chí Bí thư khai mạc.",
            "summary": "Các đồng chí thảo luận sôi nổi.",
            "conclusion": "Thống nhất thông qua.",
        },
    )
    response = client.post(
        f"/meetings/{meeting.pk}/minutes/sign/",
        {"role": "chair", "password": "sai-mat-khau"},
        follow=True,
    )
    assert "Mật khẩu không đúng." in response.content.decode()
    assert not meeting.minutes.signatures.exists()
    client.post(
        f"/meetings/{meeting.pk}/minutes/sign/", {"role": "chair", "password": "pw-secretary_A-123"}
    )
    client.force_login(users["member_A"])
    client.post(
        f"/meetings/{meeting.pk}/minutes/sign/",
        {"role": "minute_taker", "password": "pw-member_A-123"},
    )
    meeting.refresh_from_db()
    assert meeting.status == "signed" and meeting.minutes.content_hash
    # Signed minutes cannot be edited through the page.
    client.force_login(chair_user)
    client.post(
        f"/meetings/{meeting.pk}/minutes/",
        {"version": meeting.minutes.version, "summary": "Sửa lén", "opening": "", "conclusion": ""},
    )
    meeting.minutes.refresh_from_db()
    assert meeting.minutes.summary == "Các đồng chí thảo luận sôi nổi."
    pdf = client.get(f"/meetings/{meeting.pk}/minutes.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/meetings/{meeting.pk}/minutes.docx")
    assert docx.content.startswith(b"PK")
    assert client.get(f"/meetings/{meeting.pk}/minutes.exe").status_code == 404


def test_a_member_sees_their_open_tasks_on_the_home_page(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    client.post(
        f"/meetings/{meeting.pk}/start/",
        {"start-chair": members["an"].pk, "start-minute_taker": members["duc"].pk},
    )
    client.post(
        f"/meetings/{meeting.pk}/tasks/",
        {
            "task-title": "Thu đảng phí quý IV",
            "task-due_on": "2026-12-20",
            "task-assignees": [members["duc"].pk],
        },
    )
    client.force_login(users["member_A"])
    page = client.get("/").content.decode()
    assert "Nhiệm vụ của tôi" in page and "Thu đảng phí quý IV" in page


def test_the_room_shows_a_qr_code_that_fills_in_the_code(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    client.post(
        f"/meetings/{meeting.pk}/start/",
        {"start-chair": members["an"].pk, "start-minute_taker": members["duc"].pk},
    )
    meeting.refresh_from_db()
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "<svg" in page and 'class="qr"' in page
    client.force_login(users["member_A"])
    form = client.get(f"/meetings/{meeting.pk}/check-in/?code={meeting.checkin_code}")
    assert f'value="{meeting.checkin_code}"' in form.content.decode()


def test_agenda_items_are_changed_and_removed(client, users, meeting):
    client.force_login(users["secretary_A"])
    item = meeting.agenda.last()
    client.post(
        f"/meetings/{meeting.pk}/agenda/{item.pk}/",
        {f"item{item.pk}-title": "Đọc và thông qua biên bản", f"item{item.pk}-notes": ""},
    )
    item.refresh_from_db()
    assert item.title == "Đọc và thông qua biên bản"
    client.post(f"/meetings/{meeting.pk}/agenda/{item.pk}/", {"remove": "1"})
    assert not meeting.agenda.filter(pk=item.pk).exists()
    # A plain member changes nothing.
    other = meeting.agenda.first()
    client.force_login(users["member_A"])
    response = client.post(f"/meetings/{meeting.pk}/agenda/{other.pk}/", {"remove": "1"})
    assert response.status_code == 403 and meeting.agenda.filter(pk=other.pk).exists()


def test_the_plan_shows_quarters_without_a_thematic_meeting(client, users, tree, members):
    secretary = users["secretary_A"]
    actions.schedule_meeting(
        secretary,
        tree["A"],
        kind=Kind.THEMATIC,
        scheduled_at=at(datetime.date(2026, 2, 20)),
        topic="Học tập tư tưởng Hồ Chí Minh",
        presenter=members["an"],
    )
    client.force_login(secretary)
    page = client.get("/orgs/A/meetings/?year=2026").content.decode()
    assert "Học tập tư tưởng Hồ Chí Minh" in page and "Nguyễn Văn An" in page
    # Quarters 2 to 4 of 2026 have begun (today is after them) without a thematic meeting.
    assert page.count("Chưa có sinh hoạt chuyên đề") == 3


def test_a_vote_by_name_on_the_page(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    client.post(
        f"/meetings/{meeting.pk}/start/",
        {"start-chair": members["an"].pk, "start-minute_taker": members["duc"].pk},
    )
    for member in (members["an"], members["duc"]):
        client.post(f"/meetings/{meeting.pk}/check-in/{member.pk}/")
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'name="ballot-{members["an"].pk}"' in page
    client.post(
        f"/meetings/{meeting.pk}/votes/by-name/",
        {
            "named-subject": "Nghị quyết tháng 12",
            "named-kind": "resolution",
            f"ballot-{members['an'].pk}": "agree",
            f"ballot-{members['duc'].pk}": "disagree",
        },
    )
    vote = Vote.objects.get()
    assert vote.by_name and (vote.agree, vote.disagree) == (1, 1) and not vote.passed
    assert vote.ballots.count() == 2


def test_two_assessors_never_overwrite_each_other(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    _close(client, meeting, members)
    from chibo.meetings.scoring import score_preview

    lines = [line for line in score_preview(meeting).lines if not line.auto]
    full = {f"line-{line.key}": str(line.max_points) for line in lines}
    client.post(f"/meetings/{meeting.pk}/score/", full)
    meeting.refresh_from_db()
    version = meeting.score.version
    first = dict(full, version=version)
    first[f"line-{lines[0].key}"] = "0"
    assert client.post(f"/meetings/{meeting.pk}/score/", first).status_code == 302
    # The second assessor saves from the same page they opened before: refused.
    second = dict(full, version=version)
    response = client.post(f"/meetings/{meeting.pk}/score/", second, follow=True)
    assert "Người khác đã lưu" in response.content.decode()
    meeting.score.refresh_from_db()
    assert meeting.score.manual[lines[0].key] in (0, "0", 0.0)


def test_an_empty_correction_is_named_as_such(client, users, members, meeting):
    client.force_login(users["secretary_A"])
    response = client.post(f"/meetings/{meeting.pk}/minutes/addenda/", {"text": ""}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/meetings/{meeting.pk}/minutes/")
    assert "Nội dung đính chính" in page and "Hãy nhập mật khẩu để ký" not in page


@pytest.mark.parametrize(
    "role, shown", [("secretary_A", True), ("committee_A", True), ("member_A", False)]
)
def test_the_agenda_links_the_cells_fee_report_for_those_who_keep_the_fees(
    client, users, meeting, role, shown
):
    client.force_login(users[role])
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    scheduled = meeting.scheduled_at.astimezone(actions.LOCAL).date().replace(day=1)
    before = scheduled - datetime.timedelta(days=1)
    link = f"/orgs/A/fees/{before.year}/{before.month}/"
    assert (link in page) is shown
    if shown:
        assert client.get(link).status_code == 200
