"""The warnings of a subtree on the page and in the API: who sees them, who acknowledges
them, and what a refused acknowledgement leaves."""

import datetime

import pytest

from chibo.audit.models import AuditEvent
from chibo.oversight.models import EarlyWarning, WarningState

D = datetime.date


@pytest.fixture
def warning(tree, members):
    """Low attendance at cell A's November meeting: 5 of 8."""
    cell = tree["A"]
    return EarlyWarning.objects.create(
        rule="attendance_low",
        organisation=cell,
        path=cell.path,
        subject="meeting:1",
        pack_id="hd42-2025",
        source="Hướng dẫn 42-HD/BTCTW",
        evidence={
            "meeting": 1,
            "date": "2026-11-03",
            "month": "2026-11",
            "present": 5,
            "expected": 8,
            "min_percent": 80,
        },
        raised_on=D(2026, 11, 4),
        seen_on=D(2026, 11, 4),
    )


@pytest.fixture
def unpaid(tree, members):
    """Lan (cell S) has not paid two months: a member warning."""
    cell = tree["S"]
    return EarlyWarning.objects.create(
        rule="member_unpaid_fees",
        organisation=cell,
        path=cell.path,
        member=members["lan"],
        subject=f"member:{members['lan'].pk}:2026",
        pack_id="membership-2025",
        source="Điều lệ Đảng, art. 8",
        evidence={"year": 2026, "months": ["2026-09", "2026-10"], "count": 2, "removal_at": 3},
        raised_on=D(2026, 11, 4),
        seen_on=D(2026, 11, 4),
    )


def test_the_secretary_reads_and_acknowledges_a_warning(client, users, warning):
    client.force_login(users["secretary_A"])
    page = client.get("/orgs/A/warnings/").content.decode()
    assert "62,5%" in page and "Hướng dẫn 42-HD/BTCTW" in page
    assert f'action="/warnings/{warning.pk}/acknowledge/"' in page
    answer = client.post(
        f"/warnings/{warning.pk}/acknowledge/",
        {
            "note": "Chi ủy nhắc nhở, họp bù",
            "version": warning.version,
            "next": "/orgs/A/warnings/",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/orgs/A/warnings/"
    warning.refresh_from_db()
    assert warning.state == WarningState.ACKNOWLEDGED and warning.note == "Chi ủy nhắc nhở, họp bù"
    assert warning.acknowledged_by == users["secretary_A"]
    assert AuditEvent.objects.filter(action="warning.acknowledge").count() == 1
    page = client.get("/orgs/A/warnings/").content.decode()
    assert "Chi ủy nhắc nhở, họp bù" in page


def test_an_empty_note_is_refused_and_changes_nothing(client, users, warning):
    client.force_login(users["secretary_A"])
    answer = client.post(f"/warnings/{warning.pk}/acknowledge/", {"note": "  "}, follow=True)
    assert "Ghi những việc đang làm để xử lý cảnh báo này." in answer.content.decode()
    warning.refresh_from_db()
    assert warning.state == WarningState.OPEN and warning.note == ""
    assert not AuditEvent.objects.filter(action="warning.acknowledge").exists()


def test_a_resolved_warning_is_listed_only_when_asked(client, users, warning):
    EarlyWarning.objects.filter(pk=warning.pk).update(
        state=WarningState.RESOLVED, resolved_on=D(2026, 11, 20)
    )
    client.force_login(users["standing_X"])
    assert "62,5%" not in client.get("/orgs/X/warnings/").content.decode()
    assert "62,5%" in client.get("/orgs/X/warnings/?state=resolved").content.decode()
    answer = client.post(f"/warnings/{warning.pk}/acknowledge/", {"note": "Đã xem"})
    assert answer.status_code == 302
    warning.refresh_from_db()
    assert warning.state == WarningState.RESOLVED and warning.note == ""


@pytest.mark.parametrize(
    ("user", "code", "status", "form"),
    [
        ("secretary_A", "A", 200, True),
        ("committee_A", "A", 200, False),  # sees, does not acknowledge
        ("member_A", "A", 404, False),
        ("standing_X", "X", 200, True),
        ("inspection_X", "X", 200, True),
        ("staff_X", "X", 200, False),
        ("secretary_A", "X", 404, False),
        ("stranger", "A", 404, False),
    ],
)
def test_who_sees_and_who_acknowledges(client, users, warning, user, code, status, form):
    client.force_login(users[user])
    page = client.get(f"/orgs/{code}/warnings/")
    assert page.status_code == status
    if status == 200:
        assert ("/acknowledge/" in page.content.decode()) == form


def test_acknowledging_out_of_reach_answers_404_and_without_the_right_403(client, users, warning):
    client.force_login(users["member_A"])
    assert client.post(f"/warnings/{warning.pk}/acknowledge/", {"note": "x"}).status_code == 404
    client.force_login(users["committee_A"])
    assert client.post(f"/warnings/{warning.pk}/acknowledge/", {"note": "x"}).status_code == 403
    warning.refresh_from_db()
    assert warning.state == WarningState.OPEN


def test_a_member_warning_names_the_member_to_those_who_oversee(client, users, unpaid):
    client.force_login(users["standing_X"])
    page = client.get("/orgs/X/warnings/?rule=member_unpaid_fees").content.decode()
    assert f'href="/members/{unpaid.member_id}/"' in page and "Lò Thị Lan" in page


def test_the_api_lists_and_acknowledges(client, users, warning, unpaid):
    client.force_login(users["standing_X"])
    listed = client.get("/api/v1/oversight/orgs/X/warnings").json()
    assert listed["count"] == 2
    rules = {item["rule"]: item for item in listed["items"]}
    assert rules["attendance_low"]["message"] and rules["attendance_low"]["state"] == "open"
    assert rules["member_unpaid_fees"]["member"]["full_name"] == "Lò Thị Lan"
    only = client.get("/api/v1/oversight/orgs/X/warnings?rule=attendance_low").json()
    assert only["count"] == 1
    path = f"/api/v1/oversight/warnings/{warning.pk}/acknowledge"
    refused = client.post(path, {"note": ""}, content_type="application/json")
    assert refused.status_code == 422 and "note" in refused.json()["error"]["fields"]
    stale = client.post(path, {"note": "Đã nhắc", "version": 7}, content_type="application/json")
    assert stale.status_code == 409
    done = client.post(path, {"note": "Đã nhắc", "version": 1}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"
    client.force_login(users["member_A"])
    assert client.get("/api/v1/oversight/orgs/A/warnings").status_code == 404
    assert client.post(path, {"note": "x"}, content_type="application/json").status_code == 404


def test_the_home_page_tells_those_who_act_how_many_warnings_are_open(client, users, warning):
    client.force_login(users["secretary_A"])
    home = client.get("/").content.decode()
    assert 'id="watch-A"' in home and 'href="/orgs/A/warnings/"' in home
    client.force_login(users["standing_X"])
    assert 'href="/orgs/X/warnings/"' in client.get("/").content.decode()
    client.force_login(users["member_A"])
    assert "/warnings/" not in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/orgs/", ""])
def test_acknowledging_returns_only_to_a_page_of_the_site(client, users, warning, target):
    client.force_login(users["secretary_A"])
    answer = client.post(
        f"/warnings/{warning.pk}/acknowledge/", {"note": "Đã nhắc", "next": target}
    )
    assert answer["Location"] == "/orgs/A/warnings/"


def test_the_filters_show_what_they_say(client, users, warning, unpaid):
    EarlyWarning.objects.filter(pk=unpaid.pk).update(
        state=WarningState.RESOLVED, resolved_on=D(2026, 11, 20)
    )
    client.force_login(users["standing_X"])

    def shown(query):
        page = client.get(f"/orgs/X/warnings/?{query}").content.decode()
        return {w.pk for w in (warning, unpaid) if f'id="warning-{w.pk}"' in page}

    assert shown("state=all") == {warning.pk, unpaid.pk}
    assert shown("state=resolved") == {unpaid.pk}
    assert shown("state=bogus") == {warning.pk}  # unknown: open and acknowledged
    assert shown("rule=bogus") == {warning.pk}  # unknown rule: ignored
    assert shown("state=all&rule=member_unpaid_fees") == {unpaid.pk}
