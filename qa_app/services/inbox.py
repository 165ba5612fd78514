"""A user's in-app notifications and their email preference.

A notification is an outbox row (services/outbox.py) written for the user, of a kind listed in
the app (`EmailKind.in_app`); `read_at` says when they opened it. No table of its own: the email
and the notification are one event for one person, written once, in the event's transaction.
The unread count in every page's header is one query on `ix_outbox_emails_user_unread`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from qa_app.domain import emails, notification_rules
from qa_app.domain.emails import HELD, KINDS, PENDING
from qa_app.domain.notification_rules import DAILY, FREQUENCY_LABELS
from qa_app.domain.pagination import Page
from qa_app.extensions import db
from qa_app.models import OutboxEmail, User
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.errors import NotFound, ValidationFailed
from qa_app.services.listing import page_of
from qa_app.services.transaction import unit_of_work

PAGE_SIZE = 20
IN_APP_KINDS = tuple(key for key, kind in KINDS.items() if kind.in_app)
NOT_FOUND = "Page not found"


def _theirs(user: User):
    return select(OutboxEmail).where(
        OutboxEmail.user_id == user.id, OutboxEmail.kind.in_(IN_APP_KINDS)
    )


def unread_count(user: User) -> int:
    """How many of the user's notifications they have not opened (the header's count)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(
                OutboxEmail.user_id == user.id,
                OutboxEmail.read_at.is_(None),
                OutboxEmail.kind.in_(IN_APP_KINDS),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Notification:
    id: int
    subject: str
    created_at: datetime
    read: bool
    link: str | None


def subject_of(row: OutboxEmail) -> str:
    try:
        return emails.render(KINDS[row.kind], row.personalisation)[0]
    except KeyError:
        return "A notification"


def _notification(row: OutboxEmail) -> Notification:
    return Notification(
        id=row.id,
        subject=subject_of(row),
        created_at=row.created_at,
        read=row.read_at is not None,
        link=notification_rules.relative_link(
            row.personalisation.get("link"), current_app.config["QA_BASE_URL"]
        ),
    )


def notifications_page(user: User, requested: int | None) -> tuple[Page, list[Notification]]:
    """A page of the user's notifications, newest first (two statements: count, then rows)."""
    query = _theirs(user)
    page = page_of(query, requested, PAGE_SIZE)
    rows = db.session.scalars(
        query.order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).all()
    return page, [_notification(row) for row in rows]


def open_notification(user: User, notification_id: int) -> Notification:
    """The user's notification, marked read; NotFound for one that is not theirs or not there
    (the same refusal)."""
    row = db.session.scalar(_theirs(user).where(OutboxEmail.id == notification_id))
    if row is None:
        raise NotFound(NOT_FOUND)
    if row.read_at is None:
        with unit_of_work():
            row.read_at = utcnow()
            audit.record(
                Actor(user, "web"),
                "notification",
                row.id,
                "notification_read",
                {"read": [False, True]},
            )
    return _notification(row)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user's as read; how many there were."""
    with unit_of_work():
        result = db.session.execute(
            update(OutboxEmail)
            .where(
                OutboxEmail.user_id == user.id,
                OutboxEmail.read_at.is_(None),
                OutboxEmail.kind.in_(IN_APP_KINDS),
            )
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        marked = max(getattr(result, "rowcount", 0), 0)
        if marked:
            audit.record(
                Actor(user, "web"), "user", user.id, "notifications_read", {"unread": [marked, 0]}
            )
    return marked


def set_email_frequency(user: User, frequency: str | None) -> bool:
    """Save the user's choice of "Each email as it happens" or "One email a day"; whether it
    changed. Going back to single emails sends what was held for the digest as it is."""
    if frequency not in FREQUENCY_LABELS:
        raise ValidationFailed({"frequency": "Select how often you want emails"})
    if frequency == user.email_frequency:
        return False
    with unit_of_work():
        before = user.email_frequency
        user.email_frequency = frequency
        released = 0
        if frequency != DAILY:
            result = db.session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.user_id == user.id, OutboxEmail.status == HELD)
                .values(status=PENDING, next_attempt_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            released = max(getattr(result, "rowcount", 0), 0)
        audit.record(
            Actor(user, "web"),
            "user",
            user.id,
            "email_frequency_changed",
            {"email_frequency": [before, frequency], "held_emails_released": [None, released]},
        )
    return True
