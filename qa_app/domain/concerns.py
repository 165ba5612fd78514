"""Concern codes and lifecycle (SPEC section 6), and what makes a concern's input wrong."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from qa_app.domain.clocks import CONCERN_RISK_LEVELS, HIGH_RISK
from qa_app.domain.limits import DETAILS, NOTES, REASON, SUMMARY, text_problem
from qa_app.domain.notices import FINAL as NOTICE_FINAL
from qa_app.domain.notices import NoticeStatus

SOURCES = {
    "complaint": "Complaint",
    "whistleblower": "Whistleblower",
    "safeguarding": "Safeguarding",
    "professional": "Professional",
    "cqc": "CQC",
    "visit": "Officer's visit",
    "provider_notification": "Provider notification",
}
CONCERN_RISK_LABELS = dict(zip(CONCERN_RISK_LEVELS, ("High", "Medium", "Low"), strict=True))
RESPONSES = {
    "visit": "Visit",
    "call": "Call",
    "safeguarding_referral": "Safeguarding referral",
    "information_request": "Information request",
}
OUTCOMES = {
    "resolved": "Resolved",
    "not_substantiated": "Not substantiated",
    "no_further_action": "No further action",
    "referred_on": "Referred on",
}


class ConcernStatus(StrEnum):
    """A concern's status, as stored."""

    OPEN = "open"
    RESPONDED = "responded"
    CLOSED = "closed"
    ESCALATED = "escalated"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


OPEN = ConcernStatus.OPEN
RESPONDED = ConcernStatus.RESPONDED
CLOSED = ConcernStatus.CLOSED
ESCALATED = ConcernStatus.ESCALATED
STATUS_LABELS: dict[str, str] = {
    OPEN: "Open",
    RESPONDED: "Responded",
    CLOSED: "Closed",
    ESCALATED: "Escalated",
}
#: Finished with: nothing more is done on the concern itself.
FINISHED = (CLOSED, ESCALATED)

#: An escalated concern goes on counting while its notice is one of these (or it has none yet).
NOTICE_NOT_YET_ISSUED = (NoticeStatus.DRAFT,)


def counts_as_open(status: str, notice_status: str | None) -> bool:
    """Whether a concern is open against its service (SPEC section 7: "any open high-risk
    concern, three or more open concerns"): while its status is open, and, once escalated,
    until the notice it went into is issued or withdrawn, so that escalating a concern never
    turns a service green before the notice counts instead. A responded or closed concern is
    not open. The risk RAG, the market overview's counts and the concern list's filter all ask
    this; services/rules.py `OPEN_CONCERN` is its query form."""
    if status == OPEN:
        return True
    return status == ESCALATED and (notice_status is None or notice_status in NOTICE_NOT_YET_ISSUED)


#: step → statuses it may start from
ALLOWED = {
    "respond": (OPEN,),
    "close": (OPEN, RESPONDED),
    "escalate": (OPEN, RESPONDED),
}


def clock_name(risk_level: str, high_hours: int, other_hours: int) -> str:
    return f"{high_hours if risk_level == HIGH_RISK else other_hours}-hour"


#: a notice in one of these is decided: its escalated concerns may then be closed
NOTICE_DECIDED = NOTICE_FINAL


def refusal(status: str, step: str, notice_status: str | None = None) -> str | None:
    """Why a step cannot be taken from this status, or None. An escalated concern can be
    closed once the notice it went into is decided (or withdrawn), so none is left stuck."""
    if status in ALLOWED[step]:
        return None
    if step == "close" and status == ESCALATED:
        if notice_status is None or notice_status in NOTICE_DECIDED:
            return None
        states: dict[str, str] = {
            NoticeStatus.DRAFT: "still a draft",
            NoticeStatus.ISSUED: "in force",
            NoticeStatus.ESCALATED: "escalated to a contract breach notice",
        }
        state = states.get(notice_status, notice_status.replace("_", " "))
        return (
            f"This concern is part of a notice of concern that is {state}: close it once the "
            "notice is decided or withdrawn"
        )
    verb = {"respond": "responded to", "close": "closed", "escalate": "escalated"}[step]
    return f"A concern that is {STATUS_LABELS.get(status, status).lower()} cannot be {verb}"


def can_take(status: str, step: str, notice_status: str | None = None) -> bool:
    """The step is offered: the same rule as `refusal`. Closing an escalated concern needs the
    status of the notice it went into."""
    return refusal(status, step, notice_status) is None


#: A received time a little ahead of this server's clock is accepted (devices disagree slightly).
CLOCK_SKEW = timedelta(minutes=2)


def log_problems(values: Mapping[str, Any], now: datetime) -> dict[str, str]:
    """Field errors for a new concern's risk level, source, time received, summary and
    details (the service it is about is checked against the registry by the caller)."""
    errors: dict[str, str] = {}
    if values.get("risk_level") not in CONCERN_RISK_LABELS:
        errors["risk_level"] = "Choose the risk level: high, medium or low"
    if values.get("source") not in SOURCES:
        errors["source"] = "Choose where the concern came from"
    received = values.get("received_at")
    if not isinstance(received, datetime) or received.tzinfo is None:
        errors["received_at"] = "Enter when the concern was received, with the time"
    elif received > now + CLOCK_SKEW:
        errors["received_at"] = "When the concern was received cannot be in the future"
    if problem := text_problem(
        values.get("summary"), SUMMARY, "Give a short summary of the concern"
    ):
        errors["summary"] = problem
    if problem := DETAILS.problem(values.get("details")):
        errors["details"] = problem
    return errors


def _choice_and_notes(
    field: str, value: str, choices: Mapping[str, str], noun: str, notes: str | None
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if value not in choices:
        problems[field] = f"The {noun} is one of {', '.join(choices)}"
    if problem := NOTES.problem(notes):
        problems["notes"] = problem
    return problems


def respond_problems(action: str, notes: str | None) -> dict[str, str]:
    return _choice_and_notes("action", action, RESPONSES, "response", notes)


def close_problems(outcome: str, notes: str | None) -> dict[str, str]:
    return _choice_and_notes("outcome", outcome, OUTCOMES, "outcome", notes)


def escalate_problems(reason: str) -> dict[str, str]:
    """`reason` already stripped: a hand escalation says why."""
    if not reason:
        return {"reason": "Say why the concern is being escalated"}
    if problem := REASON.problem(reason):
        return {"reason": problem}
    return {}
