"""The pages of the member and cell path of the annual review: who reaches each one (every
role), the writes they refuse without changing anything, the self-review and the cell's
proposals with their errors next to the fields, the member's panel and the home card."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Meeting, Vote
from chibo.oversight.tests.conftest import HCM
from chibo.reviews import actions
from chibo.reviews.models import MemberReview, ReviewRound, Stage
from chibo.reviews.tests.conftest import ALL_DONE, SECTIONS_2C, member_points, submit_self
from chibo.reviews.tests.walks_members import PAGES
from chibo.transfers import actions as transfer_actions
from tests.fixtures import ROLE_CASES, make_member

pytestmark = pytest.mark.django_db

D = datetime.date
CELL_A = {"committee_A", "deputy_A", "secretary_A"}
VIEW_X = {"standing_X", "staff_X", "inspection_X", "admin_P"}
MANAGE_X = {"standing_X", "staff_X", "admin_P"}
RUN_A = CELL_A | {"admin_P"}
# Who writes duc's self-review: duc, the cell's leaders, and those who prepare above.
WRITE_DUC = {"member_A", "deputy_A", "secretary_A", "standing_X", "staff_X", "admin_P"}


def snapshot():
    """Everything a review page could write, to show that a refused write changed nothing."""
    return [
        list(model.objects.order_by("pk").values()) for model in (ReviewRound, MemberReview, Vote)
    ]


@pytest.fixture
def walk(review_round, meeting_a, members, system):
    """The 2025 round of X; an's self-review submitted; cell A's meeting in progress."""
    an_review = submit_self(system, review_round, members["an"])
    return {
        "round": review_round.pk,
        "meeting": meeting_a.pk,
        "an_review": an_review.pk,
        **{name: m.pk for name, m in members.items()},
    }


# (path, roles that get 200). Every other role gets 403 or 404.
GETS = [
    ("/orgs/X/reviews/", VIEW_X),
    ("/orgs/A/reviews/", VIEW_X | CELL_A),
    ("/orgs/T/reviews/", {"admin_P"}),
    ("/orgs/P2/reviews/", set()),
    ("/reviews/{round}/", VIEW_X | CELL_A),
    ("/reviews/{round}/?q=Hành&page=1&dpage=1&rpage=1", VIEW_X | CELL_A),
    ("/reviews/{round}/cells/A/", VIEW_X | CELL_A),
    ("/reviews/{round}/cells/B/", VIEW_X),
    ("/reviews/{round}/cells/S/", VIEW_X),
    ("/reviews/{round}/cells/G/", set()),
    ("/reviews/{round}/cells/T/", set()),
    ("/reviews/{round}/members/{an}/", VIEW_X | CELL_A),
    ("/reviews/{round}/members/{duc}/", VIEW_X | CELL_A | {"member_A"}),
    ("/reviews/{round}/members/{hoa}/", VIEW_X),
    ("/reviews/{round}/members/{tung}/", set()),
    ("/reviews/{round}/meetings/{meeting}/", RUN_A),
]
# (path, roles sent on with 302). Every other role gets 404.
REDIRECTS = [("/me/review/", {"member_A"})]


def posts():
    """(path, data, roles allowed): each allowed write succeeds (302) and changes the
    records; every other role is refused (403 or 404) and nothing changes."""
    dates = {
        "self_review_until": "2025-12-12",
        "proposals_until": "2025-12-22",
        "decisions_until": "2026-01-05",
    }
    return [
        ("/orgs/X/reviews/open/", {"year": "2024", **dates}, MANAGE_X),
        ("/reviews/{round}/dates/", dates, MANAGE_X),
        (
            "/reviews/{round}/members/{duc}/",
            {"form": "2C", "points.politics": "8,5", "action": "draft"},
            WRITE_DUC,
        ),
        (
            "/reviews/{round}/meetings/{meeting}/",
            {"review": "{an_review}", **proposal_data("{an_review}", agree=2)},
            RUN_A,
        ),
        # Last: nothing in a closed round changes.
        ("/reviews/{round}/close/", {}, MANAGE_X),
    ]


def proposal_data(review_id, *, total=92, level="excellent", agree=2, disagree=0, abstain=0):
    prefix = f"r{review_id}-"
    data = {f"{prefix}points.{key}": str(value) for key, value in member_points(total).items()}
    data.update(
        {
            f"{prefix}tasks_done_percent": str(ALL_DONE.done),
            f"{prefix}tasks_on_time_percent": str(ALL_DONE.on_time),
            f"{prefix}tasks_exceeded_percent": str(ALL_DONE.exceeded),
            f"{prefix}level": level,
            f"{prefix}comment": "Gương mẫu, nhiệt tình.",
            f"{prefix}agree": str(agree),
            f"{prefix}disagree": str(disagree),
            f"{prefix}abstain": str(abstain),
        }
    )
    return data


def _fill(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_review_pages(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, allowed in GETS:
        status = client.get(template.format(**walk)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    for template, allowed in REDIRECTS:
        status = client.get(template.format(**walk)).status_code
        if status != (302 if role in allowed else 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_review_write_is_done_or_refused_without_a_change(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, data, allowed in posts():
        path = template.format(**walk)
        before = snapshot()
        response = client.post(path, {_fill(k, walk): _fill(v, walk) for k, v in data.items()})
        if role in allowed:
            if response.status_code != 302 or snapshot() == before:
                wrong.append(f"{path}: {response.status_code}, not done")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_member_review_page_is_walked(walk):
    walked = {_name(template.format(**walk)) for template, _allowed in GETS + REDIRECTS}
    walked |= {_name(template.format(**walk)) for template, _data, _allowed in posts()}
    assert walked == PAGES


def _name(path):
    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}"


def test_anonymous_visitors_are_sent_to_log_in(client, walk):
    for template, _allowed in GETS + REDIRECTS:
        response = client.get(template.format(**walk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# A committee's rounds and a round.


def test_the_rounds_page_lists_the_round_and_offers_to_open_one_to_managers(client, users, walk):
    client.force_login(users["staff_X"])
    page = client.get("/orgs/X/reviews/").content.decode()
    assert f'href="/reviews/{walk["round"]}/"' in page and "Đảng ủy xã Đồng Văn" in page
    assert "Quy định 366-QĐ/TW" in page and "10/12/2025" in page
    assert 'action="/orgs/X/reviews/open/"' in page and 'value="2025"' in page
    assert "/orgs/X/reviews/results/" in page
    # The covered cell lists the round opened above it; the inspection staff open none.
    client.force_login(users["inspection_X"])
    page = client.get("/orgs/A/reviews/").content.decode()
    assert f'href="/reviews/{walk["round"]}/"' in page
    assert "/reviews/open/" not in page


def test_a_round_that_overlaps_is_refused_at_the_year(client, users, walk):
    client.force_login(users["admin_P"])
    _english(client)
    response = client.post(
        "/orgs/P/reviews/open/",
        {
            "year": "2025",
            "self_review_until": "2025-12-12",
            "proposals_until": "2025-12-22",
            "decisions_until": "2026-01-05",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_year-error"' in page and "already open for Đảng ủy xã Đồng Văn" in page
    assert ReviewRound.objects.count() == 1


def test_the_open_round_form_proposes_this_year_and_the_dates(client, users, walk, clock):
    client.force_login(users["standing_X"])
    page = client.get("/orgs/X/reviews/").content.decode()
    # Today is 3/12/2025 (the meeting's day): +14, +30, +45 days.
    assert 'value="2025-12-17"' in page and 'value="2026-01-02"' in page
    assert 'value="2026-01-17"' in page


def test_the_round_page_leads_each_user_to_what_they_do(client, users, walk):
    client.force_login(users["standing_X"])
    page = client.get(f"/reviews/{walk['round']}/").content.decode()
    for code in ("A", "B", "S"):
        assert f"/reviews/{walk['round']}/cells/{code}/" in page
    assert f"/reviews/{walk['round']}/decide/G/member/" in page
    assert f"/reviews/{walk['round']}/decide/S/member/" in page
    assert f"/reviews/{walk['round']}/decide/X/organisation/" in page
    assert f"/reviews/{walk['round']}/orgs/G/report/" in page
    assert f'action="/reviews/{walk["round"]}/close/"' in page
    client.force_login(users["secretary_A"])
    page = client.get(f"/reviews/{walk['round']}/").content.decode()
    assert f"/reviews/{walk['round']}/cells/A/" in page
    assert "/cells/B/" not in page and "/decide/" not in page
    assert f"/reviews/{walk['round']}/orgs/A/report/" in page and "/orgs/G/report/" not in page
    assert "/close/" not in page and "/dates/" not in page
    # The inspection staff see the cells but decide nothing and prepare nothing.
    client.force_login(users["inspection_X"])
    page = client.get(f"/reviews/{walk['round']}/").content.decode()
    assert "/cells/B/" in page and "/decide/" not in page and "/report/" not in page


def test_the_round_finds_a_cell_by_name_and_pages_a_long_list(client, users, walk, tree, system):
    from chibo.orgs.actions import create_organisation

    for i in range(31):
        create_organisation(
            system, tree["G"], code=f"A{i:02}", name=f"Chi bộ Thôn {i:02}", level="cell"
        )
    client.force_login(users["standing_X"])
    url = f"/reviews/{walk['round']}/"
    first = client.get(url).content.decode()
    assert "page=2" in first
    found = client.get(url + "?q=hanh chinh").content.decode()
    assert "/cells/B/" in found and "/cells/A/" not in found


def test_the_round_page_takes_as_many_queries_for_many_cells_as_for_few(
    client, users, walk, tree, system, review_round
):
    from chibo.orgs.actions import create_organisation

    client.force_login(users["standing_X"])
    url = f"/reviews/{walk['round']}/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for i in range(3):
        cell = create_organisation(
            system, tree["G"], code=f"N{i}", name=f"Chi bộ Mới {i}", level="cell"
        )
        submit_self(system, review_round, make_member(system, cell, f"Đảng viên {i}"))
    assert count() == before


def test_the_dates_are_changed_and_wrong_ones_refused_at_the_field(client, users, walk):
    client.force_login(users["staff_X"])
    _english(client)
    url = f"/reviews/{walk['round']}/dates/"
    response = client.post(
        url,
        {
            "self_review_until": "2025-12-12",
            "proposals_until": "2025-12-11",
            "decisions_until": "2026-01-05",
            "version": "1",
        },
    )
    assert response.status_code == 400
    assert 'id="id_proposals_until-error"' in response.content.decode()
    assert ReviewRound.objects.get().proposals_until == D(2025, 12, 20)
    response = client.post(
        url,
        {
            "self_review_until": "2025-12-12",
            "proposals_until": "2025-12-22",
            "decisions_until": "2026-01-05",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert ReviewRound.objects.get().decisions_until == D(2026, 1, 5)


def test_a_closed_round_shows_no_form(client, users, walk, review_round):
    actions.close_round(users["standing_X"], review_round)
    client.force_login(users["member_A"])
    _english(client)
    page = client.get(f"/reviews/{walk['round']}/members/{walk['duc']}/").content.decode()
    assert "The round is closed." in page and 'name="action"' not in page


# A cell's sheet.


def test_the_cell_sheet_shows_each_member_and_the_meeting_to_those_who_run_it(client, users, walk):
    client.force_login(users["secretary_A"])
    _english(client)
    page = client.get(f"/reviews/{walk['round']}/cells/A/").content.decode()
    assert "Nguyễn Văn An" in page and "Đỗ Minh Đức" in page
    assert "Excellently completed tasks (HTXSNV)" in page and "95 points" in page
    assert "Self-review submitted" in page and "Not started" in page
    assert f"/reviews/{walk['round']}/meetings/{walk['meeting']}/" in page
    assert f"/reviews/{walk['round']}/orgs/A/report/" in page
    client.force_login(users["inspection_X"])
    page = client.get(f"/reviews/{walk['round']}/cells/A/").content.decode()
    assert "Nguyễn Văn An" in page and "/meetings/" not in page


def test_the_cell_sheet_takes_as_many_queries_for_many_members_as_for_one(
    client, users, walk, tree, system, review_round
):
    client.force_login(users["secretary_A"])
    url = f"/reviews/{walk['round']}/cells/A/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba"):
        submit_self(
            system, review_round, make_member(system, tree["A"], name), total=80, level="good"
        )
    assert count() == before


# A member's self-review.


def _self_review(client, walk, **data):
    url = f"/reviews/{walk['round']}/members/{walk['duc']}/"
    return client.post(url, data)


def _full(total=95, level="excellent", tasks=ALL_DONE, action="submit"):
    data = {"form": "2C", "self_level": level, "action": action}
    data.update({f"sections.{k}": v for k, v in SECTIONS_2C.items()})
    data.update({f"points.{k}": str(v) for k, v in member_points(total).items()})
    data.update(
        {
            "tasks_done_percent": str(tasks.done),
            "tasks_on_time_percent": str(tasks.on_time),
            "tasks_exceeded_percent": str(tasks.exceeded),
        }
    )
    return data


def test_the_member_sees_the_form_with_the_tasks_suggested_and_form_2c_chosen(client, users, walk):
    client.force_login(users["member_A"])
    _english(client)
    page = client.get(f"/reviews/{walk['round']}/members/{walk['duc']}/").content.decode()
    assert "My review of 2025" in page
    assert re.search(r'value="2C"[^>]* checked', page)
    assert "Party member&#x27;s self-review" in page  # the pack's title of form 2C
    assert 'name="sections.commitment"' in page and 'name="points.member_duties"' in page
    assert 'name="tasks_done_percent" value="100"' in page
    assert "Well completed tasks (HTTNV)" in page
    assert "Save draft" in page and "Submit to the cell" in page
    assert f"/reviews/{walk['round']}/members/{walk['duc']}/form.docx" in page


def test_a_draft_is_saved_with_part_of_the_points(client, users, walk):
    client.force_login(users["member_A"])
    _english(client)
    response = _self_review(
        client,
        walk,
        **{
            "form": "2C",
            "sections.politics_ethics": "Luôn giữ vững lập trường.",
            "points.politics": "8,5",
            "points.ethics": "9",
            "action": "draft",
        },
    )
    assert response.status_code == 302
    review = MemberReview.objects.get(member_id=walk["duc"])
    assert review.stage == Stage.DRAFT and review.self_total is None
    assert review.self_points == {"politics": "8.5", "ethics": "9"}
    page = client.get(response["Location"]).content.decode()
    assert "The draft was saved." in page
    assert "Give the points of every criterion" in page
    assert "Luôn giữ vững lập trường." in page


def test_the_submission_shows_the_highest_level_the_figures_allow(client, users, walk):
    client.force_login(users["member_A"])
    _english(client)
    response = _self_review(client, walk, **_full(total=85, level="good", tasks=ALL_DONE))
    assert response.status_code == 302
    review = MemberReview.objects.get(member_id=walk["duc"])
    assert review.stage == Stage.SUBMITTED and review.self_total == 85
    assert review.self_level == "good" and review.sections == SECTIONS_2C
    page = client.get(response["Location"]).content.decode()
    assert "The self-review was submitted to the cell." in page
    assert 'id="highest"' in page and "At most: Well completed tasks (HTTNV)" in page
    assert "needs at least 90 points; the review gives 85" in page
    # Submitted, it can still be corrected until the cell proposes, but not saved as a draft.
    assert "Submit the changes to the cell" in page and 'value="draft"' not in page


def test_a_point_out_of_range_is_refused_at_its_field_and_nothing_is_saved(client, users, walk):
    client.force_login(users["member_A"])
    _english(client)
    data = _full()
    data["points.politics"] = "12"
    response = _self_review(client, walk, **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_points.politics-error"' in page and "takes from 0 to 10 points" in page
    assert not MemberReview.objects.filter(member_id=walk["duc"]).exists()


def test_a_level_above_what_the_points_allow_is_refused_at_the_level(client, users, walk):
    client.force_login(users["member_A"])
    _english(client)
    response = _self_review(client, walk, **_full(total=75, level="excellent"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_self_level-error"' in page
    assert "needs at least 90 points; the review gives 75" in page
    assert not MemberReview.objects.filter(member_id=walk["duc"]).exists()


def test_a_viewer_reads_the_self_review_and_cannot_write_it(client, users, walk):
    client.force_login(users["inspection_X"])
    _english(client)
    url = f"/reviews/{walk['round']}/members/{walk['an']}/"
    page = client.get(url).content.decode()
    assert SECTIONS_2C["remedies"] in page and 'name="action"' not in page
    assert 'id="self-points"' in page
    assert client.post(url, _full()).status_code == 403


def test_a_pack_without_points_has_no_points_fields(client, users, tree, members, clock):
    review_round = actions.open_round(
        users["admin_P"],
        tree["X2"],
        year=2024,
        self_review_until=D(2026, 12, 10),
        proposals_until=D(2026, 12, 20),
        decisions_until=D(2026, 12, 31),
    )
    client.force_login(users["admin_P"])
    page = client.get(f"/reviews/{review_round.pk}/members/{members['tung'].pk}/").content
    page = page.decode()
    assert 'name="sections.duties"' in page and 'name="points.' not in page
    assert "Quy định 124-QĐ/TW" in client.get(f"/reviews/{review_round.pk}/").content.decode()


def test_the_member_page_hides_the_residential_comment_from_the_member(
    client, users, walk, members, tree, system
):
    registration = transfer_actions.register_residence(
        system, members["duc"], tree["S"], address="Thôn Lũng Cú", registered_on=D(2025, 1, 5)
    )
    transfer_actions.write_comment(
        system, registration, year=2025, text="Gương mẫu ở khu dân cư, tích cực tham gia."
    )
    url = f"/reviews/{walk['round']}/members/{walk['duc']}/"
    client.force_login(users["secretary_A"])
    assert "Gương mẫu ở khu dân cư" in client.get(url).content.decode()
    client.force_login(users["member_A"])
    page = client.get(url).content.decode()
    assert client.get(url).status_code == 200 and "Gương mẫu ở khu dân cư" not in page
    # The cell committee, who see the member's record, read it too.
    client.force_login(users["committee_A"])
    assert "Gương mẫu ở khu dân cư" in client.get(url).content.decode()


def test_the_record_beside_the_review_counts_the_year(client, users, walk, members, system):
    meeting = Meeting.objects.get(pk=walk["meeting"])
    meeting_actions.add_task(
        system, meeting, title="Vận động đóng góp quỹ khuyến học", due_on=D(2025, 12, 20),
        assignees=[members["duc"]],
    )  # fmt: skip
    client.force_login(users["member_A"])
    page = client.get(f"/reviews/{walk['round']}/members/{walk['duc']}/").content.decode()
    assert 'id="record"' in page and "Vận động đóng góp quỹ khuyến học" in page
    assert "20/12/2025" in page


# The cell's proposals in a meeting.


def test_a_proposal_that_passes_is_recorded(client, users, walk):
    client.force_login(users["secretary_A"])
    _english(client)
    url = f"/reviews/{walk['round']}/meetings/{walk['meeting']}/"
    page = client.get(url).content.decode()
    assert f'name="r{walk["an_review"]}-points.politics" value="5"' in page  # the self points
    assert "2 official members present" in page
    assert "Đỗ Minh Đức" in page and "No self-review submitted yet" in page
    response = client.post(
        url, {"review": walk["an_review"], **proposal_data(walk["an_review"], agree=2)}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Nguyễn Văn An: the proposal “Excellently completed tasks (HTXSNV)” passed" in page
    review = MemberReview.objects.get(pk=walk["an_review"])
    assert review.stage == Stage.PROPOSED and review.proposed_level == "excellent"
    assert review.proposed_total == 92 and review.cell_comment == "Gương mẫu, nhiệt tình."
    assert "Vote again" in page


def test_a_proposal_that_fails_records_only_the_vote(client, users, walk):
    client.force_login(users["deputy_A"])
    _english(client)
    url = f"/reviews/{walk['round']}/meetings/{walk['meeting']}/"
    response = client.post(
        url,
        {"review": walk["an_review"], **proposal_data(walk["an_review"], agree=0, disagree=2)},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Nguyễn Văn An: the proposal did not pass" in page
    review = MemberReview.objects.get(pk=walk["an_review"])
    assert review.stage == Stage.SUBMITTED and review.proposed_level == ""
    assert Vote.objects.get(meeting_id=walk["meeting"]).passed is False


def test_a_proposal_with_more_votes_than_present_is_refused_at_the_counts(client, users, walk):
    client.force_login(users["secretary_A"])
    _english(client)
    url = f"/reviews/{walk['round']}/meetings/{walk['meeting']}/"
    response = client.post(
        url, {"review": walk["an_review"], **proposal_data(walk["an_review"], agree=5)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_r{walk["an_review"]}-agree-error"' in page
    assert not Vote.objects.exists()


def test_a_meeting_no_longer_in_progress_takes_no_proposal(client, users, walk, meeting_a, members):
    lead = users["secretary_A"]
    meeting_actions.record_vote(
        lead, meeting_a, subject="Nghị quyết tháng 12", agree=2, disagree=0, abstain=0
    )
    meeting_actions.add_task(
        lead, meeting_a, title="Tổng kết năm", due_on=D(2025, 12, 30), assignees=[members["an"]]
    )
    meeting_actions.close_meeting(lead, meeting_a)
    client.force_login(users["secretary_A"])
    _english(client)
    page = client.get(f"/reviews/{walk['round']}/meetings/{walk['meeting']}/").content.decode()
    assert "in a meeting that is in progress" in page and "Record the vote" not in page
    # A page left open from before the closing: the vote is refused and the page says why.
    response = client.post(
        f"/reviews/{walk['round']}/meetings/{walk['meeting']}/",
        {"review": walk["an_review"], **proposal_data(walk["an_review"])},
        follow=True,
    )
    page = response.content.decode()
    assert '<li class="error">The cell votes in a meeting that is in progress.</li>' in page
    assert MemberReview.objects.get(pk=walk["an_review"]).stage == Stage.SUBMITTED


def test_the_proposals_page_takes_as_many_queries_for_many_members_as_for_one(
    client, users, walk, tree, system, review_round
):
    client.force_login(users["secretary_A"])
    url = f"/reviews/{walk['round']}/meetings/{walk['meeting']}/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba"):
        submit_self(
            system, review_round, make_member(system, tree["A"], name), total=80, level="good"
        )
    assert count() == before


# The member's way in, their panel and the home card.


def test_my_review_leads_to_the_open_review(client, users, walk):
    client.force_login(users["member_A"])
    response = client.get("/me/review/")
    assert response["Location"] == f"/reviews/{walk['round']}/members/{walk['duc']}/"


def test_the_home_page_reminds_the_member_of_the_self_review_until_it_is_submitted(
    client, users, walk
):
    client.force_login(users["member_A"])
    _english(client)
    page = client.get("/").content.decode()
    assert "Your self-review for 2025 is due on 10/12/2025" in page and "/me/review/" in page
    _self_review(client, walk, **_full(total=85, level="good"))
    assert "Your self-review for 2025" not in client.get("/").content.decode()
    # Someone who is not reviewed gets no card.
    client.force_login(users["standing_X"])
    assert "Your self-review" not in client.get("/").content.decode()


def _in_progress(clock, system, cell, day, lead):
    clock.set(day)
    scheduled = datetime.datetime(day.year, day.month, day.day, 8, tzinfo=HCM)
    meeting = meeting_actions.schedule_meeting(system, cell, kind="regular", scheduled_at=scheduled)
    meeting_actions.send_notice(system, meeting)
    meeting_actions.start_meeting(system, meeting, chair=lead, minute_taker=lead)
    for row in meeting.attendance.select_related("member"):
        meeting_actions.check_in(system, meeting, row.member)
    return meeting


def test_the_member_panel_shows_the_confirmed_result(
    client, users, walk, members, tree, system, clock, review_round, meeting_a
):
    # given: every member of G (an, duc in A; hoa in B) proposed, decided "good", confirmed
    standing = users["standing_X"]
    reviews = [MemberReview.objects.get(pk=walk["an_review"])]
    reviews.append(submit_self(system, review_round, members["duc"], total=85, level="good"))
    reviews.append(submit_self(system, review_round, members["hoa"], total=85, level="good"))
    meeting_b = _in_progress(clock, system, tree["B"], D(2025, 12, 3), members["hoa"])
    for review, meeting, agree in zip(
        reviews, (meeting_a, meeting_a, meeting_b), (2, 2, 1), strict=True
    ):
        review, _vote = actions.propose_member_level(
            system, review, meeting, points=member_points(85), tasks=ALL_DONE, level="good",
            agree=agree, disagree=0, abstain=0,
        )  # fmt: skip
        actions.decide(standing, review, level="good")
    actions.confirm(standing, review_round, tree["G"], "member")
    # when
    client.force_login(users["member_A"])
    page = client.get(f"/members/{walk['duc']}/").content.decode()
    # then
    assert 'id="reviews-panel"' in page and "Hoàn thành tốt nhiệm vụ" in page
    assert "HTTNV" in page and "2025" in page
    assert f"/reviews/{walk['round']}/members/{walk['duc']}/" in page
    # After the round closes, me/review/ shows the result.
    actions.close_round(standing, review_round)
    page = client.get("/me/review/").content.decode()
    assert "Hoàn thành tốt nhiệm vụ" in page
    # Someone who does not see the cell's reviews sees no panel.
    client.force_login(users["stranger"])
    assert 'id="reviews-panel"' not in client.get(f"/members/{walk['duc']}/").content.decode()


def test_the_organisation_page_links_to_the_annual_review(client, users, walk):
    client.force_login(users["secretary_A"])
    assert "/orgs/A/reviews/" in client.get("/orgs/A/").content.decode()
    client.force_login(users["member_A"])
    assert "/orgs/A/reviews/" not in client.get("/orgs/A/").content.decode()
