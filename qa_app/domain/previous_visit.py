"""The previous visit shown beside each question while an officer records an assessment.

It is the service's latest published assessment (`lifecycle.latest_published`, asked once as
`services.rules.latest_published_of`), shown only when it is on the same standard set: the
same set *key* (SPEC section 2's versioned question set), any version, its questions matched by
reference. A question new in this version has no previous answer; one dropped is not shown.

It is not shown when it is the assessment itself, the assessment a correction revises (the same
visit, not a previous one), or a visit after this one's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qa_app.domain.ratings import SCORE_LABELS


@dataclass(frozen=True)
class Visit:
    id: int
    set_key: str
    visit_date: date
    revision_of_id: int | None = None


def is_previous(current: Visit, candidate: Visit | None) -> bool:
    """Whether `candidate` (the service's latest published assessment) is shown beside
    `current`'s questions as its previous visit."""
    return (
        candidate is not None
        and candidate.id != current.id
        and candidate.id != current.revision_of_id
        and candidate.set_key == current.set_key
        and candidate.visit_date <= current.visit_date
    )


def score_text(score: int | None, na: bool) -> str:
    """`3 Good`, `N/A`, or `Not scored`: how a previous answer's score reads."""
    if na:
        return "N/A"
    if score in SCORE_LABELS:
        return f"{score} {SCORE_LABELS[score]}"
    return "Not scored"
