"""A secretary holds a meeting on a laptop while a member checks in from a phone."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from chibo.meetings import actions
from chibo.meetings.models import Kind, Meeting
from chibo.meetings.tests.test_actions import at
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretary_holds_a_meeting_and_a_member_checks_in_by_phone(
    live_server, browser, phone, users, members, tree
):
    # The secretary is also the member who chairs: Nguyễn Văn An.
    users["secretary_A"].member = members["an"]
    users["secretary_A"].save()
    meeting = actions.schedule_meeting(
        users["secretary_A"],
        tree["A"],
        kind=Kind.REGULAR,
        scheduled_at=at(datetime.date(2026, 12, 3)),
    )
    desk = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    desk.set_default_timeout(10_000)
    log_in(desk, live_server.url, "secretary_A", "pw-secretary_A-123")
    desk.goto(f"{live_server.url}/orgs/A/meetings/?year=2026")
    desk.get_by_role("link", name=re.compile("Sinh hoạt thường kỳ")).click()
    desk.get_by_role("button", name="Mời đảng viên").click()
    desk.select_option("#id_start-chair", label="Nguyễn Văn An")
    desk.select_option("#id_start-minute_taker", label="Đỗ Minh Đức")
    desk.get_by_role("button", name="Bắt đầu", exact=True).click()
    code = desk.locator("#checkin-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)

    # The member, on a phone, opens the meeting from the home page and types the code.
    log_in(phone, live_server.url, "member_A", "pw-member_A-123")
    phone.get_by_role("link", name="Điểm danh").first.click()
    phone.fill("#id_code", code)
    phone.get_by_role("button", name="Điểm danh").click()
    expect(phone.locator("body")).to_contain_text("Bạn đã điểm danh")
    phone.screenshot(path="test-results/member-check-in-phone.png", full_page=True)

    # The secretary checks the other member in with one tap; the count follows live.
    desk.reload()
    desk.locator(f"#att-{members['an'].pk} button", has_text="Có mặt").click()
    desk.wait_for_selector(f"#att-{members['an'].pk} .badge:has-text('Có mặt')")
    assert "2/2" in desk.locator("#register").inner_text()

    desk.get_by_text("Ghi biểu quyết", exact=True).click()
    desk.fill("#id_vote-subject", "Nghị quyết tháng 12")
    desk.fill("#id_vote-agree", "2")
    desk.fill("#id_vote-disagree", "0")
    desk.fill("#id_vote-abstain", "0")
    desk.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(desk.locator("body")).to_contain_text("2/2 tán thành (100%)")

    desk.select_option("#id_speaker-member", label="Đỗ Minh Đức")
    desk.fill("#id_speaker-text", "Đề nghị rà soát kỹ danh sách hộ nghèo trước Tết.")
    desk.get_by_role("button", name="Ghi", exact=True).click()

    desk.locator("summary", has_text="Giao nhiệm vụ").click()
    desk.fill("#id_task-title", "Rà soát hộ nghèo")
    desk.fill("#id_task-due_on", "2026-12-20")
    desk.get_by_label("Nguyễn Văn An").check()
    desk.get_by_role("button", name="Giao", exact=True).click()
    desk.get_by_role("button", name="Kết thúc cuộc họp").click()
    assert Meeting.objects.get(pk=meeting.pk).status == "closed"

    # The minutes: the narrative, then the chair signs on the desk and the minute-taker on
    # the phone, each with their password; the PDF is downloaded.
    desk.get_by_role("link", name="Biên bản").click()
    desk.fill("#id_opening", "Đồng chí Bí thư khai mạc, nêu mục đích buổi sinh hoạt.")
    desk.fill("#id_summary", "Chi bộ thảo luận việc rà soát hộ nghèo.")
    desk.fill("#id_conclusion", "Thống nhất giao đồng chí An rà soát trước 20/12.")
    desk.get_by_role("button", name="Lưu biên bản").click()
    desk.fill("#id_password", "pw-secretary_A-123")
    desk.get_by_role("button", name="Ký", exact=True).click()
    expect(desk.locator("body")).to_contain_text("Đồng chí đã ký biên bản.")

    phone.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
    phone.fill("#id_password", "pw-member_A-123")
    phone.get_by_role("button", name="Ký", exact=True).click()
    expect(phone.locator("body")).to_contain_text("Đã ký và khóa")
    assert Meeting.objects.get(pk=meeting.pk).status == "signed"

    desk.reload()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Tải bản PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    desk.screenshot(path="test-results/minutes-signed-desk.png", full_page=True)
