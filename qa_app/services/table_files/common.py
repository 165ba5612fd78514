"""What every reader shares: the limits (sized from CQC's national file), the refusal, the
zip opened safely, and the sheet's XML read a chunk and a tag at a time."""

from __future__ import annotations

import codecs
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack
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
#: An ODS row with cells, repeated (`table:number-rows-repeated`) more often than this, is
#: refused: LibreOffice collapses equal neighbouring rows, but no real table repeats a row of
#: data thousands of times (empty rows may repeat to the sheet's end: they are skipped).
MAX_REPEATED_ROWS = 10_000
#: Cells beyond this many columns are ignored (spreadsheets pad rows with empty repeats).
MAX_COLUMNS = 200


def unsafe(filename: str, refused: safe_zip.ZipRefused) -> UnreadableFile:
    return UnreadableFile(f"{filename} cannot be read safely: {refused}")


def open_archive(stack: ExitStack, path: Path, filename: str) -> zipfile.ZipFile:
    try:
        return stack.enter_context(
            safe_zip.open_archive(stack.enter_context(open(path, "rb")), SPREADSHEET_LIMITS)
        )
    except safe_zip.ZipRefused as refused:
        raise unsafe(filename, refused) from None


def check_cell_count(filename: str, number: int, cell_count: int) -> None:
    """Before a long row's cells are read (a row shorter than MAX_CELL_CHARS cannot hold more
    than MAX_CELLS_PER_ROW cells, nor a cell longer than MAX_CELL_CHARS)."""
    if cell_count > MAX_CELLS_PER_ROW:
        raise UnreadableFile(f"{filename} row {number} has more than {MAX_CELLS_PER_ROW:,} cells")


def check_cell_text(filename: str, number: int, cells: list) -> None:
    if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
        raise UnreadableFile(
            f"{filename} row {number}: a cell is longer than {MAX_CELL_CHARS:,} characters"
        )


def unended_row(filename: str, number: int) -> UnreadableFile:
    return UnreadableFile(
        f"{filename} row {number} is longer than {MAX_ROW_CHARS:,} characters, or never ends"
    )


def xml_text(
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


def sheet_text(
    archive: zipfile.ZipFile, part: str, filename: str, progress: Progress
) -> Iterator[tuple[str, bool]]:
    """The sheet's XML as `xml_text` gives it, calling `progress` with the share of the part
    read every 8 chunks."""
    size = max(1, archive.getinfo(part).file_size)
    for chunks, (text, last) in enumerate(xml_text(archive, part, MAX_SHEET_BYTES, filename), 1):
        if progress and chunks % 8 == 0:
            progress(min(0.99, chunks * safe_zip.CHUNK / size))
        yield text, last


def without_trailing_empty(cells: list) -> list:
    """The row's cells less the empty ones (None or "") at its end, which spreadsheets pad
    rows with: a row of nothing but empty cells is no row."""
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    found = deque(pattern.finditer(text), maxlen=1)
    return found[0] if found else None


def read_part(archive: zipfile.ZipFile, part: str, filename: str) -> str:
    return "".join(text for text, _ in xml_text(archive, part, MAX_PART_BYTES, filename))


# ---------------------------------------------------------------- XML, a tag at a time

# No pattern here may scan past the next tag while failing: a tag's attributes never hold "<",
# so `[^<>]` keeps every match attempt short, and elements are cut out by searching forwards
# (`drop`, `cell_elements`) rather than with `.*?`, which rescans to the end for each unended one.


def drop(text: str, start: re.Pattern, end: re.Pattern) -> str:
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


def cell_elements(body: str, start: re.Pattern) -> Iterator[tuple[str, str | None]]:
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


def whole_number(text: str | None, too_large: int) -> int | None:
    """A count or position from the file: None if it is not one, `too_large` if it has more
    than 9 digits (Python refuses to convert numbers of thousands of digits)."""
    if not text or not text.isascii() or not text.isdecimal():
        return None
    return int(text) if len(text) <= 9 else too_large
