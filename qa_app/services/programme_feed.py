"""Each officer's planned visits as an iCalendar feed (RFC 5545, built with `icalendar`) at a
private address, so that they appear in Outlook or any calendar; and the month calendar of
planned visits on the programme pages.

The address holds a random secret; only its SHA-256 is kept (as API tokens are), so a copy of
the database cannot be used to read anyone's calendar. Making a new address ends the old one;
revoking ends it with none in its place. Each change is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import select

from qa_app.domain.lifecycle import STATUS_LABELS
from qa_app.domain.months import Month
from qa_app.extensions import db
from qa_app.models import Assessment, Provider, Service, User
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.programme import visits_with_service
from qa_app.services.transaction import unit_of_work

FEED_PREFIX = "cal_"
#: visits from this long ago onwards are in the feed (older ones have been and gone)
FEED_PAST_DAYS = 90


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_feed(actor: Actor, user: User) -> str:
    """A new private feed address secret for `user` (the old one stops working)."""
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        replaced = user.calendar_token_hash is not None
        user.calendar_token_hash = _digest(secret)
        user.calendar_token_created_at = utcnow()
        audit.record(
            actor,
            "user",
            user.id,
            "calendar_feed_replaced" if replaced else "calendar_feed_created",
            {"calendar_feed": ["on" if replaced else "off", "on"]},
        )
    return secret


def revoke_feed(actor: Actor, user: User) -> None:
    if user.calendar_token_hash is None:
        return
    with unit_of_work():
        user.calendar_token_hash = None
        user.calendar_token_created_at = None
        audit.record(
            actor, "user", user.id, "calendar_feed_revoked", {"calendar_feed": ["on", "off"]}
        )


def user_for_feed(secret: str) -> User | None:
    """The active staff member whose feed this is, or None (unknown, revoked, deactivated)."""
    if not secret.startswith(FEED_PREFIX) or len(secret) > 100:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == _digest(secret)))
    if user is None or not user.active or not user.is_staff:
        return None
    return user


def feed(user: User, today: date) -> bytes:
    """The user's visits planned or under way as lead officer, from 90 days ago, one VEVENT
    each (an all-day event on the visit date; its UID stays the same as the visit moves)."""
    council = current_app.config.get("QA_COUNCIL_NAME", "")
    calendar = Calendar()
    calendar.add("prodid", f"-//{council}//Visit programme//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Assessment visits: {user.name}")
    rows = db.session.execute(
        visits_with_service(
            Assessment.kind, Service.name, Service.address, Service.postcode, Provider.name
        )
        .join(Provider, Provider.id == Service.provider_id)
        .where(
            Assessment.lead_officer_id == user.id,
            Assessment.visit_date >= today - timedelta(days=FEED_PAST_DAYS),
        )
        .order_by(Assessment.visit_date, Assessment.id)
    )
    stamp = utcnow()
    host = current_app.config.get("SERVER_NAME") or "qa.invalid"
    for aid, visit_date, status, kind, service, address, postcode, provider in rows:
        event = Event()
        event.add("uid", f"assessment-{aid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", visit_date)
        event.add("dtend", visit_date + timedelta(days=1))
        event.add(
            "summary", f"{'Desk review' if kind == 'desk' else 'Assessment visit'}: {service}"
        )
        where = ", ".join(part for part in (address, postcode) if part)
        if where:
            event.add("location", where)
        event.add("description", f"{provider}. Status: {STATUS_LABELS.get(status, status)}.")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def weeks(month: Month, visits: list) -> list[list[tuple[date | None, list]]]:
    """The month as weeks (Monday first) of (day, its visits); days outside it are None."""
    by_day: dict[date, list] = {}
    for visit in visits:
        by_day.setdefault(visit.visit_date, []).append(visit)
    first = month.first_day
    start = first - timedelta(days=first.weekday())
    result = []
    day = start
    while day <= month.last_day:
        week = []
        for _ in range(7):
            inside = first <= day <= month.last_day
            week.append((day if inside else None, by_day.get(day, []) if inside else []))
            day += timedelta(days=1)
        result.append(week)
    return result
