"""The transfer and residence pages: who reaches each, for every role, and the refused
writes that change nothing."""

import pytest
from django.db import transaction

from chibo.transfers.models import Transfer, TransferStatus
from chibo.transfers.tests.conftest import ABOVE_A, EDIT_A, EDIT_X, SEE_A, pdf, snapshot
from tests.fixtures import ROLE_CASES

# (url name, path template, roles that get 200). Every other role gets 403 or 404.
PAGES = [
    ("transfers:org_list", "/orgs/A/transfers/", SEE_A),
    ("transfers:org_list", "/orgs/X/transfers/", ABOVE_A),
    ("transfers:org_list", "/orgs/T/transfers/", {"admin_P"}),
    ("transfers:incoming", "/orgs/A/transfers/incoming/", EDIT_A),
    ("transfers:incoming", "/orgs/T/transfers/incoming/", {"admin_P"}),
    ("transfers:residence", "/orgs/S/residence/", ABOVE_A),
    ("transfers:residence", "/orgs/A/residence/", set()),  # not a residential cell
    ("transfers:start", "/members/{an}/transfer/", EDIT_A),
    ("transfers:start", "/members/{tung}/transfer/", {"admin_P"}),
    ("transfers:register", "/members/{an}/residence/", EDIT_A),
    ("transfers:register", "/members/{hoa}/residence/", EDIT_X),
    ("transfers:cell_options", "/transfers/cells/?q=chi+bo", EDIT_A),
    ("transfers:detail", "/transfers/{out}/", SEE_A),
    ("transfers:detail", "/transfers/{incoming}/", SEE_A),
    ("transfers:detail", "/transfers/{away}/", SEE_A | {"member_A"}),  # member_A's own
    ("transfers:letter", "/transfers/{out}/letter/", SEE_A),
    ("transfers:registration", "/residence/{reg}/", SEE_A),
]


def _ids(members, world):
    return {k: m.pk for k, m in members.items()} | world


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_pages(client, users, members, world, role):
    client.force_login(users[role])
    wrong = []
    for _name, template, allowed in PAGES:
        url = template.format(**_ids(members, world))
        status = client.get(url).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{url}: {status} ({'allowed' if ok else 'denied'} expected)")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in(client, members, world):
    for _name, template, _allowed in PAGES:
        response = client.get(template.format(**_ids(members, world)))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def _posts(today):
    day = today.isoformat()
    return [
        ("/transfers/{incoming}/accept/", {"accepted_on": day}, EDIT_A),
        ("/transfers/{out}/accept/", {"accepted_on": day}, {"admin_P"}),
        ("/transfers/{out}/reissue/", {"letter_number": "13", "letter_date": day}, EDIT_A),
        ("/transfers/{out}/cancel/", {"reason": "Không chuyển nữa"}, EDIT_A),
        ("/transfers/{incoming}/cancel/", {"reason": "Không nhận"}, EDIT_A),
        ("/transfers/{out}/attach/", {"letter_file": pdf}, EDIT_A),
        ("/transfers/{away}/end/", {"ended_on": day}, EDIT_A),
        ("/residence/{reg}/contacts/", {"on": day, "note": "Gặp mặt"}, EDIT_X),
        ("/residence/{reg}/comment/", {"year": today.year, "text": "Tốt"}, EDIT_X),
        ("/residence/{reg}/end/", {"ended_on": day, "reason": "Chuyển nhà"}, EDIT_A),
        (
            "/members/{hoa}/transfer/",
            {
                "kind": "official",
                "reason": "job",
                "event_on": day,
                "to_code": "A",
                "letter_number": "1",
                "letter_date": day,
            },
            EDIT_X,
        ),
        (
            "/members/{hoa}/residence/",
            {"cell_code": "S", "address": "Lũng Cú", "registered_on": day},
            EDIT_X,
        ),
        (
            "/orgs/A/transfers/incoming/",
            {
                "outside_name": "Đảng bộ Quân khu 2",
                "reason": "job",
                "event_on": day,
                "letter_number": "5",
                "letter_date": day,
                "accepted_on": day,
                "member-full_name": "Lê Văn Mới",
                "member-gender": "male",
                "member-date_of_birth": "1985-04-02",
                "member-admitted_on": "2010-05-19",
                "member-official_on": "2011-05-19",
                "member-status": "official",
                "member-ethnicity": "Kinh",
                "member-theory_level": "none",
            },
            EDIT_A,
        ),
    ]


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_write_is_done_by_exactly_the_roles_that_may(
    client, users, members, world, today, role
):
    client.force_login(users[role])
    wrong = []
    for template, data, allowed in _posts(today):
        url = template.format(**_ids(members, world))
        data = {k: v() if callable(v) else v for k, v in data.items()}
        with transaction.atomic():
            before = snapshot()
            response = client.post(url, data)
            changed = snapshot() != before
            transaction.set_rollback(True)
        if role in allowed:
            if response.status_code != 302 or not changed:
                wrong.append(f"{url}: {response.status_code}, changed={changed}")
        elif response.status_code not in (403, 404) or changed:
            wrong.append(f"{url}: {response.status_code}, changed={changed} (refused expected)")
    assert not wrong, "\n".join(wrong)


def test_the_pages_answer_post_only_steps_with_405_on_get(client, users, world):
    client.force_login(users["admin_P"])
    assert client.get(f"/transfers/{world['out']}/accept/").status_code == 405


def test_a_secretary_starts_a_transfer_and_the_receiving_secretary_accepts(
    client, users, members, tree, today
):
    client.force_login(users["secretary_A"])
    page = client.get(f"/members/{members['an'].pk}/").content.decode()
    assert f"/members/{members['an'].pk}/transfer/" in page  # the panel's button
    response = client.post(
        f"/members/{members['an'].pk}/transfer/",
        {
            "kind": "official",
            "reason": "residence",
            "event_on": today.isoformat(),
            "to_code": "S",
            "letter_number": "21-GGT",
            "letter_date": today.isoformat(),
        },
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/transfers/{transfer.pk}/"
    page = client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert "Đang chuyển" in page or "In transit" in page
    assert "/accept/" not in page  # A does not accept its own letter
    client.force_login(users["staff_X"])  # S is under X
    client.post(f"/transfers/{transfer.pk}/accept/", {"accepted_on": today.isoformat()})
    transfer.refresh_from_db()
    members["an"].refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED and members["an"].cell == tree["S"]


def test_a_transfer_to_a_committee_is_refused_on_the_form_with_the_rule(
    client, users, members, today
):
    client.force_login(users["secretary_A"])
    response = client.post(
        f"/members/{members['an'].pk}/transfer/",
        {
            "kind": "official",
            "reason": "job",
            "event_on": today.isoformat(),
            "to_code": "G",
            "letter_number": "1",
            "letter_date": today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "294-QĐ/TW" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_organisation_page_links_transfers_and_residence(client, users, world):
    client.force_login(users["staff_X"])
    assert "/orgs/A/transfers/" in client.get("/orgs/A/").content.decode()
    page = client.get("/orgs/S/").content.decode()
    assert "/orgs/S/residence/" in page
    client.force_login(users["member_A"])
    assert "/orgs/A/transfers/" not in client.get("/orgs/A/").content.decode()


def test_the_residence_page_lists_missing_comments(client, users, members, world, today):
    client.force_login(users["staff_X"])
    page = client.get(f"/orgs/S/residence/?year={today.year}").content.decode()
    missing = page.split('<section class="card">')[1].split("</section>")[0]
    assert "Nguyễn Văn An" in missing  # no comment this year yet
    page = client.get(f"/orgs/S/residence/?year={today.year - 1}").content.decode()
    assert '<section class="card">' not in page  # last year's is written


def test_the_member_page_shows_the_transfer_and_the_residence_comment(
    client, users, members, world
):
    client.force_login(users["secretary_A"])
    page = client.get(f"/members/{members['an'].pk}/").content.decode()
    assert "Chi bộ thôn Sủng Là" in page  # in transit to T
    assert "Gương mẫu nơi cư trú." in page
    client.force_login(users["member_A"])
    own = client.get(f"/members/{members['duc'].pk}/").content.decode()
    assert "Chi bộ Hành chính" in own  # away at B


def test_the_list_pages_keep_a_fixed_number_of_queries(
    client, users, members, world, system, tree, today, django_assert_max_num_queries
):
    from chibo.transfers import actions
    from tests.fixtures import make_member

    client.force_login(users["staff_X"])
    with django_assert_max_num_queries(40) as few:
        client.get("/orgs/A/transfers/")
        client.get("/orgs/S/residence/")
    for i in range(6):
        member = make_member(system, tree["A"], f"Phạm Văn Số {i}")
        actions.issue_transfer(
            system,
            member,
            kind="official",
            reason="job",
            event_on=today,
            letter_number=str(i),
            letter_date=today,
            to_org=tree["B"],
        )
        actions.register_residence(
            system, member, tree["S"], address="Lũng Cú", registered_on=today
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/orgs/A/transfers/")
        client.get("/orgs/S/residence/")
