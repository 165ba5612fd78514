"""The escalation sweep (SPEC section 6), run every few minutes by cron or a systemd timer.

1. Every open concern past its response deadline becomes `escalated`, with `breached` and
   `escalated` clock events, and joins its service's single draft notice of concern.
2. An issued notice of concern with a requirement past its due date and not met is escalated,
   and a draft contract breach notice is raised from it.
3. Improvement plans not submitted by their deadline, and actions not completed by their target
   date, are recorded as overdue (once each), which turns the service's risk amber.

Idempotent and safe to run concurrently on several machines:
- concerns are claimed with `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so each
  is escalated by exactly one sweep, and a concern already escalated is never picked again;
- the draft notice for a service is looked up and created while holding the service's row
  lock, and a partial unique index allows only one draft per service;
- clock events are unique per (concern, kind); a breach notice is unique per parent notice.
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
from qa_app.services.calendar import london_today
from qa_app.services.errors import found
from qa_app.services.follow_on import services_changed
from qa_app.services.transaction import unit_of_work

BATCH = 1000
REASON = "Not responded to within the response time: escalated by the sweep"


def _escalate_batch(actor: Actor, now: datetime, limit: int) -> tuple[int, int]:
    """One transaction: claim up to `limit` overdue concerns; (escalated, notices created)."""
    due = (
        select(Concern.id)
        .where(Concern.status == ConcernStatus.OPEN, Concern.response_due_at < now)
        .order_by(Concern.response_due_at, Concern.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    with unit_of_work(writes_after_reading=True):
        claimed = db.session.execute(
            update(Concern)
            .where(Concern.id.in_(due), Concern.status == ConcernStatus.OPEN)
            .values(
                status=ConcernStatus.ESCALATED,
                escalated_at=now,
                escalation_reason=REASON,
                version=Concern.version + 1,
            )
            .returning(Concern.id, Concern.service_id, Concern.clock, Concern.response_due_at)
            .execution_options(synchronize_session=False)
        ).all()
        if not claimed:
            return 0, 0
        db.session.execute(
            insert(ClockEvent),
            [
                {"concern_id": c.id, "kind": kind, "clock": c.clock, "at": at, "recorded_at": now}
                for c in claimed
                for kind, at in (("breached", c.response_due_at), ("escalated", now))
            ],
        )
        service_ids = sorted({c.service_id for c in claimed})
        # The services' row locks serialise draft-notice creation between concurrent sweeps
        # (always taken in id order, so two sweeps cannot deadlock).
        # (SQLite has no row locks and needs none: its writers already take turns.)
        db.session.execute(
            select(Service.id)
            .where(Service.id.in_(service_ids))
            .order_by(Service.id)
            .with_for_update()
        ).all()
        drafts = dict(
            db.session.execute(
                select(Notice.service_id, Notice.id).where(
                    Notice.service_id.in_(service_ids),
                    Notice.kind == "notice_of_concern",
                    Notice.status == NoticeStatus.DRAFT,
                )
            ).all()
        )
        missing = [sid for sid in service_ids if sid not in drafts]
        if missing:
            created = db.session.execute(
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
            ).all()
            for notice_id, sid in created:
                drafts[sid] = notice_id
            notifications.notices_drafted(created)  # in the sweep's transaction
        by_notice: dict[int, list[int]] = {}
        for c in claimed:
            by_notice.setdefault(drafts[c.service_id], []).append(c.id)
        notices.mark_attached(by_notice)
        audit.record_many(
            actor,
            [
                (
                    "concern",
                    c.id,
                    "escalated",
                    {
                        "status": [ConcernStatus.OPEN, ConcernStatus.ESCALATED],
                        "notice_id": [None, drafts[c.service_id]],
                        "reason": [None, REASON],
                    },
                    c.service_id,
                )
                for c in claimed
            ]
            + [
                ("notice", drafts[sid], "drafted", {"status": [None, NoticeStatus.DRAFT]}, sid)
                for sid in missing
            ],
        )
        services_changed(actor, service_ids)
        return len(claimed), len(missing)


def _escalate_notices(actor: Actor, now: datetime, limit: int) -> int:
    """Raise a draft breach notice from each issued notice with an unmet requirement past its
    date, `limit` at a time (each batch one transaction), until none are left."""
    raised = 0
    while True:
        with unit_of_work(writes_after_reading=True):
            chosen = notices.breach_candidates(london_today(now), limit)
            drafted = []
            for notice_id in chosen:
                notice = found(db.session.get(Notice, notice_id), "Notice not found")
                breach = notices.escalate_if_breached(actor, notice, now)
                if breach is not None:
                    drafted.append((breach.id, breach.service_id))
            raised += len(drafted)
            notifications.breaches_drafted(drafted)  # in the batch's transaction
        if len(chosen) < limit:
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
