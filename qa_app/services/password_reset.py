""" "Forgot your password": a single-use, expiring set-password link sent by email.

Whatever address is given, the person asking is told the same thing and the same work is
done (a secret made, the request recorded), so the answer says nothing about which addresses
have accounts. Requests are throttled by the address named and by the network address they
come from, counting requests, never accounts (`qa_app.domain.emails.reset_wait`). Only the
secret's hash is kept; it works once (setting the password clears it) and for
RESET_LIFETIME, on the set-password page invitations use.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from qa_app.domain.emails import RESET_LIFETIME, reset_wait
from qa_app.domain.wording import long_datetime
from qa_app.extensions import db
from qa_app.models import LoginAttempt
from qa_app.models.types import utcnow
from qa_app.services import audit, outbox
from qa_app.services.actors import Actor
from qa_app.services.transaction import unit_of_work
from qa_app.services.users import attempt_keys, digest, find_user_by_email, record_attempt

REQUESTED = "reset_requested"  # a LoginAttempt outcome: never counted as a failed sign-in


def request_reset(
    email: str, ip_address: str, window: timedelta, max_per_address: int
) -> timedelta:
    """Send a set-password link to `email` if an active account has it. Returns how long the
    person must wait first when there have been too many requests (nothing is done then)."""
    email, address = attempt_keys(email, ip_address)
    now = utcnow()
    recent = (
        select(LoginAttempt.occurred_at)
        .where(LoginAttempt.outcome == REQUESTED, LoginAttempt.occurred_at > now - window)
        .order_by(LoginAttempt.occurred_at.desc())
        .limit(max(max_per_address, 10))
    )
    for_email = list(db.session.scalars(recent.where(LoginAttempt.email == email)))
    from_address = list(db.session.scalars(recent.where(LoginAttempt.ip_address == address)))
    wait = reset_wait(for_email, from_address, now, window, max_per_address)
    if wait > timedelta(0):
        return wait
    user = find_user_by_email(email)
    secret = secrets.token_urlsafe(32)  # made whether or not there is an account
    with unit_of_work():
        record_attempt(email, address, REQUESTED, user, now)
        if user is not None and user.active:
            user.invite_token_hash = digest(secret)
            user.invite_expires_at = now + RESET_LIFETIME
            audit.record(
                Actor.system("web", "Forgot your password"),
                "user",
                user.id,
                "password_reset_requested",
            )
            outbox.enqueue(
                "password_reset",
                f"password_reset:user:{user.id}:{digest(secret)[:16]}",
                [user],
                {
                    "link": outbox.link("auth.set_password", token=secret),
                    "expires": long_datetime(user.invite_expires_at),
                },
            )
    return timedelta(0)
