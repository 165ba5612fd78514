"""Concerns about a service, and the events of their response clocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.domain import limits
from qa_app.domain.concerns import ConcernStatus
from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class Concern(Model):
    __tablename__ = "concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    risk_level: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(String(limits.SUMMARY.chars))
    details: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    logged_by_label: Mapped[str] = mapped_column(String(254))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ConcernStatus.OPEN)
    clock: Mapped[str] = mapped_column(String(12))  # "24-hour" or "72-hour", as reported
    clock_mode: Mapped[str] = mapped_column(String(12))
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_action: Mapped[str | None] = mapped_column(String(30))
    response_notes: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(30))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service = relationship("Service", lazy="joined", innerjoin=True)
    officer = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # open concerns counted by service (the visit programme's priority) from the index alone
        Index("ix_concerns_status_service_id_notice_id", "status", "service_id", "notice_id"),
        # clocks by due time; with what "breached" also asks (no response, the notice), so that
        # counting the managers' breached clocks reads the index alone
        Index(
            "ix_concerns_status_due_responded_notice",
            "status",
            "response_due_at",
            "responded_at",
            "notice_id",
        ),
        # the list, open first by due time (and filtered by risk), then the rest newest first
        Index(
            "ix_concerns_status_risk_level_response_due_at",
            "status",
            "risk_level",
            "response_due_at",
        ),
        # by when received; with the risk and source, so that the QuAD report's counts and
        # 12-month trend of concerns received read the index alone
        Index("ix_concerns_received_at_risk_level_source", "received_at", "risk_level", "source"),
        # a service's open concerns (risk, market overview)
        Index("ix_concerns_service_id_status", "service_id", "status"),
        # each service's concerns open at an instant (the QuAD report's services of concern:
        # `quad_report.rules.concern_open`), counted from the index alone
        Index(
            "ix_concerns_service_id_open_at",
            "service_id",
            "received_at",
            "closed_at",
            "escalated_at",
            "responded_at",
            "notice_id",
            "risk_level",
        ),
    )


class ClockEvent(Model):
    """due, met, breached, escalated: once each per concern, with the time it happened."""

    __tablename__ = "clock_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"))
    kind: Mapped[str] = mapped_column(String(12))
    clock: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("concern_id", "kind", name="uq_clock_events_concern_id_kind"),
        # by time, with what the QuAD report's counts and trend ask of each (met or breached,
        # and whose concern)
        Index("ix_clock_events_at_kind_concern_id", "at", "kind", "concern_id"),
    )
