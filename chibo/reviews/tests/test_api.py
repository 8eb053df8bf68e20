"""The review API: every endpoint for every role, writes refused without a change, a member's
path from the round to the results, and errors that name the field and the rule."""

import datetime
import json

import pytest
from django.conf import settings
from django.test import Client

from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Vote
from chibo.oversight.tests.conftest import HCM
from chibo.reviews import actions
from chibo.reviews.models import (
    MemberReview,
    OrganisationReview,
    ReviewConfirmation,
    ReviewRound,
)
from chibo.reviews.tests.conftest import (
    ALL_DONE,
    ON_TIME,
    SECTIONS_01,
    SECTIONS_2C,
    member_points,
    org_points,
    submit_self,
)
from chibo.reviews.tests.walks_api import API_READS, API_WRITES
from chibo.transfers import actions as transfer_actions
from tests.fixtures import ROLE_CASES

pytestmark = pytest.mark.django_db

API = "/api/v1"
VIEW_X = {"standing_X", "staff_X", "inspection_X", "admin_P"}
MANAGE_X = {"standing_X", "staff_X", "admin_P"}
DECIDE_X = {"standing_X", "admin_P"}
VIEW_A = {"committee_A", "deputy_A", "secretary_A"}
LEAD_A = {"deputy_A", "secretary_A"}

R = "/reviews/rounds/{round}"
# (path, route, roles that get 200). Every other role gets 403 or 404.
READS = [
    ("/reviews/orgs/X/rounds", "/reviews/orgs/{code}/rounds", VIEW_X),
    ("/reviews/orgs/A/rounds", "/reviews/orgs/{code}/rounds", VIEW_X | VIEW_A),
    (R, "/reviews/rounds/{round_id}", VIEW_X | VIEW_A | {"member_A"}),
    (R + "/cells/A", "/reviews/rounds/{round_id}/cells/{code}", VIEW_X | VIEW_A),
    (R + "/cells/B", "/reviews/rounds/{round_id}/cells/{code}", VIEW_X),
    (R + "/cells/G", "/reviews/rounds/{round_id}/cells/{code}", set()),  # not a cell
    (
        R + "/members/{duc}",
        "/reviews/rounds/{round_id}/members/{member_id}",
        VIEW_X | VIEW_A | {"member_A"},
    ),
    (R + "/members/{an}", "/reviews/rounds/{round_id}/members/{member_id}", VIEW_X | VIEW_A),
    (R + "/members/{hoa}", "/reviews/rounds/{round_id}/members/{member_id}", VIEW_X),
    (R + "/members/{lan}", "/reviews/rounds/{round_id}/members/{member_id}", VIEW_X),
    # T is outside the round.
    (R + "/members/{tung}", "/reviews/rounds/{round_id}/members/{member_id}", set()),
    (R + "/orgs/A/report", "/reviews/rounds/{round_id}/orgs/{code}/report", VIEW_X | VIEW_A),
    (R + "/orgs/G/report", "/reviews/rounds/{round_id}/orgs/{code}/report", VIEW_X),
    # The committee that opened the round is not reviewed in it.
    (R + "/orgs/X/report", "/reviews/rounds/{round_id}/orgs/{code}/report", set()),
    (R + "/deciders/G/member", "/reviews/rounds/{round_id}/deciders/{code}/{subject}", VIEW_X),
    (R + "/deciders/S/member", "/reviews/rounds/{round_id}/deciders/{code}/{subject}", VIEW_X),
    (
        R + "/deciders/X/organisation",
        "/reviews/rounds/{round_id}/deciders/{code}/{subject}",
        VIEW_X,
    ),
    # A subordinate cell decides nothing.
    (R + "/deciders/A/member", "/reviews/rounds/{round_id}/deciders/{code}/{subject}", set()),
    ("/reviews/orgs/X/results", "/reviews/orgs/{code}/results", VIEW_X),
    ("/reviews/orgs/A/results?years=2025", "/reviews/orgs/{code}/results", VIEW_X | VIEW_A),
    ("/members/{duc}/reviews", "/members/{member_id}/reviews", VIEW_X | VIEW_A | {"member_A"}),
    ("/members/{hoa}/reviews", "/members/{member_id}/reviews", VIEW_X),
]

DATES = {
    "self_review_until": "2025-12-12",
    "proposals_until": "2025-12-22",
    "decisions_until": "2025-12-31",
}
# (method, path, route, body, roles allowed), in order: an allowed write succeeds and changes
# something; every other role is refused (403 or 404) and nothing changes.
WRITES = [
    (
        "post",
        "/reviews/orgs/X/rounds",
        "/reviews/orgs/{code}/rounds",
        {"year": 2024, **DATES},
        MANAGE_X,
    ),
    ("post", R + "/dates", "/reviews/rounds/{round_id}/dates", DATES, MANAGE_X),
    (
        "put",
        R + "/members/{duc}/self-review",
        "/reviews/rounds/{round_id}/members/{member_id}/self-review",
        {"form": "2C", "sections": {"duties": "Dạy tốt"}, "points": {"politics": "8,5"}},
        MANAGE_X | LEAD_A | {"member_A"},
    ),
    (
        "put",
        R + "/orgs/A/report",
        "/reviews/rounds/{round_id}/orgs/{code}/report",
        {"sections": {"leadership": "Hoàn thành"}, "points": {"politics_building": 9}},
        MANAGE_X | LEAD_A,
    ),
    (
        "post",
        R + "/members/{an}/proposal",
        "/reviews/rounds/{round_id}/members/{member_id}/proposal",
        {
            "meeting_id": "{meeting}",
            "points": member_points(80),
            "tasks_done_percent": 100,
            "tasks_on_time_percent": 100,
            "tasks_exceeded_percent": 0,
            "level": "good",
            "agree": 2,
            "disagree": 0,
            "abstain": 0,
        },
        VIEW_A | {"admin_P"},
    ),
    (
        "post",
        R + "/members/{an}/decision",
        "/reviews/rounds/{round_id}/members/{member_id}/decision",
        {"level": "good"},
        DECIDE_X,
    ),
    (
        "post",
        R + "/orgs/B/decision",
        "/reviews/rounds/{round_id}/orgs/{code}/decision",
        {"level": "good", "note": "Đạt"},
        DECIDE_X,
    ),
    (
        "post",
        R + "/deciders/X/organisation/confirm",
        "/reviews/rounds/{round_id}/deciders/{code}/{subject}/confirm",
        {},
        DECIDE_X,
    ),
    ("post", R + "/close", "/reviews/rounds/{round_id}/close", {}, MANAGE_X),
]


def logged_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def send(client, method, path, body=None, **headers):
    data = json.dumps(body if body is not None else {})
    return getattr(client, method)(
        API + path, data=data, content_type="application/json", **headers
    )


def fill(body, ids: dict):
    """Put the ids in: "{an}" becomes an's id, as a number."""
    if isinstance(body, dict):
        return {k: fill(v, ids) for k, v in body.items()}
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return ids[body[1:-1]]
    return body


def snapshot():
    """Everything a review write could change, to show that a refused one changed nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (ReviewRound, MemberReview, OrganisationReview, ReviewConfirmation, Vote)
    ]


def error_of(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def submit_report(actor, review_round, org, total=80, level="good"):
    return actions.save_report(
        actor,
        review_round,
        org,
        sections=SECTIONS_01,
        points=org_points(total),
        tasks=ON_TIME,
        self_level=level,
        submit=True,
    )


def propose(actor, review, meeting, total=95, level="excellent", agree=2):
    return actions.propose_member_level(
        actor,
        review,
        meeting,
        points=member_points(total),
        tasks=ALL_DONE,
        level=level,
        agree=agree,
        disagree=0,
        abstain=0,
    )


def meeting_in_progress(system, cell, chair):
    """A meeting of the cell in progress the same day as meeting_a, everyone present."""
    scheduled = datetime.datetime(2025, 12, 3, 14, 0, tzinfo=HCM)
    meeting = meeting_actions.schedule_meeting(system, cell, kind="regular", scheduled_at=scheduled)
    meeting_actions.send_notice(system, meeting)
    meeting_actions.start_meeting(system, meeting, chair=chair, minute_taker=chair)
    for row in meeting.attendance.select_related("member"):
        meeting_actions.check_in(system, meeting, row.member)
    return meeting


@pytest.fixture
def walk(review_round, meeting_a, members, tree, system):
    """X's round of 2025: an's self-review submitted and proposed by cell A (to propose
    again and decide); G's and S's reports decided (for X to confirm); B's report
    submitted (for G's superior to decide); nothing written for duc."""
    review, _vote = propose(system, submit_self(system, review_round, members["an"]), meeting_a)
    for code in ("G", "S"):
        actions.decide(system, submit_report(system, review_round, tree[code]), level="good")
    submit_report(system, review_round, tree["B"])
    return {
        "round": review_round.pk,
        "meeting": meeting_a.pk,
        **{name: member.pk for name, member in members.items()},
    }


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_exactly_the_reviews_in_its_reach(users, walk, role):
    client = logged_in(users[role])
    wrong = []
    for template, _route, allowed in READS:
        status = client.get(API + template.format(**walk)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_review_write_is_done_or_refused_without_a_change(users, walk, role):
    client = logged_in(users[role])
    wrong = []
    for method, template, _route, body, allowed in WRITES:
        path = template.format(**walk)
        before = snapshot()
        response = send(client, method, path, fill(body, walk))
        if role in allowed:
            if response.status_code not in (200, 201) or snapshot() == before:
                wrong.append(f"{method} {path}: {response.status_code} {response.content[:300]}")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{method} {path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_review_endpoint_is_walked(client):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    ours = {
        path.removeprefix(API): operations
        for path, operations in response.json()["paths"].items()
        if any(op.get("tags") == ["reviews"] for op in operations.values())
    }
    reads = {p for p, ops in ours.items() if "get" in ops}
    writes = {(m, p) for p, ops in ours.items() for m in ops if m in ("post", "put", "patch")}
    assert reads == API_READS == {route for _t, route, _a in READS}
    assert writes == API_WRITES == {(m, route) for m, _t, route, _b, _a in WRITES}
    for *_rest, allowed in WRITES:
        assert "stranger" not in allowed


def test_a_member_from_the_self_review_to_the_results(
    clock, meeting_a, members, users, tree, system
):
    # given: X opens the round; an and hoa go through the cells by the core
    x = logged_in(users["standing_X"])
    opened = send(x, "post", "/reviews/orgs/X/rounds", {"year": 2025, **DATES})
    assert opened.status_code == 201, opened.content
    round_id = opened.json()["id"]
    review_round = ReviewRound.objects.get(pk=round_id)
    an, _vote = propose(
        system, submit_self(system, review_round, members["an"]), meeting_a, 85, "good"
    )
    meeting_b = meeting_in_progress(system, tree["B"], members["hoa"])
    propose(system, submit_self(system, review_round, members["hoa"]), meeting_b, 80, "good", 1)
    base = f"/reviews/rounds/{round_id}"
    duc = members["duc"].pk

    # the member reads the pack and their empty review, then submits it
    member = logged_in(users["member_A"])
    pack = member.get(API + base).json()["pack"]
    assert pack["id"] == "reviews-2025" and pack["scored"]
    duties = {c["key"]: c for c in pack["criteria"]["member"]}["duties"]
    assert duties["max_points"] == "50"
    assert [lv["short"] for lv in pack["levels"]] == ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    assert "2C" in {f["key"] for f in pack["forms"]}
    empty = member.get(f"{API}{base}/members/{duc}").json()
    assert (empty["stage"], empty["version"], empty["residence_comments"]) == ("none", None, None)
    submitted = send(
        member,
        "put",
        f"{base}/members/{duc}/self-review",
        {
            "form": "2C",
            "sections": SECTIONS_2C,
            "points": {**member_points(100), "duties": "45.5", "member_duties": 19.5},
            "tasks_done_percent": 100,
            "tasks_on_time_percent": 100,
            "tasks_exceeded_percent": 40,
            "self_level": "excellent",
            "submit": True,
        },
    )
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["stage"], body["self_total"], body["self_level"]) == (
        "submitted",
        "95",
        "excellent",
    )
    assert body["self_points"]["duties"] == "45.5"

    # the cell proposes in its meeting
    secretary = logged_in(users["secretary_A"])
    proposal = {
        "meeting_id": meeting_a.pk,
        "points": member_points(92),
        "tasks_done_percent": 100,
        "tasks_on_time_percent": 100,
        "tasks_exceeded_percent": 40,
        "level": "excellent",
        "comment": "Gương mẫu",
        "agree": 2,
        "disagree": 0,
        "abstain": 0,
    }
    proposed = send(secretary, "post", f"{base}/members/{duc}/proposal", proposal)
    assert proposed.status_code == 200, proposed.content
    vote, review = proposed.json()["vote"], proposed.json()["review"]
    assert vote["passed"] and vote["summary"]
    assert (review["stage"], review["proposed_total"], review["record_frozen"]) == (
        "proposed",
        "92",
        True,
    )
    assert review["proposal_vote"]["id"] == vote["id"]
    # A is a subordinate cell: G decides its members, and G is beyond the secretary's reach.
    refused = send(secretary, "post", f"{base}/members/{duc}/decision", {"level": "good"})
    error_of(refused, 403, "forbidden")

    # X decides: one excellent out of three breaks the quota, so confirming is refused
    for member_id in (members["an"].pk, members["hoa"].pk):
        decided = send(x, "post", f"{base}/members/{member_id}/decision", {"level": "good"})
        assert decided.status_code == 200, decided.content
    decided = send(x, "post", f"{base}/members/{duc}/decision", {"level": "excellent"}).json()
    assert (decided["stage"], decided["level"]) == ("decided", "excellent")
    error = error_of(send(x, "post", f"{base}/deciders/G/member/confirm"), 422, "invalid")
    assert "quota" in error["fields"]
    sheet = x.get(f"{API}{base}/deciders/G/member", {"limit": 2}).json()
    assert sheet["quota"] | {"message": ""} == {
        "level": "excellent",
        "rated": 1,
        "base": 3,
        "allowed": 0,
        "max_percent": 20,
        "applies": True,
        "broken": True,
        "message": "",
    }
    assert (sheet["count"], len(sheet["items"]), sheet["ready"]) == (3, 2, False)
    assert sheet["counts"] == {"excellent": 1, "good": 2, "completed": 0, "not_completed": 0}

    # ... until duc is rated good; then the decisions are confirmed
    again = {"level": "good", "note": "Theo tỷ lệ", "version": decided["version"]}
    assert send(x, "post", f"{base}/members/{duc}/decision", again).status_code == 200
    confirmed = send(x, "post", f"{base}/deciders/G/member/confirm")
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["counts"]["good"] == 3

    # the results count them, and the member sees their own
    results = x.get(API + "/reviews/orgs/X/results", {"years": "2025"}).json()["years"]
    assert [y["year"] for y in results] == [2025]
    assert results[0]["members"]["good"] == 3 and results[0]["totals"]["members"] == 3
    shares = results[0]["shares"]["members"]
    assert shares["good_or_better"] == {"part": 3, "whole": 3, "percent": 100.0}
    assert shares["excellent"]["percent"] == 0.0
    default = x.get(API + "/reviews/orgs/X/results").json()["years"]
    assert [y["year"] for y in default] == [2025]
    mine = member.get(f"{API}/members/{duc}/reviews").json()
    assert [(r["year"], r["level"], r["short"]) for r in mine] == [(2025, "good", "HTTNV")]


def test_the_residential_comment_is_shown_to_the_cell_not_to_the_member(
    review_round, members, users, tree, system
):
    duc = members["duc"]
    registration = transfer_actions.register_residence(
        system, duc, tree["S"], address="thôn Lũng Cú", registered_on=datetime.date(2025, 3, 1)
    )
    transfer_actions.write_comment(system, registration, year=2025, text="Gương mẫu nơi ở")
    path = f"{API}/reviews/rounds/{review_round.pk}/members/{duc.pk}"
    assert logged_in(users["member_A"]).get(path).json()["residence_comments"] is None
    comments = logged_in(users["secretary_A"]).get(path).json()["residence_comments"]
    assert [(c["text"], c["cell"]["code"]) for c in comments] == [("Gương mẫu nơi ở", "S")]


def test_errors_name_the_criterion_the_level_and_the_version(review_round, members, users):
    client = logged_in(users["member_A"], HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    path = f"/reviews/rounds/{review_round.pk}/members/{members['duc'].pk}/self-review"
    before = snapshot()

    out_of_range = send(client, "put", path, {"form": "2C", "points": {"duties": 60}})
    error = error_of(out_of_range, 422, "invalid")
    assert list(error["fields"]) == ["points.duties"]
    assert "from 0 to 50" in error["fields"]["points.duties"][0]
    unknown = send(client, "put", path, {"form": "2C", "sections": {"nonsense": "x"}})
    assert list(error_of(unknown, 422, "invalid")["fields"]) == ["sections.nonsense"]

    too_high = {
        "form": "2C",
        "sections": SECTIONS_2C,
        "points": member_points(80),
        "tasks_done_percent": 100,
        "tasks_on_time_percent": 100,
        "tasks_exceeded_percent": 40,
        "self_level": "excellent",
        "submit": True,
    }
    error = error_of(send(client, "put", path, too_high), 422, "invalid")
    assert "at least 90 points" in " ".join(error["fields"]["self_level"])
    assert snapshot() == before

    draft = send(client, "put", path, {"form": "2C", "points": {"politics": 9}}).json()
    stale = send(client, "put", path, {"form": "2C", "version": draft["version"] - 1})
    error_of(stale, 409, "conflict")
    assert send(client, "put", path, {"form": "2C", "version": draft["version"]}).status_code == 200


def test_nothing_changes_once_the_round_is_closed(review_round, members, users):
    closed = send(
        logged_in(users["standing_X"]), "post", f"/reviews/rounds/{review_round.pk}/close"
    )
    assert closed.status_code == 200 and closed.json()["closed_on"]
    path = f"/reviews/rounds/{review_round.pk}/members/{members['duc'].pk}/self-review"
    before = snapshot()
    late = send(
        logged_in(users["member_A"], HTTP_ACCEPT_LANGUAGE="en"), "put", path, {"form": "2C"}
    )
    assert "is closed" in error_of(late, 422, "invalid")["message"]
    assert snapshot() == before


def test_a_proposal_names_the_meeting_and_the_level(walk, users, meeting_a):
    client = logged_in(users["secretary_A"], HTTP_ACCEPT_LANGUAGE="en")
    path = "/reviews/rounds/{round}/members/{an}/proposal".format(**walk)
    body = fill(WRITES[4][3], walk) | {"level": "excellent"}
    before = snapshot()
    error = error_of(send(client, "post", path, body), 422, "invalid")
    assert list(error["fields"]) == ["level"]
    unknown = send(client, "post", path, body | {"level": "good", "meeting_id": 2**40})
    assert list(error_of(unknown, 422, "invalid")["fields"]) == ["meeting_id"]
    assert snapshot() == before
