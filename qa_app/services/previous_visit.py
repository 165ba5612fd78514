"""The previous visit beside each question on the recording page: the service's latest
published assessment (`rules.latest_published_of`, the one definition) when it is on the same
standard set (`domain.previous_visit.is_previous`), with each question's answer and the rating
its standard had then. Three statements however many questions the page has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from qa_app.domain.previous_visit import Visit, is_previous, score_text
from qa_app.domain.ratings import rounded
from qa_app.models import Assessment
from qa_app.services import rules
from qa_app.services.assessment_facts import answers_for, questions_for, ratings_for


@dataclass(frozen=True)
class PreviousAnswer:
    score: str  # "3 Good", "N/A", "Not scored"
    na_reason: str | None
    evidence: str
    sources: tuple[str, ...]
    standard_code: str
    standard_rating: str  # "Good", "Not assessed"
    standard_percentage: int | None


@dataclass(frozen=True)
class PreviousVisit:
    assessment_id: int
    visit_date: date
    answers: dict[str, PreviousAnswer] = field(default_factory=dict)


def _visit(assessment: Assessment) -> Visit:
    return Visit(
        assessment.id,
        assessment.standard_set.key,
        assessment.visit_date,
        assessment.revision_of_id,
    )


def previous_visit(assessment: Assessment) -> PreviousVisit | None:
    """The previous visit to show beside `assessment`'s questions, or None."""
    latest = rules.latest_published_of(assessment.service_id)
    if latest is None or not is_previous(_visit(assessment), _visit(latest)):
        return None
    questions = questions_for(latest)
    answers = answers_for(latest)
    ratings = ratings_for(latest, questions, answers)
    by_standard = {rating.code: rating for _domain, rating in ratings.standards}
    out = {}
    for q in questions:
        answer = answers.get(q.ref)
        if answer is None:
            continue
        standard = by_standard.get(q.standard_code)
        out[q.ref] = PreviousAnswer(
            score=score_text(answer.score, answer.na),
            na_reason=answer.na_reason,
            evidence=answer.evidence or "",
            sources=tuple(answer.sources or ()),
            standard_code=q.standard_code,
            standard_rating=standard.rating if standard else "Not assessed",
            standard_percentage=rounded(standard.percentage) if standard else None,
        )
    return PreviousVisit(latest.id, latest.visit_date, out)
