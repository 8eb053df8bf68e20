"""Meeting documents: checked by content, released to members, openings remembered."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chibo.meetings import actions
from chibo.meetings.models import Material, MaterialOpening
from chibo.meetings.tests.test_pages import meeting  # noqa: F401 - the fixture

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_document_is_seen_by_members_only_once_released(client, users, meeting):  # noqa: F811
    client.force_login(users["secretary_A"])
    client.post(
        f"/meetings/{meeting.pk}/materials/",
        {
            "material-title": "Dự thảo nghị quyết tháng 12",
            "material-file": SimpleUploadedFile("du-thao.pdf", PDF, "application/pdf"),
        },
    )
    material = Material.objects.get()
    assert material.content_type == "application/pdf"
    client.force_login(users["member_A"])
    url = f"/meetings/{meeting.pk}/materials/{material.pk}/"
    assert client.get(url).status_code == 403
    assert "Dự thảo nghị quyết" not in client.get(f"/meetings/{meeting.pk}/").content.decode()
    client.force_login(users["secretary_A"])
    client.post(f"/meetings/{meeting.pk}/materials/release/")
    client.force_login(users["member_A"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.get(url)
    assert MaterialOpening.objects.filter(material=material).count() == 1
    client.force_login(users["secretary_A"])
    assert "mở: 1" in client.get(f"/meetings/{meeting.pk}/").content.decode()


def test_a_file_is_judged_by_its_content_not_its_name(users, meeting):  # noqa: F811
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(Exception) as exc:
        actions.upload_material(users["secretary_A"], meeting, "Giả", fake)
    assert "file" in exc.value.message_dict
    assert not Material.objects.exists()
    word = SimpleUploadedFile("ke-hoach.docx", docx_bytes())
    assert actions.upload_material(users["secretary_A"], meeting, "", word).content_type == (
        actions.DOCX
    )


def test_a_file_too_large_is_refused(users, meeting, monkeypatch):  # noqa: F811
    monkeypatch.setattr(actions, "MAX_MATERIAL_BYTES", 10)
    with pytest.raises(Exception) as exc:
        actions.upload_material(
            users["secretary_A"], meeting, "Lớn", SimpleUploadedFile("a.pdf", PDF)
        )
    assert "MB" in exc.value.message_dict["file"][0]
    assert not Material.objects.exists()


def test_only_those_who_run_the_meeting_attach_documents(client, users, meeting):  # noqa: F811
    client.force_login(users["member_A"])
    response = client.post(
        f"/meetings/{meeting.pk}/materials/", {"material-file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 403
    assert not Material.objects.exists()


def test_moving_a_meeting_needs_a_reason_and_a_fresh_version(client, users, meeting):  # noqa: F811
    meeting.refresh_from_db()
    client.force_login(users["secretary_A"])
    data = {
        "scheduled_at": "2026-12-05T08:00",
        "place": "Hội trường thôn",
        "topic": "",
        "moved_reason": "",
        "version": meeting.version,
    }
    response = client.post(f"/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 200  # the form comes back: no reason given
    data["moved_reason"] = "Trùng ngày bầu cử"
    assert client.post(f"/meetings/{meeting.pk}/edit/", data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.moved_reason == "Trùng ngày bầu cử"
    # The same old form again: someone saved in between, so it is refused.
    data["place"] = "Nhà văn hóa"
    client.post(f"/meetings/{meeting.pk}/edit/", data)
    meeting.refresh_from_db()
    assert meeting.place == "Hội trường thôn"
