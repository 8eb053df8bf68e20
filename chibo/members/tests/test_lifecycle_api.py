"""The API of a member's path: each endpoint walked for every role, refused writes that
change nothing, and the rules answering 422 with the field and the rule."""

import datetime
import json

import pytest
from django.test import Client

from chibo.members import actions
from chibo.members.models import (
    Badge,
    CorrectionRequest,
    Member,
    RemovalGround,
    RemovalProposal,
    Status,
    TrainingKind,
)
from chibo.members.tests.conftest import snapshot
from chibo.members.tests.walks import API_READS, API_WRITES
from tests.fixtures import ROLE_CASES, make_member
from tests.test_api import route

API = "/api/v1"
D = datetime.date
EDIT_A = {"deputy_A", "secretary_A", "staff_X", "admin_P"}
VIEW_A = {
    "committee_A",
    "deputy_A",
    "secretary_A",
    "standing_X",
    "staff_X",
    "inspection_X",
    "admin_P",
}
ABOVE_X = {"standing_X", "staff_X", "inspection_X", "admin_P"}


@pytest.fixture
def path_objects(users, members, system):
    an = members["an"]
    proposal = actions.propose_removal(
        users["secretary_A"], an, RemovalGround.NO_WILL, 2026, "Chi bộ đã giúp đỡ 12 tháng"
    )
    training = actions.add_training(
        users["secretary_A"],
        an,
        kind=TrainingKind.OTHER,
        title="Tin học văn phòng",
        started_on=D(2015, 6, 1),
        finished_on=D(2015, 8, 1),
    )
    correction = actions.request_correction(
        users["member_A"], members["duc"], "hometown", "xã Lũng Cú, Hà Giang", "Sai quê quán"
    )
    t_proposal = actions.propose_removal(
        system, members["tung"], RemovalGround.NO_WILL, 2026, "Không sinh hoạt"
    )
    return {
        "proposal": proposal.pk,
        "training": training.pk,
        "correction": correction.pk,
        "t_proposal": t_proposal.pk,
    }


READS = [
    ("/members/orgs/A/removals", VIEW_A),
    ("/members/orgs/X/removals?year=2025", ABOVE_X),
    ("/members/orgs/T/removals", {"admin_P"}),
    ("/members/removal-proposals/{proposal}", VIEW_A),
    ("/members/removal-proposals/{t_proposal}", {"admin_P"}),
    ("/members/{an}/trainings", VIEW_A),
    ("/members/{duc}/trainings", VIEW_A | {"member_A"}),  # member_A's own
    ("/members/{tung}/trainings", {"admin_P"}),
    ("/members/{an}/badges", VIEW_A),
    ("/members/{tung}/badges", {"admin_P"}),
    ("/members/orgs/A/badges", VIEW_A),
    ("/members/orgs/X/badges?on=2026-05-19", ABOVE_X),
    ("/members/orgs/T/badges", {"admin_P"}),
    ("/members/{duc}/corrections", EDIT_A | {"member_A"}),
    ("/members/{an}/corrections", EDIT_A),
    ("/members/orgs/A/corrections", EDIT_A),
    ("/members/orgs/T/corrections", {"admin_P"}),
]

# (method, path, body, roles refused): a stranger and roles that see the place but may not
# do this there; each answers 403 or 404 and changes nothing.
WRITES = [
    (
        "post",
        "/members/{an}/end",
        {"kind": "expelled", "effective_on": "2026-11-01", "decision_number": "1-QĐ"},
        {"stranger", "member_A", "committee_A", "secretary_A", "inspection_X"},
    ),
    (
        "post",
        "/members/{an}/end",
        {"kind": "deceased", "effective_on": "2026-11-01"},
        {"stranger", "member_A", "committee_A", "inspection_X"},
    ),
    (
        "post",
        "/members/{an}/removal-proposals",
        {"ground": "absent", "year": 2026},
        {"stranger", "member_A", "committee_A", "standing_X", "inspection_X"},
    ),
    (
        "post",
        "/members/removal-proposals/{proposal}/decision",
        {"remove": True, "decision_number": "1-QĐ"},
        {"stranger", "member_A", "secretary_A", "inspection_X"},
    ),
    (
        "post",
        "/members/{an}/trainings",
        {"kind": "other", "title": "x", "started_on": "2020-01-01"},
        {"stranger", "member_A", "committee_A", "standing_X", "inspection_X"},
    ),
    (
        "delete",
        "/members/trainings/{training}",
        None,
        {"stranger", "member_A", "committee_A", "standing_X"},
    ),
    (
        "post",
        "/members/{an}/badges",
        {"years": 30, "awarded_on": "2026-05-19", "decision_number": "1-QĐ"},
        {"stranger", "member_A", "secretary_A", "inspection_X"},
    ),
    (
        "post",
        "/members/{duc}/corrections",
        {"field": "ethnicity", "requested_value": "Tày", "reason": "x"},
        {"stranger", "secretary_A", "staff_X", "admin_P"},
    ),
    (
        "post",
        "/members/corrections/{correction}/approve",
        {},
        {"stranger", "member_A", "committee_A", "standing_X", "inspection_X"},
    ),
    (
        "post",
        "/members/corrections/{correction}/refuse",
        {"answer": "x"},
        {"stranger", "member_A", "committee_A", "inspection_X"},
    ),
]


def _path(template, members, objects):
    return template.format(**{k: m.pk for k, m in members.items()}, **objects)


def _route(template):
    return (
        route(template.split("?")[0])
        .replace("{proposal}", "{proposal_id}")
        .replace("{t_proposal}", "{proposal_id}")
        .replace("{training}", "{training_id}")
        .replace("{correction}", "{correction_id}")
    )


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def send(client, method, path, body=None, **headers):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(
        API + path, data=data, content_type="application/json", **headers
    )


def test_the_walks_cover_every_endpoint_listed_for_this_app():
    assert {_route(t) for t, _ in READS} == API_READS
    assert {(m, _route(t)) for m, t, *_ in WRITES} == API_WRITES
    for _method, _template, _body, refused in WRITES:
        assert "stranger" in refused and len(refused) >= 2


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_only_within_its_reach(users, members, path_objects, role):
    client = logged_in(users[role])
    wrong = []
    for template, allowed in READS:
        path = _path(template, members, path_objects)
        status = client.get(API + path).status_code
        if role in allowed and status != 200 or role not in allowed and status not in (403, 404):
            wrong.append(f"{path}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "method, template, body, refused", WRITES, ids=[f"{m} {t}" for m, t, *_ in WRITES]
)
def test_each_write_is_refused_out_of_scope_and_changes_nothing(
    users, members, path_objects, method, template, body, refused
):
    path = _path(template, members, path_objects)
    for role in sorted(refused):
        before = snapshot()
        response = send(logged_in(users[role]), method, path, body)
        assert response.status_code in (403, 404), f"{role}: {response.content}"
        assert snapshot() == before, f"{role} changed something"


def error_fields(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["error"]["fields"]


def test_ending_a_membership(users, members):
    an = members["an"]
    client = logged_in(users["staff_X"])
    fields = error_fields(
        send(
            client, "post", f"/members/{an.pk}/end", {"kind": "left", "effective_on": "2026-11-01"}
        )
    )
    assert "decision_number" in fields
    response = send(
        client,
        "post",
        f"/members/{an.pk}/end",
        {"kind": "left", "effective_on": "2026-11-01", "decision_number": "3-QĐ/ĐU"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "left"
    assert body["ending"]["decision_number"] == "3-QĐ/ĐU"
    assert body["periods"][0]["ended_on"] == "2026-11-01"
    got = logged_in(users["secretary_A"]).get(f"{API}/members/{members['duc'].pk}").json()
    assert got["ending"] is None


def test_removal_through_the_api(users, members, unpaid):
    duc = members["duc"]
    unpaid.owed[duc.pk] = [D(2026, 1, 1), D(2026, 2, 1)]
    secretary = logged_in(users["secretary_A"])
    fields = error_fields(
        send(
            secretary,
            "post",
            f"/members/{duc.pk}/removal-proposals",
            {"ground": "unpaid_fees", "year": 2026},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert "(Điều lệ Đảng, art. 8)" in " ".join(fields["ground"])
    unpaid.owed[duc.pk].append(D(2026, 3, 1))
    listing = secretary.get(f"{API}/members/orgs/A/removals?year=2026").json()
    assert listing["fees_included"] and listing["unpaid_fee_months_needed"] == 3
    assert [c["member"]["id"] for c in listing["candidates"]] == [duc.pk]
    response = send(
        secretary,
        "post",
        f"/members/{duc.pk}/removal-proposals",
        {"ground": "unpaid_fees", "year": 2026},
    )
    assert response.status_code == 201
    proposal = response.json()
    assert proposal["evidence"]["unpaid_months"] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    standing = logged_in(users["standing_X"])
    path = f"/members/removal-proposals/{proposal['id']}/decision"
    assert "decision_number" in error_fields(send(standing, "post", path, {"remove": True}))
    assert RemovalProposal.objects.get(pk=proposal["id"]).outcome == "pending"
    response = send(standing, "post", path, {"remove": True, "decision_number": "20-QĐ/ĐU"})
    assert response.status_code == 200 and response.json()["outcome"] == "removed"
    assert Member.objects.get(pk=duc.pk).status == Status.REMOVED
    assert "year" in error_fields(standing.get(f"{API}/members/orgs/X/removals?year=2999"))


def test_training_through_the_api(users, members):
    an = members["an"]
    client = logged_in(users["deputy_A"])
    course = {
        "kind": "political_theory",
        "title": "Cao cấp lý luận chính trị",
        "theory_level": "advanced",
        "started_on": "2022-09-01",
        "finished_on": "2021-06-30",
    }
    assert "finished_on" in error_fields(
        send(client, "post", f"/members/{an.pk}/trainings", course)
    )
    course["finished_on"] = "2024-06-30"
    response = send(client, "post", f"/members/{an.pk}/trainings", course)
    assert response.status_code == 201
    assert client.get(f"{API}/members/{an.pk}").json()["theory_level"] == "advanced"
    training = response.json()["id"]
    assert send(client, "delete", f"/members/trainings/{training}").status_code == 204
    assert client.get(f"{API}/members/{an.pk}").json()["theory_level"] == "none"


def test_badges_through_the_api(users, members, tree, system):
    member = make_member(
        system, tree["A"], "Ba Mươi Năm", admitted_on=D(1996, 5, 19), date_of_birth=D(1970, 1, 1)
    )
    client = logged_in(users["standing_X"])
    listing = client.get(f"{API}/members/orgs/X/badges?on=2026-05-19").json()
    assert listing["previous_award_date"] == "2026-02-03"
    assert [(c["member"]["id"], c["years"]) for c in listing["due"]] == [(member.pk, 30)]
    assert "on" in error_fields(client.get(f"{API}/members/orgs/X/badges?on=2026-05-20"))
    body = {"years": 30, "awarded_on": "2026-02-03", "decision_number": "250-QĐ/TU"}
    assert "years" in error_fields(send(client, "post", f"/members/{member.pk}/badges", body))
    body["awarded_on"] = "2026-05-19"
    assert send(client, "post", f"/members/{member.pk}/badges", body).status_code == 201
    assert "years" in error_fields(send(client, "post", f"/members/{member.pk}/badges", body))
    assert Badge.objects.filter(member=member).count() == 1
    assert [b["years"] for b in client.get(f"{API}/members/{member.pk}/badges").json()] == [30]


def test_corrections_through_the_api(users, members):
    duc = members["duc"]
    me = logged_in(users["member_A"])
    body = {"field": "admitted_on", "requested_value": "2011-03-02", "reason": "Quyết định kết nạp"}
    response = send(me, "post", f"/members/{duc.pk}/corrections", body)
    assert response.status_code == 201
    correction = response.json()
    assert correction["current_value"] == "2010-03-02"
    secretary = logged_in(users["secretary_A"])
    pending = secretary.get(f"{API}/members/orgs/A/corrections").json()
    assert [c["id"] for c in pending] == [correction["id"]]
    # Admitted after the official date (02/03/2011 is kept): the registry's rule refuses it.
    actions.update_member(users["secretary_A"], duc, official_on=D(2011, 3, 1))
    path = f"/members/corrections/{correction['id']}/approve"
    assert "requested_value" in error_fields(send(secretary, "post", path, {}))
    assert CorrectionRequest.objects.get(pk=correction["id"]).outcome == "pending"
    response = send(
        secretary, "post", f"/members/corrections/{correction['id']}/refuse", {"answer": ""}
    )
    assert "answer" in error_fields(response)
    response = send(
        secretary,
        "post",
        f"/members/corrections/{correction['id']}/refuse",
        {"answer": "Giữ nguyên"},
    )
    assert response.json()["outcome"] == "refused"
    mine = me.get(f"{API}/members/{duc.pk}/corrections").json()
    assert mine[0]["answer"] == "Giữ nguyên"
    bad = {"field": "status", "requested_value": "official", "reason": "x"}
    assert "field" in error_fields(send(me, "post", f"/members/{duc.pk}/corrections", bad))


def test_a_phone_number_asked_for_is_masked_but_for_the_member(users, members):
    duc = members["duc"]
    me = logged_in(users["member_A"])
    body = {"field": "phone", "requested_value": "0987654321", "reason": "Số mới"}
    assert send(me, "post", f"/members/{duc.pk}/corrections", body).status_code == 201
    assert me.get(f"{API}/members/{duc.pk}/corrections").json()[0]["requested_value"] == (
        "0987654321"
    )
    secretary = logged_in(users["secretary_A"])
    seen = secretary.get(f"{API}/members/orgs/A/corrections").json()[0]
    assert seen["requested_value"] == "098••••321"
    page = secretary.get(f"/members/corrections/{seen['id']}/").content.decode()
    assert "0987654321" not in page and "098••••321" in page
    assert (
        send(secretary, "post", f"/members/corrections/{seen['id']}/approve", {}).status_code == 200
    )
    assert Member.objects.get(pk=duc.pk).phone == "0987654321"
