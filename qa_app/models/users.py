"""People who sign in, their sessions, their API tokens, and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.domain import limits
from qa_app.domain.roles import ROLE_LABELS, STAFF_ROLES, Role
from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL.chars), unique=True)
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME.chars))
    role: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "immediate" or "daily" (domain.notification_rules): a daily digest holds single emails
    email_frequency: Mapped[str] = mapped_column(
        String(10), default="immediate", server_default="immediate"
    )
    #: the visit programme (issue 20): visits a month this person can make, set by a manager
    visits_per_month: Mapped[int] = mapped_column(Integer, default=8, server_default="8")
    #: the private address of their visits' iCalendar feed: only its hash is kept
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    calendar_token_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    provider = relationship("Provider", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    # The secret of the server-side session this request runs in (`UserSession`), set when the
    # session is begun or loaded; Flask-Login keeps it in the signed session cookie. Not stored.
    if TYPE_CHECKING:
        session_secret: str | None
    session_secret = None

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        if not self.session_secret:
            raise RuntimeError("Begin a session (qa_app.services.sessions.begin) to sign in")
        return self.session_secret

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_provider(self) -> bool:
        return self.role == Role.PROVIDER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), self.role)

    @property
    def invited(self) -> bool:
        return self.password_hash is None


class UserSession(Model):
    """A signed-in browser session. The cookie carries a random secret; only its hash is kept.
    A session stops working when it is ended (signed out, password changed, deactivated, role
    changed) or, by the rules in `qa_app.domain.sessions`, when idle too long or too old."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # signed_out, password_changed, password_set, deactivated, role_changed, idle, expired
    ended_reason: Mapped[str | None] = mapped_column(String(20))

    user = relationship("User", lazy="joined")


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(limits.TOKEN_NAME.chars))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", lazy="joined")


class LoginAttempt(Model):
    """Every sign-in attempt, kept for throttling and for the record."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL.chars))
    # The address the limits apply to: qa_app.domain.throttle.address_key (an IPv6 /64).
    ip_address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))  # success, failed, throttled
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_login_attempts_email_occurred_at", "email", "occurred_at"),
        Index("ix_login_attempts_ip_address_occurred_at", "ip_address", "occurred_at"),
    )
