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


def action_changed(actor, plan, action, action_name: str, changes: dict) -> None:
    """What follows a change to one of the plan's actions (inside the caller's unit): the
    service's risk looked at again, and the audit event."""
    db.session.flush()
    service_changed(actor, plan.service)
    audit.record(actor, "plan_action", action.id, action_name, changes, plan.service_id)
