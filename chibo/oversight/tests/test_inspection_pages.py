"""The inspection pages: who reaches each one (every role), the writes they refuse without
changing anything, and the errors shown next to the fields."""

import datetime

import pytest
from django.urls import resolve
from django.utils import translation

from chibo.oversight import inspection as work
from chibo.oversight.models import (
    Complaint,
    ComplaintKind,
    DisciplineDecision,
    Inspection,
    InspectionKind,
    InspectionPlan,
)
from chibo.oversight.tests.walks_inspection import PAGES
from tests.fixtures import ROLE_CASES

pytestmark = pytest.mark.django_db

D = datetime.date
LEAD_A = {"secretary_A", "deputy_A"}
VIEW_X = {"standing_X", "inspection_X", "admin_P"}
MANAGE_X = VIEW_X


def snapshot():
    """Everything an inspection write could change, to show that a refused one changed
    nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (InspectionPlan, Inspection, Complaint, DisciplineDecision)
    ]


@pytest.fixture
def walk(clock, tree, members, users):
    """X's draft plan for 2026; an inspection of an by X up to its meeting (to conclude),
    one of B by G with its notice only (for the next step), one of T by X2; a denunciation
    about an received by X (to handle); duc's reprimand by X (to annul)."""
    x, p = users["inspection_X"], users["admin_P"]
    plan = work.create_plan(x, tree["X"], year=2026, title="Chương trình kiểm tra, giám sát 2026")

    def open_(actor, org, subject, kind=InspectionKind.THEMATIC_INSPECTION, **plan_):
        return work.open_inspection(
            actor, org, kind=kind, subject=subject, topic="Thực hiện Chỉ thị 50", **plan_
        )

    an_case = open_(x, tree["X"], members["an"], plan=plan)
    for step, day in (("notice", 2), ("self_report", 5), ("meeting", 10)):
        an_case = work.record_step(x, an_case, step, D(2026, 11, day))
    b_case = open_(x, tree["G"], tree["B"], kind=InspectionKind.REGULAR_SUPERVISION)
    work.record_step(x, b_case, "notice", D(2026, 11, 12))
    t_case = open_(p, tree["X2"], tree["T"])
    complaint = work.record_complaint(
        x,
        tree["X"],
        kind=ComplaintKind.DENUNCIATION,
        received_on=D(2026, 10, 1),
        sender="Nguyễn Văn Tố",
        subject=members["an"],
        summary="Sử dụng đất sai quy định",
    )
    decision = work.decide_discipline(
        x,
        tree["X"],
        subject=members["duc"],
        form="reprimand",
        number="3-QĐ/UBKT",
        decided_on=D(2026, 9, 1),
        reason="Vi phạm quy định sinh hoạt đảng",
    )
    return {
        "plan": plan.pk,
        "an_case": an_case.pk,
        "b_case": b_case.pk,
        "t_case": t_case.pk,
        "complaint": complaint.pk,
        "decision": decision.pk,
        "an": members["an"].pk,
        "duc": members["duc"].pk,
        "lan": members["lan"].pk,
    }


# (path, roles that get 200). Every other role gets 403 or 404.
GETS = [
    ("/orgs/X/inspection/", VIEW_X),
    ("/orgs/X/inspection/?year=2025", VIEW_X),
    ("/orgs/A/inspection/", VIEW_X | LEAD_A),
    ("/orgs/T/inspection/", {"admin_P"}),
    ("/orgs/P2/inspection/", set()),
    ("/orgs/X/inspection/new/", MANAGE_X),
    ("/orgs/X/inspection/new/?subject=A", MANAGE_X),
    ("/orgs/A/inspection/new/", MANAGE_X),
    ("/orgs/X/inspection/statistics/", VIEW_X),
    ("/orgs/X/inspection/statistics/?period=2026-Q4", VIEW_X),
    ("/orgs/A/inspection/statistics/", VIEW_X | LEAD_A),
    ("/inspection/{an_case}/", VIEW_X | LEAD_A),
    ("/inspection/{b_case}/", VIEW_X),
    ("/inspection/{t_case}/", {"admin_P"}),
    ("/orgs/X/complaints/", VIEW_X),
    ("/orgs/X/complaints/?which=all", VIEW_X),
    ("/orgs/A/complaints/", VIEW_X | LEAD_A),
    ("/complaints/{complaint}/", VIEW_X),
    ("/orgs/X/discipline/", VIEW_X),
    ("/orgs/A/discipline/?year=2026", VIEW_X | LEAD_A),
    ("/orgs/X/discipline/new/", MANAGE_X),
    ("/orgs/X/discipline/new/?inspection={an_case}", MANAGE_X),
    ("/orgs/X/discipline/new/?complaint={complaint}", MANAGE_X),
]


def posts():
    """(path, data, roles allowed): each allowed write succeeds (302) and changes the
    records; every other role is refused (403 or 404) and nothing changes."""
    return [
        (
            "/orgs/X/inspection/plans/",
            {"plan-year": "2027", "plan-title": "Chương trình kiểm tra 2027"},
            MANAGE_X,
        ),
        ("/inspection/plans/{plan}/approve/", {"approved_on": "2026-01-10"}, MANAGE_X),
        (
            "/orgs/X/inspection/new/",
            {
                "kind": "suspected_violation",
                "subject": "A",
                "member": "{duc}",
                "topic": "Đơn tố cáo về đất đai",
            },
            MANAGE_X,
        ),
        ("/inspection/{b_case}/step/", {"step": "self_report", "on": "2026-11-20"}, MANAGE_X),
        (
            "/inspection/{an_case}/conclusion/",
            {"on": "2026-11-25", "result": "violation", "conclusion": "Có vi phạm"},
            MANAGE_X,
        ),
        (
            "/orgs/X/complaints/",
            {
                "kind": "denunciation",
                "received_on": "2026-11-20",
                "sender": "Lê Văn Dân",
                "subject": "A",
                "member": "{duc}",
                "summary": "Nội dung đơn",
            },
            MANAGE_X,
        ),
        (
            "/complaints/{complaint}/",
            {"handled_on": "2026-11-30", "outcome": "partly_upheld", "note": "Có đúng có sai"},
            MANAGE_X,
        ),
        (
            "/orgs/X/discipline/new/",
            {
                "subject": "A",
                "member": "{an}",
                "form": "warning",
                "number": "9-QĐ/UBKT",
                "decided_on": "2026-11-28",
                "reason": "Vi phạm",
            },
            MANAGE_X,
        ),
        (
            "/discipline/{decision}/annul/",
            {"annulled_on": "2026-11-30", "reason": "Khiếu nại đúng"},
            MANAGE_X,
        ),
        (
            "/orgs/X2/discipline/new/",
            {
                "subject": "T",
                "form": "warning",
                "number": "1-QĐ/ĐU",
                "decided_on": "2026-11-28",
                "reason": "Vi phạm",
            },
            {"admin_P"},
        ),
    ]


def _fill(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_reaches_exactly_its_inspection_pages(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, allowed in GETS:
        status = client.get(template.format(**walk)).status_code
        ok = role in allowed
        if ok and status != 200 or not ok and status not in (403, 404):
            wrong.append(f"{template}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_inspection_write_is_done_or_refused_without_a_change(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, data, allowed in posts():
        path = template.format(**walk)
        before = snapshot()
        response = client.post(path, {k: _fill(v, walk) for k, v in data.items()})
        if role in allowed:
            if response.status_code != 302 or snapshot() == before:
                wrong.append(f"{path}: {response.status_code}, not done")
        elif response.status_code not in (403, 404) or snapshot() != before:
            wrong.append(f"{path}: {response.status_code}, not refused")
    assert not wrong, "\n".join(wrong)


def test_every_inspection_page_is_walked(walk):
    walked = set()
    for template, _allowed in GETS:
        walked.add(_name(template.format(**walk)))
    for template, _data, _allowed in posts():
        walked.add(_name(template.format(**walk)))
    assert walked == PAGES


def _name(path):
    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}"


def test_anonymous_visitors_are_sent_to_log_in(client, walk):
    for template, _allowed in GETS:
        response = client.get(template.format(**walk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# What the pages show.


def test_the_programme_shows_the_plan_its_inspections_and_their_steps(client, users, walk):
    client.force_login(users["standing_X"])
    page = client.get("/orgs/X/inspection/?year=2026").content.decode()
    assert "Chương trình kiểm tra, giám sát 2026" in page
    assert "Nguyễn Văn An" in page and "02/11/2026" in page and "10/11/2026" in page
    assert f'action="/inspection/plans/{walk["plan"]}/approve/"' in page
    # G's supervision of B is listed under the work of others below X.
    assert "Chi bộ Hành chính" in page and "Đảng ủy Trường THPT Đồng Văn" in page
    client.force_login(users["secretary_A"])
    page = client.get("/orgs/A/inspection/?year=2026").content.decode()
    assert "Nguyễn Văn An" in page and "Chi bộ Hành chính" not in page
    assert "Add a plan" not in page and "/approve/" not in page


def test_a_form_of_discipline_not_allowed_is_refused_next_to_the_field(client, users, walk):
    client.force_login(users["inspection_X"])
    with translation.override("en"):
        response = client.post(
            "/orgs/X/discipline/new/",
            {
                "subject": "S",
                "member": str(walk["lan"]),
                "form": "expulsion",
                "number": "10-QĐ/UBKT",
                "decided_on": "2026-11-28",
                "reason": "Vi phạm",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_form-error"' in page
    assert "Khai trừ không phải là hình thức kỷ luật áp dụng cho đảng viên dự bị" in page
    assert not DisciplineDecision.objects.filter(number="10-QĐ/UBKT").exists()


def test_a_step_out_of_order_is_refused_next_to_the_day(client, users, walk):
    client.force_login(users["inspection_X"])
    response = client.post(
        f"/inspection/{walk['b_case']}/step/",
        {"step": "self_report", "on": "2026-11-11"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_on-error"' in page and "trước thông báo (12/11/2026)" in page
    assert Inspection.objects.get(pk=walk["b_case"]).self_report_on is None


def test_an_expulsion_points_to_ending_the_membership(client, users, walk, members, tree):
    work.decide_discipline(
        users["inspection_X"],
        tree["X"],
        subject=members["an"],
        form="expulsion",
        number="11-QĐ/UBKT",
        decided_on=D(2026, 11, 20),
        reason="Vi phạm nghiêm trọng",
    )
    end = f"/members/{members['an'].pk}/end/"
    client.force_login(users["standing_X"])
    assert end in client.get("/orgs/X/discipline/?year=2026").content.decode()
    # The inspection staff decide discipline but do not end memberships.
    client.force_login(users["inspection_X"])
    assert end not in client.get("/orgs/X/discipline/?year=2026").content.decode()


def test_the_statistics_page_shows_the_figures(client, users, walk):
    client.force_login(users["inspection_X"])
    page = client.get("/orgs/X/inspection/statistics/?period=2026").content.decode()
    assert 'id="row-disciplined"' in page
    response = client.get("/orgs/X/inspection/statistics/?period=2031")
    assert response.status_code == 400


def test_the_complaint_page_shows_the_sender_only_to_those_who_handle_it(client, users, walk):
    client.force_login(users["inspection_X"])
    page = client.get(f"/complaints/{walk['complaint']}/").content.decode()
    assert "Nguyễn Văn Tố" in page and 'name="outcome"' in page
    client.force_login(users["secretary_A"])
    assert client.get(f"/complaints/{walk['complaint']}/").status_code == 404
    assert "Nguyễn Văn Tố" not in client.get("/orgs/A/complaints/").content.decode()


def test_the_lists_take_as_many_queries_for_many_rows_as_for_one(
    client, users, walk, tree, members
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["standing_X"])
    pages = (
        "/orgs/X/inspection/?year=2026",
        "/orgs/X/discipline/?year=2026",
        "/orgs/X/complaints/?which=all",
    )

    def counts():
        found = []
        for path in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    actor = users["inspection_X"]
    for i, key in enumerate(("an", "duc", "hoa", "lan")):
        work.open_inspection(
            actor, tree["X"], kind="regular_supervision", subject=members[key], topic="Chủ đề"
        )
        work.decide_discipline(
            actor,
            tree["X"],
            subject=members[key],
            form="warning",
            number=f"{20 + i}-QĐ/UBKT",
            decided_on=D(2026, 11, 20),
            reason="Vi phạm",
        )
        work.record_complaint(
            actor,
            tree["G" if i % 2 else "X"],
            kind=ComplaintKind.DENUNCIATION,
            received_on=D(2026, 11, 1),
            sender="Người gửi",
            subject=members["an"] if i % 2 else tree["S"],
            summary="Nội dung",
        )
    assert counts() == before
