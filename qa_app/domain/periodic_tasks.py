"""The worker's periodic tasks as an administrator sees them (services/worker.py PERIODIC):
working, failing since when (with the last error), late (no worker has run it for a while), or
not run yet.

Each worker notes each run of a task (services/periodic_runs.py): a failure every time, a
success at most once every SUCCESS_NOTED_EVERY (the email task runs every 15 seconds on every
worker, and a healthy run need not write each time), and at once after a failure, so that a task
that works again stops showing as failing on its next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qa_app.domain.wording import count

#: a success is written at most this often while the task keeps working
SUCCESS_NOTED_EVERY = timedelta(minutes=1)
#: the longest error text kept on a task: its type and the first line of its message
ERROR_CHARS = 300

WORKING, FAILING, LATE, NOT_RUN = "working", "failing", "late", "not_run"
STATE_LABELS = {
    WORKING: "Working",
    FAILING: "Failing",
    LATE: "Not run lately",
    NOT_RUN: "Not run yet",
}


def short_error(kind: str, message: str) -> str:
    """What is kept of a task's error: its type and the first line of its message (a database
    error's SQL and parameters follow on later lines), cut to ERROR_CHARS."""
    first = message.strip().splitlines()[0].strip() if message.strip() else ""
    text = f"{kind}: {first}" if first else kind
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"


def every_words(every: timedelta) -> str:
    """How often a task runs, in words: 'every 15 seconds', 'every 5 minutes', 'every day'."""
    seconds = int(every.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"every {unit}" if n == 1 else f"every {count(n, unit)}"
    return "every second" if seconds == 1 else f"every {count(seconds, 'second')}"


def late_after(every: timedelta) -> timedelta:
    """How long after its last run a task counts as late: two of its periods, and ten minutes
    more (a worker restarting, a long sweep), so only a stopped worker makes it late."""
    return every * 2 + timedelta(minutes=10)


@dataclass(frozen=True)
class Outcomes:
    """What the workers have noted of one task."""

    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    #: the first failure since the last success (None while it works)
    failing_since: datetime | None = None

    @property
    def last_run_at(self) -> datetime | None:
        """When a worker last ran the task, whatever came of it (None: never)."""
        runs = [at for at in (self.last_success_at, self.last_failure_at) if at is not None]
        return max(runs) if runs else None


def state(outcomes: Outcomes, every: timedelta, now: datetime) -> str:
    """WORKING, FAILING (since its first failure after its last success), LATE (not run for
    longer than `late_after(every)`: no worker is running it) or NOT_RUN."""
    last_run_at = outcomes.last_run_at
    if last_run_at is None:
        return NOT_RUN
    if outcomes.failing_since is not None:
        return FAILING
    if now - last_run_at > late_after(every):
        return LATE
    return WORKING
