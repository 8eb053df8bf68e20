"""The annual review on a phone: cell A's secretary runs the review meeting, the cell
votes its proposal for each member, and the commune's standing committee member decides
the grassroots committee's levels, meets the quota and confirms them. The self-reviews are
submitted through the actions beforehand, as members would from their own phones. The page
is in English (the language cookie)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from chibo.meetings import actions as meeting_actions
from chibo.reviews import actions
from chibo.reviews.models import MemberReview, ReviewConfirmation, Stage
from chibo.reviews.rules import Tasks
from chibo.reviews.tests import conftest as review_fixtures
from chibo.reviews.tests.conftest import HCM, submit_self
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The review tests' own fixtures: the clock on 1 December 2025, commune X's round of 2025,
# cell A's meeting in progress.
clock = review_fixtures.clock
review_round = review_fixtures.review_round
meeting_a = review_fixtures.meeting_a


def _phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, timezone_id="Asia/Ho_Chi_Minh"
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _meeting_b(system, tree):
    meeting = meeting_actions.schedule_meeting(
        system,
        tree["B"],
        kind="regular",
        scheduled_at=datetime.datetime(2025, 12, 3, 14, 0, tzinfo=HCM),
    )
    meeting_actions.send_notice(system, meeting)
    chair = meeting.attendance.first().member
    meeting_actions.start_meeting(system, meeting, chair=chair, minute_taker=chair)
    meeting_actions.check_in(system, meeting, chair)
    return meeting


def test_a_cell_votes_its_proposals_and_the_commune_confirms(
    live_server,
    browser,
    review_round,
    meeting_a,
    members,
    users,
    system,
    tree,  # noqa: F811
):
    an = submit_self(system, review_round, members["an"], total=95, level="excellent")
    duc = submit_self(users["member_A"], review_round, members["duc"], total=82, level="good")
    # Hoa's cell B has already voted.
    hoa = submit_self(system, review_round, members["hoa"], total=75, level="good")
    actions.propose_member_level(
        system,
        hoa,
        _meeting_b(system, tree),
        points={"politics": 9, "ethics": 9, "discipline": 9, "duties": 35, "member_duties": 13},
        tasks=Tasks(100, 100, 0),
        level="good",
        agree=1,
        disagree=0,
        abstain=0,
    )

    # The secretary of cell A runs the review in the meeting in progress.
    context, page = _phone(browser, live_server)
    log_in(page, live_server.url, "secretary_A", "pw-secretary_A-123")
    page.goto(f"{live_server.url}/reviews/{review_round.pk}/cells/A/")
    page.get_by_role("link", name=re.compile("Regular meeting")).click()
    page.wait_for_url(re.compile(rf"/reviews/{review_round.pk}/meetings/{meeting_a.pk}/"))
    expect(page.locator("#register")).to_contain_text("2 official members present")
    for review, level in ((an, "excellent"), (duc, "good")):
        card = page.locator(f"#member-{review.member_id}")
        card.locator(f"#id_r{review.pk}-level").select_option(level)
        card.locator(f"#id_r{review.pk}-comment").fill("Gương mẫu, nhiệt tình.")
        card.locator(f"#id_r{review.pk}-agree").fill("2")
        card.locator(f"#id_r{review.pk}-disagree").fill("0")
        card.locator(f"#id_r{review.pk}-abstain").fill("0")
        card.get_by_role("button", name="Record the vote").click()
        expect(page.locator("body")).to_contain_text("2/2")
    context.close()
    assert set(MemberReview.objects.values_list("stage", flat=True)) == {Stage.PROPOSED}

    # The commune's standing committee member decides the grassroots committee's members.
    context, page = _phone(browser, live_server)
    log_in(page, live_server.url, "standing_X", "pw-standing_X-123")
    page.goto(f"{live_server.url}/reviews/{review_round.pk}/decide/G/member/")
    for review in (an, duc, hoa):
        page.locator(f"#review-{review.pk}").get_by_role("button", name="Decide").click()
        expect(page.locator(f"#review-{review.pk}")).to_contain_text("Decided")
    # One excellent of three rated well or better: 20% of 3 allows none.
    expect(page.locator("#quota")).to_contain_text("at most 0 may be")
    expect(page.get_by_role("button", name="Confirm the decisions")).to_be_disabled()
    row = page.locator(f"#review-{an.pk}")
    row.locator(f"#level-{an.pk}").select_option("good")
    row.get_by_role("button", name="Change the decision").click()
    expect(page.locator("#quota")).to_contain_text("The quota holds")
    page.get_by_role("button", name="Confirm the decisions").click()
    expect(page.locator("#confirmed")).to_contain_text("these are the year's results")
    context.close()

    confirmation = ReviewConfirmation.objects.get()
    assert confirmation.counts == {"excellent": 0, "good": 3, "completed": 0, "not_completed": 0}
    assert set(MemberReview.objects.values_list("stage", flat=True)) == {Stage.CONFIRMED}
