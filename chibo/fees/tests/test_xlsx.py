"""The fee reports as Excel: the month's report and the year's summary, read back with
openpyxl and opened in LibreOffice (headless, converted to CSV) to check the numbers."""

import csv
import datetime
import re
import shutil
import subprocess
import zipfile
from io import BytesIO

import pytest
from openpyxl import load_workbook

from chibo.fees import actions, queries, xlsx
from chibo.fees.tests.conftest import FEB, MAR, TODAY
from chibo.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def _numbers(text: str) -> set[int]:
    """Every whole number a sheet shows, whatever the thousands separator."""
    found = set()
    for cell in re.split(r'[\n"]|(?<=\d),(?=\D)|(?<=\D),', text):
        digits = cell.strip().replace(",", "").replace(".", "").replace("\xa0", "")
        if digits.isdigit():
            found.add(int(digits))
    return found


def _open_in_libreoffice(body: bytes, tmp_path) -> str:
    """Convert every sheet to CSV with LibreOffice; return their text."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail("LibreOffice (soffice, with Calc) is missing: run `make system-packages`")
    source = tmp_path / "bao-cao.xlsx"
    source.write_bytes(body)
    out = tmp_path / "csv"
    out.mkdir()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--norestore",
            "--convert-to",
            # UTF-8, comma-separated, every sheet to its own file (the last token, -1).
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    files = sorted(out.glob("*.csv"))
    assert files, "LibreOffice wrote no CSV"
    return {f.name: f.read_text(encoding="utf-8") for f in files}


@pytest.fixture
def march(book, users, tree):
    actions.record_remittance(
        users["secretary_A"], tree["A"], month=MAR, remitted_on=datetime.date(2026, 4, 3)
    )
    return queries.month_report(tree["A"], MAR)


def test_the_month_report_has_a_sheet_per_table_with_frozen_headers_and_dong(march):
    book = load_workbook(BytesIO(xlsx.month_workbook(march)))
    facts, members = book.worksheets
    assert facts.freeze_panes == "A2" and members.freeze_panes == "A2"
    assert facts["A1"].font.bold and members["B1"].font.bold
    rows = list(members.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["Đỗ Minh Đức", "Nguyễn Văn An", rows[-1][1]]
    duc, an, total = rows
    assert (duc[3], duc[4], duc[8], duc[9]) == (21_000, None, 1, 21_000)
    assert (an[3], an[4], an[5]) == (59_000, 59_000, datetime.datetime(2026, 3, 5))
    assert (total[3], total[4], total[9]) == (80_000, 59_000, 21_000)
    assert all(type(v) is int for v in (an[3], an[4], total[3]))
    assert members["D2"].number_format == "#,##0"
    values = {row[0]: (row[1], row[1].__class__) for row in facts.iter_rows(values_only=True)}
    assert (59_000, int) in values.values() and (29_500, int) in values.values()


def test_the_month_report_opens_in_libreoffice_with_its_numbers(march, tmp_path):
    sheets = _open_in_libreoffice(xlsx.month_workbook(march), tmp_path)
    assert len(sheets) == 2
    text = "\n".join(sheets.values())
    assert "Nguyễn Văn An" in text and "Đỗ Minh Đức" in text
    numbers = _numbers(text)
    # Due 80,000; collected 59,000; duc's 21,000 owed; share 29,500 remitted.
    assert {80_000, 59_000, 21_000, 29_500} <= numbers
    assert "80,000" in text or "80.000" in text  # shown with its thousands separator


def test_the_committees_year_opens_in_libreoffice_with_its_numbers(book, users, tree, tmp_path):
    actions.record_payment(users["secretary_A"], book["duc"], months=[FEB, MAR], paid_on=TODAY)
    body = xlsx.year_workbook(tree["X"], 2026, TODAY)
    sheets = load_workbook(BytesIO(body)).worksheets
    assert [s.freeze_panes for s in sheets] == ["A2", "A2"]
    by_org = list(sheets[0].iter_rows(min_row=2, values_only=True))
    # Under X: G (cells A and B) and S. January to May: an 59,000 × 5, duc 21,000 × 5,
    # hoa 3,000 + 5,000 × 4.
    g = next(r for r in by_org if r[1] == "G")
    assert g[4] == 5 * 59_000 + 5 * 21_000 + 3_000 + 4 * 5_000
    assert g[5] == 3 * 59_000 + 3 * 21_000
    text = "\n".join(_open_in_libreoffice(body, tmp_path).values())
    assert {g[4], g[5]} <= _numbers(text)


def test_a_cells_year_as_excel(book, tree):
    body = xlsx.year_workbook(tree["A"], 2026, TODAY)
    [sheet] = load_workbook(BytesIO(body)).worksheets
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows[:5]] == ["01/2026", "02/2026", "03/2026", "04/2026", "05/2026"]
    assert rows[0][2:4] == (80_000, 80_000)  # January: due, and both paid
    assert rows[-1][2] == 5 * 80_000
    assert list(csv.reader([",".join(str(v) for v in rows[-1] if v is not None)]))


def test_a_text_that_looks_like_a_formula_stays_text(book, users, tree):
    # A portal reference or a name typed as a formula must not become a live one.
    trap = '=HYPERLINK("http://evil.example","DVC1")'
    actions.record_payment(
        users["secretary_A"],
        book["duc"],
        months=[MAR],
        paid_on=TODAY,
        method="public_service_portal",
        reference=trap,
    )
    Organisation.objects.filter(pk=tree["A"].pk).update(name="=1+1")
    Organisation.objects.filter(pk=tree["G"].pk).update(name="#N/A")
    tree["A"].refresh_from_db()
    bodies = [
        xlsx.month_workbook(queries.month_report(tree["A"], MAR)),
        xlsx.year_workbook(tree["X"], 2026, TODAY),
    ]
    for body in bodies:
        with zipfile.ZipFile(BytesIO(body)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)
        for sheet in load_workbook(BytesIO(body)).worksheets:
            for row in sheet.iter_rows():
                assert all(c.data_type in ("s", "n", "d") for c in row if c.value is not None)
    month, year = (load_workbook(BytesIO(b)).worksheets for b in bodies)
    texts = {c.value for s in month for row in s.iter_rows() for c in row}
    assert {trap, "=1+1"} <= texts
    assert "#N/A" in {c.value for row in year[0].iter_rows() for c in row}
