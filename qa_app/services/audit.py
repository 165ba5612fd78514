"""Writing and reading the audit trail. Writes join the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, insert, or_, select

from qa_app.domain.changes import jsonable
from qa_app.domain.history import ID_FIELDS
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import (
    Assessment,
    AuditEvent,
    PlanAction,
    Provider,
    StandardSetVersion,
    User,
)
from qa_app.models.types import utcnow
from qa_app.services.actors import Actor


def record(
    actor: Actor,
    entity_type: str,
    entity_id: int,
    action: str,
    changes: dict | None = None,
    service_id: int | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user.id if actor.user else None,
        actor_label=actor.label,
        channel=actor.channel,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        changes={k: [jsonable(v) for v in pair] for k, pair in (changes or {}).items()},
        service_id=service_id,
    )
    db.session.add(event)
    return event


def record_new(
    actor: Actor,
    entity_type: str,
    row: Any,
    action: str,
    changes: dict | None = None,
    service_id: int | None = None,
) -> AuditEvent:
    """Add a new row, give it its id (a flush) and record its creation, as `record`."""
    db.session.add(row)
    db.session.flush()
    return record(actor, entity_type, row.id, action, changes, service_id)


def record_many(actor: Actor, events: list[tuple[str, int, str, dict, int | None]]) -> None:
    """Many events in one statement: (entity_type, entity_id, action, changes, service_id)."""
    if not events:
        return
    now = utcnow()
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "occurred_at": now,
                "actor_id": actor.user.id if actor.user else None,
                "actor_label": actor.label,
                "channel": actor.channel,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "action": action,
                "changes": {k: [jsonable(v) for v in pair] for k, pair in changes.items()},
                "service_id": service_id,
            }
            for entity_type, entity_id, action, changes, service_id in events
        ],
    )


#: Too fine-grained for a service's history page (each answer saved on a visit); they stay in
#: the audit trail and show on the assessment itself.
DETAIL_EVENTS = ("answer", "answer_photo")


def service_history(service_id: int, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.service_id == service_id, AuditEvent.entity_type.not_in(DETAIL_EVENTS)
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def entity_history(entity_type: str, entity_id: int, limit: int = 100) -> list[AuditEvent]:
    return history_of({entity_type: [entity_id]}, limit)


def history_of(records: dict[str, list[int]], limit: int = 100) -> list[AuditEvent]:
    """The events of these records ({entity_type: [ids]}: a plan with its issues and actions,
    a user with their API tokens), newest first, in one statement."""
    wanted = [
        and_(AuditEvent.entity_type == kind, AuditEvent.entity_id.in_(ids))
        for kind, ids in records.items()
        if ids
    ]
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(or_(*wanted))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def names_for(events: list[AuditEvent]) -> dict[str, dict]:
    """Names for the ids and codes that events' changes mention (officers, providers, earlier
    assessments, plan actions, standard sets), so a history reads as people and things rather
    than numbers (domain.history.describe). One statement per kind mentioned, at most five."""
    wanted: dict[str, set] = {"user": set(), "provider": set(), "assessment": set()}
    wanted |= {"plan_action": set(), "standard_set": set()}
    for event in events:
        for field, pair in (event.changes or {}).items():
            flat = [
                x
                for v in (pair if isinstance(pair, list) else [pair])
                for x in (v if isinstance(v, list) else [v])
            ]
            if kind := ID_FIELDS.get(field):
                wanted[kind].update(v for v in flat if isinstance(v, int))
            elif field == "standard_set":
                wanted["standard_set"].update(v for v in flat if isinstance(v, str))
    names: dict[str, dict] = {kind: {} for kind in wanted}
    if wanted["user"]:
        names["user"] = dict(
            db.session.execute(select(User.id, User.name).where(User.id.in_(wanted["user"]))).all()
        )
    if wanted["provider"]:
        names["provider"] = dict(
            db.session.execute(
                select(Provider.id, Provider.name).where(Provider.id.in_(wanted["provider"]))
            ).all()
        )
    if wanted["assessment"]:
        names["assessment"] = {
            row_id: f"the assessment of {long_date(visit)}"
            for row_id, visit in db.session.execute(
                select(Assessment.id, Assessment.visit_date).where(
                    Assessment.id.in_(wanted["assessment"])
                )
            )
        }
    if wanted["plan_action"]:
        names["plan_action"] = {
            row_id: text if len(text) <= 80 else text[:79] + "…"
            for row_id, text in db.session.execute(
                select(PlanAction.id, PlanAction.description).where(
                    PlanAction.id.in_(wanted["plan_action"])
                )
            )
        }
    if wanted["standard_set"]:
        keys = {v.rpartition(" v")[0] for v in wanted["standard_set"]}
        for key, version, title in db.session.execute(
            select(
                StandardSetVersion.key, StandardSetVersion.version, StandardSetVersion.title
            ).where(StandardSetVersion.key.in_(keys))
        ):
            names["standard_set"][f"{key} v{version}"] = f"{title}, version {version}"
    return names
