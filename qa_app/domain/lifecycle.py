"""Assessment lifecycle (SPEC section 4): which step may follow which."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

PLANNED, IN_PROGRESS, SUBMITTED, DRAFT_SHARED, PUBLISHED = (
    "planned",
    "in_progress",
    "submitted",
    "draft_shared",
    "published",
)
STATUSES = (PLANNED, IN_PROGRESS, SUBMITTED, DRAFT_SHARED, PUBLISHED)
STATUS_LABELS = {
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
EDITABLE = (PLANNED, IN_PROGRESS)


class StepRefused(ValueError):
    pass


def after(status: str, step: str) -> str:
    """The status an assessment moves to, or StepRefused saying why not."""
    if step not in STEPS:
        raise StepRefused(f"unknown step {step!r}")
    allowed, result = STEPS[step]
    if status not in allowed:
        raise StepRefused(
            f"an assessment that is {STATUS_LABELS.get(status, status).lower()} cannot be {VERBS[step]}"
        )
    return result


VERBS = {
    "record": "changed",
    "submit": "submitted",
    "return": "returned to the officer",
    "share-draft": "shared with the provider",
    "publish": "published",
}


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


def follow_up_due(published_on, months: int = FOLLOW_UP_MONTHS):
    """The date a follow-up assessment is due: the same day `months` later (or the month's
    last day, when that month is shorter: 31 August → 28 or 29 February)."""
    import calendar

    month_index = published_on.month - 1 + months
    year, month = published_on.year + month_index // 12, month_index % 12 + 1
    day = min(published_on.day, calendar.monthrange(year, month)[1])
    return published_on.replace(year=year, month=month, day=day)
