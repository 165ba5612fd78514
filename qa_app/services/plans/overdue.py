"""The sweep's part: plans and actions marked overdue (once each), and plans opened for
below-Good services that never had one. A closed service's plan is not marked
(`rules.plan_service_open_on`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from qa_app.domain import plans as rules
from qa_app.extensions import db
from qa_app.models import ImprovementPlan, PlanAction, Service
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services import rules as sql_rules
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.follow_on import services_changed
from qa_app.services.plan_opening import open_if_below_good
from qa_app.services.transaction import unit_of_work


def mark_overdue(now: datetime | None = None, actor: Actor | None = None) -> dict:
    """Record each plan and action that has become overdue (once each) and refresh the risk
    of their services; open the plan of any below-Good service that has never had one. Safe to
    run anywhere, any number of times."""
    now = now or utcnow()
    today = london_today(now)
    actor = actor or Actor.system("sweep", "Escalation sweep")
    counts = {"plans_overdue": 0, "actions_overdue": 0, "plans_opened": 0}
    with unit_of_work(writes_after_reading=True):
        counts["plans_opened"] = _open_missing(actor)
        plans_due = db.session.execute(
            select(
                ImprovementPlan.id,
                ImprovementPlan.service_id,
                ImprovementPlan.submission_due_date,
            )
            .where(
                sql_rules.plan_overdue(today),
                ImprovementPlan.overdue_at.is_(None),
                sql_rules.plan_service_open_on(today),
            )
            .with_for_update(skip_locked=True)
        ).all()
        actions_due = db.session.execute(
            select(PlanAction.id, ImprovementPlan.service_id, PlanAction.target_date)
            .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
            .where(
                ImprovementPlan.status.in_(rules.OPEN_STATUSES),
                sql_rules.action_overdue(today),
                PlanAction.overdue_at.is_(None),
                sql_rules.plan_service_open_on(today),
            )
            .with_for_update(of=PlanAction, skip_locked=True)
        ).all()
        _record_overdue(
            actor, now, ImprovementPlan, "improvement_plan", "submission_due_date", plans_due
        )
        _record_overdue(actor, now, PlanAction, "plan_action", "target_date", actions_due)
        counts["plans_overdue"], counts["actions_overdue"] = len(plans_due), len(actions_due)
        services = {service_id for _id, service_id, _due in [*plans_due, *actions_due]}
        db.session.flush()
        services_changed(actor, list(services))  # the risk RAG turns amber
    return counts


def _record_overdue(actor: Actor, now: datetime, model, entity: str, field: str, rows) -> None:
    """Mark these (id, service_id, due date) rows overdue at `now`, with one audit event each,
    in two statements however many there are."""
    if not rows:
        return
    db.session.execute(
        update(model)
        .where(model.id.in_([row_id for row_id, _service, _due in rows]))
        .values(overdue_at=now, version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    audit.record_many(
        actor,
        [
            (entity, row_id, "overdue", {field: [None, due]}, service_id)
            for row_id, service_id, due in rows
        ],
    )


def _open_missing(actor: Actor) -> int:
    """Services below Good that have never had a plan (for example, below Good already when
    plans were introduced): open theirs now. Two statements when there are none."""
    candidates = db.session.scalars(
        select(Service)
        .where(
            sql_rules.below_good(),
            sql_rules.service_open_on(london_today()),  # a closed service gets no plan
            ~select(ImprovementPlan.id).where(ImprovementPlan.service_id == Service.id).exists(),
        )
        .order_by(Service.id)
    ).unique()
    opened = 0
    for service in list(candidates):
        if open_if_below_good(actor, service) is not None:
            opened += 1
    return opened
