"""What an assessment report shows, on the staff side and in the portal alike."""

from qa_app.domain.lifecycle import STATUS_LABELS
from qa_app.domain.ratings import SCORE_LABELS
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.services import assessments


def report_context(assessment, include_internal: bool) -> dict:
    """What the report page shows; the portal passes include_internal=False."""
    questions = assessments.questions_for(assessment)
    answers = assessments.answers_for(assessment)
    comments = assessments.comments_for(assessment)
    if not include_internal:
        comments = [c for c in comments if c.kind != "returned"]
    by_ref = {}
    for c in comments:
        by_ref.setdefault(c.question_ref, []).append(c)
    return {
        "assessment": assessment,
        "questions": questions,
        "answers": answers,
        "ratings": assessments.ratings_for(assessment, questions, answers),
        "comments": by_ref,
        "deadline": assessments.comment_deadline(assessment),
        "score_labels": SCORE_LABELS,
        "sources": EVIDENCE_SOURCES,
        "statuses": STATUS_LABELS,
        "kinds": assessments.KINDS,
    }
