"""What the QuAD report is: plain values, computed once (`build`) and rendered by every format
(the page, the PDF, CSV, XLSX, JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.months import Month, day_as_at
from qa_app.services.quad_report.meeting import MeetingRecord


@dataclass(frozen=True)
class Filters:
    """Every figure counts only the services in this cluster and of this type ("" = all)."""

    cluster: str = ""
    service_type: str = ""

    def active(self) -> bool:
        return bool(self.cluster or self.service_type)

    def params(self) -> dict[str, str]:
        """As query parameters (only those set)."""
        return {
            k: v for k, v in (("cluster", self.cluster), ("service_type", self.service_type)) if v
        }

    def describe(self) -> str:
        parts = []
        if self.cluster:
            parts.append(f"cluster {self.cluster}")
        if self.service_type:
            parts.append(SERVICE_TYPES.get(self.service_type, self.service_type).lower())
        return ", ".join(parts) if parts else "all services"


@dataclass(frozen=True)
class Window:
    """One month of the report: events in [start, end), states as at `as_at` (the month's
    end, or now while the month is under way)."""

    month: Month
    as_at: datetime

    @classmethod
    def of(cls, month: Month, now: datetime) -> Window:
        return cls(month, min(month.end, now))

    @property
    def start(self) -> datetime:
        return self.month.start

    @property
    def end(self) -> datetime:
        return self.month.end

    @property
    def day(self) -> date:
        """The London day whose rules (overdue, in force) apply at `as_at`."""
        return day_as_at(self.as_at)

    @property
    def complete(self) -> bool:
        return self.as_at >= self.month.end


@dataclass
class RatingChange:
    """A service whose rating moved during the month."""

    service_id: int
    name: str
    provider: str
    kind: str  # "assessment" (the latest published assessment's) or "cqc"
    before: str | None  # None: no published assessment yet
    after: str | None
    direction: str  # "better", "worse" or "" (from or to no rating)


@dataclass
class ServiceOfConcern:
    service_id: int
    name: str
    provider: str
    cluster: str
    service_type: str
    risk: str  # red or amber
    reasons: list[str]


@dataclass
class Trend:
    """The 12 months ending with the report's month, oldest first."""

    months: list[Month]
    received: dict[str, list[int]]  # high, medium, low
    on_time_rate: dict[str, list[float | None]]  # high, other
    met: dict[str, list[int]]
    breached: dict[str, list[int]]


@dataclass
class ClosedService:
    """A service that closed in the report's month (by its last day), as the pack names it."""

    service_id: int
    name: str
    provider: str
    closed_on: date


@dataclass
class QuadReport:
    month: Month
    filters: Filters
    produced_at: datetime
    windows: list[Window]  # this month, the month before, the same month a year earlier
    #: one figure tree per window, in the SPEC's JSON shape (section 8)
    figures: list[dict]
    rating_changes: list[RatingChange]
    services_of_concern: list[ServiceOfConcern]
    #: how many services were red and amber at the month's end (the list above may stop short)
    concern_counts: dict[str, int]
    trend: Trend
    #: The meeting's own record (issue 16, item 4): the meeting held in the month, the services
    #: discussed (as the filters choose them), decisions, the council's actions, and the
    #: actions carried forward from earlier meetings.
    meeting_record: MeetingRecord | None = None
    notes: list[str] = field(default_factory=list)
    #: the services (as the filters choose them) that closed in the month, by day then name
    services_closed: list[ClosedService] = field(default_factory=list)

    @property
    def window(self) -> Window:
        return self.windows[0]

    def value(self, path: str, column: int = 0):
        """A figure by its dotted path ("concerns.received.high") in a column (0 = the month,
        1 = the month before, 2 = a year earlier)."""
        node = self.figures[column]
        for part in path.split("."):
            node = node[part]
        return node
