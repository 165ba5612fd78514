"""Engine set-up that differs between SQLite and PostgreSQL."""

from flask import Flask, has_request_context, request
from sqlalchemy import event

from qa_app.extensions import db

# How long a SQLite writer waits for another's write lock. Writers queue rather than fail; on a
# busy machine (load far above the cores) a burst of writers (eight sweeps at once) took more
# than 10 s to drain, so the wait is generous. PostgreSQL, the production database, has row locks.
BUSY_TIMEOUT_MS = 30_000


def configure_engines(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
            # SAVEPOINTs and transactional DDL work (SQLAlchemy's documented recipe).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A unit of work that will write after reading asks for the write lock up front
            # (see transaction.unit_of_work(writes=True)); otherwise a concurrent writer's commit
            # between our read and our write makes SQLite refuse the write ("database is locked").
            # A request that may write (POST, PUT, PATCH, DELETE) does the same: it reads the row
            # it changes first, and two such requests must take turns rather than fail.
            # A GET never does: it reads, and in WAL mode readers never wait for writers.
            write_lock = conn.get_execution_options().get("qa_write_lock")
            if write_lock == "nowait":
                # transaction.unit_of_work_without_waiting: the lock now, or "database is
                # locked" at once (never a wait), then the usual timeout for what follows
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                finally:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                return
            immediate = write_lock or (
                has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
            )
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
