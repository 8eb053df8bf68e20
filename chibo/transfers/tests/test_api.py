"""The transfer and residence API: every endpoint walked for every role, refused writes that
change nothing, and the rules answered as 422 naming the field and the rule."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from chibo.members.models import Member
from chibo.transfers.models import Transfer, TransferStatus
from chibo.transfers.tests.conftest import ABOVE_A, EDIT_A, EDIT_X, SEE_A, snapshot
from tests.fixtures import ROLE_CASES

API = "/api/v1"

READS = [
    ("/transfers/{out}", SEE_A),
    ("/transfers/{away}", SEE_A | {"member_A"}),  # member_A's own
    ("/orgs/A/transfers", SEE_A),
    ("/orgs/A/transfers?state=overdue", SEE_A),
    ("/orgs/T/transfers", {"admin_P"}),
    ("/members/{an}/transfers", SEE_A),
    ("/members/{duc}/transfers", SEE_A | {"member_A"}),
    ("/transfers/{out}/letter-file", SEE_A),
    ("/members/{an}/residence", SEE_A),
    ("/orgs/S/residence", ABOVE_A),
    ("/residence/{reg}", SEE_A),
]


def _writes(today):
    day = today.isoformat()
    newcomer = {
        "full_name": "Lê Văn Mới",
        "gender": "male",
        "date_of_birth": "1985-04-02",
        "admitted_on": "2010-05-19",
        "official_on": "2011-05-19",
    }
    # (method, path, body, roles that may; the others are refused and change nothing)
    return [
        (
            "post",
            "/members/{hoa}/transfers",
            {
                "kind": "official",
                "reason": "job",
                "event_on": day,
                "letter_number": "1",
                "letter_date": day,
                "to_org": "A",
            },
            EDIT_X,
        ),
        (
            "post",
            "/orgs/A/transfers/incoming",
            {
                "outside_name": "Đảng bộ Quân khu 2",
                "reason": "job",
                "event_on": day,
                "letter_number": "5",
                "letter_date": day,
                "member": newcomer,
            },
            EDIT_A,
        ),
        ("post", "/transfers/{incoming}/accept", {"accepted_on": day}, EDIT_A),
        ("post", "/transfers/{out}/accept", {}, {"admin_P"}),
        ("post", "/transfers/{out}/letter", {"letter_number": "2", "letter_date": day}, EDIT_A),
        ("post", "/transfers/{out}/cancel", {"reason": "x"}, EDIT_A),
        ("post", "/transfers/{away}/end", {}, EDIT_A),
        ("post", "/transfers/{out}/letter-file", "file", EDIT_A),
        (
            "post",
            "/members/{hoa}/residence",
            {"cell": "S", "address": "Lũng Cú", "registered_on": day},
            EDIT_X,
        ),
        ("post", "/residence/{reg}/contacts", {"on": day, "note": "Gặp"}, EDIT_X),
        ("put", "/residence/{reg}/comments/" + str(today.year), {"text": "Tốt"}, EDIT_X),
        ("post", "/residence/{reg}/end", {"ended_on": day, "reason": "Chuyển"}, EDIT_A),
    ]


def _ids(members, world):
    return {k: m.pk for k, m in members.items()} | world


def send(client, method, path, body):
    if body == "file":
        upload = SimpleUploadedFile("thu.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
        return client.post(API + path, {"file": upload})
    return getattr(client, method)(
        API + path, data=json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_exactly_within_its_reach(client, users, members, world, role):
    client.force_login(users[role])
    wrong = []
    for template, allowed in READS:
        path = template.format(**_ids(members, world))
        status = client.get(API + path).status_code
        if role in allowed and status != 200 or role not in allowed and status not in (403, 404):
            wrong.append(f"{path}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_write_is_made_only_by_the_roles_that_may_and_refusals_change_nothing(
    client, users, members, world, today, role
):
    client.force_login(users[role])
    wrong = []
    for method, template, body, allowed in _writes(today):
        path = template.format(**_ids(members, world))
        with transaction.atomic():
            before = snapshot()
            response = send(client, method, path, body)
            changed = snapshot() != before
            transaction.set_rollback(True)
        if role in allowed:
            if response.status_code not in (200, 201) or not changed:
                wrong.append(f"{method} {path}: {response.status_code} {response.content[:200]}")
        elif response.status_code not in (403, 404) or changed:
            wrong.append(f"{method} {path}: {response.status_code}, changed={changed}")
    assert not wrong, "\n".join(wrong)


def test_every_endpoint_of_this_app_is_walked(client):
    from chibo.transfers.tests import walks

    paths = client.get(API + "/openapi.json").json()["paths"]
    mine = {
        (method, path.removeprefix(API))
        for path, ops in paths.items()
        for method, op in ops.items()
        if "transfers" in op.get("tags", [])
    }
    reads = {p for m, p in mine if m == "get"}
    writes = {(m, p) for m, p in mine if m != "get"}
    assert reads == walks.API_READS
    assert writes == walks.API_WRITES


def test_a_closed_or_unknown_organisation_is_refused_with_the_field(client, users, members):
    client.force_login(users["secretary_A"])
    body = {
        "kind": "official",
        "reason": "job",
        "event_on": "2026-01-05",
        "letter_number": "1",
        "letter_date": "2026-01-05",
        "to_org": "NOWHERE",
    }
    response = send(client, "post", f"/members/{members['an'].pk}/transfers", body)
    assert response.status_code == 422
    assert "to_org" in response.json()["error"]["fields"]
    body["to_org"] = "G"
    response = send(client, "post", f"/members/{members['an'].pk}/transfers", body)
    assert "294-QĐ/TW" in response.json()["error"]["fields"]["to_org"][0]
    assert not Transfer.objects.exists()


def test_an_expired_letter_answers_422_with_the_rule(client, users, members, world, today):
    client.force_login(users["admin_P"])
    response = send(
        client, "post", f"/transfers/{world['out']}/accept", {"accepted_on": "2020-01-01"}
    )
    assert response.status_code == 422
    transfer = Transfer.objects.get(pk=world["out"])
    transfer.letter_date = transfer.letter_date.replace(year=transfer.letter_date.year - 1)
    transfer.present_by = transfer.present_by.replace(year=transfer.present_by.year - 1)
    transfer.save()
    response = send(client, "post", f"/transfers/{world['out']}/accept", {})
    error = response.json()["error"]
    assert response.status_code == 422 and "294-QĐ/TW" in error["fields"]["accepted_on"][0]
    assert Transfer.objects.get(pk=world["out"]).status == TransferStatus.IN_TRANSIT


def test_a_stale_version_answers_409(client, users, world):
    client.force_login(users["admin_P"])
    response = send(client, "post", f"/transfers/{world['out']}/accept", {"version": 99})
    assert response.status_code == 409


def test_the_receiving_cell_accepts_through_the_api(client, users, members, world, tree):
    client.force_login(users["admin_P"])
    response = send(client, "post", f"/transfers/{world['out']}/accept", {})
    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert Member.objects.get(pk=members["an"].pk).cell == tree["T"]


def test_the_residence_list_shows_the_missing_comments(client, users, world, today):
    client.force_login(users["staff_X"])
    rows = client.get(f"{API}/orgs/S/residence?year={today.year}&missing=true").json()
    assert [r["member"]["full_name"] for r in rows] == ["Nguyễn Văn An"]
    assert rows[0]["workplace_cell"]["code"] == "A"


def test_an_anonymous_caller_is_told_to_sign_in(members, world):
    response = Client().get(f"{API}/transfers/{world['out']}")
    assert response.status_code == 401
