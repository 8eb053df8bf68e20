"""Every page renders for an administrator, and list pages keep a fixed number of queries."""

import pytest

from chibo.orgs.actions import create_organisation
from chibo.orgs.models import Level
from tests.fixtures import make_member


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/orgs/",
        "/orgs/P/",
        "/orgs/G/children/",
        "/members/",
        "/members/?q=nguyen+van+an",
        "/orgs/search/?q=lung+cu",
        "/orgs/options/?new_parent=xa",
        "/audit/",
        "/orgs/A/edit/",
        "/orgs/A/move/",
        "/orgs/A/merge/",
        "/orgs/A/split/",
        "/orgs/G/split/",
        "/orgs/A/close/",
        "/orgs/G/new/",
        "/members/new/?cell=A",
        "/manage/orgs/A/roles/",
    ],
)
def test_admin_pages_render(client, users, members, url):
    client.force_login(users["admin_P"])
    response = client.get(url)
    assert response.status_code == 200


def test_health_check_says_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


def test_pages_are_in_vietnamese_by_default_and_english_on_request(client, users):
    client.force_login(users["admin_P"])
    assert "Cây tổ chức" in client.get("/orgs/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/orgs/"})
    assert "Organisation tree" in client.get("/orgs/").content.decode()


def _grow(system, tree, start, cells, members_per_cell):
    for i in range(start, start + cells):
        cell = create_organisation(
            system, tree["G"], code=f"N{i}", name=f"Chi bộ số {i}", level=Level.CELL
        )
        for j in range(members_per_cell):
            make_member(system, cell, f"Phạm Văn Số {i}-{j}")


def test_list_pages_use_a_fixed_number_of_queries(
    client, users, members, system, tree, django_assert_max_num_queries
):
    client.force_login(users["staff_X"])
    _grow(system, tree, 0, 3, 2)
    with django_assert_max_num_queries(30) as small:
        client.get("/members/")
        client.get("/orgs/G/children/")
        client.get("/orgs/G/")
    _grow(system, tree, 3, 20, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/members/")
        client.get("/orgs/G/children/")
        client.get("/orgs/G/")


def test_an_english_browser_still_gets_vietnamese_until_the_user_switches(client, users):
    client.force_login(users["admin_P"])
    page = client.get("/orgs/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Cây tổ chức" in page
