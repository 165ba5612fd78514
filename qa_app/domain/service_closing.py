"""A service that has closed (its registration ended, or the council stopped commissioning it).

`closed_on` is the first day the service is no longer running: on that day and after, it is
closed. One rule says whether a service is open on a day (`is_open_on`), and
services/rules.py `service_open_on` is its query form, used by every list and count that is
about the live market (the services list, the market overview and its risk counts, the
dashboards, the QuAD report's "services by rating").

Closing is a decision (a manager's, or an officer's in a CQC import), checked here:
- the date is today or earlier (a closure is recorded once it has happened; a planned
  closure is not yet a closed service) and not before the service's last visit (a service
  cannot have been visited after it closed);
- a reason is given (a short text; the page offers the usual ones);
- nothing is still to be done for it (`closing_blockers`): an assessment started and not yet
  published (its report is owed to the provider), a concern not yet closed (its clock would
  run on with nobody to act on it), or a notice not yet decided (a draft, an issued notice of
  concern or breach notice, an escalated one whose breach notice is pending). A breach notice
  that ended in a recommendation to terminate does not stop it: closing is what follows.
  Each is listed, and nothing changes until each is dealt with.
- A visit planned and not yet started is cancelled by the closing (it can no longer take
  place); the confirmation lists each one first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qa_app.domain import limits
from qa_app.domain.concerns import CLOSED as CONCERN_CLOSED
from qa_app.domain.concerns import ESCALATED as CONCERN_ESCALATED
from qa_app.domain.lifecycle import PLANNED, PUBLISHED
from qa_app.domain.notices import ESCALATED, FINAL
from qa_app.domain.wording import long_date

#: The usual reasons, as the page offers them (the stored text is the label).
REASONS = (
    "Deregistered by CQC",
    "Registered again under a new owner (a different service)",
    "No longer commissioned by the council",
)
#: The reason given when an officer marks closed, in a CQC import, a service no longer in the file.
CQC_FILE_REASON = "No longer in CQC's file (deregistered)"


def is_open_on(closed_on: date | None, day: date) -> bool:
    """Whether a service is running on `day`: never closed, or closed after it."""
    return closed_on is None or day < closed_on


def is_closed(closed_on: date | None, today: date) -> bool:
    return not is_open_on(closed_on, today)


def closing_problems(
    closed_on: date | None, reason: str | None, today: date, last_visit: date | None
) -> dict[str, str]:
    """{field: message} for what is wrong with a closing date and reason."""
    errors: dict[str, str] = {}
    if closed_on is None:
        errors["closed_on"] = "Enter the date the service closed"
    elif closed_on > today:
        errors["closed_on"] = "The date it closed must be today or in the past"
    elif last_visit is not None and closed_on < last_visit:
        errors["closed_on"] = (
            f"The date it closed cannot be before its last visit, on {long_date(last_visit)}"
        )
    text = (reason or "").strip()
    if not text:
        errors["closed_reason"] = "Enter why the service closed"
    elif problem := limits.CLOSED_REASON.problem(text):
        errors["closed_reason"] = problem
    return errors


@dataclass(frozen=True)
class OpenItem:
    """Something of a service's: an assessment, a concern or a notice."""

    kind: str  # "assessment", "concern" or "notice"
    id: int
    status: str
    text: str  # how the page names it: "Assessment, visit 3 March 2026"
    closed: bool = False  # a notice: closed once its breach notice was decided


def blocks_closing(item: OpenItem) -> bool:
    """Whether this item must be dealt with before its service can close."""
    if item.kind == "assessment":
        return item.status not in (PLANNED, PUBLISHED)
    if item.kind == "concern":
        return item.status != CONCERN_CLOSED and item.status != CONCERN_ESCALATED
    if item.kind == "notice":
        return not (item.status in FINAL or (item.status == ESCALATED and item.closed))
    raise ValueError(f"unknown kind {item.kind!r}")


def cancelled_by_closing(item: OpenItem) -> bool:
    """A visit planned and not yet started: the closing cancels it."""
    return item.kind == "assessment" and item.status == PLANNED


def closing_blockers(items: list[OpenItem]) -> list[OpenItem]:
    return [item for item in items if blocks_closing(item)]


def blocked_message(name: str, blockers: list[OpenItem]) -> str:
    """The refusal, naming each thing to deal with first."""
    return f"{name} cannot be closed yet. Deal with these first: " + "; ".join(
        f"{b.text} ({b.status.replace('_', ' ')})" for b in blockers
    )


def closed_refusal(name: str, closed_on: date | None, today: date, doing: str) -> str | None:
    """Why nothing new (`doing`: "plan an assessment", "log a concern") may start for a closed
    service, or None while it is open."""
    if is_open_on(closed_on, today):
        return None
    assert closed_on is not None
    return f"{name} closed on {long_date(closed_on)}: a manager can reopen it to {doing}"
