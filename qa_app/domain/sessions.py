"""When a signed-in session ends by itself: after a period without use, or at a longest age.

A session is also ended on purpose (signing out, a password change, deactivation, a role
change); those are steps in `qa_app.services.sessions`. These are the rules for time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

IDLE = "idle"
EXPIRED = "expired"


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    longest: timedelta = timedelta(hours=12)
    # "Last seen" is written at most this often, so that most requests only read.
    touch_every: timedelta = timedelta(minutes=1)


def why_over(
    policy: SessionPolicy, created_at: datetime, last_seen_at: datetime, now: datetime
) -> str | None:
    """`expired` when the session is as old as the longest allowed, `idle` when it has not been
    used for the idle period, otherwise None. Since "last seen" is kept to the minute, an idle
    session may end up to a minute early, never late."""
    if now - created_at >= policy.longest:
        return EXPIRED
    if now - last_seen_at >= policy.idle:
        return IDLE
    return None


def needs_touch(policy: SessionPolicy, last_seen_at: datetime, now: datetime) -> bool:
    """Whether to write a new "last seen" time now."""
    return now - last_seen_at >= policy.touch_every
