"""The steps of a notice's life: issued, lifted, withdrawn, remedied, termination recommended,
escalated to a contract breach notice (by hand or by the sweep)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from qa_app.domain.limits import NOTE, text_problem
from qa_app.domain.notices import (
    NoticeStatus,
    RequirementFacts,
    RequirementStatus,
    breached,
    close_problems,
    is_draft,
    is_issued,
    issue_problems,
    next_status,
    step_refusal,
)
from qa_app.extensions import db
from qa_app.models import Concern, Notice, NoticeRequirement, User
from qa_app.models.types import utcnow
from qa_app.services import audit, notifications
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.follow_on import service_changed
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
    changes = {"status": [before, notice.status], **(extra or {})}
    if note:
        changes["note"] = [None, note.strip()[:500]]
    audit.record(actor, "notice", notice.id, step, changes, notice.service_id)
    return notice


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


def escalate_to_breach(
    actor: Actor, notice: Notice, note: str | None, now: datetime, tell_managers: bool = True
) -> Notice | None:
    """Escalate an issued notice of concern and raise its draft contract breach notice
    (inside the caller's unit). None if another sweep or person got there first.
    `tell_managers=False`: the caller emails them (the sweep, once for its batch)."""
    _take_step(actor, notice, "escalate", note, now)
    breach = Notice(
        kind="contract_breach",
        service_id=notice.service_id,
        status=NoticeStatus.DRAFT,
        parent_id=notice.id,
        created_by_label=actor.label,
        grounds=(
            f"Raised from notice of concern {notice.id}: rectification requirements were not "
            "met by their due dates."
        ),
    )
    db.session.add(breach)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return None
    audit.record(
        actor,
        "notice",
        breach.id,
        "drafted",
        {"status": [None, NoticeStatus.DRAFT], "parent_id": [None, notice.id]},
        notice.service_id,
    )
    if tell_managers:
        notifications.breach_notice_drafted(breach, notice.service, actor.user)
    return breach


def escalate_if_breached(actor: Actor, notice: Notice, now: datetime) -> Notice | None:
    """The sweep's step (inside its unit): under the service's and the notice's locks, raise the
    breach notice only if the notice is still issued and a requirement is still past its date
    and unmet (an officer may have recorded it met, or a manager lifted it, since it was chosen)."""
    lock_notice(notice)
    if not is_issued(notice.status) or not breached(requirement_facts(notice), london_today(now)):
        return None
    return escalate_to_breach(
        actor,
        notice,
        "A rectification requirement passed its due date without being met",
        now,
        tell_managers=False,  # the sweep emails them once for its batch
    )


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


def breach_candidates(today: date, limit: int) -> list[int]:
    """Issued notices of concern with a requirement past its due date and not met, and no
    breach notice yet. Not locked here: escalating takes the service's lock, then the notice's
    (the order every step uses), and checks the status again under them."""
    overdue = (
        select(NoticeRequirement.notice_id)
        .where(
            NoticeRequirement.due_date < today,
            NoticeRequirement.status != RequirementStatus.MET,
        )
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Notice.id)
            .where(
                Notice.kind == "notice_of_concern",
                Notice.status == NoticeStatus.ISSUED,
                Notice.id.in_(overdue),
                # one whose breach notice a manager withdrew is the manager's call now
                ~select(Breach.id).where(Breach.parent_id == Notice.id).exists(),
            )
            .order_by(Notice.id)
            .limit(limit)
        )
    )


def mark_attached(concern_ids_by_notice: dict[int, list[int]]) -> None:
    for notice_id, concern_ids in concern_ids_by_notice.items():
        db.session.execute(
            update(Concern)
            .where(Concern.id.in_(concern_ids))
            .values(notice_id=notice_id)
            .execution_options(synchronize_session=False)
        )
