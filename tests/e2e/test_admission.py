"""A candidate goes from the dossier to official membership across two cell meetings, a year
apart: the secretary keeps the dossier and records the cell's votes, the commune's standing
committee resolves and decides, and the official date stays at the end of the probation
although the recognition vote came late.

The browser shows the pages in English (the language switch's cookie), so the test reads the
same whatever the Vietnamese catalogue says. The day the server believes it is moves with
the test's clock (timezone.now), as the seeds' history does.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from chibo.admissions.models import Candidate, Probation
from chibo.admissions.tests.conftest import HCM, Today
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Kind
from chibo.members.models import Member, Status
from tests.e2e.browser import log_in
from tests.fixtures import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date


@pytest.fixture
def clock():
    today = Today()
    yield today
    today.restore()


def english_page(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, timezone_id="Asia/Ho_Chi_Minh")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, username, f"pw-{username}-123")
    return page


def meeting_in_progress(secretary, cell, day):
    """The cell's meeting on day, started, with every official member present."""
    meeting = meeting_actions.schedule_meeting(
        secretary,
        cell,
        kind=Kind.EXTRAORDINARY,
        scheduled_at=datetime.datetime(day.year, day.month, day.day, 8, tzinfo=HCM),
        topic="Kết nạp đảng viên",
    )
    meeting_actions.send_notice(secretary, meeting)
    officials = list(Member.objects.filter(cell=cell, status=Status.OFFICIAL).order_by("id"))
    meeting_actions.start_meeting(secretary, meeting, chair=officials[0], minute_taker=officials[1])
    for member in officials:
        meeting_actions.check_in(secretary, meeting, member)
    return meeting


def test_a_candidate_goes_from_the_dossier_to_official_membership(
    live_server, browser, users, members, tree, system, clock, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba", "Hà Văn Bốn"):
        make_member(system, tree["A"], name)
    clock(D(2026, 3, 3))
    url = live_server.url
    desk = english_page(browser, live_server, "secretary_A", {"width": 1100, "height": 900})

    # The secretary opens the case from the cell's page.
    desk.goto(f"{url}/orgs/A/")
    desk.get_by_role("link", name="Admission and probation").click()
    desk.get_by_role("link", name="New candidate").click()
    desk.fill("#id_full_name", "Sùng Thị Mai")
    desk.select_option("#id_gender", "female")
    desk.fill("#id_date_of_birth", "2001-06-15")
    desk.fill("#id_ethnicity", "Mông")
    desk.fill("#id_phone", "0987654321")
    desk.fill("#id_education", "12/12")
    desk.get_by_role("button", name="Save").click()
    desk.wait_for_url(re.compile(r"/admissions/\d+/$"))
    case = Candidate.objects.get(full_name="Sùng Thị Mai")
    expect(desk.locator("body")).to_contain_text("The dossier needs 2 qualifying introducers")

    # The dossier, document by document; a certificate past its five years is refused.
    desk.locator("#doc-course_certificate summary").click()
    desk.select_option("#id_doc-course_certificate-status", "checked")
    desk.fill("#id_doc-course_certificate-reference", "125/GCN")
    desk.fill("#id_doc-course_certificate-dated", "2021-03-01")
    desk.locator("#doc-course_certificate button").click()
    expect(desk.locator("body")).to_contain_text("valid for 5 years")
    for item in case.documents.all():
        rule = item.rule
        if not rule.required or item.key in ("cell_resolution", "committee_resolution"):
            continue
        if item.key == "admission_decision":
            continue
        desk.locator(f"#doc-{item.key} summary").click()
        desk.select_option(f"#id_doc-{item.key}-status", "checked")
        desk.fill(f"#id_doc-{item.key}-dated", "2026-02-20")
        if item.key == "application":
            desk.set_input_files(
                f"#id_doc-{item.key}-file",
                files=[
                    {
                        "name": "don.pdf",
                        "mimeType": "application/pdf",
                        "buffer": b"%PDF-1.4\n%%EOF\n",
                    }
                ],
            )
        desk.locator(f"#doc-{item.key} button").click()
        desk.wait_for_selector(f"#doc-{item.key} .doc-checked")
    # The introducers: official members who have worked with her for over a year.
    for name in ("Nguyễn Văn An", "Đỗ Minh Đức"):
        desk.locator("summary", has_text="Add an introducer").click()
        desk.select_option("#id_introducer-member", label=f"{name} — Chi bộ Giáo viên")
        desk.fill("#id_introducer-known_since", "2019-09-01")
        desk.get_by_role("button", name="Add", exact=True).click()
    expect(desk.locator("body")).to_contain_text("The dossier is complete: the cell can vote.")
    desk.screenshot(path="test-results/admission-dossier-desk.png", full_page=True)

    # First meeting: the cell votes; short of two thirds first, then passed.
    meeting = meeting_in_progress(users["secretary_A"], tree["A"], D(2026, 3, 3))
    desk.reload()
    assert "4" in desk.locator("#next-step .figures").inner_text()  # 2/3 of 6
    desk.select_option("#id_vote-meeting", str(meeting.pk))
    desk.fill("#id_vote-agree", "3")
    desk.fill("#id_vote-disagree", "3")
    desk.get_by_role("button", name="Record the cell's vote").click()
    expect(desk.locator("body")).to_contain_text("Not passed")
    desk.select_option("#id_vote-meeting", str(meeting.pk))
    desk.fill("#id_vote-agree", "6")
    desk.fill("#id_vote-disagree", "0")
    desk.get_by_role("button", name="Record the cell's vote").click()
    assert desk.locator("#stage").inner_text() == "Approved by the cell"

    # The commune's standing committee: the grassroots committee's resolution, the decision.
    clock(D(2026, 3, 12))
    office = english_page(browser, live_server, "standing_X", {"width": 1100, "height": 900})
    office.goto(f"{url}/orgs/X/admissions/deadlines/")
    office.goto(f"{url}/admissions/{case.pk}/")
    office.fill("#id_committee-number", "07-NQ/ĐU")
    office.fill("#id_committee-resolved_on", "2026-03-10")
    office.get_by_role("button", name="Record the resolution").click()
    office.fill("#id_decision-number", "15-QĐ/ĐU")
    office.fill("#id_decision-decided_on", "2026-03-12")
    office.get_by_role("button", name="Record the decision").click()
    expect(office.locator("body")).to_contain_text("The admission was decided")
    probation = Probation.objects.get(candidate=case)
    member = probation.member
    assert member.status == "probationary" and member.admitted_on == D(2026, 3, 12)

    # The ceremony, on the probation's page, within 30 working days.
    clock(D(2026, 3, 26))
    desk = english_page(browser, live_server, "secretary_A", {"width": 1100, "height": 900})
    desk.goto(f"{url}/probations/{probation.pk}/")
    desk.fill("#id_ceremony-held_on", "2026-03-26")
    desk.get_by_role("button", name="Record the ceremony").click()
    assert desk.locator("#ends-on").inner_text() == "26/03/2027"

    # A year and two months later: the second meeting, the late recognition vote.
    clock(D(2027, 5, 6))
    desk = english_page(browser, live_server, "secretary_A", {"width": 1100, "height": 900})
    second = meeting_in_progress(users["secretary_A"], tree["A"], D(2027, 5, 6))
    desk.goto(f"{url}/orgs/A/admissions/")
    desk.get_by_role("link", name="Sùng Thị Mai").click()
    desk.select_option("#id_vote-meeting", str(second.pk))
    desk.fill("#id_vote-agree", "5")
    desk.fill("#id_vote-disagree", "1")
    desk.get_by_role("button", name="Record the cell's vote").click()
    assert "Recognition proposed by the cell" in desk.locator("#state").inner_text()

    office = english_page(browser, live_server, "standing_X", {"width": 375, "height": 740})
    office.goto(f"{url}/orgs/X/admissions/deadlines/")
    office.get_by_role("link", name="Sùng Thị Mai").click()
    office.select_option("#id_recognition-recognised", "1")
    office.fill("#id_recognition-number", "31-QĐ/ĐU")
    office.fill("#id_recognition-decided_on", "2027-05-06")
    office.get_by_role("button", name="Record the decision").click()
    assert "Recognised as an official member" in office.locator("#state").inner_text()
    member.refresh_from_db()
    assert member.status == "official"
    assert member.official_on == D(2027, 3, 26)  # the end of the probation, not the vote
    office.screenshot(path="test-results/admission-recognised-phone.png", full_page=True)
