"""Keeping each service's stored risk RAG in step with its inputs (SPEC section 7).

Called whenever an input changes (a CQC rating, a published assessment, a concern logged, closed
or escalated, a notice issued or lifted, a placement stop), never on page views. The facts for
many services are gathered in a fixed number of queries, so a sweep that touches a thousand
services costs the same handful of statements as one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update

from qa_app.domain import plans as plan_rules
from qa_app.domain.clocks import HIGH_RISK, london_date
from qa_app.domain.notices import placement_stop_active
from qa_app.domain.risk import RiskInputs, assess_risk
from qa_app.extensions import db
from qa_app.models import Concern, ImprovementPlan, Notice, PlanAction, Service
from qa_app.services import audit
from qa_app.services import rules as sql_rules
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.rules import latest_overall_ratings


def _london_date(moment) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # stored naive UTC on SQLite
        moment = moment.replace(tzinfo=UTC)
    return london_date(moment)


def facts_for_many(services: list[Service]) -> dict[int, RiskInputs]:
    """RiskInputs for each (already flushed) service, by id, in six queries."""
    ids = [s.id for s in services if s.id is not None]
    latest: dict[int, str | None] = {}
    concerns: dict[int, tuple[int, int]] = {}
    notices: dict[int, tuple[int, datetime | None]] = {}
    overdue_plans: set[int] = set()
    overdue_actions: dict[int, int] = {}
    if ids:
        latest = latest_overall_ratings(ids)
        for service_id, total, high in db.session.execute(
            select(
                Concern.service_id,
                func.count(),
                func.count().filter(Concern.risk_level == HIGH_RISK),
            )
            .where(Concern.service_id.in_(ids), sql_rules.OPEN_CONCERN)
            .group_by(Concern.service_id)
        ):
            concerns[service_id] = (total, high)
        for service_id, count, first_issued in db.session.execute(
            select(Notice.service_id, func.count(), func.min(Notice.issued_at))
            .where(Notice.service_id.in_(ids), Notice.in_force())
            .group_by(Notice.service_id)
        ):
            notices[service_id] = (count, first_issued)
        # overdue as recorded by plans.mark_overdue (run by the sweep, at its `now`) and still true
        overdue_plans = set(
            db.session.scalars(
                select(ImprovementPlan.service_id).where(
                    ImprovementPlan.service_id.in_(ids), sql_rules.plan_overdue_as_recorded()
                )
            )
        )
        overdue_actions = dict(
            db.session.execute(
                select(ImprovementPlan.service_id, func.count(PlanAction.id))
                .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
                .where(
                    ImprovementPlan.service_id.in_(ids),
                    ImprovementPlan.status.in_(plan_rules.OPEN_STATUSES),
                    sql_rules.action_overdue_as_recorded(),
                )
                .group_by(ImprovementPlan.service_id)
            ).all()
        )
    today = london_today()
    facts = {}
    for service in services:
        total, high = concerns.get(service.id, (0, 0))
        notice_count, first_issued = notices.get(service.id, (0, None))
        stop = service.placement_stop_since
        facts[service.id] = RiskInputs(
            cqc_rating=service.cqc_rating,
            latest_assessment_overall=latest.get(service.id),
            active_placement_stop=placement_stop_active(stop, lifted=False, today=today),
            placement_stop_since=stop,
            open_notices=notice_count,
            notice_issued_on=_london_date(first_issued),
            open_concerns=total,
            open_high_concerns=high,
            overdue_plan=service.id in overdue_plans,
            overdue_actions=overdue_actions.get(service.id, 0),
        )
    return facts


def facts_for(service: Service) -> RiskInputs:
    if service.id is None:  # not yet saved: only what is on the row itself
        return RiskInputs(cqc_rating=service.cqc_rating)
    return facts_for_many([service])[service.id]


def refresh_risk(service: Service) -> bool:
    """Recompute the RAG of a service being edited (set before its flush, so that the row is
    written once); True if it changed. For a change elsewhere (a concern, a notice, a published
    assessment) use `refresh_risk_many`, which leaves the service's version alone."""
    result = assess_risk(facts_for(service))
    reasons = "; ".join(result.reasons)
    changed = (service.risk, service.risk_reasons) != (result.rag, reasons)
    service.risk, service.risk_reasons = result.rag, reasons
    return changed


def refresh_risk_many(service_ids: list[int]) -> int:
    """Recompute the RAG of many services at once; returns how many changed.

    The RAG is derived, not edited, so a change to it moves neither the service's version nor
    its `updated_at` (an officer editing the service's details is not told someone else changed
    it, and a provider, who is shown no RAG, cannot see that something about it changed).
    """
    if not service_ids:
        return 0
    services = list(
        db.session.scalars(select(Service).where(Service.id.in_(sorted(set(service_ids)))))
    )
    facts = facts_for_many(services)
    by_result: dict[tuple[str, str], list[int]] = {}
    for service in services:
        result = assess_risk(facts[service.id])
        reasons = "; ".join(result.reasons)
        if (service.risk, service.risk_reasons) != (result.rag, reasons):
            by_result.setdefault((result.rag, reasons), []).append(service.id)
    # A change of RAG goes in the audit trail (one statement for them all), so that what a
    # service's RAG was at any time can be read back (`quad_report.rules.values_at`): the
    # managers' dashboard's "turned red this month". A change of reasons alone is not recorded.
    was = {service.id: service.risk for service in services}
    audit.record_many(
        Actor.system(),
        [
            ("service", sid, "risk_changed", {"risk": [was[sid], rag]}, sid)
            for (rag, _reasons), ids in by_result.items()
            for sid in ids
            if was[sid] != rag
        ],
    )
    # one statement, however many services changed and however their results differ (a row
    # of parameters each, in id order as row locks are taken everywhere)
    changes = sorted((sid, rag, why) for (rag, why), ids in by_result.items() for sid in ids)
    if changes:
        table = cast(Table, Service.__table__)
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("service_id"))
            .values(
                risk=bindparam("rag"), risk_reasons=bindparam("why"), updated_at=table.c.updated_at
            ),
            [{"service_id": sid, "rag": rag, "why": why} for sid, rag, why in changes],
        )
    for service in services:  # keep loaded objects in step without marking them dirty
        db.session.expire(service, ["risk", "risk_reasons"])
    return sum(len(ids) for ids in by_result.values())
