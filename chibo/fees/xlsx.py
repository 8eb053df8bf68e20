"""The fee reports as Excel workbooks (openpyxl): the cell's monthly report, and the yearly
summary of a cell or of a committee's subtree.

One sheet per table, a bold header row that stays in view (frozen), amounts as numbers in
đồng with the format "#,##0" so that Excel and LibreOffice add them up, and every text
written as text, never as a formula. The labels are in the installation's language
(Vietnamese), as the official record always is.
"""

import datetime
from io import BytesIO

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from chibo.fees import queries
from chibo.fees.arithmetic import month_label
from chibo.fees.ledger import Packs
from chibo.fees.models import CellFeeMonth, PaymentMethod

MONEY = "#,##0"
DATE = "DD/MM/YYYY"
BOLD = Font(bold=True)


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list], money: set[int]):
    """Add a sheet: the header row frozen, money columns (0-based) formatted in đồng."""
    sheet = book.create_sheet(title[:31])
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append(row)
    _as_text(sheet)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        width = max([len(str(header))] + [len(str(r[index])) for r in rows if index < len(r)])
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 45)
        if index in money:
            for cell in sheet[letter][1:]:
                cell.number_format = MONEY
    return sheet


def _as_text(sheet) -> None:
    """Keep every text as text. openpyxl stores a string beginning with "=" as a formula
    (and "#N/A" and the like as an error): a portal reference or a name typed as
    '=HYPERLINK(…)' would become a live formula in the report."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type != "s":
                cell.data_type = "s"


def _bold_last_row(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _save(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _new_book() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    return book


def month_workbook(report: queries.MonthReport) -> bytes:
    """The cell's fee report of the month: the totals, and a line per member."""
    with translation.override(settings.LANGUAGE_CODE):
        return _month_workbook(report)


def _month_workbook(report: queries.MonthReport) -> bytes:
    s = report.summary
    book = _new_book()
    remittance = s.remittance
    money, date = "money", "date"
    facts = [
        (_("Cell"), s.cell.name, ""),
        (_("Month"), month_label(s.month), ""),
        (_("Rules"), s.pack.label, ""),
        (_("Members with a fee"), s.members, ""),
        (_("Fees due"), s.due, money),
        (_("Collected"), s.collected, money),
        (_("Members who paid"), s.paid, ""),
        (_("Members who owe"), s.unpaid, ""),
        (_("Still owed for the month"), s.unpaid_due, money),
        (_("Arrears of earlier months"), report.arrears_total, money),
        (_("Share remitted (%)"), s.remit_percent, ""),
        (_("Share to remit"), s.remit_due, money),
        (_("Remitted"), s.remitted, money),
        (_("Remitted on"), remittance["remitted_on"] if remittance else "", date),
    ]
    sheet = _sheet(book, _("Month report"), [_("Item"), _("Value")], [f[:2] for f in facts], set())
    for row, (_label, _value, kind) in enumerate(facts, start=2):
        if kind:
            sheet.cell(row=row, column=2).number_format = MONEY if kind == money else DATE
    methods = dict(PaymentMethod.choices)
    rows = []
    for number, row in enumerate(report.rows, start=1):
        fee, payment = row.fee, row.payment
        rows.append(
            [
                number,
                row.member.full_name,
                _basis_label(s.pack, fee),
                fee.amount if fee else None,
                payment.amount if payment else None,
                payment.paid_on if payment else None,
                str(methods.get(payment.method, payment.method)) if payment else "",
                payment.reference if payment else "",
                len(row.arrears),
                row.arrears_amount,
            ]
        )
    rows.append(
        [
            "",
            _("Total"),
            "",
            s.due,
            sum(r.payment.amount for r in report.rows if r.payment),
            None,
            "",
            "",
            report.arrears_months,
            report.arrears_total,
        ]
    )
    headers = [
        _("No."),
        _("Full name"),
        _("Fee basis"),
        _("Fee due"),
        _("Paid"),
        _("Paid on"),
        _("Paid by"),
        _("Portal reference"),
        _("Months in arrears"),
        _("Arrears"),
    ]
    sheet = _sheet(book, _("Members"), headers, rows, {3, 4, 9})
    for cell in sheet["F"][1:]:
        cell.number_format = DATE
    _bold_last_row(sheet)
    return _save(book)


def _basis_label(pack, fee) -> str:
    if fee is None:
        return _("No fee basis yet")
    try:
        label = pack.fees.basis(fee.basis).label
    except ValueError:
        label = fee.basis
    if fee.exemption:
        return f"{label} — {_('exempt')}"
    if fee.reduction:
        return f"{label} — {_('reduced by %(percent)s%%') % {'percent': fee.reduction}}"
    return label


YEAR_FIELDS = ("due", "collected", "unpaid_due", "remit_due", "remitted")


def year_workbook(org, year: int, today: datetime.date) -> bytes:
    """The yearly summary: a cell's months, or a committee's organisations and months."""
    with translation.override(settings.LANGUAGE_CODE):
        book = _new_book()
        if org.is_cell:
            _cell_year(book, queries.cell_year(org, year, today))
        else:
            _subtree_year(book, org, year, today)
        return _save(book)


def _month_headers() -> list[str]:
    return [
        _("Month"),
        _("Members with a fee"),
        _("Fees due"),
        _("Collected"),
        _("Still owed"),
        _("Share to remit"),
        _("Remitted"),
    ]


def _cell_year(book: Workbook, months) -> None:
    rows = [
        [month_label(s.month), s.members, s.due, s.collected, s.unpaid_due, s.remit_due, s.remitted]
        for s in months
    ]
    total = queries.totals(months)
    rows.append(["" if not months else _("Total"), "", *(total[f] for f in YEAR_FIELDS)])
    sheet = _sheet(book, _("By month"), _month_headers(), rows, {2, 3, 4, 5, 6})
    _bold_last_row(sheet)


def _subtree_year(book: Workbook, org, year: int, today: datetime.date) -> None:
    branches, total = queries.subtree_year(org, year, today)
    rows = [
        [b.org.name, b.org.code, b.cells, b.members, *(getattr(b, f) for f in YEAR_FIELDS)]
        for b in branches
    ]
    rows.append(
        [
            _("Total"),
            org.code,
            total.cells,
            total.members,
            *(getattr(total, f) for f in YEAR_FIELDS),
        ]
    )
    headers = [
        _("Organisation"),
        _("Code"),
        _("Cells"),
        _("Members with a fee"),
        _("Fees due"),
        _("Collected"),
        _("Still owed"),
        _("Share to remit"),
        _("Remitted"),
    ]
    sheet = _sheet(book, _("By organisation"), headers, rows, {4, 5, 6, 7, 8})
    _bold_last_row(sheet)
    last = min(datetime.date(year, 12, 1), queries.current_month(today))
    by_month = (
        CellFeeMonth.objects.filter(
            cell__path__startswith=org.path, month__gte=datetime.date(year, 1, 1), month__lte=last
        )
        .values("month")
        .annotate(members_sum=Sum("members"), cells=Count("cell_id"), **queries.SUMS)
        .order_by("month")
    )
    rows = [
        [month_label(r["month"]), r["members_sum"], *(r[f"{f}_sum"] or 0 for f in YEAR_FIELDS)]
        for r in by_month
    ]
    rows.append([_("Total"), "", *(sum(r[2 + i] for r in rows) for i in range(5))])
    sheet = _sheet(book, _("By month"), _month_headers(), rows, {2, 3, 4, 5, 6})
    _bold_last_row(sheet)
    pack = Packs()(org, last)
    book.properties.title = f"{org.name} {year} ({pack.id})"
