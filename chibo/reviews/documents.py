"""The official forms of the annual review as DOCX (python-docx), filled from the records: a
member's self-review (forms 2A, 2B, 2C), an organisation's report (form 01), and the summary
of a subtree's levels (biểu tổng hợp kết quả đánh giá, xếp loại).

Each document is first described (FormDocument: the national header, the title, the parts
and the signatures), then drawn with the minutes' DOCX helpers (chibo.meetings.documents),
so that every official document of Chibo has the same page, fonts and header. The forms are
Vietnamese administrative documents: they are written in the installation's language
whatever the reader's, dates are dd/mm/yyyy, and the pack's titles (criteria, levels, form
parts) are its Vietnamese text.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chibo.meetings.documents import (
    NONE,
    Block,
    SignatureBox,
    docx_paragraph,
    iso_date,
    set_fonts,
    set_up_page,
    signature_table,
    two_columns,
    write_blocks,
)
from chibo.meetings.minutes import PARTY, date_line
from chibo.members.models import Member
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.models import QUALITY_LABELS, QUALITY_LEVELS
from chibo.oversight.warnings import RULE_LABELS
from chibo.regulations.reviews import LEVELS, ReviewRules
from chibo.regulations.rules import format_number, format_percent
from chibo.reviews import queries
from chibo.reviews.actions import member_decider, organisation_decider, rules_of
from chibo.reviews.models import Level, MemberReview, OrganisationReview, ReviewRound
from chibo.reviews.records import member_record, organisation_report
from chibo.reviews.rules import Tasks

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The official wording of the forms (Vietnamese in every language).
MEMBER_TITLE = "BẢN KIỂM ĐIỂM CÁ NHÂN"
ORG_TITLE = "BÁO CÁO KIỂM ĐIỂM TẬP THỂ"
RESULTS_TITLE = "BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI"
FORM = "Mẫu {key}"
SELF_SIGNER = "Người tự kiểm điểm"
SIGN = "(Ký, ghi rõ họ tên)"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
BLANK = "…" * 50  # a line to write on, on a form printed before it is filled
SHORT_BLANK = "……"
CHECKBOX = "☐"
# The years shown beside the year of the summary, for comparison.
YEARS_COMPARED = 2


@dataclass
class Table:
    """A bordered table: a header row and the rows; bold rows are subtotals and totals.
    Columns in `text` are aligned left, the others (figures) centred."""

    headers: list[str]
    rows: list[list[str]]
    bold: set[int] = field(default_factory=set)
    text: tuple[int, ...] = (0,)
    widths: tuple[float, ...] = ()  # in centimetres; the page has 16


@dataclass
class FormDocument:
    form: str  # "Mẫu 2C", top right; empty for the summary
    superior: str
    organisation: str
    date_line: str
    title: str
    subtitle: str
    lines: list[str]  # in italics under the title: the form's name, whom it is for
    parts: list  # Block or Table, in order
    signatures: list[SignatureBox]  # two: left and right
    document_title: str
    # Read by chibo.meetings.documents.set_up_page: the forms are never marked as drafts.
    draft: bool = False

    @property
    def cell(self) -> str:
        """The organisation, for set_up_page, which names the document's author after it."""
        return self.organisation


# Shared pieces.


def _day(day: datetime.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _locality(org: Organisation) -> str:
    """The place name of the date line: the first part of the organisation's place."""
    return (org.place or "").split(",")[0].strip()


def _date_line(org: Organisation, day: datetime.date) -> str:
    return date_line(_locality(org) or "……", day)


def _points(value) -> str:
    if value is None or value == "":
        return ""
    return format_number(Decimal(str(value)))


def _percent(value: int | None) -> str:
    return f"{value}%" if value is not None else f"{SHORT_BLANK}%"


def _share(pair) -> str:
    """A figure of the report as "part/whole (percent)"."""
    part, whole = pair
    return f"{part}/{whole} ({format_percent(part, whole)})" if whole else f"{part}/{whole}"


def _level(rules: ReviewRules, key: str) -> str:
    if not key:
        return ""
    level = rules.level(key)
    return f"{level.title} ({level.short})"


def _header(org: Organisation) -> tuple[str, str]:
    parent = Organisation.objects.get_parent(org) if org.depth > 1 else None
    return (parent.name.upper() if parent else "", org.name.upper())


def _on_behalf(org: Organisation) -> str:
    return "T/M CHI BỘ" if org.level in CELL_LEVELS else "T/M ĐẢNG ỦY"


def _signatures(role: str, name: str = "") -> list[SignatureBox]:
    """The signature boxes: blank on the left, the signer on the right."""
    return [SignatureBox("", "", "", False), SignatureBox(role, name, SIGN, False)]


class _Numbered:
    """Hands out the roman numbers of a document's headings in order."""

    def __init__(self):
        self.count = 0

    def heading(self, text: str) -> Block:
        self.count += 1
        return Block("heading", f"{ROMAN[self.count - 1]}. {text.upper()}")


def _sections(form, texts: dict) -> list[Block]:
    """Each part of the form with what was written, or lines to write on."""
    blocks = []
    for i, section in enumerate(form.sections, start=1):
        blocks.append(Block("subheading", f"{i}. {section.title}"))
        text = (texts or {}).get(section.key, "")
        blocks.append(Block("para", text or "\n".join([BLANK] * 3)))
    return blocks


def _figures(rows: list[list[str]]) -> Table:
    """A table of the year's figures drawn from the records: what, and how many."""
    return Table([pgettext("review form", "Item"), _("From the records")], rows, widths=(10, 6))


def _points_table(rules: ReviewRules, subject: str, columns: list[tuple[str, dict, object]]):
    """The points of each criterion by group, with each group's subtotal and the total;
    `columns` gives each column of points: (heading, points by criterion, total)."""
    criteria = rules.criteria_of(subject)
    headers = [_("No."), _("Criterion"), _("Maximum")] + [c[0] for c in columns]
    rows: list[list[str]] = []
    bold: set[int] = set()
    number = 0
    for g, group in enumerate(rules.groups):
        members = [c for c in criteria if c.group == group.key]
        subtotals = []
        for _heading, points, _total in columns:
            given = [points.get(c.key) for c in members]
            complete = all(v not in (None, "") for v in given)
            subtotal = sum((Decimal(str(v)) for v in given), Decimal(0)) if complete else None
            subtotals.append(_points(subtotal))
        bold.add(len(rows))
        rows.append([ROMAN[g], group.title, _points(group.max_points), *subtotals])
        for criterion in members:
            number += 1
            rows.append(
                [
                    str(number),
                    criterion.title,
                    _points(criterion.max_points),
                    *(_points(points.get(criterion.key)) for _h, points, _t in columns),
                ]
            )
    bold.add(len(rows))
    maximum = sum((g.max_points for g in rules.groups), Decimal(0))
    rows.append(["", _("Total"), _points(maximum), *(_points(c[2]) for c in columns)])
    n = len(columns)
    return Table(headers, rows, bold, text=(1,), widths=(1.4, 12.4 - 2.5 * n, 2.2) + (2.5,) * n)


def _level_choice(rules: ReviewRules, key: str) -> list[Block]:
    """The level chosen, or the four levels to tick on paper."""
    if key:
        return [Block("para", _level(rules, key))]
    return [Block("para", f"{CHECKBOX} {level.title} ({level.short})") for level in rules.levels]


def _tasks(assessment) -> list[Block]:
    """The year's tasks in percent, or blanks to fill in when nothing is written yet."""
    tasks = Tasks.of(assessment) if assessment is not None else Tasks()
    return [
        Block("field", _percent(tasks.done), _("Tasks done")),
        Block("field", _percent(tasks.on_time), _("Tasks done on time")),
        Block("field", _percent(tasks.exceeded), _("Tasks done beyond what was asked")),
    ]


def _decision(rules: ReviewRules, review, decider: Organisation | None) -> list[Block]:
    blocks = [
        Block("field", _level(rules, review.level), _("Level decided")),
        Block("field", _day(_local_day(review.decided_at)), _("Decided on")),
    ]
    if decider is not None:
        blocks.append(Block("field", decider.name, _("Decided by")))
    if review.decision_note:
        blocks.append(Block("field", review.decision_note, _("Note")))
    if review.confirmation_id:
        confirmed = _local_day(review.confirmation.confirmed_at)
        blocks.append(Block("field", _day(confirmed), _("Confirmed on")))
    return blocks


def _render(doc: FormDocument) -> bytes:
    """Draw the document as DOCX with the minutes' page, fonts and national header."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    set_up_page(document, doc)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if doc.form:
        docx_paragraph(document, doc.form, align=WD_ALIGN_PARAGRAPH.RIGHT, italic=True)
    two_columns(
        document,
        [(doc.superior, False, False), (doc.organisation, True, False), ("*", False, False)],
        [(PARTY, True, False), ("", False, False), (doc.date_line, False, True)],
    )
    docx_paragraph(document)
    title = document.add_paragraph(style="Title")
    title.alignment = center
    title.add_run(doc.title)
    docx_paragraph(document, doc.subtitle, align=center, bold=True)
    for line in doc.lines:
        docx_paragraph(document, line, align=center, italic=True)
    docx_paragraph(document)
    for part in doc.parts:
        if isinstance(part, Table):
            _table(document, part)
            docx_paragraph(document)
        else:
            write_blocks(document, [part])
    docx_paragraph(document)
    signature_table(document, doc.signatures)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    # The header row repeats on each page the table runs over.
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    rows = [(table.headers, True, True)] + [
        (row, i in table.bold, False) for i, row in enumerate(table.rows)
    ]
    for index, (values, bold, header) in enumerate(rows):
        cells = grid.rows[0].cells if index == 0 else grid.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            left = column in table.text and not header
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold = bold
            set_fonts(run)
    if table.widths:
        # Word reads the cells' widths, LibreOffice the grid's: set both.
        grid.autofit = False
        for column, width in zip(grid.columns, table.widths, strict=True):
            column.width = Cm(width)
            for cell in column.cells:
                cell.width = Cm(width)


# A member's self-review (forms 2A, 2B, 2C).


def member_form_key(rules: ReviewRules, review: MemberReview | None, asked: str = "") -> str:
    """The form a member's review is on: the one written, else the one asked for, else the
    pack's last member form (2C: members outside the political system, the most common in a
    residential cell)."""
    keys = [f.key for f in rules.forms_for("member")]
    if review is not None and review.form in keys:
        return review.form
    return asked if asked in keys else keys[-1]


def _record_rows(record: dict) -> list[list[str]]:
    meetings = record.get("meetings", {})
    tasks = record.get("tasks", {})
    fees = record.get("fees", {})
    invited, present = meetings.get("invited", 0), meetings.get("present", 0)
    attended = f"{present}/{invited}"
    if invited:
        attended += f" ({format_percent(present, invited)})"
    rows = [
        [_("Meetings attended / invited"), attended],
        [_("Absent with leave"), str(meetings.get("excused", 0))],
        [_("Absent without leave"), str(meetings.get("unexcused", 0))],
        [_("Tasks assigned"), str(tasks.get("assigned", 0))],
        [_("Tasks done on time"), str(tasks.get("done", 0))],
        [_("Tasks done late"), str(tasks.get("late", 0))],
        [_("Tasks not done"), str(tasks.get("not_done", 0))],
        [_("Tasks not yet reviewed"), str(tasks.get("open", 0))],
        [_("Fee months paid"), str(fees.get("paid", 0))],
        [_("Fee months exempt"), str(fees.get("exempt", 0))],
        [_("Fee months unpaid"), str(fees.get("unpaid", 0))],
    ]
    discipline = record.get("discipline") or []
    rows.append(
        [
            _("Discipline in the year"),
            "; ".join(
                f"{d['form_label']} ({d['number']}, {iso_date(d['decided_on'])})"
                for d in discipline
            )
            or NONE,
        ]
    )
    return rows


def member_form_document(
    review_round: ReviewRound,
    member: Member,
    review: MemberReview | None,
    *,
    form_key: str = "",
    today: datetime.date | None = None,
) -> FormDocument:
    """The member's self-review on its form, with the year's record, the cell's proposal and
    the decision; a blank form (the record filled) when nothing is written yet."""
    today = today or timezone.localdate()
    rules = rules_of(review_round)
    year = review_round.year
    form = rules.form(member_form_key(rules, review, form_key))
    cell = review.cell if review is not None else member.cell
    superior, organisation = _header(cell)
    written = review is not None and review.submitted_at is not None
    day = _local_day(review.submitted_at) if written else today
    heading = _Numbered()
    parts: list = [
        Block("field", member.full_name, _("Full name")),
        Block("field", _day(member.date_of_birth), _("Date of birth")),
        Block("field", member.position or SHORT_BLANK, _("Position")),
        Block("field", cell.name, _("Cell")),
        heading.heading(_("The self-review")),
        *_sections(form, review.sections if review else {}),
    ]
    if rules.scored:
        columns = [
            (
                _("Self-assessed"),
                review.self_points if review else {},
                review.self_total if review else None,
            )
        ]
        if review is not None and review.proposed_level:
            columns.append(
                (_("Proposed by the cell"), review.proposed_points, review.proposed_total)
            )
        parts += [
            heading.heading(_("Points")),
            _points_table(rules, "member", columns),
        ]
    parts.append(heading.heading(_("The year's tasks and the level proposed")))
    parts += _tasks(review)
    parts.append(Block("label", _("Level proposed for oneself:")))
    parts += _level_choice(rules, review.self_level if review else "")
    record = review.record if review is not None and review.record else None
    if record is not None:
        about = _("As the cell judged it on %(day)s.") % {
            "day": _day(_local_day(review.proposed_at))
        }
    else:
        record = member_record(member, year, today)
        about = _("From the records on %(day)s.") % {"day": _day(today)}
    parts += [
        heading.heading(_("Record of the year %(year)s") % {"year": year}),
        Block("para", about),
        _figures(_record_rows(record)),
    ]
    if review is not None and review.proposed_level:
        vote = review.proposal_vote
        meeting = review.proposal_meeting
        meeting_day = (meeting.started_at or meeting.scheduled_at) if meeting else None
        parts += [
            heading.heading(_("The cell's comment and proposal")),
            Block("para", review.cell_comment or _("No comment written.")),
            Block("field", _level(rules, review.proposed_level), _("Level proposed by the cell")),
        ]
        if review.proposed_total is not None:
            parts.append(Block("field", _points(review.proposed_total), _("Points proposed")))
        if vote is not None:
            parts.append(
                Block(
                    "field",
                    _("%(summary)s, in the meeting of %(day)s")
                    % {"summary": vote.summary, "day": _day(_local_day(meeting_day))},
                    _("Vote"),
                )
            )
    if review is not None and review.level:
        parts.append(heading.heading(_("Decision")))
        parts += _decision(rules, review, member_decider(review.cell))
    return FormDocument(
        form=FORM.format(key=form.key),
        superior=superior,
        organisation=organisation,
        date_line=_date_line(cell, day),
        title=MEMBER_TITLE,
        subtitle=f"NĂM {year}",
        lines=[form.title, f"({form.who})"],
        parts=parts,
        signatures=_signatures(SELF_SIGNER, member.full_name),
        document_title=f"Bản kiểm điểm cá nhân năm {year} — {member.full_name}",
    )


def member_form(
    review_round: ReviewRound,
    member: Member,
    review: MemberReview | None,
    *,
    form_key: str = "",
    today: datetime.date | None = None,
) -> bytes:
    """Return the member's self-review as DOCX."""
    with translation.override(settings.LANGUAGE_CODE):
        doc = member_form_document(review_round, member, review, form_key=form_key, today=today)
        return _render(doc)


def member_filename(review_round: ReviewRound, member: Member) -> str:
    """ban-kiem-diem-<year>-<id>-<name without marks>.docx: ASCII, for every browser."""
    return f"ban-kiem-diem-{review_round.year}-{member.pk}-{slugify(member.name_folded)}.docx"


# An organisation's report (form 01).


def _report_rows(report: dict) -> list[list[str]]:
    shares = report.get("shares", {})
    rows = [[_("Members"), str(report.get("members", 0))]]
    if not report.get("is_cell"):
        rows.append([_("Cells"), str(report.get("cells", 0))])
    for name, label in (
        ("regular", _("Regular meetings held")),
        ("on_day", _("Regular meetings held on the set day")),
        ("thematic", _("Quarters with a thematic meeting")),
        ("attendance", _("Attendance at meetings")),
        ("minutes", _("Minutes signed on time")),
        ("tasks", _("Tasks done on time")),
    ):
        if name in shares:
            rows.append([label, _share(shares[name])])
    levels = report.get("levels", {})
    for key in (*QUALITY_LEVELS, "unscored"):
        rows.append(
            [
                _("Meetings rated “%(level)s”") % {"level": QUALITY_LABELS[key]},
                str(levels.get(key, 0)),
            ]
        )
    rows.append([_("Warnings raised"), str(report.get("warnings_total", 0))])
    for rule, n in sorted(report.get("warnings", {}).items()):
        rows.append([f"– {RULE_LABELS.get(rule, rule)}", str(n)])
    rows += [
        [_("Members disciplined in the year"), str(report.get("disciplined_members", 0))],
        [
            _("Organisations below disciplined in the year"),
            str(report.get("disciplined_organisations", 0)),
        ],
        [
            _("The organisation itself disciplined in the year"),
            _("Yes") if report.get("disciplined_itself") else _("No"),
        ],
    ]
    return rows


def _month_rows(report: dict) -> list[list[str]]:
    year = report["year"]
    rows = []
    for m in report.get("months", []):
        level = m.get("level_label") or ""
        rows.append(
            [
                f"{m['month']:02d}/{year}",
                _("Yes") if m["held"] else _("No"),
                _points(m.get("total")),
                level,
            ]
        )
    return rows


def org_form_document(
    review_round: ReviewRound,
    org: Organisation,
    review: OrganisationReview | None,
    *,
    today: datetime.date | None = None,
) -> FormDocument:
    """Form 01 of an organisation: the year's figures, the parts written, the points and the
    level proposed, and the decision when made; a blank form (the figures drafted) when
    nothing is written yet."""
    today = today or timezone.localdate()
    rules = rules_of(review_round)
    year = review_round.year
    forms = {f.key: f for f in rules.forms_for("organisation")}
    form = forms.get(review.form if review else "", next(iter(forms.values())))
    superior, organisation = _header(org)
    written = review is not None and review.submitted_at is not None
    day = _local_day(review.submitted_at) if written else today
    if review is not None and review.report:
        report = review.report
        about = _("As submitted on %(day)s.") % {"day": _day(day)}
    else:
        report = organisation_report(org, year, today)
        about = _("From the records on %(day)s.") % {"day": _day(today)}
    heading = _Numbered()
    parts: list = [
        heading.heading(_("The year's figures")),
        Block("para", about),
        _figures(_report_rows(report)),
    ]
    if report.get("months"):
        parts += [
            Block("label", _("The cell's regular meetings, month by month:")),
            Table(
                [_("Month"), _("Held"), _("Quality score"), _("Quality level")],
                _month_rows(report),
                widths=(3, 3, 4, 6),
            ),
        ]
    parts.append(heading.heading(_("The report")))
    parts += _sections(form, review.sections if review else {})
    if rules.scored:
        parts += [
            heading.heading(_("Points")),
            _points_table(
                rules,
                "organisation",
                [
                    (
                        _("Self-assessed"),
                        review.self_points if review else {},
                        review.self_total if review else None,
                    )
                ],
            ),
        ]
    parts.append(heading.heading(_("The year's tasks and the level proposed")))
    parts += _tasks(review)
    parts.append(Block("label", _("Level proposed:")))
    parts += _level_choice(rules, review.self_level if review else "")
    if review is not None and review.level:
        parts.append(heading.heading(_("Decision")))
        parts += _decision(rules, review, organisation_decider(org))
    return FormDocument(
        form=FORM.format(key=form.key),
        superior=superior,
        organisation=organisation,
        date_line=_date_line(org, day),
        title=ORG_TITLE,
        subtitle=f"NĂM {year}",
        lines=[form.title, f"({form.who})"],
        parts=parts,
        signatures=_signatures(_on_behalf(org)),
        document_title=f"Báo cáo kiểm điểm tập thể năm {year} — {org.name}",
    )


def org_form(
    review_round: ReviewRound,
    org: Organisation,
    review: OrganisationReview | None,
    *,
    today: datetime.date | None = None,
) -> bytes:
    """Return the organisation's report (form 01) as DOCX."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(org_form_document(review_round, org, review, today=today))


def org_filename(review_round: ReviewRound, org: Organisation) -> str:
    return f"bao-cao-kiem-diem-{org.code}-{review_round.year}.docx"


# The summary of a subtree's levels.


def compared_years(org: Organisation, year: int) -> list[int]:
    """The year and the years before it that had a round, oldest first."""
    before = [y for y in queries.years_with_rounds(org) if y < year][:YEARS_COMPARED]
    return sorted([*before, year])


def _level_titles(org: Organisation, year: int) -> dict[str, str]:
    """The levels' titles in the pack of the year's round over org (every pack names the
    same four levels), or the app's names when no round covers it."""
    review_round = (
        queries.round_for(org, year)
        or ReviewRound.objects.filter(year=year, organisation__path__startswith=org.path)
        .order_by("organisation__path")
        .first()
    )
    if review_round is None:
        return {key: str(label) for key, label in Level.choices}
    return {level.key: f"{level.title} ({level.short})" for level in rules_of(review_round).levels}


def _distribution_table(kind: str, years: list[int], by_year: dict, titles: dict) -> Table:
    headers = [_("Classification")]
    for year in years:
        headers += [_("%(year)s: number") % {"year": year}, "%"]
    rows = []
    for key in LEVELS:
        row = [titles[key]]
        for year in years:
            counts = by_year[year].of(kind)
            total = sum(counts.values())
            row += [str(counts[key]), format_percent(counts[key], total) if total else "—"]
        rows.append(row)
    good = [_("Well completed or better")]
    total_row = [_("Total")]
    for year in years:
        part, whole = by_year[year].share(kind, ("excellent", "good"))
        good += [str(part), format_percent(part, whole) if whole else "—"]
        total_row += [str(whole), "100%" if whole else "—"]
    rows += [good, total_row]
    year_width = 9.0 / len(years)
    return Table(
        headers,
        rows,
        bold={len(rows) - 1},
        widths=(7.0, *((year_width * 0.55, year_width * 0.45) * len(years))),
    )


def results_document_description(
    org: Organisation, year: int, *, today: datetime.date | None = None
) -> FormDocument:
    """The confirmed levels of org's subtree in the year, for members, cells and committees
    below, each beside the years before."""
    today = today or timezone.localdate()
    years = compared_years(org, year)
    by_year = {d.year: d for d in queries.distribution(org, years)}
    titles = _level_titles(org, year)
    superior, organisation = _header(org)
    below = Organisation.objects.filter(path__startswith=org.path, depth__gt=org.depth)
    kinds = [("members", _("Party members"))]
    if org.level not in CELL_LEVELS:
        kinds.append(("cells", _("Party cells")))
    if below.exclude(level__in=CELL_LEVELS).exists():
        kinds.append(("committees", _("Party committees below")))
    heading = _Numbered()
    parts: list = []
    for kind, label in kinds:
        parts += [heading.heading(label), _distribution_table(kind, years, by_year, titles)]
    pending = by_year[year].pending
    if pending["members"] or pending["organisations"]:
        parts.append(
            Block(
                "para",
                _(
                    "Decided but not yet confirmed, and not counted above: %(members)s members "
                    "and %(organisations)s organisations."
                )
                % pending,
            )
        )
    parts.append(Block("para", _("Confirmed levels as of %(day)s.") % {"day": _day(today)}))
    return FormDocument(
        form="",
        superior=superior,
        organisation=organisation,
        date_line=_date_line(org, today),
        title=RESULTS_TITLE,
        subtitle=f"NĂM {year}",
        lines=[org.name],
        parts=parts,
        signatures=_signatures(_on_behalf(org)),
        document_title=f"Biểu tổng hợp kết quả xếp loại năm {year} — {org.name}",
    )


def results_document(org: Organisation, year: int, *, today: datetime.date | None = None) -> bytes:
    """Return the summary of the subtree's levels as DOCX."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(results_document_description(org, year, today=today))


def results_filename(org: Organisation, year: int) -> str:
    return f"ket-qua-xep-loai-{org.code}-{year}.docx"
