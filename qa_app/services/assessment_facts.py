"""Read-only facts about assessments that other use cases build on (plans, risk, the home
pages): the questions, answers and ratings of an assessment, a service's latest published
assessment, and the follow-ups due. Imports no other use case that changes anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import aliased

from qa_app.domain import limits
from qa_app.domain.clocks import london_date
from qa_app.domain.lifecycle import PUBLISHED, StepRefused, after, shown_to_provider
from qa_app.domain.programme import Intervals, is_overdue, next_assessment_due
from qa_app.domain.ratings import (
    SCORE_LABELS,
    AssessmentRatings,
    DomainShape,
    StandardShape,
    rate_assessment,
    rounded,
)
from qa_app.domain.roles import STAFF_ROLES
from qa_app.extensions import db
from qa_app.models import Answer, Assessment, PlanIssue, Service, StandardQuestion, User
from qa_app.services import rules
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, NotFound


def get_assessment(viewer: User, assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound("Assessment not found")
    # Providers see their own services' reports once shared (the portal, a later step).
    if viewer.role not in STAFF_ROLES and (
        assessment.service.provider_id != viewer.provider_id
        or not shown_to_provider(assessment.status)
    ):
        raise NotFound("Assessment not found")
    return assessment


def recordable(viewer: User, assessment_id: int, what: str) -> tuple[Assessment, str]:
    """The assessment `viewer` may record into now (an answer, a summary, a photo), and the
    status recording moves it to: NotFound for anyone but staff, as for a missing one; a
    Conflict saying "`what`: why not" once the assessment has moved on."""
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Assessment not found")
    assessment = get_assessment(viewer, assessment_id)
    try:
        return assessment, after(assessment.status, "record")
    except StepRefused as refused:
        raise Conflict(f"{what}: {refused}") from None


Row = TypeVar("Row")


def carried_into(revision: Assessment, row: Row, **changes: Any) -> Row:
    """A copy of an answer or a summary for a correction of its assessment: every column but
    its id and its version stamp (who changed it last stays), with `changes`."""
    kept = {
        column.key: getattr(row, column.key)
        for column in inspect(type(row)).column_attrs
        if column.key not in ("id", "updated_at", "version")
    }
    return type(row)(**(kept | {"assessment_id": revision.id} | changes))


def move_to(assessment: Assessment, status: str) -> None:
    """Recording moves the assessment to `status` (`recordable` says which), if not there yet."""
    if assessment.status != status:
        assessment.status = status


def questions_for(assessment: Assessment) -> list[StandardQuestion]:
    """The set's questions that apply to this service's type, in order (one statement)."""
    rows = db.session.scalars(
        select(StandardQuestion)
        .where(StandardQuestion.standard_set_id == assessment.standard_set_id)
        .order_by(StandardQuestion.position)
    )
    kind = assessment.service.service_type
    return [q for q in rows if not q.applies_to or kind in q.applies_to]


def answers_for(assessment: Assessment) -> dict[str, Answer]:
    rows = db.session.scalars(select(Answer).where(Answer.assessment_id == assessment.id))
    return {a.question_ref: a for a in rows}


def shape_of(assessment: Assessment, questions: list[StandardQuestion]) -> list[DomainShape]:
    wanted = {q.ref for q in questions}
    shape = []
    for domain in assessment.standard_set.document["domains"]:
        standards = tuple(
            StandardShape(
                s["code"],
                s["title"],
                tuple((q["ref"], q["weight"]) for q in s["questions"] if q["ref"] in wanted),
            )
            for s in domain["standards"]
        )
        shape.append(DomainShape(domain["code"], domain["title"], standards))
    return shape


def ratings_for(assessment: Assessment, questions, answers: dict[str, Answer]) -> AssessmentRatings:
    scores = {ref: a.score for ref, a in answers.items() if a.complete}
    return rate_assessment(shape_of(assessment, questions), scores)


def published_history(service_id: int) -> list[Assessment]:
    """The service's published assessments, latest first (its rating history: the first is
    its latest published assessment, `rules.LATEST_FIRST`)."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.service_id == service_id, rules.published())
            .order_by(*rules.LATEST_FIRST)
        ).unique()
    )


latest_published = rules.latest_published_of


def issues_from(assessment: Assessment) -> list[PlanIssue]:
    """One issue per standard rated below Good, with its rating, reason and the evidence."""
    questions = questions_for(assessment)
    answers = answers_for(assessment)
    ratings = ratings_for(assessment, questions, answers)
    by_standard: dict[str, list] = {}
    for q in questions:
        by_standard.setdefault(q.standard_code, []).append(q)
    issues = []
    for _domain, rating in ratings.standards:
        if not rating.below_good:
            continue
        lines = []
        for q in by_standard.get(rating.code, []):
            answer = answers.get(q.ref)
            if answer is None or answer.score is None:
                continue
            if answer.score <= 2 or (answer.evidence or "").strip():
                lines.append(
                    f"{q.ref} ({SCORE_LABELS[answer.score]}): {q.text}"
                    + (f"\nEvidence: {answer.evidence.strip()}" if answer.evidence.strip() else "")
                )
        issues.append(
            PlanIssue(
                source="assessment",
                assessment_id=assessment.id,
                standard_code=rating.code,
                title=f"{rating.code} {rating.title}"[:300],
                rating=rating.rating,
                percentage=rounded(rating.percentage),
                limiter=rating.limiter,
                evidence="\n\n".join(lines)[: limits.DETAILS.chars],
                added_by_label="System",
            )
        )
    return issues


@dataclass
class FollowUp:
    service_id: int
    service_name: str
    published_on: date
    rating: str
    due: date
    overdue: bool


def follow_ups_due(
    user: User | None = None, today: date | None = None, within_days: int = 31, limit: int = 15
) -> list[FollowUp]:
    """Services whose next assessment (`domain.programme.next_assessment_due`) is due within
    `within_days` or overdue, most overdue first; none if a newer assessment is under way.
    Services never assessed are the programme's (due now), not follow-ups. One statement per
    length of wait (`rules.next_due_groups`: two unless a service type has its own)."""
    today = today or london_today()
    horizon = today + timedelta(days=within_days)
    spans = rules.intervals()
    rows = []
    for query in _follow_ups(horizon + timedelta(days=1), spans):
        if user is not None:
            query = query.where(Service.contract_officer_id == user.id)
        for service_id, name, kind, published_at, rating in db.session.execute(query.limit(limit)):
            published_on = london_date(published_at)
            due = next_assessment_due(published_on, rating, spans.months_for(kind), today)
            rows.append(
                FollowUp(service_id, name, published_on, rating, due, is_overdue(due, today, False))
            )
    rows.sort(key=lambda f: (f.due, f.service_id))
    return rows[:limit]


def follow_ups_overdue(today: date | None = None) -> int:
    """How many services' next assessments are overdue (due before `today`, none under way):
    what `follow_ups_due` marks overdue, for every open service (one statement)."""
    today = today or london_today()
    spans = rules.intervals()
    latest = rules.latest_published_from_index(rules.next_due_by(today, spans))
    overdue = select(func.count()).where(
        rules.next_due_before(latest, today, spans),
        ~_newer_than(latest),
        # a closed service is never visited again (its ids are few: no join over them all)
        latest.c.service_id.not_in(select(Service.id).where(~rules.service_open_on(today))),
    )
    return db.session.scalar(overdue) or 0


def _newer_than(latest):
    """A newer assessment under way: created after the latest publication, not published."""
    later = aliased(Assessment)
    return (
        select(later.id)
        .where(
            later.service_id == latest.c.service_id,
            later.status != PUBLISHED,
            later.created_at > latest.c.published_at,
        )
        .exists()
    )


def _follow_ups(before: date, spans: Intervals):
    """For each length of wait, the services whose next assessment is due before `before`, with
    no newer assessment under way, most overdue first."""
    latest = rules.latest_published_from_index(rules.next_due_by(before, spans))
    newer = _newer_than(latest)
    return [
        select(
            Service.id,
            Service.name,
            Service.service_type,
            latest.c.published_at,
            latest.c.overall_rating,
        )
        .join(latest, latest.c.service_id == Service.id)
        .where(group, ~newer, rules.service_open_on(london_today()))
        .order_by(latest.c.published_at, Service.id)
        for group in rules.next_due_groups(latest, before, spans)
    ]
