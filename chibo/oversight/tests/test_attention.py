"""Members under attention: who sees the list and the cases (every role), that every view
is logged and a refusal logs nothing, the writes and the rules they name, and what the
audit log keeps of them (nothing sensitive)."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import resolve
from django.utils import translation

from chibo.audit.models import AuditEvent
from chibo.conflicts import StaleVersion
from chibo.members.models import Member
from chibo.oversight import attention
from chibo.oversight.models import AttentionCase, AttentionKind, AttentionView
from chibo.oversight.tests.test_supervision import (
    API,
    fill,
    logged_in,
    send,
)
from chibo.oversight.tests.test_supervision import (
    gets as supervision_gets,
)
from chibo.oversight.tests.test_supervision import (
    posts as supervision_posts,
)
from chibo.oversight.tests.walks_supervision import PAGES
from tests.fixtures import ROLE_CASES

pytestmark = pytest.mark.django_db

D = datetime.date
SEE_A = {"committee_A", "deputy_A", "secretary_A", "inspection_X"}
MANAGE_A = {"committee_A", "deputy_A", "secretary_A"}
REASON = "Vay nợ nhiều nơi, có dấu hiệu cờ bạc qua mạng"
PLAN = "Chi ủy gặp gỡ, nhắc nhở; đồng chí An theo dõi hằng tháng"


@pytest.fixture
def case(clock, users, members, cell_a):
    """Hà Văn Một of cell A under monitoring since 1 December, followed by An."""
    mot = Member.objects.get(full_name="Hà Văn Một")
    return attention.open_case(
        users["secretary_A"],
        mot,
        kind=AttentionKind.MONITORING,
        reason=REASON,
        plan=PLAN,
        follower=members["an"],
        review_on=D(2027, 1, 15),
    )


def _member(name):
    return Member.objects.get(full_name=name)


# Who sees it: every role.


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_the_attention_list_and_case_are_seen_only_by_the_cell_committee_and_inspection_above(
    client, users, case, role
):
    # given
    client.force_login(users[role])
    api = logged_in(users[role])
    sees = role in SEE_A
    answers = [
        client.get("/orgs/A/attention/"),
        client.get(f"/attention/{case.pk}/"),
        api.get(f"{API}/oversight/orgs/A/attention"),
        api.get(f"{API}/oversight/attention/{case.pk}"),
    ]
    # then
    for answer in answers:
        text = answer.content.decode()
        if answer["Content-Type"].startswith("application/json"):
            text = json.dumps(answer.json(), ensure_ascii=False)
        if sees:
            assert answer.status_code == 200 and "Hà Văn Một" in text
        else:
            assert answer.status_code in (403, 404)
            assert "Hà Văn Một" not in text and REASON not in text
    views = AttentionView.objects.filter(viewer=users[role])
    if sees:
        # every answer that showed it is logged: two lists, two cases
        assert views.filter(case=None).count() == 2 and views.filter(case=case).count() == 2
        assert set(views.values_list("channel", flat=True)) == {"page", "api"}
        assert all(v.case_ids == [case.pk] for v in views)
    else:
        assert not views.exists()


def test_the_administrator_and_the_standing_member_do_not_see_it_even_in_the_audit_log(
    client, users, case
):
    attention.update_case(users["secretary_A"], case, plan=PLAN + "; báo cáo chi bộ")
    attention.close_case(users["secretary_A"], case, outcome="Đã trả hết nợ, tiến bộ")
    events = AuditEvent.objects.filter(action__startswith="attention.")
    assert events.count() == 3
    for event in events:
        assert event.object_repr == f"#{case.pk}"
        assert set(event.changes) <= {"opened_on", "review_on", "changed", "closed_on"}
        assert "monitoring" not in str(event.changes)
    client.force_login(users["admin_P"])
    log = client.get("/audit/?org=A").content.decode()
    assert REASON not in log and "tiến bộ" not in log and "báo cáo chi bộ" not in log
    for role in ("admin_P", "standing_X", "staff_X"):
        client.force_login(users[role])
        assert client.get("/orgs/A/attention/?closed=1").status_code == 404


def test_a_refused_change_logs_no_view(client, users, case):
    client.force_login(users["inspection_X"])
    assert client.get(f"/attention/{case.pk}/edit/").status_code == 403
    assert client.post(f"/attention/{case.pk}/close/", {"outcome": "x"}).status_code == 403
    assert not AttentionView.objects.exists()
    case.refresh_from_db()
    assert case.is_open


def test_the_pages_show_who_viewed(client, users, case):
    client.force_login(users["inspection_X"])
    client.get(f"/attention/{case.pk}/")
    client.force_login(users["secretary_A"])
    page = client.get(f"/attention/{case.pk}/").content.decode()
    assert page.count("inspection_X") == 1
    listing = client.get("/orgs/A/attention/").content.decode()
    assert "inspection_X" in listing and "secretary_A" in listing


# The writes.


def test_the_cell_committee_places_a_member_under_attention_with_the_form(
    client, users, members, case
):
    client.force_login(users["committee_A"])
    hai = _member("Hà Văn Hai")
    answer = client.post(
        "/orgs/A/attention/new/",
        {
            "member": hai.pk,
            "kind": "reminder",
            "reason": "Hay vắng sinh hoạt không lý do",
            "plan": "Bí thư nhắc nhở trực tiếp",
            "follower": members["duc"].pk,
            "review_on": "2027-03-01",
        },
    )
    opened = AttentionCase.objects.get(member=hai)
    assert answer.status_code == 302 and answer["Location"] == f"/attention/{opened.pk}/"
    assert opened.kind == "reminder" and opened.opened_on == D(2026, 12, 1)
    assert opened.opened_by == users["committee_A"]
    page = client.get("/orgs/A/attention/").content.decode()
    assert "Hà Văn Hai" in page and "Hà Văn Một" in page


def test_the_form_says_next_to_the_field_what_is_wrong(client, users, members, case):
    client.force_login(users["secretary_A"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(
        "/orgs/A/attention/new/",
        {
            "member": case.member_id,
            "kind": "monitoring",
            "reason": "Lý do",
            "plan": "Kế hoạch",
            "follower": members["an"].pk,
            "review_on": "2027-01-01",
        },
    ).content.decode()
    assert "already has an open case since 01/12/2026" in page
    assert AttentionCase.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "watch"}, "kind", "attention, monitoring or reminder"),
        ({"reason": "  "}, "reason", "Write why"),
        ({"plan": ""}, "plan", "Write what the cell will do"),
        ({"plan": "x" * 2001}, "plan", "2000 characters"),
        ({"follower": "hoa"}, "follower", "current member of this cell"),
        ({"follower": "self"}, "follower", "Another member"),
        ({"review_on": D(2026, 11, 30)}, "review_on", "not before"),
        ({"review_on": None}, "review_on", "Set the day"),
        ({"opened_on": D(2026, 12, 2)}, "opened_on", "earlier day"),
    ],
)
def test_opening_a_case_names_the_rule_it_breaks(
    users, members, cell_a, clock, fields, field, message
):
    hai = _member("Hà Văn Hai")
    values = {
        "kind": "attention",
        "reason": "Gia đình khó khăn",
        "plan": "Chi bộ thăm hỏi",
        "follower": members["an"],
        "review_on": D(2027, 1, 1),
    }
    values.update(fields)
    if values["follower"] == "hoa":
        values["follower"] = members["hoa"]
    elif values["follower"] == "self":
        values["follower"] = hai
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        attention.open_case(users["secretary_A"], hai, **values)
    assert message in " ".join(refused.value.message_dict[field])
    assert not AttentionCase.objects.exists()


def test_only_the_cell_committee_opens_a_case(users, members, cell_a, clock):
    for role in ("inspection_X", "admin_P", "standing_X", "member_A", "stranger"):
        with pytest.raises(PermissionDenied):
            attention.open_case(
                users[role],
                _member("Hà Văn Hai"),
                kind="attention",
                reason="x",
                plan="y",
                follower=members["an"],
                review_on=D(2027, 1, 1),
            )
    assert not AttentionCase.objects.exists()


def test_a_member_who_left_is_not_placed_under_attention(users, members, cell_a, clock):
    hai = _member("Hà Văn Hai")
    Member.objects.filter(pk=hai.pk).update(status="left")
    with translation.override("en"), pytest.raises(ValidationError, match="current member"):
        attention.open_case(
            users["secretary_A"],
            hai,
            kind="attention",
            reason="x",
            plan="y",
            follower=members["an"],
            review_on=D(2027, 1, 1),
        )


def test_updating_a_case_keeps_the_version_and_names_the_fields_changed(users, members, case):
    updated = attention.update_case(
        users["deputy_A"],
        case,
        version=1,
        kind=AttentionKind.REMINDER,
        follower=members["duc"],
        reason=REASON,
    )
    assert (
        updated.version == 2 and updated.kind == "reminder" and updated.follower == members["duc"]
    )
    event = AuditEvent.objects.filter(action="attention.update").get()
    assert event.changes == {"changed": ["follower", "kind"]}
    with pytest.raises(StaleVersion):
        attention.update_case(users["deputy_A"], case, version=1, plan="Khác")
    with pytest.raises(PermissionDenied):
        attention.update_case(users["inspection_X"], case, plan="Khác")


def test_closing_a_case_needs_the_outcome_and_a_day_within_the_case(users, clock, case):
    with translation.override("en"):
        with pytest.raises(ValidationError, match="outcome"):
            attention.close_case(users["secretary_A"], case, outcome=" ")
        with pytest.raises(ValidationError, match="01/12/2026"):
            attention.close_case(
                users["secretary_A"], case, outcome="Tiến bộ", closed_on=D(2026, 11, 30)
            )
    closed = attention.close_case(users["secretary_A"], case, outcome="Tiến bộ rõ rệt")
    assert closed.closed_on == D(2026, 12, 1) and closed.version == 2
    with translation.override("en"), pytest.raises(ValidationError, match="closed"):
        attention.update_case(users["secretary_A"], closed, plan="Khác")
    with pytest.raises(ValidationError):
        attention.close_case(users["secretary_A"], closed, outcome="Lần nữa")
    # Closed, it leaves the open list; the member may be followed again.
    assert attention.list_cases(users["secretary_A"], case.cell) == []
    assert attention.list_cases(users["secretary_A"], case.cell, closed=True) == [closed]
    again = attention.open_case(
        users["secretary_A"],
        case.member,
        kind="reminder",
        reason="Tái phạm",
        plan="Nhắc nhở",
        follower=case.follower,
        review_on=D(2027, 1, 1),
    )
    assert again.pk != case.pk


def test_the_close_form_shows_its_errors_on_the_case_page(client, users, case):
    client.force_login(users["secretary_A"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(
        f"/attention/{case.pk}/close/", {"outcome": "Tiến bộ", "closed_on": "2026-11-01"}
    )
    assert page.status_code == 200
    assert "it closes on that day or later" in page.content.decode()
    case.refresh_from_db()
    assert case.is_open


def test_the_api_answers_a_stale_version_with_409(users, case):
    client = logged_in(users["secretary_A"])
    answer = send(
        client, "patch", f"/oversight/attention/{case.pk}", {"plan": "Khác", "version": 1}
    )
    assert answer.status_code == 200 and answer.json()["version"] == 2
    stale = send(client, "patch", f"/oversight/attention/{case.pk}", {"plan": "Nữa", "version": 1})
    assert stale.status_code == 409
    wrong = send(
        client, "patch", f"/oversight/attention/{case.pk}", {"follower_id": case.member_id + 1000}
    )
    assert wrong.status_code == 422 and "follower_id" in wrong.json()["error"]["fields"]
    detail = client.get(f"{API}/oversight/attention/{case.pk}").json()
    assert detail["plan"] == "Khác" and detail["views"][0]["viewer"] == "secretary_A"


# Every page and endpoint for every role.


def gets():
    """(path, roles that get 200). Every other role gets 403 or 404."""
    return [
        ("/orgs/A/attention/", SEE_A),
        ("/orgs/A/attention/?closed=1", SEE_A),
        ("/orgs/X/attention/", set()),  # kept by cells only
        ("/orgs/T/attention/", set()),  # the administrator does not see it
        ("/orgs/A/attention/new/", MANAGE_A),
        ("/attention/{case}/", SEE_A),
        ("/attention/{case}/edit/", MANAGE_A),
    ]


def posts():
    """(path, data, roles allowed), in this order: the change before the close."""
    return [
        (
            "/attention/{case}/edit/",
            {
                "kind": "reminder",
                "reason": REASON,
                "plan": PLAN,
                "follower": "{an}",
                "review_on": "2027-02-01",
                "version": "1",
            },
            MANAGE_A,
        ),
        ("/attention/{case}/close/", {"outcome": "Tiến bộ rõ rệt"}, MANAGE_A),
        (
            "/orgs/A/attention/new/",
            {
                "member": "{hai}",
                "kind": "attention",
                "reason": "Gia đình khó khăn",
                "plan": "Chi bộ thăm hỏi",
                "follower": "{an}",
                "review_on": "2027-01-10",
            },
            MANAGE_A,
        ),
    ]


def snapshot():
    return (
        sorted(AttentionCase.objects.values_list("id", "kind", "closed_on", "version")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def ids(case, members):
    return {
        "case": case.pk,
        "an": members["an"].pk,
        "hai": _member("Hà Văn Hai").pk,
    }


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_attention_pages(client, users, ids, role):
    client.force_login(users[role])
    wrong = []
    for template, allowed in gets():
        status = client.get(template.format(**ids)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_attention_write_is_done_or_refused_without_a_change(client, users, ids, role):
    client.force_login(users[role])
    wrong = []
    for template, data, allowed in posts():
        path = template.format(**ids)
        before = snapshot()
        response = client.post(path, {k: v.format(**ids) for k, v in data.items()})
        if role in allowed:
            if response.status_code != 302 or snapshot() == before:
                wrong.append(f"{path}: {response.status_code}, not done")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in(client, ids):
    for template, _allowed in gets():
        response = client.get(template.format(**ids))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AttentionView.objects.exists()


def api_reads():
    """(path, route, roles that get 200)."""
    return [
        ("/oversight/orgs/A/attention", "/oversight/orgs/{code}/attention", SEE_A),
        ("/oversight/orgs/A/attention?closed=true", "/oversight/orgs/{code}/attention", SEE_A),
        ("/oversight/orgs/X/attention", "/oversight/orgs/{code}/attention", set()),
        ("/oversight/attention/{case}", "/oversight/attention/{case_id}", SEE_A),
    ]


def api_writes():
    """(method, path, route, body, roles allowed)."""
    return [
        (
            "patch",
            "/oversight/attention/{case}",
            "/oversight/attention/{case_id}",
            {"review_on": "2027-02-01", "kind": "reminder"},
            MANAGE_A,
        ),
        (
            "post",
            "/oversight/attention/{case}/close",
            "/oversight/attention/{case_id}/close",
            {"outcome": "Tiến bộ rõ rệt"},
            MANAGE_A,
        ),
        (
            "post",
            "/oversight/orgs/A/attention",
            "/oversight/orgs/{code}/attention",
            {
                "member_id": "{hai}",
                "kind": "attention",
                "reason": "Gia đình khó khăn",
                "plan": "Chi bộ thăm hỏi",
                "follower_id": "{an}",
                "review_on": "2027-01-10",
            },
            MANAGE_A,
        ),
    ]


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reads_exactly_its_attention_endpoints(users, ids, role):
    client = logged_in(users[role])
    wrong = []
    for template, _route, allowed in api_reads():
        status = client.get(API + template.format(**ids)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_attention_endpoint_write_is_done_or_refused_without_a_change(users, ids, role):
    client = logged_in(users[role])
    wrong = []
    for method, template, _route, body, allowed in api_writes():
        path = template.format(**ids)
        before = snapshot()
        response = send(client, method, path, fill(body, ids))
        if role in allowed:
            if response.status_code not in (200, 201) or snapshot() == before:
                wrong.append(f"{path}: {response.status_code} {response.content[:200]}")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_supervision_and_attention_page_is_walked():
    def name(template):
        match = resolve(re.sub(r"\{\w+\}", "1", template).split("?")[0])
        return f"{match.namespace}:{match.url_name}"

    templates = [t for t, *_ in [*supervision_gets(), *supervision_posts(), *gets(), *posts()]]
    assert {name(t) for t in templates} == PAGES
