import pytest


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
        "/audit/",
        "/orgs/A/edit/",
        "/orgs/A/move/",
        "/orgs/A/merge/",
        "/orgs/A/split/",
        "/orgs/G/split/",
        "/orgs/A/close/",
        "/orgs/G/new/",
        "/members/new/?cell=A",
    ],
)
def test_admin_pages_render(client, users, members, url):
    client.force_login(users["admin_P"])
    r = client.get(url)
    assert r.status_code == 200, r.content[:2000]
