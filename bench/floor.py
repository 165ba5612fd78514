"""The floor: what a page's SQL costs with nothing around it (issue 18, item 1).

While a scenario is timed, `Recorder` (a `before_cursor_execute` listener on the engine) counts
and records the statements each request sends, text and parameters as the driver receives them.
After the timed requests, `Recorder.judge` replays the last request's statements through the
raw DBAPI connection (no ORM, no Flask, no templates) as many times as the page was timed, and
adds to the scenario's row the floor's p50/p95, the ratio page p95 / floor p95, and the load
average before and after. A page passes when its p95 is within its absolute budget (a quiet
machine) OR within RATIO_BUDGET times its floor (any machine: both figures are taken in the
same minutes, under the same load).

Each replay runs in a transaction that is rolled back, so a page that writes (an autosave)
leaves nothing behind; its UPDATE guarded by a version the page has since moved on may then
match no row, which makes that floor a little cheaper than the page's own writes.
"""

from __future__ import annotations

import os
import statistics
import time

import sqlalchemy as sa

RATIO_BUDGET = 3.0


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Recorder:
    """Counts the SQL statements the app sends, request by request, and keeps their text.

    Setting `n = 0` starts a new request (the harness does this before each timed request).
    SQLite's explicit BEGIN (the app's driver setup sends one per transaction) is recorded and
    replayed but not counted: it is transaction control, not a query, and PostgreSQL's driver
    begins implicitly, so leaving it out makes the two databases' counts comparable.
    """

    def __init__(self, engine):
        self.engine = engine
        self._n = 0
        self.statements: list[tuple[str, object, bool]] = []
        self.load_before: list[float] | None = None

    @property
    def n(self) -> int:
        return self._n

    @n.setter
    def n(self, value: int) -> None:
        self._n = value
        if value == 0:
            self.statements = []
            if self.load_before is None:  # the first timed request of a scenario
                self.load_before = load_average()

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters, executemany))
        if statement.lstrip()[:5].upper() != "BEGIN":
            self._n += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def replay(self, times: int) -> list[float]:
        """Replays the last request's statements `times` times; milliseconds per replay."""
        statements = list(self.statements)
        raw = self.engine.raw_connection()

        def in_transaction() -> bool:
            return bool(getattr(raw.dbapi_connection, "in_transaction", False))

        try:
            timings = []
            for _ in range(times):
                start = time.perf_counter()
                cursor = raw.cursor()
                for statement, parameters, many in statements:
                    if statement.lstrip()[:5].upper() == "BEGIN" and in_transaction():
                        raw.rollback()  # the request's second transaction (SQLite)
                    if many:
                        cursor.executemany(statement, parameters)
                    else:
                        cursor.execute(statement, parameters)
                    if cursor.description is not None:
                        cursor.fetchall()
                cursor.close()
                raw.rollback()
                timings.append((time.perf_counter() - start) * 1000)
            return timings
        finally:
            raw.rollback()
            raw.close()

    def judge(self, row: dict, times_ms: list[float], budget_ms: float | None = None) -> bool:
        """Adds the floor to a scenario's row and decides it: absolute p95 or ratio to floor.

        Call right after the scenario's timed requests (the recorder holds the last one's SQL).
        """
        page_p95 = p95(times_ms)
        budget = row.get("budget_p95_ms") if budget_ms is None else budget_ms
        try:
            floor = self.replay(len(times_ms))
        except Exception as error:
            floor, row["floor_error"] = [], f"{type(error).__name__}: {error}"[:200]
        load_after = load_average()
        row["load_before"], row["load_after"] = self.load_before or load_after, load_after
        self.load_before = None
        if floor:
            floor_p95 = p95(floor)
            row["floor_p50_ms"] = round(statistics.median(floor), 2)
            row["floor_p95_ms"] = round(floor_p95, 2)
            row["ratio"] = round(page_p95 / floor_p95, 1) if floor_p95 > 0 else None
        else:
            row["floor_p50_ms"] = row["floor_p95_ms"] = row["ratio"] = None
        within_budget = budget is not None and page_p95 <= budget
        within_ratio = row["ratio"] is not None and row["ratio"] <= RATIO_BUDGET
        row["within_budget"], row["within_ratio"] = within_budget, within_ratio
        row["pass"] = within_budget or within_ratio
        return row["pass"]


def cells(row: dict) -> list[str]:
    """Floor p50, floor p95 and ratio as table cells ('' when not measured)."""
    if row.get("floor_p95_ms") is None:
        return ["", "", "" if "floor_error" not in row else "replay failed"]
    ratio = row["ratio"]
    return [f"{row['floor_p50_ms']:.2f}", f"{row['floor_p95_ms']:.2f}", f"{ratio:g}x"]


def verdict(row: dict) -> str:
    """PASS (how) or MISS."""
    if row.get("within_budget"):
        return "PASS"
    if row.get("within_ratio"):
        return "PASS (ratio)"
    return "PASS" if row.get("pass") else "MISS"


def loads(rows: list[dict]) -> str:
    """The load averages seen while the rows were measured, for a table's heading."""
    seen = [r[k][0] for r in rows for k in ("load_before", "load_after") if r.get(k)]
    if not seen:
        return ""
    return f"load average {min(seen):.1f}-{max(seen):.1f} on {os.cpu_count()} CPUs"


def miss(label: str, row: dict) -> str:
    """A failure line: the page's p95 against its budget and against its floor."""
    ratio = f"{row['ratio']:g}x its floor" if row.get("ratio") is not None else "no floor"
    return (
        f"{label}: p95 {row['p95_ms']} ms (budget {row['budget_p95_ms']:g} ms) and {ratio} "
        f"(budget {RATIO_BUDGET:g}x)"
    )


HEADINGS = ["p50 ms", "p95 ms", "floor p50", "floor p95", "ratio", "statements", "budget", "result"]


def figures(row: dict, statements: object = None) -> list:
    """A page's cells under HEADINGS."""
    return [
        f"{row['p50_ms']:.1f}",
        f"{row['p95_ms']:.1f}",
        *cells(row),
        row["statements"] if statements is None else statements,
        f"p95 ≤ {row['budget_p95_ms']:.0f} ms or ≤ {RATIO_BUDGET:g}x",
        verdict(row),
    ]
