"""A provincial standing committee member opens the province's dashboard, drills down to
the cell whose attendance slipped, opens its warnings and acknowledges the one about
attendance, on a phone. The meetings are held through the actions and the warnings raised
by the daily run, as in production. The page is in English (the language cookie)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from chibo.accounts.models import Role, RoleKind, User
from chibo.oversight import warnings
from chibo.oversight.models import EarlyWarning, WarningState
from chibo.oversight.tests.conftest import Clock, grow_cell_a, hold
from tests.e2e.browser import log_in
from tests.fixtures import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_a_province_drills_down_to_a_weak_cell_and_acknowledges_a_warning(
    live_server, browser, clock, system, members, tree
):
    # Cell A held October's meeting with four of seven present; cell B, all six present.
    cell_a = grow_cell_a(system, tree)
    for name in ("Hà Thị Một", "Hà Thị Hai", "Hà Thị Ba", "Hà Thị Bốn", "Hà Thị Năm"):
        make_member(system, tree["B"], name)
    hold(clock, system, cell_a, D(2026, 10, 5), absent=3, moved_reason="Họp bù")
    hold(clock, system, tree["B"], D(2026, 10, 3))
    clock.set(D(2026, 10, 20))
    warnings.run(D(2026, 10, 20))
    low = EarlyWarning.objects.get(rule="attendance_low", organisation=cell_a)
    user = User.objects.create_user("standing_P", password="pw-standing_P-123")
    Role.objects.create(user=user, organisation=tree["P"], kind=RoleKind.STANDING_MEMBER)

    context = browser.new_context(
        viewport={"width": 375, "height": 740}, timezone_id="Asia/Ho_Chi_Minh"
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "standing_P", "pw-standing_P-123")

    page.goto(f"{live_server.url}/orgs/P/")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r"/orgs/P/dashboard/"))
    page.select_option("#period", "2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#fig-attendance")).to_contain_text("76.9%")  # 10 of 13
    page.get_by_role("link", name=tree["X"].name).click()
    page.wait_for_url(re.compile(r"/orgs/X/dashboard/\?period=2026-10"))
    page.get_by_role("link", name=tree["G"].name).click()
    # The committee ranks its cells by attendance: the weak one comes first.
    page.get_by_role("link", name="Attendance rate", exact=True).click()
    first = page.locator("table.ranking tbody tr").first
    expect(first).to_contain_text(cell_a.name)
    expect(first).to_contain_text("57.1%")
    first.get_by_role("link", name=cell_a.name).click()
    page.wait_for_url(re.compile(r"/orgs/A/dashboard/"))
    page.get_by_role("link", name="See the warnings").click()
    item = page.locator(f"#warning-{low.pk}")
    expect(item).to_contain_text("Attendance was 57.1% (4 of 7)")
    item.get_by_text("Acknowledge").first.click()
    item.get_by_label("What is being done about it").fill("Chi ủy gặp từng đồng chí vắng họp")
    item.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("body")).to_contain_text("The warning is acknowledged.")
    expect(page.locator(f"#warning-{low.pk}")).to_contain_text("Chi ủy gặp từng đồng chí vắng họp")
    low.refresh_from_db()
    assert low.state == WarningState.ACKNOWLEDGED and low.acknowledged_by == user
    context.close()
