"""What an assessment report shows, on the staff side and in the portal alike."""

from qa_app.domain.answer_photos import alt_text
from qa_app.domain.draft_comments import DECISIONS
from qa_app.domain.lifecycle import STATUS_LABELS
from qa_app.domain.ratings import SCORE_LABELS
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.services import answer_photos, assessment_summaries, assessments
from qa_app.web.views import assessment_view


def report_context(assessment, include_internal: bool) -> dict:
    """What the report page shows; the portal passes include_internal=False (the council's
    notes on returning the assessment to the officer are never shown to the provider)."""
    questions = assessments.questions_for(assessment)
    answers = assessments.answers_for(assessment)
    return {
        "assessment": assessment,
        "questions": questions,
        "answers": answers,
        "ratings": assessments.ratings_for(assessment, questions, answers),
        "deadline": assessments.comment_deadline(assessment),
        "score_labels": SCORE_LABELS,
        "sources": EVIDENCE_SOURCES,
        "statuses": STATUS_LABELS,
        "kinds": assessments.KINDS,
        # photos and files on the answers, served by the staff or the portal route
        "photos": answer_photos.photos_for(assessment),
        "photo_endpoint": "staff.answer_photo" if include_internal else "portal.answer_photo",
        "photo_alt": alt_text,
        "report_summaries": {
            part: s.text for part, s in assessment_summaries.summaries_for(assessment).items()
        },
        **comments_context(assessment, questions, include_internal),
    }


def comments_context(assessment, questions, include_internal: bool = False) -> dict:
    """The provider's comments on the draft, numbered, each with the council's answer."""
    comments = assessments.comments_for(assessment)
    numbered = list(enumerate((c for c in comments if c.kind == "provider"), 1))
    by_ref: dict = {}
    for number, c in numbered:
        by_ref.setdefault(c.question_ref, []).append((number, c))
    return {
        "draft_comments": numbered,
        "draft_comments_by_ref": by_ref,
        "no_comments": [c for c in comments if c.kind == "no_comments"],
        "internal_notes": [c for c in comments if c.kind == "returned"] if include_internal else [],
        "comment_questions": {q.ref: q for q in questions},
        "decisions": DECISIONS,
        "view": assessment_view(assessment),
    }
