"""CSV: lines and cells capped, read with `csv`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from qa_app.services.table_files.common import (
    MAX_CELL_CHARS,
    MAX_ROW_CHARS,
    Progress,
    Rows,
    UnreadableFile,
    check_cell_count,
    check_cell_text,
    unended_row,
)


class _LineTooLong(Exception):
    pass


def _lines(f) -> Iterator[str]:
    """The file's lines, none longer than MAX_ROW_CHARS (so a line with no end is never held
    whole)."""
    while line := f.readline(MAX_ROW_CHARS + 1):
        if len(line) > MAX_ROW_CHARS:
            raise _LineTooLong
        yield line


def csv_rows(path: Path, filename: str, progress: Progress) -> Rows:
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
                    check_cell_count(filename, number, len(cells))
                    check_cell_text(filename, number, cells)
                yield number, cells
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"{filename} is not UTF-8 text after row {number}: save it as “CSV UTF-8”"
            ) from None
        except _LineTooLong:
            raise unended_row(filename, number + 1) from None
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise UnreadableFile(
                    f"{filename} row {number + 1}: a cell is longer than "
                    f"{MAX_CELL_CHARS:,} characters"
                ) from None
            raise UnreadableFile(f"{filename} row {number + 1}: {error}") from None
