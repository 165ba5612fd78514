"""Assessment lifecycle (SPEC section 4): which step may follow which.

Each rule is one function here: a `…_refusal` says why a step cannot be taken (the service
raises it), and the matching `can_…` is that refusal's absence (the page offers the step), so a
button is shown exactly when the step would be accepted.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol, TypeVar


class AssessmentStatus(StrEnum):
    """An assessment's status, as stored."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    DRAFT_SHARED = "draft_shared"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


PLANNED = AssessmentStatus.PLANNED
IN_PROGRESS = AssessmentStatus.IN_PROGRESS
SUBMITTED = AssessmentStatus.SUBMITTED
DRAFT_SHARED = AssessmentStatus.DRAFT_SHARED
PUBLISHED = AssessmentStatus.PUBLISHED
STATUSES = tuple(AssessmentStatus)
STATUS_LABELS: dict[str, str] = {
    PLANNED: "Planned",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    DRAFT_SHARED: "Draft shared",
    PUBLISHED: "Published",
}

#: step name → (statuses it may start from, status it leads to)
STEPS = {
    "record": ((PLANNED, IN_PROGRESS), IN_PROGRESS),
    "submit": ((PLANNED, IN_PROGRESS), SUBMITTED),
    # back to the officer for changes: before sharing, or after the provider's comments
    "return": ((SUBMITTED, DRAFT_SHARED), IN_PROGRESS),
    "share-draft": ((SUBMITTED,), DRAFT_SHARED),
    "publish": ((SUBMITTED, DRAFT_SHARED), PUBLISHED),
}

#: Answers can be changed only while the officer holds the assessment.
EDITABLE = STEPS["record"][0]
#: A draft the provider was shown, taken back by the council to correct: returned to the
#: officer (in progress), or submitted again and not yet shared again.
TAKEN_BACK = (IN_PROGRESS, SUBMITTED)
#: The provider reads the report: the draft shared with them, then the published report.
SHOWN_TO_PROVIDER = (DRAFT_SHARED, PUBLISHED)


class StepRefused(ValueError):
    pass


VERBS = {
    "record": "changed",
    "submit": "submitted",
    "return": "returned to the officer",
    "share-draft": "shared with the provider",
    "publish": "published",
}


def step_refusal(status: str, step: str) -> str | None:
    """Why `step` cannot be taken on an assessment that is `status`, or None."""
    if step not in STEPS:
        return f"unknown step {step!r}"
    allowed, _ = STEPS[step]
    if status not in allowed:
        return f"an assessment that is {STATUS_LABELS.get(status, status).lower()} cannot be {VERBS[step]}"
    return None


def can_take(status: str, step: str) -> bool:
    return step_refusal(status, step) is None


def after(status: str, step: str) -> str:
    """The status an assessment moves to, or StepRefused saying why not."""
    refusal = step_refusal(status, step)
    if refusal:
        raise StepRefused(refusal)
    return STEPS[step][1]


def can_record(status: str) -> bool:
    """Answers may be recorded and changed (the officer holds the assessment)."""
    return can_take(status, "record")


def can_submit(status: str) -> bool:
    return can_take(status, "submit")


def has_report(status: str) -> bool:
    """A report (a draft until it is published) can be read once recording has begun."""
    return status != PLANNED


def is_published(status: str) -> bool:
    return status == PUBLISHED


def shown_to_provider(status: str) -> bool:
    return status in SHOWN_TO_PROVIDER


def is_shared(status: str) -> bool:
    """The draft is with the provider for their comments."""
    return status == DRAFT_SHARED


def correction_refusal(status: str, superseded: bool) -> str | None:
    """Why a published assessment cannot be corrected (a new revision started), or None."""
    if status != PUBLISHED or superseded:
        return "Only the current published assessment can be corrected"
    return None


def can_correct(status: str, superseded: bool) -> bool:
    return correction_refusal(status, superseded) is None


class Publication(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def published_at(self) -> datetime | None: ...


P = TypeVar("P", bound=Publication)


def publication_order(published_at: datetime, assessment_id: int) -> tuple[datetime, int]:
    """How a service's published assessments are ordered, latest last: by when each was
    published and, published at the same instant, by id (the one recorded later is the later;
    a correction is always recorded after what it corrects). SPEC sections 5, 7 and 8 all ask
    for "the latest published assessment": this is the one answer. Its query form is
    services/rules.py `LATEST_FIRST`."""
    return (published_at, assessment_id)


def latest_published(assessments: Iterable[P]) -> P | None:
    """The latest published of these assessments (a service's), or None if none is published."""
    latest: P | None = None
    latest_key: tuple[datetime, int] | None = None
    for assessment in assessments:
        if assessment.status != PUBLISHED or assessment.published_at is None:
            continue
        key = publication_order(assessment.published_at, assessment.id)
        if latest_key is None or key > latest_key:
            latest, latest_key = assessment, key
    return latest


FOLLOW_UP_MONTHS = 6


def follow_up_due(published_on: date, months: int = FOLLOW_UP_MONTHS) -> date:
    """The date a follow-up assessment is due: the same day `months` later (or the month's
    last day, when that month is shorter: 31 August → 28 or 29 February)."""
    month_index = published_on.month - 1 + months
    year, month = published_on.year + month_index // 12, month_index % 12 + 1
    if published_on.day <= 28:  # every month has it (the common case, read for every service)
        return published_on.replace(year=year, month=month)
    day = min(published_on.day, calendar.monthrange(year, month)[1])
    return published_on.replace(year=year, month=month, day=day)
