"""Response clocks for concerns (SPEC section 6): when a response is due, and how it stands.

Two modes:
- `elapsed`: real elapsed hours from receipt (a day that crosses a clock change is still 24
  hours), 24 for high risk and 72 for medium and low by default;
- `working_days`: 24 hours = 1 working day, 72 = 3; Monday to Friday except England and Wales
  bank holidays; due at the same Europe/London time of day; a concern received outside working
  hours or on a non-working day counts from the next working day's start of business.

Everything is passed in: the bank holidays, the hours, the working day. No clock or calendar is
read from globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
#: A concern's risk level (the RAG of a service is another thing: codes.RAG_COLOURS).
HIGH_RISK = "high"
CONCERN_RISK_LEVELS = (HIGH_RISK, "medium", "low")


@dataclass(frozen=True)
class ClockSettings:
    mode: str = "elapsed"  # elapsed or working_days
    high_hours: int = 24
    other_hours: int = 72
    day_starts: time = time(9, 0)
    day_ends: time = time(17, 0)
    bank_holidays: frozenset[date] = field(default_factory=frozenset)

    def hours_for(self, risk_level: str) -> int:
        if risk_level not in CONCERN_RISK_LEVELS:
            raise ValueError(
                f"risk level must be one of {', '.join(CONCERN_RISK_LEVELS)}, not {risk_level!r}"
            )
        return self.high_hours if risk_level == HIGH_RISK else self.other_hours


def skipped_by_clock_change(local: datetime) -> bool:
    """Whether a Europe/London wall-clock time never happened: the hour from 01:00 that the
    clocks skip when they go forward on the last Sunday of March."""
    wall = local.replace(tzinfo=None)
    return local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != wall


def is_working_day(day: date, settings: ClockSettings) -> bool:
    return day.weekday() < 5 and day not in settings.bank_holidays


def next_working_day(day: date, settings: ClockSettings) -> date:
    day += timedelta(days=1)
    while not is_working_day(day, settings):
        day += timedelta(days=1)
    return day


def response_due(received_at: datetime, risk_level: str, settings: ClockSettings) -> datetime:
    """When the response to a concern received at `received_at` is due (UTC)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    hours = settings.hours_for(risk_level)
    if settings.mode == "elapsed":
        return (received_at.astimezone(UTC) + timedelta(hours=hours)).astimezone(UTC)
    if settings.mode != "working_days":
        raise ValueError(f"unknown clock mode {settings.mode!r}")
    days = max(1, round(hours / 24))
    local = received_at.astimezone(LONDON)
    start_day, start_time = local.date(), local.time().replace(tzinfo=None)
    in_hours = settings.day_starts <= start_time < settings.day_ends
    if not (is_working_day(start_day, settings) and in_hours):
        # Counts from the start of the next working day: the same day, if before opening.
        before_opening = is_working_day(start_day, settings) and start_time < settings.day_starts
        if not before_opening:
            start_day = next_working_day(start_day, settings)
        start_time = settings.day_starts
    due_day = start_day
    for _ in range(days):
        due_day = next_working_day(due_day, settings)
    return datetime.combine(due_day, start_time, tzinfo=LONDON).astimezone(UTC)


def clock_state(
    due_at: datetime, now: datetime, stopped_at: datetime | None = None, how: str = "Responded"
) -> dict[str, str]:
    """How a clock stands: running (due in …), overdue (by …), met or breached (when it stopped,
    and `how`: responded, closed or escalated)."""
    if stopped_at is not None:
        met = stopped_at <= due_at
        return {
            "state": "met" if met else "breached",
            "text": f"{how} in time" if met else f"{how} {_span(stopped_at - due_at)} late",
        }
    if now <= due_at:
        return {"state": "running", "text": f"Due in {_span(due_at - now)}"}
    return {"state": "overdue", "text": f"Overdue by {_span(now - due_at)}"}


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    return " ".join(parts) or "less than a minute"
