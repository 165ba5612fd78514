"""The worker's daily housekeeping (services/worker.py PERIODIC): background jobs done more than
DONE_JOBS_KEPT ago are deleted, in batches of DELETE_BATCH rows, each its own short transaction,
so the cleaning never holds a lock for long. Waiting and failed jobs are never deleted.

Emails are never deleted: the outbox is the council's record of what it told each provider and
person, and when (README, "Email").
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import delete, select

from qa_app.domain.jobs import DELETE_BATCH, DONE_JOBS_KEPT, JobStatus
from qa_app.extensions import db
from qa_app.models import BackgroundJob
from qa_app.models.types import utcnow
from qa_app.services.transaction import unit_of_work

#: a pause between full batches, so writers waiting for SQLite's write lock get their turn
PAUSE_SECONDS = 0.05


def delete_old_done_jobs(
    now: datetime | None = None, batch: int = DELETE_BATCH, pause: float = PAUSE_SECONDS
) -> int:
    """Delete the jobs done before `now` - DONE_JOBS_KEPT, `batch` rows a statement; how many."""
    cutoff = (now or utcnow()) - DONE_JOBS_KEPT
    old = (
        select(BackgroundJob.id)
        .where(BackgroundJob.status == JobStatus.DONE, BackgroundJob.done_at < cutoff)
        .limit(batch)
    )
    deleted = 0
    while True:
        with unit_of_work():
            result = db.session.execute(
                delete(BackgroundJob)
                .where(BackgroundJob.id.in_(old), BackgroundJob.status == JobStatus.DONE)
                .execution_options(synchronize_session=False)
            )
        count = result.rowcount  # type: ignore[attr-defined]
        deleted += count
        if count < batch:
            return deleted
        time.sleep(pause)


def run() -> dict[str, int]:
    """The periodic task: what it deleted."""
    return {"done_jobs_deleted": delete_old_done_jobs()}
