"""Whether the database answers, for `GET /healthz` (a load balancer's probe).

The probe has an engine of its own: no pool (each probe opens and closes one connection, so a
pool kept full by slow requests does not make a healthy database look down, and a probe never
holds a connection the app needs), a short connect timeout, and on PostgreSQL a short
statement timeout, so a database that does not answer gives "unavailable" within seconds
rather than when the operating system gives up on the connection.

When the database answers, the probe also reads which of the worker's periodic tasks are failing
(services/periodic_runs.py): their names and since when, never their errors (the probe needs no
sign-in). A failing task does not make the app unavailable: the status code still says only
whether the database answers (SPEC section 10), so a load balancer keeps serving pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from qa_app.models import PeriodicTask
from qa_app.services.worker import PERIODIC

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


@dataclass(frozen=True)
class Health:
    #: the app's database answered `SELECT 1` within the timeouts
    database_answers: bool
    #: the worker's periodic tasks failing now: (name, since when), by name
    failing_tasks: list[tuple[str, datetime]] = field(default_factory=list)


def check() -> Health:
    """Whether the database answers, and which periodic tasks are failing."""
    engine = _engine()
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            connection.exec_driver_sql("SELECT 1").scalar_one()
            failing = _failing_tasks(connection)
            connection.rollback()
    except (SQLAlchemyError, OSError) as error:
        log.warning("health check: the database did not answer: %s", error)
        return Health(False)
    return Health(True, failing)


def _failing_tasks(connection) -> list[tuple[str, datetime]]:
    """The periodic tasks (of those the worker runs now) failing since their last success; none
    when they cannot be read (the database answered: that is what the probe is for)."""
    names = [task.name for task in PERIODIC]
    try:
        rows = connection.execute(
            select(PeriodicTask.name, PeriodicTask.failing_since)
            .where(PeriodicTask.name.in_(names), PeriodicTask.failing_since.is_not(None))
            .order_by(PeriodicTask.name)
        ).all()
    except SQLAlchemyError as error:
        log.warning("health check: the periodic tasks could not be read: %s", error)
        return []
    return [(name, since) for name, since in rows]
