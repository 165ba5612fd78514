"""Whether the database answers, for `GET /healthz` (a load balancer's probe).

The probe has an engine of its own: no pool (each probe opens and closes one connection, so a
pool kept full by slow requests does not make a healthy database look down, and a probe never
holds a connection the app needs), a short connect timeout, and on PostgreSQL a short
statement timeout, so a database that does not answer gives "unavailable" within seconds
rather than when the operating system gives up on the connection.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: Seconds to wait for a connection, and then for `SELECT 1`.
CONNECT_TIMEOUT_S = 3
STATEMENT_TIMEOUT_MS = 2_000
_KEY = "qa_health_engine"


def _engine() -> Engine:
    """The probe's engine, made on first use and kept on the app."""
    engine = current_app.extensions.get(_KEY)
    if engine is None:
        url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "sqlite":
            args: dict = {"timeout": CONNECT_TIMEOUT_S}
        else:
            args = {"connect_timeout": CONNECT_TIMEOUT_S}
        engine = create_engine(url, poolclass=NullPool, connect_args=args)
        current_app.extensions[_KEY] = engine
    return engine


def database_answers() -> bool:
    """True when the app's database answers `SELECT 1` within the timeouts."""
    engine = _engine()
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            connection.exec_driver_sql("SELECT 1").scalar_one()
            connection.rollback()
    except (SQLAlchemyError, OSError) as error:
        log.warning("health check: the database did not answer: %s", error)
        return False
    return True
