"""Keeping each service's stored risk RAG in step with its inputs (SPEC section 7)."""

from qa_app.domain.risk import RiskInputs, assess_risk
from qa_app.models import Service


def refresh_risk(service: Service) -> bool:
    """Recompute the service's RAG from what is known about it; True if it changed.

    Later features (assessments, concerns, notices, plans) add their facts here.
    """
    result = assess_risk(RiskInputs(cqc_rating=service.cqc_rating))
    reasons = "; ".join(result.reasons)
    changed = (service.risk, service.risk_reasons) != (result.rag, reasons)
    service.risk, service.risk_reasons = result.rag, reasons
    return changed
