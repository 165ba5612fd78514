"""Draft reports shared with the provider: the provider's comments on factual accuracy, the
council's answers to them, and what publication waits for (SPEC section 4)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from qa_app.domain import draft_comments, limits
from qa_app.domain.lifecycle import TAKEN_BACK, is_published
from qa_app.domain.roles import STAFF_ROLES, can_decide
from qa_app.extensions import db
from qa_app.models import Assessment, AssessmentComment, CommentAnswer, User
from qa_app.models.types import utcnow
from qa_app.services import audit, notifications
from qa_app.services.actors import Actor
from qa_app.services.assessment_facts import get_assessment, questions_for
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed, found
from qa_app.services.transaction import unit_of_work


def publish_refusal(assessment: Assessment) -> str | None:
    """Why a manager may not publish yet because of the provider's comments, or None."""
    unanswered = sum(1 for c in provider_comments(assessment) if c.answer is None)
    return draft_comments.publish_refusal(
        assessment.status, assessment.shared_at is not None, unanswered
    )


def comment_deadline(assessment: Assessment):
    """When the provider's comment period on the draft shared last ends (None if never shared)."""
    return draft_comments.comment_deadline(assessment.shared_at)


def add_provider_comment(
    actor: Actor,
    viewer: User,
    assessment_id: int,
    question_ref: str | None,
    text: str,
    no_comments: bool = False,
):
    """A provider's comment on the factual accuracy of a shared draft (or "no comments")."""
    assessment = get_assessment(viewer, assessment_id)
    if viewer.role != "provider":
        raise Forbidden("Only the provider comments on a draft")
    if refusal := draft_comments.comment_refusal(assessment.status, assessment.shared_at, utcnow()):
        raise Conflict(refusal)
    text = (text or "").strip()
    if not no_comments and not text:
        raise ValidationFailed({"text": "Write your comment"})
    if problem := limits.COMMENT.problem(text):
        raise ValidationFailed({"text": problem})
    if question_ref and question_ref not in {q.ref for q in questions_for(assessment)}:
        raise ValidationFailed({"question_ref": f"Question {question_ref} is not in this report"})
    with unit_of_work():
        comment = AssessmentComment(
            assessment_id=assessment.id,
            kind="no_comments" if no_comments else "provider",
            question_ref=question_ref or None,
            text="No comments on the draft" if no_comments else text,
            author_id=actor.user.id if actor.user else None,
            author_label=actor.label,
        )
        audit.record_new(
            actor,
            "assessment_comment",
            comment,
            "added",
            {"question": [None, question_ref]},
            assessment.service_id,
        )
        if not no_comments:
            notifications.provider_comments_received(assessment)  # in the step's unit
    return comment


def open_for_comment(assessment: Assessment) -> bool:
    return draft_comments.open_for_comment(assessment.status, assessment.shared_at, utcnow())


def comments_for(assessment: Assessment) -> list[AssessmentComment]:
    """Every comment on the assessment (the council's notes on returning it included), oldest
    first, each with its answer (two statements)."""
    return list(
        db.session.scalars(
            select(AssessmentComment)
            .where(AssessmentComment.assessment_id == assessment.id)
            .order_by(AssessmentComment.created_at, AssessmentComment.id)
        )
    )


def provider_comments(assessment: Assessment) -> list[AssessmentComment]:
    """The provider's factual-accuracy comments (not "no comments", not the council's own
    notes), oldest first, each with its answer or None: the ones that need an answer."""
    return [c for c in comments_for(assessment) if c.kind == "provider"]


def being_corrected(viewer: User, assessment_id: int) -> Assessment:
    """For the provider: a draft they were shared that the council has taken back to correct.
    They may see that it is being corrected, and their comments with the answers so far, but
    not the findings until the corrected draft is shared."""
    assessment = db.session.get(Assessment, assessment_id)
    if (
        assessment is None
        or viewer.role in STAFF_ROLES
        or assessment.service.provider_id != viewer.provider_id
        or assessment.shared_at is None
        or assessment.status not in TAKEN_BACK
    ):
        raise NotFound("Assessment not found")
    return assessment


def get_comment(viewer: User, assessment_id: int, comment_id: int) -> AssessmentComment:
    """One of the provider's comments on the assessment, for council staff answering it."""
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Comment not found")
    assessment = get_assessment(viewer, assessment_id)
    comment = db.session.get(AssessmentComment, comment_id)
    if comment is None or comment.assessment_id != assessment.id or comment.kind != "provider":
        raise NotFound("Comment not found")
    return comment


def may_answer(viewer: User, assessment: Assessment) -> str | None:
    """Why this person may not answer the provider's comments now, or None."""
    return draft_comments.answer_refusal(assessment.status, can_decide(viewer.role))


def comment_answer_values(answer: CommentAnswer | None) -> dict:
    """An answer to a comment as it is saved now (for the audit trail and the pages)."""
    if answer is None:
        return {"decision": None, "text": "", "by": None, "at": None, "version": None}
    return {
        "decision": answer.decision,
        "text": answer.text,
        "by": answer.answered_by_label,
        "at": answer.answered_at,
        "version": answer.version,
    }


def answer_comment(
    actor: Actor,
    viewer: User,
    assessment_id: int,
    comment_id: int,
    decision: str | None,
    text: str | None,
    expected_version: int | None,
) -> CommentAnswer:
    """Record the council's answer to a provider's comment, or change it (until publication).

    Changing an answer needs its current version: a stale or missing one is a Conflict carrying
    what is saved now, so two people answering at once never overwrite each other silently."""
    comment = get_comment(viewer, assessment_id, comment_id)
    assessment = found(db.session.get(Assessment, comment.assessment_id), "Comment not found")
    refused = may_answer(viewer, assessment)
    if refused:
        if is_published(assessment.status):
            raise Conflict(refused)
        raise Forbidden(refused)
    problems = draft_comments.answer_problems(decision, text)
    if problems:
        raise ValidationFailed(problems)
    assert decision is not None and text is not None  # answer_problems names either missing
    text = text.strip()
    answer = comment.answer
    if answer is not None and (answer.decision, answer.text) == (decision, text):
        return answer  # the same answer again (a retry whose reply was lost): nothing changes
    if answer is not None and expected_version != answer.version:
        raise Conflict(
            f"{answer.answered_by_label} saved an answer to this comment while you were writing "
            "yours. Yours has not been saved yet: compare the two, then save again.",
            current=_conflict_values(answer),
            current_version=answer.version,
        )
    before = comment_answer_values(answer)
    try:
        with unit_of_work():
            if answer is None:
                answer = CommentAnswer(comment_id=comment.id)
                db.session.add(answer)
            answer.decision = decision
            answer.text = text
            answer.answered_by_id = actor.user.id if actor.user else None
            answer.answered_by_label = actor.label
            answer.answered_at = utcnow()
            db.session.flush()
            changes = {
                "decision": [
                    draft_comments.DECISIONS.get(before["decision"]),
                    draft_comments.DECISIONS[decision],
                ],
                "answer": [before["text"] or None, text],
            }
            audit.record(
                actor,
                "assessment_comment",
                comment.id,
                "answer_changed" if before["version"] else "answered",
                {k: pair for k, pair in changes.items() if pair[0] != pair[1]},
                assessment.service_id,
            )
    except (IntegrityError, StaleDataError):
        db.session.expire_all()
        raise Conflict(
            "Someone else answered this comment at the same moment. "
            "Your answer has not been saved: reload the page and compare."
        ) from None
    return answer


def _conflict_values(answer: CommentAnswer) -> dict:
    return {
        "decision": draft_comments.DECISIONS.get(answer.decision, answer.decision),
        "text": answer.text,
        "by": answer.answered_by_label,
    }
