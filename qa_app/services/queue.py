"""The durable job queue: background work kept as rows of `background_jobs` (the app's own
database, SQLite or PostgreSQL), run by `flask --app qa_app qa worker` (services/worker.py).

- `enqueue` adds a job to the caller's transaction: it exists exactly when what asked for it
  does (an upload and its reading are committed together, or neither is).
- A worker claims a due job for a lease (`domain/jobs.py` LEASE) under a random claim token,
  with `FOR UPDATE SKIP LOCKED` on PostgreSQL (several workers take different jobs) and the write
  lock on SQLite, and renews the lease while the job runs. A worker that dies stops renewing
  it; once it lapses another worker claims the job again. Only the holder of the current claim
  may mark the job done or failed, so a worker that comes back late changes nothing.
- A job that raises is tried again after a back-off (30 s, doubling, at most an hour); after
  `max_attempts` tries it is given up and listed for administrators (Admin → Background
  jobs), who may try it again (audited).

Handlers must make their effect once even if they run again after a worker died mid-way (each
checks, in the transaction that writes its result, that the result is not written yet): the
queue runs a job at least once and marks it done once.
"""

from __future__ import annotations

import importlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from qa_app.domain.jobs import LEASE, MAX_ATTEMPTS, JobStatus, backoff, error_text, gives_up
from qa_app.domain.pagination import Page
from qa_app.extensions import db
from qa_app.models import BackgroundJob
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.errors import Conflict, found
from qa_app.services.listing import page_of
from qa_app.services.transaction import unit_of_work

log = logging.getLogger(__name__)

#: each kind of job: the function that does it ("module:function", given the job's payload),
#: named by a string so that the queue imports no use case (they enqueue through it)
KINDS: dict[str, str] = {
    "cqc_import.read": "qa_app.services.cqc_import:read_upload_job",
}
#: what each kind is called on the administrators' page
LABELS: dict[str, str] = {
    "cqc_import.read": "Reading an uploaded CQC ratings file",
}
#: handlers the tests add (tests/integration/test_jobs.py): kind -> callable
_EXTRA: dict[str, Callable[[dict], Any]] = {}

AUDIT_ENTITY = "background_job"
LAPSED = "The worker running it stopped before it finished (its lease lapsed)"


@dataclass(frozen=True)
class Claimed:
    """A job this worker holds: `claim` is the token that lets it finish the job."""

    id: int
    kind: str
    payload: dict
    claim: str
    attempts: int
    max_attempts: int


def resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def handler_for(kind: str) -> Callable[[dict], Any]:
    if kind in _EXTRA:
        return _EXTRA[kind]
    return resolve(KINDS[kind])


def enqueue(
    kind: str,
    payload: dict | None = None,
    key: str | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    now: datetime | None = None,
) -> BackgroundJob:
    """Add a job to the caller's transaction; due now (or at `now`)."""
    if kind not in KINDS and kind not in _EXTRA:
        raise ValueError(f"no such kind of job: {kind!r}")
    job = BackgroundJob(
        kind=kind,
        payload=payload or {},
        key=key,
        status=JobStatus.WAITING,
        attempts=0,
        max_attempts=max_attempts,
        next_attempt_at=now or utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    return job


def _due(now: datetime):
    return (
        BackgroundJob.status == JobStatus.WAITING,
        BackgroundJob.next_attempt_at <= now,
        or_(BackgroundJob.lease_until.is_(None), BackgroundJob.lease_until < now),
    )


def claim_next(worker: str, now: datetime | None = None, key: str | None = None) -> Claimed | None:
    """Claim the job due longest (or the one under `key`), or None when none is due. A job
    whose last claim lapsed on its last attempt is given up here instead."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("claim_next ends the session's transaction: commit what it holds first")
    now = now or utcnow()
    due = select(BackgroundJob.id).where(*_due(now))
    if key is not None:
        due = due.where(BackgroundJob.key == key)
    # An idle worker polls with a plain read, never queueing for the write lock.
    if db.session.scalar(due.limit(1)) is None:
        db.session.rollback()
        return None
    db.session.rollback()
    token = secrets.token_hex(16)
    while True:
        with unit_of_work(writes_after_reading=True):
            query = select(BackgroundJob).where(*_due(now))
            if key is not None:
                query = query.where(BackgroundJob.key == key)
            job = db.session.scalar(
                query.order_by(BackgroundJob.next_attempt_at, BackgroundJob.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job is None:
                return None
            if job.lease_until is not None:  # claimed before, and that worker stopped
                job.last_error = f"{LAPSED} (attempt {job.attempts}, {job.claimed_by})"
                if gives_up(job.attempts, job.max_attempts):
                    job.status, job.failed_at = JobStatus.FAILED, now
                    job.lease_until = job.claim = None
                    continue
            job.attempts += 1
            job.claim, job.claimed_by = token, worker[:120]
            job.lease_until = now + LEASE
            return Claimed(
                job.id, job.kind, dict(job.payload), token, job.attempts, job.max_attempts
            )


def _held(claimed: Claimed):
    return (
        BackgroundJob.id == claimed.id,
        BackgroundJob.claim == claimed.claim,
        BackgroundJob.status == JobStatus.WAITING,
    )


def renew(claimed: Claimed, now: datetime | None = None) -> bool:
    """Extend the lease of a job still held (False: the claim was lost to another worker)."""
    with unit_of_work():
        result = db.session.execute(
            update(BackgroundJob)
            .where(*_held(claimed))
            .values(lease_until=(now or utcnow()) + LEASE)
            .execution_options(synchronize_session=False)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def run_claimed(claimed: Claimed, clock: Callable[[], datetime] = utcnow) -> str:
    """Run a claimed job and record what became of it: "done", "retrying", "failed", or
    "lost" (the claim lapsed and another worker holds the job now: nothing is recorded)."""
    try:
        handler_for(claimed.kind)(claimed.payload)
    except Exception as error:
        db.session.rollback()
        log.exception("Background job %s (%s) failed", claimed.id, claimed.kind)
        return _record_failure(claimed, error_text(type(error).__name__, str(error)), clock())
    db.session.rollback()  # anything the handler left uncommitted is not the job's result
    with unit_of_work():
        result = db.session.execute(
            update(BackgroundJob)
            .where(*_held(claimed))
            .values(status=JobStatus.DONE, done_at=clock(), lease_until=None, claim=None)
            .execution_options(synchronize_session=False)
        )
    return "done" if result.rowcount else "lost"  # type: ignore[attr-defined]


def _record_failure(claimed: Claimed, error: str, now: datetime) -> str:
    given_up = gives_up(claimed.attempts, claimed.max_attempts)
    values: dict[str, Any] = {"last_error": error, "lease_until": None, "claim": None}
    if given_up:
        values.update(status=JobStatus.FAILED, failed_at=now)
    else:
        values.update(next_attempt_at=now + backoff(claimed.attempts))
    with unit_of_work():
        result = db.session.execute(
            update(BackgroundJob)
            .where(*_held(claimed))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if not result.rowcount:  # type: ignore[attr-defined]
        return "lost"
    return "failed" if given_up else "retrying"


def run_now(key: str, worker: str) -> str | None:
    """Claim and run the job under `key` in this process (a page in the test tier, where no
    worker runs); None when it is not due or another worker holds it."""
    claimed = claim_next(worker, key=key)
    return run_claimed(claimed) if claimed else None


# ---------------------------------------------------------------- what administrators see


def status_of(key: str) -> str | None:
    return db.session.scalar(select(BackgroundJob.status).where(BackgroundJob.key == key))


def unclaimed_since(key: str) -> datetime | None:
    """When a waiting job that no worker has ever claimed was queued (None otherwise)."""
    return db.session.scalar(
        select(BackgroundJob.created_at).where(
            BackgroundJob.key == key,
            BackgroundJob.status == JobStatus.WAITING,
            BackgroundJob.claimed_by.is_(None),
        )
    )


def counts(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    waiting = BackgroundJob.status == JobStatus.WAITING
    running = waiting & BackgroundJob.lease_until.is_not(None) & (BackgroundJob.lease_until >= now)
    row = db.session.execute(
        select(
            func.count().filter(waiting),
            func.count().filter(running),
            func.count().filter(BackgroundJob.status == JobStatus.FAILED),
        )
    ).one()
    return {"waiting": row[0] - row[1], "running": row[1], "failed": row[2]}


def failed_jobs(page_number: int = 1, page_size: int = 50) -> tuple[list[BackgroundJob], Page]:
    failed = select(BackgroundJob).where(BackgroundJob.status == JobStatus.FAILED)
    page = page_of(failed, page_number, page_size)
    items = db.session.scalars(
        failed.order_by(BackgroundJob.failed_at.desc(), BackgroundJob.id.desc())
        .offset(page.offset)
        .limit(page.size)
    )
    return list(items), page


def get_job(job_id: int) -> BackgroundJob:
    return found(db.session.get(BackgroundJob, job_id), "Job not found")


def try_again(actor: Actor, job_id: int, now: datetime | None = None) -> BackgroundJob:
    """An administrator tries a failed job again: due now, with all its attempts."""
    job = get_job(job_id)
    attempts = job.attempts
    with unit_of_work():
        result = db.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id, BackgroundJob.status == JobStatus.FAILED)
            .values(
                status=JobStatus.WAITING,
                attempts=0,
                next_attempt_at=now or utcnow(),
                failed_at=None,
                lease_until=None,
                claim=None,
            )
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise Conflict("This job is no longer failed: someone has already tried it again")
        audit.record(
            actor,
            AUDIT_ENTITY,
            job_id,
            "retried",
            {"status": [JobStatus.FAILED, JobStatus.WAITING], "attempts": [attempts, 0]},
        )
    db.session.refresh(job)
    return job


def register_test_kind(kind: str, handler: Callable[[dict], Any]) -> None:
    """Register a handler for a kind of job only the tests use."""
    _EXTRA[kind] = handler


def forget_test_kind(kind: str) -> None:
    _EXTRA.pop(kind, None)
