"""The access policy walked for every role against every page.

The expectations are written by hand, not derived from the policy, so that a change in the
policy that widens or narrows anyone's reach fails here. Each page name in the URL
configuration must appear in PAGES, so a new page cannot slip past this test.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from chibo.members.models import Member
from chibo.orgs.models import Organisation
from tests import walks
from tests.fixtures import ROLE_CASES

CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
EVERYONE = set(ROLE_CASES)

# (url name, path template, roles that get 200). Every other role gets 403 or 404.
PAGES = [
    ("home", "/", EVERYONE),
    ("password_change", "/accounts/password/", EVERYONE),
    ("password_change_done", "/accounts/password/done/", EVERYONE),
    ("orgs:tree", "/orgs/", EVERYONE),
    ("orgs:search", "/orgs/search/?q=chi+bo", EVERYONE),
    ("orgs:options", "/orgs/options/?q=chi+bo", EVERYONE),
    ("orgs:detail", "/orgs/A/", CELL_A | ABOVE_A),
    ("orgs:detail", "/orgs/B/", ABOVE_A),
    ("orgs:detail", "/orgs/X/", ABOVE_A),
    ("orgs:detail", "/orgs/T/", {"admin_P"}),
    ("orgs:detail", "/orgs/P2/", set()),
    ("orgs:children", "/orgs/G/children/", ABOVE_A),
    ("orgs:children", "/orgs/X2/children/", {"admin_P"}),
    ("orgs:edit", "/orgs/A/edit/", {"deputy_A", "secretary_A", "standing_X", "staff_X", "admin_P"}),
    ("orgs:edit", "/orgs/X/edit/", {"standing_X", "staff_X", "admin_P"}),
    ("orgs:add_child", "/orgs/G/new/", {"staff_X", "admin_P"}),
    ("orgs:add_child", "/orgs/X2/new/", {"admin_P"}),
    ("orgs:move", "/orgs/A/move/", {"staff_X", "admin_P"}),
    ("orgs:move", "/orgs/X/move/", {"admin_P"}),
    ("orgs:merge", "/orgs/A/merge/", {"staff_X", "admin_P"}),
    ("orgs:split", "/orgs/A/split/", {"staff_X", "admin_P"}),
    ("orgs:close", "/orgs/B/close/", {"staff_X", "admin_P"}),
    ("members:list", "/members/", CELL_A | ABOVE_A),
    ("members:list", "/members/?org=A", CELL_A | ABOVE_A),
    ("members:detail", "/members/{an}/", (CELL_A - {"member_A"}) | ABOVE_A),
    ("members:detail", "/members/{duc}/", CELL_A | ABOVE_A),  # member_A's own record
    ("members:detail", "/members/{hoa}/", ABOVE_A),
    ("members:detail", "/members/{tung}/", {"admin_P"}),
    ("members:edit", "/members/{an}/edit/", {"deputy_A", "secretary_A", "staff_X", "admin_P"}),
    ("members:edit", "/members/{tung}/edit/", {"admin_P"}),
    (
        "members:change_cell",
        "/members/{an}/change-cell/",
        {"deputy_A", "secretary_A", "staff_X", "admin_P"},
    ),
    ("members:create", "/members/new/?cell=A", {"deputy_A", "secretary_A", "staff_X", "admin_P"}),
    ("members:create", "/members/new/?cell=T", {"admin_P"}),
    ("accounts:org_roles", "/manage/orgs/A/roles/", {"admin_P"}),
    ("accounts:org_roles", "/manage/orgs/P2/roles/", set()),
    ("accounts:open_account", "/manage/members/{an}/account/", {"admin_P"}),
    ("meetings:plan", "/orgs/A/meetings/", CELL_A | ABOVE_A),
    ("meetings:plan", "/orgs/T/meetings/", {"admin_P"}),
    (
        "meetings:schedule",
        "/orgs/A/meetings/new/",
        {"committee_A", "deputy_A", "secretary_A", "admin_P"},
    ),
    ("audit:list", "/audit/", {"inspection_X", "admin_P"}),
    ("audit:list", "/audit/?org=T", {"admin_P"}),
]
# Pages that answer POST only; walked in test_reveal_is_scoped.
POST_ONLY = {"members:reveal", "accounts:revoke"}
# The meeting pages are walked in chibo/meetings/tests/test_pages.py, with a meeting to walk.
MEETING_PAGES = {
    "meetings:detail",
    "meetings:check_in_code",
    "meetings:plan_year",
    "meetings:send_notice",
    "meetings:cancel",
    "meetings:add_agenda_item",
    "meetings:add_guest",
    "meetings:request_absence",
    "meetings:decide_absence",
    "meetings:post_opinion",
    "meetings:start",
    "meetings:check_in",
    "meetings:set_attendance",
    "meetings:record_speaker",
    "meetings:record_vote",
    "meetings:add_task",
    "meetings:review_task",
    "meetings:close",
    "meetings:score",
    "meetings:name_assessor",
    "meetings:calendar_feed",
    "meetings:my_calendar",
    "meetings:minutes",
    "meetings:sign_minutes",
    "meetings:add_addendum",
    "meetings:sign_addendum",
    "meetings:minutes_file",
    "meetings:edit",
    "meetings:edit_agenda_item",
    "meetings:record_vote_by_name",
    "meetings:upload_material",
    "meetings:release_materials",
    "meetings:material",
}
PUBLIC = {"healthz", "login", "logout", "set_language"}


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue
            ns = f"{p.namespace}:" if p.namespace else prefix
            yield from _names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


def test_every_page_is_in_the_table():
    covered = {name for name, _, _ in PAGES} | POST_ONLY | PUBLIC | MEETING_PAGES | walks.PAGES
    missing = set(_names(get_resolver().url_patterns)) - covered
    assert not missing, f"pages with no access expectations: {sorted(missing)}"


def _url(template, members):
    return template.format(**{k: m.pk for k, m in members.items()})


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_pages(client, users, members, role):
    client.force_login(users[role])
    wrong = []
    for _name, template, allowed in PAGES:
        url = _url(template, members)
        status = client.get(url).status_code
        expected_ok = role in allowed
        if expected_ok and status != 200 or not expected_ok and status not in (403, 404):
            wrong.append(f"{url}: {status} ({'allowed' if expected_ok else 'denied'} expected)")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in(client, members):
    for _name, template, _allowed in PAGES:
        response = client.get(_url(template, members))
        assert response.status_code == 302, template
        assert response["Location"].startswith("/accounts/login/")


def test_a_member_sees_the_names_in_their_own_cell_only(client, users, members):
    client.force_login(users["member_A"])
    page = client.get("/members/").content.decode()
    assert "Nguyễn Văn An" in page and "Đỗ Minh Đức" in page
    assert "Trần Thị Hoa" not in page and "Vàng Mí Tủng" not in page
    # A plain member sees names, not the records behind them, except their own.
    assert f"/members/{members['an'].pk}/" not in page
    assert f"/members/{members['duc'].pk}/" in page


def test_commune_staff_never_see_another_commune(client, users, members):
    client.force_login(users["staff_X"])
    listing = client.get("/members/").content.decode()
    assert "Vàng Mí Tủng" not in listing
    found = client.get("/orgs/search/?q=sung+la").content.decode()
    assert "Sủng Là" not in found
    tree = client.get("/orgs/").content.decode()
    assert "Mèo Vạc" not in tree


def test_a_refused_write_changes_nothing(client, users, members, tree):
    client.force_login(users["member_A"])
    response = client.post("/orgs/A/edit/", {"name": "Tên mới", "version": 1})
    assert response.status_code in (403, 404)
    assert Organisation.objects.get(code="A").name == "Chi bộ Giáo viên"

    client.force_login(users["staff_X"])
    tung = members["tung"]
    response = client.post(f"/members/{tung.pk}/edit/", {"full_name": "Bị đổi"})
    assert response.status_code == 404
    assert Member.objects.get(pk=tung.pk).full_name == "Vàng Mí Tủng"
    response = client.post("/orgs/T/move/", {"new_parent": "X", "effective_on": "2026-01-01"})
    assert response.status_code == 404
    assert Organisation.objects.get(code="T").path.startswith(tree["X2"].path)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_reveal_is_scoped(client, users, members, role):
    client.force_login(users[role])
    allowed = {"deputy_A", "secretary_A", "staff_X", "inspection_X", "admin_P"}
    response = client.post(
        f"/members/{members['an'].pk}/reveal/", {"field": "citizen_id", "reason": "kiểm tra"}
    )
    if role in allowed:
        assert response.status_code == 200
        assert "001080012345" in response.content.decode()
    else:
        assert response.status_code in (403, 404)
        assert "001080012345" not in response.content.decode()
