"""The inspection API: every endpoint for every role, writes refused without a change, a
case followed from the notice to the discipline with a token, and errors that name the
field and the rule."""

import json

import pytest
from django.test import Client

from chibo.accounts.actions import issue_token
from chibo.oversight.tests.test_inspection_pages import LEAD_A, MANAGE_X, VIEW_X, snapshot, walk
from chibo.oversight.tests.walks_inspection import API_READS, API_WRITES
from tests.fixtures import ROLE_CASES

pytestmark = pytest.mark.django_db

API = "/api/v1"
__all__ = ["walk"]  # the fixture, shared with the pages' tests

# (path, route, roles that get 200). Every other role gets 403 or 404.
READS = [
    (
        "/oversight/orgs/X/inspection/programme",
        "/oversight/orgs/{code}/inspection/programme",
        VIEW_X,
    ),
    (
        "/oversight/orgs/A/inspection/programme?year=2025",
        "/oversight/orgs/{code}/inspection/programme",
        VIEW_X | LEAD_A,
    ),
    ("/oversight/orgs/X/inspections", "/oversight/orgs/{code}/inspections", VIEW_X),
    (
        "/oversight/orgs/A/inspections?year=2026",
        "/oversight/orgs/{code}/inspections",
        VIEW_X | LEAD_A,
    ),
    ("/oversight/orgs/T/inspections", "/oversight/orgs/{code}/inspections", {"admin_P"}),
    ("/oversight/inspections/{an_case}", "/oversight/inspections/{inspection_id}", VIEW_X | LEAD_A),
    ("/oversight/inspections/{b_case}", "/oversight/inspections/{inspection_id}", VIEW_X),
    ("/oversight/inspections/{t_case}", "/oversight/inspections/{inspection_id}", {"admin_P"}),
    ("/oversight/orgs/X/complaints?which=all", "/oversight/orgs/{code}/complaints", VIEW_X),
    ("/oversight/orgs/A/complaints", "/oversight/orgs/{code}/complaints", VIEW_X | LEAD_A),
    ("/oversight/complaints/{complaint}", "/oversight/complaints/{complaint_id}", VIEW_X),
    ("/oversight/orgs/X/discipline", "/oversight/orgs/{code}/discipline", VIEW_X),
    (
        "/oversight/orgs/A/discipline?year=2026",
        "/oversight/orgs/{code}/discipline",
        VIEW_X | LEAD_A,
    ),
    ("/oversight/discipline/{decision}", "/oversight/discipline/{decision_id}", VIEW_X | LEAD_A),
    (
        "/oversight/orgs/X/inspection/statistics?period=2026",
        "/oversight/orgs/{code}/inspection/statistics",
        VIEW_X,
    ),
    (
        "/oversight/orgs/A/inspection/statistics",
        "/oversight/orgs/{code}/inspection/statistics",
        VIEW_X | LEAD_A,
    ),
]

# (path, route, body, roles allowed): an allowed write succeeds; every other role is
# refused (403 or 404) and nothing changes.
WRITES = [
    (
        "/oversight/orgs/X/inspection/plans",
        "/oversight/orgs/{code}/inspection/plans",
        {"year": 2027, "title": "Chương trình kiểm tra 2027"},
        MANAGE_X,
    ),
    (
        "/oversight/inspection/plans/{plan}/approve",
        "/oversight/inspection/plans/{plan_id}/approve",
        {"approved_on": "2026-01-10"},
        MANAGE_X,
    ),
    (
        "/oversight/orgs/X/inspections",
        "/oversight/orgs/{code}/inspections",
        {"kind": "suspected_violation", "subject_member": "{duc}", "topic": "Đơn tố cáo"},
        MANAGE_X,
    ),
    (
        "/oversight/inspections/{b_case}/steps",
        "/oversight/inspections/{inspection_id}/steps",
        {"step": "self_report", "on": "2026-11-20"},
        MANAGE_X,
    ),
    (
        "/oversight/inspections/{an_case}/conclusion",
        "/oversight/inspections/{inspection_id}/conclusion",
        {"on": "2026-11-25", "result": "violation", "conclusion": "Có vi phạm"},
        MANAGE_X,
    ),
    (
        "/oversight/orgs/X/complaints",
        "/oversight/orgs/{code}/complaints",
        {
            "kind": "denunciation",
            "received_on": "2026-11-20",
            "sender": "Lê Văn Dân",
            "subject_member": "{duc}",
            "summary": "Nội dung đơn",
        },
        MANAGE_X,
    ),
    (
        "/oversight/complaints/{complaint}/handle",
        "/oversight/complaints/{complaint_id}/handle",
        {"handled_on": "2026-11-30", "outcome": "partly_upheld", "note": "Có đúng có sai"},
        MANAGE_X,
    ),
    (
        "/oversight/orgs/X/discipline",
        "/oversight/orgs/{code}/discipline",
        {
            "subject_member": "{an}",
            "form": "warning",
            "number": "9-QĐ/UBKT",
            "decided_on": "2026-11-28",
            "reason": "Vi phạm",
            "inspection_id": "{an_case}",
        },
        MANAGE_X,
    ),
    (
        "/oversight/discipline/{decision}/annul",
        "/oversight/discipline/{decision_id}/annul",
        {"annulled_on": "2026-11-30", "reason": "Khiếu nại đúng"},
        MANAGE_X,
    ),
    (
        "/oversight/orgs/X2/discipline",
        "/oversight/orgs/{code}/discipline",
        {
            "subject_org": "T",
            "form": "dissolution",
            "number": "1-QĐ/ĐU",
            "decided_on": "2026-11-28",
            "reason": "Vi phạm",
        },
        {"admin_P"},
    ),
]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def _fill(body: dict, ids: dict) -> dict:
    """Put the ids in: "{an}" becomes an's id, as a number."""
    return {
        k: int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v
        for k, v in body.items()
    }


def send(client, path, body, **headers):
    return client.post(API + path, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_exactly_its_inspections(users, walk, role):
    client = logged_in(users[role])
    wrong = []
    for template, _route, allowed in READS:
        status = client.get(API + template.format(**walk)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_inspection_write_is_done_or_refused_without_a_change(users, walk, role):
    client = logged_in(users[role])
    wrong = []
    for template, _route, body, allowed in WRITES:
        path = template.format(**walk)
        before = snapshot()
        response = send(client, path, _fill(body, walk))
        if role in allowed:
            if response.status_code not in (200, 201) or snapshot() == before:
                wrong.append(f"{path}: {response.status_code} {response.content[:300]}")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_inspection_endpoint_is_walked(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    ours = {
        p.removeprefix(API): ops
        for p, ops in paths.items()
        if any(op.get("tags") == ["inspection"] for op in ops.values())
    }
    reads = {p for p, ops in ours.items() if "get" in ops}
    writes = {(m, p) for p, ops in ours.items() for m in ops if m in ("post", "put", "patch")}
    assert reads == API_READS == {route for _t, route, _a in READS}
    assert writes == API_WRITES == {("post", route) for _t, route, _b, _a in WRITES}
    for _template, _route, _body, allowed in WRITES:
        assert "stranger" not in allowed


def test_a_case_from_the_notice_to_the_discipline_with_a_token(users, walk):
    _token, key = issue_token(None, users["inspection_X"], "kiem-tra")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    opened = send(
        client,
        "/oversight/orgs/X/inspections",
        {"kind": "suspected_violation", "subject_member": walk["duc"], "topic": "Đơn tố cáo"},
        **headers,
    )
    assert opened.status_code == 201, opened.content
    case = opened.json()
    assert (case["state"], case["subject"]["name"]) == ("planned", "Đỗ Minh Đức")
    for step, day in (("notice", "2026-11-02"), ("self_report", "2026-11-06")):
        answer = send(
            client,
            f"/oversight/inspections/{case['id']}/steps",
            {"step": step, "on": day},
            **headers,
        )
        assert answer.status_code == 200, answer.content
    early = send(
        client,
        f"/oversight/inspections/{case['id']}/steps",
        {"step": "meeting", "on": "2026-11-05"},
        **headers,
    )
    assert early.status_code == 422 and "on" in early.json()["error"]["fields"]
    send(
        client,
        f"/oversight/inspections/{case['id']}/steps",
        {"step": "meeting", "on": "2026-11-09"},
        **headers,
    )
    concluded = send(
        client,
        f"/oversight/inspections/{case['id']}/conclusion",
        {"on": "2026-11-15", "result": "violation", "conclusion": "Có vi phạm"},
        **headers,
    )
    assert concluded.json()["state"] == "concluded"
    decided = send(
        client,
        "/oversight/orgs/X/discipline",
        {
            "subject_member": walk["duc"],
            "form": "warning",
            "number": "12-QĐ/UBKT",
            "decided_on": "2026-11-20",
            "reason": "Vi phạm",
            "inspection_id": case["id"],
        },
        **headers,
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()["pack_id"] == "discipline-2025" and decided.json()["effective"]
    stats = client.get(
        API + "/oversight/orgs/X/inspection/statistics?period=2026-11", **headers
    ).json()
    assert stats["inspected_on_suspicion"] == {"organisations": 0, "members": 1}
    assert stats["disciplined"] == {"organisations": 0, "members": 1}
    assert stats["by_form"]["warning"] == 1
    programme = client.get(API + "/oversight/orgs/X/inspection/programme?year=2026", **headers)
    plans = programme.json()["plans"]
    assert plans[0]["plan"]["title"] == "Chương trình kiểm tra, giám sát 2026"
    assert [i["id"] for i in plans[-1]["inspections"]] == [case["id"]]


def test_the_errors_name_the_field_and_the_rule(users, walk):
    client = logged_in(users["inspection_X"])

    def error(response):
        assert response.status_code == 422, response.content
        return response.json()["error"]["fields"]

    fields = error(
        send(
            client,
            "/oversight/orgs/X/discipline",
            {
                "subject_member": walk["lan"],
                "form": "expulsion",
                "number": "13",
                "decided_on": "2026-11-20",
                "reason": "x",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert "a probationary member" in fields["form"][0] and "296-QĐ/TW" in fields["form"][0]
    fields = error(
        send(
            client,
            "/oversight/orgs/X/discipline",
            {
                "subject_org": "X",
                "form": "warning",
                "number": "14",
                "decided_on": "2026-11-20",
                "reason": "x",
            },
        )
    )
    assert list(fields) == ["subject_org"]
    fields = error(
        send(
            client,
            "/oversight/orgs/X/inspections",
            {"kind": "thematic_inspection", "subject_member": 10**9, "topic": "x"},
        )
    )
    assert list(fields) == ["subject_member"]
    fields = error(
        send(
            client,
            "/oversight/orgs/X/complaints",
            {"kind": "complaint", "received_on": "2026-11-20", "subject_org": "A", "summary": "x"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert "give the name" in fields["sender"][0]
    unknown = send(
        client,
        "/oversight/orgs/X/inspection/plans",
        {"year": 2027, "title": "x", "approved": "2026-12-01"},
    )
    assert unknown.status_code == 422
