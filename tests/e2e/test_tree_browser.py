"""A provincial administrator logs in on a phone and drills down the tree to a member."""

import pytest

from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_logs_in_and_drills_down_to_a_cell(live_server, phone, users, members):
    page = phone
    log_in(page, live_server.url, "admin_P", "pw-admin_P-123")
    assert page.locator("h1").inner_text().startswith("Xin chào") or page.locator("h1").count()

    page.goto(f"{live_server.url}/orgs/")
    # The province is open; its communes load lazily when the tree is opened.
    page.screenshot(path="test-results/tree.png", full_page=True)
    page.get_by_text("Đảng ủy xã Đồng Văn").click()
    page.get_by_text("Đảng ủy Trường THPT Đồng Văn").click()
    page.get_by_role("link", name="Chi bộ Giáo viên").click()
    page.wait_for_url(f"{live_server.url}/orgs/A/")
    assert page.locator("h1").inner_text() == "Chi bộ Giáo viên"

    # From the cell to its members, and a search without diacritics.
    page.locator("nav.actions a[href^='/members/?org=A']").click()
    page.fill("#id_q", "nguyen van an")
    page.locator("form.filters button.primary").click()
    page.get_by_role("link", name="Nguyễn Văn An").click()
    assert page.locator("h1").inner_text() == "Nguyễn Văn An"
    assert "001080012345" not in page.content()
    page.screenshot(path="test-results/member-detail-phone.png", full_page=True)


def test_searching_the_tree_without_diacritics(live_server, phone, users, members):
    page = phone
    log_in(page, live_server.url, "staff_X", "pw-staff_X-123")
    page.goto(f"{live_server.url}/orgs/")
    page.fill("#org-q", "lung cu")
    page.get_by_role("link", name="Chi bộ thôn Lũng Cú").click()
    page.wait_for_url(f"{live_server.url}/orgs/S/")
