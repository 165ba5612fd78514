"""Concerns: logging, the response clock, responding, closing and escalating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from qa_app.domain.clocks import clock_state, response_due
from qa_app.domain.concerns import OUTCOMES, RESPONSES, SOURCES, clock_name, refusal
from qa_app.domain.pagination import Page, clamp_page
from qa_app.domain.roles import STAFF_ROLES
from qa_app.extensions import db
from qa_app.models import ClockEvent, Concern, User
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.calendar import clock_settings
from qa_app.services.errors import Conflict, NotFound, ValidationFailed
from qa_app.services.registry import get_service
from qa_app.services.risk import refresh_risk
from qa_app.services.transaction import unit_of_work

#: A received time a little ahead of this server's clock is accepted (devices disagree slightly).
CLOCK_SKEW = timedelta(minutes=2)


def _staff_only(viewer: User) -> None:
    if viewer.role not in STAFF_ROLES:
        # Providers never see concerns' raw details: for them concerns do not exist.
        raise NotFound("Concern not found")


def get_concern(viewer: User, concern_id: int) -> Concern:
    _staff_only(viewer)
    concern = db.session.get(Concern, concern_id)
    if concern is None:
        raise NotFound("Concern not found")
    return concern


def log(actor: Actor, viewer: User, values: dict, now: datetime | None = None) -> Concern:
    """values: service_id, risk_level, source, received_at (aware), summary, details, officer_id."""
    _staff_only(viewer)
    now = now or utcnow()
    errors = {}
    service = None
    try:
        service = get_service(viewer, values.get("service_id") or 0)
    except NotFound:
        errors["service_id"] = "Choose the service the concern is about"
    if values.get("risk_level") not in ("high", "medium", "low"):
        errors["risk_level"] = "Choose the risk level: high, medium or low"
    if values.get("source") not in SOURCES:
        errors["source"] = "Choose where the concern came from"
    received = values.get("received_at")
    if not isinstance(received, datetime) or received.tzinfo is None:
        errors["received_at"] = "Enter when the concern was received, with the time"
    elif received > now + CLOCK_SKEW:
        errors["received_at"] = "When the concern was received cannot be in the future"
    summary = (values.get("summary") or "").strip()
    if not summary:
        errors["summary"] = "Give a short summary of the concern"
    elif len(summary) > 300:
        errors["summary"] = "The summary must be 300 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    settings = clock_settings()
    due = response_due(received, values["risk_level"], settings)
    with unit_of_work():
        concern = Concern(
            service_id=service.id,
            risk_level=values["risk_level"],
            source=values["source"],
            summary=summary,
            details=(values.get("details") or "")[:20000],
            received_at=received,
            logged_by_label=actor.label,
            officer_id=values.get("officer_id")
            or (viewer.id if viewer.role == "officer" else None),
            status="open",
            clock=clock_name(values["risk_level"], settings.high_hours, settings.other_hours),
            clock_mode=settings.mode,
            response_due_at=due,
        )
        db.session.add(concern)
        db.session.flush()
        db.session.add(ClockEvent(concern_id=concern.id, kind="due", clock=concern.clock, at=due))
        refresh_risk(service)
        audit.record(
            actor,
            "concern",
            concern.id,
            "logged",
            {
                "risk_level": [None, concern.risk_level],
                "source": [None, concern.source],
                "response_due_at": [None, due],
            },
            service.id,
        )
    return concern


def state(concern: Concern, now: datetime | None = None) -> dict:
    now = now or utcnow()
    if concern.responded_at:
        return clock_state(concern.response_due_at, now, stopped_at=concern.responded_at)
    if concern.status in ("closed", "escalated"):
        stopped = concern.closed_at or concern.escalated_at
        return clock_state(concern.response_due_at, now, stopped_at=stopped)
    return clock_state(concern.response_due_at, now)


def _step(
    actor: Actor, viewer: User, concern_id: int, step: str, change, audit_changes: dict
) -> Concern:
    concern = get_concern(viewer, concern_id)
    reason = refusal(concern.status, step)
    if reason:
        raise Conflict(reason)
    with unit_of_work():
        before = concern.status
        change(concern)
        db.session.flush()
        refresh_risk(concern.service)
        audit.record(
            actor,
            "concern",
            concern.id,
            step + ("d" if step.endswith("e") else "ed"),
            {"status": [before, concern.status], **audit_changes},
            concern.service_id,
        )
    return concern


def respond(
    actor: Actor,
    viewer: User,
    concern_id: int,
    action: str,
    notes: str,
    now: datetime | None = None,
) -> Concern:
    if action not in RESPONSES:
        raise ValidationFailed({"action": f"The response is one of {', '.join(RESPONSES)}"})
    now = now or utcnow()

    def change(concern):
        concern.status, concern.responded_at = "responded", now
        concern.response_action, concern.response_notes = action, (notes or "")[:20000]
        kind = "met" if now <= concern.response_due_at else "breached"
        db.session.add(ClockEvent(concern_id=concern.id, kind=kind, clock=concern.clock, at=now))

    return _step(actor, viewer, concern_id, "respond", change, {"response_action": [None, action]})


def close(
    actor: Actor,
    viewer: User,
    concern_id: int,
    outcome: str,
    notes: str,
    now: datetime | None = None,
) -> Concern:
    if outcome not in OUTCOMES:
        raise ValidationFailed({"outcome": f"The outcome is one of {', '.join(OUTCOMES)}"})
    now = now or utcnow()

    def change(concern):
        concern.status, concern.closed_at = "closed", now
        concern.outcome, concern.outcome_notes = outcome, (notes or "")[:20000]

    return _step(actor, viewer, concern_id, "close", change, {"outcome": [None, outcome]})


def escalate(
    actor: Actor, viewer: User, concern_id: int, reason: str, now: datetime | None = None
) -> Concern:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the concern is being escalated"})
    now = now or utcnow()

    def change(concern):
        concern.status, concern.escalated_at, concern.escalation_reason = (
            "escalated",
            now,
            reason[:5000],
        )
        db.session.add(
            ClockEvent(concern_id=concern.id, kind="escalated", clock=concern.clock, at=now)
        )

    return _step(actor, viewer, concern_id, "escalate", change, {"reason": [None, reason[:500]]})


@dataclass
class ConcernFilters:
    status: str = ""
    risk_level: str = ""
    service_id: int | None = None
    officer_id: int | None = None
    page: int = 1


def list_concerns(
    viewer: User, filters: ConcernFilters, page_size: int = 50, clamp: bool = True
) -> tuple[list[Concern], Page]:
    """Most urgent first: open concerns by due time, then the rest, newest first."""
    _staff_only(viewer)
    query = select(Concern).join(Concern.service)
    if filters.status:
        query = query.where(Concern.status == filters.status)
    if filters.risk_level:
        query = query.where(Concern.risk_level == filters.risk_level)
    if filters.service_id:
        query = query.where(Concern.service_id == filters.service_id)
    if filters.officer_id:
        query = query.where(Concern.officer_id == filters.officer_id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = (
        clamp_page(filters.page, total, page_size)
        if clamp
        else Page(max(1, filters.page), page_size, total)
    )
    open_first = case((Concern.status == "open", 0), else_=1)
    due_order = case((Concern.status == "open", Concern.response_due_at), else_=None)
    rows = db.session.scalars(
        query.order_by(open_first, due_order, Concern.received_at.desc(), Concern.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).unique()
    return list(rows), page
