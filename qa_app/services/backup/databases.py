"""The database part of a backup and a restore.

- SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies the database as it
  was when the copy began, while the app goes on reading and writing (WAL mode); a restore
  copies the backup into the configured file the same way, in one step that other connections
  see as one transaction.
- PostgreSQL: `pg_dump --format=custom` of the app's schema, run in a snapshot exported from a
  read-only REPEATABLE READ transaction, so the row counts in the manifest and the dump are the
  same moment. A restore runs, in one transaction through `psql`, `DROP SCHEMA … CASCADE`,
  `CREATE SCHEMA …` and the script `pg_restore` makes of the dump: all of it, or (on any error)
  none of it. The client tools are found on PATH or in /usr/lib/postgresql/*/bin.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from qa_app.domain.backup_manifest import BackupFailed, BackupRefused

#: How long the PostgreSQL tools may run (a regional database dumps in a minute or two).
TOOL_TIMEOUT_S = 6 * 60 * 60


@dataclass(frozen=True)
class Snapshot:
    revision: str
    counts: dict[str, int]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------- SQLite


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _sqlite_facts(connection: sqlite3.Connection) -> Snapshot:
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {
        table: connection.execute(f"SELECT count(*) FROM {quote_identifier(table)}").fetchone()[0]  # noqa: S608
        for table in tables
    }
    if revision is None:
        raise BackupFailed("the database has no schema revision: run `flask db upgrade` first")
    return Snapshot(revision[0], counts)


def _sqlite_snapshot(engine: Engine, target: Path) -> Snapshot:
    source_path = _sqlite_path(engine)
    if not source_path.is_file():
        raise BackupFailed(f"there is no SQLite database at {source_path}")
    with (
        closing(sqlite3.connect(source_path, timeout=30)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)  # all pages in one step: the database as it was when it began
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        try:
            return _sqlite_facts(copy)
        except sqlite3.OperationalError as error:
            raise BackupFailed(f"the database could not be read ({error})") from None


def _sqlite_restore(engine: Engine, staged: Path) -> None:
    target = _sqlite_path(engine)
    target.parent.mkdir(parents=True, exist_ok=True)
    engine.dispose()
    with (
        closing(sqlite3.connect(staged)) as source,
        closing(sqlite3.connect(target, timeout=30)) as destination,
    ):
        try:
            source.backup(destination)
        except sqlite3.Error as error:
            raise BackupFailed(f"the database could not be restored ({error})") from None


# ---------------------------------------------------------------- PostgreSQL


def find_tool(name: str) -> str:
    """The path of a PostgreSQL client tool, or BackupFailed saying how to install it."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(n) if n.isdigit() else 0 for n in Path(p).parts[-3].split(".")],
    )
    if candidates:
        return candidates[-1]
    raise BackupFailed(
        f"{name} was not found on PATH nor in /usr/lib/postgresql/*/bin: install the "
        "PostgreSQL client tools of the server's major version (Debian and Ubuntu: "
        "apt-get install postgresql-client)"
    )


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The connection URI for the client tools (no password in it: that goes in PGPASSWORD,
    which other users cannot read from the process list), and their environment."""
    url = engine.url
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return uri, environment


def _run(command: list[str], environment: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603  # our own arguments, no shell
            command,
            env=environment,
            capture_output=True,
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupFailed(f"{what} could not run ({error})") from None
    if done.returncode != 0:
        raise BackupFailed(f"{what} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode(errors="replace")


def _pg_snapshot(engine: Engine, target: Path) -> Snapshot:
    pg_dump = find_tool("pg_dump")
    uri, environment = _libpq(engine)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        snapshot_id = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        tables = connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        ).scalars()
        counts = {
            table: connection.exec_driver_sql(
                f"SELECT count(*) FROM {quote_identifier(table)}"  # noqa: S608
            ).scalar_one()
            for table in list(tables)
        }
        if revision is None:
            raise BackupFailed("the database has no schema revision: run `flask db upgrade` first")
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--schema={quote_identifier(schema)}",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
                f"--dbname={uri}",
            ],
            environment,
            "pg_dump",
        )
        connection.rollback()
    return Snapshot(revision, counts)


_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ SCHEMA - (\S+) ")


def _pg_restore(engine: Engine, staged: Path) -> None:
    pg_restore, psql = find_tool("pg_restore"), find_tool("psql")
    uri, environment = _libpq(engine)
    with engine.connect() as connection:
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    engine.dispose()
    listing = _run([pg_restore, "--list", str(staged)], environment, "pg_restore --list")
    kept, dumped = [], set()
    for line in listing.splitlines():
        if match := _SCHEMA_ENTRY.match(line):
            dumped.add(match.group(1))
            continue  # the schema itself is made again below, empty, in the same transaction
        kept.append(line)
    if dumped and dumped != {schema}:
        raise BackupRefused(
            f"it holds the schema {', '.join(sorted(dumped))}, but the configured database "
            f"uses the schema {schema}"
        )
    with tempfile.TemporaryDirectory(prefix="qa-restore-") as work:
        list_file = Path(work) / "list"
        list_file.write_text("\n".join(kept) + "\n")
        log = Path(work) / "log"
        quoted = quote_identifier(schema)
        with log.open("wb") as log_stream:
            apply = subprocess.Popen(  # noqa: S603
                [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", f"--dbname={uri}"],
                stdin=subprocess.PIPE,
                stdout=log_stream,
                stderr=log_stream,
                env=environment,
            )
            script = subprocess.Popen(  # noqa: S603
                [
                    pg_restore,
                    "--no-owner",
                    "--no-privileges",
                    f"--use-list={list_file}",
                    "--file=-",
                    str(staged),
                ],
                stdout=subprocess.PIPE,
                stderr=log_stream,
                env=environment,
            )
            assert apply.stdin is not None and script.stdout is not None
            made = False
            try:
                apply.stdin.write(
                    f"BEGIN;\nDROP SCHEMA IF EXISTS {quoted} CASCADE;\n"
                    f"CREATE SCHEMA {quoted};\n".encode()
                )
                shutil.copyfileobj(script.stdout, apply.stdin)
                made = script.wait(timeout=TOOL_TIMEOUT_S) == 0
                if made:
                    apply.stdin.write(b"COMMIT;\n")
                apply.stdin.close()
                applied = apply.wait(timeout=TOOL_TIMEOUT_S) == 0
            except (BrokenPipeError, subprocess.TimeoutExpired):
                applied = False
            finally:
                for process in (script, apply):
                    if process.poll() is None:
                        process.kill()  # psql ends without COMMIT: nothing is changed
                        process.wait()
                script.stdout.close()
                if not apply.stdin.closed:
                    with suppress(BrokenPipeError):
                        apply.stdin.close()
        if not (made and applied):
            problem = log.read_text(errors="replace").strip()[-2000:]
            raise BackupFailed(f"the database was not restored (nothing was changed): {problem}")


# ---------------------------------------------------------------- either


def snapshot(engine: Engine, target: Path) -> Snapshot:
    """Copy the database to `target` as it is at one moment; its revision and row counts."""
    if engine.dialect.name == "sqlite":
        return _sqlite_snapshot(engine, target)
    return _pg_snapshot(engine, target)


def restore(engine: Engine, staged: Path) -> None:
    """Replace the configured database's contents with the staged copy."""
    if engine.dialect.name == "sqlite":
        _sqlite_restore(engine, staged)
    else:
        _pg_restore(engine, staged)


def kind(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
