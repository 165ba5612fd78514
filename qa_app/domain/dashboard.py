"""The managers' dashboard's own rules (issue 16, item 5): which response clocks need a manager
now, which drafts' comment windows end this week, and how the audit trail reads as one line per
piece of work.

Plain values only; `now` is always passed in. The query forms of the clock and comment-window
rules are in `services/rules.py` (`clock_due_soon`, `clock_breached`, `comments_close_between`);
tests/integration/test_manager_dashboard.py checks that they agree.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

from qa_app.domain.clocks import LONDON, london_date
from qa_app.domain.draft_comments import COMMENT_DAYS, comment_deadline
from qa_app.domain.lifecycle import is_shared

#: "Due soon": a clock running out within this many hours.
DUE_SOON_HOURS = 24
#: Saves by the same person on the same piece of work no further apart than this are one sitting.
SITTING_GAP = timedelta(minutes=30)


# ---------------------------------------------------------------- response clocks


def clock_due_soon(
    is_open: bool, due_at: datetime, now: datetime, hours: int = DUE_SOON_HOURS
) -> bool:
    """An open concern (its clock running) whose response falls due within `hours` of `now`
    (not yet past: that is `clock_breached`)."""
    return is_open and now <= due_at < now + timedelta(hours=hours)


def clock_breached(
    counts_as_open: bool, due_at: datetime, responded_at: datetime | None, now: datetime
) -> bool:
    """A concern whose response time has passed with no response recorded and which still
    counts against its service (`domain.concerns.counts_as_open`: open, or escalated into a
    notice not yet issued): a breach a manager still has to act on."""
    return counts_as_open and responded_at is None and due_at < now


# ---------------------------------------------------------------- comment windows


def week_after(today: date) -> date:
    """The Monday after `today`'s week (weeks run Monday to Sunday): the first day not in it."""
    return today + timedelta(days=7 - today.weekday())


def end_of_week(now: datetime) -> datetime:
    """Midnight London time at the end of `now`'s London week (Sunday night), as an instant."""
    monday = week_after(london_date(now))
    return datetime.combine(monday, time(0, 0), tzinfo=LONDON)


def comments_close_this_week(status: str, shared_at: datetime | None, now: datetime) -> bool:
    """A draft shared with the provider whose comment period ends from `now` to the end of
    this London week (`domain.draft_comments.comment_deadline`)."""
    deadline = comment_deadline(shared_at)
    if not is_shared(status) or deadline is None:
        return False
    return now <= deadline < end_of_week(now)


def shared_between_for_this_week(now: datetime) -> tuple[datetime, datetime]:
    """The sharing times [start, end) whose comment period ends this week from `now` (what
    `comments_close_this_week` asks, turned round for a query on `shared_at`)."""
    period = timedelta(days=COMMENT_DAYS)
    return now - period, end_of_week(now) - period


# ---------------------------------------------------------------- recent changes

K = TypeVar("K", bound=Hashable)
E = TypeVar("E")


@dataclass(frozen=True)
class Change(Generic[K, E]):
    """One audit event as the grouping sees it. `sitting` is what it belongs to when it is one
    of many small saves (an answer saved: (who, which assessment)), or None for an event that
    stands alone. `item` is the thing saved (the answer), counted once however often saved."""

    at: datetime
    event: E
    sitting: K | None = None
    item: Hashable | None = None


@dataclass
class WorkLine(Generic[E]):
    """One line of "Recent changes": a single event, or a sitting of saves (`first` to `last`,
    `items` different things saved, `saves` events in all). `event` is the sitting's latest."""

    event: E
    first: datetime
    last: datetime
    saves: int = 1
    items: set[Hashable] = field(default_factory=set)
    #: earlier saves of this sitting may lie beyond the changes read ("at least" so many)
    partial: bool = False

    @property
    def grouped(self) -> bool:
        return bool(self.items)


def work_lines(
    changes: Iterable[Change[K, E]],
    limit: int,
    gap: timedelta = SITTING_GAP,
    read_back_to: datetime | None = None,
) -> list[WorkLine[E]]:
    """The changes, newest first, as at most `limit` lines: saves with the same `sitting` key
    no more than `gap` apart (each from the next) become one line, even when someone else's
    changes fall between them. Lines are in the order of their latest change, newest first.

    `read_back_to`: when the changes given are only the latest of more, the time of the oldest
    given; a sitting that reaches within `gap` of it may have earlier saves, and is `partial`."""
    lines: list[WorkLine[E]] = []
    open_sittings: dict[K, WorkLine[E]] = {}
    for change in changes:
        if change.sitting is None:
            if len(lines) < limit:
                lines.append(WorkLine(change.event, change.at, change.at))
            continue
        line = open_sittings.get(change.sitting)
        if line is not None and line.first - change.at <= gap:
            line.first = change.at
            line.saves += 1
            line.items.add(change.item)
        elif len(lines) < limit:
            line = WorkLine(change.event, change.at, change.at, 1, {change.item})
            open_sittings[change.sitting] = line
            lines.append(line)
        else:
            open_sittings.pop(change.sitting, None)  # an older sitting, not shown
    if read_back_to is not None:
        for line in lines:
            line.partial = line.grouped and line.first - read_back_to <= gap
    return lines


def _clock(local: datetime) -> str:
    hour = local.strftime("%I").lstrip("0")
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def sitting_span(first: datetime, last: datetime) -> str:
    """When a sitting happened, in Europe/London time: '8 December 2026, 10:02am to 10:40am'
    (one time if it was a single save; both dates if it ran past midnight)."""
    start, end = first.astimezone(LONDON), last.astimezone(LONDON)
    day = f"{start.day} {start:%B %Y}"
    if _clock(start) == _clock(end) and start.date() == end.date():
        return f"{day}, {_clock(start)}"
    if start.date() == end.date():
        return f"{day}, {_clock(start)} to {_clock(end)}"
    return f"{day}, {_clock(start)} to {end.day} {end:%B %Y}, {_clock(end)}"
