"""The minutes as documents: PDF (WeasyPrint) and DOCX (python-docx), in the official layout.

Both are drawn from one description of the document (`minutes_document`), itself built from
the minutes' content: the frozen content once the minutes are signed, the content generated
from the record before (then marked BẢN NHÁP, draft). So the page, the PDF and the DOCX
always say the same thing. The minutes are a Vietnamese administrative document: their
wording is Vietnamese whatever the reader's language, dates are dd/mm/yyyy, and the DOCX
uses Times New Roman (the PDF Noto Serif or DejaVu Serif, which Debian ships).
"""

import datetime
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from chibo.meetings.minutes import document_content, held_on
from chibo.meetings.models import Kind, Meeting

DOCX_FONT = "Times New Roman"
DOCX_SIZE = 13  # points; Vietnamese administrative documents use 13 to 14

# The official wording (Vietnamese); one place for both renderers.
TITLES = {
    Kind.REGULAR: "SINH HOẠT CHI BỘ THƯỜNG KỲ",
    Kind.THEMATIC: "SINH HOẠT CHUYÊN ĐỀ",
    Kind.REGULAR_THEMATIC: "SINH HOẠT CHI BỘ THƯỜNG KỲ KẾT HỢP CHUYÊN ĐỀ",
    Kind.EXTRAORDINARY: "SINH HOẠT CHI BỘ BẤT THƯỜNG",
    Kind.COMMITTEE: "HỌP CHI ỦY",
}
CHOICES = {"agree": "tán thành", "disagree": "không tán thành", "abstain": "không biểu quyết"}
DRAFT = "BẢN NHÁP"
DRAFT_NOTE = "Biên bản chưa được ký, chưa có giá trị chính thức."
NONE = "Không có"


@dataclass
class Block:
    """One line of the body: heading (I., II.), subheading, field (label: text), para,
    bullet, or label (a line in bold that introduces bullets)."""

    kind: str
    text: str = ""
    label: str = ""


@dataclass
class SignatureBox:
    role: str
    name: str
    status: str  # "Đã ký lúc …" or "(Ký, ghi rõ họ tên)"
    signed: bool


@dataclass
class AddendumDoc:
    title: str
    text: str
    signatures: list[SignatureBox]
    footnote: str


@dataclass
class MinutesDocument:
    draft: bool
    superior: str
    cell: str
    party: str
    date_line: str
    title: str
    subtitle: str
    topic: str
    blocks: list[Block]
    closing: str
    signatures: list[SignatureBox]
    addenda: list[AddendumDoc] = field(default_factory=list)
    footnote: str = ""
    document_title: str = ""


def iso_date(iso: str | None) -> str:
    """Return an ISO date (or date and time) as dd/mm/yyyy."""
    if not iso:
        return ""
    return datetime.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")


def _moment(iso: str | None) -> str:
    """Return an ISO date and time as "10 giờ 05, ngày 03/12/2026" (local time as stored)."""
    if not iso:
        return ""
    moment = datetime.datetime.fromisoformat(iso)
    return f"{moment:%H} giờ {moment:%M}, ngày {moment:%d/%m/%Y}"


def _comrade(person: dict | None) -> str:
    if not person:
        return "Chưa phân công"
    text = f"Đồng chí {person['name']}"
    return f"{text}, {person['position']}" if person.get("position") else text


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else NONE


def _subtitle(c: dict) -> str:
    meeting = c["meeting"]
    title = TITLES.get(meeting["kind"], meeting.get("kind_label", "").upper())
    if meeting["kind"] in (Kind.REGULAR, Kind.REGULAR_THEMATIC):
        month = datetime.date.fromisoformat(meeting["period"] or meeting["date"])
        title += f" THÁNG {month:%m} NĂM {month.year}"
    return title


def _part_one(c: dict) -> list[Block]:
    time, attendance = c["time"], c["attendance"]
    day = iso_date(c["meeting"]["date"])
    start = (
        f"Bắt đầu lúc {time['start']}, ngày {day}"
        if time["start"]
        else f"Dự kiến ngày {iso_date(c['meeting']['scheduled_at'])}"
    )
    blocks = [
        Block("heading", "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN"),
        Block("field", start, "Thời gian"),
        Block("field", c["place"] or NONE, "Địa điểm"),
        Block("field", _comrade(c["chair"]), "Chủ trì"),
        Block("field", _comrade(c["minute_taker"]), "Thư ký"),
    ]
    if c["guests"]:
        blocks.append(Block("label", "Khách mời:"))
        for g in c["guests"]:
            text = f"Đồng chí {g['name']}" + (f", {g['title']}" if g["title"] else "")
            if g["follower"]:
                text += " (cấp ủy viên cấp trên phụ trách chi bộ)"
            blocks.append(Block("bullet", text))
    else:
        blocks.append(Block("field", NONE, "Khách mời"))
    exempted = len(attendance["exempted"])
    present = (
        f"{attendance['present']}/{attendance['total']} đồng chí "
        f"(tổng số đảng viên phải dự sinh hoạt, không kể {exempted} đồng chí được miễn)"
    )
    blocks.append(Block("field", present, "Đảng viên có mặt"))
    absent = attendance["absent"]
    if absent:
        blocks.append(Block("label", f"Vắng mặt: {len(absent)} đồng chí"))
        for a in absent:
            if a["excused"] is None:
                why = "chưa ghi nhận"
            else:
                why = "vắng có lý do" if a["excused"] else "vắng không có lý do"
                if a["reason"]:
                    why += f" ({a['reason']})"
            blocks.append(Block("bullet", f"Đồng chí {a['name']}: {why}"))
    else:
        blocks.append(Block("field", NONE, "Vắng mặt"))
    blocks.append(Block("field", _names(attendance["exempted"]), "Miễn sinh hoạt"))
    blocks.append(Block("field", _names(attendance["late"]), "Đến muộn"))
    if attendance.get("temporary"):
        blocks.append(Block("field", _names(attendance["temporary"]), "Sinh hoạt tạm thời"))
    return blocks


def _speakers(blocks: list[Block], speakers: list[dict]) -> None:
    for s in speakers:
        blocks.append(Block("bullet", f"Đồng chí {s['name']}: {s['text']}"))


def _part_two(c: dict) -> list[Block]:
    blocks = [Block("heading", "II. NỘI DUNG")]
    if c["opening"]:
        blocks += [Block("subheading", "Phần mở đầu"), Block("para", c["opening"])]
    if c["reviewed_tasks"]:
        blocks.append(Block("subheading", "Kiểm điểm nhiệm vụ của nghị quyết kỳ trước"))
        for t in c["reviewed_tasks"]:
            text = (
                f"{t['title']} (hạn {iso_date(t['due_on'])}; "
                f"thực hiện: {_names(t['assignees'])}): {t['status_label']}"
            )
            if t["note"]:
                text += f". {t['note']}"
            blocks.append(Block("bullet", text))
    for item in c["agenda"]:
        blocks.append(Block("subheading", f"{item['position']}. {item['title']}"))
        if item["notes"]:
            blocks.append(Block("para", item["notes"]))
        if item["speakers"]:
            blocks.append(Block("label", "Ý kiến phát biểu:"))
            _speakers(blocks, item["speakers"])
        if item["conclusion"]:
            blocks.append(Block("field", item["conclusion"], "Kết luận"))
    if c["other_speakers"]:
        blocks.append(Block("subheading", "Ý kiến phát biểu khác"))
        _speakers(blocks, c["other_speakers"])
    if c["prepared_opinions"]:
        blocks.append(Block("subheading", "Ý kiến gửi trước"))
        for o in c["prepared_opinions"]:
            about = f" (về: {o['item']})" if o["item"] else ""
            blocks.append(Block("bullet", f"Đồng chí {o['name']}{about}: {o['text']}"))
    blocks.append(Block("subheading", "Tóm tắt thảo luận"))
    blocks.append(Block("para", c["summary"] or "Chưa ghi."))
    return blocks


def _vote_text(v: dict) -> str:
    others = f"không tán thành {v['disagree']}, không biểu quyết {v['abstain']}"
    result = "Thông qua" if v["passed"] else "Không thông qua"
    text = f"{v['subject']}: {v['summary']}; {others}. {result} (căn cứ: {v['rule']})."
    if v.get("ballots"):
        names = ", ".join(
            f"{b['name']} ({CHOICES.get(b['choice'], b['choice'])})" for b in v["ballots"]
        )
        text += f" Biểu quyết đích danh: {names}."
    return text


def _part_three(c: dict) -> list[Block]:
    blocks = [
        Block("heading", "III. KẾT LUẬN, BIỂU QUYẾT VÀ NHIỆM VỤ"),
        Block("subheading", "Kết luận của chủ trì"),
        Block("para", c["conclusion"] or "Chưa ghi."),
        Block("subheading", "Kết quả biểu quyết"),
    ]
    if c["votes"]:
        blocks += [Block("bullet", _vote_text(v)) for v in c["votes"]]
    else:
        blocks.append(Block("para", "Không có biểu quyết."))
    blocks.append(Block("subheading", "Nhiệm vụ giao"))
    for t in c["tasks"]:
        text = f"{t['title']}; thực hiện: {_names(t['assignees'])}; hạn: {iso_date(t['due_on'])}"
        if t["deliverable"]:
            text += f"; sản phẩm: {t['deliverable']}"
        blocks.append(Block("bullet", text))
    if not c["tasks"]:
        blocks.append(Block("para", "Không giao nhiệm vụ."))
    return blocks


def _part_four(c: dict) -> list[Block]:
    minutes = c["duration_minutes"]
    return [
        Block("heading", "IV. THỜI LƯỢNG VÀ CHẤT LƯỢNG SINH HOẠT"),
        Block("field", f"{minutes} phút" if minutes is not None else "chưa kết thúc", "Thời lượng"),
        Block("field", c["score"]["text"], "Chất lượng sinh hoạt"),
    ]


def _boxes(signatures: list[dict], c: dict) -> list[SignatureBox]:
    """The two signature boxes: the minute-taker on the left, the chair on the right."""
    signed = {s["role"]: s for s in signatures}
    boxes = []
    for role, label, person in (
        ("minute_taker", "THƯ KÝ", c["minute_taker"]),
        ("chair", "CHỦ TRÌ", c["chair"]),
    ):
        s = signed.get(role)
        name = s["name"] if s else (person or {}).get("name", "")
        status = f"Đã ký lúc {_moment(s['signed_at'])}" if s else "(Ký, ghi rõ họ tên)"
        boxes.append(SignatureBox(label, name, status, s is not None))
    return boxes


def minutes_document(meeting: Meeting) -> MinutesDocument:
    """Return the description of the minutes' document that both renderers draw."""
    c = document_content(meeting)
    header = c["header"]
    end = c["time"]["end"]
    closing = f"Buổi sinh hoạt kết thúc lúc {end} cùng ngày." if end else ""
    doc = MinutesDocument(
        draft=not c["signed"],
        superior=header["superior"].upper(),
        cell=header["cell"].upper(),
        party=header["party"],
        date_line=header["date_line"],
        title="BIÊN BẢN",
        subtitle=_subtitle(c),
        topic=f"Chuyên đề: {c['meeting']['topic']}" if c["meeting"]["topic"] else "",
        blocks=_part_one(c) + _part_two(c) + _part_three(c) + _part_four(c),
        closing=closing,
        signatures=_boxes(c.get("signatures") or [], c),
        document_title=f"Biên bản {c['meeting']['kind_label'].lower()} "
        f"ngày {iso_date(c['meeting']['date'])} — {header['cell']}",
    )
    if c["signed"]:
        doc.footnote = (
            f"Biên bản đã ký ngày {iso_date(c['signed_at'])}. "
            f"Mã kiểm tra (SHA-256): {c['content_hash']}"
        )
    for a in c["addenda"]:
        doc.addenda.append(
            AddendumDoc(
                title=f"BIÊN BẢN BỔ SUNG SỐ {a['number']}",
                text=a["text"],
                signatures=_boxes(a["signatures"], c),
                footnote=f"Mã kiểm tra (SHA-256): {a['content_hash']}"
                if a["signed_at"]
                else "Bản bổ sung chưa đủ chữ ký.",
            )
        )
    return doc


def filename(meeting: Meeting, extension: str) -> str:
    """Return the download name: bien-ban-<cell code>-<yyyy-mm-dd>.<extension>."""
    return f"bien-ban-{meeting.organisation.code}-{held_on(meeting):%Y-%m-%d}.{extension}"


# HTML and PDF.


def minutes_html(meeting: Meeting) -> str:
    """Return the minutes as the HTML page that WeasyPrint prints (A4, inline CSS)."""
    return render_to_string("meetings/minutes_document.html", {"doc": minutes_document(meeting)})


def minutes_pdf(meeting: Meeting) -> bytes:
    """Return the minutes as PDF (WeasyPrint; needs Pango and the Noto or DejaVu fonts)."""
    # Imported here: WeasyPrint loads Pango when imported, which pages never need.
    from weasyprint import HTML

    return HTML(string=minutes_html(meeting)).write_pdf()


# DOCX.


def set_fonts(element, size: int | None = None, bold: bool | None = None) -> None:
    """Set Times New Roman on a style's or a run's properties, for every script, and drop
    the theme fonts that would override it."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    element.font.name = DOCX_FONT
    if size:
        element.font.size = Pt(size)
    if bold is not None:
        element.font.bold = bold
    rpr = element.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), DOCX_FONT)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)


def docx_paragraph(container, text: str = "", *, align=None, bold=False, italic=False, size=None):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = 0
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            from docx.shared import Pt

            run.font.size = Pt(size)
    return paragraph


def set_up_page(document, doc: MinutesDocument) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = document.styles["Normal"]
    set_fonts(normal, DOCX_SIZE)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = 0
    for name, size, before in (("Title", 14, 6), ("Heading 1", 13, 6), ("Heading 2", 13, 3)):
        style = document.styles[name]
        set_fonts(style, size, bold=True)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = 0
        # The template's title has a rule under it; the official layout has none.
        ppr = style.element.pPr
        if ppr is not None:
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)
    document.styles["Heading 2"].font.italic = True
    props = document.core_properties
    props.title = doc.document_title
    props.language = "vi-VN"
    props.author = doc.cell.title()
    if doc.draft:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(f"{DRAFT} — {DRAFT_NOTE}")
        run.bold = True
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)


def _no_borders(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def two_columns(document, left: list, right: list) -> None:
    """A borderless two-column table; each side is a list of (text, bold, italic)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    for cell, lines in zip(table.rows[0].cells, (left, right), strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        first = True
        for text, bold, italic in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            first = False


def signature_table(document, boxes: list[SignatureBox]) -> None:
    columns = []
    for box in boxes:
        columns.append(
            [
                (box.role, True, False),
                (box.status, False, True),
                ("", False, False),
                (box.name, True, False),
            ]
        )
    two_columns(document, *columns)


def minutes_docx(meeting: Meeting) -> bytes:
    """Return the minutes as DOCX (Word, LibreOffice), with the PDF's content and headings."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    doc = minutes_document(meeting)
    document = Document()
    set_up_page(document, doc)
    center = WD_ALIGN_PARAGRAPH.CENTER
    two_columns(
        document,
        [(doc.superior, False, False), (doc.cell, True, False), ("*", False, False)],
        [(doc.party, True, False), ("", False, False), (doc.date_line, False, True)],
    )
    if doc.draft:
        paragraph = docx_paragraph(document, DRAFT, align=center, bold=True, size=16)
        paragraph.runs[0].font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
        docx_paragraph(document, DRAFT_NOTE, align=center, italic=True)
    title = document.add_paragraph(style="Title")
    title.alignment = center
    title.add_run(doc.title)
    docx_paragraph(document, doc.subtitle, align=center, bold=True)
    if doc.topic:
        docx_paragraph(document, doc.topic, align=center, italic=True)
    docx_paragraph(document)
    write_blocks(document, doc.blocks)
    if doc.closing:
        docx_paragraph(document, doc.closing)
    docx_paragraph(document)
    signature_table(document, doc.signatures)
    if doc.footnote:
        docx_paragraph(document)
        docx_paragraph(document, doc.footnote, italic=True, size=9)
    for addendum in doc.addenda:
        docx_paragraph(document)
        heading = document.add_paragraph(style="Heading 1")
        heading.alignment = center
        heading.add_run(addendum.title)
        for line in addendum.text.splitlines() or [""]:
            docx_paragraph(document, line)
        signature_table(document, addendum.signatures)
        docx_paragraph(document, addendum.footnote, italic=True, size=9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_blocks(document, blocks: list[Block]) -> None:
    from docx.shared import Cm

    for block in blocks:
        if block.kind == "heading":
            document.add_paragraph(style="Heading 1").add_run(block.text)
        elif block.kind == "subheading":
            document.add_paragraph(style="Heading 2").add_run(block.text)
        elif block.kind == "field":
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{block.label}: ").bold = True
            paragraph.add_run(block.text)
        elif block.kind == "label":
            docx_paragraph(document, block.text, bold=True)
        elif block.kind == "bullet":
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.paragraph_format.left_indent = Cm(1)
            paragraph.add_run(block.text)
        else:
            for line in block.text.splitlines() or [""]:
                paragraph = document.add_paragraph(line)
                paragraph.paragraph_format.first_line_indent = Cm(1)
