"""Following cells: assigning and ending, a follower's cells and visits, the review of a
cell's score, coverage of a quarter; every page and endpoint walked for every role, and
each refused write leaving nothing changed."""

import datetime
import json
import random

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from chibo.audit.models import AuditEvent
from chibo.meetings import actions as meeting_actions
from chibo.meetings import scoring
from chibo.meetings.models import MeetingStatus, QualityScore
from chibo.oversight import supervision
from chibo.oversight import supervision_seeding as seeding
from chibo.oversight.models import AttentionCase, FollowAssignment, Visit
from chibo.oversight.tests.conftest import HCM, hold
from chibo.oversight.tests.walks_supervision import API_READS, API_WRITES
from tests.fixtures import ROLE_CASES, make_member

pytestmark = pytest.mark.django_db

D = datetime.date
API = "/api/v1"
CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
EVERYONE = set(ROLE_CASES)
OVERSEE_A = (CELL_A - {"member_A"}) | ABOVE_A
ASSIGN_X = {"standing_X", "admin_P"}


def score_fully(actor, meeting):
    """Score every manual line of the meeting at its maximum."""
    pack = scoring.pack_of(meeting)
    manual = {line.key: line.max for line in pack.quality.manual_lines}
    return scoring.save_score(actor, meeting, manual)


@pytest.fixture
def follow(clock, system, users, tree, members, cell_a):
    """Committee G has Đức (member_A's record) follow cell B from 1 October; B and A held
    their November meetings, both scored; the clock stands at 1 December 2026."""
    b_meeting = hold(clock, system, tree["B"], D(2026, 11, 3))
    a_meeting = hold(clock, system, cell_a, D(2026, 11, 3))
    # Scored once the minutes' signing deadline has passed: the score is complete.
    clock.set(D(2026, 12, 1))
    score_fully(system, b_meeting)
    score_fully(system, a_meeting)
    assignment = supervision.assign_follower(
        system, tree["G"], tree["B"], members["duc"], D(2026, 10, 1)
    )
    return {
        "assignment": assignment,
        "b_meeting": b_meeting,
        "a_meeting": a_meeting,
        **{k: m.pk for k, m in members.items()},
    }


def snapshot():
    return (
        sorted(FollowAssignment.objects.values_list("id", "follower_id", "ended_on")),
        sorted(Visit.objects.values_list("id", flat=True)),
        AuditEvent.objects.count(),
    )


# Assigning and ending.


def test_a_standing_member_assigns_a_follower_who_then_sees_the_cells_schedule(
    clock, client, users, tree, follow
):
    # given a meeting of B planned for 3 December
    upcoming = meeting_actions.schedule_meeting(
        users["admin_P"],
        tree["B"],
        kind="regular",
        scheduled_at=datetime.datetime(2026, 12, 3, 8, 0, tzinfo=HCM),
        place="Phòng họp nhà trường",
    )
    # when Đức (member_A) opens his cells
    client.force_login(users["member_A"])
    page = client.get("/me/following/").content.decode()
    # then he sees cell B, the committee he follows it for, and the coming meeting
    assert "Chi bộ Hành chính" in page and "Đảng ủy Trường THPT Đồng Văn" in page
    assert "03/12/2026" in page and "Phòng họp nhà trường" in page
    assert f"/followers/{follow['assignment'].pk}/visits/new/" in page
    # a plain member does not reach the meeting's page: no link to it
    assert f"/meetings/{upcoming.pk}/" not in page
    assert AuditEvent.objects.filter(action="follow.assign").count() == 1


def test_the_assignment_form_assigns_from_a_picked_name(client, users, tree, members, follow):
    client.force_login(users["standing_X"])
    options = client.get("/orgs/G/followers/options/?follower=nguyen van")
    assert f"#{members['an'].pk}" in options.content.decode()
    answer = client.post(
        "/orgs/G/followers/",
        {"cell": "A", "follower": f"Nguyễn Văn An · Chi bộ Giáo viên · #{members['an'].pk}"},
    )
    assert answer.status_code == 302
    current = FollowAssignment.objects.get(cell=tree["A"], ended_on__isnull=True)
    assert current.follower == members["an"] and current.started_on == D(2026, 12, 1)
    page = client.get("/orgs/G/followers/").content.decode()
    assert "Nguyễn Văn An" in page and "Đỗ Minh Đức" in page
    assert 'href="?cell=A#assign-h"' not in page


def test_the_form_says_next_to_the_field_what_is_wrong(client, users, follow):
    client.force_login(users["standing_X"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/orgs/G/followers/", {"cell": "T", "follower": "Lò Thị Lan"})
    page = page.content.decode()
    assert "There is no cell with this code under this committee." in page
    assert "Choose the follower from the suggestions" in page
    assert FollowAssignment.objects.count() == 1


@pytest.mark.parametrize(
    ("committee", "cell", "member", "started", "field", "message"),
    [
        ("X", "T", "an", None, "cell", "is not under"),
        ("X", "G", "an", None, "cell", "Choose a cell"),
        ("X", "S", "lan", None, "follower", "official member"),
        ("X", "S", "tung", None, "follower", "must be a member of"),
        ("X", "S", "an", D(2026, 12, 2), "started_on", "future"),
        ("G", "B", "duc", None, "follower", "already follows"),
        ("G", "B", "an", D(2026, 10, 1), "started_on", "since 01/10/2026"),
    ],
)
def test_assigning_names_the_rule_it_breaks(
    system, tree, members, follow, committee, cell, member, started, field, message
):
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        supervision.assign_follower(system, tree[committee], tree[cell], members[member], started)
    assert message in " ".join(refused.value.message_dict[field])
    assert snapshot() == before


def test_a_cell_cannot_assign_followers(system, tree, members, follow):
    with translation.override("en"), pytest.raises(ValidationError, match="a committee does"):
        supervision.assign_follower(system, tree["A"], tree["A"], members["an"])


def test_only_who_may_assign_assigns(users, tree, members, follow):
    for role in ("staff_X", "inspection_X", "secretary_A", "member_A"):
        with pytest.raises(PermissionDenied):
            supervision.assign_follower(users[role], tree["G"], tree["A"], members["an"])
    assert FollowAssignment.objects.count() == 1


def test_a_new_follower_takes_over_and_the_old_assignment_ends_the_day_before(
    system, tree, members, follow
):
    supervision.assign_follower(system, tree["G"], tree["B"], members["an"], D(2026, 11, 20))
    old = FollowAssignment.objects.get(pk=follow["assignment"].pk)
    assert old.ended_on == D(2026, 11, 19)
    new = FollowAssignment.objects.get(cell=tree["B"], ended_on__isnull=True)
    assert new.follower == members["an"]
    event = AuditEvent.objects.filter(action="follow.assign").latest("id")
    assert event.changes["replaced"] == "Đỗ Minh Đức"


def test_ending_keeps_the_visits_inside_the_assignment(users, system, follow):
    assignment = follow["assignment"]
    supervision.record_visit(
        users["member_A"],
        assignment,
        observations="Chi bộ chuẩn bị tốt",
        meeting=follow["b_meeting"],
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        supervision.end_following(system, assignment, D(2026, 11, 1))
    assert "03/11/2026" in refused.value.message_dict["ended_on"][0]
    supervision.end_following(system, assignment, D(2026, 11, 30))
    assignment.refresh_from_db()
    assert assignment.ended_on == D(2026, 11, 30)
    with pytest.raises(ValidationError):
        supervision.end_following(system, assignment)
    with pytest.raises(PermissionDenied):
        supervision.end_following(users["member_A"], FollowAssignment.objects.get(pk=assignment.pk))


# Visits and the review of the score.


def test_the_follower_records_a_visit_with_a_review_of_the_score(client, users, follow):
    client.force_login(users["member_A"])
    url = f"/followers/{follow['assignment'].pk}/visits/new/"
    form = client.get(url).content.decode()
    assert "03/11/2026" in form and 'name="score_review"' in form
    answer = client.post(
        url,
        {
            "meeting": follow["b_meeting"].pk,
            "observations": "Đảng viên phát biểu sôi nổi; biên bản ghi đủ ý kiến.",
            "score_review": "disagree",
            "proposed_level": "fair",
            "score_note": "Chưa kiểm điểm nhiệm vụ tháng trước",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/me/following/"
    visit = Visit.objects.get()
    assert (
        visit.visited_on == D(2026, 11, 3) and visit.cell_id == follow["b_meeting"].organisation_id
    )
    assert visit.score_agrees is False and visit.cell_level == "good"
    assert visit.proposed_level == "fair" and visit.recorded_by == users["member_A"]
    # The meeting is not offered again.
    assert "03/11/2026" not in client.get(url).content.decode().split("<form")[1]
    # The cell's committee reads the visit.
    client.force_login(users["secretary_A"])
    assert "biên bản ghi đủ ý kiến" not in client.get("/orgs/A/visits/").content.decode()
    client.force_login(users["standing_X"])
    assert "biên bản ghi đủ ý kiến" in client.get("/orgs/B/visits/").content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"observations": " "}, "observations", "Write what you observed"),
        ({"meeting": "a_meeting"}, "meeting", "of the cell you follow"),
        ({"visited_on": D(2026, 11, 4)}, "visited_on", "held on 03/11/2026"),
        ({"meeting": None, "visited_on": None}, "visited_on", "day of the visit"),
        ({"meeting": None, "visited_on": D(2026, 9, 30)}, "visited_on", "outside the time"),
        ({"meeting": None, "visited_on": D(2026, 12, 2)}, "visited_on", "taken place"),
        (
            {"meeting": None, "visited_on": D(2026, 11, 20)},
            "score_agrees",
            "complete quality score",
        ),
        ({"score_agrees": None, "score_note": "x"}, "score_agrees", "agree"),
        ({"score_agrees": False}, "proposed_level", "Choose the level"),
        ({"score_agrees": False, "proposed_level": "good"}, "proposed_level", "the cell gave"),
        ({"score_agrees": False, "proposed_level": "fair"}, "score_note", "Say why"),
        ({"score_agrees": True, "proposed_level": "fair"}, "proposed_level", "only when"),
    ],
)
def test_a_visit_names_the_rule_it_breaks(users, follow, fields, field, message):
    values = {
        "observations": "Chi bộ sinh hoạt đúng ngày",
        "meeting": follow["b_meeting"],
        "score_agrees": True,
    }
    values.update(fields)
    if values["meeting"] == "a_meeting":
        values["meeting"] = follow["a_meeting"]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        supervision.record_visit(users["member_A"], follow["assignment"], **values)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Visit.objects.exists()


def test_a_score_under_rules_that_do_not_provide_for_a_review_is_not_reviewed(users, follow):
    QualityScore.objects.filter(meeting=follow["b_meeting"]).update(pack_id="national-2018")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        supervision.record_visit(
            users["member_A"],
            follow["assignment"],
            observations="Đã dự",
            meeting=follow["b_meeting"],
            score_agrees=True,
        )
    assert "national-2018" in refused.value.message_dict["score_agrees"][0]
    # Without a review the visit is recorded.
    visit = supervision.record_visit(
        users["member_A"], follow["assignment"], observations="Đã dự", meeting=follow["b_meeting"]
    )
    assert visit.score_agrees is None and visit.cell_level == ""


def test_a_meeting_not_held_and_a_second_visit_to_one_meeting_are_refused(
    clock, users, tree, follow
):
    planned = meeting_actions.schedule_meeting(
        users["admin_P"],
        tree["B"],
        kind="regular",
        scheduled_at=datetime.datetime(2026, 12, 3, 8, 0, tzinfo=HCM),
    )
    assert planned.status == MeetingStatus.PLANNED
    with translation.override("en"), pytest.raises(ValidationError, match="not been held"):
        supervision.record_visit(
            users["member_A"], follow["assignment"], observations="x", meeting=planned
        )
    supervision.record_visit(
        users["member_A"], follow["assignment"], observations="x", meeting=follow["b_meeting"]
    )
    with translation.override("en"), pytest.raises(ValidationError, match="already recorded"):
        supervision.record_visit(
            users["member_A"], follow["assignment"], observations="y", meeting=follow["b_meeting"]
        )


def test_only_the_follower_and_who_may_assign_record_visits(users, follow):
    for role in ("secretary_A", "staff_X", "inspection_X", "committee_A"):
        with pytest.raises(PermissionDenied):
            supervision.record_visit(
                users[role], follow["assignment"], observations="x", meeting=follow["b_meeting"]
            )
    visit = supervision.record_visit(
        users["standing_X"], follow["assignment"], observations="x", meeting=follow["b_meeting"]
    )
    assert visit.recorded_by == users["standing_X"]


# Coverage.


def test_coverage_lists_the_cells_with_no_visit_in_the_quarter(client, users, tree, follow):
    supervision.record_visit(
        users["member_A"], follow["assignment"], observations="x", meeting=follow["b_meeting"]
    )
    result = supervision.coverage(tree["X"], supervision.parse_quarter("2026-Q4", D(2026, 12, 1)))
    assert [c.cell.code for c in result.visited] == ["B"]
    assert sorted(c.cell.code for c in result.uncovered) == ["A", "S"]
    assert result.without_follower == 2
    earlier = supervision.coverage(tree["X"], supervision.parse_quarter("2026-Q3", D(2026, 12, 1)))
    assert not earlier.visited and len(earlier.cells) == 3
    client.force_login(users["inspection_X"])
    page = client.get("/orgs/X/coverage/?quarter=2026-Q4").content.decode()
    assert 'id="fig-visited" class="ok"><strong>1</strong>' in page
    assert "Chi bộ thôn Lũng Cú" in page and "Chi bộ Giáo viên" in page
    assert "Chi bộ Hành chính</a>" not in page
    wrong = client.get("/orgs/X/coverage/?quarter=2026-11")
    assert wrong.status_code == 400


def test_coverage_and_a_followers_cells_take_a_fixed_number_of_queries(
    django_assert_num_queries, system, tree, members, follow
):
    quarter = supervision.parse_quarter("2026-Q4", D(2026, 12, 1))
    with django_assert_num_queries(3):
        supervision.coverage(tree["C"], quarter)
    supervision.assign_follower(system, tree["X"], tree["S"], members["duc"], D(2026, 11, 1))
    # Assignments, next meetings, visits, the cells' open warnings.
    with django_assert_num_queries(4):
        rows = supervision.following(members["duc"].pk)
    assert [r.assignment.cell.code for r in rows] == ["B", "S"]


def test_a_quarter_is_written_like_2026_q4():
    today = D(2026, 12, 1)
    assert supervision.parse_quarter("", today).key == "2026-Q4"
    assert supervision.parse_quarter("2026-q3", today).key == "2026-Q3"
    with pytest.raises(ValidationError):
        supervision.parse_quarter("2026-11", today)
    with pytest.raises(ValidationError):
        supervision.parse_quarter("2027-Q1", today)


# Every page for every role.


def gets():
    """(path, roles that get 200). Every other role gets 403 or 404."""
    return [
        ("/orgs/X/followers/", ABOVE_A),
        ("/orgs/G/followers/?cell=A", ABOVE_A),
        ("/orgs/A/followers/", set()),  # a cell assigns no followers
        ("/orgs/X2/followers/", {"admin_P"}),
        ("/orgs/X/followers/options/?follower=an", ASSIGN_X),
        ("/orgs/X2/followers/options/?follower=an", {"admin_P"}),
        ("/me/following/", EVERYONE),
        ("/followers/{assignment}/visits/new/", ASSIGN_X | {"member_A"}),
        ("/orgs/A/visits/", OVERSEE_A),
        ("/orgs/X/visits/", ABOVE_A),
        ("/orgs/T/visits/", {"admin_P"}),
        ("/orgs/X/coverage/", ABOVE_A),
        ("/orgs/A/coverage/?quarter=2026-Q3", OVERSEE_A),
        ("/orgs/T/coverage/", {"admin_P"}),
    ]


def posts():
    """(path, data, roles allowed): each allowed write succeeds (302) and changes the
    records; every other role is refused (403 or 404) and nothing changes. In this order:
    the visit before the end."""
    return [
        ("/orgs/G/followers/", {"cell": "A", "follower": "#{an}"}, ASSIGN_X),
        (
            "/followers/{assignment}/visits/new/",
            {"meeting": "{b_meeting}", "observations": "Sinh hoạt đúng giờ"},
            ASSIGN_X | {"member_A"},
        ),
        ("/followers/{assignment}/end/", {}, ASSIGN_X),
        ("/orgs/X2/followers/", {"cell": "T", "follower": "#{tung}"}, {"admin_P"}),
    ]


def _ids(follow):
    return {
        **{k: v for k, v in follow.items() if isinstance(v, int)},
        "assignment": follow["assignment"].pk,
        "b_meeting": follow["b_meeting"].pk,
    }


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_supervision_pages(client, users, follow, role):
    ids = _ids(follow)
    client.force_login(users[role])
    wrong = []
    for template, allowed in gets():
        status = client.get(template.format(**ids)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_supervision_write_is_done_or_refused_without_a_change(client, users, follow, role):
    ids = _ids(follow)
    client.force_login(users[role])
    wrong = []
    for template, data, allowed in posts():
        path = template.format(**ids)
        before = snapshot()
        response = client.post(path, {k: v.format(**ids) for k, v in data.items()})
        if role in allowed:
            if response.status_code != 302 or snapshot() == before:
                wrong.append(f"{path}: {response.status_code}, not done")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in(client, follow):
    ids = _ids(follow)
    for template, _allowed in gets():
        response = client.get(template.format(**ids))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The API.


def api_reads():
    """(path, route, roles that get 200)."""
    return [
        ("/oversight/orgs/X/followers", "/oversight/orgs/{code}/followers", ABOVE_A),
        ("/oversight/orgs/X/followers?ended=true", "/oversight/orgs/{code}/followers", ABOVE_A),
        ("/oversight/orgs/A/followers", "/oversight/orgs/{code}/followers", set()),
        ("/oversight/orgs/X2/followers", "/oversight/orgs/{code}/followers", {"admin_P"}),
        ("/oversight/orgs/X/visits", "/oversight/orgs/{code}/visits", ABOVE_A),
        ("/oversight/orgs/A/visits?quarter=2026-Q4", "/oversight/orgs/{code}/visits", OVERSEE_A),
        ("/oversight/orgs/X/coverage?quarter=2026-Q4", "/oversight/orgs/{code}/coverage", ABOVE_A),
        ("/oversight/orgs/T/coverage", "/oversight/orgs/{code}/coverage", {"admin_P"}),
        ("/oversight/me/following", "/oversight/me/following", EVERYONE),
    ]


def api_writes():
    """(method, path, route, body, roles allowed)."""
    return [
        (
            "post",
            "/oversight/orgs/G/followers",
            "/oversight/orgs/{code}/followers",
            {"cell": "A", "follower_id": "{an}"},
            ASSIGN_X,
        ),
        (
            "post",
            "/oversight/followers/{assignment}/visits",
            "/oversight/followers/{assignment_id}/visits",
            {"meeting_id": "{b_meeting}", "observations": "Sinh hoạt đúng giờ"},
            ASSIGN_X | {"member_A"},
        ),
        (
            "post",
            "/oversight/followers/{assignment}/end",
            "/oversight/followers/{assignment_id}/end",
            {},
            ASSIGN_X,
        ),
        (
            "post",
            "/oversight/orgs/X2/followers",
            "/oversight/orgs/{code}/followers",
            {"cell": "T", "follower_id": "{tung}"},
            {"admin_P"},
        ),
    ]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def fill(body: dict, ids: dict) -> dict:
    """Put the ids into a body: "{an}" becomes an's id, as a number."""
    return {k: int(v.format(**ids)) if v.startswith("{") else v for k, v in body.items()}


def send(client, method, path, body):
    return getattr(client, method)(API + path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_exactly_its_supervision_endpoints(users, follow, role):
    ids = _ids(follow)
    client = logged_in(users[role])
    wrong = []
    for template, _route, allowed in api_reads():
        status = client.get(API + template.format(**ids)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_supervision_endpoint_write_is_done_or_refused_without_a_change(users, follow, role):
    ids = _ids(follow)
    client = logged_in(users[role])
    wrong = []
    for method, template, _route, body, allowed in api_writes():
        path = template.format(**ids)
        before = snapshot()
        response = send(client, method, path, fill(body, ids))
        if role in allowed:
            if response.status_code not in (200, 201) or snapshot() == before:
                wrong.append(f"{path}: {response.status_code} {response.content[:200]}")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_supervision_endpoint_is_walked():
    from chibo.oversight.tests.test_attention import api_reads as attention_reads
    from chibo.oversight.tests.test_attention import api_writes as attention_writes

    reads = {route for _path, route, _allowed in [*api_reads(), *attention_reads()]}
    writes = {
        (method, route) for method, _path, route, *_rest in [*api_writes(), *attention_writes()]
    }
    assert reads == API_READS
    assert writes == API_WRITES


def test_the_api_answers_the_rule_by_field(users, follow):
    client = logged_in(users["member_A"])
    answer = send(
        client,
        "post",
        f"/oversight/followers/{follow['assignment'].pk}/visits",
        {"meeting_id": follow["a_meeting"].pk, "observations": "x"},
    )
    assert answer.status_code == 422
    assert "meeting_id" in answer.json()["error"]["fields"]
    answer = send(
        client,
        "post",
        f"/oversight/followers/{follow['assignment'].pk}/visits",
        {
            "meeting_id": follow["b_meeting"].pk,
            "observations": "Đồng ý",
            "score_agrees": False,
            "proposed_level": "average",
            "score_note": "Thiếu phát biểu",
        },
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["cell_level"] == "good" and body["proposed_level"] == "average"
    assert body["committee"]["code"] == "G" and body["follower"]["full_name"] == "Đỗ Minh Đức"
    mine = client.get(API + "/oversight/me/following").json()
    assert mine[0]["assignment"]["cell"]["code"] == "B" and mine[0]["visits"] == 1
    coverage = logged_in(users["standing_X"]).get(
        API + "/oversight/orgs/X/coverage?quarter=2026-Q4"
    )
    assert coverage.json()["visited"] == 1
    assert {c["cell"]["code"] for c in coverage.json()["uncovered"]} == {"A", "S"}


def test_a_follower_with_an_account_elsewhere_is_found_by_the_picker_only_under_the_committee(
    client, users, tree, system, follow
):
    make_member(system, tree["T"], "Nguyễn Văn Xa")
    client.force_login(users["admin_P"])
    options = client.get("/orgs/X/followers/options/?follower=nguyen van").content.decode()
    assert "Nguyễn Văn An" in options and "Nguyễn Văn Xa" not in options


# The seeds.


def test_the_seed_follows_every_open_cell_and_visits_as_the_actions_would(
    monkeypatch, django_assert_max_num_queries, clock, system, users, tree, cell_a
):
    # given a secretary in every cell, a standing member of X with a member record, and
    # three meetings held and scored
    for code in ("A", "B", "S", "T"):
        make_member(system, tree[code], f"Bí Thư {code}", position="Bí thư chi bộ")
    khiem = make_member(system, tree["A"], "Hoàng Văn Khiêm")
    users["standing_X"].member = khiem
    users["standing_X"].save()
    held = [
        hold(clock, system, cell_a, D(2026, 10, 3)),
        hold(clock, system, cell_a, D(2026, 11, 3)),
        hold(clock, system, tree["B"], D(2026, 11, 3)),
    ]
    clock.set(D(2026, 12, 1))
    for meeting in held:
        score_fully(system, meeting)
    for name, value in (("VISIT_SHARE", 1), ("VISIT_SHARE_NOW", 1), ("REVIEW_SHARE", 1)):
        monkeypatch.setattr(seeding, name, value)
    # when
    with django_assert_max_num_queries(20):
        counts = seeding.seed_supervision(
            tree["C"], D(2026, 12, 1), random.Random(3), attention=True
        )
    # then each open cell is followed for the committee directly above it
    current = FollowAssignment.objects.filter(ended_on__isnull=True)
    assert {(a.cell.code, a.committee.code) for a in current} == {
        ("A", "G"),
        ("B", "G"),
        ("S", "X"),
        ("T", "X2"),
    }
    assert current.get(cell=tree["S"]).follower == khiem
    assert all(a.follower.status == "official" for a in current)
    assert all(a.follower.cell_id != a.cell_id for a in current if a.cell.code != "T")
    # one visit to each cell with a meeting in the quarter, to one of its meetings
    visits = list(Visit.objects.select_related("meeting", "assignment"))
    assert sorted(v.cell.code for v in visits) == ["A", "B"]
    for visit in visits:
        assert visit.meeting.organisation_id == visit.cell_id == visit.assignment.cell_id
        assert visit.visited_on == supervision.meeting_day(visit.meeting)
        assert visit.assignment.started_on <= visit.visited_on <= D(2026, 12, 1)
        assert visit.cell_level == visit.meeting.score.level and visit.score_agrees is not None
    assert counts["visits"] == 2 and counts["cells_visited_this_quarter"] == 2
    # a few members under attention, in cell A first (its secretary has an account)
    cases = list(AttentionCase.objects.order_by("id"))
    assert len(cases) > 1 and cases[0].cell == cell_a and cases[0].is_open
    assert cases[-1].closed_on is not None and cases[-1].outcome
    for case in cases:
        assert case.member.cell_id == case.follower.cell_id == case.cell_id
        assert case.follower.position == "Bí thư chi bộ" and case.opened_on <= case.review_on


def test_the_follower_sees_the_open_warnings_of_the_cells_meetings(client, users, tree, follow):
    """The warnings reach the committee member who follows the cell, without the members'
    names (those warnings stay with the cell and its committees)."""
    from chibo.oversight.models import EarlyWarning

    cell = tree["B"]
    common = {"organisation": cell, "path": cell.path, "pack_id": "hd42-2025", "source": "HD 42"}
    EarlyWarning.objects.create(
        rule="meeting_missed",
        subject="2026-10",
        evidence={"month": "2026-10"},
        raised_on=datetime.date(2026, 11, 12),
        seen_on=datetime.date(2026, 11, 12),
        **common,
    )
    client.force_login(users["member_A"])
    page = client.get("/me/following/").content.decode()
    assert "10/2026" in page
