"""Reminders (issue 19): when one is due, and the key that makes it go once.

Pure rules over dates and instants, so that they can be tested with worked examples; the
worker's "reminders" task (services/reminders.py) asks the database for the candidates with
the same rules the pages use (services/rules.py) and writes one email per reminder and
recipient through the outbox, whose unique (event key, recipient) makes a second run send
nothing again.

- "In 3 days" is counted in calendar days in Europe/London: a due date is a London day, and
  today is the London date of the moment the task runs (so 23:30 UTC on 24 October 2026, 00:30
  BST, is already 25 October).
- A concern's clock is the `response_due_at` its clock rule gave it (domain/clocks.py: elapsed
  hours, or working days that skip weekends and bank holidays); the reminder warns in the 2
  hours before it (`domain.dashboard.clock_due_soon`), and once more when it has passed without
  a response (`domain.dashboard.clock_breached`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from qa_app.domain.clocks import london_date

#: days before a due date (London calendar days) that a provider is reminded
DAYS_BEFORE = 3
#: hours before a concern's response is due that its officers are reminded (the rule is the
#: dashboard's `domain.dashboard.clock_due_soon`, asked with these hours)
CLOCK_WARNING_HOURS = 2


def days_until(due: date, today: date) -> int:
    """Calendar days from `today` to `due` (negative once it has passed)."""
    return (due - today).days


def due_soon(due: date | None, today: date, days: int = DAYS_BEFORE) -> bool:
    """A date due from today to `days` days ahead (London calendar days): the reminder before
    it is due. Once it has passed, the overdue rules take over."""
    return due is not None and 0 <= days_until(due, today) <= days


def window(today: date, days: int = DAYS_BEFORE) -> tuple[date, date]:
    """The first and last due dates `due_soon` accepts on `today` (for a query)."""
    return today, today + timedelta(days=days)


def closes_soon(deadline: datetime | None, now: datetime, days: int = DAYS_BEFORE) -> bool:
    """A period ending at the instant `deadline` (a draft report's comments) that has not ended,
    and ends on a London day from today to `days` days ahead."""
    return (
        deadline is not None
        and now <= deadline
        and due_soon(london_date(deadline), london_date(now), days)
    )


def stamp(value: date | datetime) -> str:
    """A due date or instant in an event key (UTC for an instant), so that a date moved later
    is a new reminder and the same one again is not."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a reminder's instant must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="minutes")
    return value.isoformat()


def event_key(kind: str, entity_id: int, due: date | datetime) -> str:
    """The outbox event key of one reminder: `reminder:<kind>:<id>:<due>`."""
    return f"reminder:{kind}:{entity_id}:{stamp(due)}"
