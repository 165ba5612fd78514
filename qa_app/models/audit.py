"""The append-only audit trail: who changed what, when, and from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254))  # name at the time, or "system"
    channel: Mapped[str] = mapped_column(String(10))  # web, api, cli, system
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(50))  # created, updated, deleted, or a step name
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    # The service an event concerns, so a service page can show its whole history in one query.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))

    actor = relationship("User", lazy="joined")

    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
        Index("ix_audit_events_service_id_occurred_at", "service_id", "occurred_at"),
        Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),
        # one kind of record's changes since an instant (`quad_report.rules.values_at`: what a
        # service's RAG or CQC rating was then)
        Index("ix_audit_events_entity_type_occurred_at", "entity_type", "occurred_at"),
    )


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise RuntimeError("Audit events are append-only: they are never changed or deleted")
