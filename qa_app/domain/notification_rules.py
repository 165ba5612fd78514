"""In-app notifications and the daily digest: the pure rules.

- Every email written for a user (the outbox, services/outbox.py) is also that user's
  notification, unless its kind is not listed in the app (`EmailKind.in_app`: set-password
  links and the digest itself).
- A user chooses "Each email as it happens" (IMMEDIATE) or "One email a day" (DAILY). With the
  daily choice, an email whose kind is not `immediate` is held, and once a day, after
  QA_DIGEST_HOUR in London, the held ones go in one digest email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from qa_app.domain.emails import EmailKind

LONDON = ZoneInfo("Europe/London")

IMMEDIATE, DAILY = "immediate", "daily"
#: the choices on the Email preferences page, in order
FREQUENCY_LABELS = {
    IMMEDIATE: "Each email as it happens",
    DAILY: "One email a day",
}
#: the digest goes at or after this hour (London time) when QA_DIGEST_HOUR is not set
DEFAULT_DIGEST_HOUR = 7


def is_held(kind: EmailKind, wants_daily_digest: bool) -> bool:
    """Whether an email of `kind` to a user waits for their daily digest."""
    return wants_daily_digest and not kind.immediate


def relative_link(link: str | None, base_url: str) -> str | None:
    """The in-app address of an email's link: its path (and query) when it is one of ours
    (starts with `base_url`), else None, so a notification never links off the site."""
    if not link or not link.startswith(base_url):
        return None
    rest = link[len(base_url) :]
    if not rest.startswith("/") or rest.startswith("//") or "\\" in rest:
        return None
    parts = urlsplit(rest)
    if parts.scheme or parts.netloc:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def digest_date(now: datetime, hour: int) -> date | None:
    """The London date whose digest may go at `now` (an aware time): today's, once the London
    clock has reached `hour`; None before then. Computed on the London clock, so the hour stays
    the same hour of the morning on either side of a clock change."""
    local = now.astimezone(LONDON)
    return local.date() if local.hour >= hour else None


def digest_event_key(user_id: int, day: date) -> str:
    """One digest per user per London day: the outbox writes one row per event and recipient."""
    return f"digest:{user_id}:{day.isoformat()}"


@dataclass(frozen=True)
class DigestLine:
    subject: str
    link: str | None


def digest_count(n: int) -> str:
    return "1 update" if n == 1 else f"{n} updates"


def digest_items(lines: Iterable[DigestLine]) -> str:
    """The list in the digest's body: one bullet per held email, its subject and its link."""
    return "\n".join(
        f"* {line.subject}" + (f"\n  {line.link}" if line.link else "") for line in lines
    )
