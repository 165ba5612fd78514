"""Files built to exhaust a server that reads them carelessly, small on disk and cheap to build,
and a measure of what refusing one costs (issue 12: ≤ 2 s of CPU, ≤ 50 MB more memory).

Zip bombs are written with `zipfile` a megabyte at a time from a repeated pattern, so building
one never holds its expanded size in memory.
"""

from __future__ import annotations

import io
import random
import struct
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
GiB = 1 << 30
CPU_BUDGET_S = 2.0
MEMORY_BUDGET = 50 * 1_000_000
#: Repeated, this does not compress (it is longer than deflate's 32 KB window).
NOISE = random.Random(12).randbytes(64 * 1024)


@dataclass
class Cost:
    cpu_s: float = 0.0
    peak: int = 0

    def within_budget(self) -> bool:
        return self.cpu_s <= CPU_BUDGET_S and self.peak <= MEMORY_BUDGET

    def __str__(self) -> str:
        return f"{self.cpu_s:.2f} s CPU, peak {self.peak / 1e6:.1f} MB"


@contextmanager
def measured():
    """CPU time (not wall time: a busy machine does not fail it) and the peak of memory
    allocated by Python (tracemalloc) while the block runs."""
    cost = Cost()
    already = tracemalloc.is_tracing()
    if already:
        tracemalloc.reset_peak()
    else:
        tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    started = time.process_time()
    try:
        yield cost
    finally:
        cost.cpu_s = time.process_time() - started
        cost.peak = tracemalloc.get_traced_memory()[1] - base
        if not already:
            tracemalloc.stop()


def write_zip(target, members: list[tuple[str, bytes | tuple[bytes, bytes, int]]], level=9):
    """A zip of `members`: each (name, bytes) or (name, (head, pattern, size)) for a member
    that is `head` then `pattern` repeated up to `size` bytes, written a megabyte at a time."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in members:
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            head, pattern, size = content
            chunk = pattern * (MiB // len(pattern))
            with archive.open(name, "w", force_zip64=size >= 2 * GiB) as stream:
                stream.write(head)
                written = len(head)
                while written < size:
                    part = chunk[: size - written]
                    stream.write(part)
                    written += len(part)
    return target


def zip_bytes(members, level=9) -> bytes:
    return write_zip(io.BytesIO(), members, level).getvalue()


def declare_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with `name`'s uncompressed size in its central directory and local header
    replaced by `declared` (a lie: the data is unchanged)."""
    out = bytearray(data)
    encoded = name.encode()
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + name_length] == encoded:
            if struct.unpack_from("<L", out, at + 24)[0] == 0xFFFFFFFF:
                raise ValueError("write the member without zip64 to patch its size")
            struct.pack_into("<L", out, at + 24, declared)
            local = struct.unpack_from("<L", out, at + 42)[0]
            struct.pack_into("<L", out, local + 22, declared)
            return bytes(out)
        at = out.find(b"PK\x01\x02", at + 4)
    raise KeyError(name)


# ---------------------------------------------------------------- evidence (Office documents)

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def odt_bomb(size: int = GiB) -> bytes:
    """The issue's .odt: a `mimetype` that expands to `size` (1 GiB: a 1 MB file)."""
    return zip_bytes([("mimetype", (ODT_MIMETYPE, b"\0", size)), ("content.xml", b"<x/>")])


def docx_bomb(size: int = 512 * MiB) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("word/document.xml", (b"<w:document>", b"<w:p/>", size)),
        ]
    )


def xlsx_evidence_bomb(size: int = 512 * MiB) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("xl/worksheets/sheet1.xml", (b"<worksheet>", b"<row/>", size)),
        ]
    )


# ---------------------------------------------------------------- CQC files

WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Locations" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SMALL_SHEET = SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'


def _xlsx(path: Path, sheet, shared=None, level=9) -> Path:
    members = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    if shared is not None:
        members.append(("xl/sharedStrings.xml", shared))
    return write_zip(path, members, level)


def xlsx_shared_strings_bomb(path: Path, size: int = 300_000_000) -> Path:
    """The issue's XLSX: a 300 MB `sharedStrings.xml` in a file of a few hundred KB."""
    return _xlsx(path, SMALL_SHEET, (b"<sst>", b"<si><t>Good</t></si>", size))


def xlsx_many_shared_strings(path: Path, count: int = 1_100_000) -> Path:
    """Within the size caps, but more texts than any CQC file has."""
    item = b"<si><t>a</t></si>"
    return _xlsx(path, SMALL_SHEET, (b"<sst>", item, 5 + count * len(item)), level=1)


def xlsx_unended_row(path: Path, size: int = 40_000_000) -> Path:
    """The issue's sheet with no closing </row>: one row whose cells go on and on (within the
    ratio and size caps, so only the row's own cap can stop it)."""
    cell = b'<c t="inlineStr"><is><t>Requires improvement</t></is></c>'
    return _xlsx(path, (SHEET_HEAD + b'<row r="1">', cell, size), level=1)


ODS_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
    b'<office:spreadsheet><table:table table:name="Locations">'
)


def ods_bomb(path: Path, size: int = GiB) -> Path:
    """content.xml expanding to 1 GiB of one endless row, in a file of about a megabyte."""
    return write_zip(
        path,
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", (ODS_HEAD + b"<table:table-row>", b"<table:table-cell/>", size)),
        ],
    )


def ods_unended_row(path: Path, size: int = 40_000_000) -> Path:
    cell = b'<table:table-cell office:value-type="string"><text:p>Good</text:p></table:table-cell>'
    return write_zip(
        path,
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", (ODS_HEAD + b"<table:table-row>", cell, size)),
        ],
        level=1,
    )


def csv_giant_field(path: Path, header: str, size: int = 50_000_000) -> Path:
    """A header, one good-looking row, then a row whose quoted field never ends."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header + "\r\n")
        out.write("1-000000001" + "," * header.count(",") + "\r\n")
        out.write('1-000000002,"')
        chunk = "x" * MiB
        for _ in range(size // MiB):
            out.write(chunk)
    return path


# ---------------------------------------------------------------- traps for pattern matching

#: Under the row cap (1,000,000 characters), so only a reader that scans each row once is fast.
TRAP_ROW = 900_000


def _ods(path: Path, content: bytes) -> Path:
    mimetype = b"application/vnd.oasis.opendocument.spreadsheet"
    return write_zip(path, [("mimetype", mimetype), ("content.xml", content)])


ODS_TAIL = b"</table:table-row></table:table></office:spreadsheet></office:body>"
SHEET_TAIL = b"</row></sheetData></worksheet>"
CELL_WITHOUT_END = b'<table:table-cell table:number-columns-repeated="2">x'


def regex_traps(folder: Path) -> dict[str, Path]:
    """Rows a pattern like `<c\\b(.*?)</c>` or `<row\\b([^>]*)>` would rescan to the end of
    the row for every start tag (hours for one row of 900,000 characters)."""
    row = b"<table:table-row>"
    traps = {
        "cells without ends.ods": _ods(
            folder / "cells without ends.ods",
            ODS_HEAD + row + CELL_WITHOUT_END * (TRAP_ROW // 52) + ODS_TAIL,
        ),
        "row tags without ends.ods": _ods(
            folder / "row tags without ends.ods",
            ODS_HEAD + b"<table:table-row " * (TRAP_ROW // 17) + ODS_TAIL,
        ),
        "cells without ends.xlsx": _xlsx(
            folder / "cells without ends.xlsx",
            SHEET_HEAD + b'<row r="1">' + b'<c r="A1">x' * (TRAP_ROW // 11) + SHEET_TAIL,
        ),
        "row tags without ends.xlsx": _xlsx(
            folder / "row tags without ends.xlsx",
            SHEET_HEAD + b"<row<row" * (TRAP_ROW // 8) + SHEET_TAIL,
        ),
        "one long tag.xlsx": _xlsx(
            folder / "one long tag.xlsx",
            SHEET_HEAD + b"<row " + b"a" * TRAP_ROW + b">" + SHEET_TAIL,
        ),
    }
    return traps
