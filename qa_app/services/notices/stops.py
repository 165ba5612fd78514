"""Placement stops: added after issue, moved before they begin, lifted; the service is closed to
new placements from the earliest stop still in force."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from qa_app.domain.limits import NOTE, text_problem
from qa_app.domain.notices import (
    NEVER_ISSUED,
    StopState,
    lift_stop_refusal,
    stop_change_refusal,
    stop_start_problems,
)
from qa_app.extensions import db
from qa_app.models import Notice, Service, User
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.follow_on import service_changed
from qa_app.services.notices.reading import decider_notice, in_force, stop_state
from qa_app.services.notices.saving import check_version, flush_notice, lock_notice, required_text
from qa_app.services.transaction import unit_of_work


def sync_placement_stop(service: Service) -> None:
    """The service is closed to new placements from the earliest stop still in force."""
    service.placement_stop_since = db.session.scalar(
        select(func.min(Notice.placement_stop_start)).where(
            Notice.service_id == service.id,
            Notice.placement_stop_start.is_not(None),
            Notice.placement_stop_lifted_at.is_(None),
            Notice.status.not_in(NEVER_ISSUED),
        )
    )


def set_placement_stop(
    actor: Actor,
    viewer: User,
    notice_id: int,
    start: date | None,
    note: str,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Notice:
    """A manager adds a placement stop to a notice of concern in force (stops are often decided
    after issue), or moves one that has not begun yet. Audited; the service's stop and risk
    follow at once, as they do when a notice is issued with a stop."""
    notice = decider_notice(viewer, notice_id)
    now = now or utcnow()
    today = london_today(now)

    def problems_now() -> dict[str, str]:
        if refused := stop_change_refusal(notice.kind, in_force(notice)):
            raise Conflict(refused)
        check_version(notice, expected_version)
        problems = stop_start_problems(
            notice.placement_stop_start, notice.placement_stop_lifted_at is not None, start, today
        )
        moving = stop_state(notice, today) == StopState.PLANNED
        why = (
            "Say why the start date is being changed"
            if moving
            else ("Say why the placement stop is being added")
        )
        if problem := text_problem(note, NOTE, why):
            problems["note"] = problem
        return problems

    if problems := problems_now():
        raise ValidationFailed(problems)
    with unit_of_work():
        lock_notice(notice)
        if problems := problems_now():  # as it is now, under the lock
            raise ValidationFailed(problems)
        moving = stop_state(notice, today) == StopState.PLANNED
        before = notice.placement_stop_start if moving else None
        notice.placement_stop_start, notice.placement_stop_lifted_at = start, None
        _stop_changed(
            actor,
            notice,
            "placement stop moved" if moving else "placement stop added",
            {"placement_stop_start": [before, start], "note": [None, note.strip()[:500]]},
        )
    return notice


def lift_placement_stop(actor: Actor, viewer: User, notice_id: int, note: str, now=None):
    notice = decider_notice(viewer, notice_id)
    note = required_text(note, "note", "Say why the placement stop is being lifted")
    if refusal := lift_stop_refusal(
        notice.status, notice.placement_stop_start, notice.placement_stop_lifted_at is not None
    ):
        raise Conflict(refusal)
    now = now or utcnow()
    with unit_of_work():
        notice.placement_stop_lifted_at = now
        _stop_changed(
            actor,
            notice,
            "placement stop lifted",
            {"placement_stop_lifted_at": [None, now], "note": [None, note[:500]]},
        )
    return notice


def _stop_changed(actor: Actor, notice: Notice, action: str, changes: dict) -> None:
    """A placement stop added, moved or lifted: saved, shown on the service, audited."""
    flush_notice(notice)
    sync_placement_stop(notice.service)
    db.session.flush()
    service_changed(actor, notice.service)
    audit.record(actor, "notice", notice.id, action, changes, notice.service_id)
