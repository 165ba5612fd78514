"""Background jobs: when a failed job is tried again, and when it is given up.

A job is claimed by one worker for a lease; the worker renews the lease while the job runs. A
worker that dies stops renewing it, and once it has lapsed another worker claims the job again.
Each claim counts as an attempt, so a job that kills its worker every time is given up too.
"""

from __future__ import annotations

from datetime import timedelta

#: how long a claim holds without being renewed (a running job's worker renews it every third)
LEASE = timedelta(seconds=60)
#: attempts before a job is given up and shown to an administrator (Background jobs)
MAX_ATTEMPTS = 5
#: the wait after the first failure; it doubles after each further one, up to BACKOFF_CAP
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
#: the longest error text kept on a job (the end of it, where the cause is)
ERROR_CHARS = 2000


class JobStatus:
    WAITING = "waiting"  # due at next_attempt_at; claimed while its lease has not lapsed
    DONE = "done"
    FAILED = "failed"  # given up after MAX_ATTEMPTS: an administrator may try it again


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` tries have failed (1 → 30 s, 2 → 1 min,
    3 → 2 min …, never more than an hour)."""
    if attempts < 1:
        return timedelta(0)
    wait: timedelta = BACKOFF_BASE * (2 ** min(attempts - 1, 20))
    return min(wait, BACKOFF_CAP)


def gives_up(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    return attempts >= max_attempts


def error_text(kind: str, message: str) -> str:
    """What is kept of an error: its type and message, the end kept when it is long."""
    text = f"{kind}: {message}" if message else kind
    return text if len(text) <= ERROR_CHARS else "…" + text[-(ERROR_CHARS - 1) :]


#: a job done this long ago is deleted by the worker's daily housekeeping (services/housekeeping.py);
#: a waiting or failed job is never deleted
DONE_JOBS_KEPT = timedelta(days=30)
#: rows deleted by one statement: each batch is its own short transaction, so the cleaning never
#: holds a lock for long
DELETE_BATCH = 2000
