"""The columns of CQC's ratings file, where its header row is, and what a CQC ID looks like.

CQC publishes "Latest ratings" with the column names in the first row, but sometimes ships a
notice in row 1 (a note about the data) with the header below it. The header is looked for in
the first rows of the sheet, and where it was found is said in the preview.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Columns the import reads (others are ignored; order is free).
COLUMNS = (
    "Location ID",
    "Location Name",
    "Care Home?",
    "Location Primary Inspection Category",
    "Location Post Code",
    "Location Local Authority",
    "Service / Population Group",
    "Domain",
    "Latest Rating",
    "Publication Date",
    "Provider ID",
    "Provider Name",
)
#: Read when present. CQC's Locations sheet has the location's address; a provider's postal
#: address is on its Providers sheet, which the import does not read, but a table that carries
#: the provider columns beside each location (as some councils' saved copies do) gives a new
#: provider its address. A registered manager's name is in neither: it is entered by hand.
LOCATION_ADDRESS = ("Location Street Address", "Location Address Line 2", "Location City")
PROVIDER_ADDRESS = (
    "Provider Street Address",
    "Provider Address Line 2",
    "Provider City",
    "Provider Post Code",
)
OPTIONAL_COLUMNS = (*LOCATION_ADDRESS, *PROVIDER_ADDRESS)

#: How many of the first non-blank rows may come before the header (notices, titles).
HEADER_SEARCH_ROWS = 10

#: CQC's IDs for locations and providers: `1-` and digits for most registrations, and the NHS
#: Organisation Data Service code for NHS trusts and their sites (`RXQ`, `RXQ02`, `RAL26`,
#: `RW1J2`: letters and digits, starting with a letter, 3 to 9 characters).
CQC_ID = re.compile(r"^(?:1-\d{5,12}|[A-Z][A-Z0-9]{2,8})$")
ID_EXAMPLES = "a CQC ID like 1-123456789 or an NHS code like RXQ02"


def is_cqc_id(text: str) -> bool:
    return bool(CQC_ID.match(text))


class HeaderProblem(ValueError):
    """No row near the top of the sheet names the columns the import needs."""


def key(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


_WANTED = {key(c): c for c in (*COLUMNS, *OPTIONAL_COLUMNS)}


def _positions(cells: Sequence[object]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = _WANTED.get(key(cell))
        if name and name not in positions:
            positions[name] = position
    return positions


def map_header(cells: Sequence[object], row: int = 1) -> dict[str, int]:
    """{column name: position} for the columns the import reads; raises HeaderProblem naming
    every missing column."""
    positions = _positions(cells)
    missing = [c for c in COLUMNS if c not in positions]
    if missing:
        raise HeaderProblem(
            f"Row {row} must name the columns of CQC's ratings file. Missing: " + ", ".join(missing)
        )
    return positions


class HeaderFinder:
    """Feed it the sheet's first rows (number, cells) until it says it has the header: rows
    above the header (a notice, a title) are skipped, and remembered to say so."""

    def __init__(self) -> None:
        self.seen = 0
        self.skipped: list[tuple[int, str]] = []  # (row, what it said), shortened
        self._best: tuple[int, int, Sequence[object]] | None = None  # (matched, row, cells)

    def offer(self, row: int, cells: Sequence[object]) -> dict[str, int] | None:
        """The header's columns when this row is the header, else None (or HeaderProblem once
        the first rows are used up without one)."""
        if not any(c not in (None, "") for c in cells):
            return None
        self.seen += 1
        positions = _positions(cells)
        if all(c in positions for c in COLUMNS):
            return positions
        if self._best is None or len(positions) > self._best[0]:
            self._best = (len(positions), row, cells)
        text = " ".join(str(c) for c in cells if c not in (None, ""))
        self.skipped.append((row, text[:120] + ("…" if len(text) > 120 else "")))
        if self.seen >= HEADER_SEARCH_ROWS:
            self.give_up()
        return None

    def give_up(self) -> None:
        """No header in the rows seen: say what the nearest one lacks."""
        if self._best is None:
            raise HeaderProblem("The file has no header row naming CQC's columns")
        _, row, cells = self._best
        try:
            map_header(cells, row)
        except HeaderProblem as problem:
            raise HeaderProblem(
                f"No row among the first {self.seen} names the columns of CQC's ratings file. "
                + str(problem).split(". ", 1)[1]
                + f" (row {row} came nearest)"
            ) from None
