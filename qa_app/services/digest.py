"""The daily digest (a periodic task of the worker, `send_digests`).

A user who chose "One email a day" has their single emails held (status `held`, written by
`outbox.enqueue`). Once a day, at or after QA_DIGEST_HOUR on the London clock, one `digest`
email lists the held ones' subjects and links, and they are marked `digested`, in the same
transaction. The digest's event key is `digest:<user id>:<London date>`, and the outbox writes
one row per event and recipient, so running the task again (or on two workers at once) sends
nothing twice: a second digest for the day is never written, and what it would have listed is
left held for the next day's.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from qa_app.domain import notification_rules
from qa_app.domain.emails import DIGEST, DIGESTED, HELD
from qa_app.domain.notification_rules import DigestLine
from qa_app.extensions import db
from qa_app.models import OutboxEmail, User
from qa_app.models.types import utcnow
from qa_app.services import inbox, outbox
from qa_app.services.transaction import unit_of_work


def _send_one(user: User, day, now: datetime) -> bool:
    with unit_of_work(writes_after_reading=True):
        held = db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.user_id == user.id, OutboxEmail.status == HELD)
            .order_by(OutboxEmail.created_at, OutboxEmail.id)
        ).all()
        if not held:
            return False
        lines = [DigestLine(inbox.subject_of(row), row.personalisation.get("link")) for row in held]
        written = outbox.enqueue(
            DIGEST,
            notification_rules.digest_event_key(user.id, day),
            [user],
            {
                "count": notification_rules.digest_count(len(lines)),
                "items": notification_rules.digest_items(lines),
                "link": outbox.link("account.notifications"),
            },
        )
        if not written:  # today's digest has gone already: these wait for tomorrow's
            return False
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_([row.id for row in held]), OutboxEmail.status == HELD)
            .values(status=DIGESTED, sent_at=now)
            .execution_options(synchronize_session=False)
        )
    return True


def send_digests(now: datetime | None = None) -> int:
    """Write today's digest for every user with held emails, once the hour has come; how many
    digests were written (the outbox sends them)."""
    db.session.commit()
    now = now or utcnow()
    day = notification_rules.digest_date(now, current_app.config["QA_DIGEST_HOUR"])
    if day is None:
        return 0
    waiting = db.session.scalars(
        select(User)
        .where(User.id.in_(select(OutboxEmail.user_id).where(OutboxEmail.status == HELD)))
        .order_by(User.id)
    ).all()
    db.session.commit()
    return sum(_send_one(user, day, now) for user in waiting)
