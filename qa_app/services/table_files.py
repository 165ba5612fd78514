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

import codecs
import csv
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from html import unescape
from pathlib import Path

from qa_app.domain import safe_zip

Progress = Callable[[float], None] | None
Rows = Iterator[tuple[int, list]]


class UnreadableFile(ValueError):
    """The file is not a table this import can read (the message says why)."""


# ---------------------------------------------------------------- limits

#: CQC's national table has about 320,000 rows.
MAX_ROWS = 1_000_000
#: The sheet's XML, streamed: the national table's content.xml is 832 MB (28 columns; its
#: XLSX sheet 538 MB), and `MAX_ROWS` such rows take about 2,600 MB.
MAX_SHEET_BYTES = 3_000_000_000
#: XLSX shared strings are held in memory while the sheet is read: the national table saved
#: by Excel has about 150,000 different texts in 5 MB of XML.
MAX_SHARED_STRINGS_BYTES = 32_000_000
MAX_SHARED_STRINGS = 1_000_000
#: Other parts read whole (workbook.xml, its relationships, styles.xml): kilobytes in practice.
MAX_PART_BYTES = 8_000_000
#: One row's XML, or one CSV line: the national table's rows take 2.6 KB. A row that has not
#: ended by then (a sheet with no closing </row>) is refused rather than buffered.
MAX_ROW_CHARS = 1_000_000
#: Excel's and LibreOffice's limits on columns and on the text of one cell.
MAX_CELLS_PER_ROW = 16_384
MAX_CELL_CHARS = 32_767
SPREADSHEET_LIMITS = safe_zip.ZipLimits(
    members=1_000,
    directory_bytes=1_000_000,
    total_bytes=MAX_SHEET_BYTES + MAX_SHARED_STRINGS_BYTES + 100_000_000,
)


def _refused(filename: str, refused: safe_zip.ZipRefused) -> UnreadableFile:
    return UnreadableFile(f"{filename} cannot be read safely: {refused}")


def _open_archive(stack: ExitStack, path: Path, filename: str) -> zipfile.ZipFile:
    try:
        return stack.enter_context(
            safe_zip.open_archive(stack.enter_context(open(path, "rb")), SPREADSHEET_LIMITS)
        )
    except safe_zip.ZipRefused as refused:
        raise _refused(filename, refused) from None


def kind_of(path: Path, filename: str) -> str:
    """ "ods", "xlsx" or "csv", from what the file holds (its name only breaks a tie)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PK\x03\x04":
        with ExitStack() as stack:
            names = set(_open_archive(stack, path, filename).namelist())
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
        rows = _ods_rows(path, filename, sheet, progress)
    elif kind == "xlsx":
        rows = _xlsx_rows(path, filename, sheet, progress)
    else:
        rows = _csv_rows(path, filename, progress)
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
        raise _refused(filename, refused) from None
    except UnreadableFile:
        raise
    except (ValueError, IndexError, OverflowError):  # a value no spreadsheet program writes
        raise UnreadableFile(
            f"{filename} cannot be read after row {number}: check that it is CQC's file, "
            "saved by a spreadsheet program"
        ) from None


def _check_cell_count(filename: str, number: int, cell_count: int) -> None:
    """Before a long row's cells are read (a row shorter than MAX_CELL_CHARS cannot hold more
    than MAX_CELLS_PER_ROW cells, nor a cell longer than MAX_CELL_CHARS)."""
    if cell_count > MAX_CELLS_PER_ROW:
        raise UnreadableFile(f"{filename} row {number} has more than {MAX_CELLS_PER_ROW:,} cells")


def _check_cell_text(filename: str, number: int, cells: list) -> None:
    if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
        raise UnreadableFile(
            f"{filename} row {number}: a cell is longer than {MAX_CELL_CHARS:,} characters"
        )


def _unended_row(filename: str, number: int) -> UnreadableFile:
    return UnreadableFile(
        f"{filename} row {number} is longer than {MAX_ROW_CHARS:,} characters, or never ends"
    )


def _xml_text(
    archive: zipfile.ZipFile, part: str, max_bytes: int, filename: str
) -> Iterator[tuple[str, bool]]:
    """A part's XML decoded a chunk at a time, as (text, last). A DTD is refused: the reader
    expands no entity, and no spreadsheet program writes one."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    first = True
    for data in safe_zip.stream_member(archive, part, max_bytes):
        text = decoder.decode(data)
        if first:
            first = False
            if "<!DOCTYPE" in text or "<!ENTITY" in text:
                raise UnreadableFile(
                    f"{filename} cannot be read safely: {part} declares a DTD (<!DOCTYPE>), "
                    "which spreadsheets never need"
                )
        yield text, False
    yield decoder.decode(b"", final=True), True


def _last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    found = deque(pattern.finditer(text), maxlen=1)
    return found[0] if found else None


def _read_part(archive: zipfile.ZipFile, part: str, filename: str) -> str:
    return "".join(text for text, _ in _xml_text(archive, part, MAX_PART_BYTES, filename))


# ---------------------------------------------------------------- CSV


class _LineTooLong(Exception):
    pass


def _lines(f) -> Iterator[str]:
    """The file's lines, none longer than MAX_ROW_CHARS (so a line with no end is never held
    whole)."""
    while line := f.readline(MAX_ROW_CHARS + 1):
        if len(line) > MAX_ROW_CHARS:
            raise _LineTooLong
        yield line


def _csv_rows(path: Path, filename: str, progress: Progress) -> Rows:
    size = max(1, path.stat().st_size)
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(_lines(f))  # csv's own field limit (128 KB) stays as it is
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                if progress and number % 20000 == 0:
                    # open() gives a buffered reader, which has tell(); the stubs' type does not
                    progress(min(0.99, f.buffer.tell() / size))  # type: ignore[attr-defined]
                if max(map(len, cells), default=0) > MAX_CELL_CHARS:
                    _check_cell_count(filename, number, len(cells))
                    _check_cell_text(filename, number, cells)
                yield number, cells
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"{filename} is not UTF-8 text after row {number}: save it as “CSV UTF-8”"
            ) from None
        except _LineTooLong:
            raise _unended_row(filename, number + 1) from None
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise UnreadableFile(
                    f"{filename} row {number + 1}: a cell is longer than "
                    f"{MAX_CELL_CHARS:,} characters"
                ) from None
            raise UnreadableFile(f"{filename} row {number + 1}: {error}") from None


# ---------------------------------------------------------------- XLSX

# No pattern here may scan past the next tag while failing: a tag's attributes never hold "<",
# so `[^<>]` keeps every match attempt short, and elements are cut out by searching forwards
# (`_drop`, `_cells`) rather than with `.*?`, which rescans to the end for each unended one.
_XLSX_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^<>]*?)/?>")
_XLSX_REL = re.compile(r"<(?:\w+:)?Relationship\b([^<>]*?)/?>")
_ATTRIBUTE = re.compile(r'(?<![\w:])([\w:]+)="([^"]*)"')
_XLSX_SI = re.compile(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.S)
_XLSX_SI_END = re.compile(r"</(?:\w+:)?si>")
_XLSX_CELL_START = re.compile(r"<(?:\w+:)?c\b")
_XLSX_T = re.compile(r"<(?:\w+:)?t(?:\s[^<>]*)?>([^<]*)</(?:\w+:)?t>")
_XLSX_RPH_START = re.compile(r"<(?:\w+:)?rPh\b")
_XLSX_RPH_END = re.compile(r"</(?:\w+:)?rPh>")
_XLSX_ROW_START = re.compile(r"<(?:\w+:)?row\b([^<>]*?)(/?)>")
_XLSX_V = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_XLSX_NUMFMT = re.compile(r"<(?:\w+:)?numFmt\b([^<>]*)")
_XLSX_XFS_START = re.compile(r"<(?:\w+:)?cellXfs\b")
_XLSX_XFS_END = re.compile(r"</(?:\w+:)?cellXfs>")
_XLSX_XF = re.compile(r"<(?:\w+:)?xf\b([^<>]*)")
_BUILT_IN_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
_EXCEL_EPOCH = date(1899, 12, 30)


def _attributes(text: str) -> dict[str, str]:
    return {name.rsplit(":", 1)[-1]: unescape(value) for name, value in _ATTRIBUTE.findall(text)}


def _drop(text: str, start: re.Pattern, end: re.Pattern) -> str:
    """`text` without the elements from `start` to `end` (one with no end: to the end of the
    text), found in one pass forwards."""
    kept, at = [], 0
    while found := start.search(text, at):
        kept.append(text[at : found.start()])
        closed = end.search(text, found.end())
        if closed is None:
            return "".join(kept)
        at = closed.end()
    kept.append(text[at:])
    return "".join(kept)


def _cells(body: str, start: re.Pattern) -> Iterator[tuple[str, str | None]]:
    """(attributes, inner XML or None) of each cell element in a row's XML, cut at each cell's
    start tag, so a cell with no end tag costs no more than its own text."""
    for part in start.split(body)[1:]:
        end = part.find(">")
        if end < 0:
            yield part, None
        elif end > 0 and part[end - 1] == "/":
            yield part[: end - 1], None
        else:
            close = part.rfind("</")
            yield part[:end], part[end + 1 : close] if close > end else part[end + 1 :]


def _whole_number(text: str | None, too_large: int) -> int | None:
    """A count or position from the file: None if it is not one, `too_large` if it has more
    than 9 digits (Python refuses to convert numbers of thousands of digits)."""
    if not text or not text.isascii() or not text.isdecimal():
        return None
    return int(text) if len(text) <= 9 else too_large


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def _xlsx_parts(archive: zipfile.ZipFile, filename: str, sheet: str):
    names = set(archive.namelist())
    workbook = _read_part(archive, "xl/workbook.xml", filename)
    relation = None
    for found in _XLSX_SHEET.finditer(workbook):
        attributes = _attributes(found[1])
        if attributes.get("name") == sheet:
            relation = attributes.get("id")
    if relation is None:
        raise UnreadableFile(f"{filename} has no sheet named {sheet}")
    rels = _read_part(archive, "xl/_rels/workbook.xml.rels", filename)
    target = None
    for found in _XLSX_REL.finditer(rels):
        attributes = _attributes(found[1])
        if attributes.get("Id") == relation:
            target = attributes.get("Target", "")
    if not target:
        raise UnreadableFile(f"{filename} has no sheet named {sheet}")
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    if path not in names:
        raise UnreadableFile(f"{filename}: the {sheet} sheet is missing from the file")
    strings = _shared_strings(archive, filename) if "xl/sharedStrings.xml" in names else []
    dates: set[int] = set()
    if "xl/styles.xml" in names:
        styles = _read_part(archive, "xl/styles.xml", filename)
        custom = set()
        for tag in _XLSX_NUMFMT.findall(styles):
            attributes = _attributes(tag)
            number = _whole_number(attributes.get("numFmtId"), -1)
            if number is not None and _is_date_format(attributes.get("formatCode", "")):
                custom.add(number)
        xfs = ""
        if xfs_start := _XLSX_XFS_START.search(styles):
            xfs_end = _XLSX_XFS_END.search(styles, xfs_start.end())
            xfs = styles[xfs_start.end() : xfs_end.start() if xfs_end else len(styles)]
        for index, xf in enumerate(_XLSX_XF.findall(xfs)):
            number = _whole_number(_attributes(xf).get("numFmtId", "0"), -1)
            if number in _BUILT_IN_DATE_FORMATS or number in custom:
                dates.add(index)
    return path, strings, dates


def _shared_strings(archive: zipfile.ZipFile, filename: str) -> list[str]:
    """The shared strings, which must be held while the sheet is read: counted first without
    keeping anything (each item has a <si> and a </si>), then streamed an item at a time; at
    most MAX_SHARED_STRINGS of them, none longer than MAX_CELL_CHARS."""
    part = "xl/sharedStrings.xml"
    too_many = UnreadableFile(
        f"{filename} cannot be read safely: {part} holds more than {MAX_SHARED_STRINGS:,} texts"
    )
    texts = _xml_text(archive, part, MAX_SHARED_STRINGS_BYTES, filename)
    if sum(text.count("si>") for text, _ in texts) > 2 * MAX_SHARED_STRINGS:
        raise too_many
    strings: list[str] = []
    buffer = ""
    for text, _last in _xml_text(archive, part, MAX_SHARED_STRINGS_BYTES, filename):
        buffer += text
        ends = _last_match(_XLSX_SI_END, buffer)
        if ends is not None:
            items = _XLSX_SI.findall(buffer, 0, ends.end())
            if len(strings) + len(items) > MAX_SHARED_STRINGS:
                raise too_many
            for item in items:
                if item.startswith("<t>") and item.endswith("</t>") and item.count("<") == 2:
                    joined = item[3:-4]  # the usual item: one run of plain text
                else:
                    joined = "".join(_XLSX_T.findall(_drop(item, _XLSX_RPH_START, _XLSX_RPH_END)))
                if len(joined) > MAX_CELL_CHARS:
                    raise UnreadableFile(
                        f"{filename}: a text in {part} is longer than {MAX_CELL_CHARS:,} characters"
                    )
                strings.append(unescape(joined) if "&" in joined else joined)
            buffer = buffer[ends.end() :]
        if len(buffer) > MAX_ROW_CHARS:
            raise UnreadableFile(
                f"{filename}: a text in {part} is longer than {MAX_ROW_CHARS:,} characters, "
                "or never ends"
            )
    return strings


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\[\]]*\]|\\.', "", code).lower()
    return any(c in code for c in "dy") or ("m" in code and ("h" not in code and "s" not in code))


def _attribute(attributes: str, name: str) -> str | None:
    """One attribute's value, found with plain string searches (cells are many)."""
    at = attributes.find(f' {name}="')
    if at < 0:
        return None
    start = at + len(name) + 3
    return attributes[start : attributes.find('"', start)]


def _xlsx_value(attributes: str, inner: str | None, strings: list[str], dates: set[int]):
    if not inner:
        return None
    kind = _attribute(attributes, "t") or "n"
    if kind == "inlineStr":
        text = "".join(_XLSX_T.findall(inner))
        return unescape(text) if "&" in text else text
    value = _XLSX_V.search(inner)
    if value is None:
        return None
    raw = value[1]
    if kind == "s":
        index = _whole_number(raw, len(strings))
        return strings[index] if index is not None and index < len(strings) else None
    if kind in ("str", "e"):
        return unescape(raw) if "&" in raw else raw
    if kind == "b":
        return "TRUE" if raw == "1" else "FALSE"
    if kind == "d":
        return date.fromisoformat(raw[:10])
    try:
        number = float(raw)
    except ValueError:
        return raw
    style = _whole_number(_attribute(attributes, "s"), -1)
    if style is not None and style in dates:
        return _EXCEL_EPOCH + timedelta(days=int(number))
    return str(int(number)) if number.is_integer() else raw


def _xlsx_rows(path: Path, filename: str, sheet: str, progress: Progress) -> Rows:
    """The sheet's XML streamed from the zip; shared strings and which styles are dates are
    read first (small parts of the file)."""
    with ExitStack() as stack:
        archive = _open_archive(stack, path, filename)
        try:
            sheet_path, strings, dates = _xlsx_parts(archive, filename, sheet)
            size = max(1, archive.getinfo(sheet_path).file_size)
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            if isinstance(error, UnreadableFile | safe_zip.ZipRefused):
                raise
            raise UnreadableFile(f"{filename} is not an XLSX spreadsheet") from None
        buffer, chunks, number = "", 0, 0
        row_end = re.compile(r"</(?:\w+:)?row>")
        for text, last_chunk in _xml_text(archive, sheet_path, MAX_SHEET_BYTES, filename):
            buffer += text
            chunks += 1
            if progress and chunks % 8 == 0:
                progress(min(0.99, chunks * _CHUNK / size))
            last = _last_match(row_end, buffer)
            if last is not None:
                for piece in row_end.split(buffer[: last.start()]):
                    starts = list(_XLSX_ROW_START.finditer(piece))
                    if not starts or starts[-1][2] == "/":
                        continue
                    start = starts[-1]
                    reference = _whole_number(_attributes(start[1]).get("r"), MAX_ROWS + 1)
                    number = reference if reference is not None else number + 1
                    long_row = len(piece) > MAX_CELL_CHARS
                    if long_row:
                        _check_cell_count(filename, number, len(_XLSX_CELL_START.findall(piece)))
                    cells: list = []
                    for attributes, inner in _cells(piece[start.end() :], _XLSX_CELL_START):
                        where = _attribute(attributes, "r")
                        if where:
                            position = _column_index(where)
                            if position >= MAX_COLUMNS:
                                continue
                            cells.extend([None] * (position - len(cells)))
                        cells.append(_xlsx_value(attributes, inner, strings, dates))
                    if long_row:
                        _check_cell_text(filename, number, cells)
                    while cells and cells[-1] in (None, ""):
                        cells.pop()
                    if cells:
                        yield number, cells
                buffer = buffer[last.end() :]
            if len(buffer) > MAX_ROW_CHARS:
                raise _unended_row(filename, number + 1)
            if last_chunk:
                return


# ---------------------------------------------------------------- ODS

_TABLE = re.compile(r"<table:table\b([^<>]*)>")
_TABLE_NAME = re.compile(r'table:name="([^"]*)"')
_CELL_START = re.compile(r"<table:(?:covered-)?table-cell\b")
_REPEAT_COLUMNS = re.compile(r'table:number-columns-repeated="(\d+)"')
_REPEAT_ROWS = re.compile(r'table:number-rows-repeated="(\d+)"')
_DATE_VALUE = re.compile(r'office:date-value="(\d{4}-\d{2}-\d{2})')
_SIMPLE_TEXT = re.compile(r"^<text:p(?: [^>]*)?>([^<]*)</text:p>$")
_SPACES = re.compile(r'<text:s(?: text:c="(\d+)")?\s*/>')
_ANNOTATION_START = re.compile(r"<office:annotation\b")
_ANNOTATION_END = re.compile(r"</office:annotation>")
_TAG = re.compile(r"<[^<>]*>")
_ROW_START = re.compile(r"<table:table-row[\s>/]")
_ROW_END = "</table:table-row>"
_CHUNK = safe_zip.CHUNK
#: Cells beyond this many columns are ignored (spreadsheets pad rows with empty repeats).
MAX_COLUMNS = 200


def _ods_text(inner: str) -> str:
    simple = _SIMPLE_TEXT.match(inner)
    if simple:
        text = simple[1]
    else:
        inner = _drop(inner, _ANNOTATION_START, _ANNOTATION_END)
        inner = _SPACES.sub(lambda m: " " * int(m[1] or 1), inner)
        inner = inner.replace("<text:tab/>", "\t").replace("<text:line-break/>", "\n")
        inner = inner.replace("</text:p><text:p>", "\n")
        text = _TAG.sub("", inner)
    return unescape(text) if "&" in text else text


def _ods_value(attributes: str, inner: str):
    if "date-value" in attributes:
        found = _DATE_VALUE.search(attributes)
        if found:
            return date.fromisoformat(found[1])
    if not inner:
        return None
    if inner.startswith("<text:p>") and inner.endswith("</text:p>") and inner.count("<") == 2:
        text = inner[8:-9]
        return unescape(text) if "&" in text else text
    return _ods_text(inner)


def _ods_cells(body: str) -> list:
    if "repeated" in body or "covered-table-cell" in body:
        return _ods_cells_general(body)
    cells: list = []
    for piece in body.split("<table:table-cell")[1:]:  # the fast path: one cell per element
        end = piece.find(">")
        if piece[end - 1] == "/":
            cells.append(None)
            continue
        cells.append(_ods_value(piece[:end], piece[end + 1 : piece.rfind("</table:table-cell>")]))
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def _ods_cells_general(body: str) -> list:
    cells: list = []
    for attributes, inner in _cells(body, _CELL_START):
        value = _ods_value(attributes, inner)
        repeated = _REPEAT_COLUMNS.search(attributes) if "repeated" in attributes else None
        repeat = (_whole_number(repeated[1], MAX_COLUMNS) or 1) if repeated else 1
        cells.extend([value] * min(repeat, MAX_COLUMNS - len(cells)))
        if len(cells) >= MAX_COLUMNS:
            break
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def _rows_repeated(attributes: str) -> int:
    if "rows-repeated" not in attributes:
        return 1
    repeated = _REPEAT_ROWS.search(attributes)
    return (_whole_number(repeated[1], MAX_ROWS + 1) or 1) if repeated else 1


def _empty_rows(piece: str, elements: int, before: int) -> int:
    """How many rows `elements` self-closing row elements stand for (each once, or as often as
    its number-rows-repeated says), counted in one scan of the text before `before`."""
    return elements + sum(
        (_whole_number(repeat, MAX_ROWS + 1) or 1) - 1
        for repeat in _REPEAT_ROWS.findall(piece, 0, before)
    )


def _ods_rows(path: Path, filename: str, sheet: str, progress: Progress) -> Rows:
    with ExitStack() as stack:
        archive = _open_archive(stack, path, filename)
        if "content.xml" not in archive.namelist():
            raise UnreadableFile(f"{filename} is not an ODS spreadsheet")
        size = max(1, archive.getinfo("content.xml").file_size)
        buffer, found, number, chunks = "", False, 0, 0
        for text, last_chunk in _xml_text(archive, "content.xml", MAX_SHEET_BYTES, filename):
            buffer += text
            chunks += 1
            if progress and chunks % 8 == 0:
                progress(min(0.99, chunks * _CHUNK / size))
            if not found:
                for table in _TABLE.finditer(buffer):
                    name = _TABLE_NAME.search(table[1])
                    if name and unescape(name[1]) == sheet:
                        buffer, found = buffer[table.end() :], True
                        break
                else:
                    if last_chunk:
                        raise UnreadableFile(f"{filename} has no sheet named {sheet}")
                    buffer = buffer[-2000:]
                    continue
            end_of_table = buffer.find("</table:table>")
            limit = end_of_table if end_of_table >= 0 else len(buffer)
            last = buffer.rfind(_ROW_END, 0, limit)
            if last >= 0:
                for piece in buffer[:last].split(_ROW_END):
                    starts = list(_ROW_START.finditer(piece))
                    if not starts:
                        continue
                    if len(starts) > 1:  # self-closing (empty) rows before this one
                        number += _empty_rows(piece, len(starts) - 1, starts[-1].start())
                    start = starts[-1].end() - 1
                    end = piece.find(">", start)
                    repeat = _rows_repeated(piece[start:end])
                    long_row = len(piece) > MAX_CELL_CHARS
                    if long_row:
                        _check_cell_count(
                            filename,
                            number + 1,
                            piece.count("<table:table-cell")
                            + piece.count("<table:covered-table-cell"),
                        )
                    cells = _ods_cells(piece[end + 1 :])
                    if long_row:
                        _check_cell_text(filename, number + 1, cells)
                    if not cells:
                        number += repeat
                        continue
                    for _ in range(min(repeat, 10_000)):
                        number += 1
                        yield number, cells
                buffer = buffer[last + len(_ROW_END) :]
            if end_of_table >= 0 or last_chunk:
                return
            if len(buffer) > MAX_ROW_CHARS:
                raise _unended_row(filename, number + 1)
