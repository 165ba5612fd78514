"""Writing and reading the audit trail. Writes join the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select

from qa_app.domain.changes import jsonable
from qa_app.extensions import db
from qa_app.models import AuditEvent
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


def service_history(service_id: int, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.service_id == service_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def entity_history(entity_type: str, entity_id: int, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
