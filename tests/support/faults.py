"""Fault injection on the real engine (SQLite or PostgreSQL), without mocking our database.

`Faults(engine)` listens to `before_cursor_execute` and counts the statements whose SQL matches
a pattern (by default every INSERT, UPDATE and DELETE); told to fail at the Nth, it raises the
driver's own `OperationalError` there (sqlite3's or psycopg's), so SQLAlchemy wraps and handles
it exactly as it would a real one: a lost connection, a full disc, a lock wait that timed out.

    with Faults(db.engine) as faults:           # count the step's writes
        do_the_step()
    for n in range(1, faults.seen + 1):         # then fail at each of them in turn
        with Faults(db.engine, fail_at=n) as faults:
            with pytest.raises(OperationalError):
                do_the_step()

`snapshot(connection)` is every table's rows (sorted), to show that a failed step changed
nothing; `files(folder)` the names of the files in a folder, for steps that keep files.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from qa_app.extensions import db

#: every statement that changes rows (SAVEPOINT and RELEASE, the test's own, are not counted)
WRITES = r"\s*(INSERT|UPDATE|DELETE)\b"
#: every statement at all, reads included
ANY = r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b"

INJECTED = "injected fault"


class Faults:
    """Count the statements matching `pattern` on `engine`; raise at the `fail_at`th (1-based)."""

    def __init__(self, engine: sa.Engine, fail_at: int | None = None, pattern: str = WRITES):
        self.engine = engine
        self.fail_at = fail_at
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.seen = 0
        self.statements: list[str] = []
        self.failed: str | None = None

    def __enter__(self) -> Faults:
        event.listen(self.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if not self.pattern.match(statement):
            return
        self.seen += 1
        self.statements.append(" ".join(statement.split())[:160])
        if self.seen == self.fail_at:
            self.failed = self.statements[-1]
            raise self.engine.dialect.loaded_dbapi.OperationalError(
                f"{INJECTED} at statement {self.seen}: {self.failed}"
            )

    def __repr__(self) -> str:
        return f"Faults(fail_at={self.fail_at}, seen={self.seen}, failed={self.failed!r})"


def positions(count: int) -> list[int]:
    """1..count: each write of a step, for `pytest.mark.parametrize` ids."""
    return list(range(1, count + 1))


def snapshot(connection: sa.Connection | None = None) -> dict[str, list[tuple]]:
    """Every table's rows, each as a tuple of its values as text, sorted: two snapshots are
    equal exactly when no row was added, removed or changed."""
    connection = connection or db.session.connection()
    state = {}
    for table in db.metadata.sorted_tables:
        rows = connection.execute(sa.select(table)).all()
        state[table.name] = sorted(tuple(repr(value) for value in row) for row in rows)
    return state


def differences(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    """What changed between two snapshots, table by table (empty when nothing did)."""
    out = []
    for name in sorted(before.keys() | after.keys()):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        for row in sorted(new - old):
            out.append(f"{name}: added {row}")
        for row in sorted(old - new):
            out.append(f"{name}: removed {row}")
    return out


def files(folder: Path) -> set[str]:
    """The names of the files in `folder` (none if it does not exist yet)."""
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def fails_cleanly_at_every_write(step, folders: tuple[Path, ...] = (), minimum: int = 2):
    """Run `step()` with the first write failing, then the second, and so on, until it runs
    with no write failing; after each failure, every table and every file in `folders` must be
    exactly as before the step. Returns (the number of writes the step made, its result)."""
    before, before_files = snapshot(), [files(folder) for folder in folders]
    n = 1
    while True:
        with Faults(db.engine, fail_at=n) as faults:
            try:
                result = step()
            except sa.exc.OperationalError as error:
                assert INJECTED in str(error), error
            else:
                assert faults.failed is None, f"the step went on after {faults.failed!r}"
        if faults.failed is None:
            assert faults.seen == n - 1, faults
            assert n - 1 >= minimum, f"the step made only {n - 1} writes: {faults.statements}"
            return n - 1, result
        db.session.rollback()
        changed = differences(before, snapshot())
        assert changed == [], f"failing write {n} ({faults.failed}) left {changed}"
        for folder, names in zip(folders, before_files, strict=True):
            assert files(folder) == names, f"failing write {n} ({faults.failed}) left files"
        n += 1
