"""Keeping each service's stored risk RAG in step with its inputs (SPEC section 7).

Called whenever an input changes (a CQC rating, a published assessment, a concern logged or
closed), never on page views.
"""

from sqlalchemy import func, select

from qa_app.domain.risk import RiskInputs, assess_risk
from qa_app.extensions import db
from qa_app.models import Assessment, Concern, Service


def facts_for(service: Service) -> RiskInputs:
    latest = None
    if service.id is not None:
        latest = db.session.scalar(
            select(Assessment.overall_rating)
            .where(Assessment.service_id == service.id, Assessment.status == "published")
            .order_by(Assessment.published_at.desc())
            .limit(1)
        )
        open_all, open_high = db.session.execute(
            select(func.count(), func.count().filter(Concern.risk_level == "high")).where(
                Concern.service_id == service.id, Concern.status == "open"
            )
        ).one()
    else:
        open_all = open_high = 0
    return RiskInputs(
        cqc_rating=service.cqc_rating,
        latest_assessment_overall=latest,
        open_concerns=open_all,
        open_high_concerns=open_high,
    )


def refresh_risk(service: Service) -> bool:
    """Recompute the service's RAG from what is known about it; True if it changed.

    Later features (notices, placement stops, plans) add their facts in `facts_for`.
    """
    result = assess_risk(facts_for(service))
    reasons = "; ".join(result.reasons)
    changed = (service.risk, service.risk_reasons) != (result.rag, reasons)
    service.risk, service.risk_reasons = result.rag, reasons
    return changed
