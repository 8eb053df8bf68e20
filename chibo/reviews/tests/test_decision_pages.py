"""The pages of organisations' reports, deciders' sheets and results: who reaches each one
(every role), the writes they refuse without changing anything, the report's figures, the
quota on the sheet and the results on a fixed data set computed by hand."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from chibo.oversight.tests.conftest import hold
from chibo.reviews import actions
from chibo.reviews.charts import stacked_bars
from chibo.reviews.models import (
    MemberReview,
    OrganisationReview,
    ReviewConfirmation,
    Stage,
)
from chibo.reviews.tests.conftest import (
    ALL_DONE,
    ON_TIME,
    SECTIONS_01,
    member_points,
    org_points,
    submit_self,
)
from chibo.reviews.tests.walks_decisions import PAGES
from tests.fixtures import ROLE_CASES, make_member

pytestmark = pytest.mark.django_db

D = datetime.date
LEAD_A = {"secretary_A", "deputy_A"}
VIEW_X = {"standing_X", "staff_X", "inspection_X", "admin_P"}
VIEW_A = VIEW_X | LEAD_A | {"committee_A"}
DECIDE_X = {"standing_X", "admin_P"}
PREPARE_X = {"standing_X", "staff_X", "admin_P"}


def snapshot():
    """Everything a review write could change, to show that a refused one changed nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (MemberReview, OrganisationReview, ReviewConfirmation)
    ]


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def decided_review(review_round, member, level, stage=Stage.DECIDED, total=95):
    """A member's review at the decision, written straight to the table."""
    return MemberReview.objects.create(
        round=review_round,
        member=member,
        cell=member.cell,
        form="2C",
        stage=stage,
        proposed_level=level,
        proposed_total=total,
        level=level,
        tasks_done_percent=100,
        tasks_on_time_percent=100,
        tasks_exceeded_percent=40,
    )


def submit_report(actor, review_round, org, total=85, level="good"):
    return actions.save_report(
        actor,
        review_round,
        org,
        sections=SECTIONS_01,
        points=org_points(total),
        tasks=ON_TIME,
        self_level=level,
        submit=True,
    )


@pytest.fixture
def walk(review_round, meeting_a, members, users, system, tree):
    """In X's round of 2025: cell A's report submitted; An proposed by cell A; Lan (cell S)
    decided, for S to confirm."""
    report = submit_report(users["secretary_A"], review_round, tree["A"])
    an = submit_self(system, review_round, members["an"])
    an, _vote = actions.propose_member_level(
        users["secretary_A"],
        an,
        meeting_a,
        points=member_points(85),
        tasks=ON_TIME,
        level="good",
        agree=2,
        disagree=0,
        abstain=0,
    )
    lan = decided_review(review_round, members["lan"], "good")
    return {"round": review_round.pk, "a_report": report.pk, "an": an.pk, "lan": lan.pk}


# (path, roles that get 200). Every other role gets 403 or 404.
GETS = [
    ("/reviews/{round}/orgs/A/report/", VIEW_A),
    ("/reviews/{round}/orgs/G/report/", VIEW_X),
    ("/reviews/{round}/orgs/S/report/", VIEW_X),
    ("/reviews/{round}/orgs/X/report/", set()),  # the round's own committee
    ("/reviews/{round}/orgs/T/report/", set()),  # outside the round
    ("/reviews/{round}/decide/G/member/", DECIDE_X),
    ("/reviews/{round}/decide/G/member/?show=undecided", DECIDE_X),
    ("/reviews/{round}/decide/G/organisation/", DECIDE_X),
    ("/reviews/{round}/decide/X/organisation/", DECIDE_X),
    ("/reviews/{round}/decide/S/member/", DECIDE_X),
    ("/reviews/{round}/decide/A/member/", set()),  # a subordinate cell decides nothing
    ("/reviews/{round}/decide/X/member/", set()),
    ("/reviews/{round}/decide/G/nothing/", set()),
    ("/orgs/X/reviews/results/", VIEW_X),
    ("/orgs/X/reviews/results/?year=2024", VIEW_X),
    ("/orgs/A/reviews/results/", VIEW_A),
    ("/orgs/T/reviews/results/", {"admin_P"}),
]


def posts():
    """(path, data, roles allowed): each allowed write succeeds (302) and changes the
    records; every other role is refused (403 or 404) and nothing changes."""
    return [
        (
            "/reviews/{round}/orgs/B/report/",
            {"section_leadership": "Hoàn thành nhiệm vụ.", "points_inspection": "8,5"},
            PREPARE_X,
        ),
        ("/reviews/{round}/decide/G/organisation/{a_report}/", {"level": "good"}, DECIDE_X),
        ("/reviews/{round}/decide/G/member/{an}/", {"level": "good"}, DECIDE_X),
        ("/reviews/{round}/decide/S/member/confirm/", {}, DECIDE_X),
    ]


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_decision_pages(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, allowed in GETS:
        status = client.get(template.format(**walk)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_decision_write_is_done_or_refused_without_a_change(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, data, allowed in posts():
        path = template.format(**walk)
        before = snapshot()
        response = client.post(path, data)
        if role in allowed:
            if response.status_code != 302 or snapshot() == before:
                wrong.append(f"{path}: {response.status_code}, not done")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_who_sees_a_decider_but_may_not_decide_is_refused_with_403(client, users, walk):
    client.force_login(users["staff_X"])
    assert client.get("/reviews/{round}/decide/G/member/".format(**walk)).status_code == 403
    client.force_login(users["secretary_A"])
    assert client.get("/reviews/{round}/decide/G/member/".format(**walk)).status_code == 404


def test_every_decision_page_is_walked(walk):
    walked = {_name(template.format(**walk)) for template, _allowed in GETS}
    walked |= {_name(template.format(**walk)) for template, _data, _allowed in posts()}
    assert walked == PAGES


def _name(path):
    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}"


def test_anonymous_visitors_are_sent_to_log_in(client, walk):
    for template, _allowed in GETS:
        response = client.get(template.format(**walk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_decisions_take_posts_only(client, users, walk):
    client.force_login(users["standing_X"])
    assert client.get("/reviews/{round}/decide/G/member/{an}/".format(**walk)).status_code == 405
    assert client.get("/reviews/{round}/decide/S/member/confirm/".format(**walk)).status_code == 405


# An organisation's report.


def _row(page: str, row_id: str) -> str:
    match = re.search(rf'<tr[^>]* id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, row_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


@pytest.fixture
def held(review_round, clock, tree, members, system):
    """Cell A held its March meeting on the set day (scored) and its April meeting on
    another day with one member absent; the clock stands in mid-December."""
    from chibo.meetings import scoring

    march = hold(clock, system, tree["A"], D(2025, 3, 3))
    hold(clock, system, tree["A"], D(2025, 4, 7), absent=1, moved_reason="Trùng lịch")
    preview = scoring.score_preview(march)
    scoring.save_score(
        system, march, {line.key: str(line.max_points) for line in preview.lines if not line.auto}
    )
    clock.set(D(2025, 12, 15))
    return review_round


def test_the_report_of_a_cell_shows_the_figures_of_its_year(client, users, held, clock, tree):
    client.force_login(users["secretary_A"])
    english(client)
    page = client.get(f"/reviews/{held.pk}/orgs/A/report/").content.decode()
    assert _row(page, "share-regular") == "Regular meeting held 2/12 16.7%"
    assert _row(page, "share-on_day") == "On the set day 1/12 8.3%"
    assert _row(page, "share-attendance") == "Attendance rate 3/4 75%"
    assert _row(page, "share-thematic") == "Thematic meeting in the quarter 0/4 0%"
    assert _row(page, "share-tasks") == "Tasks done on time 1/2 50%"
    # The twelve months: March scored, April held without a score, May not held.
    assert _row(page, "month-3") == "3/2025 89 Khá"
    assert _row(page, "month-4") == "4/2025 — Not scored"
    assert _row(page, "month-5") == "5/2025 — not held"
    assert 'name="section_leadership"' in page and 'name="points_inspection"' in page
    assert "Drafted from the records" in page
    # A cell committee member reads it without the form.
    client.force_login(users["committee_A"])
    page = client.get(f"/reviews/{held.pk}/orgs/A/report/").content.decode()
    assert "2/12" in page and 'name="section_leadership"' not in page


def test_a_submitted_report_keeps_its_figures(client, users, held, clock, tree, system):
    submit_report(users["secretary_A"], held, tree["A"])
    hold(clock, system, tree["A"], D(2025, 5, 5), moved_reason="Trùng lịch")
    clock.set(D(2025, 12, 15))
    client.force_login(users["standing_X"])
    english(client)
    page = client.get(f"/reviews/{held.pk}/orgs/A/report/").content.decode()
    assert _row(page, "share-regular") == "Regular meeting held 2/12 16.7%"
    assert "As they stood when the report was submitted" in page
    # Still editable by its leaders until decided; the committee above may decide.
    assert 'id="decide-form"' in page and 'name="section_leadership"' in page


def test_a_report_is_saved_as_a_draft_then_submitted(client, users, held, tree):
    client.force_login(users["secretary_A"])
    english(client)
    url = f"/reviews/{held.pk}/orgs/A/report/"
    response = client.post(
        url,
        {"section_leadership": "Hoàn thành các chỉ tiêu.", "points_inspection": "8,5"},
    )
    assert response.status_code == 302
    review = OrganisationReview.objects.get(round=held, organisation=tree["A"])
    assert review.stage == Stage.DRAFT and review.report is None
    assert review.sections["leadership"] == "Hoàn thành các chỉ tiêu."
    assert review.self_points == {"inspection": "8.5"}
    page = client.get(url).content.decode()
    assert 'value="8.5"' in page and "Hoàn thành các chỉ tiêu." in page

    # Submitting needs every part: the missing ones are shown next to their fields.
    data = {
        "version": review.version,
        "section_leadership": "Hoàn thành các chỉ tiêu.",
        "points_inspection": "8,5",
        "submit": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_section_party_building-error"' in page
    assert OrganisationReview.objects.get(pk=review.pk).stage == Stage.DRAFT
    full = {f"section_{key}": text for key, text in SECTIONS_01.items()}
    response = client.post(url, data | full)
    assert response.status_code == 400
    assert 'id="id_points_resolutions-error"' in response.content.decode()

    # A level the points do not reach is refused with the reason, next to the level.
    full |= {f"points_{key}": str(points) for key, points in org_points(85).items()}
    full |= {
        "tasks_done_percent": "100",
        "tasks_on_time_percent": "100",
        "tasks_exceeded_percent": "0",
        "submit": "1",
        "version": review.version,
    }
    response = client.post(url, full | {"self_level": "excellent"})
    assert response.status_code == 400
    assert 'id="id_self_level-error"' in response.content.decode()
    assert "needs at least 90 points; the review gives 85" in response.content.decode()

    response = client.post(url, full | {"self_level": "good"})
    assert response.status_code == 302
    review = OrganisationReview.objects.get(pk=review.pk)
    assert review.stage == Stage.SUBMITTED and review.self_total == 85
    assert review.report["shares"]["regular"] == [2, 12]


def test_a_decision_without_the_authority_is_refused(client, users, walk, review_round):
    review = OrganisationReview.objects.get(pk=walk["a_report"])
    url = f"/reviews/{review_round.pk}/decide/G/organisation/{review.pk}/"
    # Cell A's secretary sees A's report, but A's level is G's to decide.
    client.force_login(users["secretary_A"])
    page = client.get(f"/reviews/{review_round.pk}/orgs/A/report/").content.decode()
    assert 'id="decide-form"' not in page
    before = snapshot()
    assert client.post(url, {"level": "good"}).status_code == 403
    assert snapshot() == before
    # X's standing committee decides it, back on the report page it came from.
    client.force_login(users["standing_X"])
    report_url = f"/reviews/{review_round.pk}/orgs/A/report/"
    response = client.post(url, {"level": "good", "version": review.version, "next": report_url})
    assert response.status_code == 302 and response["Location"] == report_url
    assert OrganisationReview.objects.get(pk=review.pk).level == "good"


def test_a_level_out_of_reach_is_refused_with_its_reasons(client, users, walk, review_round):
    client.force_login(users["standing_X"])
    english(client)
    review = OrganisationReview.objects.get(pk=walk["a_report"])
    url = f"/reviews/{review_round.pk}/decide/G/organisation/{review.pk}/"
    response = client.post(
        url, {"level": "excellent", "next": "https://evil.example/"}, follow=True
    )
    sheet = f"/reviews/{review_round.pk}/decide/G/organisation/"
    assert response.redirect_chain[-1][0] == f"{sheet}#review-{review.pk}"
    page = response.content.decode()
    assert "Excellently completed tasks needs at least 90 points; the review gives 85" in page
    assert OrganisationReview.objects.get(pk=review.pk).level == ""


def test_a_decision_needs_a_level(client, users, walk, review_round):
    client.force_login(users["standing_X"])
    english(client)
    before = snapshot()
    url = f"/reviews/{review_round.pk}/decide/G/member/{walk['an']}/"
    response = client.post(url, {"note": "Thiếu mức"}, follow=True)
    assert "Level decided: This field is required." in response.content.decode()
    assert snapshot() == before


def test_a_committees_report_counts_its_cells_and_the_discipline_below(
    client, users, review_round, tree, members
):
    from chibo.oversight import inspection

    inspection.decide_discipline(
        users["inspection_X"],
        tree["X"],
        subject=members["duc"],
        form="reprimand",
        number="3-QĐ/UBKT",
        decided_on=D(2025, 9, 1),
        reason="Vi phạm quy định sinh hoạt đảng",
    )
    actions.save_report(
        users["standing_X"],
        review_round,
        tree["G"],
        points=org_points(95),
        tasks=ALL_DONE,
        self_level="excellent",
    )
    client.force_login(users["standing_X"])
    english(client)
    page = client.get(f"/reviews/{review_round.pk}/orgs/G/report/").content.decode()
    assert 'id="cells">2<' in page and 'id="report-months"' not in page
    assert re.search(r"Members disciplined</dt><dd>1<", page)
    # 95 points and every task beyond what was asked, but Đức was disciplined below.
    assert "the highest level open is <strong>Well completed tasks</strong>" in page
    assert "A member or an organisation below was disciplined in the year" in page


# The decider's sheet and the quota.


@pytest.fixture
def five(review_round, tree, members, system):
    """G's five members decided: two excellent, three good."""
    more = [make_member(system, tree["A"], name) for name in ("Hà Văn Một", "Hà Văn Hai")]
    people = [members["an"], members["duc"], members["hoa"], *more]
    levels = ["excellent", "excellent", "good", "good", "good"]
    return [decided_review(review_round, m, lvl) for m, lvl in zip(people, levels, strict=True)]


def test_a_broken_quota_is_shown_and_refuses_the_confirmation(
    client, users, review_round, five, clock
):
    client.force_login(users["standing_X"])
    english(client)
    sheet = f"/reviews/{review_round.pk}/decide/G/member/"
    page = client.get(sheet).content.decode()
    quota = (
        "2 rated “Excellently completed tasks” out of 5 rated “Well completed tasks” or "
        "better: at most 1 may be (20%, rounded down)."
    )
    assert quota in page
    assert re.search(r'<p id="quota" class="warn">', page)
    assert _row(page, "count-excellent") == "Excellently completed tasks (HTXSNV) 2 2"
    assert 'id="fig-decided"><strong>5/5</strong>' in page
    assert '<button class="primary" disabled>Confirm the decisions</button>' in page

    response = client.post(f"{sheet}confirm/", follow=True)
    assert quota in response.content.decode()
    assert not ReviewConfirmation.objects.exists()
    assert not MemberReview.objects.filter(stage=Stage.CONFIRMED).exists()

    # One excellent lowered to good: 1 of 5 holds, and the decisions are confirmed.
    first = five[0]
    response = client.post(
        f"{sheet}{first.pk}/", {"level": "good", "version": first.version, "next": sheet}
    )
    assert response.status_code == 302
    page = client.get(sheet).content.decode()
    assert '<p id="quota" class="ok">' in page
    assert "Nothing to show." in client.get(f"{sheet}?show=undecided").content.decode()
    response = client.post(f"{sheet}confirm/", follow=True)
    confirmation = ReviewConfirmation.objects.get()
    assert confirmation.counts == {"excellent": 1, "good": 4, "completed": 0, "not_completed": 0}
    assert MemberReview.objects.filter(stage=Stage.CONFIRMED).count() == 5
    page = response.content.decode()
    assert 'id="confirmed"' in page and "standing_X" in page and "01/12/2025" in page
    assert 'id="confirm-form"' not in page and "decide-row" not in page


def test_the_sheet_warns_when_the_proposals_break_the_quota(client, users, review_round, five):
    MemberReview.objects.update(level="", stage=Stage.PROPOSED)
    client.force_login(users["standing_X"])
    english(client)
    page = client.get(f"/reviews/{review_round.pk}/decide/G/member/").content.decode()
    assert 'id="proposed-quota"' in page and '<p id="quota" class="ok">' in page
    assert 'id="fig-decided"><strong>0/5</strong>' in page
    # Each row has its form, the level chosen by the cell selected.
    first = five[0]
    assert f'action="/reviews/{review_round.pk}/decide/G/member/{first.pk}/"' in page
    assert '<option value="excellent" selected>' in page


def test_a_large_group_is_paged_with_a_bounded_number_of_queries(
    client, users, review_round, tree, system, django_assert_max_num_queries
):
    """A grassroots committee's sheet: the queries do not grow with the members."""
    client.force_login(users["standing_X"])
    sheet = f"/reviews/{review_round.pk}/decide/G/member/"

    def add(count, start):
        for i in range(start, start + count):
            member = make_member(system, tree["B" if i % 2 else "A"], f"Đảng Viên {i:03d}")
            decided_review(review_round, member, "good", stage=Stage.PROPOSED)

    add(3, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(sheet).status_code == 200
    add(57, 3)
    with django_assert_max_num_queries(len(few)):
        page = client.get(sheet).content.decode()
    # Sixty-three members in cells A and B: fifty on the first page, those of the fixtures
    # (An, Đức, Hoa) without a review and so without a form.
    assert page.count('<li id="') == 50 and page.count('class="decide-row"') == 48
    assert "?page=2" in page
    with django_assert_max_num_queries(len(few)):
        page = client.get(f"{sheet}?page=2").content.decode()
    assert page.count('<li id="') == 13 and page.count('class="decide-row"') == 12


# The results.


@pytest.fixture
def results(review_round, clock, tree, system, users, members):
    """Confirmed levels of X's subtree. 2025: thirteen members of cell A (2 excellent,
    9 good, 1 completed, 1 not completed), Hoa decided but not confirmed; cells A
    excellent, B good, S completed; committee G good. 2024: four members (1 excellent,
    2 good, 1 completed)."""
    older = actions.open_round(
        users["standing_X"],
        tree["X"],
        year=2024,
        self_review_until=D(2025, 12, 10),
        proposals_until=D(2025, 12, 20),
        decisions_until=D(2025, 12, 31),
        today=D(2025, 12, 1),
    )
    people = [make_member(system, tree["A"], f"Đảng Viên {i:02d}") for i in range(13)]
    levels = ["excellent"] * 2 + ["good"] * 9 + ["completed", "not_completed"]
    for member, level in zip(people, levels, strict=True):
        decided_review(review_round, member, level, stage=Stage.CONFIRMED)
    for member, level in zip(people, ["excellent", "good", "good", "completed"], strict=False):
        decided_review(older, member, level, stage=Stage.CONFIRMED)
    decided_review(review_round, members["hoa"], "good")
    for code, level in (("A", "excellent"), ("B", "good"), ("S", "completed"), ("G", "good")):
        OrganisationReview.objects.create(
            round=review_round,
            organisation=tree[code],
            form="01",
            stage=Stage.CONFIRMED,
            level=level,
        )
    return review_round


def test_the_results_reproduce_the_figures_computed_by_hand(client, users, results):
    client.force_login(users["standing_X"])
    page = client.get("/orgs/X/reviews/results/?year=2025").content.decode()
    members = page[page.index('id="now-members"') : page.index('id="now-cells"')]
    # 11 of 13 good or excellent: 84,6%; 2 of 13 excellent: 15,4%.
    assert "<strong>84,6%</strong>" in members and "<strong>15,4%</strong>" in members
    assert _row(page, "members-excellent").endswith("2 15,4%")
    assert _row(page, "members-good").endswith("9 69,2%")
    assert _row(page, "members-completed").endswith("1 7,7%")
    assert _row(page, "members-not_completed").endswith("1 7,7%")
    cells = page[page.index('id="now-cells"') : page.index('id="now-committees"')]
    assert "<strong>66,7%</strong>" in cells and "<strong>33,3%</strong>" in cells
    committees = page[page.index('id="now-committees"') : page.index('id="years-h"')]
    assert "<strong>100%</strong>" in committees and "<strong>0%</strong>" in committees
    # Over the years: 2024 then 2025.
    assert _row(page, "years-members-2024") == ("2024 1 (25%) 2 (50%) 1 (25%) 0 (0%) 4 75% 25%")
    assert _row(page, "years-members-2025") == (
        "2025 2 (15,4%) 9 (69,2%) 1 (7,7%) 1 (7,7%) 13 84,6% 15,4%"
    )
    assert 'href="/orgs/X/reviews/results.docx?year=2025"' in page
    # In English, with a decimal point; Hoa's decision waits for its confirmation.
    english(client)
    page = client.get("/orgs/X/reviews/results/?year=2025").content.decode()
    assert "<strong>84.6%</strong>" in page and "<strong>15.4%</strong>" in page
    assert re.search(r'id="pending">[^<]*members: 1; organisations: 0', page)


def test_the_chart_is_drawn_with_plain_coordinates(client, users, results):
    client.force_login(users["standing_X"])
    page = client.get("/orgs/X/reviews/results/?year=2025").content.decode()
    svg = page[page.index('id="chart-members"') : page.index("</figure>")]
    for name, value in re.findall(r'\b(x|y|width|height|x1|x2|y1|y2)="([^"]*)"', svg):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), (name, value)
    assert svg.count("<rect x=") == 3 + 4  # 2024: three levels; 2025: four
    assert "2025 · " in svg


def test_the_bars_stack_to_the_full_height(settings):
    settings.LANGUAGE_CODE = "en"
    levels = [("excellent", "E"), ("good", "G"), ("completed", "C"), ("not_completed", "N")]
    chart = stacked_bars(
        [("2024", {"excellent": 1, "good": 2, "completed": 1}), ("2025", {})], levels
    )
    first, empty = chart["bars"]
    assert [s.key for s in first.segments] == ["excellent", "good", "completed"]
    assert first.segments[0].y + first.segments[0].height == chart["baseline"]
    assert first.segments[-1].y == chart["grid"][-1][0]  # the top, 100%
    assert sum(s.height for s in first.segments) == pytest.approx(chart["baseline"] - 14)
    assert first.segments[1].height == pytest.approx(2 * first.segments[0].height, abs=0.2)
    assert empty.total == 0 and empty.segments == ()
    assert first.x + first.width <= empty.x


def test_the_results_of_a_year_without_confirmed_levels(client, users, results):
    client.force_login(users["standing_X"])
    english(client)
    page = client.get("/orgs/X/reviews/results/?year=2020").content.decode()
    assert "No confirmed result for 2020." in page
    # Without a year, the latest year with a round.
    page = client.get("/orgs/X/reviews/results/?year=abc").content.decode()
    assert "Review results 2025" in page


def test_the_sheet_shows_the_cells_proposal_and_its_vote(client, users, walk, review_round):
    client.force_login(users["standing_X"])
    english(client)
    page = client.get(f"/reviews/{review_round.pk}/decide/G/member/").content.decode()
    row = page[page.index(f'id="review-{walk["an"]}"') :]
    row = re.sub(r"\s+", " ", row[: row.index("</li>")])
    assert "Proposed by the cell" in row and "Proposed: <strong>HTTNV</strong>, 85 points" in row
    assert "Vote: 2/2" in row
    # Đức has no review yet: listed, without a form.
    duc = page[page.index('id="member-') :]
    assert (
        "Đỗ Minh Đức" in duc[: duc.index("</li>")] and "decide-row" not in duc[: duc.index("</li>")]
    )
