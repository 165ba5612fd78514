"""The worker (`flask --app qa_app qa worker`): runs queued jobs (services/queue.py) and the
periodic tasks below, until it is asked to stop; `--once` does what is due and returns.

Run one or several (on one machine or many, against one database): each job is run by the
worker that claimed it, and the periodic tasks are safe to run anywhere at once (the sweep's
row locks; the outbox sends each email once), so every worker runs them on its own clock.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app

from qa_app.domain.jobs import DONE_JOBS_KEPT, LEASE
from qa_app.extensions import db
from qa_app.models.types import utcnow
from qa_app.services import periodic_runs, queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """A task run every `every` by each worker: `target` is "module:function", called with no
    arguments; `label` names it on the administrators' Background jobs page."""

    name: str
    every: timedelta
    target: str
    label: str = ""


#: the periodic tasks. The escalation sweep (services/sweep.py), so a separate sweep timer is
#: optional; the reminders due (services/reminders.py), written to the outbox; the daily digest of
#: held emails, once its hour has come (services/digest.py); then the email outbox sends what is
#: due (services/outbox.py), the reminders and digests of this cycle included; once a day, jobs
#: done more than DONE_JOBS_KEPT ago are deleted (services/housekeeping.py). Each run's success or
#: failure is noted for administrators and /healthz (services/periodic_runs.py).
PERIODIC: tuple[Periodic, ...] = (
    Periodic("sweep", timedelta(minutes=5), "qa_app.services.sweep:sweep", "Escalation sweep"),
    Periodic("reminders", timedelta(minutes=15), "qa_app.services.reminders:run", "Reminders"),
    Periodic(
        "digest", timedelta(minutes=5), "qa_app.services.digest:send_digests", "Daily digests"
    ),
    Periodic(
        "email", timedelta(seconds=15), "qa_app.services.outbox:send_pending", "Sending emails"
    ),
    Periodic(
        "housekeeping",
        timedelta(days=1),
        "qa_app.services.housekeeping:run",
        f"Deleting jobs done over {DONE_JOBS_KEPT.days} days ago",
    ),
)
#: the longest pause between cycles after failures in a row (the database is away)
MAX_PAUSE_SECONDS = 30.0
#: at most this many jobs in one `--once` run (a job that fails waits for its back-off anyway)
ONCE_LIMIT = 1000


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


class Worker:
    def __init__(
        self,
        app: Flask | None = None,
        periodic: tuple[Periodic, ...] = PERIODIC,
        poll_seconds: float = 1.0,
        name: str | None = None,
    ):
        self.app = app or current_app._get_current_object()  # type: ignore[attr-defined]
        self.periodic = periodic
        self.poll_seconds = poll_seconds
        self.name = name or worker_name()
        self.next_run: dict[str, float] = {}

    # ------------------------------------------------------------ jobs

    def run_job(self, now: datetime | None = None) -> str | None:
        """Claim and run one due job; what became of it, or None when none was due."""
        claimed = queue.claim_next(self.name, now)
        if claimed is None:
            return None
        stop = threading.Event()
        renewing = threading.Thread(
            target=self._renew, args=(claimed, stop), name=f"lease-{claimed.id}", daemon=True
        )
        renewing.start()
        try:
            outcome = queue.run_claimed(claimed)
        finally:
            stop.set()
            renewing.join()
        log.info("Job %s (%s), attempt %s: %s", claimed.id, claimed.kind, claimed.attempts, outcome)
        return outcome

    def _renew(self, claimed: queue.Claimed, stop: threading.Event) -> None:
        """Keep the lease of the job running while this process lives."""
        while not stop.wait(LEASE.total_seconds() / 3):
            with self.app.app_context():
                try:
                    if not queue.renew(claimed):
                        log.warning("Job %s: the claim was lost to another worker", claimed.id)
                        return
                except Exception:  # a busy database: the lease still has two thirds to run
                    log.warning("Job %s: could not renew its lease", claimed.id, exc_info=True)
                finally:
                    db.session.remove()

    def run_due_jobs(
        self, limit: int = ONCE_LIMIT, stop: threading.Event | None = None
    ) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        while sum(outcomes.values()) < limit and not (stop and stop.is_set()):
            outcome = self.run_job()
            if outcome is None:
                break
            outcomes[outcome] += 1
        return outcomes

    # ------------------------------------------------------------ periodic tasks

    def run_periodic(self, force: bool = False) -> dict[str, Any]:
        """Run each periodic task that is due on this worker's clock (all of them: `force`)."""
        ran: dict[str, Any] = {}
        for task in self.periodic:
            clock = time.monotonic()
            if not force and self.next_run.get(task.name, 0) > clock:
                continue
            self.next_run[task.name] = clock + task.every.total_seconds()
            try:
                ran[task.name] = queue.resolve(task.target)()
            except Exception as error:
                db.session.rollback()
                log.exception("Periodic task %s failed", task.name)
                ran[task.name] = {"error": f"{type(error).__name__}: {error}"[:500]}
                self._note(task.name, error)
            else:
                self._note(task.name, None)
        return ran

    def _note(self, name: str, error: Exception | None) -> None:
        """Note the task's success or failure for administrators; a database too busy or away to
        take the note (the likely cause of the failure) does not stop the worker."""
        try:
            if error is None:
                periodic_runs.record_success(name)
            else:
                periodic_runs.record_failure(name, error)
        except Exception:
            db.session.rollback()
            log.warning("Periodic task %s: could not note how it went", name, exc_info=True)

    # ------------------------------------------------------------ the loops

    def run_once(self) -> dict[str, Any]:
        """Everything due now, then return: the periodic tasks, then the queued jobs."""
        ran = self.run_periodic(force=True)
        outcomes = self.run_due_jobs()
        return {"jobs": dict(sorted(outcomes.items())), "periodic": ran, "at": utcnow().isoformat()}

    def run_forever(self, stop: threading.Event, periodic: bool = True) -> None:
        """Until `stop` is set: the periodic tasks when due, and every due job; then a pause."""
        log.info("Worker %s started", self.name)
        failures = 0
        while not stop.is_set():
            try:
                if periodic:
                    self.run_periodic()
                self.run_due_jobs(stop=stop)
                failures = 0
            except Exception:  # the database went away: try again after a growing pause
                failures += 1
                log.exception("Worker %s: a cycle failed (%s in a row)", self.name, failures)
                db.session.rollback()
            finally:
                db.session.remove()
            stop.wait(min(self.poll_seconds * 2 ** min(failures, 10), MAX_PAUSE_SECONDS))
        log.info("Worker %s stopped", self.name)
