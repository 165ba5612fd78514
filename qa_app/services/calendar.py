"""The England and Wales bank holidays, from the maintained `holidays` package (never typed in
by hand), and the clock settings built from the app's configuration."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import holidays
from flask import current_app

from qa_app.domain.clocks import ClockSettings, london_date
from qa_app.models.types import utcnow


@lru_cache(maxsize=8)
def england_and_wales_bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays; the package's ENG subdivision has it,
    # substitute days ("observed") included.
    return frozenset(holidays.UK(subdiv="ENG", years=range(first_year, last_year + 1)).keys())


def london_today(now: datetime | None = None) -> date:
    """Today's date in Europe/London (at `now`, if given): due dates and deadlines are days there."""
    return london_date(now or utcnow())


def clock_settings() -> ClockSettings:
    config = current_app.config
    today = date.today()
    return ClockSettings(
        mode=config["QA_CLOCK_MODE"],
        high_hours=config["QA_CLOCK_HIGH_HOURS"],
        other_hours=config["QA_CLOCK_OTHER_HOURS"],
        bank_holidays=england_and_wales_bank_holidays(today.year - 11, today.year + 2),
    )
