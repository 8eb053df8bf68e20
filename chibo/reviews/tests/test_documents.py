"""The official forms as DOCX: a member's self-review (2A, 2B, 2C), an organisation's report
(form 01) and the summary of levels, each opened in LibreOffice (headless, converted to plain
text) to check what it says; who may download each one (every role)."""

import datetime
import shutil
import subprocess
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import resolve
from django.utils import translation
from django.utils.translation import gettext
from docx import Document

from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Task
from chibo.oversight.tests.conftest import hold
from chibo.reviews import actions, documents
from chibo.reviews.models import MemberReview, OrganisationReview, ReviewRound, Stage
from chibo.reviews.tests.conftest import (
    ALL_DONE,
    ON_TIME,
    SECTIONS_01,
    SECTIONS_2C,
    member_points,
    org_points,
    submit_self,
)
from chibo.reviews.tests.walks_documents import PAGES
from tests.fixtures import ROLE_CASES

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NEEDS = "run `make system-packages` (apt-get install libreoffice-writer-nogui)"
EXCELLENT = "Hoàn thành xuất sắc nhiệm vụ (HTXSNV)"
GOOD = "Hoàn thành tốt nhiệm vụ (HTTNV)"
COMPLETED = "Hoàn thành nhiệm vụ (HTNV)"
NOT_COMPLETED = "Không hoàn thành nhiệm vụ (KHTNV)"


def _open_in_libreoffice(bodies: dict[str, bytes], tmp_path) -> dict[str, str]:
    """Convert each DOCX to plain text with LibreOffice; return the texts by name, their
    whitespace collapsed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail(f"LibreOffice (soffice, with Writer) is missing: {NEEDS}")
    sources = []
    for name, body in bodies.items():
        source = tmp_path / f"{name}.docx"
        source.write_bytes(body)
        sources.append(str(source))
    out = tmp_path / "txt"
    out.mkdir()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(out),
            *sources,
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    texts = {}
    for name in bodies:
        converted = out / f"{name}.txt"
        assert converted.exists(), f"LibreOffice did not open {name}.docx"
        texts[name] = " ".join(converted.read_text(encoding="utf-8-sig").split())
    return texts


def _tables(body: bytes) -> list[list[list[str]]]:
    """Every table of the document as rows of cell texts (the header table first)."""
    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in Document(BytesIO(body)).tables
    ]


def _table_with(body: bytes, text: str) -> list[list[str]]:
    found = [t for t in _tables(body) if any(text in cell for row in t for cell in row)]
    assert len(found) == 1, f"{len(found)} tables hold {text!r}"
    return found[0]


def _row(table: list[list[str]], first: str) -> list[str]:
    return next(row for row in table if row[0] == first or row[1:2] == [first])


def _get(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == DOCX
    return response


@pytest.fixture
def year_a(clock, tree, members, system):
    """Cell A held its October and November meetings: Đức chaired both and was given their
    tasks; October's was reviewed done in November, November's is still open."""
    hold(clock, system, tree["A"], datetime.date(2025, 10, 3))
    hold(clock, system, tree["A"], datetime.date(2025, 11, 3))
    clock.set(datetime.date(2025, 12, 1))


@pytest.fixture
def decided_an(year_a, review_round, meeting_a, members, users, system, clock):
    """An's self-review (95 points, excellent), the cell's proposal in its December meeting
    (92, excellent) and the commune's decision (well completed); the meeting then closes."""
    clock.set(datetime.date(2025, 12, 1))
    review = submit_self(system, review_round, members["an"])
    clock.set(datetime.date(2025, 12, 3), hour=9)
    review, _vote = actions.propose_member_level(
        users["secretary_A"],
        review,
        meeting_a,
        points=member_points(92),
        tasks=ALL_DONE,
        level="excellent",
        comment="Gương mẫu, nhiệt tình trong công tác khuyến học.",
        agree=2,
        disagree=0,
        abstain=0,
    )
    for task in meeting_actions.open_tasks_before(meeting_a):
        meeting_actions.review_task(system, meeting_a, task, Task.Status.DONE)
    meeting_actions.record_vote(
        system, meeting_a, subject="Nghị quyết", agree=2, disagree=0, abstain=0
    )
    meeting_actions.add_task(
        system,
        meeting_a,
        title="Tổng kết năm học",
        due_on=datetime.date(2025, 12, 20),
        assignees=[members["an"]],
    )
    clock.set(datetime.date(2025, 12, 3), hour=10)
    meeting_actions.close_meeting(system, meeting_a)
    clock.set(datetime.date(2025, 12, 15))
    return actions.decide(
        users["standing_X"], review, level="good", note="Giữ tỷ lệ xuất sắc của Đảng ủy."
    )


@pytest.fixture
def report_a(year_a, review_round, tree, users, clock):
    """Cell A's report submitted (85 points, well completed) and decided by the commune."""
    clock.set(datetime.date(2025, 12, 5))
    review = actions.save_report(
        users["secretary_A"],
        review_round,
        tree["A"],
        sections=SECTIONS_01,
        points=org_points(85),
        tasks=ON_TIME,
        self_level="good",
        submit=True,
    )
    clock.set(datetime.date(2025, 12, 16))
    return actions.decide(users["standing_X"], review, level="good")


# A member's self-review.


def test_the_member_form_holds_the_self_review_the_proposal_and_the_decision(
    client, users, decided_an, review_round, members, tmp_path
):
    # given an's review, proposed and decided
    an = members["an"]
    # when the commune's standing member downloads the form
    response = _get(
        client, users["standing_X"], f"/reviews/{review_round.pk}/members/{an.pk}/form.docx"
    )
    # then it is a Word file named in ASCII, that LibreOffice opens and reads back
    assert response["Content-Disposition"] == (
        f'attachment; filename="ban-kiem-diem-2025-{an.pk}-nguyen-van-an.docx"'
    )
    text = _open_in_libreoffice({"an": response.content}, tmp_path)["an"]
    for expected in (
        "Mẫu 2C",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG ỦY TRƯỜNG THPT ĐỒNG VĂN CHI BỘ GIÁO VIÊN",
        "ngày 01 tháng 12 năm 2025",  # submitted on
        "BẢN KIỂM ĐIỂM CÁ NHÂN NĂM 2025",
        "Bản kiểm điểm đảng viên (Đảng viên không làm việc trong hệ thống chính trị",
        "Nguyễn Văn An",
        "17/05/1980",
        "Chi bộ Giáo viên",
        *SECTIONS_2C.values(),
        "Tiêu chí chung",
        "Tư tưởng chính trị",
        "Gương mẫu, nhiệt tình trong công tác khuyến học.",
        decided_an.proposal_vote.summary,
        "03/12/2025",  # the meeting that proposed
        "15/12/2025",  # decided on
        "Đảng ủy Trường THPT Đồng Văn",  # who decides an's level
        "Giữ tỷ lệ xuất sắc của Đảng ủy.",
        EXCELLENT,  # proposed for oneself, and by the cell
        GOOD,  # decided
        "Người tự kiểm điểm (Ký, ghi rõ họ tên)",
    ):
        assert expected in text, expected
    assert text.endswith("Nguyễn Văn An")
    # the points: each group's subtotal and the total, self-assessed and proposed
    points = _table_with(response.content, "Tiêu chí chung")
    assert _row(points, "Tiêu chí chung")[2:] == ["30", "25", "22"]
    assert _row(points, "Kết quả thực hiện nhiệm vụ")[2:] == ["70", "70", "70"]
    assert _row(points, "Tư tưởng chính trị")[2:] == ["10", "5", "2"]
    assert points[-1][2:] == ["100", "95", "92"]
    # the record as the cell judged it: October and November, not December's meeting held
    # after the proposal
    record = _table_with(response.content, "2/2 (100%)")
    assert [row[1] for row in record[1:5]] == ["2/2 (100%)", "0", "0", "0"]


def test_a_member_with_nothing_written_gets_a_blank_form_with_the_record_filled(
    client, users, year_a, review_round, members, tmp_path
):
    # given Đức, who chaired October and November and has written nothing
    duc = members["duc"]
    # when he downloads his own form
    path = f"/reviews/{review_round.pk}/members/{duc.pk}/form.docx"
    response = _get(client, users["member_A"], path)
    # then the form is blank but for who he is and what the records say
    text = _open_in_libreoffice({"duc": response.content}, tmp_path)["duc"]
    assert "Đỗ Minh Đức" in text and "BẢN KIỂM ĐIỂM CÁ NHÂN NĂM 2025" in text
    assert documents.BLANK in text
    for level in (EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED):
        assert f"☐ {level}" in text
    record = _table_with(response.content, "2/2 (100%)")
    figures = [row[1] for row in record[1:]]
    # attended 2 of 2; excused 0, unexcused 0; 2 tasks: 1 done on time, 1 still open
    assert figures[:8] == ["2/2 (100%)", "0", "0", "2", "1", "0", "0", "1"]
    points = _table_with(response.content, "Tiêu chí chung")
    assert points[-1][2:] == ["100", ""]


def test_a_blank_form_is_on_the_form_asked_for_and_a_written_one_on_its_own(
    client, users, review_round, members, system
):
    duc, an = members["duc"], members["an"]
    path = f"/reviews/{review_round.pk}/members/{duc.pk}/form.docx"
    leader = _get(client, users["secretary_A"], f"{path}?form=2A").content
    paragraphs = [p.text for p in Document(BytesIO(leader)).paragraphs]
    assert "Mẫu 2A" in paragraphs
    assert any("Kết quả lãnh đạo, quản lý của địa phương" in p for p in paragraphs)
    # a form that is not the pack's falls back to 2C
    unknown = _get(client, users["secretary_A"], f"{path}?form=9Z").content
    assert "Mẫu 2C" in [p.text for p in Document(BytesIO(unknown)).paragraphs]
    submit_self(system, review_round, an)
    written = _get(
        client,
        users["secretary_A"],
        f"/reviews/{review_round.pk}/members/{an.pk}/form.docx?form=2A",
    ).content
    assert "Mẫu 2C" in [p.text for p in Document(BytesIO(written)).paragraphs]


def test_a_round_under_the_2023_pack_gives_no_points(client, users, tree, members, clock, tmp_path):
    # given the 2024 round, under QĐ 124 (no points), and an's self-review in it
    clock.set(datetime.date(2024, 12, 2))
    review_round = actions.open_round(
        users["standing_X"],
        tree["X"],
        year=2024,
        self_review_until=datetime.date(2024, 12, 10),
        proposals_until=datetime.date(2024, 12, 20),
        decisions_until=datetime.date(2024, 12, 31),
    )
    assert review_round.pack_id == "reviews-2023"
    actions.save_self_review(
        users["member_A"],
        review_round,
        members["duc"],
        form="2C",
        sections=SECTIONS_2C,
        tasks=ALL_DONE,
        self_level="excellent",
        submit=True,
    )
    # when the secretary downloads it
    body = _get(
        client,
        users["secretary_A"],
        f"/reviews/{review_round.pk}/members/{members['duc'].pk}/form.docx",
    ).content
    # then it has the self-review and the level, and no table of points
    text = _open_in_libreoffice({"duc": body}, tmp_path)["duc"]
    assert "BẢN KIỂM ĐIỂM CÁ NHÂN NĂM 2024" in text and "Đỗ Minh Đức" in text
    assert EXCELLENT in text and SECTIONS_2C["remedies"] in text
    assert "Tiêu chí chung" not in text and "Tư tưởng chính trị" not in text
    # the header, the record and the signatures: three tables
    assert len(_tables(body)) == 3


# An organisation's report.


def test_the_organisation_report_holds_the_figures_the_parts_the_points_and_the_decision(
    client, users, report_a, review_round, tree, tmp_path
):
    # given cell A's report, submitted and decided
    # when the commune downloads it
    response = _get(client, users["standing_X"], f"/reviews/{review_round.pk}/orgs/A/form.docx")
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-kiem-diem-A-2025.docx"'
    text = _open_in_libreoffice({"a": response.content}, tmp_path)["a"]
    # then it says what the cell wrote and what the records say
    for expected in (
        "Mẫu 01",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG ỦY TRƯỜNG THPT ĐỒNG VĂN CHI BỘ GIÁO VIÊN",
        "ngày 05 tháng 12 năm 2025",
        "BÁO CÁO KIỂM ĐIỂM TẬP THỂ NĂM 2025",
        *SECTIONS_01.values(),
        "Xây dựng Đảng về chính trị, tư tưởng, đạo đức",
        GOOD,
        "16/12/2025",  # decided on
        "Đảng ủy Trường THPT Đồng Văn",  # the decider
        "T/M CHI BỘ (Ký, ghi rõ họ tên)",
    ):
        assert expected in text, expected
    figures = _table_with(response.content, "4/4 (100%)")
    values = [row[1] for row in figures[1:]]
    # members; regular meetings held and on the set day; quarters with a thematic
    # meeting; attendance; minutes signed on time; tasks done on time
    assert values[:7] == ["2", "2/12 (16,7%)", "2/12 (16,7%)", "0/4 (0%)", "4/4 (100%)"] + [
        "0/2 (0%)",
        "1/2 (50%)",
    ]
    months = _table_with(response.content, "10/2025")
    assert len(months) == 13
    with translation.override(settings.LANGUAGE_CODE):
        held = gettext("Yes")
    assert [row[0] for row in months[1:] if row[1] == held] == ["10/2025", "11/2025"]
    points = _table_with(response.content, "Tiêu chí chung")
    assert points[-1][2:] == ["100", "85"]
    assert _row(points, "Tiêu chí chung")[2:] == ["30", "15"]


def test_a_report_not_written_yet_is_a_blank_form_with_the_figures_drafted(
    client, users, year_a, review_round, tmp_path
):
    response = _get(client, users["secretary_A"], f"/reviews/{review_round.pk}/orgs/A/form.docx")
    text = _open_in_libreoffice({"a": response.content}, tmp_path)["a"]
    assert "BÁO CÁO KIỂM ĐIỂM TẬP THỂ NĂM 2025" in text and documents.BLANK in text
    assert f"☐ {GOOD}" in text
    assert "2/12 (16,7%)" in text and "ngày 01 tháng 12 năm 2025" in text
    assert not OrganisationReview.objects.exists()


# The summary of levels.


def _confirmed(review_round, members=(), orgs=()):
    """Confirmed levels written straight into the rows: the summary only reads them."""
    for member, level in members:
        MemberReview.objects.create(
            round=review_round,
            member=member,
            cell=member.cell,
            form="2C",
            stage=Stage.CONFIRMED,
            level=level,
        )
    for org, level in orgs:
        OrganisationReview.objects.create(
            round=review_round, organisation=org, form="01", stage=Stage.CONFIRMED, level=level
        )


@pytest.fixture
def two_years(review_round, tree, members, users):
    """2025: an excellent, Đức and Hoa well completed, Lan completed; cells A and S well
    completed, B excellent; G well completed. 2024 (a round written directly): an and Đức
    well completed, Hoa completed; cell A completed."""
    m = members
    _confirmed(
        review_round,
        members=[(m["an"], "excellent"), (m["duc"], "good"), (m["hoa"], "good")]
        + [(m["lan"], "completed")],
        orgs=[(tree["A"], "good"), (tree["B"], "excellent"), (tree["S"], "good")]
        + [(tree["G"], "good")],
    )
    earlier = ReviewRound.objects.create(
        organisation=tree["X"],
        year=2024,
        pack_id="reviews-2023",
        opened_on=datetime.date(2024, 12, 1),
        self_review_until=datetime.date(2024, 12, 10),
        proposals_until=datetime.date(2024, 12, 20),
        decisions_until=datetime.date(2024, 12, 31),
        closed_on=datetime.date(2025, 1, 5),
    )
    _confirmed(
        earlier,
        members=[(m["an"], "good"), (m["duc"], "good"), (m["hoa"], "completed")],
        orgs=[(tree["A"], "completed")],
    )
    return earlier


def test_the_summary_counts_each_level_beside_the_year_before(client, users, two_years, tmp_path):
    # when the commune downloads its summary (the latest year by default)
    response = _get(client, users["standing_X"], "/orgs/X/reviews/results.docx")
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua-xep-loai-X-2025.docx"'
    text = _open_in_libreoffice({"x": response.content}, tmp_path)["x"]
    assert "BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI NĂM 2025" in text
    assert "TỈNH ỦY HÀ GIANG ĐẢNG ỦY XÃ ĐỒNG VĂN" in text
    # then members, cells and committees each have a table by level: 2024, then 2025
    members, cells, committees = _tables(response.content)[1:4]
    assert "2024" in members[0][1] and "2025" in members[0][3]
    assert members[1:] == [
        [EXCELLENT, "0", "0%", "1", "25%"],
        [GOOD, "2", "66,7%", "2", "50%"],
        [COMPLETED, "1", "33,3%", "1", "25%"],
        [NOT_COMPLETED, "0", "0%", "0", "0%"],
        [members[5][0], "2", "66,7%", "3", "75%"],  # well completed or better
        [members[6][0], "3", "100%", "4", "100%"],  # total
    ]
    assert _row(cells, EXCELLENT)[1:] == ["0", "0%", "1", "33,3%"]
    assert _row(cells, COMPLETED)[1:] == ["1", "100%", "0", "0%"]
    assert _row(committees, GOOD)[1:] == ["0", "—", "1", "100%"]
    for level in (EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED):
        assert level in text


def test_the_summary_of_another_year_and_of_a_grassroots_committee(client, users, two_years):
    # a year asked for: only the years before it beside it
    body = _get(client, users["standing_X"], "/orgs/X/reviews/results.docx?year=2024").content
    members = _tables(body)[1]
    assert len(members[0]) == 3 and "2024" in members[0][1]
    assert "NĂM 2024" in [p.text for p in Document(BytesIO(body)).paragraphs]
    # G's subtree: its members and its cells; no committee below it
    body = _get(client, users["standing_X"], "/orgs/G/reviews/results.docx").content
    tables = _tables(body)
    assert len(tables) == 4  # header, members, cells, signatures
    assert _row(tables[1], GOOD)[3:] == ["2", "66,7%"]  # Đức and Hoa of an, Đức, Hoa
    # a year without a round is not found
    client.force_login(users["standing_X"])
    assert client.get("/orgs/X/reviews/results.docx?year=2019").status_code == 404
    assert client.get("/orgs/X/reviews/results.docx?year=abc").status_code == 404


# Who may download what.

CELL_A = {"committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
VIEW_A = CELL_A | ABOVE_A

# (path, roles that get the document). Every other role gets 404.
GETS = [
    ("/reviews/{round}/members/{an}/form.docx", VIEW_A),
    ("/reviews/{round}/members/{duc}/form.docx", VIEW_A | {"member_A"}),  # member_A is Đức
    ("/reviews/{round}/members/{duc}/form.docx?form=2B", VIEW_A | {"member_A"}),
    ("/reviews/{round}/members/{hoa}/form.docx", ABOVE_A),
    ("/reviews/{round}/members/{lan}/form.docx", ABOVE_A),
    ("/reviews/{round}/members/{tung}/form.docx", set()),  # outside the round
    ("/reviews/999999/members/{an}/form.docx", set()),
    ("/reviews/{round}/members/999999/form.docx", set()),
    ("/reviews/{round}/orgs/A/form.docx", VIEW_A),
    ("/reviews/{round}/orgs/B/form.docx", ABOVE_A),
    ("/reviews/{round}/orgs/G/form.docx", ABOVE_A),
    ("/reviews/{round}/orgs/S/form.docx", ABOVE_A),
    ("/reviews/{round}/orgs/X/form.docx", set()),  # the round's own committee
    ("/reviews/{round}/orgs/T/form.docx", set()),  # outside the round
    ("/reviews/{round}/orgs/NONE/form.docx", set()),
    ("/orgs/A/reviews/results.docx", VIEW_A),
    ("/orgs/A/reviews/results.docx?year=2025", VIEW_A),
    ("/orgs/X/reviews/results.docx", ABOVE_A),
    ("/orgs/G/reviews/results.docx", ABOVE_A),
    ("/orgs/P/reviews/results.docx", {"admin_P"}),
    ("/orgs/T/reviews/results.docx", {"admin_P"}),
    ("/orgs/P2/reviews/results.docx", set()),
]


@pytest.fixture
def walk(review_round, members, tree, system, users):
    """For the walks: an's self-review submitted and cell A's report saved as a draft."""
    submit_self(system, review_round, members["an"])
    actions.save_report(users["secretary_A"], review_round, tree["A"], sections=SECTIONS_01)
    return {"round": review_round.pk, **{name: m.pk for name, m in members.items()}}


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_each_role_downloads_exactly_its_forms(client, users, walk, role):
    client.force_login(users[role])
    wrong = []
    for template, allowed in GETS:
        response = client.get(template.format(**walk))
        if role in allowed:
            ok = response.status_code == 200 and response["Content-Type"] == DOCX
            ok = ok and response["Content-Disposition"].startswith('attachment; filename="')
        else:
            ok = response.status_code == 404
        if not ok:
            wrong.append(f"{template}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_every_form_is_walked(walk):
    walked = {_name(template.format(**walk)) for template, _allowed in GETS}
    assert walked == PAGES


def _name(path: str) -> str:
    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}"


def test_anonymous_visitors_are_sent_to_log_in(client, walk):
    for template, _allowed in GETS:
        response = client.get(template.format(**walk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_download_names_are_ascii(review_round, members, tree):
    name = documents.member_filename(review_round, members["duc"])
    assert name == f"ban-kiem-diem-2025-{members['duc'].pk}-do-minh-duc.docx"
    assert name.isascii()
