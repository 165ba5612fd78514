"""The officer's written summaries of an assessment (one per domain, one overall): reading and
saving them, like answers (a version checked on every change, refused rather than cut when too
long, only while answers may be recorded). The rules are `qa_app.domain.summaries`."""

from __future__ import annotations

from sqlalchemy import select

from qa_app.domain import summaries as summary_rules
from qa_app.extensions import db
from qa_app.models import Assessment, AssessmentSummary, User
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.assessment_facts import carried_into, move_to, recordable
from qa_app.services.errors import Conflict, NotFound, ValidationFailed
from qa_app.services.transaction import retried_if_stale, unit_of_work


def domain_codes(assessment: Assessment) -> list[str]:
    return [d["code"] for d in assessment.standard_set.document["domains"]]


def domain_titles(assessment: Assessment) -> dict[str, str]:
    return {d["code"]: d["title"] for d in assessment.standard_set.document["domains"]}


def summaries_for(assessment: Assessment) -> dict[str, AssessmentSummary]:
    """The assessment's summaries by part (one statement)."""
    rows = db.session.scalars(
        select(AssessmentSummary).where(AssessmentSummary.assessment_id == assessment.id)
    )
    return {s.part: s for s in rows}


def summary_values(summary: AssessmentSummary | None) -> dict:
    if summary is None:
        return {"text": "", "version": None, "updated_by": None, "updated_at": None}
    return {
        "text": summary.text,
        "version": summary.version,
        "updated_by": summary.updated_by_label,
        "updated_at": summary.updated_at.isoformat() if summary.updated_at else None,
    }


def in_report_order(assessment: Assessment, found: dict[str, AssessmentSummary]) -> list[dict]:
    """Every part with its heading and text (empty when not written), overall first: how the
    report and the API give them."""
    titles = domain_titles(assessment)
    order = [summary_rules.OVERALL, *domain_codes(assessment)]
    return [
        {
            "part": part,
            "heading": summary_rules.heading(part, titles),
            **summary_values(found.get(part)),
        }
        for part in order
    ]


@retried_if_stale(
    "This summary was saved by someone else at the same moment. Reload and try again."
)
def save_summary(
    actor: Actor,
    viewer: User,
    assessment_id: int,
    part: str,
    text: str,
    expected_version: int | None,
) -> AssessmentSummary:
    """Save one summary. Changing an existing one needs its current version: a stale or missing
    one is a Conflict carrying what is saved now, so nothing is overwritten."""
    assessment, new_status = recordable(viewer, assessment_id, "This summary cannot be changed")
    if not summary_rules.is_part(part, domain_codes(assessment)):
        raise NotFound(f"There is no summary {part} in this assessment")
    text = text or ""
    if problem := summary_rules.problem(part, text):
        raise ValidationFailed({"text": problem})
    summary = db.session.scalar(
        select(AssessmentSummary).where(
            AssessmentSummary.assessment_id == assessment.id, AssessmentSummary.part == part
        )
    )
    if summary is not None and summary.text == text:
        return summary  # a retry whose first try was saved but whose reply was lost
    if summary is not None and expected_version != summary.version:
        raise Conflict(
            f"This summary was changed by {summary.updated_by_label or 'someone else'} since "
            "you opened it. Yours has not been saved: compare the two and save again.",
            current=summary_values(summary),
            current_version=summary.version,
        )
    before = summary.text if summary is not None else None
    with unit_of_work():
        if summary is None:
            summary = AssessmentSummary(assessment_id=assessment.id, part=part)
            db.session.add(summary)
        summary.text = text
        summary.updated_by_id = actor.user.id if actor.user else None
        summary.updated_by_label = actor.label
        move_to(assessment, new_status)
        db.session.flush()
        audit.record(
            actor,
            "assessment",
            assessment.id,
            "summary_saved",
            {"summary": [None, part], "text": [before, text]},
            assessment.service_id,
        )
    return summary


def copy_summaries(source: Assessment, revision: Assessment) -> None:
    """A correction starts with the published assessment's summaries (inside its unit of work)."""
    for summary in summaries_for(source).values():
        db.session.add(carried_into(revision, summary))
