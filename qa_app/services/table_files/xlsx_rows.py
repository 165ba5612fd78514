"""XLSX: the sheet's XML streamed out of the zip, with its shared strings (held in memory,
under a tight cap) and its date styles."""

from __future__ import annotations

import re
import zipfile
from contextlib import ExitStack
from datetime import date, timedelta
from functools import lru_cache
from html import unescape
from pathlib import Path

from qa_app.domain import safe_zip
from qa_app.services.table_files.common import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROW_CHARS,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    Progress,
    Rows,
    UnreadableFile,
    cell_elements,
    check_cell_count,
    check_cell_text,
    drop,
    last_match,
    open_archive,
    read_part,
    sheet_text,
    unended_row,
    whole_number,
    without_trailing_empty,
    xml_text,
)

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
#: The usual cell: column letters, style, type, and "" (no value) or "<v>" and its text.
#: No match scans past the cell's end (attribute values hold no quote, <v> no "<").
_XLSX_USUAL_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?'
    r"(?:/>|>(?:(<v>[^<]*)</v>)?</c>)"
)
_BUILT_IN_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
_EXCEL_EPOCH = date(1899, 12, 30)


def _attributes(text: str) -> dict[str, str]:
    return {name.rsplit(":", 1)[-1]: unescape(value) for name, value in _ATTRIBUTE.findall(text)}


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


#: A column's letters (at most 18,278 different ones) to its index, remembered.
_column_of = lru_cache(maxsize=None)(_column_index)


def _xlsx_parts(archive: zipfile.ZipFile, filename: str, sheet: str):
    names = set(archive.namelist())
    workbook = read_part(archive, "xl/workbook.xml", filename)
    relation = None
    for found in _XLSX_SHEET.finditer(workbook):
        attributes = _attributes(found[1])
        if attributes.get("name") == sheet:
            relation = attributes.get("id")
    if relation is None:
        raise UnreadableFile(f"{filename} has no sheet named {sheet}")
    rels = read_part(archive, "xl/_rels/workbook.xml.rels", filename)
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
        styles = read_part(archive, "xl/styles.xml", filename)
        custom = set()
        for tag in _XLSX_NUMFMT.findall(styles):
            attributes = _attributes(tag)
            number = whole_number(attributes.get("numFmtId"), -1)
            if number is not None and _is_date_format(attributes.get("formatCode", "")):
                custom.add(number)
        xfs = ""
        if xfs_start := _XLSX_XFS_START.search(styles):
            xfs_end = _XLSX_XFS_END.search(styles, xfs_start.end())
            xfs = styles[xfs_start.end() : xfs_end.start() if xfs_end else len(styles)]
        for index, xf in enumerate(_XLSX_XF.findall(xfs)):
            number = whole_number(_attributes(xf).get("numFmtId", "0"), -1)
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
    texts = xml_text(archive, part, MAX_SHARED_STRINGS_BYTES, filename)
    if sum(text.count("si>") for text, _ in texts) > 2 * MAX_SHARED_STRINGS:
        raise too_many
    strings: list[str] = []
    buffer = ""
    for text, _last in xml_text(archive, part, MAX_SHARED_STRINGS_BYTES, filename):
        buffer += text
        ends = last_match(_XLSX_SI_END, buffer)
        if ends is not None:
            items = _XLSX_SI.findall(buffer, 0, ends.end())
            if len(strings) + len(items) > MAX_SHARED_STRINGS:
                raise too_many
            for item in items:
                if item.startswith("<t>") and item.endswith("</t>") and item.count("<") == 2:
                    joined = item[3:-4]  # the usual item: one run of plain text
                else:
                    joined = "".join(_XLSX_T.findall(drop(item, _XLSX_RPH_START, _XLSX_RPH_END)))
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
    return _typed(kind, value[1], _attribute(attributes, "s"), strings, dates)


def _typed(kind: str, raw: str, style: str | None, strings: list[str], dates: set[int]):
    """A cell's value from its type (`t`), its <v> text and its style (`s`)."""
    if kind == "s":
        index = whole_number(raw, len(strings))
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
    style_number = whole_number(style, -1)
    if style_number is not None and style_number in dates:
        return _EXCEL_EPOCH + timedelta(days=int(number))
    return str(int(number)) if number.is_integer() else raw


def _usual_cells(body: str, strings: list[str], dates: set[int]) -> list | None:
    """A row's cells when every cell is the usual one Excel and LibreOffice write (`r`, then
    perhaps `s` and `t`, then a <v> or nothing), picked out by one pattern over the row; None
    if any cell is otherwise (read a cell at a time instead)."""
    if ":c" in body:  # namespace prefixes
        return None
    usual = _XLSX_USUAL_CELL.findall(body)
    if len(usual) != body.count("<c ") + body.count("<c>") + body.count("<c/"):
        return None
    cells: list = []
    for letters, style, kind, raw in usual:
        position = _column_of(letters)
        if position >= MAX_COLUMNS:
            continue
        if position > len(cells):
            cells.extend([None] * (position - len(cells)))
        if not raw:
            cells.append(None)
        elif kind == "s":  # as whole_number would, without a call for each of 9 million cells
            text = raw[3:]  # after "<v>"
            index = int(text) if len(text) < 10 and text.isdecimal() and text.isascii() else -1
            cells.append(strings[index] if 0 <= index < len(strings) else None)
        else:
            cells.append(_typed(kind or "n", raw[3:], style or None, strings, dates))
    return cells


def _cells_one_by_one(body: str, strings: list[str], dates: set[int]) -> list:
    cells: list = []
    for attributes, inner in cell_elements(body, _XLSX_CELL_START):
        where = _attribute(attributes, "r")
        if where:
            position = _column_index(where)
            if position >= MAX_COLUMNS:
                continue
            cells.extend([None] * (position - len(cells)))
        cells.append(_xlsx_value(attributes, inner, strings, dates))
    return cells


def xlsx_rows(path: Path, filename: str, sheet: str, progress: Progress) -> Rows:
    """The sheet's XML streamed from the zip; shared strings and which styles are dates are
    read first (small parts of the file)."""
    with ExitStack() as stack:
        archive = open_archive(stack, path, filename)
        try:
            sheet_path, strings, dates = _xlsx_parts(archive, filename, sheet)
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            if isinstance(error, UnreadableFile | safe_zip.ZipRefused):
                raise
            raise UnreadableFile(f"{filename} is not an XLSX spreadsheet") from None
        buffer, number = "", 0
        row_end = re.compile(r"</(?:\w+:)?row>")
        for text, last_chunk in sheet_text(archive, sheet_path, filename, progress):
            buffer += text
            last = last_match(row_end, buffer)
            if last is not None:
                for piece in row_end.split(buffer[: last.start()]):
                    starts = list(_XLSX_ROW_START.finditer(piece))
                    if not starts or starts[-1][2] == "/":
                        continue
                    start = starts[-1]
                    reference = whole_number(_attributes(start[1]).get("r"), MAX_ROWS + 1)
                    number = reference if reference is not None else number + 1
                    long_row = len(piece) > MAX_CELL_CHARS
                    if long_row:
                        check_cell_count(filename, number, len(_XLSX_CELL_START.findall(piece)))
                    body = piece[start.end() :]
                    cells = _usual_cells(body, strings, dates)
                    if cells is None:
                        cells = _cells_one_by_one(body, strings, dates)
                    if long_row:
                        check_cell_text(filename, number, cells)
                    cells = without_trailing_empty(cells)
                    if cells:
                        yield number, cells
                buffer = buffer[last.end() :]
            if len(buffer) > MAX_ROW_CHARS:
                raise unended_row(filename, number + 1)
            if last_chunk:
                return
