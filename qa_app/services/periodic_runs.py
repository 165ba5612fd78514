"""What the workers note of each periodic task (services/worker.py PERIODIC): its last success,
its last failure with a short error, and since when it has been failing (`periodic_tasks`, one
row per task, written by whichever worker ran it). The administrators' Background jobs page
shows them (`overview`); /healthz names the tasks failing (services/health.py).

A failure is written every time; a success at most once every SUCCESS_NOTED_EVERY while the
task keeps working (read first, so a healthy run usually writes nothing: on SQLite a write
waits for the write lock), and at once after a failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from qa_app.domain import periodic_tasks as rules
from qa_app.domain.periodic_tasks import SUCCESS_NOTED_EVERY, Outcomes
from qa_app.extensions import db
from qa_app.models import PeriodicTask
from qa_app.models.types import utcnow
from qa_app.services.transaction import unit_of_work


def _upsert(name: str, inserted: dict, updated: dict) -> None:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(PeriodicTask).values(name=name, **inserted)
    with unit_of_work():
        db.session.execute(
            statement.on_conflict_do_update(index_elements=[PeriodicTask.name], set_=updated)
        )


def record_success(name: str, now: datetime | None = None) -> bool:
    """Note that `name` ran without error (False: nothing needed writing)."""
    now = now or utcnow()
    db.session.commit()  # what the session had begun (as outbox.send_pending does)
    noted = db.session.execute(
        select(PeriodicTask.last_success_at, PeriodicTask.failing_since).where(
            PeriodicTask.name == name
        )
    ).first()
    db.session.commit()  # the read's transaction ends here: the write below starts its own
    if (
        noted is not None
        and noted.failing_since is None
        and noted.last_success_at is not None
        and noted.last_success_at > now - SUCCESS_NOTED_EVERY
    ):
        return False  # noted a moment ago, and working since
    _upsert(
        name,
        {"last_success_at": now, "failures": 0},
        {"last_success_at": now, "failing_since": None, "failures": 0},
    )
    return True


def record_failure(name: str, error: BaseException, now: datetime | None = None) -> None:
    """Note that `name` failed with `error` (its type and the first line of its message)."""
    now = now or utcnow()
    text = rules.short_error(type(error).__name__, str(error))
    _upsert(
        name,
        {"last_failure_at": now, "failing_since": now, "failures": 1, "last_error": text},
        {
            "last_failure_at": now,
            "failing_since": func.coalesce(PeriodicTask.failing_since, now),
            "failures": PeriodicTask.failures + 1,
            "last_error": text,
        },
    )


@dataclass(frozen=True)
class TaskView:
    """One periodic task on the Background jobs page."""

    name: str
    label: str
    every: timedelta
    state: str
    last_success_at: datetime | None
    last_failure_at: datetime | None
    failing_since: datetime | None
    failures: int
    last_error: str

    @property
    def state_label(self) -> str:
        return rules.STATE_LABELS[self.state]

    @property
    def is_failing(self) -> bool:
        return self.state == rules.FAILING

    @property
    def is_late(self) -> bool:
        return self.state == rules.LATE

    @property
    def every_words(self) -> str:
        return rules.every_words(self.every)

    @property
    def last_run_at(self) -> datetime | None:
        return Outcomes(self.last_success_at, self.last_failure_at).last_run_at


def overview(
    tasks: Iterable[tuple[str, str, timedelta]], now: datetime | None = None
) -> list[TaskView]:
    """Each task (name, label, how often it runs) with what the workers have noted of it."""
    now = now or utcnow()
    rows = {row.name: row for row in db.session.scalars(select(PeriodicTask))}
    views = []
    for name, label, every in tasks:
        row = rows.get(name)
        outcomes = Outcomes(
            row.last_success_at if row else None,
            row.last_failure_at if row else None,
            row.failing_since if row else None,
        )
        views.append(
            TaskView(
                name,
                label,
                every,
                rules.state(outcomes, every, now),
                outcomes.last_success_at,
                outcomes.last_failure_at,
                outcomes.failing_since,
                row.failures if row else 0,
                (row.last_error or "") if row else "",
            )
        )
    return views
