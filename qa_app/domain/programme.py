"""The visit programme (issue 20): when each service's next assessment is due, whether it is
overdue, and in what order of priority services due in the same month should be visited.

One rule, used by the programme page, the service page, the API (`next_assessment_due`, SPEC
section 10), the exports, the staff home page's follow-ups, the managers' dashboard and the
QuAD report's follow-up figures:

- rated below Good (the latest published assessment's overall rating): due 6 months after its
  publication (SPEC section 5, "A follow-up assessment is due 6 months after publication");
- otherwise: due the council's regular interval after publication (a setting,
  `QA_ASSESSMENT_INTERVAL_MONTHS`, 12 months by default, optionally per service type);
- never assessed (nothing published): due now (`today`);
- overdue: due before `today` with no newer assessment planned or under way.

Plain values only; `today` (a Europe/London date) is always passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from qa_app.domain.codes import AMBER, RED
from qa_app.domain.lifecycle import FOLLOW_UP_MONTHS, follow_up_due
from qa_app.domain.plans import BELOW_GOOD_CQC, BELOW_GOOD_RATINGS

DEFAULT_INTERVAL_MONTHS = 12


class IntervalsRefused(ValueError):
    """A setting of intervals that cannot be used, with a message naming what is wrong."""


@dataclass(frozen=True)
class Intervals:
    """The regular interval between assessments of a service rated Good or better, in months:
    `default`, or a service type's own."""

    default: int = DEFAULT_INTERVAL_MONTHS
    by_type: Mapping[str, int] | None = None

    def months_for(self, service_type: str) -> int:
        return (self.by_type or {}).get(service_type, self.default)

    def all_months(self) -> frozenset[int]:
        return frozenset({self.default, *(self.by_type or {}).values()})


def parse_intervals(raw: str, service_types: frozenset[str] | None = None) -> Intervals:
    """`QA_ASSESSMENT_INTERVAL_MONTHS`: a whole number of months ("12"), optionally followed by
    per-type overrides ("12, care_home=9, day_opportunities=18"). Each number is 1 to 60."""
    default = DEFAULT_INTERVAL_MONTHS
    by_type: dict[str, int] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        kind, _, number = item.rpartition("=")
        kind = kind.strip()
        try:
            months = int(number.strip())
        except ValueError:
            raise IntervalsRefused(f"{number.strip()!r} is not a whole number of months") from None
        if not 1 <= months <= 60:
            raise IntervalsRefused(f"{months} months is not between 1 and 60")
        if not kind:
            default = months
        elif service_types is not None and kind not in service_types:
            raise IntervalsRefused(f"{kind!r} is not a service type")
        else:
            by_type[kind] = months
    return Intervals(default, by_type or None)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, if negative), or the month's last day when that
    month is shorter: 31 August + 6 months → 28 February (29 in a leap year)."""
    return follow_up_due(day, months)


def below_good(rating: str | None) -> bool:
    return rating in BELOW_GOOD_RATINGS


def months_until_due(rating: str | None, interval_months: int) -> int:
    """How long after publication the next assessment is due, for an assessment so rated."""
    return FOLLOW_UP_MONTHS if below_good(rating) else interval_months


def next_assessment_due(
    published_on: date | None, rating: str | None, interval_months: int, today: date
) -> date:
    """When the service's next assessment is due: see the module's description."""
    if published_on is None:
        return today
    return add_months(published_on, months_until_due(rating, interval_months))


def is_overdue(due: date, today: date, under_way: bool) -> bool:
    """Overdue: past the due date with no newer assessment planned or under way."""
    return due < today and not under_way


def published_before_is_overdue(today: date, months: int) -> date:
    """The first publication date whose next assessment, due `months` later, is not yet overdue
    on `today`: overdue exactly when published before it (the due date never goes back as the
    publication date goes on), so a count compares dates instead of working out each due
    date. (31 August and 30 August + 6 months are both 28 February: the answer is the first.)"""
    day = add_months(today, -months) - timedelta(days=4)
    while add_months(day, months) < today:
        day += timedelta(days=1)
    return day


# ---------------------------------------------------------------- priority


@dataclass(frozen=True)
class PriorityInputs:
    service_id: int
    due: date
    risk: str = "green"
    cqc_rating: str | None = None
    published_on: date | None = None  # the latest published assessment's publication
    open_concerns: int = 0
    open_notices: int = 0
    overdue_plan: bool = False  # an improvement plan or action overdue
    overdue: bool = False


PriorityKey = tuple[int, int, int, int, int, int, int, int]


@dataclass(frozen=True)
class Priority:
    """A sort key (lower first) and the reasons, in words, in the order they weigh."""

    key: PriorityKey
    reasons: tuple[str, ...]


RISK_ORDER = {RED: 0, AMBER: 1}


def _months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def _months_since(facts: PriorityInputs, today: date) -> int | None:
    if facts.published_on is None:
        return None
    return max(_months_between(facts.published_on, today), 0)


def priority_key(facts: PriorityInputs, today: date) -> PriorityKey:
    """The order in which services due in the same month should be visited (lower first):
    overdue first; then red risk, then amber; then CQC below Good; then the longest since the
    last assessment (never assessed first); then the most open concerns and notices; then an
    overdue improvement plan; then the earliest due; then the service id, so that the order
    never changes between two readings."""
    months = _months_since(facts, today)
    return (
        0 if facts.overdue else 1,
        RISK_ORDER.get(facts.risk, 2),
        0 if facts.cqc_rating in BELOW_GOOD_CQC else 1,
        -(10_000 if months is None else months),
        -(facts.open_concerns + facts.open_notices),
        0 if facts.overdue_plan else 1,
        facts.due.toordinal(),
        facts.service_id,
    )


def priority_reasons(facts: PriorityInputs, today: date) -> tuple[str, ...]:
    """`priority_key`'s reasons in words, in the order they weigh."""
    reasons: list[str] = []
    if facts.overdue:
        reasons.append(f"overdue since {facts.due.day} {facts.due:%B %Y}")
    if facts.risk == RED:
        reasons.append("risk red")
    elif facts.risk == AMBER:
        reasons.append("risk amber")
    if facts.cqc_rating in BELOW_GOOD_CQC:
        reasons.append(f"CQC rating {facts.cqc_rating}")
    months = _months_since(facts, today)
    if months is None:
        reasons.append("never assessed")
    else:
        reasons.append(f"last assessed {months} month{'' if months == 1 else 's'} ago")
    if facts.open_concerns:
        n = facts.open_concerns
        reasons.append(f"{n} open concern{'' if n == 1 else 's'}")
    if facts.open_notices:
        n = facts.open_notices
        reasons.append(f"{n} notice{'' if n == 1 else 's'} in force")
    if facts.overdue_plan:
        reasons.append("improvement plan overdue")
    return tuple(reasons)


def priority(facts: PriorityInputs, today: date) -> Priority:
    """`priority_key` and `priority_reasons` together."""
    return Priority(priority_key(facts, today), priority_reasons(facts, today))


# ---------------------------------------------------------------- planning a month in one step


@dataclass(frozen=True)
class Placement:
    service_id: int
    officer_id: int | None  # None: no officer has room this month
    visit_date: date | None


def working_days(first: date, last: date) -> list[date]:
    """Monday to Friday from `first` to `last`."""
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def spread(service_ids: list[int], room: Mapping[int, int], days: list[date]) -> list[Placement]:
    """Services in priority order placed with the officers who have room (visits a month
    left), each to the officer with the most room left (of equals, the first in `room`'s
    order), and each officer's visits spread evenly over the working `days`. A service no
    officer has room for is left unplaced (officer None). Deterministic."""
    left = dict(room)
    given: dict[int, int] = {}
    placed = []
    for service_id in service_ids:
        candidates = [o for o in left if left[o] > 0]
        if not candidates or not days:
            placed.append(Placement(service_id, None, None))
            continue
        officer = max(candidates, key=lambda o: left[o])  # max keeps the first of equals
        k = given.get(officer, 0)
        day = days[(k * len(days)) // max(room[officer], 1) % len(days)]
        left[officer] -= 1
        given[officer] = k + 1
        placed.append(Placement(service_id, officer, day))
    return placed
