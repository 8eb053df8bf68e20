"""The minutes: generated from the record, signed by the chair and the minute-taker, frozen,
chained per cell, corrected only by signed addenda, and exported as PDF and DOCX."""

import datetime
import hashlib
import io
import json
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from chibo.accounts.models import Role, RoleKind, User
from chibo.conflicts import StaleVersion
from chibo.meetings import actions, documents, minutes
from chibo.meetings.models import (
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    Opinion,
    Signature,
    Task,
)
from chibo.meetings.tests import test_actions as story

# The meeting story's fixtures and helpers: cell A with its members, its secretary, a held
# meeting and the steps that close it.
cell_a, secretary = story.cell_a, story.secretary
_held, _finish, regular = story._held, story._finish, story.regular

CHAIR_PASSWORD = "pw-secretary_A-123"
TAKER_PASSWORD = "pw-member_A-123"
MAKE_BROWSER = "run `make system-packages` (apt-get install poppler-utils libreoffice-writer-nogui)"


@pytest.fixture
def chair(users, members):
    """The secretary's account, linked to Nguyễn Văn An, who chairs the meetings here."""
    user = users["secretary_A"]
    user.member = members["an"]
    user.save()
    return user


@pytest.fixture
def taker(users):
    """A member's account, linked to Đỗ Minh Đức, the minute-taker (no other role)."""
    return users["member_A"]


def _record(secretary, meeting, official, members):
    """Record what a real meeting has: a late member, an excused absence, a guest who follows
    the cell for the higher committee, a speaker and an opinion sent before."""
    probationary = meeting.attendance.get(was_official=False).member
    actions.set_attendance(
        secretary, meeting, probationary, AttendanceStatus.ABSENT_EXCUSED, "Ốm, nằm viện"
    )
    actions.set_attendance(secretary, meeting, official[1], AttendanceStatus.LATE)
    actions.add_guest(
        secretary, meeting, "Vàng Seo Lử", "Đảng ủy viên xã Đồng Văn", is_follower=True
    )
    item = meeting.agenda.order_by("position").last()
    actions.post_opinion(
        secretary,
        meeting,
        "Đề nghị tăng cường kiểm tra việc thực hiện nghị quyết",
        member=members["an"],
        agenda_item=item,
    )
    Opinion.objects.create(
        meeting=meeting, member=official[2], text="Xin góp ý về quỹ khuyến học", prepared=True
    )


def _closed(secretary, cell_a, members):
    """The December meeting, held and closed, with its minutes written."""
    meeting, official = _held(secretary, cell_a, members, present=6)
    _record(secretary, meeting, official, members)
    _finish(secretary, meeting, official, members)
    minutes.edit_minutes(
        secretary,
        meeting,
        version=0,
        opening="Đồng chí Bí thư nêu mục đích, yêu cầu của buổi sinh hoạt.",
        summary="Chi bộ thảo luận sôi nổi, thống nhất các nhiệm vụ tháng tới.",
        conclusion="Chi bộ thống nhất thông qua nghị quyết tháng 12.",
    )
    return Meeting.objects.get(pk=meeting.pk)


def _next_closed(secretary, cell_a, members, day):
    """A later regular meeting that reviews the earlier tasks, closed, minutes written."""
    meeting = regular(secretary, cell_a, day)
    actions.send_notice(secretary, meeting)
    actions.start_meeting(secretary, meeting, chair=members["an"], minute_taker=members["duc"])
    for row in meeting.attendance.select_related("member"):
        if row.status == AttendanceStatus.EXPECTED:
            actions.check_in(secretary, meeting, row.member)
    for task in actions.open_tasks_before(meeting):
        actions.review_task(secretary, meeting, task, Task.Status.DONE, "Đã xong")
    actions.post_opinion(secretary, meeting, "Nhất trí", member=members["duc"])
    actions.record_vote(secretary, meeting, subject="Nghị quyết", agree=6, disagree=0, abstain=0)
    actions.add_task(
        secretary,
        meeting,
        title="Chuẩn bị sinh hoạt chuyên đề",
        due_on=day + datetime.timedelta(days=28),
        assignees=[members["duc"]],
    )
    actions.close_meeting(secretary, meeting)
    minutes.edit_minutes(secretary, meeting, summary="Tóm tắt", conclusion="Kết luận")
    return Meeting.objects.get(pk=meeting.pk)


def _sign(meeting, chair, taker):
    minutes.sign_minutes(chair, meeting, "chair", CHAIR_PASSWORD)
    minutes.sign_minutes(taker, meeting, "minute_taker", TAKER_PASSWORD)
    return Minutes.objects.get(meeting=meeting)


def test_the_content_comes_from_the_record(secretary, cell_a, members):
    meeting = _closed(secretary, cell_a, members)
    content = minutes.minutes_content(meeting)
    # Only plain JSON: what is stored is what is hashed.
    assert json.loads(json.dumps(content)) == content
    header = content["header"]
    assert header["cell"] == "Chi bộ Giáo viên"
    assert header["superior"] == "Đảng ủy Trường THPT Đồng Văn"
    assert header["party"] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert re.search(r"(?i)ngày \d\d tháng \d\d năm \d{4}$", header["date_line"])
    assert re.fullmatch(r"\d\d giờ \d\d", content["time"]["start"])
    assert content["chair"]["name"] == "Nguyễn Văn An"
    assert content["minute_taker"]["name"] == "Đỗ Minh Đức"
    assert content["guests"] == [
        {"name": "Vàng Seo Lử", "title": "Đảng ủy viên xã Đồng Văn", "follower": True}
    ]
    # Eight invited: six official, one probationary, one exempted; the exempted one is not
    # counted in the total.
    attendance = content["attendance"]
    assert (attendance["present"], attendance["total"]) == (6, 7)
    assert attendance["absent"] == [
        {"name": "Lò Văn Dự Bị", "excused": True, "reason": "Ốm, nằm viện"}
    ]
    assert attendance["exempted"] == ["Cụ Ông Miễn"]
    assert len(attendance["late"]) == 1
    speakers = [s for item in content["agenda"] for s in item["speakers"]]
    assert speakers == [
        {"name": "Nguyễn Văn An", "text": "Đề nghị tăng cường kiểm tra việc thực hiện nghị quyết"}
    ]
    assert [o["text"] for o in content["prepared_opinions"]] == ["Xin góp ý về quỹ khuyến học"]
    (vote,) = content["votes"]
    assert re.fullmatch(r"5/6 tán thành \(83,3%\)", vote["summary"])
    assert vote["passed"] is True and vote["rule"]
    (task,) = content["tasks"]
    assert task == {
        "title": "Vận động đóng góp quỹ khuyến học",
        "deliverable": "",
        "due_on": "2026-12-31",
        "assignees": [task["assignees"][0]],
    }
    assert content["score"] == {"scored": False, "text": "chưa chấm"}
    assert content["summary"].startswith("Chi bộ thảo luận")
    assert isinstance(content["duration_minutes"], int)


def test_signing_is_refused_while_something_is_missing(secretary, cell_a, members, chair, taker):
    meeting, official = _held(secretary, cell_a, members, present=6)
    missing = minutes.missing_to_sign(meeting)
    # Not closed, no vote, no speaker, no summary, no conclusion, and the probationary
    # member's attendance is not recorded.
    assert len(missing) == 6
    assert any("Lò Văn Dự Bị" in m for m in missing)
    with pytest.raises(ValidationError) as exc:
        minutes.sign_minutes(chair, meeting, "chair", CHAIR_PASSWORD)
    assert exc.value.messages == missing
    _record(secretary, meeting, official, members)
    _finish(secretary, meeting, official, members)
    meeting.refresh_from_db()
    # Closed, but the narrative is not written yet.
    assert len(minutes.missing_to_sign(meeting)) == 2
    minutes.edit_minutes(secretary, meeting, summary="Tóm tắt", conclusion="")
    with pytest.raises(ValidationError) as exc:
        minutes.sign_minutes(chair, meeting, "chair", CHAIR_PASSWORD)
    assert exc.value.messages == minutes.missing_to_sign(meeting)
    assert len(exc.value.messages) == 1
    assert not Signature.objects.exists()


def test_only_the_chair_and_the_minute_taker_sign_with_their_own_password(
    secretary, cell_a, members, chair, taker, users
):
    meeting = _closed(secretary, cell_a, members)
    # The minute-taker cannot sign as the chair, nor someone else as the minute-taker.
    with pytest.raises(PermissionDenied):
        minutes.sign_minutes(taker, meeting, "chair", TAKER_PASSWORD)
    for name in ("committee_A", "stranger", "standing_X"):
        with pytest.raises(PermissionDenied):
            minutes.sign_minutes(users[name], meeting, "minute_taker", f"pw-{name}-123")
    with pytest.raises(ValidationError) as exc:
        minutes.sign_minutes(chair, meeting, "chair", "not-the-password")
    assert "password" in exc.value.message_dict
    with pytest.raises(ValidationError):
        minutes.sign_minutes(chair, meeting, "chair", "")
    with pytest.raises(ValidationError):
        minutes.sign_minutes(chair, meeting, "secretary", CHAIR_PASSWORD)
    assert not Signature.objects.exists()
    minutes.sign_minutes(chair, meeting, "chair", CHAIR_PASSWORD)
    with pytest.raises(ValidationError):
        minutes.sign_minutes(chair, meeting, "chair", CHAIR_PASSWORD)
    row = Minutes.objects.get(meeting=meeting)
    assert not row.is_signed and row.signatures.count() == 1
    state = minutes.signing_state(meeting, taker)
    assert state["can_sign_as"] == ["minute_taker"] and "chair" in state["signatures"]


def test_two_signatures_freeze_the_minutes_and_chain_them(secretary, cell_a, members, chair, taker):
    first_meeting = _closed(secretary, cell_a, members)
    version = first_meeting.version
    first = _sign(first_meeting, chair, taker)
    first_meeting.refresh_from_db()
    assert first.is_signed and first_meeting.status == MeetingStatus.SIGNED
    assert first_meeting.version > version
    assert first.previous_hash == ""
    assert [s["role"] for s in first.content["signatures"]] == ["chair", "minute_taker"]
    assert first.content["summary"].startswith("Chi bộ thảo luận")
    # The hash is the SHA-256 of the canonical JSON of the content and the previous hash.
    canonical = json.dumps(
        {"content": first.content, "previous_hash": ""},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert first.content_hash == hashlib.sha256(canonical.encode()).hexdigest()

    second_meeting = _next_closed(secretary, cell_a, members, datetime.date(2027, 1, 3))
    reviewed = minutes.minutes_content(second_meeting)["reviewed_tasks"]
    assert [(t["title"], t["status"]) for t in reviewed] == [
        ("Vận động đóng góp quỹ khuyến học", "done")
    ]
    second = _sign(second_meeting, chair, taker)
    assert second.previous_hash == first.content_hash
    assert second.signed_at > first.signed_at
    assert minutes.verify_chain() == []


def test_the_chain_keeps_its_order_when_two_signings_share_a_clock_tick(
    secretary, cell_a, members, chair, taker, monkeypatch
):
    first = _sign(_closed(secretary, cell_a, members), chair, taker)
    second_meeting = _next_closed(secretary, cell_a, members, datetime.date(2027, 1, 3))
    monkeypatch.setattr(minutes.timezone, "now", lambda: first.signed_at)
    second = _sign(second_meeting, chair, taker)
    assert second.signed_at > first.signed_at
    assert second.previous_hash == first.content_hash
    assert minutes.verify_chain() == []
    # Moving a signing time behind the application's back reorders the chain: found.
    Minutes.objects.filter(pk=first.pk).update(signed_at=second.signed_at)
    assert {p.kind for p in minutes.verify_chain()} >= {"signed_at"}


def test_signed_minutes_cannot_be_edited(secretary, cell_a, members, chair, taker):
    meeting = _closed(secretary, cell_a, members)
    signed = _sign(meeting, chair, taker)
    for actor in (secretary, taker):
        with pytest.raises(ValidationError):
            minutes.edit_minutes(actor, meeting, summary="Sửa sau khi ký")
    with pytest.raises(ValidationError):
        minutes.edit_minutes(secretary, meeting, version=signed.version, conclusion="Khác")
    after = Minutes.objects.get(pk=signed.pk)
    assert (after.summary, after.content, after.content_hash, after.version) == (
        signed.summary,
        signed.content,
        signed.content_hash,
        signed.version,
    )


def test_edits_are_checked_against_the_version_and_withdraw_a_lone_signature(
    secretary, cell_a, members, chair, taker, users
):
    meeting = _closed(secretary, cell_a, members)
    version = minutes.minutes_version(meeting)
    # The minute-taker writes too; someone who only reads the cell's meetings does not.
    minutes.edit_minutes(taker, meeting, version=version, summary="Bản của thư ký")
    with pytest.raises(StaleVersion):
        minutes.edit_minutes(secretary, meeting, version=version, summary="Bản cũ")
    with pytest.raises(PermissionDenied):
        minutes.edit_minutes(users["inspection_X"], meeting, summary="Không được")
    with pytest.raises(ValidationError):
        minutes.edit_minutes(secretary, meeting, content={"x": 1})
    minutes.sign_minutes(chair, meeting, "chair", CHAIR_PASSWORD)
    minutes.edit_minutes(taker, meeting, summary="Bản cuối cùng")
    # The chair signed another text: the signature is withdrawn and must be given again.
    assert not Signature.objects.exists()
    signed = _sign(meeting, chair, taker)
    assert signed.content["summary"] == "Bản cuối cùng"


def test_a_change_in_the_database_is_found(secretary, cell_a, members, chair, taker):
    first = _sign(_closed(secretary, cell_a, members), chair, taker)
    second = _sign(
        _next_closed(secretary, cell_a, members, datetime.date(2027, 1, 3)), chair, taker
    )
    out = io.StringIO()
    call_command("minutes", "verify", stdout=out)
    assert "2" in out.getvalue()

    tampered = dict(first.content)
    tampered["conclusion"] = "Chi bộ không thông qua nghị quyết."
    Minutes.objects.filter(pk=first.pk).update(content=tampered)
    problems = minutes.verify_chain()
    assert {p.meeting_id for p in problems} == {first.meeting_id}
    assert "content" in {p.kind for p in problems}
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("minutes", "verify", stdout=out)
    assert f"{first.meeting_id} (A, " in str(exc.value)
    assert f"{first.meeting_id} (A, " in out.getvalue()
    # Another subtree is not concerned.
    call_command("minutes", "verify", "--org", "B", stdout=io.StringIO())

    # Rewriting the hash as well breaks the next minutes' link and the audit's record.
    Minutes.objects.filter(pk=first.pk).update(
        content_hash=minutes.content_hash(tampered, first.previous_hash)
    )
    kinds = {(p.meeting_id, p.kind) for p in minutes.verify_chain()}
    assert (first.meeting_id, "audit") in kinds
    assert (second.meeting_id, "link") in kinds
    with pytest.raises(CommandError):
        call_command("minutes", "verify", "--org", "A", stdout=io.StringIO())


def test_a_signed_addendum_corrects_without_changing_the_minutes(
    secretary, cell_a, members, chair, taker, users
):
    meeting = _closed(secretary, cell_a, members)
    with pytest.raises(ValidationError):
        minutes.add_addendum(secretary, meeting, "Chưa ký thì sửa bản nháp")
    signed = _sign(meeting, chair, taker)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        minutes.add_addendum(secretary, meeting, "   ")
    with pytest.raises(PermissionDenied):
        minutes.add_addendum(users["stranger"], meeting, "Không được")
    addendum = minutes.add_addendum(
        secretary, meeting, "Đính chính: đồng chí Hà Văn Hai đến muộn 10 phút."
    )
    with pytest.raises(PermissionDenied):
        minutes.sign_addendum(taker, addendum, "chair", TAKER_PASSWORD)
    with pytest.raises(ValidationError):
        minutes.sign_addendum(chair, addendum, "chair", "wrong")
    minutes.sign_addendum(chair, addendum, "chair", CHAIR_PASSWORD)
    addendum.refresh_from_db()
    assert addendum.signed_at is None and not addendum.content_hash
    minutes.sign_addendum(taker, addendum, "minute_taker", TAKER_PASSWORD)
    addendum.refresh_from_db()
    assert addendum.signed_at is not None
    assert addendum.content_hash == minutes.addendum_hash(addendum.text, signed.content_hash)
    after = Minutes.objects.get(pk=signed.pk)
    assert (after.content, after.content_hash) == (signed.content, signed.content_hash)
    assert minutes.verify_chain() == []
    assert minutes.document_content(meeting)["addenda"][0]["text"].startswith("Đính chính")

    type(addendum).objects.filter(pk=addendum.pk).update(text="Đính chính khác")
    (problem,) = minutes.verify_chain()
    assert (problem.meeting_id, problem.kind) == (meeting.pk, "addendum")


def test_each_cell_has_its_own_chain(secretary, cell_a, members, chair, taker, tree, system):
    _sign(_closed(secretary, cell_a, members), chair, taker)
    # Cell B: one member, who chairs and takes the minutes.
    hoa = members["hoa"]
    user = User.objects.create_user("hoa", password="pw-hoa-123")
    user.member = hoa
    user.save()
    Role.objects.create(user=user, organisation=tree["B"], kind=RoleKind.MEMBER)
    meeting = regular(system, tree["B"])
    actions.send_notice(system, meeting)
    actions.start_meeting(system, meeting, chair=hoa, minute_taker=hoa)
    actions.check_in(system, meeting, hoa)
    actions.post_opinion(system, meeting, "Nhất trí", member=hoa)
    actions.record_vote(system, meeting, subject="Nghị quyết", agree=1, disagree=0, abstain=0)
    actions.add_task(
        system, meeting, title="Việc tháng 12", due_on=datetime.date(2026, 12, 20), assignees=[hoa]
    )
    actions.close_meeting(system, meeting)
    minutes.edit_minutes(user, meeting, summary="Tóm tắt", conclusion="Kết luận")
    minutes.sign_minutes(user, meeting, "chair", "pw-hoa-123")
    minutes.sign_minutes(user, meeting, "minute_taker", "pw-hoa-123")
    signed = Minutes.objects.get(meeting=meeting)
    assert signed.is_signed and signed.previous_hash == ""
    assert minutes.verify_chain() == []
    assert minutes.signed_minutes(tree["B"]).count() == 1
    assert minutes.signed_minutes(tree["G"]).count() == 2


def _pdftotext(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail(f"pdftotext is missing: {MAKE_BROWSER}")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return " ".join(done.stdout.decode("utf-8").split())


def _pdf_bytes(meeting) -> bytes:
    try:
        return documents.minutes_pdf(meeting)
    except (ImportError, OSError) as exc:  # WeasyPrint without Pango
        pytest.fail(f"WeasyPrint cannot run ({exc}): {MAKE_BROWSER}")


def test_the_pdf_keeps_the_vietnamese_text(secretary, cell_a, members, chair, taker, tmp_path):
    meeting = _closed(secretary, cell_a, members)
    draft = tmp_path / "draft.pdf"
    draft.write_bytes(_pdf_bytes(meeting))
    assert draft.read_bytes().startswith(b"%PDF")
    text = _pdftotext(draft)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "CHI BỘ GIÁO VIÊN",
        "BIÊN BẢN",
        "Biên bản chưa được ký",
        "BẢN NHÁP",
        "Nguyễn Văn An",
        "Đỗ Minh Đức",
        "5/6 tán thành (83,3%)",
        "Lò Văn Dự Bị: vắng có lý do (Ốm, nằm viện)",
        "cấp ủy viên cấp trên phụ trách chi bộ",
        "Đề nghị tăng cường kiểm tra",
        "chưa chấm",
    ):
        assert expected in text, expected
    assert re.search(r"\d\d/\d\d/\d{4}", text)

    _sign(meeting, chair, taker)
    signed = tmp_path / "signed.pdf"
    call_command(
        "minutes",
        "export",
        "--meeting",
        str(meeting.pk),
        "--format",
        "pdf",
        "--output",
        str(signed),
        stdout=io.StringIO(),
    )
    text = _pdftotext(signed)
    assert "BẢN NHÁP" not in text
    assert text.count("Đã ký lúc") == 2
    assert Minutes.objects.get(meeting=meeting).content_hash in text.replace(" ", "")


def test_the_docx_opens_in_libreoffice(secretary, cell_a, members, tmp_path):
    meeting = _closed(secretary, cell_a, members)
    source = tmp_path / "bien-ban.docx"
    call_command(
        "minutes",
        "export",
        "--meeting",
        str(meeting.pk),
        "--format",
        "docx",
        "--output",
        str(source),
        stdout=io.StringIO(),
    )
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail(f"LibreOffice (soffice) is missing: {MAKE_BROWSER}")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    text = _pdftotext(tmp_path / "bien-ban.pdf")
    for expected in ("BIÊN BẢN", "BẢN NHÁP", "Nguyễn Văn An", "5/6 tán thành (83,3%)", "Thư ký"):
        assert expected in text, expected


def test_the_export_command_says_what_is_wrong(secretary, cell_a, members, tmp_path):
    meeting = _closed(secretary, cell_a, members)
    out = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="999999"):
        call_command("minutes", "export", "--meeting", "999999", "--format", "pdf", "--output", out)
    with pytest.raises(CommandError, match="odt"):
        call_command(
            "minutes", "export", "--meeting", str(meeting.pk), "--format", "odt", "--output", out
        )
    with pytest.raises(CommandError):
        call_command("minutes", "verify", "--org", "NO-SUCH-CODE")
    assert documents.filename(meeting, "pdf").startswith("bien-ban-A-")
