"""The fee pages: who reaches each one (every role), the writes they refuse without
changing anything, the htmx tick, the forms' errors, the panels, and money in đồng."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from chibo.fees import actions
from chibo.fees.models import FeeExemption, FeePayment
from chibo.fees.tests.conftest import APR, MAR, MAY, snapshot
from chibo.fees.tests.walks import PAGES
from chibo.members.actions import create_member
from tests.fixtures import ROLE_CASES

pytestmark = pytest.mark.django_db

CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
VIEW_A = (CELL_A - {"member_A"}) | ABOVE_A
COLLECT_A = {"committee_A", "deputy_A", "secretary_A", "staff_X", "admin_P"}

# (path, roles that get 200). Every other role gets 403 or 404.
GETS = [
    ("/orgs/A/fees/", VIEW_A),
    ("/orgs/A/fees/?year=2025", VIEW_A),
    ("/orgs/X/fees/", ABOVE_A),
    ("/orgs/X/fees/?year=2026&month=2026-03", ABOVE_A),
    ("/orgs/G/fees/", ABOVE_A),
    ("/orgs/T/fees/", {"admin_P"}),
    ("/orgs/P2/fees/", set()),
    ("/orgs/A/fees/shares/", VIEW_A),
    ("/orgs/X/fees/shares/", ABOVE_A),
    ("/orgs/A/fees/2026.xlsx", VIEW_A),
    ("/orgs/X/fees/2026.xlsx", ABOVE_A),
    ("/orgs/T/fees/2026.xlsx", {"admin_P"}),
    ("/orgs/A/fees/2026/3/", VIEW_A),
    ("/orgs/A/fees/2026/13/", set()),
    ("/orgs/T/fees/2026/3/", {"admin_P"}),
    ("/orgs/X/fees/2026/3/", set()),  # a committee has no month sheet
    ("/orgs/A/fees/2026/3.xlsx", VIEW_A),
    ("/orgs/T/fees/2026/3.xlsx", {"admin_P"}),
    ("/members/{an}/fees/", VIEW_A),
    ("/members/{duc}/fees/", VIEW_A | {"member_A"}),  # member_A's own record
    ("/members/{hoa}/fees/", ABOVE_A),
    ("/members/{tung}/fees/", {"admin_P"}),
]


@pytest.fixture
def walk(book, users):
    """For the walks: an exemption of an to end, and an's March payment to cancel."""
    exemption = actions.grant_exemption(
        users["admin_P"], book["an"], key="serious_illness", from_month=MAY, applied_on=MAY
    )
    march = FeePayment.objects.get(member=book["an"], month=MAR)
    return {**{k: m.pk for k, m in book.items()}, "exemption": exemption.pk, "march": march.pk}


def posts(ids):
    """(path, data, roles allowed): each allowed write succeeds (302) and changes the
    records; every other role is refused (403 or 404) and nothing changes."""
    return [
        (
            "/members/{an}/fees/basis/",
            {"basis-basis": "salary", "basis-income": "6000000", "basis-from_month": "2026-04"},
            COLLECT_A,
        ),
        (
            "/members/{duc}/fees/exemptions/",
            {
                "exemption-key": "poor_household",
                "exemption-applied_on": "2026-04-02",
                "exemption-from_month": "2026-04",
            },
            COLLECT_A,
        ),
        ("/members/{an}/fees/exemptions/{exemption}/end/", {"until_month": "2026-06"}, COLLECT_A),
        (
            "/members/{duc}/fees/reductions/",
            {
                "reduction-percent": "50",
                "reduction-from_month": "2026-02",
                "reduction-until_month": "2026-03",
                "reduction-reason": "Thiên tai",
            },
            COLLECT_A,
        ),
        (
            "/members/{duc}/fees/payments/",
            {
                "payment-months": ["2026-02"],
                "payment-paid_on": "2026-05-20",
                "payment-method": "cash",
            },
            COLLECT_A,
        ),
        ("/members/{an}/fees/payments/{march}/cancel/", {"reason": "Ghi nhầm"}, COLLECT_A),
        ("/orgs/A/fees/2026/4/paid/{an}/", {}, COLLECT_A),
        (
            "/orgs/A/fees/2026/2/remittance/",
            {"remit-amount": "29500", "remit-remitted_on": "2026-03-10"},
            COLLECT_A,
        ),
        (
            "/orgs/X/fees/shares/",
            {"percent": "40", "from_month": "2026-03"},
            {"staff_X", "admin_P"},
        ),
        ("/orgs/A/fees/shares/", {"percent": "40", "from_month": "2026-03"}, set()),
        ("/orgs/T/fees/2026/2/paid/{tung}/", {}, {"admin_P"}),
        (
            "/members/{tung}/fees/payments/",
            {
                "payment-months": ["2026-03"],
                "payment-paid_on": "2026-05-20",
                "payment-method": "cash",
            },
            {"admin_P"},
        ),
    ]


def _url(template, ids):
    return template.format(**ids)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_fee_pages(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, allowed in GETS:
        status = client.get(_url(template, walk)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    mine = client.get("/me/fees/")
    if role == "member_A":
        assert mine.status_code == 302 and mine["Location"] == f"/members/{walk['duc']}/fees/"
    else:
        assert mine.status_code == 404
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_fee_write_is_done_or_refused_without_a_change(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, data, allowed in posts(walk):
        path = _url(template, walk)
        before = snapshot()
        response = client.post(path, {k: v for k, v in data.items()})
        if role in allowed:
            if response.status_code != 302 or snapshot() == before:
                wrong.append(f"{path}: {response.status_code}, not done")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_fee_page_is_walked(walk):
    walked = {"fees:mine"}
    for template, _allowed in GETS:
        walked.add(_resolve(_url(template, walk)))
    for template, _data, _allowed in posts(walk):
        walked.add(_resolve(_url(template, walk)))
    assert walked == PAGES


def _resolve(path):
    from django.urls import resolve

    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}"


def test_anonymous_visitors_are_sent_to_log_in(client, walk):
    for template, _allowed in GETS:
        response = client.get(_url(template, walk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The month sheet.


def test_ticking_a_member_as_paid_with_htmx_answers_the_row_and_the_totals(client, users, book):
    client.force_login(users["secretary_A"])
    page = client.get("/orgs/A/fees/2026/4/").content.decode()
    assert "Nguyễn Văn An" in page and "Đỗ Minh Đức" in page
    assert "59.000\xa0đ" in page and "80.000\xa0đ" in page
    response = client.post(f"/orgs/A/fees/2026/4/paid/{book['an'].pk}/", HTTP_HX_REQUEST="true")
    answer = response.content.decode()
    assert response.status_code == 200
    assert f'id="fee-row-{book["an"].pk}"' in answer and "20/05/2026" in answer
    assert 'hx-swap-oob="true"' in answer and "59.000\xa0đ" in answer
    assert FeePayment.objects.filter(member=book["an"], month=APR).exists()
    # Ticked twice (two phones, one collector): the rule that refuses it is shown in the row,
    # in Vietnamese ("a month is paid once").
    again = client.post(f"/orgs/A/fees/2026/4/paid/{book['an'].pk}/", HTTP_HX_REQUEST="true")
    assert "mỗi tháng chỉ đóng một lần" in again.content.decode()
    assert FeePayment.objects.filter(member=book["an"], month=APR).count() == 1


def test_a_member_is_ticked_only_on_their_own_cells_sheet(client, users, book):
    # staff_X may collect in both cells, yet cell B's sheet does not take cell A's member.
    client.force_login(users["staff_X"])
    for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(f"/orgs/B/fees/2026/4/paid/{book['an'].pk}/", **htmx)
        assert response.status_code == 404
    assert not FeePayment.objects.filter(member=book["an"], month=APR).exists()


def test_the_month_sheet_shows_arrears_and_the_share_and_takes_the_remittance(client, users, book):
    client.force_login(users["secretary_A"])
    page = client.get("/orgs/A/fees/2026/3/").content.decode()
    # duc owes February and March; the share of March's 59,000 is 29,500.
    assert "21.000\xa0đ" in page and "29.500\xa0đ" in page
    response = client.post(
        "/orgs/A/fees/2026/3/remittance/",
        {"remit-amount": "29500", "remit-remitted_on": "2026-04-05"},
        follow=True,
    )
    assert "05/04/2026" in response.content.decode()
    refused = client.post(
        "/orgs/A/fees/2026/3/remittance/",
        {"remit-amount": "29500", "remit-remitted_on": "2026-04-06"},
    )
    # "a month is remitted once", as the Vietnamese page says it.
    assert refused.status_code == 200
    assert "mỗi tháng chỉ trích nộp một lần" in refused.content.decode()


def test_money_is_shown_in_dong_in_both_languages(client, users, book):
    client.force_login(users["secretary_A"])
    with translation.override("en"):
        page = client.get("/orgs/A/fees/2026/3/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "59,000\xa0đ" in page or "59.000\xa0đ" in page
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get("/orgs/A/fees/2026/3/").content.decode()
    assert "59,000\xa0đ" in page


def test_the_month_sheet_asks_the_same_queries_for_two_members_or_ten(
    client, users, book, tree, django_assert_max_num_queries
):
    client.force_login(users["secretary_A"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/orgs/A/fees/2026/3/")
    for i in range(8):
        member = create_member(
            users["admin_P"],
            tree["A"],
            full_name=f"Thành viên {i}",
            gender="male",
            date_of_birth=datetime.date(1985, 1, 1),
            admitted_on=datetime.date(2015, 1, 1),
            official_on=datetime.date(2016, 1, 1),
            status="official",
        )
        actions.set_basis(users["admin_P"], member, basis="no_insurance", from_month=MAR)
        actions.record_payment(users["admin_P"], member, months=[MAR], paid_on=MAY)
    with django_assert_max_num_queries(len(few)):
        page = client.get("/orgs/A/fees/2026/3/").content.decode()
    assert "Thành viên 7" in page


# A member's fee book.


def test_a_member_sees_their_own_fees_and_cannot_change_them(client, users, book):
    client.force_login(users["member_A"])
    page = client.get(f"/members/{book['duc'].pk}/fees/").content.decode()
    assert "21.000\xa0đ" in page and "4.200.000\xa0đ" in page  # their own income
    assert "payment-months" not in page and "basis-basis" not in page
    record = client.get(f"/members/{book['duc'].pk}/").content.decode()
    assert f"/members/{book['duc'].pk}/fees/" in record
    assert client.get(f"/members/{book['an'].pk}/fees/").status_code == 404


def test_the_payment_form_names_the_rule_that_refuses(client, users, book):
    client.force_login(users["secretary_A"])
    response = client.post(
        f"/members/{book['an'].pk}/fees/payments/",
        {
            "payment-months": ["2026-04"],
            "payment-paid_on": "2026-05-20",
            "payment-method": "public_service_portal",
        },
    )
    page = response.content.decode()
    # "A payment through the Portal needs the portal's transaction reference", in Vietnamese.
    assert response.status_code == 200 and "cần có mã giao dịch do Cổng cấp" in page
    assert not FeePayment.objects.filter(member=book["an"], month=APR).exists()
    response = client.post(
        f"/members/{book['an'].pk}/fees/reductions/",
        {
            "reduction-percent": "50",
            "reduction-from_month": "2026-04",
            "reduction-until_month": "2027-06",
            "reduction-reason": "x",
        },
    )
    assert response.status_code == 200 and "12" in response.content.decode()


def test_the_organisation_page_links_the_fee_pages_for_those_who_see_them(client, users, book):
    client.force_login(users["secretary_A"])
    assert "/orgs/A/fees/" in client.get("/orgs/A/").content.decode()
    client.force_login(users["member_A"])
    assert "/orgs/A/fees/" not in client.get("/orgs/A/").content.decode()
    client.force_login(users["staff_X"])
    assert "/orgs/X/fees/" in client.get("/orgs/X/").content.decode()


def test_the_committee_sees_which_cells_remitted(client, users, book, tree):
    actions.record_remittance(
        users["secretary_A"], tree["A"], month=MAR, remitted_on=datetime.date(2026, 4, 3)
    )
    client.force_login(users["standing_X"])
    page = client.get("/orgs/X/fees/?year=2026&month=2026-03").content.decode()
    assert "1 of 1 cells remitted" in page or "1/1" in page or "29.500\xa0đ" in page
    g = client.get("/orgs/G/fees/?year=2026&month=2026-03").content.decode()
    assert "Chi bộ Giáo viên" in g and "29.500\xa0đ" in g
    assert FeeExemption.objects.count() == 0
