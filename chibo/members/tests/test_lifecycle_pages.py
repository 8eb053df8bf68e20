"""The pages of a member's path: who reaches each of them, and the flows as the cell, the
committee and the member use them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.members import actions
from chibo.members.models import (
    Badge,
    CorrectionRequest,
    Member,
    MembershipEnd,
    RemovalGround,
    RemovalProposal,
    Status,
    TheoryLevel,
    Training,
    TrainingKind,
)
from chibo.members.tests.conftest import snapshot
from chibo.members.tests.walks import PAGES
from tests.fixtures import ROLE_CASES, make_member

D = datetime.date
EDIT_A = {"deputy_A", "secretary_A", "staff_X", "admin_P"}
DECIDE_A = {"standing_X", "staff_X", "admin_P"}
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
def path_objects(users, members, tree, system):
    """A pending proposal, a course and a correction request in cell A, and a proposal in
    cell T that only the province's administrator reaches."""
    an = members["an"]
    proposal = actions.propose_removal(
        users["secretary_A"], an, RemovalGround.NO_WILL, 2026, "Chi bộ đã giúp đỡ 12 tháng"
    )
    training = actions.add_training(
        users["secretary_A"],
        an,
        kind=TrainingKind.REFRESHER,
        title="Bồi dưỡng lý luận chính trị cho đảng viên mới",
        started_on=D(2011, 4, 4),
        finished_on=D(2011, 4, 9),
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


# (url name, path template, roles that get 200). Every other role gets 403 or 404.
WALK = [
    ("members:end", "/members/{an}/end/", EDIT_A | DECIDE_A),
    ("members:end", "/members/{tung}/end/", {"admin_P"}),
    ("members:removals", "/members/orgs/A/removals/", VIEW_A),
    ("members:removals", "/members/orgs/X/removals/?year=2025", ABOVE_X),
    ("members:removals", "/members/orgs/T/removals/", {"admin_P"}),
    ("members:propose_removal", "/members/{an}/removal/?year=2026", EDIT_A),
    ("members:propose_removal", "/members/{tung}/removal/", {"admin_P"}),
    ("members:decide_removal", "/members/removals/{proposal}/", DECIDE_A),
    ("members:decide_removal", "/members/removals/{t_proposal}/", {"admin_P"}),
    ("members:add_training", "/members/{an}/trainings/new/", EDIT_A),
    ("members:add_training", "/members/{hoa}/trainings/new/", {"staff_X", "admin_P"}),
    ("members:badges", "/members/orgs/A/badges/", VIEW_A),
    ("members:badges", "/members/orgs/X/badges/?on=2026-05-19", ABOVE_X),
    ("members:badges", "/members/orgs/T/badges/", {"admin_P"}),
    ("members:award_badge", "/members/{an}/badges/new/", DECIDE_A),
    ("members:award_badge", "/members/{tung}/badges/new/", {"admin_P"}),
    ("members:corrections", "/members/orgs/A/corrections/", EDIT_A),
    ("members:corrections", "/members/orgs/X/corrections/", {"staff_X", "admin_P"}),
    ("members:ask_correction", "/members/{duc}/corrections/", {"member_A"}),
    ("members:ask_correction", "/members/{an}/corrections/", set()),
    ("members:decide_correction", "/members/corrections/{correction}/", EDIT_A),
]
POST_ONLY = {"members:remove_training"}


def test_the_walk_covers_every_page_listed_for_this_app():
    assert {name for name, _, _ in WALK} | POST_ONLY == PAGES


def _url(template, members, objects):
    return template.format(**{k: m.pk for k, m in members.items()}, **objects)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_pages(client, users, members, path_objects, role):
    client.force_login(users[role])
    wrong = []
    for _name, template, allowed in WALK:
        url = _url(template, members, path_objects)
        status = client.get(url).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{url}: {status} ({'allowed' if ok else 'denied'} expected)")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in(client, members, path_objects):
    for _name, template, _allowed in WALK:
        response = client.get(_url(template, members, path_objects))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_removing_a_course_is_for_those_who_edit_the_record(client, users, path_objects, role):
    client.force_login(users[role])
    before = snapshot()
    response = client.post(f"/members/trainings/{path_objects['training']}/remove/")
    if role in EDIT_A:
        assert response.status_code == 302
        assert not Training.objects.filter(pk=path_objects["training"]).exists()
    else:
        assert response.status_code in (403, 404)
        assert snapshot() == before


REFUSED_POSTS = [
    ("/members/{an}/end/", {"kind": "deceased", "effective_on": "2026-11-01"}, "committee_A"),
    ("/members/{an}/removal/", {"ground": "no_will", "year": 2026, "note": "x"}, "standing_X"),
    ("/members/removals/{proposal}/", {"remove": "yes", "decision_number": "1"}, "secretary_A"),
    (
        "/members/{an}/trainings/new/",
        {"kind": "other", "title": "x", "started_on": "2020-01-01"},
        "inspection_X",
    ),
    (
        "/members/{an}/badges/new/",
        {"years": 30, "awarded_on": "2026-05-19", "decision_number": "1"},
        "deputy_A",
    ),
    ("/members/orgs/A/badges/", {"award": "1:30", "decision_number": "1"}, "secretary_A"),
    (
        "/members/{duc}/corrections/",
        {"field": "ethnicity", "requested_value": "Tày", "reason": "x"},
        "secretary_A",
    ),
    ("/members/corrections/{correction}/", {"decision": "approve"}, "committee_A"),
    ("/members/corrections/{correction}/", {"decision": "approve"}, "stranger"),
]


@pytest.mark.parametrize("template, data, role", REFUSED_POSTS)
def test_a_refused_post_changes_nothing(client, users, members, path_objects, template, data, role):
    client.force_login(users[role])
    before = snapshot()
    response = client.post(_url(template, members, path_objects), data)
    assert response.status_code in (403, 404)
    assert snapshot() == before


def test_the_cell_records_a_death_on_the_members_page(client, users, members):
    client.force_login(users["secretary_A"])
    an = members["an"]
    page = client.get(f"/members/{an.pk}/end/").content.decode()
    assert 'value="expelled"' not in page and 'value="deceased"' in page
    before = snapshot()
    refused = {"kind": "expelled", "effective_on": "2026-11-01", "decision_number": "1"}
    assert client.post(f"/members/{an.pk}/end/", refused).status_code == 200
    assert snapshot() == before
    response = client.post(
        f"/members/{an.pk}/end/",
        {
            "kind": "deceased",
            "effective_on": "2026-11-20",
            "reason": "Từ trần",
            "version": an.version,
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=an.pk).status == Status.DECEASED
    page = client.get(f"/members/{an.pk}/").content.decode()
    assert "20/11/2026" in page and "Từ trần" in page
    assert f"/members/{an.pk}/end/" not in page


def test_a_bad_ending_shows_the_rule_on_the_form(client, users, members):
    client.force_login(users["staff_X"])
    an = members["an"]
    before = snapshot()
    response = client.post(
        f"/members/{an.pk}/end/", {"kind": "removed", "effective_on": "2026-11-20"}
    )
    assert response.status_code == 200
    assert "has-error" in response.content.decode()
    assert snapshot() == before


def test_removal_from_the_cells_list_to_the_committees_decision(client, users, members, unpaid):
    duc = members["duc"]
    unpaid.owed[duc.pk] = [D(2026, m, 1) for m in (1, 2, 3)]
    client.force_login(users["secretary_A"])
    listing = client.get("/members/orgs/A/removals/?year=2026").content.decode()
    assert "Đỗ Minh Đức" in listing and f"/members/{duc.pk}/removal/?year=2026" in listing
    form = client.get(f"/members/{duc.pk}/removal/?year=2026").content.decode()
    assert "01/2026, 02/2026, 03/2026" in form
    response = client.post(
        f"/members/{duc.pk}/removal/", {"ground": "unpaid_fees", "year": 2026, "note": ""}
    )
    assert response.status_code == 302
    proposal = RemovalProposal.objects.get(member=duc)
    client.force_login(users["standing_X"])
    listing = client.get("/members/orgs/X/removals/?year=2026").content.decode()
    assert f"/members/removals/{proposal.pk}/" in listing
    response = client.post(
        f"/members/removals/{proposal.pk}/",
        {"remove": "yes", "decision_number": "15-QĐ/ĐU", "effective_on": "2026-11-20"},
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=duc.pk).status == Status.REMOVED
    assert MembershipEnd.objects.get(member=duc).decision_number == "15-QĐ/ĐU"


def test_a_proposal_the_records_do_not_support_is_refused_on_the_form(client, users, members):
    client.force_login(users["secretary_A"])
    response = client.post(
        f"/members/{members['duc'].pk}/removal/",
        {"ground": "absent", "year": 2026},
    )
    assert response.status_code == 200
    # The page is Vietnamese: "…absences without good reason…; removal of name needs … months
    # in a year (Điều lệ Đảng, art. 8)."
    page = response.content.decode()
    assert "vắng sinh hoạt thường kỳ không có lý do chính đáng" in page
    assert "(Điều 8 Điều lệ Đảng)" in page
    assert not RemovalProposal.objects.exists()


def test_a_course_from_the_members_page(client, users, members):
    client.force_login(users["deputy_A"])
    an = members["an"]
    response = client.post(
        f"/members/{an.pk}/trainings/new/",
        {
            "kind": "political_theory",
            "title": "Trung cấp lý luận chính trị - hành chính",
            "theory_level": "intermediate",
            "institution": "Trường Chính trị tỉnh Hà Giang",
            "started_on": "2024-03-01",
            "finished_on": "2025-01-15",
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=an.pk).theory_level == TheoryLevel.INTERMEDIATE
    page = client.get(f"/members/{an.pk}/").content.decode()
    assert "Trường Chính trị tỉnh Hà Giang" in page and "15/01/2025" in page


def test_the_badge_list_awards_under_one_decision(client, users, members, tree, system):
    first = make_member(
        system, tree["A"], "Ba Mươi Năm", admitted_on=D(1996, 5, 19), date_of_birth=D(1970, 1, 1)
    )
    second = make_member(
        system, tree["B"], "Cũng Ba Mươi", admitted_on=D(1996, 4, 1), date_of_birth=D(1970, 1, 1)
    )
    client.force_login(users["staff_X"])
    page = client.get("/members/orgs/G/badges/?on=2026-05-19").content.decode()
    assert "Ba Mươi Năm" in page and "Cũng Ba Mươi" in page
    before = snapshot()
    response = client.post("/members/orgs/G/badges/?on=2026-05-19", {"award": [f"{first.pk}:30"]})
    assert response.status_code == 200 and snapshot() == before  # no decision number
    response = client.post(
        "/members/orgs/G/badges/?on=2026-05-19",
        {"award": [f"{first.pk}:30", f"{second.pk}:30"], "decision_number": "250-QĐ/TU"},
    )
    assert response.status_code == 302
    assert set(Badge.objects.values_list("member_id", "years", "awarded_on")) == {
        (first.pk, 30, D(2026, 5, 19)),
        (second.pk, 30, D(2026, 5, 19)),
    }
    page = client.get(f"/members/{first.pk}/").content.decode()
    assert "19/05/2026" in page and "250-QĐ/TU" in page


def test_an_older_badge_is_recorded_from_the_member_page(client, users, tree, system):
    old = make_member(
        system, tree["A"], "Lão Thành", admitted_on=D(1980, 1, 10), date_of_birth=D(1955, 1, 1)
    )
    client.force_login(users["standing_X"])
    page = client.get("/members/orgs/A/badges/?on=2026-05-19").content.decode()
    assert f"/members/{old.pk}/badges/new/?years=45" in page
    response = client.post(
        f"/members/{old.pk}/badges/new/",
        {"years": 45, "awarded_on": "2025-02-03", "decision_number": "9-QĐ/TU"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/members/{old.pk}/badges/new/",
        {"years": 45, "awarded_on": "2025-02-03", "decision_number": "9-QĐ/TU"},
    )
    assert response.status_code == 200 and Badge.objects.count() == 1


def test_a_member_asks_and_reads_the_answer(client, users, members):
    duc = members["duc"]
    client.force_login(users["member_A"])
    home = client.get("/").content.decode()
    assert f"/members/{duc.pk}/corrections/" in home
    response = client.post(
        f"/members/{duc.pk}/corrections/",
        {
            "field": "residence",
            "requested_value": "thôn Lũng Cú, xã Đồng Văn",
            "reason": "Đã chuyển nhà",
        },
    )
    assert response.status_code == 302
    correction = CorrectionRequest.objects.get(member=duc)
    client.force_login(users["secretary_A"])
    org_page = client.get("/orgs/A/").content.decode()
    assert "/members/orgs/A/corrections/" in org_page
    assert (
        f"/members/corrections/{correction.pk}/"
        in client.get("/members/orgs/A/corrections/").content.decode()
    )
    response = client.post(
        f"/members/corrections/{correction.pk}/", {"decision": "refuse", "answer": ""}
    )
    assert response.status_code == 200  # an answer is needed to refuse
    response = client.post(
        f"/members/corrections/{correction.pk}/",
        {"decision": "refuse", "answer": "Mời đồng chí mang giấy xác nhận cư trú"},
    )
    assert response.status_code == 302
    client.force_login(users["member_A"])
    for url in ("/", f"/members/{duc.pk}/corrections/", f"/members/{duc.pk}/"):
        assert "Mời đồng chí mang giấy xác nhận cư trú" in client.get(url).content.decode(), url


def test_approving_applies_the_value(client, users, members):
    correction = actions.request_correction(
        users["member_A"], members["duc"], "gender", "female", "Sai giới tính"
    )
    client.force_login(users["deputy_A"])
    response = client.post(f"/members/corrections/{correction.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    assert Member.objects.get(pk=members["duc"].pk).gender == "female"


def test_the_organisation_page_links_the_lists(client, users, members):
    for role, expected in (("committee_A", 2), ("secretary_A", 3), ("member_A", 0)):
        client.force_login(users[role])
        page = client.get("/orgs/A/").content.decode()
        links = sum(
            f"/members/orgs/A/{name}/" in page for name in ("removals", "badges", "corrections")
        )
        assert links == expected, role


def test_the_home_page_shows_the_members_own_panels(client, users, members):
    client.force_login(users["member_A"])
    page = client.get("/").content.decode()
    assert f"/members/{members['duc'].pk}/" in page
    client.force_login(users["staff_X"])
    assert "/corrections/" not in client.get("/").content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_committee_lists_do_not_grow_with_the_members(client, users, tree, system):
    for i in range(3):
        make_member(
            system,
            tree["B"],
            f"Thêm Một {i}",
            admitted_on=D(1996, 5, 19),
            date_of_birth=D(1970, 1, 1),
        )
    client.force_login(users["staff_X"])
    urls = ("/members/orgs/X/badges/?on=2026-05-19", "/members/orgs/X/removals/?year=2026")
    few = [_queries(client, url) for url in urls]
    for i in range(6):
        make_member(
            system,
            tree["A"],
            f"Thêm Hai {i}",
            admitted_on=D(1996, 5, 19),
            date_of_birth=D(1970, 1, 1),
        )
    assert [_queries(client, url) for url in urls] == few
