"""Background jobs: the durable record of each unit of work the worker does (`qa worker`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class BackgroundJob(Model):
    """One unit of work. Written in the same transaction as what asks for it (so it exists
    exactly when that does); claimed by one worker at a time for a lease (`lease_until`,
    `claim`), retried with back-off (`attempts`, `next_attempt_at`, `last_error`), then done or
    given up (`status`)."""

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    #: a job asked for twice under one key is one job (such as one reading per CQC upload)
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: a random token naming the claim now held: only its holder may finish the job
    claim: Mapped[str | None] = mapped_column(String(40))
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_background_jobs_status_next_attempt_at", "status", "next_attempt_at"),
    )


class PeriodicTask(Model):
    """What the workers have noted of one periodic task (services/worker.py PERIODIC), for the
    administrators' Background jobs page and /healthz: one row per task, written by whichever
    worker ran it (services/periodic_runs.py)."""

    __tablename__ = "periodic_tasks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the first failure since the last success: None while the task works
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: failures since the last success, on every worker
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: the last failure's error, short (domain/periodic_tasks.py short_error); kept after a success
    last_error: Mapped[str | None] = mapped_column(Text)
