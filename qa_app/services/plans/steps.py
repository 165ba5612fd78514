"""A change of a plan's status, with what follows it and its audit event."""

from __future__ import annotations

from qa_app.extensions import db
from qa_app.models import ImprovementPlan
from qa_app.services import audit
from qa_app.services.follow_on import service_changed
from qa_app.services.transaction import unit_of_work


def plan_step(actor, plan, action_name, change, extra=None) -> ImprovementPlan:
    with unit_of_work():
        before = plan.status
        change(plan)
        db.session.flush()
        service_changed(actor, plan.service)
        audit.record(
            actor,
            "improvement_plan",
            plan.id,
            action_name,
            {"status": [before, plan.status], **(extra or {})},
            plan.service_id,
        )
    return plan
