"""The admission API: every endpoint walked for every role, refused writes that change
nothing, a case from the dossier to official membership, and the error shapes."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chibo.accounts.actions import issue_token
from chibo.admissions import actions
from chibo.admissions.models import Candidate
from chibo.admissions.tests.conftest import meeting_in_progress, on, proposed_probation
from chibo.admissions.tests.test_actions import grassroots_standing, snapshot
from chibo.admissions.tests.walks import API_READS, API_WRITES
from chibo.members.models import Member
from chibo.text import mask
from tests.fixtures import ROLE_CASES

API = "/api/v1"
CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
EDIT_A = {"deputy_A", "secretary_A", "staff_X", "admin_P"}
VIEW_A = (CELL_A - {"member_A"}) | ABOVE_A
RUN_A = {"committee_A", "deputy_A", "secretary_A", "admin_P"}
DECIDE_A = {"standing_X", "staff_X", "admin_P"}
D = datetime.date


class Caller:
    """A script calling the API with a bearer token of one user."""

    def __init__(self, user):
        _token, key = issue_token(None, user, "script")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.client = Client()

    def get(self, path):
        return self.client.get(API + path, **self.headers)

    def send(self, method, path, body=None):
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            API + path, data=data, content_type="application/json", **self.headers
        )

    def upload(self, path, data):
        return self.client.post(API + path, data, **self.headers)


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json() if response.content else None


def error_of(response, status, code="invalid"):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def reads(c):
    return [
        ("/admissions/orgs/{code}/candidates", "/admissions/orgs/A/candidates", CELL_A | ABOVE_A),
        ("/admissions/orgs/{code}/candidates", "/admissions/orgs/T/candidates", {"admin_P"}),
        (
            "/admissions/candidates/{candidate_id}",
            f"/admissions/candidates/{c['a'].pk}",
            CELL_A | ABOVE_A,
        ),
        (
            "/admissions/candidates/{candidate_id}",
            f"/admissions/candidates/{c['t'].pk}",
            {"admin_P"},
        ),
        (
            "/admissions/candidates/{candidate_id}/documents/{key}/file",
            f"/admissions/candidates/{c['a'].pk}/documents/application/file",
            VIEW_A,
        ),
        ("/admissions/orgs/{code}/probations", "/admissions/orgs/A/probations", CELL_A | ABOVE_A),
        ("/admissions/orgs/{code}/probations", "/admissions/orgs/X/probations", set()),
        (
            "/admissions/probations/{probation_id}",
            f"/admissions/probations/{c['prob_a'].pk}",
            CELL_A | ABOVE_A,
        ),
        (
            "/admissions/probations/{probation_id}",
            f"/admissions/probations/{c['prob_s'].pk}",
            ABOVE_A,
        ),
        ("/admissions/orgs/{code}/deadlines", "/admissions/orgs/A/deadlines", CELL_A | ABOVE_A),
        ("/admissions/orgs/{code}/deadlines", "/admissions/orgs/X/deadlines", ABOVE_A),
        ("/admissions/orgs/{code}/deadlines", "/admissions/orgs/X2/deadlines", {"admin_P"}),
    ]


def writes(c, members):
    """(method, endpoint, path, body, roles that may): every write of the API."""
    a, prob = c["a"], c["prob_a"]
    vote = {"meeting_id": c["meeting"].pk, "agree": 6, "disagree": 0}
    return [
        (
            "post",
            "/admissions/orgs/{code}/candidates",
            "/admissions/orgs/A/candidates",
            {"full_name": "Mới", "gender": "male", "date_of_birth": "2000-01-01"},
            EDIT_A,
        ),
        (
            "patch",
            "/admissions/candidates/{candidate_id}",
            f"/admissions/candidates/{a.pk}",
            {"occupation": "Nông dân"},
            EDIT_A,
        ),
        (
            "post",
            "/admissions/candidates/{candidate_id}/introducers",
            f"/admissions/candidates/{a.pk}/introducers",
            {"member_id": members["hoa"].pk, "known_since": "2020-01-01"},
            EDIT_A,
        ),
        (
            "delete",
            "/admissions/candidates/{candidate_id}/introducers/{introducer_id}",
            f"/admissions/candidates/{a.pk}/introducers/{a.introducers.first().pk}",
            None,
            EDIT_A,
        ),
        (
            "upload",
            "/admissions/candidates/{candidate_id}/documents/{key}",
            f"/admissions/candidates/{a.pk}/documents/personal_history",
            {"status": "missing"},
            EDIT_A | DECIDE_A,
        ),
        (
            "post",
            "/admissions/candidates/{candidate_id}/vote",
            f"/admissions/candidates/{a.pk}/vote",
            vote,
            RUN_A,
        ),
        (
            "post",
            "/admissions/candidates/{candidate_id}/committee-resolution",
            f"/admissions/candidates/{a.pk}/committee-resolution",
            {"number": "7", "resolved_on": "2026-03-03"},
            DECIDE_A,
        ),
        (
            "post",
            "/admissions/candidates/{candidate_id}/decision",
            f"/admissions/candidates/{a.pk}/decision",
            {"number": "9", "decided_on": "2026-03-03"},
            DECIDE_A,
        ),
        (
            "post",
            "/admissions/candidates/{candidate_id}/close",
            f"/admissions/candidates/{a.pk}/close",
            {"reason": "Chuyển đi nơi khác"},
            EDIT_A,
        ),
        (
            "post",
            "/admissions/members/{member_id}/probation",
            f"/admissions/members/{members['an'].pk}/probation",
            {},
            EDIT_A,
        ),
        (
            "post",
            "/admissions/probations/{probation_id}/ceremony",
            f"/admissions/probations/{c['prob_s'].pk}/ceremony",
            {"held_on": "2026-01-20"},
            {"staff_X", "admin_P"},
        ),
        (
            "post",
            "/admissions/probations/{probation_id}/vote",
            f"/admissions/probations/{prob.pk}/vote",
            vote,
            RUN_A,
        ),
        (
            "post",
            "/admissions/probations/{probation_id}/decision",
            f"/admissions/probations/{prob.pk}/decision",
            {"recognised": True, "number": "1", "decided_on": "2026-03-03"},
            DECIDE_A,
        ),
    ]


def test_every_endpoint_of_the_app_is_walked(client, cases, members):
    assert {endpoint for endpoint, _, _ in reads(cases)} == API_READS
    assert {(m.replace("upload", "post"), e) for m, e, *_ in writes(cases, members)} == API_WRITES
    paths = client.get(API + "/openapi.json").json()["paths"]
    mine = {
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        if path.startswith(API + "/admissions/")
        for method in operations
    }
    assert mine == {("get", p) for p in API_READS} | API_WRITES


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_only_within_its_reach(users, cases, role):
    caller = Caller(users[role])
    wrong = []
    for _endpoint, path, allowed in reads(cases):
        status = caller.get(path).status_code
        if role in allowed and status != 200 or role not in allowed and status not in (403, 404):
            wrong.append(f"{path}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_write_is_refused_out_of_scope_and_changes_nothing(users, cases, members, role):
    caller = Caller(users[role])
    wrong = []
    for method, _endpoint, path, body, allowed in writes(cases, members):
        if role in allowed:
            continue
        before = snapshot()
        if method == "upload":
            response = caller.upload(path, body)
        else:
            response = caller.send(method, path, body)
        if response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_plain_member_gets_the_name_and_stage_without_personal_data(users, cases):
    data = ok(Caller(users["member_A"]).get(f"/admissions/candidates/{cases['a'].pk}"))
    assert data["full_name"] == cases["a"].full_name and data["stage"] == "preparing"
    assert data["personal"] is None and data["documents"] is None and data["blocking"] is None
    data = ok(Caller(users["committee_A"]).get(f"/admissions/candidates/{cases['a'].pk}"))
    assert data["personal"]["date_of_birth"] == "2000-06-15" and data["blocking"] == {}
    assert {d["key"] for d in data["documents"]} >= {"course_certificate", "application"}


@pytest.mark.parametrize(
    "role, clear",
    [("committee_A", False), ("standing_X", False), ("secretary_A", True), ("inspection_X", True)],
)
def test_the_citizen_id_and_phone_are_masked_but_for_those_who_may_reveal_them(
    users, cases, role, clear
):
    a = cases["a"]
    personal = ok(Caller(users[role]).get(f"/admissions/candidates/{a.pk}"))["personal"]
    for field in ("citizen_id", "phone"):
        value = getattr(a, field)
        assert personal[field] == (value if clear else mask(value, 3, 3))
        assert personal[field] != value or clear


def test_the_grassroots_committee_resolves_but_the_superior_committee_decides(
    system, users, tree, cases
):
    a, secretary = cases["a"], users["secretary_A"]
    g_standing = grassroots_standing(system, tree)
    actions.record_admission_vote(secretary, a, cases["meeting"], agree=6, disagree=0, abstain=0)
    grassroots, superior = Caller(g_standing), Caller(users["standing_X"])
    path = f"/admissions/candidates/{a.pk}"
    ok(
        grassroots.send(
            "post", f"{path}/committee-resolution", {"number": "7", "resolved_on": "2026-03-03"}
        )
    )
    decision = {"number": "15-QĐ/ĐU", "decided_on": "2026-03-03"}
    before = snapshot()
    assert grassroots.send("post", f"{path}/decision", decision).status_code == 403
    assert snapshot() == before
    assert ok(superior.send("post", f"{path}/decision", decision), 201)["decided_by"]["code"] == "X"

    record = proposed_probation(system, secretary, tree, cases["meeting"])
    recognition = {"recognised": True, "number": "31-QĐ/ĐU", "decided_on": "2026-03-03"}
    ppath = f"/admissions/probations/{record.pk}/decision"
    before = snapshot()
    assert grassroots.send("post", ppath, recognition).status_code == 403
    assert snapshot() == before
    assert ok(superior.send("post", ppath, recognition))["state"] == "recognised"


def test_a_candidate_goes_from_the_dossier_to_official_membership(
    users, members, tree, cases, today, settings
):
    secretary, standing = Caller(users["secretary_A"]), Caller(users["standing_X"])
    made = ok(
        secretary.send(
            "post",
            "/admissions/orgs/A/candidates",
            {
                "full_name": "Hoàng Thị Nở",
                "gender": "female",
                "date_of_birth": "2003-05-19",
                "ethnicity": "Tày",
                "phone": "0912333444",
                "citizen_id": "002303099999",
            },
        ),
        201,
    )
    path = f"/admissions/candidates/{made['id']}"
    assert "application" in made["blocking"] and "introducers" in made["blocking"]
    # The general education is checked against the pack's minimum (lower secondary school).
    assert made["blocking"]["education"] == [
        "Ghi trình độ giáo dục phổ thông của quần chúng, ví dụ 9/12."
    ]
    error = error_of(secretary.send("patch", path, {"education": "lớp 9"}), 422)
    assert "9/12" in error["fields"]["education"][0]
    low = ok(secretary.send("patch", path, {"education": "5/12"}))
    assert "trung học cơ sở" in low["blocking"]["education"][0]
    assert "294-QĐ/TW" in low["blocking"]["education"][0]
    ok(secretary.send("patch", path, {"education": "9/12"}))
    # A certificate past its validity is refused naming the field and the rule.
    error = error_of(
        secretary.upload(
            f"{path}/documents/course_certificate", {"status": "checked", "dated": "2021-03-02"}
        ),
        422,
    )
    assert "294-QĐ/TW" in error["fields"]["dated"][0]
    for doc in made["documents"]:
        if doc["required"] and not doc["by_step"]:
            scan = SimpleUploadedFile(f"{doc['key']}.pdf", b"%PDF-1.4\n%%EOF\n")
            ok(
                secretary.upload(
                    f"{path}/documents/{doc['key']}",
                    {"status": "checked", "dated": "2026-02-02", "file": scan},
                )
            )
    # An introducer who does not qualify is refused with the rule.
    error = error_of(
        secretary.send(
            "post",
            f"{path}/introducers",
            {"member_id": members["an"].pk, "known_since": "2025-06-01"},
        ),
        422,
    )
    assert "Điều lệ Đảng, art. 4" in error["fields"]["known_since"][0]
    for member in (members["an"], members["duc"]):
        ok(
            secretary.send(
                "post",
                f"{path}/introducers",
                {"member_id": member.pk, "known_since": "2019-01-01"},
            ),
            201,
        )
    assert ok(secretary.get(path))["blocking"] == {}
    vote = {"meeting_id": cases["meeting"].pk, "agree": 3, "disagree": 3}
    answer = ok(secretary.send("post", f"{path}/vote", vote), 201)
    assert answer["state"] == "preparing" and not answer["vote"]["passed"]
    assert "hai phần ba" in answer["vote"]["rule"]
    answer = ok(secretary.send("post", f"{path}/vote", {**vote, "agree": 5, "disagree": 1}), 201)
    assert answer["state"] == "cell_approved"
    ok(
        standing.send(
            "post",
            f"{path}/committee-resolution",
            {"number": "7-NQ/ĐU", "resolved_on": "2026-03-03"},
        )
    )
    probation = ok(
        standing.send(
            "post", f"{path}/decision", {"number": "15-QĐ/ĐU", "decided_on": "2026-03-03"}
        ),
        201,
    )
    assert probation["state"] == "awaiting_ceremony" and probation["ceremony_due"] == "2026-04-14"
    assert probation["decided_by"]["code"] == "X"
    ppath = f"/admissions/probations/{probation['id']}"
    with on(today, D(2026, 3, 10)):
        done = ok(secretary.send("post", f"{ppath}/ceremony", {"held_on": "2026-03-10"}))
    assert done["ends_on"] == "2027-03-10"
    # A year later, the recognition vote is late, and the official date stays.
    today(D(2027, 4, 6))
    secretary, standing = Caller(users["secretary_A"]), Caller(users["standing_X"])
    meeting = meeting_in_progress(users["secretary_A"], tree["A"], D(2027, 4, 6))
    answer = ok(
        secretary.send(
            "post", f"{ppath}/vote", {"meeting_id": meeting.pk, "agree": 6, "disagree": 0}
        ),
        201,
    )
    assert answer["state"] == "proposed"
    deadlines = ok(standing.get("/admissions/orgs/X/deadlines"))
    assert any(d["probation_id"] == probation["id"] and d["kind"] == "review" for d in deadlines)
    final = ok(
        standing.send(
            "post",
            f"{ppath}/decision",
            {"recognised": True, "number": "31-QĐ/ĐU", "decided_on": "2027-04-06"},
        )
    )
    assert final["state"] == "recognised"
    member = Member.objects.get(pk=final["member"]["id"])
    assert member.status == "official" and member.official_on == D(2027, 3, 10)
    assert member.admitted_on == D(2026, 3, 3)


def test_a_stale_version_answers_409(users, cases):
    caller = Caller(users["secretary_A"])
    path = f"/admissions/candidates/{cases['a'].pk}"
    version = ok(caller.get(path))["version"]
    ok(caller.send("patch", path, {"occupation": "Y sĩ", "version": version}))
    error_of(
        caller.send("patch", path, {"occupation": "Bác sĩ", "version": version}), 409, "conflict"
    )
    assert Candidate.objects.get(pk=cases["a"].pk).occupation == "Y sĩ"


def test_a_vote_in_another_cells_meeting_names_the_field(users, cases, tree):
    theirs = meeting_in_progress(users["admin_P"], tree["T"], D(2026, 3, 3), present=[])
    error = error_of(
        Caller(users["secretary_A"]).send(
            "post",
            f"/admissions/candidates/{cases['a'].pk}/vote",
            {"meeting_id": theirs.pk, "agree": 1, "disagree": 0},
        ),
        422,
    )
    assert "meeting_id" in error["fields"]


def test_an_introducer_out_of_reach_is_not_found_in_the_body(users, cases, members):
    error = error_of(
        Caller(users["secretary_A"]).send(
            "post",
            f"/admissions/candidates/{cases['a'].pk}/introducers",
            {"member_id": members["tung"].pk, "known_since": "2019-01-01"},
        ),
        422,
    )
    assert "member_id" in error["fields"]


def test_a_member_sees_their_own_probation_and_no_other(users, cases, members):
    stranger = users["stranger"]
    stranger.member = members["lan"]
    stranger.save()
    caller = Caller(stranger)
    assert ok(caller.get(f"/admissions/probations/{cases['prob_s'].pk}"))["member"]["id"] == (
        members["lan"].pk
    )
    error_of(caller.get(f"/admissions/probations/{cases['prob_a'].pk}"), 404, "not_found")
