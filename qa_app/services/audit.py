"""Writing and reading the audit trail. Writes join the caller's transaction."""

from __future__ import annotations

from sqlalchemy import insert, select

from qa_app.domain.changes import jsonable
from qa_app.extensions import db
from qa_app.models import AuditEvent
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
DETAIL_EVENTS = ("answer",)


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
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def names_for(events: list[AuditEvent]) -> dict[str, dict]:
    """Names for the ids that changes mention (officers, providers), so a history reads as
    people and organisations rather than numbers. At most two statements."""
    from qa_app.models import Provider, User

    wanted: dict[str, set] = {"user": set(), "provider": set()}
    for event in events:
        for field, pair in (event.changes or {}).items():
            kind = {"contract_officer_id": "user", "provider_id": "provider"}.get(field)
            if kind:
                wanted[kind].update(v for v in pair if isinstance(v, int))
    names: dict[str, dict] = {"contract_officer_id": {}, "provider_id": {}}
    if wanted["user"]:
        names["contract_officer_id"] = dict(
            db.session.execute(select(User.id, User.name).where(User.id.in_(wanted["user"]))).all()
        )
    if wanted["provider"]:
        names["provider_id"] = dict(
            db.session.execute(
                select(Provider.id, Provider.name).where(Provider.id.in_(wanted["provider"]))
            ).all()
        )
    return names
