"""The JSON API under /api/v1/: authentication, scope, each endpoint, and the error shape."""

import datetime
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from chibo.accounts.actions import issue_token
from chibo.accounts.models import ApiToken, Role, RoleKind, User
from chibo.api.common import MAX_IDS, MAX_QUERY
from chibo.audit.models import AuditEvent
from chibo.meetings import actions as meeting_actions
from chibo.members.models import Member, MembershipPeriod
from chibo.orgs.actions import merge_organisations
from chibo.orgs.models import Organisation, OrgChange
from tests import walks
from tests.fixtures import ROLE_CASES

API = "/api/v1"
CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
EVERYONE = set(ROLE_CASES)
RUN_A = {"committee_A", "deputy_A", "secretary_A", "admin_P"}

# (path template, roles that get 200). Every other role gets 403 or 404.
READS = [
    ("/me", EVERYONE),
    ("/tokens", EVERYONE),
    ("/orgs", EVERYONE),
    ("/orgs/A", CELL_A | ABOVE_A),
    ("/orgs/B", ABOVE_A),
    ("/orgs/X", ABOVE_A),
    ("/orgs/T", {"admin_P"}),
    ("/orgs/P2", set()),
    ("/orgs/G/children", ABOVE_A),
    ("/orgs/A/stats", CELL_A | ABOVE_A),
    ("/orgs/T/stats", {"admin_P"}),
    ("/orgs/A/history", CELL_A | ABOVE_A),
    ("/orgs/X2/history", {"admin_P"}),
    ("/members", CELL_A | ABOVE_A),
    ("/members/{an}", (CELL_A - {"member_A"}) | ABOVE_A),
    ("/members/{duc}", CELL_A | ABOVE_A),  # member_A's own record
    ("/members/{hoa}", ABOVE_A),
    ("/members/{tung}", {"admin_P"}),
    ("/audit", {"inspection_X", "admin_P"}),
    ("/orgs/A/roles", {"admin_P"}),
    ("/orgs/T/roles", {"admin_P"}),
    ("/orgs/P2/roles", set()),
    ("/orgs/A/meetings", CELL_A | ABOVE_A),
    ("/orgs/T/meetings", {"admin_P"}),
    ("/meetings/{meeting}", CELL_A | ABOVE_A),
    ("/meetings/{t_meeting}", {"admin_P"}),
    ("/meetings/{meeting}/opinions", CELL_A | ABOVE_A),
    ("/meetings/{meeting}/votes", CELL_A | ABOVE_A),
    ("/meetings/{meeting}/register", RUN_A),
    ("/meetings/{meeting}/open-tasks", RUN_A),
    ("/me/tasks", EVERYONE),
    ("/meetings/{meeting}/minutes", CELL_A | ABOVE_A),
    ("/meetings/{meeting}/minutes.pdf", CELL_A | ABOVE_A),
    ("/meetings/{meeting}/minutes.docx", CELL_A | ABOVE_A),
    ("/meetings/{meeting}/score", CELL_A | ABOVE_A),
    ("/meetings/{meeting}/materials", CELL_A | ABOVE_A),
    ("/meetings/{meeting}/materials/{material_id}", CELL_A | ABOVE_A),  # released
    ("/me/calendar", {"member_A"}),  # the only user here who is a member
]

NEW_MEMBER = {
    "cell": "A",
    "full_name": "Hoàng Thị Mai",
    "gender": "female",
    "date_of_birth": "1995-02-03",
    "admitted_on": "2024-05-19",
}

# (method, path template, body, roles refused). A stranger and roles that see the place but
# may not do this there try each write: each answers 403 or 404 and changes nothing. A body
# value "{an}" stands for that member's id; {role} is secretary_A's role, {token} a token of
# staff_X; {meeting} is cell A's planned meeting and {task} a task of its earlier one;
# {addendum_id} names no addendum of it (its minutes are not signed): the refusals of a real
# one are in chibo/meetings/tests/test_api.py.
WRITES = [
    (
        "post",
        "/orgs",
        {"parent": "G", "code": "N", "name": "N", "level": "cell"},
        {"stranger", "standing_X", "secretary_A"},
    ),
    ("patch", "/orgs/A", {"name": "Đổi"}, {"stranger", "member_A", "committee_A", "inspection_X"}),
    ("post", "/orgs/A/move", {"new_parent": "X"}, {"stranger", "standing_X", "secretary_A"}),
    ("post", "/orgs/B/merge", {"target": "A"}, {"stranger", "standing_X", "inspection_X"}),
    (
        "post",
        "/orgs/A/split",
        {"code": "N", "name": "N", "member_ids": ["{an}"]},
        {"stranger", "standing_X", "secretary_A"},
    ),
    ("post", "/orgs/A/close", {}, {"stranger", "standing_X", "secretary_A"}),
    ("post", "/members", NEW_MEMBER, {"stranger", "member_A", "committee_A", "standing_X"}),
    ("patch", "/members/{an}", {"full_name": "Bị đổi"}, {"stranger", "member_A", "standing_X"}),
    (
        "post",
        "/members/{an}/change-cell",
        {"cell": "B", "reason": "x"},
        {"stranger", "committee_A", "standing_X", "inspection_X"},
    ),
    (
        "post",
        "/members/{an}/reveal",
        {"field": "phone", "reason": "x"},
        {"stranger", "member_A", "standing_X"},
    ),
    (
        "post",
        "/members/{an}/account",
        {"username": "an"},
        {"stranger", "member_A", "secretary_A", "staff_X"},
    ),
    (
        "post",
        "/orgs/A/roles",
        {"username": "member_A", "kind": "cell_committee"},
        {"stranger", "secretary_A", "staff_X"},
    ),
    ("delete", "/roles/{role}", None, {"stranger", "secretary_A", "staff_X"}),
    ("delete", "/tokens/{token}", None, {"stranger", "member_A", "admin_P"}),
    (
        "post",
        "/orgs/A/meetings",
        {"kind": "extraordinary", "scheduled_at": "2026-12-20T08:00", "presenter_id": "{an}"},
        {"stranger", "member_A", "standing_X", "staff_X", "inspection_X"},
    ),
    ("post", "/orgs/A/meetings/plan-year", {"year": 2027}, {"stranger", "member_A", "staff_X"}),
    ("patch", "/meetings/{meeting}", {"place": "x"}, {"stranger", "member_A", "standing_X"}),
    ("post", "/meetings/{meeting}/cancel", {"reason": "x"}, {"stranger", "member_A", "staff_X"}),
    ("post", "/meetings/{meeting}/notice", None, {"stranger", "member_A", "inspection_X"}),
    ("post", "/meetings/{meeting}/agenda", {"title": "x"}, {"stranger", "member_A", "staff_X"}),
    ("post", "/meetings/{meeting}/guests", {"name": "x"}, {"stranger", "member_A", "standing_X"}),
    # A member's own: those not invited are refused.
    (
        "post",
        "/meetings/{meeting}/absence",
        {"reason": "x"},
        {"stranger", "secretary_A", "standing_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/absence/{an}",
        {"accept": True},
        {"stranger", "member_A", "standing_X"},
    ),
    ("post", "/meetings/{meeting}/opinions", {"text": "x"}, {"stranger", "committee_A", "staff_X"}),
    (
        "post",
        "/meetings/{meeting}/opinions",
        {"text": "x", "member_id": "{an}"},
        {"stranger", "member_A", "inspection_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/start",
        {"chair_id": "{an}", "minute_taker_id": "{duc}"},
        {"stranger", "member_A", "standing_X", "staff_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/check-in",
        {"member_id": "{an}"},
        {"stranger", "member_A", "staff_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/check-in/code",
        {"code": "123456"},
        {"stranger", "committee_A", "standing_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/attendance/{an}",
        {"status": "present"},
        {"stranger", "member_A", "inspection_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/votes",
        {"subject": "x", "agree": 0, "disagree": 0, "abstain": 0},
        {"stranger", "member_A", "staff_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/tasks",
        {"title": "x", "due_on": "2026-12-31", "assignee_ids": ["{an}"]},
        {"stranger", "member_A", "standing_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/tasks/{task}/review",
        {"status": "done"},
        {"stranger", "member_A", "inspection_X"},
    ),
    ("post", "/meetings/{meeting}/close", None, {"stranger", "member_A", "staff_X"}),
    (
        "put",
        "/meetings/{meeting}/minutes",
        {"opening": "x", "summary": "x", "conclusion": "x"},
        {"stranger", "member_A", "standing_X"},
    ),
    (
        "patch",
        "/meetings/{meeting}/minutes",
        {"summary": "x"},
        {"stranger", "member_A", "inspection_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/minutes/sign",
        {"role": "chair", "password": "pw-committee_A-123"},
        {"stranger", "committee_A", "standing_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/minutes/addenda",
        {"text": "x"},
        {"stranger", "member_A", "staff_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/minutes/addenda/{addendum_id}/sign",
        {"role": "minute_taker", "password": "pw-member_A-123"},
        {"stranger", "member_A", "committee_A"},
    ),
    (
        "put",
        "/meetings/{meeting}/score",
        {"manual": {"principles": 4}},
        {"stranger", "member_A", "standing_X"},
    ),
    (
        "post",
        "/meetings/{meeting}/assessor",
        {"member_id": "{duc}"},
        {"stranger", "member_A", "inspection_X"},
    ),
    # multipart/form-data; refused before the file is looked at.
    ("post", "/meetings/{meeting}/materials", None, {"stranger", "member_A", "staff_X"}),
    ("post", "/meetings/{meeting}/materials/release", None, {"stranger", "member_A", "standing_X"}),
]
# Writes that every signed-in user may make, for themselves.
OWN_WRITES = {("post", "/tokens"), ("post", "/me/calendar/reset")}


@pytest.fixture
def meetings(users, members, tree, settings, tmp_path):
    """For the walks: cell A's December meeting with the members invited and a document
    released, a task of its November meeting, and a meeting of T, out of reach of all but the
    administrator."""
    secretary, hcm = users["secretary_A"], ZoneInfo("Asia/Ho_Chi_Minh")

    def regular(actor, cell, month):
        moment = datetime.datetime(2026, month, 3, 8, tzinfo=hcm)
        return meeting_actions.schedule_meeting(actor, cell, kind="regular", scheduled_at=moment)

    november = regular(secretary, tree["A"], 11)
    meeting_actions.send_notice(secretary, november)
    meeting_actions.start_meeting(
        secretary, november, chair=members["an"], minute_taker=members["duc"]
    )
    task = meeting_actions.add_task(
        secretary,
        november,
        title="Báo cáo",
        due_on=datetime.date(2026, 11, 30),
        assignees=[members["duc"]],
    )
    december = regular(secretary, tree["A"], 12)
    meeting_actions.send_notice(secretary, december)
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("du-thao.pdf", b"%PDF-1.4\n%%EOF\n")
    material = meeting_actions.upload_material(secretary, december, "Dự thảo", pdf)
    meeting_actions.release_materials(secretary, december)
    theirs = regular(users["admin_P"], tree["T"], 12)
    return {
        "meeting": december.pk,
        "task": task.pk,
        "t_meeting": theirs.pk,
        "material_id": material.pk,
        "addendum_id": 2**31 - 1,
    }


def bearer(user, name="test", days=None):
    _token, key = issue_token(None, user, name, days)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def logged_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def send(client, method, path, body=None, **headers):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(
        API + path, data=data, content_type="application/json", **headers
    )


def snapshot():
    """Everything a write could change, to show that a refused one changed nothing."""
    return (
        list(Organisation.objects.order_by("pk").values()),
        list(Member.objects.order_by("pk").values()),
        list(MembershipPeriod.objects.order_by("pk").values()),
        OrgChange.objects.count(),
        AuditEvent.objects.count(),
        list(Role.objects.order_by("pk").values()),
        # Not last_login: signing in to make the request sets it.
        list(User.objects.order_by("pk").values("pk", "username", "password", "is_active")),
        list(ApiToken.objects.order_by("pk").values("pk", "user_id", "revoked_at")),
    )


def route(template: str) -> str:
    """Return the endpoint a path of READS or WRITES calls: "/orgs/A" -> "/orgs/{code}"."""
    path = re.sub(r"/[A-Z][A-Z0-9]*(?=/|$)", "/{code}", template)
    path = re.sub(r"\{(an|duc|hoa|tung)\}", "{member_id}", path)
    path = re.sub(r"\{(meeting|t_meeting)\}", "{meeting_id}", path).replace("{task}", "{task_id}")
    return path.replace("{role}", "{role_id}").replace("{token}", "{prefix}")


def fill(body, ids: dict):
    """Put the ids in a WRITES body: "{an}" becomes member an's id."""
    if isinstance(body, dict):
        return {k: fill(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [fill(v, ids) for v in body]
    if isinstance(body, str) and re.fullmatch(r"\{\w+\}", body):
        return ids[body[1:-1]]
    return body


def error_of(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


# Authentication


def test_it_answers_401_without_credentials(members):
    for path in ("/me", "/orgs", "/members", "/audit", "/tokens"):
        response = Client().get(API + path)
        error_of(response, 401, "unauthorized")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_accepts_a_bearer_token_and_records_its_use(users):
    response = Client().get(API + "/me", **bearer(users["staff_X"]))
    assert response.status_code == 200
    assert response.json()["username"] == "staff_X"
    assert ApiToken.objects.get(user=users["staff_X"]).last_used_at is not None


def test_it_refuses_revoked_expired_and_unknown_tokens(users):
    revoked = bearer(users["staff_X"], "revoked")
    ApiToken.objects.filter(name="revoked").update(revoked_at=timezone.now())
    expired = bearer(users["staff_X"], "expired", days=1)
    ApiToken.objects.filter(name="expired").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    for headers in (revoked, expired, {"HTTP_AUTHORIZATION": "Bearer chb_nonsense"}):
        error_of(Client().get(API + "/me", **headers), 401, "unauthorized")


def test_it_refuses_the_token_of_a_deactivated_user(users):
    headers = bearer(users["staff_X"])
    users["staff_X"].is_active = False
    users["staff_X"].save()
    error_of(Client().get(API + "/me", **headers), 401, "unauthorized")


def test_it_accepts_a_login_session(users):
    response = logged_in(users["member_A"]).get(API + "/me")
    assert response.status_code == 200


def test_it_requires_the_csrf_token_for_writes_in_a_session(users, tree):
    client = logged_in(users["staff_X"], enforce_csrf_checks=True)
    before = snapshot()
    error_of(send(client, "patch", "/orgs/A", {"name": "Mới"}), 403, "forbidden")
    assert snapshot() == before

    client.cookies["csrftoken"] = "a" * 32
    response = send(client, "patch", "/orgs/A", {"name": "Mới"}, HTTP_X_CSRFTOKEN="a" * 32)
    assert response.status_code == 200


def test_it_needs_no_csrf_token_with_a_bearer_token(users, tree):
    client = Client(enforce_csrf_checks=True)
    response = send(client, "patch", "/orgs/A", {"name": "Mới"}, **bearer(users["staff_X"]))
    assert response.status_code == 200


# Tokens


def test_it_creates_lists_and_revokes_tokens(users):
    client = logged_in(users["secretary_A"])
    response = send(client, "post", "/tokens", {"name": "script", "days": 30})
    assert response.status_code == 201
    created = response.json()
    key, prefix = created["key"], created["prefix"]
    assert key.startswith("chb_") and key[4:12] == prefix
    assert created["expires_at"] is not None

    listed = client.get(API + "/tokens").json()
    assert [t["prefix"] for t in listed] == [prefix]
    assert "key" not in listed[0]
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is kept

    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get(API + "/me", **headers).status_code == 200
    assert client.delete(f"{API}/tokens/{prefix}").status_code == 204
    error_of(Client().get(API + "/me", **headers), 401, "unauthorized")
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_it_creates_tokens_only_from_a_login_session(users):
    response = send(Client(), "post", "/tokens", {"name": "more"}, **bearer(users["staff_X"]))
    error_of(response, 401, "unauthorized")
    assert ApiToken.objects.count() == 1


def test_it_does_not_revoke_another_users_token(users):
    token, _key = issue_token(None, users["staff_X"], "theirs")
    response = logged_in(users["secretary_A"]).delete(f"{API}/tokens/{token.prefix}")
    error_of(response, 404, "not_found")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_creates_and_revokes_tokens_from_the_command_line(users):
    out = io.StringIO()
    call_command("token", "create", "staff_X", "--name", "ci", "--days", "7", stdout=out)
    key = out.getvalue().strip()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get(API + "/me", **headers).status_code == 200

    call_command("token", "revoke", key[4:12], stdout=io.StringIO())
    error_of(Client().get(API + "/me", **headers), 401, "unauthorized")


# Reads


def test_it_tells_the_user_who_they_are(users, members):
    body = logged_in(users["member_A"]).get(API + "/me").json()
    assert body["member_id"] == members["duc"].pk
    assert body["roles"] == [
        {"kind": "member", "organisation": {"code": "A", "name": "Chi bộ Giáo viên"}}
    ]


def test_it_lists_organisations_with_paging(users, tree):
    client = logged_in(users["staff_X"])
    body = client.get(API + "/orgs").json()
    assert [o["code"] for o in body["items"]] == ["X", "G", "A", "B", "S"]
    assert body["count"] == 5

    page = client.get(API + "/orgs?limit=2&offset=2").json()
    assert [o["code"] for o in page["items"]] == ["A", "B"]
    assert page["count"] == 5


def test_it_searches_organisations_without_diacritics(users, tree):
    client = logged_in(users["staff_X"])
    found = client.get(API + "/orgs", {"q": "chi bo giao vien"}).json()
    assert [o["code"] for o in found["items"]] == ["A"]
    # Another commune's cell is out of reach, however it is spelt.
    assert client.get(API + "/orgs", {"q": "sung la"}).json()["count"] == 0


def test_it_filters_organisations_by_parent_and_level(users, tree):
    client = logged_in(users["staff_X"])
    under_g = client.get(API + "/orgs", {"parent": "G"}).json()
    assert [o["code"] for o in under_g["items"]] == ["A", "B"]
    cells = client.get(API + "/orgs", {"level": "grassroots_cell"}).json()
    assert [o["code"] for o in cells["items"]] == ["S"]


def test_it_shows_an_organisation(users, tree):
    body = logged_in(users["staff_X"]).get(API + "/orgs/A").json()
    assert body["code"] == "A" and body["level"] == "cell" and body["cell_type"] == "school"
    assert body["parent"] == {"code": "G", "name": "Đảng ủy Trường THPT Đồng Văn"}
    assert body["version"] == 1


def test_it_hides_a_parent_above_the_users_reach(users, tree):
    body = logged_in(users["staff_X"]).get(API + "/orgs/X").json()
    assert body["parent"] is None


def test_it_lists_children_stats_and_history(users, members):
    client = logged_in(users["staff_X"])
    children = client.get(API + "/orgs/G/children").json()
    assert [o["code"] for o in children["items"]] == ["A", "B"]

    stats = client.get(API + "/orgs/G/stats").json()
    assert stats["members"] == {"official": 3}
    assert stats["cells"] == 2 and stats["organisations"]["cell"] == 2

    history = client.get(API + "/orgs/A/history").json()
    assert history["count"] == 1
    assert history["items"][0]["kind"] == "founded"
    assert history["items"][0]["recorded_by"] == "system"


def test_it_lists_members_without_personal_data(users, members):
    body = logged_in(users["staff_X"]).get(API + "/members", {"org": "A"}).json()
    assert body["count"] == 2
    an = next(m for m in body["items"] if m["id"] == members["an"].pk)
    assert an == {
        "id": members["an"].pk,
        "full_name": "Nguyễn Văn An",
        "status": "official",
        "position": "",
        "cell": {"code": "A", "name": "Chi bộ Giáo viên"},
    }


def test_a_plain_member_sees_only_names_status_and_position_of_cell_mates(users, members):
    client = logged_in(users["member_A"])
    listed = client.get(API + "/members").json()["items"]
    assert {tuple(sorted(m)) for m in listed} == {("cell", "full_name", "id", "position", "status")}
    # Gender is on the record, which needs the right to see it: here, their own.
    assert client.get(f"{API}/members/{members['duc'].pk}").json()["gender"] == "male"
    error_of(client.get(f"{API}/members/{members['an'].pk}"), 403, "forbidden")


def test_it_filters_members(users, members):
    client = logged_in(users["staff_X"])
    women = client.get(API + "/members", {"gender": "female"}).json()
    assert {m["full_name"] for m in women["items"]} == {"Trần Thị Hoa", "Lò Thị Lan"}
    probationary = client.get(API + "/members", {"status": "probationary"}).json()
    assert [m["full_name"] for m in probationary["items"]] == ["Lò Thị Lan"]
    found = client.get(API + "/members", {"q": "do minh duc"}).json()
    assert [m["full_name"] for m in found["items"]] == ["Đỗ Minh Đức"]


def test_it_masks_the_citizen_id_and_phone_on_a_member_record(users, members):
    response = logged_in(users["secretary_A"]).get(f"{API}/members/{members['an'].pk}")
    body = response.json()
    assert body["citizen_id_masked"] == "001••••••345"
    assert body["phone_masked"] == "091••••678"
    assert "001080012345" not in response.content.decode()
    assert "0912345678" not in response.content.decode()
    assert body["periods"][0]["organisation"]["code"] == "A"


def test_it_shows_a_successor_and_the_other_side_of_a_change_only_within_reach(
    users, members, system, tree
):
    merge_organisations(system, tree["S"], tree["T"])  # from staff_X's commune to another
    staff, admin = logged_in(users["staff_X"]), logged_in(users["admin_P"])
    t = {"code": "T", "name": "Chi bộ thôn Sủng Là"}

    def merged_into(client):
        history = client.get(API + "/orgs/S/history").json()["items"]
        return [c["other"] for c in history if c["kind"] == "merged_into"]

    assert staff.get(API + "/orgs/S").json()["successor"] is None
    assert merged_into(staff) == [None]
    assert admin.get(API + "/orgs/S").json()["successor"] == t
    assert merged_into(admin) == [t]


def test_it_lists_audit_events(users, members):
    client = logged_in(users["inspection_X"])
    body = client.get(API + "/audit", {"org": "A", "limit": 5}).json()
    assert body["count"] == 3  # A founded, two members added
    assert {e["action"] for e in body["items"]} == {"org.create", "member.create"}
    assert all(e["organisation"]["code"] == "A" for e in body["items"])


# Scope


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_it_answers_each_role_only_within_its_reach(users, members, meetings, role):
    client = logged_in(users[role])
    wrong = []
    for template, allowed in READS:
        path = template.format(**{k: m.pk for k, m in members.items()}, **meetings)
        status = client.get(API + path).status_code
        if role in allowed and status != 200 or role not in allowed and status not in (403, 404):
            wrong.append(f"{path}: {status}")
    assert not wrong, "\n".join(wrong)


def test_every_read_endpoint_is_walked_for_every_role(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    reads = {p.removeprefix(API) for p, ops in paths.items() if "get" in ops}
    walked = {route(template) for template, _ in READS} | walks.API_READS
    assert reads <= walked, f"endpoints with no access expectations: {reads - walked}"


@pytest.mark.parametrize(
    "method, template, body, refused", WRITES, ids=[f"{m} {t}" for m, t, *_ in WRITES]
)
def test_each_write_is_refused_out_of_scope_and_changes_nothing(
    users, members, meetings, method, template, body, refused
):
    ids = {k: m.pk for k, m in members.items()} | meetings
    ids["role"] = Role.objects.get(user=users["secretary_A"]).pk
    ids["token"] = issue_token(None, users["staff_X"], "theirs")[0].prefix
    path = template.format(**ids)
    for role in sorted(refused):
        client = logged_in(users[role])
        before = snapshot()
        response = send(client, method, path, fill(body, ids))
        assert response.status_code in (403, 404), f"{role}: {response.content}"
        assert snapshot() == before, f"{role} changed something"


def test_every_write_endpoint_is_walked_by_a_stranger_and_an_out_of_scope_role(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    writes = {
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    walked = (
        {(method, route(template)) for method, template, *_ in WRITES}
        | OWN_WRITES
        | walks.API_WRITES
    )
    assert writes <= walked, f"writes with no refusals: {writes - walked}"
    for method, template, _, refused in WRITES:
        assert "stranger" in refused and len(refused) >= 2, f"{method} {template}"


def test_a_member_cannot_list_another_cells_members(users, members):
    client = logged_in(users["member_A"])
    listed = client.get(API + "/members").json()
    assert {m["full_name"] for m in listed["items"]} == {"Nguyễn Văn An", "Đỗ Minh Đức"}
    error = error_of(client.get(API + "/members", {"org": "B"}), 422, "invalid")
    assert "org" in error["fields"]
    error_of(client.get(f"{API}/members/{members['hoa'].pk}"), 404, "not_found")


def test_staff_cannot_see_outside_their_commune(users, members):
    client = logged_in(users["staff_X"])
    for code in ("P2", "T", "X2"):
        error_of(client.get(f"{API}/orgs/{code}"), 404, "not_found")
    error_of(client.get(f"{API}/members/{members['tung'].pk}"), 404, "not_found")
    assert client.get(API + "/orgs", {"q": "sung la"}).json()["count"] == 0
    names = {m["full_name"] for m in client.get(API + "/members?limit=100").json()["items"]}
    assert "Vàng Mí Tủng" not in names


def test_staff_cannot_write_outside_their_commune_and_nothing_changes(users, members):
    client = logged_in(users["staff_X"])
    tung = members["tung"].pk
    writes = [
        ("patch", "/orgs/T", {"name": "Đổi"}, 404),
        ("post", "/orgs/X2/move", {"new_parent": "X"}, 404),
        ("post", "/orgs/T/close", {}, 404),
        ("post", "/orgs/P2/split", {"code": "N", "name": "N"}, 404),
        ("post", "/orgs/T/merge", {"target": "S"}, 404),
        ("patch", f"/members/{tung}", {"full_name": "Bị đổi"}, 404),
        ("post", f"/members/{tung}/reveal", {"field": "phone", "reason": "x"}, 404),
        ("post", f"/members/{tung}/change-cell", {"cell": "S", "reason": "x"}, 404),
        # The organisation in the URL is in reach; the one in the body is not.
        ("post", "/orgs/A/move", {"new_parent": "X2"}, 422),
        ("post", "/orgs/X/move", {"new_parent": "P"}, 422),
        ("post", "/orgs", {"parent": "X2", "code": "N", "name": "N", "level": "cell"}, 422),
        (
            "post",
            "/members",
            {
                "cell": "T",
                "full_name": "N",
                "gender": "male",
                "date_of_birth": "1990-01-01",
                "admitted_on": "2020-01-01",
            },
            422,
        ),
    ]
    before = snapshot()
    got = [send(client, method, path, body).status_code for method, path, body, _ in writes]
    assert got == [status for *_, status in writes]
    assert snapshot() == before


def test_roles_without_the_right_are_refused_with_403_and_nothing_changes(users, members):
    an = members["an"].pk
    before = snapshot()
    member = logged_in(users["member_A"])
    error_of(send(member, "patch", f"/members/{an}", {"full_name": "Bị đổi"}), 403, "forbidden")
    error_of(send(member, "patch", "/orgs/A", {"name": "Đổi"}), 403, "forbidden")
    standing = logged_in(users["standing_X"])
    error_of(send(standing, "post", "/orgs/A/move", {"new_parent": "S"}), 403, "forbidden")
    staff = logged_in(users["staff_X"])
    error_of(send(staff, "post", "/orgs/X/close", {}), 403, "forbidden")
    # X is in the staff's reach, and so is G, but moving X needs the right over the province.
    error_of(send(staff, "post", "/orgs/X/move", {"new_parent": "G"}), 403, "forbidden")
    assert snapshot() == before


# Writes


def test_it_founds_an_organisation(users, tree):
    client = logged_in(users["staff_X"])
    response = send(
        client,
        "post",
        "/orgs",
        {
            "parent": "G",
            "code": "G3",
            "name": "Chi bộ Học sinh",
            "level": "cell",
            "cell_type": "school",
            "meeting_day": 5,
            "founded_on": "2024-09-05",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"]["code"] == "G" and body["founded_on"] == "2024-09-05"
    assert Organisation.objects.get(code="G3").meeting_day == 5


def test_it_edits_an_organisation_and_detects_a_stale_version(users, tree):
    client = logged_in(users["secretary_A"])
    response = send(client, "patch", "/orgs/A", {"place": "Phòng 3", "version": 1})
    assert response.status_code == 200
    assert response.json()["place"] == "Phòng 3" and response.json()["version"] == 2

    stale = send(client, "patch", "/orgs/A", {"place": "Phòng 9", "version": 1})
    error_of(stale, 409, "conflict")
    assert Organisation.objects.get(code="A").place == "Phòng 3"


def test_it_moves_an_organisation(users, tree):
    client = logged_in(users["admin_P"])
    response = send(client, "post", "/orgs/G/move", {"new_parent": "X2", "note": "sáp nhập"})
    assert response.status_code == 200
    assert response.json()["parent"]["code"] == "X2"
    assert OrgChange.objects.filter(organisation__code="G", kind="moved").exists()


def test_it_refuses_to_move_an_organisation_under_its_own_descendant(users, tree):
    before = snapshot()
    response = send(logged_in(users["staff_X"]), "post", "/orgs/G/move", {"new_parent": "A"})
    error = error_of(response, 422, "invalid")
    assert list(error["fields"]) == ["new_parent"]
    assert snapshot() == before


def test_it_merges_an_organisation(users, members):
    client = logged_in(users["staff_X"])
    response = send(client, "post", "/orgs/B/merge", {"target": "A", "effective_on": "2025-01-01"})
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "A"
    assert Organisation.objects.get(code="B").closed_on == datetime.date(2025, 1, 1)
    assert Member.objects.get(pk=members["hoa"].pk).cell.code == "A"


def test_it_splits_an_organisation(users, members):
    client = logged_in(users["staff_X"])
    body = {"code": "A2", "name": "Chi bộ Giáo viên 2", "member_ids": [members["an"].pk]}
    response = send(client, "post", "/orgs/A/split", body)
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "A2" and response.json()["parent"]["code"] == "G"
    assert Member.objects.get(pk=members["an"].pk).cell.code == "A2"


def test_it_closes_an_empty_organisation_and_refuses_one_with_members(users, members):
    client = logged_in(users["staff_X"])
    error_of(send(client, "post", "/orgs/B/close", {}), 422, "invalid")
    send(client, "post", f"/members/{members['hoa'].pk}/change-cell", {"cell": "A", "reason": "x"})
    response = send(client, "post", "/orgs/B/close", {"note": "hết đảng viên"})
    assert response.status_code == 200
    assert response.json()["closed_on"] == timezone.localdate().isoformat()


def test_it_adds_a_member(users, tree):
    client = logged_in(users["secretary_A"])
    response = send(
        client,
        "post",
        "/members",
        {
            "cell": "A",
            "full_name": "Hoàng Thị Mai",
            "gender": "female",
            "date_of_birth": "1995-02-03",
            "admitted_on": "2024-05-19",
            "phone": "0987654321",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cell"]["code"] == "A" and body["status"] == "probationary"
    assert body["phone_masked"] == "098••••321"
    assert MembershipPeriod.objects.filter(member_id=body["id"]).count() == 1


def test_it_corrects_a_member_and_detects_a_stale_version(users, members):
    client = logged_in(users["secretary_A"])
    an = members["an"].pk
    response = send(client, "patch", f"/members/{an}", {"position": "Tổ trưởng", "version": 1})
    assert response.status_code == 200
    assert response.json()["position"] == "Tổ trưởng"
    stale = send(client, "patch", f"/members/{an}", {"position": "X", "version": 1})
    error_of(stale, 409, "conflict")
    assert Member.objects.get(pk=an).position == "Tổ trưởng"


def test_it_takes_null_as_empty_text_in_a_members_text_fields(users, members):
    client = logged_in(users["secretary_A"])
    blank = dict.fromkeys(
        (
            "religion",
            "hometown",
            "residence",
            "phone",
            "email",
            "education",
            "qualification",
            "occupation",
            "position",
        )
    )
    response = send(client, "post", "/members", {**NEW_MEMBER, **blank})
    assert response.status_code == 201, response.content
    created = Member.objects.get(pk=response.json()["id"])
    assert {f: getattr(created, f) for f in blank} == dict.fromkeys(blank, "")

    an = members["an"]
    send(client, "patch", f"/members/{an.pk}", {"religion": "Phật giáo", "email": "an@x.vn"})
    response = send(client, "patch", f"/members/{an.pk}", blank)
    assert response.status_code == 200, response.content
    an.refresh_from_db()
    assert {f: getattr(an, f) for f in blank} == dict.fromkeys(blank, "")
    assert response.json()["phone_masked"] == ""


def test_a_member_needs_an_ethnicity_even_sent_as_null(users, members):
    client = logged_in(users["secretary_A"])
    before = snapshot()
    patch = send(client, "patch", f"/members/{members['an'].pk}", {"ethnicity": None})
    assert list(error_of(patch, 422, "invalid")["fields"]) == ["ethnicity"]
    post = send(client, "post", "/members", {**NEW_MEMBER, "ethnicity": None})
    assert list(error_of(post, 422, "invalid")["fields"]) == ["ethnicity"]
    assert snapshot() == before


def test_it_changes_a_members_home_cell(users, members):
    client = logged_in(users["staff_X"])
    response = send(
        client,
        "post",
        f"/members/{members['an'].pk}/change-cell",
        {"cell": "S", "effective_on": "2025-06-01", "reason": "Chuyển nơi ở"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cell"]["code"] == "S"
    assert [p["organisation"]["code"] for p in body["periods"]] == ["S", "A"]


def test_it_reveals_a_citizen_id_and_records_who_saw_it(users, members):
    client = logged_in(users["inspection_X"])
    an = members["an"].pk
    body = {"field": "citizen_id", "reason": "Kiểm tra hồ sơ"}
    response = send(client, "post", f"/members/{an}/reveal", body)
    assert response.json() == {"value": "001080012345"}
    event = AuditEvent.objects.get(action="member.reveal")
    assert event.actor == users["inspection_X"] and event.object_id == str(an)
    assert event.changes == {"field": "citizen_id", "reason": "Kiểm tra hồ sơ"}


def test_a_plain_member_cannot_reveal_anothers_citizen_id(users, members):
    client = logged_in(users["member_A"])
    body = {"field": "citizen_id", "reason": "tò mò"}
    response = send(client, "post", f"/members/{members['an'].pk}/reveal", body)
    error_of(response, 403, "forbidden")
    assert "001080012345" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


# Accounts


def test_it_lists_the_roles_held_on_an_organisation(users, members):
    body = logged_in(users["admin_P"]).get(API + "/orgs/A/roles").json()
    assert body["count"] == 4
    secretary = next(r for r in body["items"] if r["username"] == "secretary_A")
    assert secretary == {
        "id": Role.objects.get(user=users["secretary_A"]).pk,
        "username": "secretary_A",
        "full_name": "",
        "kind": "secretary",
    }
    assert {r["username"] for r in body["items"]} == {
        "member_A",
        "committee_A",
        "deputy_A",
        "secretary_A",
    }


def test_it_grants_and_revokes_a_role(users, members):
    client = logged_in(users["admin_P"])
    body = {"username": "member_A", "kind": "cell_committee"}
    response = send(client, "post", "/orgs/A/roles", body)
    assert response.status_code == 201, response.content
    granted = response.json()
    assert granted["username"] == "member_A" and granted["kind"] == "cell_committee"
    role = Role.objects.get(pk=granted["id"])
    assert role.user == users["member_A"] and role.organisation.code == "A"
    assert AuditEvent.objects.filter(action="role.grant").count() == 1

    assert client.delete(f"{API}/roles/{role.pk}").status_code == 204
    assert not Role.objects.filter(pk=role.pk).exists()
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1
    error_of(client.delete(f"{API}/roles/{role.pk}"), 404, "not_found")


def test_it_gives_the_same_answer_for_unknown_inactive_and_out_of_reach_usernames(
    users, members, tree
):
    outsider = User.objects.create_user("outsider", password="pw-outsider-123")
    Role.objects.create(user=outsider, organisation=tree["P2"], kind=RoleKind.STANDING_MEMBER)
    users["inspection_X"].is_active = False
    users["inspection_X"].save()
    client = logged_in(users["admin_P"])
    before = snapshot()
    answers = []
    for username in ("nobody", "outsider", "stranger", "inspection_X"):
        body = {"username": username, "kind": "standing_member"}
        response = send(client, "post", "/orgs/X/roles", body)
        error = error_of(response, 422, "invalid")
        assert list(error["fields"]) == ["username"], username
        answers.append(response.json())
    assert all(answer == answers[0] for answer in answers), answers
    assert snapshot() == before


def test_it_refuses_to_grant_or_revoke_roles_out_of_reach(users, members, tree):
    outsider = User.objects.create_user("outsider", password="pw-outsider-123")
    theirs = Role.objects.create(
        user=outsider, organisation=tree["P2"], kind=RoleKind.STANDING_MEMBER
    )
    client = logged_in(users["admin_P"])
    before = snapshot()
    error_of(client.delete(f"{API}/roles/{theirs.pk}"), 404, "not_found")
    error_of(client.delete(f"{API}/roles/{2**70}"), 404, "not_found")
    body = {"username": "staff_X", "kind": "standing_member"}
    error_of(send(client, "post", "/orgs/P2/roles", body), 404, "not_found")
    # A role that sees the organisation but does not manage its accounts is refused.
    staff = logged_in(users["staff_X"])
    error_of(send(staff, "post", "/orgs/X/roles", body), 403, "forbidden")
    error_of(staff.get(API + "/orgs/X/roles"), 403, "forbidden")
    assert snapshot() == before


def test_it_opens_an_account_for_a_member_and_shows_the_password_once(users, members):
    client = logged_in(users["admin_P"])
    hoa = members["hoa"]
    response = send(client, "post", f"/members/{hoa.pk}/account", {"username": "hoa"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "hoa" and set(body) == {"username", "password"}
    user = User.objects.get(username="hoa")
    assert user.member == hoa and user.check_password(body["password"])
    assert list(user.roles.values_list("kind", "organisation__code")) == [("member", "B")]

    before = snapshot()
    again = send(client, "post", f"/members/{hoa.pk}/account", {"username": "hoa2"})
    assert list(error_of(again, 422, "invalid")["fields"]) == ["username"]
    taken = send(client, "post", f"/members/{members['lan'].pk}/account", {"username": "HOA"})
    assert list(error_of(taken, 422, "invalid")["fields"]) == ["username"]
    assert snapshot() == before


# Errors


def test_validation_errors_name_the_field_in_vietnamese_by_default(users, tree):
    client = logged_in(users["secretary_A"])
    error = error_of(send(client, "post", "/members", {"cell": "A"}), 422, "invalid")
    assert error["fields"]["full_name"] == ["Trường này là bắt buộc."]


def test_validation_errors_are_in_english_when_asked(users, tree):
    client = logged_in(users["secretary_A"])
    response = send(client, "post", "/members", {"cell": "A"}, HTTP_ACCEPT_LANGUAGE="en")
    error = error_of(response, 422, "invalid")
    assert error["fields"]["full_name"] == ["This field is required."]


def test_errors_raised_by_actions_name_the_field_in_the_users_language(users, members):
    client = logged_in(users["secretary_A"])
    path = f"/members/{members['an'].pk}"
    vi = error_of(send(client, "patch", path, {"email": "không-phải-email"}), 422, "invalid")
    assert vi["fields"] == {"email": ["Nhập địa chỉ email."]}
    en = send(client, "patch", path, {"email": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert error_of(en, 422, "invalid")["fields"] == {"email": ["Enter a valid email address."]}


def test_it_names_an_unknown_organisation_code_in_a_body(users, members):
    client = logged_in(users["secretary_A"])
    body = {"cell": "NOWHERE", "reason": "x"}
    error = error_of(
        send(client, "post", f"/members/{members['an'].pk}/change-cell", body), 422, "invalid"
    )
    assert list(error["fields"]) == ["cell"]


def test_it_refuses_unknown_fields_and_bad_values(users, tree):
    client = logged_in(users["staff_X"])
    response = send(client, "patch", "/orgs/A", {"colour": "red", "meeting_day": "soon"})
    error = error_of(response, 422, "invalid")
    assert set(error["fields"]) == {"colour", "meeting_day"}
    error = error_of(client.get(API + "/orgs", {"limit": 0, "level": "x"}), 422, "invalid")
    assert set(error["fields"]) == {"limit", "level"}


def test_it_refuses_ids_the_database_cannot_hold(users, members):
    client = logged_in(users["staff_X"])
    before = snapshot()
    for field in ("member_ids", "child_ids"):
        for bad in (2**70, 2**63, 0, -1):
            body = {"code": "A2", "name": "Chi bộ 2", field: [members["an"].pk, bad]}
            error = error_of(send(client, "post", "/orgs/A/split", body), 422, "invalid")
            assert list(error["fields"]) == [field], bad
    too_many = {"code": "A2", "name": "Chi bộ 2", "member_ids": list(range(1, MAX_IDS + 2))}
    error = error_of(send(client, "post", "/orgs/A/split", too_many), 422, "invalid")
    assert list(error["fields"]) == ["member_ids"]
    assert snapshot() == before


def test_it_refuses_a_search_longer_than_it_reads(users, members):
    client = logged_in(users["staff_X"])
    for path in ("/orgs", "/members"):
        error = error_of(client.get(API + path, {"q": "a" * 50_000}), 422, "invalid")
        assert list(error["fields"]) == ["q"]
        assert client.get(API + path, {"q": "a" * MAX_QUERY}).status_code == 200


def test_it_answers_an_unreadable_body_with_the_error_shape(users, tree):
    client = logged_in(users["staff_X"])
    response = client.post(API + "/orgs", "{nope", content_type="application/json")
    error_of(response, 400, "bad_request")


# Documentation


def test_the_openapi_document_lists_every_endpoint(client):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    expected = {
        "/me",
        "/tokens",
        "/tokens/{prefix}",
        "/orgs",
        "/orgs/{code}",
        "/orgs/{code}/children",
        "/orgs/{code}/stats",
        "/orgs/{code}/history",
        "/orgs/{code}/move",
        "/orgs/{code}/merge",
        "/orgs/{code}/split",
        "/orgs/{code}/close",
        "/members",
        "/members/{member_id}",
        "/members/{member_id}/change-cell",
        "/members/{member_id}/reveal",
        "/audit",
        "/orgs/{code}/roles",
        "/roles/{role_id}",
        "/members/{member_id}/account",
        "/orgs/{code}/meetings",
        "/orgs/{code}/meetings/plan-year",
        "/meetings/{meeting_id}",
        "/meetings/{meeting_id}/cancel",
        "/meetings/{meeting_id}/notice",
        "/meetings/{meeting_id}/agenda",
        "/meetings/{meeting_id}/guests",
        "/meetings/{meeting_id}/absence",
        "/meetings/{meeting_id}/absence/{member_id}",
        "/meetings/{meeting_id}/opinions",
        "/meetings/{meeting_id}/start",
        "/meetings/{meeting_id}/check-in",
        "/meetings/{meeting_id}/check-in/code",
        "/meetings/{meeting_id}/attendance/{member_id}",
        "/meetings/{meeting_id}/register",
        "/meetings/{meeting_id}/votes",
        "/meetings/{meeting_id}/tasks",
        "/meetings/{meeting_id}/tasks/{task_id}/review",
        "/meetings/{meeting_id}/open-tasks",
        "/meetings/{meeting_id}/close",
        "/me/tasks",
        "/meetings/{meeting_id}/minutes",
        "/meetings/{meeting_id}/minutes/sign",
        "/meetings/{meeting_id}/minutes/addenda",
        "/meetings/{meeting_id}/minutes/addenda/{addendum_id}/sign",
        "/meetings/{meeting_id}/minutes.pdf",
        "/meetings/{meeting_id}/minutes.docx",
        "/meetings/{meeting_id}/score",
        "/meetings/{meeting_id}/assessor",
        "/meetings/{meeting_id}/materials",
        "/meetings/{meeting_id}/materials/release",
        "/meetings/{meeting_id}/materials/{material_id}",
        "/me/calendar",
        "/me/calendar/reset",
    }
    # The apps that walk their own endpoints (tests/walks.py) list them there.
    expected |= walks.API_READS | {path for _method, path in walks.API_WRITES}
    assert {p.removeprefix(API) for p in schema["paths"]} == expected
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"] and operation["tags"], f"{method} {path}"
