"""Which database the suite runs on, and a clean, migrated schema for each test process.

SQLite by default (a file per pytest-xdist worker); PostgreSQL when QA_TEST_DATABASE=postgres,
with one schema per worker, dropped and recreated at the start of every run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa


def on_postgres() -> bool:
    return os.environ.get("QA_TEST_DATABASE") == "postgres"


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def checkout_tag() -> str:
    """A short tag for this checkout, so two checkouts' test runs never share a database."""
    root = Path(__file__).resolve().parents[2]
    return hashlib.sha256(str(root).encode()).hexdigest()[:6]


def fresh_database_url(purpose: str) -> str:
    """A URL for an empty database (or schema) that nothing else is using."""
    name = f"qa_{purpose}_{worker_id()}_{checkout_tag()}"
    if on_postgres():
        base = os.environ.get("QA_TEST_POSTGRES_URL", "")
        if not base:
            raise RuntimeError("QA_TEST_DATABASE=postgres needs QA_TEST_POSTGRES_URL")
        base = (
            base.replace("postgresql://", "postgresql+psycopg://", 1)
            if base.startswith("postgresql://")
            else base
        )
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        engine.dispose()
        joiner = "&" if "?" in base else "?"
        return f"{base}{joiner}options={quote(f'-csearch_path={name}')}"
    folder = Path(tempfile.gettempdir()) / "qa-tests"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"
