"""Every CSV and XLSX file the app writes (plans, the service list, the QuAD report) is
written here, one way, so that each is safe to open.

Each cell passes through `domain.spreadsheet_cells.safe_cell`: text that a spreadsheet would run
as a formula gets a leading apostrophe. In XLSX every text cell is also stored as a string cell
(never a formula), and the characters XML cannot carry are dropped rather than failing the
download. Numbers stay numbers and dates stay dates (shown as 31/12/2026); in CSV, dates are
written as 31/12/2026 and the file starts with a byte order mark, so Excel reads it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from qa_app.domain.clocks import LONDON
from qa_app.domain.spreadsheet_cells import safe_cell

DATE_FORMAT = "DD/MM/YYYY"
TIME_FORMAT = "DD/MM/YYYY HH:MM"
HEADER_FILL = "F3F2F1"  # GOV.UK light grey


@dataclass
class Table:
    """One sheet: `columns` and `rows` are the table. `heading` lines (a title, a few labelled
    facts) go above it in XLSX only, with `emphasis` the index of the line shown as the title;
    `widths` are XLSX column widths in characters, in column order."""

    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence]
    heading: Sequence[Sequence] = ()
    emphasis: int | None = None
    widths: Sequence[float] = ()


def _plain(value):
    """A cell as a value both formats can hold: aware times in London's local time."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(LONDON).replace(tzinfo=None)
    return value


# ---------------------------------------------------------------- CSV


def _csv_text(value) -> str | int | float:
    value = safe_cell(_plain(value))
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return value


def to_csv(table: Table) -> bytes:
    """The table as CSV (UTF-8 with a byte order mark, CRLF line ends); the heading is left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------- XLSX


def to_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet (written in streaming mode: a list of five
    thousand services costs little memory)."""
    return to_xlsx_book([table])


#: characters a sheet's name may not hold
_SHEET_NAME_REFUSES = str.maketrans("", "", "[]:*?/\\")


def to_xlsx_book(tables: Sequence[Table]) -> bytes:
    """The tables as one XLSX workbook, a sheet each (named by the table's title, at most 31
    characters), written the same safe way as a single table."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for table in tables:
        _write_sheet(book, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(book, table: Table) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(table.title.translate(_SHEET_NAME_REFUSES)[:31])
    for index, width in enumerate(table.widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, title_font = Font(bold=True), Font(bold=True, size=14)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")

    def cell(value, font=None, fill=None, alignment=None):
        value = safe_cell(_plain(value))
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        made = WriteOnlyCell(sheet, value=None if value == "" else value)
        if isinstance(value, str) and value:
            made.data_type = "s"  # text is text: never a formula, whatever it starts with
        if isinstance(value, date):
            made.number_format = TIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        if font is not None:
            made.font = font
        if fill is not None:
            made.fill = fill
        if alignment is not None:
            made.alignment = alignment
        return made

    # a streaming sheet writes its settings with the first row: set them all before any row
    header_row = len(table.heading) + 2 if table.heading else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    if table.heading:
        for index, line in enumerate(table.heading):
            font = title_font if index == table.emphasis else None
            sheet.append([cell(v, font=font) for v in line])
        sheet.append([])
    sheet.append([cell(c, font=bold, fill=header_fill) for c in table.columns])
    for row in table.rows:
        sheet.append([cell(v, alignment=wrap) for v in row])


# ---------------------------------------------------------------- a zip of CSV files


def to_csv_zip(named_tables: Sequence[tuple[str, Table]]) -> bytes:
    """(file name, table) pairs as a zip of CSV files, each written as `to_csv` writes one.
    The files carry a fixed time, so the same tables always make the same bytes."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in named_tables:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, to_csv(table))
    return buffer.getvalue()


def write(table: Table, fmt: str) -> bytes:
    """`fmt` is "csv" or "xlsx"."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    raise ValueError(f"Unknown table format {fmt!r}")


__all__ = ["Table", "to_csv", "to_csv_zip", "to_xlsx", "to_xlsx_book", "write"]
