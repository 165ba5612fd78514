"""The escalation sweep (SPEC section 6), run every few minutes by cron or a systemd timer.

1. Every open concern past its response deadline becomes `escalated`, with `breached` and
   `escalated` clock events, and joins its service's single draft notice of concern.
2. An issued notice of concern with a requirement past its due date and not met is escalated,
   and a draft contract breach notice is raised from it.
3. Improvement plans not submitted by their deadline, and actions not completed by their target
   date, are recorded as overdue (once each), which turns the service's risk amber.

Parts 1 and 2 work in batches, each batch one transaction of a fixed number of statements however
many concerns, notices and services it touches (tests/integration/test_sweep_statements.py).

Idempotent and safe to run concurrently on several machines:
- concerns are claimed with `SELECT … FOR UPDATE SKIP LOCKED`, so each is escalated by exactly
  one sweep, and a concern already escalated is never picked again;
- the draft notice for a service is looked up and created while holding the service's row
  lock, and a partial unique index allows only one draft per service;
- a notice is escalated to breach while holding its service's row lock, asked again under it
  (as a manager's step takes the same lock), and a breach notice is unique per parent notice;
- clock events are unique per (concern, kind).
On SQLite, writers take turns, so the same statements are safe there too.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import insert, select, update

from qa_app.domain.concerns import ConcernStatus
from qa_app.domain.notices import NoticeStatus
from qa_app.extensions import db
from qa_app.models import ClockEvent, Concern, Notice, Service
from qa_app.models.types import utcnow
from qa_app.services import audit, notices, notifications, plans
from qa_app.services.actors import Actor
from qa_app.services.follow_on import services_changed
from qa_app.services.transaction import unit_of_work

BATCH = 1000
REASON = "Not responded to within the response time: escalated by the sweep"


def _escalate_batch(actor: Actor, now: datetime, limit: int) -> tuple[int, int]:
    """One transaction, in a fixed number of statements: claim up to `limit` overdue concerns,
    give each of their services its draft notice if it has none, and escalate the concerns onto
    those drafts; (escalated, notices created)."""
    with unit_of_work(writes_after_reading=True):
        picked = db.session.execute(
            select(Concern.id, Concern.service_id)
            .where(Concern.status == ConcernStatus.OPEN, Concern.response_due_at < now)
            .order_by(Concern.response_due_at, Concern.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not picked:
            return 0, 0
        service_ids = sorted({p.service_id for p in picked})
        # The services' row locks serialise draft-notice creation between concurrent sweeps
        # (always taken in id order, so two sweeps cannot deadlock).
        # (SQLite has no row locks and needs none: its writers already take turns.)
        db.session.execute(
            select(Service.id)
            .where(Service.id.in_(service_ids))
            .order_by(Service.id)
            .with_for_update()
        ).all()
        have = set(
            db.session.scalars(select(Notice.service_id).where(*notices.draft_of(service_ids)))
        )
        missing = [sid for sid in service_ids if sid not in have]
        created: list[tuple[int, int]] = []  # (notice id, service id)
        if missing:
            rows = db.session.execute(
                insert(Notice).returning(Notice.id, Notice.service_id),
                [
                    {
                        "kind": "notice_of_concern",
                        "service_id": sid,
                        "status": NoticeStatus.DRAFT,
                        "grounds": "",
                        "created_at": now,
                        "created_by_label": actor.label,
                        "version": 1,
                    }
                    for sid in missing
                ],
            )
            created = [(notice_id, sid) for notice_id, sid in rows]
            notifications.notices_drafted(created)  # in the sweep's transaction
        # Escalated and put on its service's draft in one statement (the concerns are this
        # sweep's: locked since they were picked).
        claimed = db.session.execute(
            update(Concern)
            .where(
                Concern.id.in_([p.id for p in picked]),
                Concern.status == ConcernStatus.OPEN,
                *notices.draft_of(Concern.service_id),
            )
            .values(
                status=ConcernStatus.ESCALATED,
                escalated_at=now,
                escalation_reason=REASON,
                version=Concern.version + 1,
                notice_id=Notice.id,
            )
            .returning(
                Concern.id,
                Concern.service_id,
                Concern.clock,
                Concern.response_due_at,
                Concern.notice_id,
            )
            .execution_options(synchronize_session=False)
        ).all()
        db.session.execute(
            insert(ClockEvent),
            [
                {"concern_id": c.id, "kind": kind, "clock": c.clock, "at": at, "recorded_at": now}
                for c in claimed
                for kind, at in (("breached", c.response_due_at), ("escalated", now))
            ],
        )
        audit.record_many(
            actor,
            [
                (
                    "concern",
                    c.id,
                    "escalated",
                    {
                        "status": [ConcernStatus.OPEN, ConcernStatus.ESCALATED],
                        "notice_id": [None, c.notice_id],
                        "reason": [None, REASON],
                    },
                    c.service_id,
                )
                for c in claimed
            ]
            + [
                ("notice", notice_id, "drafted", {"status": [None, NoticeStatus.DRAFT]}, sid)
                for notice_id, sid in created
            ],
        )
        services_changed(actor, service_ids)
        return len(claimed), len(created)


def _escalate_notices(actor: Actor, now: datetime, limit: int) -> int:
    """Raise a draft breach notice from each issued notice with an unmet requirement past its
    date, `limit` at a time (each batch one transaction, in a fixed number of statements),
    until none are left."""
    raised = 0
    while True:
        with unit_of_work(writes_after_reading=True):
            chosen, drafted = notices.escalate_breached(actor, now, limit)
            notifications.breaches_drafted(drafted)  # in the batch's transaction
        raised += len(drafted)
        if chosen < limit:
            return raised


def sweep(now: datetime | None = None, batch: int = BATCH) -> dict:
    """Run every part of the sweep once; returns the summary the CLI prints."""
    started = time.perf_counter()
    now = now or utcnow()
    actor = Actor.system("sweep", "Escalation sweep")
    escalated = notices_created = 0
    while True:
        count, created = _escalate_batch(actor, now, batch)
        escalated += count
        notices_created += created
        if count < batch:
            break
    breach_notices = _escalate_notices(actor, now, batch)
    overdue = plans.mark_overdue(now, actor)
    return {
        "now": now.isoformat(),
        "escalated": escalated,
        "notices_created": notices_created,
        "breach_notices_created": breach_notices,
        "plans_overdue": overdue["plans_overdue"],
        "actions_overdue": overdue["actions_overdue"],
        "plans_opened": overdue["plans_opened"],
        "seconds": round(time.perf_counter() - started, 3),
    }
