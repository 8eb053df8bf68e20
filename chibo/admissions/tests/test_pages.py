"""The admission pages: who reaches each one, what a plain member does not see, refused
writes that change nothing, and a case taken from the dossier to the decision by hand."""

import datetime

import pytest
from django.urls import reverse

from chibo.admissions import actions
from chibo.admissions.models import Candidate, Probation, Stage
from chibo.admissions.tests.conftest import proposed_probation
from chibo.admissions.tests.test_actions import grassroots_standing, snapshot
from chibo.admissions.tests.walks import PAGES as WALKED
from chibo.members.models import Member
from chibo.text import mask
from tests.fixtures import ROLE_CASES

CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
EDIT_A = {"deputy_A", "secretary_A", "staff_X", "admin_P"}
VIEW_A = (CELL_A - {"member_A"}) | ABOVE_A
RUN_A = {"committee_A", "deputy_A", "secretary_A", "admin_P"}
DECIDE_A = {"standing_X", "staff_X", "admin_P"}
D = datetime.date


def page_table(c):
    return [
        ("admissions:cell", "/orgs/A/admissions/", CELL_A | ABOVE_A),
        ("admissions:cell", "/orgs/T/admissions/", {"admin_P"}),
        ("admissions:cell", "/orgs/X/admissions/", set()),
        ("admissions:create", "/orgs/A/admissions/new/", EDIT_A),
        ("admissions:create", "/orgs/T/admissions/new/", {"admin_P"}),
        ("admissions:deadlines", "/orgs/A/admissions/deadlines/", CELL_A | ABOVE_A),
        ("admissions:deadlines", "/orgs/X/admissions/deadlines/", ABOVE_A),
        ("admissions:deadlines", "/orgs/P2/admissions/deadlines/", set()),
        ("admissions:candidate", f"/admissions/{c['a'].pk}/", CELL_A | ABOVE_A),
        ("admissions:candidate", f"/admissions/{c['t'].pk}/", {"admin_P"}),
        ("admissions:edit", f"/admissions/{c['a'].pk}/edit/", EDIT_A),
        ("admissions:edit", f"/admissions/{c['t'].pk}/edit/", {"admin_P"}),
        (
            "admissions:document_file",
            f"/admissions/{c['a'].pk}/documents/application/file/",
            VIEW_A,
        ),
        ("admissions:probation", f"/probations/{c['prob_a'].pk}/", CELL_A | ABOVE_A),
        ("admissions:probation", f"/probations/{c['prob_s'].pk}/", ABOVE_A),
    ]


def post_table(c, members):
    """(url name, path, data, roles that may): every write of the pages."""
    a, prob = c["a"], c["prob_a"]
    introducer = a.introducers.first()
    return [
        (
            "admissions:add_introducer",
            f"/admissions/{a.pk}/introducers/",
            {"introducer-member": members["hoa"].pk, "introducer-known_since": "2020-01-01"},
            EDIT_A,
        ),
        (
            "admissions:remove_introducer",
            f"/admissions/{a.pk}/introducers/{introducer.pk}/remove/",
            {},
            EDIT_A,
        ),
        (
            "admissions:document",
            f"/admissions/{a.pk}/documents/personal_history/",
            {"doc-personal_history-status": "missing"},
            EDIT_A | DECIDE_A,
        ),
        (
            "admissions:vote",
            f"/admissions/{a.pk}/vote/",
            {
                "vote-meeting": c["meeting"].pk,
                "vote-agree": 6,
                "vote-disagree": 0,
                "vote-abstain": 0,
            },
            RUN_A,
        ),
        (
            "admissions:committee",
            f"/admissions/{a.pk}/committee/",
            {"committee-number": "7", "committee-resolved_on": "2026-03-03"},
            DECIDE_A,
        ),
        (
            "admissions:decide",
            f"/admissions/{a.pk}/decision/",
            {"decision-number": "9", "decision-decided_on": "2026-03-03"},
            DECIDE_A,
        ),
        ("admissions:close", f"/admissions/{a.pk}/close/", {"close-reason": "Chuyển đi"}, EDIT_A),
        (
            "admissions:ceremony",
            f"/probations/{c['prob_s'].pk}/ceremony/",
            {"ceremony-held_on": "2026-01-20"},
            {"staff_X", "admin_P"},
        ),
        (
            "admissions:recognition_vote",
            f"/probations/{prob.pk}/vote/",
            {
                "vote-meeting": c["meeting"].pk,
                "vote-agree": 6,
                "vote-disagree": 0,
                "vote-abstain": 0,
            },
            RUN_A,
        ),
        (
            "admissions:recognition",
            f"/probations/{prob.pk}/decision/",
            {
                "recognition-recognised": "1",
                "recognition-number": "1",
                "recognition-decided_on": "2026-03-03",
            },
            DECIDE_A,
        ),
        (
            "admissions:open_probation",
            f"/probations/open/{members['an'].pk}/",
            {"probation-decision_number": "1"},
            EDIT_A,
        ),
    ]


def test_every_page_of_the_app_is_walked(cases, members):
    names = {name for name, _, _ in page_table(cases)} | {
        name for name, *_ in post_table(cases, members)
    }
    assert names == WALKED
    from django.urls import get_resolver

    mine = {
        f"admissions:{p.name}" for p in get_resolver().namespace_dict["admissions"][1].url_patterns
    }
    assert mine == WALKED


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_pages(client, users, cases, role):
    client.force_login(users[role])
    wrong = []
    for _name, url, allowed in page_table(cases):
        status = client.get(url).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{url}: {status} ({'allowed' if ok else 'denied'} expected)")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in(client, cases):
    for _name, url, _allowed in page_table(cases):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_write_is_refused_to_roles_without_the_right_and_changes_nothing(
    client, users, cases, members, role
):
    client.force_login(users[role])
    wrong = []
    for _name, url, data, allowed in post_table(cases, members):
        if role in allowed:
            continue
        before = snapshot()
        status = client.post(url, data).status_code
        if status not in (403, 404) or snapshot() != before:
            wrong.append(f"{url}: {status}")
    assert not wrong, "\n".join(wrong)


def test_a_plain_member_sees_the_name_and_stage_but_no_personal_data(client, users, cases):
    a = cases["a"]
    client.force_login(users["member_A"])
    page = client.get(f"/admissions/{a.pk}/").content.decode()
    assert a.full_name in page and a.get_stage_display() in page
    for private in (a.phone, "15/06/2000", a.residence, "documents/application/file"):
        assert private not in page
    client.force_login(users["committee_A"])
    page = client.get(f"/admissions/{a.pk}/").content.decode()
    assert "15/06/2000" in page and "documents/application/file" in page


@pytest.mark.parametrize(
    "role, clear",
    [("committee_A", False), ("standing_X", False), ("secretary_A", True), ("inspection_X", True)],
)
def test_the_phone_is_masked_but_for_those_who_may_reveal_it(client, users, cases, role, clear):
    a = cases["a"]
    client.force_login(users[role])
    page = client.get(f"/admissions/{a.pk}/").content.decode()
    assert (a.phone in page) is clear
    assert (mask(a.phone, 3, 3) in page) is not clear


def test_the_grassroots_committee_resolves_on_the_page_but_the_superior_committee_decides(
    client, system, users, tree, cases
):
    a, secretary = cases["a"], users["secretary_A"]
    g_standing = grassroots_standing(system, tree)
    actions.record_admission_vote(secretary, a, cases["meeting"], agree=6, disagree=0, abstain=0)
    client.force_login(g_standing)
    assert "committee-number" in client.get(f"/admissions/{a.pk}/").content.decode()
    client.post(
        f"/admissions/{a.pk}/committee/",
        {"committee-number": "07-NQ/ĐU", "committee-resolved_on": "2026-03-03"},
    )
    a.refresh_from_db()
    assert a.stage == Stage.COMMITTEE_PROPOSED
    decision = {"decision-number": "15-QĐ/ĐU", "decision-decided_on": "2026-03-03"}
    assert "decision-number" not in client.get(f"/admissions/{a.pk}/").content.decode()
    before = snapshot()
    assert client.post(f"/admissions/{a.pk}/decision/", decision).status_code == 403
    assert snapshot() == before
    client.force_login(users["standing_X"])
    assert "decision-number" in client.get(f"/admissions/{a.pk}/").content.decode()
    client.post(f"/admissions/{a.pk}/decision/", decision)
    a.refresh_from_db()
    assert a.stage == Stage.ADMITTED

    record = proposed_probation(system, secretary, tree, cases["meeting"])
    recognition = {
        "recognition-recognised": "1",
        "recognition-number": "31-QĐ/ĐU",
        "recognition-decided_on": "2026-03-03",
    }
    client.force_login(g_standing)
    assert "recognition-number" not in client.get(f"/probations/{record.pk}/").content.decode()
    before = snapshot()
    assert client.post(f"/probations/{record.pk}/decision/", recognition).status_code == 403
    assert snapshot() == before
    client.force_login(users["standing_X"])
    assert "recognition-number" in client.get(f"/probations/{record.pk}/").content.decode()
    client.post(f"/probations/{record.pk}/decision/", recognition)
    assert Member.objects.get(pk=record.member_id).status == "official"


def test_the_scan_is_served_as_uploaded(client, users, cases):
    client.force_login(users["secretary_A"])
    response = client.get(f"/admissions/{cases['a'].pk}/documents/application/file/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_organisation_and_member_pages_link_here(client, users, cases):
    client.force_login(users["secretary_A"])
    page = client.get("/orgs/A/").content.decode()
    assert reverse("admissions:cell", args=["A"]) in page
    member = Member.objects.get(full_name="Lý Văn Mới")
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert reverse("admissions:probation", args=[cases["prob_a"].pk]) in page
    assert "20/01/2027" in page  # the end of the probation
    client.force_login(users["standing_X"])
    assert reverse("admissions:deadlines", args=["X"]) in client.get("/orgs/X/").content.decode()


def test_a_secretary_and_the_committee_take_a_case_through_the_pages(
    client, users, members, tree, cases, today
):
    secretary, standing = users["secretary_A"], users["standing_X"]
    client.force_login(secretary)
    response = client.post(
        "/orgs/A/admissions/new/",
        {
            "full_name": "Lò Văn Sáng",
            "gender": "male",
            "date_of_birth": "2001-09-02",
            "ethnicity": "Tày",
            "phone": "0912000111",
            "education": "9/12",
        },
    )
    case = Candidate.objects.get(full_name="Lò Văn Sáng")
    assert response.status_code == 302 and response["Location"] == f"/admissions/{case.pk}/"
    page = client.get(f"/admissions/{case.pk}/").content.decode()
    assert "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng" in page
    for item in case.documents.all():
        if item.rule.required and item.key not in actions.rules.STEP_DOCUMENTS:
            client.post(
                f"/admissions/{case.pk}/documents/{item.key}/",
                {f"doc-{item.key}-status": "checked", f"doc-{item.key}-dated": "2026-02-01"},
            )
    for member in (members["an"], members["duc"]):
        client.post(
            f"/admissions/{case.pk}/introducers/",
            {"introducer-member": member.pk, "introducer-known_since": "2019-05-01"},
        )
    page = client.get(f"/admissions/{case.pk}/").content.decode()
    assert cases["meeting"].pk and "vote-meeting" in page
    # Short of two thirds: kept, and the case stays.
    client.post(
        f"/admissions/{case.pk}/vote/",
        {"vote-meeting": cases["meeting"].pk, "vote-agree": 3, "vote-disagree": 3},
    )
    case.refresh_from_db()
    assert case.stage == Stage.PREPARING and case.votes.count() == 1
    client.post(
        f"/admissions/{case.pk}/vote/",
        {"vote-meeting": cases["meeting"].pk, "vote-agree": 6, "vote-disagree": 0},
    )
    case.refresh_from_db()
    assert case.stage == Stage.CELL_APPROVED
    client.force_login(standing)
    client.post(
        f"/admissions/{case.pk}/committee/",
        {"committee-number": "07-NQ/ĐU", "committee-resolved_on": "2026-03-03"},
    )
    response = client.post(
        f"/admissions/{case.pk}/decision/",
        {"decision-number": "15-QĐ/ĐU", "decision-decided_on": "2026-03-03"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.stage == Stage.ADMITTED and case.member.status == "probationary"
    probation = Probation.objects.get(candidate=case)
    # The ceremony past the deadline is refused with the rule, on the page.
    today(D(2026, 4, 20))
    client.force_login(secretary)
    page = client.post(
        f"/probations/{probation.pk}/ceremony/", {"ceremony-held_on": "2026-04-20"}, follow=True
    ).content.decode()
    probation.refresh_from_db()
    assert probation.ceremony_on is None and "14/04/2026" in page
    client.post(f"/probations/{probation.pk}/ceremony/", {"ceremony-held_on": "2026-03-19"})
    probation.refresh_from_db()
    assert probation.ends_on == D(2027, 3, 19)


def test_the_lists_take_as_many_queries_for_many_cases_as_for_few(
    client, users, cases, members, system, tree
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chibo.admissions.tests.conftest import open_case
    from tests.fixtures import make_member

    client.force_login(users["staff_X"])
    urls = (
        "/orgs/A/admissions/",
        "/orgs/X/admissions/deadlines/",
        "/api/v1/admissions/orgs/A/probations",
    )

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    def add(names):
        for name in names:
            case = open_case(system, tree["A"], full_name=f"Người {name}")
            actions.set_document(
                system, case, "course_certificate", status="checked", dated=D(2021, 3, 20)
            )
            newcomer = make_member(
                system,
                tree["A"],
                f"Dự Bị {name}",
                status="probationary",
                official_on=None,
                admitted_on=D(2026, 1, 5),
            )
            actions.open_probation(system, newcomer, ceremony_on=D(2026, 1, 20))

    add(["Một"])
    before = counts()
    add(["Hai", "Ba", "Bốn"])
    assert counts() == before
