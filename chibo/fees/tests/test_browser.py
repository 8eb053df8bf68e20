"""A cell committee member ticks who paid on a phone, and the totals follow (htmx)."""

import pytest
from django.utils import timezone

from chibo.fees import actions, queries
from chibo.fees.models import FeePayment
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_collector_ticks_a_member_as_paid_on_a_phone(live_server, phone, users, members):
    month = queries.current_month()
    for name, income in (("an", 5_850_000), ("duc", 4_200_000)):
        actions.set_basis(
            users["admin_P"], members[name], basis="salary", income=income, from_month=month
        )
    log_in(phone, live_server.url, "committee_A", "pw-committee_A-123")
    phone.goto(f"{live_server.url}/orgs/A/")
    phone.locator(f"a[href='/orgs/A/fees/{month.year}/{month.month}/']").click()
    totals = phone.locator("#fee-totals")
    assert "101.000" in totals.inner_text()  # 59,000 + 42,000 due
    row = phone.locator(f"#fee-row-{members['an'].pk}")
    row.locator("button").click()
    phone.wait_for_selector(f"#fee-row-{members['an'].pk} .badge.ok")
    assert timezone.localdate().strftime("%d/%m/%Y") in row.inner_text()
    # The totals were swapped in with the row, without reloading the page.
    assert "59.000" in phone.locator("#fee-totals .ok").inner_text()
    phone.screenshot(path="test-results/fee-tick-phone.png", full_page=True)
    assert FeePayment.objects.filter(member=members["an"], month=month).count() == 1
