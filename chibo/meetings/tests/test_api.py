"""The meetings API: a whole meeting held with API tokens, and what it refuses."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.dateparse import parse_datetime

from chibo.accounts.actions import issue_token
from chibo.accounts.models import Role, RoleKind, User
from chibo.audit.models import AuditEvent
from chibo.meetings import actions, minutes
from chibo.meetings.models import (
    Addendum,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Guest,
    Kind,
    Material,
    MaterialOpening,
    Meeting,
    MeetingStatus,
    Minutes,
    Opinion,
    QualityScore,
    Signature,
    Task,
    Vote,
)
from chibo.meetings.tests import test_actions, test_minutes
from chibo.meetings.tests.test_actions import at
from chibo.meetings.tests.test_materials import PDF, docx_bytes

# The fixtures of the actions' tests: cell A with eight members, and its secretary.
cell_a = test_actions.cell_a
secretary = test_actions.secretary
# The minutes' tests' signers: the secretary's account is Nguyễn Văn An, the chair; member_A's
# is Đỗ Minh Đức, the minute-taker.
chair, taker = test_minutes.chair, test_minutes.taker
CHAIR_PASSWORD, TAKER_PASSWORD = test_minutes.CHAIR_PASSWORD, test_minutes.TAKER_PASSWORD

API = "/api/v1"
DEC_3 = datetime.date(2026, 12, 3)


class Caller:
    """A script calling the API with a bearer token of one user."""

    def __init__(self, user):
        _token, key = issue_token(None, user, "script")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.client = Client()

    def get(self, path, params=None):
        return self.client.get(API + path, params or {}, **self.headers)

    def send(self, method, path, body=None):
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            API + path, data=data, content_type="application/json", **self.headers
        )

    def post(self, path, body=None):
        return self.send("post", path, body)

    def patch(self, path, body=None):
        return self.send("patch", path, body)

    def put(self, path, body=None):
        return self.send("put", path, body)

    def upload(self, path, data):
        """A multipart/form-data POST, as a file is sent."""
        return self.client.post(API + path, data, **self.headers)


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def error_of(response, status, code="invalid"):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def state():
    """Everything a meeting write could change, to show that a refused one changed nothing."""
    return (
        list(Meeting.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        list(Guest.objects.order_by("pk").values_list("pk", flat=True)),
        list(Opinion.objects.order_by("pk").values_list("pk", flat=True)),
        list(Vote.objects.order_by("pk").values_list("pk", flat=True)),
        list(Task.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def office(secretary):
    return Caller(secretary)


@pytest.fixture
def duc(users):
    """member_A: Đỗ Minh Đức, a plain member of cell A, on his phone."""
    return Caller(users["member_A"])


@pytest.fixture
def planned(office, cell_a):
    """December's regular meeting of cell A, with the members invited."""
    body = ok(
        office.post("/orgs/A/meetings", {"kind": "regular", "scheduled_at": "2026-12-03T08:00"}),
        201,
    )
    ok(office.post(f"/meetings/{body['id']}/notice"))
    return Meeting.objects.get(pk=body["id"])


def official_ids(meeting):
    """The official members invited and not exempted, by name."""
    return list(
        meeting.attendance.filter(was_official=True)
        .exclude(status="exempted")
        .order_by("member__name_folded")
        .values_list("member_id", flat=True)
    )


def started(office, meeting, members, present=6):
    ok(
        office.post(
            f"/meetings/{meeting.pk}/start",
            {"chair_id": members["an"].pk, "minute_taker_id": members["duc"].pk},
        )
    )
    ids = official_ids(meeting)
    for member_id in ids[:present]:
        ok(office.post(f"/meetings/{meeting.pk}/check-in", {"member_id": member_id}))
    return ids


# The whole story.


def test_a_meeting_is_held_from_plan_to_close_with_api_tokens(office, duc, cell_a, members, users):
    # Schedule: a time without an offset is Vietnam's.
    response = office.post(
        "/orgs/A/meetings",
        {
            "kind": "regular",
            "scheduled_at": "2026-12-03T08:00",
            "place": "Phòng họp tầng 2",
            "presenter_id": members["an"].pk,
        },
    )
    meeting = ok(response, 201)
    path = f"/meetings/{meeting['id']}"
    assert parse_datetime(meeting["scheduled_at"]) == at(DEC_3)
    assert meeting["status"] == "planned" and meeting["period"] == "2026-12-01"
    assert meeting["presenter"] == {"id": members["an"].pk, "full_name": "Nguyễn Văn An"}
    assert meeting["agenda"] and meeting["may_run"]

    ok(office.post(f"{path}/agenda", {"title": "Kế hoạch thi học kỳ"}), 201)
    guest = {"name": "Đồng chí Phó Bí thư", "title": "Đảng ủy xã", "is_follower": True}
    ok(office.post(f"{path}/guests", guest), 201)
    notified = ok(office.post(f"{path}/notice"))
    assert notified["notice_sent_at"] and notified["counts"]["invited"] == 7

    # The member sees the meeting, but not the room's register nor the code.
    seen = ok(duc.get(path))
    assert seen["own"]["status"] == "expected" and not seen["may_run"]
    assert seen["attendance"] is None and seen["vote_register"] is None
    assert seen["checkin_code"] is None
    assert seen["guests"][0]["name"] == "Đồng chí Phó Bí thư"
    opinion = ok(duc.post(f"{path}/opinions", {"text": "Đề nghị bàn thêm về học sinh yếu"}), 201)
    assert opinion["prepared"] and opinion["member"]["id"] == members["duc"].pk

    # Start, and the member checks in with the code shown in the room.
    begun = ok(
        office.post(
            f"{path}/start",
            {"chair_id": members["an"].pk, "minute_taker_id": members["duc"].pk},
        )
    )
    assert begun["status"] == "in_progress"
    assert begun["chair"]["full_name"] == "Nguyễn Văn An"
    assert begun["minute_taker"]["id"] == members["duc"].pk
    own = ok(duc.post(f"{path}/check-in/code", {"code": begun["checkin_code"]}))
    assert own["status"] in ("present", "late") and own["checked_in_by_self"]

    m = Meeting.objects.get(pk=meeting["id"])
    for member_id in official_ids(m):
        ok(office.post(f"{path}/check-in", {"member_id": member_id}))
    probationary = cell_a.members.get(full_name="Lò Văn Dự Bị")
    row = office.post(
        f"{path}/attendance/{probationary.pk}", {"status": "absent_excused", "reason": "Ốm"}
    )
    assert ok(row)["status"] == "absent_excused"
    register = ok(office.get(f"{path}/register"))
    assert register["present_official"] == 6 and register["eligible"] == 6
    assert register["needed"] == 4 and register["quorum"] and register["rule"]
    assert len(register["attendance"]) == 8

    speaker = {"text": "Nhất trí với dự thảo", "member_id": members["an"].pk}
    assert not ok(office.post(f"{path}/opinions", speaker), 201)["prepared"]
    assert ok(duc.get(f"{path}/opinions"))["count"] == 2

    vote = ok(
        office.post(
            f"{path}/votes",
            {"subject": "Nghị quyết tháng 12", "agree": 5, "disagree": 1, "abstain": 0},
        ),
        201,
    )
    assert vote["summary"].startswith("5/6 tán thành") and vote["passed"]
    assert vote["rule"]
    assert ok(duc.get(f"{path}/votes"))["items"] == [vote]

    task = ok(
        office.post(
            f"{path}/tasks",
            {
                "title": "Vận động đóng góp quỹ khuyến học",
                "deliverable": "Danh sách đóng góp",
                "due_on": "2026-12-31",
                "assignee_ids": [members["duc"].pk],
            },
        ),
        201,
    )
    assert task["assignees"] == [{"id": members["duc"].pk, "full_name": "Đỗ Minh Đức"}]
    mine = ok(duc.get("/me/tasks"))["items"]
    assert [(t["id"], t["status"], t["meeting"]["id"]) for t in mine] == [
        (task["id"], "open", meeting["id"])
    ]

    closed = ok(office.post(f"{path}/close"))
    assert closed["status"] == "closed" and closed["ended_at"]
    assert AuditEvent.objects.filter(
        action="meeting.close", actor=users["secretary_A"], object_id=str(meeting["id"])
    ).exists()

    # The next meeting reviews the task.
    following = ok(
        office.post("/orgs/A/meetings", {"kind": "regular", "scheduled_at": "2027-01-03T08:00"}),
        201,
    )
    nxt = f"/meetings/{following['id']}"
    ok(office.post(f"{nxt}/notice"))
    ok(
        office.post(
            f"{nxt}/start", {"chair_id": members["an"].pk, "minute_taker_id": members["duc"].pk}
        )
    )
    assert [t["id"] for t in ok(office.get(f"{nxt}/open-tasks"))["items"]] == [task["id"]]
    reviewed = ok(
        office.post(f"{nxt}/tasks/{task['id']}/review", {"status": "late", "note": "Xong 5/1"})
    )
    assert reviewed["status"] == "late" and reviewed["reviewed_in_id"] == following["id"]
    assert ok(office.get(f"{nxt}/open-tasks"))["count"] == 0
    assert ok(duc.get("/me/tasks", {"status": "late"}))["count"] == 1


def test_a_time_with_an_offset_is_kept_and_the_plan_is_listed(office, cell_a):
    body = {
        "kind": "thematic",
        "scheduled_at": "2026-12-15T01:30:00Z",
        "topic": "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    }
    thematic = ok(office.post("/orgs/A/meetings", body), 201)
    assert parse_datetime(thematic["scheduled_at"]) == at(datetime.date(2026, 12, 15), 8) + (
        datetime.timedelta(minutes=30)
    )
    made = ok(office.post("/orgs/A/meetings/plan-year", {"year": 2027}))
    assert len(made) == 12
    assert ok(office.post("/orgs/A/meetings/plan-year", {"year": 2027})) == []

    listed = ok(office.get("/orgs/A/meetings", {"year": 2027, "limit": 5}))
    assert listed["count"] == 12 and len(listed["items"]) == 5
    assert listed["items"][0]["invited"] == 0
    assert ok(office.get("/orgs/A/meetings", {"year": 2026}))["items"][0]["kind"] == "thematic"


def test_a_member_asks_to_be_excused_and_the_secretary_decides(office, duc, planned, members):
    path = f"/meetings/{planned.pk}"
    assert (
        ok(duc.post(f"{path}/absence", {"reason": "Đi công tác"}))["absence_request"] == "pending"
    )
    decided = ok(office.post(f"{path}/absence/{members['duc'].pk}", {"accept": True}))
    assert decided["absence_request"] == "accepted"
    assert decided["member"]["full_name"] == "Đỗ Minh Đức"


# Refusals.


def test_closing_too_early_lists_what_is_missing(office, planned, members):
    ids = started(office, planned, members, present=5)
    before = state()
    error = error_of(office.post(f"/meetings/{planned.pk}/close"), 422)
    missing = error["fields"]["missing"]
    absent = planned.attendance.get(member_id=ids[5]).member.full_name
    assert any(absent in m for m in missing)
    assert any("biểu quyết" in m for m in missing)
    assert any("nhiệm vụ" in m for m in missing)
    assert list(error["fields"]) == ["missing"]
    assert all(m in error["message"] for m in missing)
    assert state() == before
    assert Meeting.objects.get(pk=planned.pk).status == MeetingStatus.IN_PROGRESS


def test_a_vote_larger_than_the_official_members_present_is_refused(office, planned, members):
    ids = started(office, planned, members, present=4)
    path = f"/meetings/{planned.pk}/votes"
    before = state()
    too_many = {"subject": "Nghị quyết", "agree": 5, "disagree": 0, "abstain": 0}
    assert list(error_of(office.post(path, too_many), 422)["fields"]) == ["agree"]
    probationary = planned.attendance.get(was_official=False).member_id
    by_name = {"subject": "Nghị quyết", "ballots": {str(probationary): "agree"}}
    assert list(error_of(office.post(path, by_name), 422)["fields"]) == ["ballots"]
    both = {"subject": "Nghị quyết", "agree": 1, "ballots": {str(ids[0]): "agree"}}
    assert list(error_of(office.post(path, both), 422)["fields"]) == ["agree"]
    assert state() == before

    named = {"subject": "Nghị quyết", "ballots": {str(i): "agree" for i in ids[:4]}}
    vote = ok(office.post(path, named), 201)
    assert (vote["agree"], vote["by_name"], vote["passed"]) == (4, True, True)


def test_a_code_outside_the_meeting_is_refused(office, duc, planned, members):
    path = f"/meetings/{planned.pk}/check-in/code"
    before = state()
    # Before the meeting starts, even the right code does not work.
    early = error_of(duc.post(path, {"code": planned.checkin_code}), 422)
    assert list(early["fields"]) == ["code"]
    assert state() == before

    started(office, planned, members, present=0)
    code = Meeting.objects.get(pk=planned.pk).checkin_code
    wrong = "000000" if code != "000000" else "111111"
    assert list(error_of(duc.post(path, {"code": wrong}), 422)["fields"]) == ["code"]
    assert list(error_of(duc.post(path, {"code": "1" * 21}), 422)["fields"]) == ["code"]
    assert not planned.attendance.filter(member=members["duc"], status__in=["present", "late"])
    assert ok(duc.post(path, {"code": code}))["checked_in_by_self"]


def test_a_check_in_twice_counts_once(office, duc, planned, members):
    started(office, planned, members, present=0)
    path = f"/meetings/{planned.pk}"
    first = ok(office.post(f"{path}/check-in", {"member_id": members["duc"].pk, "late": True}))
    events = AuditEvent.objects.filter(action="meeting.check_in").count()
    again = ok(office.post(f"{path}/check-in", {"member_id": members["duc"].pk}))
    code = Meeting.objects.get(pk=planned.pk).checkin_code
    by_code = ok(duc.post(f"{path}/check-in/code", {"code": code}))
    assert first == again == by_code and first["status"] == "late"
    assert AuditEvent.objects.filter(action="meeting.check_in").count() == events
    register = ok(office.get(f"{path}/register"))
    assert register["present"] == 1 and register["present_official"] == 1


def test_a_member_of_another_cell_gets_404(office, planned, members, tree):
    hoa = User.objects.create_user("hoa", password="pw-hoa-123456")
    hoa.member = members["hoa"]
    hoa.save()
    Role.objects.create(user=hoa, organisation=tree["B"], kind=RoleKind.MEMBER)
    caller = Caller(hoa)
    path = f"/meetings/{planned.pk}"
    before = state()
    for response in (
        caller.get(path),
        caller.get(f"{path}/opinions"),
        caller.get("/orgs/A/meetings"),
        caller.post(f"{path}/absence", {"reason": "Bận"}),
        caller.post(f"{path}/opinions", {"text": "Ý kiến"}),
        caller.post(f"{path}/check-in/code", {"code": planned.checkin_code}),
        caller.post(
            "/orgs/A/meetings", {"kind": "extraordinary", "scheduled_at": "2026-12-20T08:00"}
        ),
    ):
        error_of(response, 404, "not_found")
    assert ok(caller.get("/me/tasks"))["count"] == 0

    # Nor does the secretary of A reach into B: a member of B is no member of this meeting.
    other = members["hoa"].pk
    start = {"chair_id": other, "minute_taker_id": members["duc"].pk}
    assert list(error_of(office.post(f"{path}/start", start), 422)["fields"]) == ["chair_id"]
    error_of(office.post(f"{path}/absence/{other}", {"accept": True}), 404, "not_found")
    error_of(office.post(f"{path}/attendance/{other}", {"status": "present"}), 404, "not_found")
    schedule = {
        "kind": "extraordinary",
        "scheduled_at": "2026-12-20T08:00",
        "presenter_id": other,
    }
    assert list(error_of(office.post("/orgs/A/meetings", schedule), 422)["fields"]) == [
        "presenter_id"
    ]
    assert state() == before

    started(office, planned, members, present=2)
    before = state()
    check = {"member_id": other}
    assert list(error_of(office.post(f"{path}/check-in", check), 422)["fields"]) == ["member_id"]
    task = {"title": "Việc", "due_on": "2026-12-31", "assignee_ids": [members["an"].pk, other]}
    assert list(error_of(office.post(f"{path}/tasks", task), 422)["fields"]) == ["assignee_ids"]
    speaker = {"text": "x", "member_id": other}
    assert list(error_of(office.post(f"{path}/opinions", speaker), 422)["fields"]) == ["member_id"]
    for bad in (0, 2**63, 2**70):
        check = {"member_id": bad}
        assert list(error_of(office.post(f"{path}/check-in", check), 422)["fields"]) == [
            "member_id"
        ]
    error_of(office.get(f"/meetings/{2**70}"), 404, "not_found")
    assert state() == before


@pytest.mark.parametrize("role", ["member_A", "standing_X", "inspection_X"])
def test_those_who_do_not_run_the_cells_meetings_get_403_and_nothing_changes(
    users, office, planned, members, role
):
    caller = Caller(users[role])
    path = f"/meetings/{planned.pk}"
    an, duc = members["an"].pk, members["duc"].pk
    writes = [
        ("post", "/orgs/A/meetings", {"kind": "extraordinary", "scheduled_at": "2026-12-20T08:00"}),
        ("post", "/orgs/A/meetings/plan-year", {"year": 2027}),
        ("patch", path, {"place": "Nơi khác", "version": planned.version}),
        ("post", f"{path}/cancel", {"reason": "Bão"}),
        ("post", f"{path}/notice", None),
        ("post", f"{path}/agenda", {"title": "Thêm"}),
        ("post", f"{path}/guests", {"name": "Khách"}),
        ("post", f"{path}/absence/{an}", {"accept": True}),
        ("post", f"{path}/start", {"chair_id": an, "minute_taker_id": duc}),
        ("post", f"{path}/check-in", {"member_id": an}),
        ("post", f"{path}/attendance/{an}", {"status": "present"}),
        ("post", f"{path}/opinions", {"text": "Ghi lời phát biểu", "member_id": an}),
        ("post", f"{path}/votes", {"subject": "NQ", "agree": 1, "disagree": 0, "abstain": 0}),
        ("post", f"{path}/tasks", {"title": "Việc", "due_on": "2026-12-31", "assignee_ids": [an]}),
        ("post", f"{path}/close", None),
    ]
    before = state()
    for method, where, body in writes:
        error_of(caller.send(method, where, body), 403, "forbidden")
    error_of(caller.get(f"{path}/register"), 403, "forbidden")
    error_of(caller.get(f"{path}/open-tasks"), 403, "forbidden")
    assert state() == before


def test_a_stale_version_answers_409(office, planned):
    path = f"/meetings/{planned.pk}"
    version = ok(office.get(path))["version"]
    changed = ok(office.patch(path, {"place": "Hội trường", "version": version}))
    assert changed["place"] == "Hội trường" and changed["version"] == version + 1
    before = state()
    error_of(office.patch(path, {"place": "Sân trường", "version": version}), 409, "conflict")
    assert state() == before
    # Moving it off the regular day needs a reason, named as the request names it.
    moved = {"scheduled_at": "2026-12-05T08:00", "version": version + 1}
    assert list(error_of(office.patch(path, moved), 422)["fields"]) == ["moved_reason"]
    moved["moved_reason"] = "Trùng lịch tiêm chủng"
    assert ok(office.patch(path, moved))["moved_reason"] == "Trùng lịch tiêm chủng"
    assert list(error_of(office.patch(path, {"kind": None}), 422)["fields"]) == ["kind"]


def test_long_text_is_refused(office, planned):
    path = f"/meetings/{planned.pk}"
    before = state()
    assert list(error_of(office.post(f"{path}/cancel", {"reason": "x" * 501}), 422)["fields"]) == [
        "reason"
    ]
    assert list(error_of(office.post(f"{path}/agenda", {"title": "x" * 256}), 422)["fields"]) == [
        "title"
    ]
    assert state() == before


def test_the_detail_shows_the_room_to_those_who_run_it(office, planned, members):
    started(office, planned, members, present=3)
    body = ok(office.get(f"/meetings/{planned.pk}"))
    assert body["checkin_code"] == Meeting.objects.get(pk=planned.pk).checkin_code
    assert body["vote_register"]["present_official"] == 3
    assert body["counts"]["present"] == 3 and len(body["attendance"]) == 8
    assert actions.vote_register(planned)["needed"] == body["vote_register"]["needed"]
    assert body["kind"] == Kind.REGULAR


def test_a_member_sees_the_cells_plan_with_its_counts(duc, planned, users):
    listed = ok(duc.get("/orgs/A/meetings"))
    assert [(m["id"], m["invited"], m["present"]) for m in listed["items"]] == [(planned.pk, 7, 0)]
    error_of(duc.get("/orgs/G/meetings"), 404, "not_found")  # not a cell
    error_of(Caller(users["staff_X"]).get("/orgs/T/meetings"), 404, "not_found")


# The minutes.


def minutes_state():
    """Everything a minutes write could change."""
    return (
        list(Minutes.objects.order_by("pk").values()),
        list(Signature.objects.order_by("pk").values()),
        list(Addendum.objects.order_by("pk").values()),
        list(Meeting.objects.order_by("pk").values("pk", "status", "version")),
        AuditEvent.objects.count(),
    )


def closed(secretary, cell_a, members):
    """The December meeting held and closed through the actions, its minutes not written."""
    meeting, official = test_actions._held(secretary, cell_a, members, present=6)
    test_minutes._record(secretary, meeting, official, members)
    test_actions._finish(secretary, meeting, official, members)
    return Meeting.objects.get(pk=meeting.pk)


NARRATIVE = {
    "opening": "Đồng chí Bí thư nêu mục đích, yêu cầu của buổi sinh hoạt.",
    "summary": "Chi bộ thảo luận sôi nổi, thống nhất các nhiệm vụ tháng tới.",
    "conclusion": "Chi bộ thống nhất thông qua nghị quyết tháng 12.",
}


def test_the_minutes_are_written_and_signed_by_both_and_chained(
    secretary, cell_a, members, chair, taker, duc, users
):
    office, committee = Caller(chair), Caller(users["committee_A"])
    meeting = closed(secretary, cell_a, members)
    path = f"/meetings/{meeting.pk}/minutes"

    draft = ok(duc.get(path))
    assert not draft["signed"] and draft["version"] == 0 and draft["summary"] == ""
    assert draft["can_sign_as"] == [] and draft["content_hash"] is None
    # Signing now is refused with what is missing, one sentence each.
    chair_signs = {"role": "chair", "password": CHAIR_PASSWORD}
    error = error_of(office.post(f"{path}/sign", chair_signs), 422)
    assert error["fields"]["missing"] == draft["missing"] and len(draft["missing"]) == 2
    assert all(m in error["message"] for m in draft["missing"])

    written = ok(office.put(path, {**NARRATIVE, "version": 0}))
    assert written["version"] == 1 and written["missing"] == []
    assert written["can_sign_as"] == ["chair"]
    # The minute-taker, a plain member, corrects a part; a stale version answers 409.
    before = minutes_state()
    stale = office.patch(path, {"summary": "Cũ", "version": 0})
    error_of(stale, 409, "conflict")
    assert minutes_state() == before
    changed = ok(duc.patch(path, {"opening": "Khai mạc lúc 8 giờ.", "version": 1}))
    assert changed["opening"] == "Khai mạc lúc 8 giờ."
    assert changed["summary"] == NARRATIVE["summary"]
    assert changed["can_sign_as"] == ["minute_taker"]

    # The wrong person, the wrong role, the wrong password: refused, and nothing changes.
    before = minutes_state()
    wrong = {"role": "chair", "password": TAKER_PASSWORD}
    error_of(duc.post(f"{path}/sign", wrong), 403, "forbidden")
    error_of(committee.post(f"{path}/sign", {"role": "chair", "password": "x"}), 403, "forbidden")
    bad = office.post(f"{path}/sign", {"role": "chair", "password": "not-the-password"})
    assert list(error_of(bad, 422)["fields"]) == ["password"]
    unknown = office.post(f"{path}/sign", {"role": "secretary", "password": CHAIR_PASSWORD})
    assert list(error_of(unknown, 422)["fields"]) == ["role"]
    assert minutes_state() == before

    first = ok(office.post(f"{path}/sign", {"role": "chair", "password": CHAIR_PASSWORD}))
    assert [s["role"] for s in first["signatures"]] == ["chair"] and not first["signed"]
    assert first["signatures"][0]["name"] == "Nguyễn Văn An"
    again = office.post(f"{path}/sign", {"role": "chair", "password": CHAIR_PASSWORD})
    error_of(again, 422)
    signed = ok(duc.post(f"{path}/sign", {"role": "minute_taker", "password": TAKER_PASSWORD}))
    stored = Minutes.objects.get(meeting=meeting)
    assert signed["signed"] and signed["signed_at"]
    assert [s["role"] for s in signed["signatures"]] == ["chair", "minute_taker"]
    assert signed["content_hash"] == stored.content_hash and len(stored.content_hash) == 64
    assert signed["previous_hash"] == ""  # the cell's first signed minutes
    assert signed["content_hash"] == minutes.content_hash(stored.content, "")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SIGNED

    # Signed minutes never change: an edit is refused, a correction is a signed addendum.
    before = minutes_state()
    refused = error_of(office.put(path, {**NARRATIVE, "version": signed["version"]}), 422)
    assert refused["fields"] == {} and refused["message"]
    error_of(office.patch(path, {"summary": "Sửa"}), 422)
    assert minutes_state() == before
    addendum = ok(office.post(f"{path}/addenda", {"text": "Sửa tên người phát biểu."}), 201)
    assert addendum["signed_at"] is None and addendum["signatures"] == []
    sign_it = f"{path}/addenda/{addendum['id']}/sign"
    error_of(duc.post(sign_it, {"role": "chair", "password": TAKER_PASSWORD}), 403, "forbidden")
    ok(office.post(sign_it, {"role": "chair", "password": CHAIR_PASSWORD}))
    sealed = ok(duc.post(sign_it, {"role": "minute_taker", "password": TAKER_PASSWORD}))
    assert sealed["signed_at"] and sealed["content_hash"] == minutes.addendum_hash(
        "Sửa tên người phát biểu.", stored.content_hash
    )
    assert [a["id"] for a in ok(duc.get(path))["addenda"]] == [addendum["id"]]
    nowhere = office.post(f"{path}/addenda/{2**40}/sign", {"role": "chair", "password": "x"})
    error_of(nowhere, 404, "not_found")

    # The next signed minutes of the cell point to these.
    following = test_minutes._next_closed(secretary, cell_a, members, datetime.date(2027, 1, 3))
    nxt = f"/meetings/{following.pk}/minutes"
    ok(office.post(f"{nxt}/sign", {"role": "chair", "password": CHAIR_PASSWORD}))
    chained = ok(duc.post(f"{nxt}/sign", {"role": "minute_taker", "password": TAKER_PASSWORD}))
    assert chained["previous_hash"] == signed["content_hash"]
    assert minutes.verify_chain() == []


def test_the_minutes_are_downloaded_as_pdf_and_docx(secretary, cell_a, members, duc):
    meeting = closed(secretary, cell_a, members)
    response = duc.get(f"/meetings/{meeting.pk}/minutes.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    day = f"{meeting.started_at.astimezone(test_actions.HCM):%Y-%m-%d}"
    assert response["Content-Disposition"] == f'attachment; filename="bien-ban-A-{day}.pdf"'
    word = duc.get(f"/meetings/{meeting.pk}/minutes.docx")
    assert word.status_code == 200 and word["Content-Type"] == actions.DOCX
    assert word.content.startswith(b"PK")
    assert duc.get(f"/meetings/{meeting.pk}/minutes.txt").status_code == 404


def test_the_minutes_are_out_of_reach_of_another_cell(secretary, cell_a, members, users):
    meeting = closed(secretary, cell_a, members)
    stranger, standing = Caller(users["stranger"]), Caller(users["standing_X"])
    path = f"/meetings/{meeting.pk}/minutes"
    before = minutes_state()
    for response in (
        stranger.get(path),
        stranger.get(f"{path}.pdf"),
        stranger.put(path, NARRATIVE),
        stranger.post(f"{path}/sign", {"role": "chair", "password": "x"}),
        stranger.post(f"{path}/addenda", {"text": "x"}),
    ):
        error_of(response, 404, "not_found")
    # Those who follow the cell from above read them, but do not write them.
    assert ok(standing.get(path))["can_sign_as"] == []
    error_of(standing.put(path, NARRATIVE), 403, "forbidden")
    assert minutes_state() == before


# The quality score.


def test_the_score_is_previewed_saved_and_checked_line_by_line(
    secretary, cell_a, members, office, duc
):
    meeting = closed(secretary, cell_a, members)
    path = f"/meetings/{meeting.pk}"
    preview = ok(duc.get(f"{path}/score"))
    assert preview["pack_id"] and preview["stored"] is None and not preview["may_score"]
    assert not preview["complete"] and preview["level"] is None
    lines = {line["key"]: line for line in preview["lines"]}
    assert lines["attendance"]["auto"] and lines["attendance"]["evidence"]
    assert lines["principles"]["points"] is None and not lines["principles"]["auto"]
    assert "principles" in preview["missing_manual"]

    saved = ok(office.put(f"{path}/score", {"manual": {"principles": 4, "procedure": "9,5"}}))
    assert saved["may_score"] and saved["stored"]["manual"] == {"principles": 4, "procedure": 9.5}
    assert saved["stored"]["pack_id"] == saved["pack_id"] and saved["stored"]["scored_at"]
    lines = {line["key"]: line for line in saved["lines"]}
    assert lines["procedure"]["points"] == 9.5 and lines["procedure"]["max"] == 10

    # A point out of range, a line the rubric does not have, an automatic line: each named.
    before = list(QualityScore.objects.values())
    events = AuditEvent.objects.count()
    bad = {"manual": {"principles": 6, "attendance": 5, "nothing": 1}}
    error = error_of(office.put(f"{path}/score", bad), 422)
    assert set(error["fields"]) == {"principles", "attendance", "nothing"}
    assert "từ 0 đến 5" in error["fields"]["principles"][0]
    # A plain member may not score, until named the assessor.
    error_of(duc.put(f"{path}/score", {"manual": {"principles": 5}}), 403, "forbidden")
    error_of(duc.post(f"{path}/assessor", {"member_id": members["duc"].pk}), 403, "forbidden")
    other = office.post(f"{path}/assessor", {"member_id": members["hoa"].pk})
    assert list(error_of(other, 422)["fields"]) == ["member_id"]
    assert list(QualityScore.objects.values()) == before
    assert AuditEvent.objects.count() == events

    named = ok(office.post(f"{path}/assessor", {"member_id": members["duc"].pk}))
    assert named["stored"]["assessor"] == {"id": members["duc"].pk, "full_name": "Đỗ Minh Đức"}
    by_assessor = ok(duc.put(f"{path}/score", {"manual": {"principles": 5, "procedure": None}}))
    assert by_assessor["stored"]["manual"] == {"principles": 5}


# Documents.


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_document_is_attached_released_and_its_opening_counted(office, duc, planned, media):
    path = f"/meetings/{planned.pk}/materials"
    upload = SimpleUploadedFile("du-thao.pdf", PDF, "application/pdf")
    made = ok(office.upload(path, {"title": "Dự thảo nghị quyết tháng 12", "file": upload}), 201)
    assert made["content_type"] == "application/pdf" and made["size"] == len(PDF)
    assert made["released_at"] is None and made["openings"] == 0
    word = ok(office.upload(path, {"file": SimpleUploadedFile("ke-hoach.docx", docx_bytes())}), 201)
    assert word["title"] == "ke-hoach.docx" and word["content_type"] == actions.DOCX

    # Before release the members see nothing, and the file is refused.
    assert ok(duc.get(path))["count"] == 0
    error_of(duc.get(f"{path}/{made['id']}"), 403, "forbidden")
    error_of(duc.post(f"{path}/release"), 403, "forbidden")
    assert not Material.objects.filter(released_at__isnull=False).exists()
    assert ok(office.post(f"{path}/release")) == {"released": 2}
    assert ok(office.post(f"{path}/release")) == {"released": 0}

    listed = ok(duc.get(path))["items"]
    assert [(m["id"], m["openings"]) for m in listed] == [(made["id"], None), (word["id"], None)]
    response = duc.get(f"{path}/{made['id']}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    b"".join(duc.get(f"{path}/{made['id']}").streaming_content)
    assert MaterialOpening.objects.filter(material_id=made["id"]).count() == 1
    docx = duc.get(f"{path}/{word['id']}")
    assert docx["Content-Disposition"].startswith("attachment")
    b"".join(docx.streaming_content)
    counted = {m["id"]: m["openings"] for m in ok(office.get(path))["items"]}
    assert counted == {made["id"]: 1, word["id"]: 1}
    error_of(duc.get(f"{path}/{2**40}"), 404, "not_found")


def test_a_file_that_is_not_what_it_claims_is_refused(office, duc, planned, media, monkeypatch):
    path = f"/meetings/{planned.pk}/materials"
    events = AuditEvent.objects.count()
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert list(error_of(office.upload(path, {"title": "Giả", "file": fake}), 422)["fields"]) == [
        "file"
    ]
    assert list(error_of(office.upload(path, {"title": "Không có tệp"}), 422)["fields"]) == ["file"]
    monkeypatch.setattr(actions, "MAX_MATERIAL_BYTES", 10)
    large = office.upload(path, {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert "MB" in error_of(large, 422)["fields"]["file"][0]
    monkeypatch.undo()
    # A member may not attach one, whatever the file.
    refused = duc.upload(path, {"file": SimpleUploadedFile("a.pdf", PDF)})
    error_of(refused, 403, "forbidden")
    assert not Material.objects.exists() and not list(media.rglob("*.pdf"))
    assert AuditEvent.objects.count() == events


# The member's calendar.


def test_a_member_gets_and_replaces_the_calendar_address(duc, office, members):
    url = ok(duc.get("/me/calendar"))["url"]
    token = CalendarFeed.objects.get(member=members["duc"]).token
    assert url == f"http://testserver/calendar/{token}.ics"
    assert ok(duc.get("/me/calendar"))["url"] == url
    replaced = ok(duc.post("/me/calendar/reset"))["url"]
    assert replaced != url and Client().get(url).status_code == 404
    assert Client().get(replaced).status_code == 200
    # The secretary's account here is no member: there is no calendar to give.
    error_of(office.get("/me/calendar"), 404, "not_found")
    error_of(office.post("/me/calendar/reset"), 404, "not_found")
