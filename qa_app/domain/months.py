"""Calendar months in Europe/London, as the monthly QuAD report counts them (SPEC section 8).

A month runs from midnight London time on its first day to midnight on the first day of the
next, whatever the clocks do in between: October 2026 starts at 2026-09-30T23:00Z (British
Summer Time) and November at 2026-11-01T00:00Z (Greenwich Mean Time). `start` is included and
`end` is not, so every instant belongs to exactly one month.

Plain values only; `now` is always passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import total_ordering

from qa_app.domain.clocks import LONDON

#: The earliest month a report may be asked for (so that a year earlier is still a month).
FIRST_YEAR = 2000
_SHAPE = re.compile(r"([0-9]{4})-([0-9]{2})")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class MonthRefused(ValueError):
    """A month that cannot be reported on, with a message a person can act on."""


@total_ordering
@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise MonthRefused(f"There is no month {self.month}: months run from 01 to 12")
        if not 1 <= self.year <= 9998:
            raise MonthRefused(f"The year {self.year} is out of range")

    def __lt__(self, other: Month) -> bool:
        return (self.year, self.month) < (other.year, other.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """ "October 2026"."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """Midnight London time on the first day, in UTC (included)."""
        return _london_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Midnight London time on the first day of the next month, in UTC (not included)."""
        return _london_midnight(self.next().first_day)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def shifted(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def next(self) -> Month:
        return self.shifted(1)

    def previous(self) -> Month:
        return self.shifted(-1)

    def year_earlier(self) -> Month:
        """The same month a year before."""
        return Month(self.year - 1, self.month)

    def last_n(self, n: int) -> list[Month]:
        """The n months ending with this one, oldest first."""
        return [self.shifted(k) for k in range(1 - n, 1)]


def _london_midnight(day: date) -> datetime:
    # Midnight always exists in London (the clocks change at 01:00 and 02:00).
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def month_of(moment: datetime) -> Month:
    """The London month an instant falls in."""
    if moment.tzinfo is None:
        raise ValueError("month_of needs a timezone-aware datetime")
    local = moment.astimezone(LONDON)
    return Month(local.year, local.month)


def last_full_month(now: datetime) -> Month:
    """The month before the one `now` falls in: the report's default."""
    return month_of(now).previous()


def parse_month(text: str | None, now: datetime) -> Month:
    """A month written YYYY-MM that a report can be made for: from January 2000 to the month
    `now` falls in (a month not yet begun has nothing to report). MonthRefused says why not."""
    text = (text or "").strip()
    found = _SHAPE.fullmatch(text)
    if not found:
        raise MonthRefused(f"Give the month as YYYY-MM, for example {last_full_month(now)}")
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise MonthRefused(f"There is no month {found.group(2)}: months run from 01 to 12")
    if year < FIRST_YEAR:
        raise MonthRefused(f"Choose a month from January {FIRST_YEAR} onwards")
    current = month_of(now)
    if (year, month) > (current.year, current.month):
        label = f"{MONTH_NAMES[month - 1]} {year}"
        raise MonthRefused(f"{label} has not started yet: choose an earlier month")
    return Month(year, month)


def london_date(moment: datetime) -> date:
    """The London calendar day an instant falls on."""
    return moment.astimezone(LONDON).date()


def day_as_at(moment: datetime) -> date:
    """The London day whose rules apply at `moment`, where `moment` is an exclusive end (a
    month's end, or now): the day of the instant just before it. At the end of October (the
    first instant of November) that is 31 October, so something due on the 31st is not yet
    overdue, and something due on the 30th is."""
    return london_date(moment - timedelta(microseconds=1))
