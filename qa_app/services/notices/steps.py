"""The steps of a notice's life: issued, lifted, withdrawn, remedied, termination recommended,
escalated to a contract breach notice (by hand or by the sweep)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from qa_app.domain.limits import NOTE, text_problem
from qa_app.domain.notices import (
    NoticeStatus,
    RequirementFacts,
    RequirementStatus,
    breach_grounds,
    close_problems,
    is_draft,
    issue_problems,
    next_status,
    step_refusal,
)
from qa_app.extensions import db
from qa_app.models import Notice, NoticeRequirement, Service, User
from qa_app.models.types import utcnow
from qa_app.services import audit, notifications
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.follow_on import service_changed, services_changed
from qa_app.services.notices.drafting import DraftEdit, apply_edit, edit_problems
from qa_app.services.notices.reading import decider_notice, requirement_facts
from qa_app.services.notices.saving import check_version, flush_notice, lock_notice, required_text
from qa_app.services.notices.stops import sync_placement_stop
from qa_app.services.transaction import unit_of_work


def _take_step(
    actor: Actor,
    notice: Notice,
    step: str,
    note: str | None,
    now: datetime,
    extra: dict | None = None,
) -> Notice:
    if problem := text_problem(note, NOTE):
        raise ValidationFailed({"note": problem})
    lock_notice(notice)
    refused = step_refusal(notice.kind, notice.status, step)
    if refused:
        raise Conflict(refused)
    problem = close_problems(notice.kind, step, requirement_facts(notice))
    if problem:
        raise Conflict(problem)
    before = notice.status
    notice.status = next_status(notice.kind, step)
    if step in ("lift", "remedy", "recommend_termination", "withdraw"):
        notice.closed_at, notice.closed_by_label = now, actor.label
        notice.close_note = (note or "").strip() or None
    if step == "lift" and notice.placement_stop_start and not notice.placement_stop_lifted_at:
        notice.placement_stop_lifted_at = now
    if notice.parent_id and step in ("remedy", "recommend_termination", "withdraw"):
        _follow_breach_decision(actor, notice, step, now)
    flush_notice(notice)
    sync_placement_stop(notice.service)
    db.session.flush()
    service_changed(actor, notice.service)
    changes = _step_changes(before, notice.status, note, extra)
    audit.record(actor, "notice", notice.id, step, changes, notice.service_id)
    return notice


def _step_changes(before: str, after: str, note: str | None, extra: dict | None = None) -> dict:
    """What a step's audit event records: the status it moved, and the note if one was given."""
    changes = {"status": [before, after], **(extra or {})}
    if note:
        changes["note"] = [None, note.strip()[:500]]
    return changes


def _follow_breach_decision(actor: Actor, breach: Notice, step: str, now: datetime) -> None:
    """What a decision on a breach notice means for the notice of concern it came from.

    Remedied: the notice of concern is closed with it, and its placement stop lifted.
    Termination recommended: the notice of concern is closed; the breach notice carries on.
    A draft withdrawn: the notice of concern is issued again (it can be lifted, or escalated by
    hand again; the sweep does not raise another breach notice from it on its own).
    """
    parent = db.session.get(Notice, breach.parent_id)
    if parent is None or parent.status != NoticeStatus.ESCALATED:
        return
    changes: dict = {}
    if step == "withdraw":
        parent.status = NoticeStatus.ISSUED
        changes["status"] = [NoticeStatus.ESCALATED, NoticeStatus.ISSUED]
    else:
        parent.closed_at, parent.closed_by_label = now, actor.label
        parent.close_note = (
            f"Closed with contract breach notice {breach.id} ({step.replace('_', ' ')})"
        )
        changes["closed_at"] = [None, now]
        if step == "remedy" and parent.placement_stop_start and not parent.placement_stop_lifted_at:
            parent.placement_stop_lifted_at = now
            changes["placement_stop_lifted_at"] = [None, now]
    audit.record(
        actor,
        "notice",
        parent.id,
        f"breach notice {breach.id} {'withdrawn' if step == 'withdraw' else 'decided'}",
        changes,
        parent.service_id,
    )


def issue(
    actor: Actor,
    viewer: User,
    notice_id: int,
    placement_stop_start: date | None = None,
    keep_stop: bool = True,
    now: datetime | None = None,
    expected_version: int | None = None,
    edit: DraftEdit | None = None,
) -> Notice:
    """Issue a draft. `edit`: what is typed on its page, saved first (the grounds, the stop and
    a new requirement), in the same transaction. Otherwise `placement_stop_start` given
    replaces the draft's, and keep_stop=False drops it."""
    notice = decider_notice(viewer, notice_id)
    if edit is not None:
        expected_version = edit.version
    check_version(notice, expected_version)
    now = now or utcnow()
    today = london_today(now)
    refused = step_refusal(notice.kind, notice.status, "issue")
    if refused:
        raise Conflict(refused)
    if edit is not None:
        start, grounds = edit.placement_stop_start, edit.grounds
        facts = requirement_facts(notice)
        if edit.writes_requirement:
            facts.append(RequirementFacts(edit.requirement_text, edit.requirement_due))
        problems = issue_problems(notice.kind, grounds, facts, today, start)
        own = edit_problems(notice, edit, today)  # the typed fields' own words
        if own.keys() & {"text", "due_date"}:
            problems.pop("requirements", None)  # said once, beside the new requirement
        problems.update(own)
    else:
        start = placement_stop_start if placement_stop_start else notice.placement_stop_start
        if not keep_stop:
            start = None
        problems = issue_problems(
            notice.kind, notice.grounds, requirement_facts(notice), today, start
        )
    if notice.kind != "notice_of_concern":
        start = None
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        lock_notice(notice)  # _take_step checks the status again under the lock
        check_version(notice, expected_version)
        if edit is not None:
            apply_edit(actor, notice, edit)
        notice.issued_at, notice.issued_by_label = now, actor.label
        notice.placement_stop_start = start
        _take_step(
            actor,
            notice,
            "issue",
            None,
            now,
            {"placement_stop_start": [None, start]} if start else None,
        )
        notifications.notice_issued(notice)  # in the step's unit of work
    return notice


def _decide(actor: Actor, viewer: User, notice_id: int, step: str, note: str, now) -> Notice:
    """A manager's step that needs nothing but a note (the rules check the status)."""
    notice = decider_notice(viewer, notice_id)
    with unit_of_work():
        _take_step(actor, notice, step, note, now or utcnow())
    return notice


def lift(actor: Actor, viewer: User, notice_id: int, note: str = "", now=None) -> Notice:
    return _decide(actor, viewer, notice_id, "lift", note, now)


def withdraw(
    actor: Actor,
    viewer: User,
    notice_id: int,
    note: str,
    now=None,
    edit: DraftEdit | None = None,
) -> Notice:
    """Withdraw a draft (the council decides not to issue it); `edit`, what is typed on its
    page, is kept on the record first."""
    notice = decider_notice(viewer, notice_id)
    problems = {}
    if problem := text_problem(note, NOTE, "Say why the notice is being withdrawn"):
        problems["note"] = problem
    if edit is not None and is_draft(notice.status):
        check_version(notice, edit.version)
        problems.update(edit_problems(notice, edit, london_today(now)))
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        if edit is not None and is_draft(notice.status):
            lock_notice(notice)
            check_version(notice, edit.version)
            apply_edit(actor, notice, edit)
        _take_step(actor, notice, "withdraw", note.strip(), now or utcnow())
    return notice


def remedy(actor: Actor, viewer: User, notice_id: int, note: str = "", now=None) -> Notice:
    return _decide(actor, viewer, notice_id, "remedy", note, now)


def recommend_termination(actor: Actor, viewer: User, notice_id: int, note: str, now=None):
    notice = decider_notice(viewer, notice_id)
    note = required_text(note, "note", "Give the reasons for recommending termination")
    with unit_of_work():
        _take_step(actor, notice, "recommend_termination", note, now or utcnow())
    return notice


def _breach_columns(actor: Actor, parent_id: int, service_id: int) -> dict:
    """The draft contract breach notice raised from notice of concern `parent_id`, by hand or
    by the sweep (its other columns take their defaults)."""
    return {
        "kind": "contract_breach",
        "service_id": service_id,
        "status": NoticeStatus.DRAFT,
        "parent_id": parent_id,
        "created_by_label": actor.label,
        "grounds": breach_grounds(parent_id),
    }


def _breach_drafted(parent_id: int) -> dict:
    """The breach notice's `drafted` audit event."""
    return {"status": [None, NoticeStatus.DRAFT], "parent_id": [None, parent_id]}


def escalate_to_breach(
    actor: Actor, notice: Notice, note: str | None, now: datetime, tell_managers: bool = True
) -> Notice | None:
    """Escalate an issued notice of concern and raise its draft contract breach notice
    (inside the caller's unit). None if another person or a sweep got there first.
    `tell_managers=False`: the caller emails them. (The sweep does the same for many notices
    at once: `escalate_breached`.)"""
    _take_step(actor, notice, "escalate", note, now)
    breach = Notice(**_breach_columns(actor, notice.id, notice.service_id))
    db.session.add(breach)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return None
    audit.record(
        actor, "notice", breach.id, "drafted", _breach_drafted(notice.id), notice.service_id
    )
    if tell_managers:
        notifications.breach_notice_drafted(breach, notice.service, actor.user)
    return breach


def escalate(actor: Actor, viewer: User, notice_id: int, note: str, now=None) -> Notice:
    """A manager escalates an issued notice of concern by hand."""
    notice = decider_notice(viewer, notice_id)
    note = required_text(note, "note", "Say why the notice is being escalated")
    with unit_of_work():
        breach = escalate_to_breach(actor, notice, note, now or utcnow())
        if breach is None:
            raise Conflict("A contract breach notice has already been raised from this notice")
    return breach


# ---------------------------------------------------------------- the sweep's part

Breach = aliased(Notice)
#: The sweep's note on each notice it escalates (a manager gives their own).
SWEEP_NOTE = "A rectification requirement passed its due date without being met"
_ESCALATED = next_status("notice_of_concern", "escalate")


def _breached(today: date) -> tuple:
    """domain.notices.is_issued and breached, asked of the rows: an issued notice of concern
    with a requirement past its due date and not met; and no breach notice raised from it yet
    (one whose breach notice a manager withdrew is the manager's call now)."""
    overdue = (
        select(NoticeRequirement.notice_id)
        .where(
            NoticeRequirement.due_date < today,
            NoticeRequirement.status != RequirementStatus.MET,
        )
        .scalar_subquery()
    )
    return (
        Notice.kind == "notice_of_concern",
        Notice.status == NoticeStatus.ISSUED,
        Notice.id.in_(overdue),
        ~select(Breach.id).where(Breach.parent_id == Notice.id).exists(),
    )


def breach_candidates(today: date, limit: int) -> list[tuple[int, int]]:
    """(notice id, service id) of up to `limit` notices `_breached` today, oldest first. Not
    locked here: `escalate_breached` takes their services' locks, then asks again."""
    return [
        (row.id, row.service_id)
        for row in db.session.execute(
            select(Notice.id, Notice.service_id)
            .where(*_breached(today))
            .order_by(Notice.id)
            .limit(limit)
        )
    ]


def escalate_breached(actor: Actor, now: datetime, limit: int) -> tuple[int, list[tuple[int, int]]]:
    """The sweep's step (inside its unit) for up to `limit` notices at once, in a fixed number
    of statements: each notice of concern still breached under its service's lock (an officer
    may have recorded the requirement met, or a manager lifted or escalated the notice, since
    it was chosen) is escalated and gets its draft contract breach notice, as a manager's
    `escalate` does for one. Returns (how many were chosen, [(breach notice id, service id)]);
    the caller emails the managers once for them all.

    Of what `_take_step` does besides, only the risk can move (`services_changed`): the
    placement stop stays as it was (an escalated notice's stop counts as an issued one's, and
    a draft breach notice has none), and an improvement plan opens on what assessments and CQC
    ratings say, which this does not change.
    """
    today = london_today(now)
    chosen = breach_candidates(today, limit)
    if not chosen:
        return 0, []
    # The services' row locks in id order (the order the concern sweep takes them; a step
    # takes its one service's first), then the notices asked again: a step that changed one
    # in between has committed by now, and the statement below sees what it did.
    db.session.execute(
        select(Service.id)
        .where(Service.id.in_(sorted({service_id for _, service_id in chosen})))
        .order_by(Service.id)
        .with_for_update()
    ).all()
    escalated = sorted(
        (row.id, row.service_id)
        for row in db.session.execute(
            update(Notice)
            .where(Notice.id.in_([notice_id for notice_id, _ in chosen]), *_breached(today))
            .values(status=_ESCALATED, version=Notice.version + 1)
            .returning(Notice.id, Notice.service_id)
            .execution_options(synchronize_session=False)
        )
    )
    if not escalated:
        return len(chosen), []
    # One breach notice per parent: the partial unique index refuses a second (which would
    # roll the whole batch back; the locks above keep that from happening).
    drafted = dict(
        db.session.execute(
            insert(Notice).returning(Notice.parent_id, Notice.id),
            [_breach_columns(actor, notice_id, service_id) for notice_id, service_id in escalated],
        ).all()
    )
    audit.record_many(
        actor,
        [
            event
            for notice_id, service_id in escalated
            for event in (
                (
                    "notice",
                    notice_id,
                    "escalate",
                    _step_changes(NoticeStatus.ISSUED, _ESCALATED, SWEEP_NOTE),
                    service_id,
                ),
                ("notice", drafted[notice_id], "drafted", _breach_drafted(notice_id), service_id),
            )
        ],
    )
    services_changed(actor, sorted({service_id for _, service_id in escalated}))
    return len(chosen), [(drafted[notice_id], service_id) for notice_id, service_id in escalated]
