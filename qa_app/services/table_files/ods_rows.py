"""ODS: content.xml streamed out of the zip, a row at a time."""

from __future__ import annotations

import re
from contextlib import ExitStack
from datetime import date
from html import unescape
from pathlib import Path

from qa_app.services.table_files.common import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_REPEATED_ROWS,
    MAX_ROW_CHARS,
    MAX_ROWS,
    Progress,
    Rows,
    UnreadableFile,
    cell_elements,
    check_cell_count,
    check_cell_text,
    drop,
    open_archive,
    sheet_text,
    unended_row,
    whole_number,
    without_trailing_empty,
)

_TABLE = re.compile(r"<table:table\b([^<>]*)>")
_TABLE_NAME = re.compile(r'table:name="([^"]*)"')
_CELL_START = re.compile(r"<table:(?:covered-)?table-cell\b")
_REPEAT_COLUMNS = re.compile(r'table:number-columns-repeated="(\d+)"')
_REPEAT_ROWS = re.compile(r'table:number-rows-repeated="(\d+)"')
_DATE_VALUE = re.compile(r'office:date-value="(\d{4}-\d{2}-\d{2})')
#: The usual cell: its attributes, and "" (no text) or "<text:p>" and its text. No match
#: scans past the cell's end: attributes hold no "<" or ">", text no "<". (Greedy: a lazy
#: `*?` tries the rest of the pattern at every character, three times slower.)
_SIMPLE_CELL = re.compile(
    r"<table:(?:covered-)?table-cell([^<>]*)"
    r"(?:>(?:(<text:p>[^<]*)</text:p>)?</table:(?:covered-)?table-cell>|/>)"
)
_SIMPLE_TEXT = re.compile(r"^<text:p(?: [^>]*)?>([^<]*)</text:p>$")
_SPACES = re.compile(r'<text:s(?: text:c="(\d+)")?\s*/>')
_ANNOTATION_START = re.compile(r"<office:annotation\b")
_ANNOTATION_END = re.compile(r"</office:annotation>")
_TAG = re.compile(r"<[^<>]*>")
_ROW_START = re.compile(r"<table:table-row[\s>/]")
_ROW_END = "</table:table-row>"


def _ods_text(inner: str) -> str:
    simple = _SIMPLE_TEXT.match(inner)
    if simple:
        text = simple[1]
    else:
        inner = drop(inner, _ANNOTATION_START, _ANNOTATION_END)
        inner = _SPACES.sub(lambda m: " " * int(m[1] or 1), inner)
        inner = inner.replace("<text:tab/>", "\t").replace("<text:line-break/>", "\n")
        inner = inner.replace("</text:p><text:p>", "\n")
        text = _TAG.sub("", inner)
    return unescape(text) if "&" in text else text


def _ods_value(attributes: str, inner: str | None):
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
    """A row's cells. The usual cells (empty, or one paragraph of plain text; repeated or
    not) are picked out by one pattern over the whole row; a row with any other cell (several
    paragraphs, formatted text, a comment) is read a cell at a time instead."""
    simple = _SIMPLE_CELL.findall(body)
    if len(simple) != body.count("<table:table-cell") + body.count("<table:covered-table-cell"):
        return _ods_cells_general(body)
    cells: list = []
    for attributes, paragraph in simple:
        if paragraph:
            text = paragraph[8:]  # after "<text:p>"
            value = unescape(text) if "&" in text else text
        else:
            value = None
        if attributes:
            if "date-value" in attributes and (found := _DATE_VALUE.search(attributes)):
                value = date.fromisoformat(found[1])
            if "repeated" in attributes and (repeated := _REPEAT_COLUMNS.search(attributes)):
                repeat = whole_number(repeated[1], MAX_COLUMNS) or 1
                cells.extend([value] * min(repeat, MAX_COLUMNS - len(cells)))
                if len(cells) >= MAX_COLUMNS:
                    break
                continue
        cells.append(value)
    del cells[MAX_COLUMNS:]
    return without_trailing_empty(cells)


def _ods_cells_general(body: str) -> list:
    cells: list = []
    for attributes, inner in cell_elements(body, _CELL_START):
        value = _ods_value(attributes, inner)
        repeated = _REPEAT_COLUMNS.search(attributes) if "repeated" in attributes else None
        repeat = (whole_number(repeated[1], MAX_COLUMNS) or 1) if repeated else 1
        cells.extend([value] * min(repeat, MAX_COLUMNS - len(cells)))
        if len(cells) >= MAX_COLUMNS:
            break
    return without_trailing_empty(cells)


def _rows_repeated(attributes: str) -> int:
    if "rows-repeated" not in attributes:
        return 1
    repeated = _REPEAT_ROWS.search(attributes)
    return (whole_number(repeated[1], MAX_ROWS + 1) or 1) if repeated else 1


def _empty_rows(piece: str, elements: int, before: int) -> int:
    """How many rows `elements` self-closing row elements stand for (each once, or as often as
    its number-rows-repeated says), counted in one scan of the text before `before`."""
    return elements + sum(
        (whole_number(repeat, MAX_ROWS + 1) or 1) - 1
        for repeat in _REPEAT_ROWS.findall(piece, 0, before)
    )


def ods_rows(path: Path, filename: str, sheet: str, progress: Progress) -> Rows:
    with ExitStack() as stack:
        archive = open_archive(stack, path, filename)
        if "content.xml" not in archive.namelist():
            raise UnreadableFile(f"{filename} is not an ODS spreadsheet")
        buffer, found, number = "", False, 0
        for text, last_chunk in sheet_text(archive, "content.xml", filename, progress):
            buffer += text
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
                        check_cell_count(
                            filename,
                            number + 1,
                            piece.count("<table:table-cell")
                            + piece.count("<table:covered-table-cell"),
                        )
                    cells = _ods_cells(piece[end + 1 :])
                    if long_row:
                        check_cell_text(filename, number + 1, cells)
                    if not cells:
                        number += repeat
                        continue
                    if repeat > MAX_REPEATED_ROWS:
                        raise UnreadableFile(
                            f"{filename} row {number + 1} is repeated more than "
                            f"{MAX_REPEATED_ROWS:,} times (table:number-rows-repeated)"
                        )
                    for _ in range(repeat):
                        number += 1
                        yield number, cells
                buffer = buffer[last + len(_ROW_END) :]
            if end_of_table >= 0 or last_chunk:
                return
            if len(buffer) > MAX_ROW_CHARS:
                raise unended_row(filename, number + 1)
