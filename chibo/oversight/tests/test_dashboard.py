"""The dashboard's figures on a fixed set of roll-up rows, computed by hand; the periods it
accepts; the page, its drill-down, ranking and who may open it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chibo.orgs.models import Organisation
from chibo.oversight import queries, rollups
from chibo.oversight.models import MonthFigures

D = datetime.date
TODAY = D(2026, 12, 20)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    moment = datetime.datetime(2026, 12, 20, 9, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def rows(tree, members):
    """The fourth quarter of 2026 in cells A, B (under G, under X), S (under X), T (under
    X2). B closed on 15/11."""
    Organisation.objects.filter(pk=tree["B"].pk).update(closed_on=D(2026, 11, 15))

    def put(code, month, **counts):
        cell = tree[code]
        MonthFigures.objects.create(
            organisation=cell, path=cell.path, is_cell=True, month=D(2026, month, 1), **counts
        )

    put(
        "A", 10, regular_held=1, regular_on_day=1, meetings_held=1, attendance_expected=10,
        attendance_present=8, level_good=1, minutes_signed=1, minutes_on_time=1, tasks_due=2,
        tasks_on_time=1,
    )  # fmt: skip
    put(
        "A", 11, regular_held=1, thematic_held=1, thematic_first_in_quarter=1, meetings_held=2,
        attendance_expected=20, attendance_present=15, level_fair=2, minutes_signed=2,
        minutes_on_time=1,
    )  # fmt: skip
    put(
        "B", 10, regular_held=1, regular_on_day=1, meetings_held=1, attendance_expected=5,
        attendance_present=5, level_weak=1,
    )  # fmt: skip
    put(
        "S", 11, regular_held=1, regular_on_day=1, meetings_held=1, attendance_expected=4,
        attendance_present=3, thematic_held=1, thematic_first_in_quarter=1, admissions=1,
    )  # fmt: skip
    put("T", 10, regular_held=1, meetings_held=1, attendance_expected=4, attendance_present=1)
    rollups.recount_committees(Organisation.objects.all())
    return tree


def q4():
    return queries.parse_period("2026-Q4", TODAY)


def test_a_quarter_of_a_committees_subtree_adds_up(rows):
    f = queries.subtree_figures(rows["X"], q4(), TODAY)
    # Cell-months: A three, B two (it closed in November), S three.
    assert f.cell_months == 8 and f.cell_quarters == 3
    assert f.share("regular") == (4, 8)
    assert f.share("on_day") == (3, 8)
    assert f.share("thematic") == (2, 3)
    assert f.share("attendance") == (31, 39)
    assert f.share("good") == (1, 5)
    assert f.share("scored") == (4, 5)
    assert f.levels == [("good", 1), ("fair", 2), ("average", 0), ("weak", 1), ("unscored", 1)]
    assert f.share("minutes") == (2, 5)
    assert f.share("tasks") == (1, 2)
    # Members now: An, Đức (A), Hoa (B) official; Lan (S) probationary; one admission.
    assert f.members == {"official": 3, "probationary": 1}
    assert f.share("admissions") == (1, 4)


def test_a_month_counts_the_thematic_meeting_of_its_quarter_so_far(rows):
    november = queries.subtree_figures(rows["X"], queries.parse_period("2026-11", TODAY), TODAY)
    assert november.cell_months == 3
    assert november.share("regular") == (2, 3)
    assert november.share("thematic") == (2, 3)
    october = queries.subtree_figures(rows["X"], queries.parse_period("2026-10", TODAY), TODAY)
    assert october.share("thematic") == (0, 3)


def test_the_year_so_far_counts_only_months_begun(rows):
    year = queries.subtree_figures(rows["P"], queries.parse_period("2026", TODAY), TODAY)
    # A, S, T: twelve months each; B: January to November.
    assert year.cell_months == 12 * 3 + 11
    assert year.cell_quarters == 4 * 4
    assert year.share("regular") == (5, 47)


def test_children_are_summed_by_branch_and_ranked(rows):
    children = queries.children_figures(rows["X"], q4(), TODAY)
    # By name: "Chi bộ thôn Lũng Cú" before "Đảng ủy Trường THPT Đồng Văn".
    assert [c.org.code for c in children] == ["S", "G"]
    s, g = children
    assert g.figures.share("attendance") == (28, 35) and s.figures.share("attendance") == (3, 4)
    assert g.figures.cell_months == 5 and s.figures.cell_months == 3
    ranked = queries.children_figures(rows["X"], q4(), TODAY, sort="attendance")
    assert [c.org.code for c in ranked] == ["S", "G"]  # 75% before 80%
    ranked = queries.children_figures(rows["X"], q4(), TODAY, sort="attendance", descending=True)
    assert [c.org.code for c in ranked] == ["G", "S"]
    # A child without the figure (no task was due in S) is ranked last either way.
    for descending in (False, True):
        ranked = queries.children_figures(rows["X"], q4(), TODAY, "tasks", descending)
        assert [c.org.code for c in ranked] == ["G", "S"]


def test_the_trend_has_twelve_months_up_to_the_period(rows):
    points = queries.trend(rows["X"], D(2026, 11, 1), TODAY)
    assert len(points) == 12
    assert (points[0].month, points[-1].month) == (D(2025, 12, 1), D(2026, 11, 1))
    assert points[-2].figures.share("attendance") == (13, 15)
    assert points[-1].figures.share("regular") == (2, 3)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "Q4", "hai nghìn", "2027", "1999-01"])
def test_a_period_that_is_malformed_or_not_begun_is_refused(text):
    with pytest.raises(ValidationError) as refused:
        queries.parse_period(text, TODAY)
    assert "period" in refused.value.message_dict


@pytest.mark.parametrize(
    ("text", "months"),
    [("2026-03", 1), ("2026-q2", 3), ("2025", 12), ("", 1), (" 2026-12 ", 1)],
)
def test_periods_are_read(text, months):
    assert len(queries.parse_period(text, TODAY).months) == months


# The page.


def test_a_provincial_user_drills_down_to_a_cell(client, rows, users):
    client.force_login(users["admin_P"])
    page = client.get("/orgs/P/dashboard/?period=2026-Q4")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="/orgs/X/dashboard/?period=2026-Q4"' in body
    body = client.get("/orgs/X/dashboard/?period=2026-Q4").content.decode()
    assert 'href="/orgs/G/dashboard/?period=2026-Q4"' in body
    assert "79,5%" in body  # attendance: 31 of 39
    body = client.get("/orgs/A/dashboard/?period=2026-Q4").content.decode()
    # Up the tree again, and the cell's own meetings.
    assert 'href="/orgs/G/dashboard/?period=2026-Q4"' in body
    assert "<svg" in body and "polyline" in body


def test_the_ranking_follows_the_chosen_column(client, rows, users):
    client.force_login(users["standing_X"])
    body = client.get("/orgs/X/dashboard/?period=2026-Q4&sort=attendance").content.decode()
    assert body.index("/orgs/S/dashboard/") < body.index("/orgs/G/dashboard/")
    body = client.get(
        "/orgs/X/dashboard/?period=2026-Q4&sort=attendance&order=desc"
    ).content.decode()
    assert body.index("/orgs/G/dashboard/") < body.index("/orgs/S/dashboard/")


def test_a_bad_period_is_refused_in_vietnamese(client, rows, users):
    client.force_login(users["standing_X"])
    page = client.get("/orgs/X/dashboard/?period=2026-13")
    assert page.status_code == 400
    assert "Ghi kỳ" in page.content.decode() or "2026-Q4" in page.content.decode()


@pytest.mark.parametrize(
    ("user", "code", "status"),
    [
        ("secretary_A", "A", 200),
        ("committee_A", "A", 200),
        ("secretary_A", "G", 404),  # a cell's leaders see their cell, not above
        ("member_A", "A", 404),  # an ordinary member has no dashboard
        ("standing_X", "A", 200),
        ("standing_X", "X2", 404),  # another commune
        ("inspection_X", "X", 200),
        ("stranger", "A", 404),
    ],
)
def test_who_may_open_a_dashboard(client, rows, users, user, code, status):
    client.force_login(users[user])
    assert client.get(f"/orgs/{code}/dashboard/").status_code == status


def test_the_cell_secretary_is_not_led_up_the_tree(client, rows, users):
    client.force_login(users["secretary_A"])
    body = client.get("/orgs/A/dashboard/").content.decode()
    assert "/orgs/G/dashboard/" not in body and "/orgs/X/dashboard/" not in body


# The API.


def test_the_api_gives_the_figures_the_page_shows(client, rows, users):
    client.force_login(users["standing_X"])
    answer = client.get("/api/v1/oversight/orgs/X/dashboard?period=2026-Q4&sort=attendance")
    assert answer.status_code == 200
    data = answer.json()
    assert data["period"] == "2026-Q4" and data["organisation"]["code"] == "X"
    assert data["figures"]["attendance"] == {"part": 31, "whole": 39, "percent": 79.5}
    assert data["figures"]["levels"] == {
        "good": 1, "fair": 2, "average": 0, "weak": 1, "unscored": 1
    }  # fmt: skip
    assert [c["code"] for c in data["children"]] == ["S", "G"]
    assert data["children"][0]["figures"]["tasks"]["percent"] is None
    assert len(data["trend"]) == 12 and data["trend"][-1]["month"] == "2026-12"


@pytest.mark.parametrize(
    ("user", "code", "query", "status"),
    [
        ("standing_X", "X", "period=2026-13", 422),
        ("standing_X", "X", "sort=nonsense", 422),
        ("standing_X", "X2", "", 404),
        ("member_A", "A", "", 404),
        ("secretary_A", "A", "", 200),
        ("secretary_A", "G", "", 404),
        ("inspection_X", "A", "period=2026", 200),
    ],
)
def test_the_api_refuses_what_is_wrong_or_out_of_reach(
    client, rows, users, user, code, query, status
):
    client.force_login(users[user])
    answer = client.get(f"/api/v1/oversight/orgs/{code}/dashboard?{query}")
    assert answer.status_code == status
    if status == 422:
        assert answer.json()["error"]["fields"]


def test_children_are_ranked_by_members_and_show_their_admissions(client, rows, users):
    client.force_login(users["standing_X"])
    body = client.get("/orgs/X/dashboard/?period=2026-Q4&sort=members&order=desc").content.decode()
    # G: An, Đức and Hoa; S: Lan, admitted in November (one of one member: 100%).
    assert body.index("/orgs/G/dashboard/") < body.index("/orgs/S/dashboard/")
    assert "(100%)" in body


def test_a_cells_dashboard_lists_its_meetings_of_the_period(client, rows, users, system, tree):
    from zoneinfo import ZoneInfo

    from chibo.meetings import actions as meetings
    from chibo.meetings.models import Kind

    at = datetime.datetime(2026, 11, 20, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    inside = meetings.schedule_meeting(system, tree["A"], kind=Kind.EXTRAORDINARY, scheduled_at=at)
    outside = meetings.schedule_meeting(
        system, tree["A"], kind=Kind.EXTRAORDINARY, scheduled_at=at.replace(month=9)
    )
    client.force_login(users["secretary_A"])
    body = client.get("/orgs/A/dashboard/?period=2026-Q4").content.decode()
    assert f"/meetings/{inside.pk}/" in body and f"/meetings/{outside.pk}/" not in body
    # The quarter holds today's month: its figures count so far; October's do not.
    assert "tháng đang diễn ra được tính đến hiện tại" in body
    body = client.get("/orgs/A/dashboard/?period=2026-10").content.decode()
    assert "tháng đang diễn ra" not in body


def test_the_chart_skips_months_without_a_figure_and_names_every_other_month():
    from fractions import Fraction

    from chibo.oversight.charts import percent_chart

    chart = percent_chart(["a", "b", "c"], [("k", "K", [Fraction(1, 2), None, Fraction(1)])])
    (series,) = chart["series"]
    assert len(series.dots) == 2 and len(series.points.split()) == 2
    assert [text for _x, _y, text in series.dots] == ["50%", "100%"]
    assert [text for _x, _y, text in chart["labels"]] == ["a", "c"]
    # 100% is drawn at the top of the plot, 50% half-way down.
    assert series.dots[1][1] < series.dots[0][1]
