"""Assessments: planning, recording answers, rating, and the lifecycle steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import select

from qa_app.domain import limits
from qa_app.domain.clocks import LONDON
from qa_app.domain.lifecycle import AssessmentStatus, StepRefused, after, correction_refusal
from qa_app.domain.pagination import Page
from qa_app.domain.roles import STAFF_ROLES, can_decide
from qa_app.domain.service_closing import closed_refusal
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.extensions import db
from qa_app.models import (
    Answer,
    Assessment,
    AssessmentComment,
    Service,
    StandardQuestion,
    StandardSetVersion,
    User,
)
from qa_app.models.types import utcnow
from qa_app.services import answer_photos, audit, notifications, rules
from qa_app.services.actors import Actor
from qa_app.services.assessment_comments import (  # noqa: F401 (callers use assessments.<name>)
    add_provider_comment,
    answer_comment,
    being_corrected,
    comment_answer_values,
    comment_deadline,
    comments_for,
    get_comment,
    may_answer,
    open_for_comment,
    provider_comments,
    publish_refusal,
)
from qa_app.services.assessment_facts import (  # noqa: F401 (callers use assessments.<name>)
    answers_for,
    carried_into,
    get_assessment,
    move_to,
    published_history,
    questions_for,
    ratings_for,
    recordable,
    shape_of,
)
from qa_app.services.assessment_summaries import copy_summaries
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed, found
from qa_app.services.follow_on import service_changed
from qa_app.services.listing import page_of, where_given
from qa_app.services.registry import get_service
from qa_app.services.standards import latest_for_service_type, no_set_message
from qa_app.services.transaction import retried_if_stale, unit_of_work

KINDS = {"visit": "Visit", "desk": "Desk review"}
NOT_GIVEN = object()


# ---------------------------------------------------------------- reading


@dataclass
class AssessmentFilters:
    status: str = ""
    officer_id: int | None = None
    cluster: str = ""
    date_from: date | None = None
    date_to: date | None = None
    service_id: int | None = None
    #: "this_week": shared drafts whose comment period ends this week
    #: (`rules.comments_close_this_week`, the managers' dashboard)
    comments: str = ""
    page: int = 1


#: The comment-window filter of the assessment list, as the dashboard words it.
COMMENT_FILTERS = {"this_week": "Drafts whose comment period ends this week"}


def list_assessments(
    filters: AssessmentFilters, page_size: int = 25
) -> tuple[list[Assessment], Page]:
    query = where_given(
        select(Assessment).join(Assessment.service),
        (Assessment.status, filters.status),
        (Assessment.lead_officer_id, filters.officer_id),
        (Service.cluster, filters.cluster),
        (Assessment.service_id, filters.service_id),
    )
    if filters.date_from:
        query = query.where(Assessment.visit_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Assessment.visit_date <= filters.date_to)
    if filters.comments in COMMENT_FILTERS:
        query = query.where(rules.comments_close_this_week(utcnow()))
    page = page_of(query, filters.page, page_size)
    rows = db.session.scalars(
        query.order_by(Assessment.visit_date.desc(), Assessment.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).unique()
    return list(rows), page


# ---------------------------------------------------------------- planning


def plan(actor: Actor, viewer: User, values: dict) -> Assessment:
    """values: service_id, standard_set_key, standard_set_version (None = latest), visit_date,
    kind, announced, lead_officer_id, officer_ids."""
    errors: dict[str, str] = {}
    service = None
    try:
        service = get_service(viewer, values.get("service_id") or 0)
    except NotFound:
        errors["service_id"] = "Choose a service"
    else:
        if refusal := closed_refusal(
            service.name, service.closed_on, london_today(), "plan an assessment"
        ):
            errors["service_id"] = refusal
    standard_set = None
    key, version = values.get("standard_set_key"), values.get("standard_set_version")
    if key:
        query = select(StandardSetVersion).where(StandardSetVersion.key == key)
        query = (
            query.where(StandardSetVersion.version == version)
            if version
            else query.order_by(StandardSetVersion.version.desc())
        )
        standard_set = db.session.scalar(query.limit(1))
    elif service is not None:
        standard_set = latest_for_service_type(service.service_type)
        if standard_set is None:
            errors["standard_set_key"] = no_set_message(service.service_type_label)
    if standard_set is None and key:
        errors["standard_set_key"] = f"There is no standard set {key}" + (
            f" version {version}" if version else ""
        )
    elif (
        standard_set is not None
        and service is not None
        and service.service_type not in standard_set.service_types
    ):
        errors["standard_set_key"] = (
            f"{standard_set.title} is not for {service.service_type_label.lower()} services"
        )
    if not isinstance(values.get("visit_date"), date):
        errors["visit_date"] = "Enter the visit date"
    if values.get("kind", "visit") not in KINDS:
        errors["kind"] = "Choose a visit or a desk review"
    lead = _staff(
        values.get("lead_officer_id") or (viewer.id if viewer.role in STAFF_ROLES else None)
    )
    if lead is None:
        errors["lead_officer_id"] = "Choose the lead officer"
    others = [_staff(i) for i in values.get("officer_ids") or []]
    if any(o is None for o in others):
        errors["officer_ids"] = "Choose officers who can sign in"
    if errors:
        raise ValidationFailed(errors)
    assert service and standard_set and lead  # each one missing is an error above
    with unit_of_work():
        assessment = Assessment(
            service_id=service.id,
            standard_set_id=standard_set.id,
            status=AssessmentStatus.PLANNED,
            visit_date=values["visit_date"],
            kind=values.get("kind", "visit"),
            announced=bool(values.get("announced", True)),
            lead_officer_id=lead.id,
        )
        # each officer once, and the lead not among the others
        chosen = {o.id: o for o in others if o is not None}
        assessment.officers = [o for o in chosen.values() if o.id != lead.id]
        audit.record_new(
            actor,
            "assessment",
            assessment,
            "planned",
            {
                "visit_date": [None, values["visit_date"]],
                "standard_set": [None, f"{standard_set.key} v{standard_set.version}"],
                "lead_officer_id": [None, lead.id],
            },
            service.id,
        )
    return assessment


def _staff(user_id) -> User | None:
    if not isinstance(user_id, int) or user_id < 1:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.role in STAFF_ROLES and user.active else None


# ---------------------------------------------------------------- recording answers


@dataclass
class AnswerInput:
    score: object = NOT_GIVEN  # 1..4, None for N/A, NOT_GIVEN for "not scored yet"
    na_reason: str | None = None
    evidence: str = ""
    sources: tuple[str, ...] = ()


#: An N/A without a reason, as the recording page says it beside the box and autosave.js says
#: it before sending (the page gives it to the script as the form's data-na-reason-missing).
NA_REASON_MISSING = "Say why the question is not applicable"


def check_answer(data: AnswerInput) -> dict[str, str]:
    errors = {}
    if data.score is not NOT_GIVEN and data.score is not None and data.score not in (1, 2, 3, 4):
        errors["score"] = "A score is 1, 2, 3 or 4 (or N/A)"
    if data.score is None and not (data.na_reason or "").strip():
        errors["na_reason"] = NA_REASON_MISSING
    unknown = [s for s in data.sources if s not in EVIDENCE_SOURCES]
    if unknown:
        errors["sources"] = f"Unknown evidence source {unknown[0]!r}"
    if problem := limits.EVIDENCE.problem(data.evidence):
        errors["evidence"] = problem
    if "na_reason" not in errors and (problem := limits.NA_REASON.problem(data.na_reason)):
        errors["na_reason"] = problem
    return errors


def answer_values(answer: Answer | None) -> dict:
    if answer is None:
        return {
            "score": None,
            "na": False,
            "na_reason": None,
            "evidence": "",
            "sources": [],
            "version": None,
        }
    return {
        "score": answer.score,
        "na": answer.na,
        "na_reason": answer.na_reason,
        "evidence": answer.evidence,
        "sources": list(answer.sources or []),
        "version": answer.version,
        "updated_by": answer.updated_by_label,
        "updated_at": answer.updated_at.isoformat() if answer.updated_at else None,
    }


@retried_if_stale("This answer was saved by someone else at the same moment. Reload and try again.")
def save_answer(
    actor: Actor,
    viewer: User,
    assessment_id: int,
    ref: str,
    data: AnswerInput,
    expected_version: int | None,
) -> Answer:
    """Save one answer. Changing an existing answer needs its current version: a stale or
    missing one is a Conflict that carries what is saved now, so nothing is overwritten."""
    assessment, new_status = recordable(viewer, assessment_id, "This answer cannot be changed")
    refs = {q.ref for q in questions_for(assessment)}
    if ref not in refs:
        raise NotFound(f"Question {ref} is not part of this assessment")
    errors = check_answer(data)
    if errors:
        raise ValidationFailed(errors)
    answer = db.session.scalar(
        select(Answer).where(Answer.assessment_id == assessment.id, Answer.question_ref == ref)
    )
    if answer is not None and _same(answer, data):
        # Saving exactly what is stored is not a conflict: it is a retry whose first try was
        # applied but whose reply never arrived (a page closed, a connection dropped).
        return answer
    if answer is not None and expected_version != answer.version:
        raise Conflict(
            f"Question {ref} was changed by {answer.updated_by_label or 'someone else'} since you opened it. "
            "Your answer has not been saved: compare the two and save again.",
            current=answer_values(answer),
            current_version=answer.version,
        )
    before = answer_values(answer)
    with unit_of_work():
        if answer is None:
            answer = Answer(assessment_id=assessment.id, question_ref=ref)
            db.session.add(answer)
        answer.na = data.score is None
        if data.score is not NOT_GIVEN:
            answer.score = cast("int | None", data.score)  # check_answer checked it
        answer.na_reason = (data.na_reason or "").strip() or None if answer.na else None
        answer.evidence = data.evidence or ""
        answer.sources = list(dict.fromkeys(data.sources))
        answer.updated_by_id = actor.user.id if actor.user else None
        answer.updated_by_label = actor.label
        move_to(assessment, new_status)
        db.session.flush()
        after_values = answer_values(answer)
        changes = {
            k: [before[k], after_values[k]]
            for k in ("score", "na", "na_reason", "evidence", "sources")
            if before[k] != after_values[k]
        }
        audit.record(
            actor,
            "answer",
            answer.id,
            "saved",
            {"question": [None, ref], **changes},
            assessment.service_id,
        )
    return answer


def _same(answer: Answer, data: AnswerInput) -> bool:
    score_same = (
        (data.score is None and answer.na)
        or (data.score is NOT_GIVEN and answer.score is None and not answer.na)
        or (data.score not in (None, NOT_GIVEN) and not answer.na and data.score == answer.score)
    )
    return (
        score_same
        and ((data.na_reason or "").strip() or None if data.score is None else None)
        == answer.na_reason
        and (data.evidence or "") == (answer.evidence or "")
        and list(dict.fromkeys(data.sources)) == list(answer.sources or [])
    )


# ---------------------------------------------------------------- steps


def unanswered(assessment: Assessment) -> list[StandardQuestion]:
    answers = answers_for(assessment)
    return [
        q for q in questions_for(assessment) if not (q.ref in answers and answers[q.ref].complete)
    ]


def submit(actor: Actor, viewer: User, assessment_id: int) -> Assessment:
    assessment = get_assessment(viewer, assessment_id)
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Assessment not found")
    try:
        status = after(assessment.status, "submit")
    except StepRefused as refused:
        raise Conflict(str(refused).capitalize()) from None
    missing = unanswered(assessment)
    if missing:
        raise ValidationFailed(
            {q.ref: f"Answer question {q.ref}: {q.text}" for q in missing},
            message=f"{len(missing)} question(s) still need an answer (a score, or N/A with a reason)",
        )
    with unit_of_work():
        before = assessment.status
        assessment.status = status
        assessment.submitted_at = utcnow()
        _moved(actor, assessment, before, "submitted")
        notifications.assessment_submitted(assessment)
    return assessment


def _moved(actor: Actor, assessment: Assessment, before: str, step: str, changes=None) -> None:
    """The audit event of an assessment's step from `before` to its status now."""
    audit.record(
        actor,
        "assessment",
        assessment.id,
        step,
        {"status": [before, assessment.status], **(changes or {})},
        assessment.service_id,
    )


# ---------------------------------------------------------------- review, draft, publication


def _as_reviewer(viewer: User, assessment_id: int) -> Assessment:
    """The assessment, for a manager; providers may not learn it exists, officers are told no."""
    assessment = get_assessment(viewer, assessment_id)
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Assessment not found")
    if not can_decide(viewer.role):
        raise Forbidden("Only a manager can review, share, publish or correct an assessment")
    return assessment


def _reviewable(viewer: User, assessment_id: int, step: str) -> tuple[Assessment, str]:
    assessment = _as_reviewer(viewer, assessment_id)
    try:
        return assessment, after(assessment.status, step)
    except StepRefused as refused:
        raise Conflict(str(refused).capitalize()) from None


def return_to_officer(actor: Actor, viewer: User, assessment_id: int, comment: str) -> Assessment:
    assessment, status = _reviewable(viewer, assessment_id, "return")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed({"comment": "Say what the officer needs to change"})
    if problem := limits.COMMENT.problem(comment):
        raise ValidationFailed({"comment": problem})
    with unit_of_work():
        before = assessment.status
        assessment.status = status
        db.session.add(
            AssessmentComment(
                assessment_id=assessment.id,
                kind="returned",
                text=comment,
                author_id=actor.user.id if actor.user else None,
                author_label=actor.label,
            )
        )
        _moved(actor, assessment, before, "returned", {"comment": [None, comment[:500]]})
    return assessment


def share_draft(actor: Actor, viewer: User, assessment_id: int) -> Assessment:
    """Share the draft with the provider, who may comment for draft_comments.COMMENT_DAYS.
    Sharing a corrected draft (after a return) starts a new comment period: the corrections are
    new to them."""
    assessment, status = _reviewable(viewer, assessment_id, "share-draft")
    with unit_of_work():
        before = assessment.status
        until_before = comment_deadline(assessment)
        assessment.status = status
        assessment.shared_at = utcnow()
        until = [_london_day(until_before), _london_day(comment_deadline(assessment))]
        step = "draft_shared_again" if until_before else "draft_shared"
        _moved(actor, assessment, before, step, {"comments_until": until})
        notifications.draft_report_shared(assessment)
    return assessment


def _london_day(moment):
    """A moment as the Europe/London date it falls on (how a deadline is told to people)."""
    return moment.astimezone(LONDON).date() if moment else None


def publish(actor: Actor, viewer: User, assessment_id: int) -> Assessment:
    assessment, status = _reviewable(viewer, assessment_id, "publish")
    waiting = publish_refusal(assessment)
    if waiting:
        raise Conflict(waiting)
    questions = questions_for(assessment)
    ratings = ratings_for(assessment, questions, answers_for(assessment))
    with unit_of_work():
        before = assessment.status
        assessment.status = status
        assessment.published_at = utcnow()
        assessment.overall_rating = ratings.overall.rating
        assessment.overall_percentage = ratings.overall.as_dict()["percentage"]
        if assessment.revision_of_id:
            corrected = found(db.session.get(Assessment, assessment.revision_of_id), "Not found")
            corrected.superseded_at = assessment.published_at
        db.session.flush()
        service_changed(actor, assessment.service)
        _moved(
            actor,
            assessment,
            before,
            "published",
            {"overall_rating": [None, ratings.overall.rating]},
        )
        notifications.assessment_published(assessment)
    return assessment


__all__ = ["Conflict", "Forbidden", "NotFound", "ValidationFailed"]  # what callers may catch


def start_correction(actor: Actor, viewer: User, assessment_id: int, reason: str) -> Assessment:
    """Correct a published assessment: a new revision, with the answers copied and the reason
    recorded. The published one stays exactly as it is until the revision is published."""
    assessment = _as_reviewer(viewer, assessment_id)
    if refusal := correction_refusal(assessment.status, assessment.superseded_at is not None):
        raise Conflict(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the published assessment needs correcting"})
    if problem := limits.REASON.problem(reason):
        raise ValidationFailed({"reason": problem})
    pending = db.session.scalar(
        select(Assessment.id).where(
            Assessment.revision_of_id == assessment.id,
            Assessment.status != AssessmentStatus.PUBLISHED,
        )
    )
    if pending:
        raise Conflict("A correction of this assessment is already in progress")
    copies: list = []
    try:
        with unit_of_work():
            revision = Assessment(
                service_id=assessment.service_id,
                standard_set_id=assessment.standard_set_id,
                status=AssessmentStatus.IN_PROGRESS,
                visit_date=assessment.visit_date,
                kind=assessment.kind,
                announced=assessment.announced,
                lead_officer_id=assessment.lead_officer_id,
                revision_of_id=assessment.id,
                revision_number=assessment.revision_number + 1,
                revision_reason=reason,
            )
            revision.officers = list(assessment.officers)
            db.session.add(revision)
            db.session.flush()
            for answer in answers_for(assessment).values():
                db.session.add(carried_into(revision, answer, sources=list(answer.sources or [])))
            copy_summaries(assessment, revision)
            copies = answer_photos.copy_photos(assessment, revision)
            audit.record(
                actor,
                "assessment",
                revision.id,
                "correction_started",
                {"revision_of": [None, assessment.id], "reason": [None, reason[:500]]},
                assessment.service_id,
            )
    except BaseException:
        for path in copies:  # the photos' copies go if the revision was not kept
            path.unlink(missing_ok=True)
        raise
    return revision
