"""Signed-in sessions, kept on the server so that they can be ended.

Signing in begins a session: a random secret goes into the (signed) session cookie and only its
hash into `user_sessions`. Every request with that cookie finds the row; the row decides. A
session is refused once it is ended (signed out, password changed elsewhere, deactivated, role
changed) or once `qa_app.domain.sessions` says it is idle too long or too old, so a cookie copied
before any of those opens nothing afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update

from qa_app.domain import sessions as rules
from qa_app.extensions import db
from qa_app.models import User, UserSession
from qa_app.models.types import utcnow
from qa_app.services.transaction import Busy, unit_of_work, unit_of_work_without_waiting

SIGNED_OUT = "signed_out"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a secret)
PASSWORD_SET = "password_set"  # noqa: S105
DEACTIVATED = "deactivated"
ROLE_CHANGED = "role_changed"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add(user: User, now: datetime | None = None) -> str:
    """Add a new session for the user to the current transaction; returns its secret (also set
    on `user.session_secret`, which is what Flask-Login keeps in the cookie)."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(user_id=user.id, token_hash=_digest(secret), created_at=now, last_seen_at=now)
    )
    user.session_secret = secret
    return secret


def begin(user: User) -> str:
    """A new session for the user, on its own (the test and benchmark harnesses use this)."""
    with unit_of_work():
        return add(user)


def end_all(user_id: int, reason: str, keep: str | None = None, now: datetime | None = None):
    """End every open session of the user (but `keep`, the secret of the one in use), within the
    current transaction."""
    condition = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if keep:
        condition.append(UserSession.token_hash != _digest(keep))
    db.session.execute(
        update(UserSession)
        .where(*condition)
        .values(ended_at=now or utcnow(), ended_reason=reason)
        .execution_options(synchronize_session=False)
    )


def end(secret: str | None, reason: str = SIGNED_OUT) -> None:
    """End one session (signing out). Unknown or already ended: nothing to do."""
    if not secret:
        return
    with unit_of_work(writes_after_reading=True):
        _end_row(_digest(secret), reason, utcnow())


def _end_row(token_hash: str, reason: str, now: datetime) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
        .execution_options(synchronize_session=False)
    )


def user_for(
    secret: str | None, policy: rules.SessionPolicy, now: datetime | None = None
) -> User | None:
    """The user of a session cookie's secret, or None when the session is unknown or over.

    Mostly one read. A write happens when the session is found over by time (it is ended, with
    the reason) and, at most once a minute, to note that it is still in use."""
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    token_hash = _digest(secret)
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == token_hash))
    if row is None or row.ended_at is not None:
        return None
    now = now or utcnow()
    user = row.user
    over = rules.why_over(policy, row.created_at, row.last_seen_at, now)
    if not user.active:
        over = DEACTIVATED
    if over:
        _write_apart(lambda: _end_row(token_hash, over, now))
        return None
    if rules.needs_touch(policy, row.last_seen_at, now):
        session_id = row.id
        _write_apart(
            waits=False,
            write=lambda: db.session.execute(
                update(UserSession)
                .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            ),
        )
    user.session_secret = secret
    return user


def _write_apart(write: Callable[[], object], waits: bool = True) -> None:
    """Run a small write in a transaction of its own, taking the write lock first (SQLite), so a
    page that only reads never turns its read into a write half-way. Skipped (to be done by a
    later request) if this request already has changes waiting, which it must commit itself.

    waits=False: bookkeeping that a later request can do instead (noting that the session is in
    use): skipped at once when another writer holds SQLite's lock, so a read never queues."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return
    session.commit()  # ends the read, which had nothing to write
    if not waits:
        try:
            with unit_of_work_without_waiting():
                write()
        except Busy:
            pass  # noted by the next request instead
        return
    with unit_of_work(writes_after_reading=True):
        write()
