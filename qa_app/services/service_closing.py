"""Closing a service and reopening it (domain.service_closing): from its page, the API and the
CQC ratings import. One audit event each, in the service's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from qa_app.domain import service_closing as rules
from qa_app.domain.concerns import CLOSED as CONCERN_CLOSED
from qa_app.domain.lifecycle import PLANNED, PUBLISHED, STATUS_LABELS
from qa_app.domain.notices import KINDS as NOTICE_KINDS
from qa_app.domain.roles import STAFF_ROLES, can_decide
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Assessment, Concern, Notice, Service, User
from qa_app.services import audit, registry
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed, found
from qa_app.services.transaction import unit_of_work

CLOSING_FIELDS = ("closed_on", "closed_reason")


@dataclass
class ClosingCheck:
    """What closing a service would meet: what stops it, and the planned visits it cancels."""

    service: Service
    blockers: list[rules.OpenItem]
    cancelled: list[rules.OpenItem]
    last_visit: date | None

    @property
    def can_close(self) -> bool:
        return not self.blockers


def _as_decider(viewer: User, service_id: int) -> Service:
    """Managers and administrators close and reopen services; an officer is refused, and a
    provider is told there is no such page (as for any staff page)."""
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Service not found")
    service = registry.get_service(viewer, service_id)
    if not can_decide(viewer.role):
        raise Forbidden("Only a manager can close or reopen a service")
    return service


def open_items(service_id: int) -> list[rules.OpenItem]:
    """The service's assessments not yet published, concerns not yet closed and notices not
    yet final (three statements)."""
    items = [
        rules.OpenItem(
            "assessment",
            a_id,
            status,
            f"Assessment, visit {long_date(visit)} ({STATUS_LABELS.get(status, status).lower()})"
            if status == PLANNED
            else f"Assessment, visit {long_date(visit)}",
        )
        for a_id, status, visit in db.session.execute(
            select(Assessment.id, Assessment.status, Assessment.visit_date)
            .where(Assessment.service_id == service_id, Assessment.status != PUBLISHED)
            .order_by(Assessment.visit_date, Assessment.id)
        )
    ]
    items += [
        rules.OpenItem("concern", c_id, status, f"Concern {c_id}: {summary}")
        for c_id, status, summary in db.session.execute(
            select(Concern.id, Concern.status, Concern.summary)
            .where(Concern.service_id == service_id, Concern.status != CONCERN_CLOSED)
            .order_by(Concern.id)
        )
    ]
    items += [
        rules.OpenItem(
            "notice",
            n_id,
            status,
            f"{NOTICE_KINDS.get(kind, 'Notice')} {n_id}",
            closed_at is not None,
        )
        for n_id, kind, status, closed_at in db.session.execute(
            select(Notice.id, Notice.kind, Notice.status, Notice.closed_at)
            .where(Notice.service_id == service_id)
            .order_by(Notice.id)
        )
    ]
    return items


def last_visit(service_id: int) -> date | None:
    """The latest visit date of an assessment that was started (a planned one may never be)."""
    return db.session.scalar(
        select(Assessment.visit_date)
        .where(Assessment.service_id == service_id, Assessment.status != PLANNED)
        .order_by(Assessment.visit_date.desc())
        .limit(1)
    )


def check_of(service: Service) -> ClosingCheck:
    items = open_items(service.id)
    return ClosingCheck(
        service,
        rules.closing_blockers(items),
        [i for i in items if rules.cancelled_by_closing(i)],
        last_visit(service.id),
    )


def closing_check(viewer: User, service_id: int) -> ClosingCheck:
    """For the closing page: may be asked by a manager or an administrator only."""
    return check_of(_as_decider(viewer, service_id))


def check_closing(service: Service, closed_on: date | None, reason: str | None) -> ClosingCheck:
    """ValidationFailed for a wrong date or reason; Conflict listing what stops the closing."""
    check = check_of(service)
    if problems := rules.closing_problems(closed_on, reason, london_today(), check.last_visit):
        raise ValidationFailed(problems)
    if check.blockers:
        raise Conflict(rules.blocked_message(service.name, check.blockers))
    return check


def close_service(
    actor: Actor,
    viewer: User,
    service_id: int,
    closed_on: date | None,
    reason: str | None,
    expected_version: int | None = None,
) -> Service:
    """Close a service (or change the date or reason of a closed one), cancelling its planned
    visits; refused, with nothing changed, while anything listed by `closing_blockers` is open."""
    service = _as_decider(viewer, service_id)
    registry.refuse_if_stale(service, expected_version)
    with unit_of_work(writes_after_reading=True):
        _lock(service)
        close_in_transaction(actor, service, closed_on, reason)
    return service


def close_in_transaction(
    actor: Actor, service: Service, closed_on: date | None, reason: str | None, source=None
) -> None:
    """The closing itself, inside the caller's transaction (the CQC import's commit too)."""
    check = check_closing(service, closed_on, reason)
    reason = (reason or "").strip()
    if (service.closed_on, service.closed_reason) == (closed_on, reason):
        return  # closed already, on that day and for that reason
    for visit in check.cancelled:
        assessment = found(db.session.get(Assessment, visit.id), "Assessment not found")
        assessment.officers = []
        db.session.delete(assessment)
        audit.record(
            actor,
            "assessment",
            visit.id,
            "cancelled",
            {"visit_date": [assessment.visit_date, None], "reason": [None, "the service closed"]},
            service.id,
        )
    db.session.flush()
    before = registry.service_values(service)
    changed = {
        "closed_on": [service.closed_on, closed_on],
        "closed_reason": [service.closed_reason, reason],
    }
    service.closed_on, service.closed_reason = closed_on, reason
    registry.apply_service_changes(
        actor,
        service,
        {},
        before,
        action="closed",
        extra={**changed, **({"source": [None, source]} if source else {})},
    )


def reopen_service(
    actor: Actor, viewer: User, service_id: int, expected_version: int | None = None
) -> Service:
    service = _as_decider(viewer, service_id)
    registry.refuse_if_stale(service, expected_version)
    if service.closed_on is None:
        raise Conflict(f"{service.name} is open: there is nothing to reopen")
    with unit_of_work(writes_after_reading=True):
        _lock(service)
        before = registry.service_values(service)
        changed = {
            "closed_on": [service.closed_on, None],
            "closed_reason": [service.closed_reason, None],
        }
        service.closed_on, service.closed_reason = None, None
        registry.apply_service_changes(actor, service, {}, before, action="reopened", extra=changed)
    return service


def change_by_api(
    actor: Actor, viewer: User, service_id: int, changes: dict, expected_version: int | None
) -> Service:
    """PATCH with `closed_on` (and `closed_reason`): a date closes the service (or changes the
    date of a closed one), null reopens it. Other fields are changed separately."""
    if set(changes) - set(CLOSING_FIELDS):
        raise ValidationFailed(
            {
                name: "Change closed_on and closed_reason on their own, not with other fields"
                for name in sorted(set(changes) - set(CLOSING_FIELDS))
            }
        )
    service = _as_decider(viewer, service_id)
    if "closed_on" not in changes:
        if service.closed_on is None:
            raise ValidationFailed({"closed_reason": "Only a closed service has a reason"})
        changes = {**changes, "closed_on": service.closed_on}
    if changes["closed_on"] is None:
        if changes.get("closed_reason"):
            raise ValidationFailed({"closed_reason": "A service reopened has no closing reason"})
        if service.closed_on is None:
            return service
        return reopen_service(actor, viewer, service_id, expected_version)
    reason = changes.get("closed_reason", service.closed_reason)
    return close_service(actor, viewer, service_id, changes["closed_on"], reason, expected_version)


def _lock(service: Service) -> None:
    """Hold the service's row while checking what is open (PostgreSQL), so that a concern or an
    assessment added at the same moment waits for the closing to finish."""
    db.session.scalar(select(Service.id).where(Service.id == service.id).with_for_update())
