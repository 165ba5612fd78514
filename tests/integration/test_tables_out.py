"""The one writer of CSV and XLSX files: formulas neutralised, types kept, nothing refused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from qa_app.services import tables_out

ROW = [
    '=HYPERLINK("http://evil.example/","Click me")',
    "-5",
    -5,
    2.5,
    date(2026, 12, 8),
    datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
    "bell\x07 and NUL\x00",
    "",
    None,
    "Plain text",
]
TABLE = dict(title="Things", columns=[f"Column {n}" for n in range(len(ROW))])


def test_xlsx_text_is_never_a_formula_and_numbers_and_dates_keep_their_type():
    data = tables_out.to_xlsx(
        tables_out.Table(
            **TABLE, rows=[ROW], heading=[("=title",), ("Due", date(2026, 1, 2))], widths=(30, 12)
        )
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Things"
    assert [c.value for c in sheet[1]][:1] == ["'=title"]
    assert sheet["B2"].value == datetime(2026, 1, 2) and sheet["B2"].number_format == "DD/MM/YYYY"
    assert [c.value for c in sheet[4]][:2] == ["Column 0", "Column 1"]  # after a blank line
    cells = sheet[5]
    assert [c.data_type for c in cells][:4] == ["s", "s", "n", "n"]
    values = [c.value for c in cells]
    assert values[:4] == ["'" + ROW[0], "'-5", -5, 2.5]
    assert values[4] == datetime(2026, 12, 8) and cells[4].number_format == "DD/MM/YYYY"
    assert values[5] == datetime(2026, 7, 1, 9, 30)  # London time (BST), as people read it
    assert values[6:] == ["bell and NUL", None, None, "Plain text"]
    # the header stays in view and is printed on every page; the widths are kept
    assert sheet.freeze_panes == "A5" and sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.column_dimensions["A"].width == 30 and sheet.column_dimensions["B"].width == 12


def test_csv_escapes_the_same_text_and_writes_dates_as_people_read_them():
    data = tables_out.to_csv(tables_out.Table(**TABLE, rows=[ROW], heading=[("left out",)]))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == TABLE["columns"]
    assert rows[1] == [
        "'" + ROW[0],
        "'-5",
        "-5",
        "2.5",
        "08/12/2026",
        "01/07/2026 09:30",
        "bell\x07 and NUL\x00",
        "",
        "",
        "Plain text",
    ]
