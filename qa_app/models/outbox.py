"""Emails waiting to be sent, being sent, sent or failed: the durable outbox.

A row is written in the same transaction as the event that causes it (`qa_app.services.outbox`),
so an event rolled back sends nothing, and at most one row exists per event and recipient.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.domain import limits
from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class OutboxEmail(Model):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what caused it, such as `invitation:user:12:3f9a…` or `assessment_published:40`
    event_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    recipient_email: Mapped[str] = mapped_column(String(limits.EMAIL.chars))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    personalisation: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # domain.emails.STATUSES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: when the recipient opened it as a notification in the app (or marked all as read)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("event_key", "recipient_email", name="uq_outbox_emails_event_recipient"),
        Index("ix_outbox_emails_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_emails_created_at", "created_at"),
        # a user's notifications, and the unread count in every page's header
        Index("ix_outbox_emails_user_unread", "user_id", "read_at"),
    )
