"""Concerns: logging, the response clock, responding, closing and escalating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from qa_app.domain.clocks import LONDON, clock_state, response_due
from qa_app.domain.concerns import (
    FINISHED,
    ConcernStatus,
    clock_name,
    close_problems,
    escalate_problems,
    log_problems,
    refusal,
    respond_problems,
)
from qa_app.domain.pagination import Page, choose_page
from qa_app.domain.roles import STAFF_ROLES
from qa_app.domain.service_closing import closed_refusal
from qa_app.extensions import db
from qa_app.models import ClockEvent, Concern, Notice, Service, User
from qa_app.models.types import utcnow
from qa_app.services import audit, notices, rules
from qa_app.services.actors import Actor
from qa_app.services.calendar import clock_settings, london_today
from qa_app.services.errors import Conflict, NotFound, ValidationFailed, found
from qa_app.services.follow_on import service_changed
from qa_app.services.listing import count_rows
from qa_app.services.registry import get_service, staff_member
from qa_app.services.transaction import unit_of_work


def _staff_only(viewer: User) -> None:
    if viewer.role not in STAFF_ROLES:
        # Providers never see concerns' raw details: for them concerns do not exist.
        raise NotFound("Concern not found")


def get_concern(viewer: User, concern_id: int) -> Concern:
    _staff_only(viewer)
    return found(db.session.get(Concern, concern_id), "Concern not found")


def log(actor: Actor, viewer: User, values: dict, now: datetime | None = None) -> Concern:
    """values: service_id, risk_level, source, received_at (aware), summary, details, officer_id."""
    _staff_only(viewer)
    now = now or utcnow()
    errors = log_problems(values, now)
    service = None
    try:
        service = get_service(viewer, values.get("service_id") or 0)
    except NotFound:
        errors = {"service_id": "Choose the service the concern is about", **errors}
    else:
        if refusal := closed_refusal(
            service.name, service.closed_on, london_today(now), "log a concern"
        ):
            errors = {"service_id": refusal, **errors}
    if values.get("officer_id") is not None and staff_member(values["officer_id"]) is None:
        errors["officer_id"] = "Choose a council officer who can sign in"
    if errors:
        raise ValidationFailed(errors)
    assert service is not None  # a service not found is an error above
    summary, received = values["summary"].strip(), values["received_at"]
    settings = clock_settings()
    due = response_due(received, values["risk_level"], settings)
    with unit_of_work():
        concern = Concern(
            service_id=service.id,
            risk_level=values["risk_level"],
            source=values["source"],
            summary=summary,
            details=values.get("details") or "",
            received_at=received,
            logged_by_label=actor.label,
            officer_id=values.get("officer_id")
            or (viewer.id if viewer.role == "officer" else None),
            status=ConcernStatus.OPEN,
            clock=clock_name(values["risk_level"], settings.high_hours, settings.other_hours),
            clock_mode=settings.mode,
            response_due_at=due,
        )
        db.session.add(concern)
        db.session.flush()
        db.session.add(ClockEvent(concern_id=concern.id, kind="due", clock=concern.clock, at=due))
        service_changed(actor, service)
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
    if concern.status in FINISHED:
        stopped = concern.closed_at or concern.escalated_at
        how = "Closed" if concern.closed_at else "Escalated"
        return clock_state(concern.response_due_at, now, stopped_at=stopped, how=how)
    return clock_state(concern.response_due_at, now)


def _step(
    actor: Actor, viewer: User, concern_id: int, step: str, change, audit_changes: dict
) -> Concern:
    concern = get_concern(viewer, concern_id)
    reason = refusal(concern.status, step, _notice_status(concern))
    if reason:
        raise Conflict(reason)
    with unit_of_work(writes_after_reading=True):
        # Lock the row and read it again: the sweep may have escalated it meanwhile.
        db.session.scalar(select(Concern.id).where(Concern.id == concern.id).with_for_update())
        db.session.refresh(concern)
        reason = refusal(concern.status, step, _notice_status(concern))
        if reason:
            raise Conflict(reason)
        before = concern.status
        change(concern)
        try:
            db.session.flush()
        except (StaleDataError, IntegrityError):
            raise Conflict(
                "This concern was changed by someone else at the same moment. Check it and try "
                "again."
            ) from None
        service_changed(actor, concern.service)
        audit.record(
            actor,
            "concern",
            concern.id,
            step + ("d" if step.endswith("e") else "ed"),
            {"status": [before, concern.status], **audit_changes},
            concern.service_id,
        )
    return concern


def _notice_status(concern: Concern) -> str | None:
    if concern.notice_id is None:
        return None
    return db.session.scalar(select(Notice.status).where(Notice.id == concern.notice_id))


def closable(concern: Concern) -> bool:
    """Whether the concern's page offers to close it."""
    return refusal(concern.status, "close", _notice_status(concern)) is None


def clock_stopped(concern: Concern, stopped_at: datetime) -> ClockEvent:
    """The event that stops a concern's clock at `stopped_at`: `met` then, if in time; else
    `breached` at the moment it fell due. Every path records a breach at the due time (a late
    response, a late close or escalation by hand, and the sweep, which writes its own rows), so
    the monthly report counts a breach in the month its due time falls (SPEC section 8)."""
    if stopped_at <= concern.response_due_at:
        return ClockEvent(concern_id=concern.id, kind="met", clock=concern.clock, at=stopped_at)
    return ClockEvent(
        concern_id=concern.id, kind="breached", clock=concern.clock, at=concern.response_due_at
    )


def _stop_clock(concern: Concern, now: datetime) -> None:
    """Closing or escalating a concern that was never responded to stops its clock too: met if
    in time, else breached at the moment it fell due (so the on-time rate counts it)."""
    if concern.status != ConcernStatus.OPEN:
        return  # responded: the clock already stopped
    db.session.add(clock_stopped(concern, now))


def respond(
    actor: Actor,
    viewer: User,
    concern_id: int,
    action: str,
    notes: str,
    now: datetime | None = None,
) -> Concern:
    if problems := respond_problems(action, notes):
        raise ValidationFailed(problems)
    now = now or utcnow()

    def change(concern):
        concern.status, concern.responded_at = ConcernStatus.RESPONDED, now
        concern.response_action, concern.response_notes = action, notes or ""
        db.session.add(clock_stopped(concern, now))

    return _step(actor, viewer, concern_id, "respond", change, {"response_action": [None, action]})


def close(
    actor: Actor,
    viewer: User,
    concern_id: int,
    outcome: str,
    notes: str,
    now: datetime | None = None,
) -> Concern:
    if problems := close_problems(outcome, notes):
        raise ValidationFailed(problems)
    now = now or utcnow()

    def change(concern):
        _stop_clock(concern, now)
        concern.status, concern.closed_at = ConcernStatus.CLOSED, now
        concern.outcome, concern.outcome_notes = outcome, notes or ""

    return _step(actor, viewer, concern_id, "close", change, {"outcome": [None, outcome]})


def escalate(
    actor: Actor, viewer: User, concern_id: int, reason: str, now: datetime | None = None
) -> Concern:
    reason = (reason or "").strip()
    if problems := escalate_problems(reason):
        raise ValidationFailed(problems)
    now = now or utcnow()

    def change(concern):
        _stop_clock(concern, now)
        concern.status, concern.escalated_at, concern.escalation_reason = (
            ConcernStatus.ESCALATED,
            now,
            reason,
        )
        db.session.add(
            ClockEvent(concern_id=concern.id, kind="escalated", clock=concern.clock, at=now)
        )
        # It joins its service's draft notice of concern, as the sweep's escalations do.
        notices.attach_concern(actor, concern)

    return _step(actor, viewer, concern_id, "escalate", change, {"reason": [None, reason[:500]]})


#: The clock filters of the concern list, as the dashboard words them.
CLOCK_FILTERS = {
    "due_soon": "Response due within 24 hours",
    "breached": "Response time passed with no response, still open",
}


@dataclass
class ConcernFilters:
    status: str = ""
    risk_level: str = ""
    service_id: int | None = None
    #: part of a service's name, in any case
    service_name: str = ""
    officer_id: int | None = None
    #: only those open against their service (`domain.concerns.counts_as_open`): what the
    #: market overview and the risk RAG count
    counts_as_open: bool = False
    #: the managers' dashboard: "due_soon" (due within 24 hours) or "breached" (past its
    #: response time, no response, still open): `rules.clock_due_soon`, `rules.clock_breached`
    clock: str = ""
    page: int = 1


def list_concerns(
    viewer: User, filters: ConcernFilters, page_size: int = 50, clamp: bool = True
) -> tuple[list[Concern], Page]:
    """Most urgent first: open concerns by due time, then the rest, newest first.

    The two parts are read separately, each in the order an index keeps, so a page costs the
    same few statements (two counts, at most two reads) with 200 concerns or 200,000.
    """
    _staff_only(viewer)
    query = select(Concern)
    if filters.risk_level:
        query = query.where(Concern.risk_level == filters.risk_level)
    if filters.service_id:
        query = query.where(Concern.service_id == filters.service_id)
    if filters.service_name.strip():
        like = f"%{filters.service_name.strip().lower()}%"
        query = query.where(
            Concern.service_id.in_(select(Service.id).where(func.lower(Service.name).like(like)))
        )
    if filters.officer_id:
        query = query.where(Concern.officer_id == filters.officer_id)
    if filters.counts_as_open:
        query = query.where(rules.OPEN_CONCERN)
    if filters.clock in CLOCK_FILTERS:
        now = utcnow()
        query = query.where(
            rules.clock_due_soon(now) if filters.clock == "due_soon" else rules.clock_breached(now)
        )
    parts: list[tuple[Select, tuple]] = []  # (the rows, their order)
    open_ = ConcernStatus.OPEN
    if not filters.status or filters.status == open_:
        parts.append((query.where(Concern.status == open_), (Concern.response_due_at, Concern.id)))
    if filters.status != open_:
        rest = query.where(
            Concern.status == filters.status if filters.status else Concern.status != open_
        )
        parts.append((rest, (Concern.received_at.desc(), Concern.id.desc())))
    counts = [count_rows(part) for part, _ in parts]
    page = choose_page(filters.page, sum(counts), page_size, clamp)
    rows: list[Concern] = []
    skip, wanted = page.offset, page.size
    for (part, order), count in zip(parts, counts, strict=True):
        if wanted <= 0:
            break
        if skip >= count:
            skip -= count
            continue
        found = list(db.session.scalars(part.order_by(*order).offset(skip).limit(wanted)).unique())
        rows += found
        wanted -= len(found)
        skip = 0
    return rows, page


# ---------------------------------------------------------------- the clock record


@dataclass
class ClockRate:
    clock: str
    met: int
    breached: int
    escalated: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def on_time_rate(self) -> float | None:
        """Share of clocks that stopped in time, of those that stopped or ran out."""
        return round(100 * self.met / self.decided, 1) if self.decided else None


def clock_record(viewer: User, first_day: date, last_day: date) -> list[ClockRate]:
    """Met, breached and escalated clock events per clock whose time falls in the period (whole
    Europe/London days, first and last included), with the on-time rate."""
    _staff_only(viewer)
    if last_day < first_day:
        raise ValidationFailed({"period": "The end of the period must be on or after its start"})
    last_day = min(last_day, date(9998, 12, 31))  # the day after must still be a date
    start = datetime.combine(first_day, time(0), tzinfo=LONDON)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LONDON)
    counts: dict[str, dict[str, int]] = {}
    for clock, kind, count in db.session.execute(
        select(ClockEvent.clock, ClockEvent.kind, func.count())
        .where(
            ClockEvent.kind.in_(("met", "breached", "escalated")),
            ClockEvent.at >= start,
            ClockEvent.at < end,
        )
        .group_by(ClockEvent.clock, ClockEvent.kind)
    ):
        counts.setdefault(clock, {})[kind] = count
    settings = clock_settings()
    clocks = [f"{settings.high_hours}-hour", f"{settings.other_hours}-hour"]
    clocks += sorted(set(counts) - set(clocks))  # clocks from an earlier setting, if any
    return [
        ClockRate(
            clock,
            counts.get(clock, {}).get("met", 0),
            counts.get(clock, {}).get("breached", 0),
            counts.get(clock, {}).get("escalated", 0),
        )
        for clock in clocks
    ]


def clock_events(concern: Concern) -> list[ClockEvent]:
    return list(
        db.session.scalars(
            select(ClockEvent).where(ClockEvent.concern_id == concern.id).order_by(ClockEvent.at)
        )
    )
