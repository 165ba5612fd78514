"""Reading a table from an uploaded ODS, XLSX or CSV file, row by row.

Each reader yields (row number as a spreadsheet shows it, [cells]) with a cell being text, a
date for a date cell, or None/"" when empty, and calls `progress(fraction)` now and then.

ODS and XLSX are both zips of XML: the sheet's XML is streamed out of the zip a megabyte at a
time and the rows and cells are picked out with string searches, a row at a time. That keeps
CQC's national file (320,000 rows) under 100 MB. python-calamine, tried first, loads the whole
sheet into memory before giving the first row: about 2 GB for the national ODS and 900 MB for
the same table as XLSX, against a budget of 500 MB.

A hostile file cannot exhaust the server: zips are opened through `domain.safe_zip` (member
count, declared and actual sizes and ratios checked, members inflated a chunk at a time), the
sheet's XML is read a row at a time with caps on a row's length, its cells and a cell's text
(a row with no end is refused, not buffered), a DTD is refused (the reader expands no entity),
XLSX shared strings (held in memory) have a tight cap, CSV lines and cells are capped, and no
file may have more rows than `MAX_ROWS`. Each refusal names the file and the reason.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from qa_app.domain import safe_zip
from qa_app.services.table_files.common import (  # noqa: F401 (the limits, named here too)
    MAX_CELL_CHARS,
    MAX_CELLS_PER_ROW,
    MAX_COLUMNS,
    MAX_PART_BYTES,
    MAX_REPEATED_ROWS,
    MAX_ROW_CHARS,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_BYTES,
    SPREADSHEET_LIMITS,
    Progress,
    Rows,
    UnreadableFile,
    open_archive,
    unsafe,
)
from qa_app.services.table_files.csv_rows import csv_rows
from qa_app.services.table_files.ods_rows import ods_rows
from qa_app.services.table_files.xlsx_rows import xlsx_rows


def kind_of(path: Path, filename: str) -> str:
    """ "ods", "xlsx" or "csv", from what the file holds (its name only breaks a tie)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PK\x03\x04":
        with ExitStack() as stack:
            names = set(open_archive(stack, path, filename).namelist())
        if "content.xml" in names:
            return "ods"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnreadableFile(f"{filename} is not an ODS, XLSX or CSV spreadsheet")
    if filename.lower().endswith((".ods", ".xlsx", ".xls")):
        raise UnreadableFile(f"{filename} is not an ODS, XLSX or CSV spreadsheet")
    return "csv"


def read_rows(path: Path, filename: str, sheet: str, progress: Progress = None) -> Rows:
    kind = kind_of(path, filename)
    if kind == "ods":
        rows = ods_rows(path, filename, sheet, progress)
    elif kind == "xlsx":
        rows = xlsx_rows(path, filename, sheet, progress)
    else:
        rows = csv_rows(path, filename, progress)
    return _within_limits(rows, filename)


def _within_limits(rows: Rows, filename: str) -> Rows:
    number = 0
    try:
        for number, cells in rows:
            if number > MAX_ROWS:
                raise UnreadableFile(
                    f"{filename} has more than {MAX_ROWS:,} rows: CQC's national file has "
                    "about 320,000"
                )
            yield number, cells
    except safe_zip.ZipRefused as refused:
        raise unsafe(filename, refused) from None
    except UnreadableFile:
        raise
    except (ValueError, IndexError, OverflowError):  # a value no spreadsheet program writes
        raise UnreadableFile(
            f"{filename} cannot be read after row {number}: check that it is CQC's file, "
            "saved by a spreadsheet program"
        ) from None
