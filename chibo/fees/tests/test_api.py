"""The fee API: every endpoint for every role, writes refused without a change, a year of
a cell kept through the API with a token, and the errors that name the field and the rule."""

import json

import pytest
from django.test import Client

from chibo.accounts.actions import issue_token
from chibo.fees import actions
from chibo.fees.models import FeePayment
from chibo.fees.tests.conftest import MAR, MAY, snapshot
from chibo.fees.tests.walks import API_READS, API_WRITES
from tests.fixtures import ROLE_CASES

pytestmark = pytest.mark.django_db

API = "/api/v1"
CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
VIEW_A = (CELL_A - {"member_A"}) | ABOVE_A
COLLECT_A = {"committee_A", "deputy_A", "secretary_A", "staff_X", "admin_P"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (path, route, roles that get 200). Every other role gets 403 or 404.
READS = [
    ("/fees/members/{an}", "/fees/members/{member_id}", VIEW_A),
    ("/fees/members/{duc}?year=2025", "/fees/members/{member_id}", VIEW_A | {"member_A"}),
    ("/fees/members/{tung}", "/fees/members/{member_id}", {"admin_P"}),
    ("/me/fees", "/me/fees", {"member_A"}),
    ("/fees/cells/A/months/2026-03", "/fees/cells/{code}/months/{month}", VIEW_A),
    ("/fees/cells/T/months/2026-03", "/fees/cells/{code}/months/{month}", {"admin_P"}),
    ("/fees/cells/X/months/2026-03", "/fees/cells/{code}/months/{month}", set()),
    (
        "/fees/cells/A/months/2026-03/report.xlsx",
        "/fees/cells/{code}/months/{month}/report.xlsx",
        VIEW_A,
    ),
    ("/fees/orgs/A/years/2026", "/fees/orgs/{code}/years/{year}", VIEW_A),
    ("/fees/orgs/X/years/2026", "/fees/orgs/{code}/years/{year}", ABOVE_A),
    ("/fees/orgs/X2/years/2026", "/fees/orgs/{code}/years/{year}", {"admin_P"}),
    (
        "/fees/orgs/X/years/2026/summary.xlsx",
        "/fees/orgs/{code}/years/{year}/summary.xlsx",
        ABOVE_A,
    ),
    ("/fees/orgs/X/remittances/2026-03", "/fees/orgs/{code}/remittances/{month}", ABOVE_A),
    ("/fees/orgs/A/shares", "/fees/orgs/{code}/shares", VIEW_A),
    ("/fees/orgs/X/shares", "/fees/orgs/{code}/shares", ABOVE_A),
]

# (path, route, body, roles allowed): an allowed write succeeds; every other role is
# refused (403 or 404) and nothing changes.
WRITES = [
    (
        "/fees/members/{an}/bases",
        "/fees/members/{member_id}/bases",
        {"basis": "salary", "income": 6_000_000, "from_month": "2026-04"},
        COLLECT_A,
    ),
    (
        "/fees/members/{duc}/exemptions",
        "/fees/members/{member_id}/exemptions",
        {"key": "poor_household", "applied_on": "2026-04-02", "from_month": "2026-04"},
        COLLECT_A,
    ),
    (
        "/fees/exemptions/{exemption}/end",
        "/fees/exemptions/{exemption_id}/end",
        {"until_month": "2026-06"},
        COLLECT_A,
    ),
    (
        "/fees/members/{duc}/reductions",
        "/fees/members/{member_id}/reductions",
        {"percent": 50, "from_month": "2026-02", "until_month": "2026-03", "reason": "Thiên tai"},
        COLLECT_A,
    ),
    (
        "/fees/members/{duc}/payments",
        "/fees/members/{member_id}/payments",
        {"months": ["2026-02"], "paid_on": "2026-05-20"},
        COLLECT_A,
    ),
    (
        "/fees/payments/{march}/cancel",
        "/fees/payments/{payment_id}/cancel",
        {"reason": "Ghi nhầm"},
        COLLECT_A,
    ),
    (
        "/fees/cells/A/months/2026-02/remittance",
        "/fees/cells/{code}/months/{month}/remittance",
        {"remitted_on": "2026-03-10"},
        COLLECT_A,
    ),
    (
        "/fees/orgs/X/shares",
        "/fees/orgs/{code}/shares",
        {"percent": 40, "from_month": "2026-03"},
        {"staff_X", "admin_P"},
    ),
    (
        "/fees/members/{tung}/payments",
        "/fees/members/{member_id}/payments",
        {"months": ["2026-03"], "paid_on": "2026-05-20"},
        {"admin_P"},
    ),
]


@pytest.fixture
def ids(book, users):
    exemption = actions.grant_exemption(
        users["admin_P"], book["an"], key="serious_illness", from_month=MAY, applied_on=MAY
    )
    march = FeePayment.objects.get(member=book["an"], month=MAR)
    return {**{k: m.pk for k, m in book.items()}, "exemption": exemption.pk, "march": march.pk}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def send(client, path, body, **headers):
    return client.post(API + path, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_exactly_its_fees(users, ids, role):
    client = logged_in(users[role])
    wrong = []
    for template, _route, allowed in READS:
        path = template.format(**ids)
        status = client.get(API + path).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{path}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_write_is_done_or_refused_without_a_change(users, ids, role):
    client = logged_in(users[role])
    wrong = []
    for template, _route, body, allowed in WRITES:
        path = template.format(**ids)
        before = snapshot()
        response = send(client, path, body)
        if role in allowed:
            if response.status_code not in (200, 201) or snapshot() == before:
                wrong.append(f"{path}: {response.status_code} {response.content[:200]}")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_fee_endpoint_is_walked(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    fees = {p.removeprefix(API): ops for p, ops in paths.items() if "fees" in p}
    reads = {p for p, ops in fees.items() if "get" in ops}
    writes = {(m, p) for p, ops in fees.items() for m in ops if m in ("post", "put", "patch")}
    assert reads == API_READS == {route for _t, route, _a in READS}
    assert writes == API_WRITES == {("post", route) for _t, route, _b, _a in WRITES}
    for _template, _route, _body, allowed in WRITES:
        assert "stranger" not in allowed


def test_a_cells_year_kept_through_the_api_with_a_token(users, book):
    _token, key = issue_token(None, users["secretary_A"], "thu-dang-phi")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    an, duc = book["an"].pk, book["duc"].pk
    paid = send(
        client,
        f"/fees/members/{duc}/payments",
        {
            "months": ["2026-02", "2026-03"],
            "paid_on": "2026-05-19",
            "method": "public_service_portal",
            "reference": "DVC555",
        },
        **headers,
    )
    assert paid.status_code == 201
    assert [(p["month"], p["due"], p["pack_id"]) for p in paid.json()] == [
        ("2026-02-01", 21_000, "fees-2026"),
        ("2026-03-01", 21_000, "fees-2026"),
    ]
    report = client.get(API + "/fees/cells/A/months/2026-03", **headers).json()
    s = report["summary"]
    assert (s["due"], s["collected"], s["paid"], s["unpaid"], s["remit_due"]) == (
        80_000,
        80_000,
        2,
        0,
        40_000,
    )
    remitted = send(
        client, "/fees/cells/A/months/2026-03/remittance", {"remitted_on": "2026-04-05"}, **headers
    )
    assert remitted.status_code == 201 and remitted.json()["amount"] == 40_000
    year = client.get(API + "/fees/orgs/A/years/2026", **headers).json()
    march = next(m for m in year["months"] if m["month"] == "2026-03-01")
    assert march["remitted"] == 40_000 and march["remittance"]["remitted_on"] == "2026-04-05"
    book_of_an = client.get(API + f"/fees/members/{an}", **headers).json()
    assert [m["month"] for m in book_of_an["arrears"]] == ["2026-04-01"]
    assert book_of_an["bases"][0]["income"] == 5_850_000
    assert book_of_an["current"]["state"] == "owed"
    xlsx = client.get(API + "/fees/cells/A/months/2026-03/report.xlsx", **headers)
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX
    assert xlsx.content[:2] == b"PK"


def test_the_errors_name_the_field_and_the_rule(users, book):
    client = logged_in(users["secretary_A"])
    an = book["an"].pk

    def fields(response):
        assert response.status_code == 422, response.content
        return response.json()["error"]["fields"]

    # Money is whole đồng: a number with a fraction is refused.
    assert "income" in fields(
        send(
            client,
            f"/fees/members/{an}/bases",
            {"basis": "salary", "income": 5_850_000.5, "from_month": "2026-04"},
        )
    )
    # The API answers in the language asked for; the rule is checked in its English wording.
    twice = fields(
        send(
            client,
            f"/fees/members/{an}/payments",
            {"months": ["2026-02"], "paid_on": "2026-05-20"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert "once" in " ".join(twice["months"])
    portal = fields(
        send(
            client,
            f"/fees/members/{an}/payments",
            {"months": ["2026-04"], "paid_on": "2026-05-20", "method": "public_service_portal"},
        )
    )
    assert "reference" in portal
    assert "month" in fields(client.get(API + "/fees/cells/A/months/2026-13"))
    assert "from_month" in fields(
        send(client, f"/fees/members/{an}/bases", {"basis": "salary", "from_month": "April"})
    )
    reduction = fields(
        send(
            client,
            f"/fees/members/{an}/reductions",
            {"percent": 40, "from_month": "2026-04", "until_month": "2026-05", "reason": "x"},
        )
    )
    assert "01-QĐ/TW" in " ".join(reduction["percent"])
    assert not FeePayment.objects.filter(member=book["an"], month="2026-04-01").exists()


def test_my_fees_for_a_member_with_an_account(users, book):
    client = logged_in(users["member_A"])
    mine = client.get(API + "/me/fees?year=2026").json()
    assert mine["member"]["id"] == book["duc"].pk
    assert [m["state"] for m in mine["months"][:5]] == [
        "paid",
        "arrears",
        "arrears",
        "arrears",
        "owed",
    ]
    assert mine["arrears_total"] == 63_000
