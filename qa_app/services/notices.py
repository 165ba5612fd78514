"""Notices of concern and contract breach notices: drafting, issuing, responding, closing.

Officers draft (grounds and requirements) and record whether each requirement is met; managers
issue, lift, escalate, withdraw, and decide a breach notice's end; a provider sees its services'
notices once issued and responds to each requirement.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from qa_app.domain.codes import MAX_ID
from qa_app.domain.evidence_files import safe_name
from qa_app.domain.limits import NOTE, RESPONSE, Limit
from qa_app.domain.notices import (
    FINAL,
    REQUIREMENT_NOUN,
    RequirementFacts,
    assessment_problems,
    breached,
    close_problems,
    draft_problems,
    issue_problems,
    next_status,
    placement_stop_state,
    requirement_problems,
    step_refusal,
    stop_change_refusal,
    stop_start_problems,
    text_problem,
)
from qa_app.domain.pagination import Page, clamp_page
from qa_app.domain.roles import STAFF_ROLES, Role
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Concern, Notice, NoticeRequirement, NoticeResponseFile, Service, User
from qa_app.models.types import utcnow
from qa_app.services import audit, evidence_store
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from qa_app.services.follow_on import service_changed
from qa_app.services.transaction import unit_of_work

DECIDERS = frozenset({Role.MANAGER, Role.ADMIN})
#: What a provider may see: a notice once it has been issued, never a draft.
PROVIDER_VISIBLE = ("issued", "lifted", "escalated", "remedied", "termination_recommended")


# ---------------------------------------------------------------- reading


def _visible(viewer: User):
    query = select(Notice).join(Notice.service)
    if viewer.role not in STAFF_ROLES:
        query = query.where(
            Service.provider_id == (viewer.provider_id or -1), Notice.status.in_(PROVIDER_VISIBLE)
        )
    return query


def get_notice(viewer: User, notice_id: int) -> Notice:
    notice = db.session.scalar(_visible(viewer).where(Notice.id == notice_id))
    if notice is None:
        raise NotFound("Notice not found")
    return notice


def concerns_of(notice: Notice) -> list[Concern]:
    return list(
        db.session.scalars(
            select(Concern).where(Concern.notice_id == notice.id).order_by(Concern.received_at)
        )
    )


def concern_ids_for(notice_ids: list[int]) -> dict[int, list[int]]:
    """Each notice's concern ids (one query for a page of notices)."""
    found: dict[int, list[int]] = {}
    if notice_ids:
        for concern_id, notice_id in db.session.execute(
            select(Concern.id, Concern.notice_id)
            .where(Concern.notice_id.in_(notice_ids))
            .order_by(Concern.id)
        ):
            found.setdefault(notice_id, []).append(concern_id)
    return found


def parent_and_child(notice: Notice) -> tuple[Notice | None, Notice | None]:
    parent = db.session.get(Notice, notice.parent_id) if notice.parent_id else None
    # the breach notice raised from it: the one not withdrawn, else the latest
    child = db.session.scalar(
        select(Notice)
        .where(Notice.parent_id == notice.id)
        .order_by((Notice.status == "withdrawn").asc(), Notice.id.desc())
        .limit(1)
    )
    return parent, child


@dataclass
class NoticeFilters:
    kind: str = ""
    status: str = ""
    service_id: int | None = None
    page: int = 1


def list_notices(
    viewer: User, filters: NoticeFilters, page_size: int = 50, clamp: bool = True
) -> tuple[list[Notice], Page]:
    """Drafts first (they need a decision), then in force, then closed; newest first within."""
    query = _visible(viewer)
    if filters.kind:
        query = query.where(Notice.kind == filters.kind)
    if filters.status:
        query = query.where(Notice.status == filters.status)
    if filters.service_id:
        query = query.where(Notice.service_id == filters.service_id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = (
        clamp_page(filters.page, total, page_size)
        if clamp
        else Page(max(1, filters.page), page_size, total)
    )
    order = func.coalesce(Notice.issued_at, Notice.created_at)
    stage = db.case((Notice.status == "draft", 0), (Notice.status.in_(FINAL), 2), else_=1)
    rows = db.session.scalars(
        query.order_by(stage, order.desc(), Notice.id.desc()).offset(page.offset).limit(page.size)
    ).unique()
    return list(rows), page


def notices_for_services(viewer: User, service_ids: list[int]) -> dict[int, list[Notice]]:
    """The notices a viewer may see for these services, newest first (one query)."""
    if not service_ids:
        return {}
    found: dict[int, list[Notice]] = {}
    rows = db.session.scalars(
        _visible(viewer)
        .where(Notice.service_id.in_(service_ids), Notice.status != "withdrawn")
        .order_by(Notice.created_at.desc(), Notice.id.desc())
    ).unique()
    for notice in rows:
        found.setdefault(notice.service_id, []).append(notice)
    return found


def requirement_facts(notice: Notice) -> list[RequirementFacts]:
    return [RequirementFacts(r.text, r.due_date, r.status) for r in notice.requirements]


# ---------------------------------------------------------------- helpers


def _staff(viewer: User, notice_id: int) -> Notice:
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Notice not found")
    return get_notice(viewer, notice_id)


def _decider(viewer: User, notice_id: int) -> Notice:
    notice = _staff(viewer, notice_id)
    if viewer.role not in DECIDERS:
        raise Forbidden("Only a manager can issue, lift, escalate or withdraw a notice")
    return notice


def _check_version(notice: Notice, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != notice.version:
        raise Conflict(
            "This notice was changed by someone else while you were looking at it. "
            "Check the notice as it is now and try again."
        )


def _clean(text: str | None, field: str, message: str, limit: Limit = NOTE) -> str:
    """Required text, checked by the domain's rule (never shortened quietly)."""
    problem = text_problem(text, limit, message)
    if problem:
        raise ValidationFailed({field: problem})
    return text.strip()


def sync_placement_stop(service: Service) -> None:
    """The service is closed to new placements from the earliest stop still in force."""
    service.placement_stop_since = db.session.scalar(
        select(func.min(Notice.placement_stop_start)).where(
            Notice.service_id == service.id,
            Notice.placement_stop_start.is_not(None),
            Notice.placement_stop_lifted_at.is_(None),
            Notice.status.not_in(("draft", "withdrawn")),
        )
    )


def _lock(notice: Notice) -> None:
    """Take the service's row lock (the sweep takes it before it touches the service's draft)
    and re-read the notice, so a decision and a sweep never act on the same draft at once."""
    db.session.scalar(select(Service.id).where(Service.id == notice.service_id).with_for_update())
    db.session.scalar(select(Notice.id).where(Notice.id == notice.id).with_for_update())
    db.session.refresh(notice)


def _commit(notice: Notice) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(
            "This notice was changed by someone else at the same moment. Check it and try again."
        ) from None


# ---------------------------------------------------------------- gathering escalated concerns


def draft_for(actor: Actor, service_id: int) -> tuple[Notice, bool]:
    """The service's draft notice of concern, created if there is none; (notice, created).

    Callers hold the service's row lock (or SQLite's single writer), and the partial unique
    index on drafts is the backstop: two drafts for one service cannot both be written.
    """
    notice = db.session.scalar(
        select(Notice).where(
            Notice.service_id == service_id,
            Notice.kind == "notice_of_concern",
            Notice.status == "draft",
        )
    )
    if notice is not None:
        return notice, False
    notice = Notice(
        kind="notice_of_concern",
        service_id=service_id,
        status="draft",
        created_by_label=actor.label,
        grounds="",
    )
    db.session.add(notice)
    db.session.flush()
    audit.record(actor, "notice", notice.id, "drafted", {"status": [None, "draft"]}, service_id)
    return notice, True


def attach_concern(actor: Actor, concern: Concern) -> Notice:
    """Put a just-escalated concern on its service's draft notice (inside the caller's unit)."""
    db.session.scalar(select(Service.id).where(Service.id == concern.service_id).with_for_update())
    notice, _created = draft_for(actor, concern.service_id)
    concern.notice_id = notice.id
    return notice


# ---------------------------------------------------------------- drafting


@dataclass(frozen=True)
class DraftEdit:
    """What is typed on a draft's page: its grounds and proposed placement stop, and a new
    requirement if one is being written. Every step taken on a draft (save, add or remove a
    requirement, issue, withdraw) saves this first, in the same transaction, so that nothing
    typed is dropped; a refused step saves nothing and the page shows what was typed."""

    grounds: str | None
    placement_stop_start: date | None
    requirement_text: str = ""
    requirement_due: date | None = None
    version: int | None = None

    @property
    def writes_requirement(self) -> bool:
        return bool((self.requirement_text or "").strip()) or self.requirement_due is not None

    @classmethod
    def keeping(cls, notice: Notice, **typed) -> DraftEdit:
        """The draft as saved, with only `typed` changed."""
        return cls(notice.grounds, notice.placement_stop_start, **typed)


def _edit_problems(
    notice: Notice, edit: DraftEdit, today: date, requirement_needed: bool = False
) -> dict[str, str]:
    problems = draft_problems(notice.kind, edit.grounds, edit.placement_stop_start, today)
    if requirement_needed or edit.writes_requirement:
        problems.update(
            requirement_problems(notice.kind, edit.requirement_text, edit.requirement_due, today)
        )
    return problems


def _apply_edit(actor: Actor, notice: Notice, edit: DraftEdit) -> NoticeRequirement | None:
    """Save what was typed (inside the caller's unit, once its problems have been checked)."""
    grounds = (edit.grounds or "").strip()
    before = {"grounds": notice.grounds, "placement_stop_start": notice.placement_stop_start}
    after = {"grounds": grounds, "placement_stop_start": edit.placement_stop_start}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        notice.grounds, notice.placement_stop_start = grounds, edit.placement_stop_start
        _commit(notice)
        audit.record(actor, "notice", notice.id, "updated", changes, notice.service_id)
    if not edit.writes_requirement:
        return None
    text, due_date = edit.requirement_text.strip(), edit.requirement_due
    position = 1 + max((r.position for r in notice.requirements), default=0)
    requirement = NoticeRequirement(
        notice_id=notice.id, position=position, text=text, due_date=due_date, status="open"
    )
    db.session.add(requirement)
    flag_modified(notice, "grounds")  # the notice's version moves: a manager issuing what
    _commit(notice)  # they saw before this was added is told it changed
    audit.record(
        actor,
        "notice",
        notice.id,
        "requirement added",
        {"requirement": [None, f"{text[:200]} (due {long_date(due_date)})"]},
        notice.service_id,
    )
    return requirement


def _draft(viewer: User, notice_id: int, edit: DraftEdit | None, what: str) -> Notice:
    notice = _staff(viewer, notice_id)
    if notice.status != "draft":
        raise Conflict(f"Only a draft notice {what}")
    if edit is not None:
        _check_version(notice, edit.version)
    return notice


def save_draft(
    actor: Actor,
    viewer: User,
    notice_id: int,
    edit: DraftEdit,
    requirement_needed: bool = False,
) -> Notice:
    """Save a draft's grounds and proposed stop, with the requirement typed if there is one
    (`requirement_needed`: the user asked to add one, so an empty one is an error)."""
    notice = _draft(viewer, notice_id, edit, "can be changed")
    problems = _edit_problems(notice, edit, london_today(), requirement_needed)
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        _lock(notice)
        _check_version(notice, edit.version)
        _apply_edit(actor, notice, edit)
    db.session.refresh(notice)
    return notice


def update_draft(
    actor: Actor,
    viewer: User,
    notice_id: int,
    grounds: str,
    placement_stop_start: date | None,
    expected_version: int | None = None,
) -> Notice:
    return save_draft(
        actor, viewer, notice_id, DraftEdit(grounds, placement_stop_start, version=expected_version)
    )


def add_requirement(
    actor: Actor, viewer: User, notice_id: int, text: str, due_date: date | None
) -> NoticeRequirement:
    notice = _staff(viewer, notice_id)
    if notice.status != "draft":
        raise Conflict(f"A {REQUIREMENT_NOUN[notice.kind]} can only be added to a draft notice")
    edit = DraftEdit.keeping(notice, requirement_text=text or "", requirement_due=due_date)
    notice = save_draft(actor, viewer, notice_id, edit, requirement_needed=True)
    return notice.requirements[-1]


def remove_requirement(
    actor: Actor,
    viewer: User,
    notice_id: int,
    requirement_id: int,
    edit: DraftEdit | None = None,
) -> None:
    notice = _staff(viewer, notice_id)
    if notice.status != "draft":
        raise Conflict("Requirements can only be removed from a draft notice")
    requirement = next((r for r in notice.requirements if r.id == requirement_id), None)
    if requirement is None:
        raise NotFound("Requirement not found")
    if edit is not None:
        _check_version(notice, edit.version)
        if problems := _edit_problems(notice, edit, london_today()):
            raise ValidationFailed(problems)
    with unit_of_work():
        if edit is not None:
            _lock(notice)
            _check_version(notice, edit.version)
            _apply_edit(actor, notice, edit)
        db.session.delete(requirement)
        flag_modified(notice, "grounds")  # the notice's version moves (see _apply_edit)
        audit.record(
            actor,
            "notice",
            notice.id,
            "requirement removed",
            {"requirement": [requirement.text[:200], None]},
            notice.service_id,
        )
    db.session.refresh(notice)


# ---------------------------------------------------------------- steps


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
    _lock(notice)
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
    _commit(notice)
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
    if parent is None or parent.status != "escalated":
        return
    changes: dict = {}
    if step == "withdraw":
        parent.status, changes["status"] = "issued", ["escalated", "issued"]
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
    notice = _decider(viewer, notice_id)
    if edit is not None:
        expected_version = edit.version
    _check_version(notice, expected_version)
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
        own = _edit_problems(notice, edit, today)  # the typed fields' own words
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
        _lock(notice)  # _take_step checks the status again under the lock
        _check_version(notice, expected_version)
        if edit is not None:
            _apply_edit(actor, notice, edit)
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
    return notice


def lift(actor: Actor, viewer: User, notice_id: int, note: str = "", now=None) -> Notice:
    notice = _decider(viewer, notice_id)
    with unit_of_work():
        _take_step(actor, notice, "lift", note, now or utcnow())
    return notice


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
    notice = _decider(viewer, notice_id)
    problems = {}
    if problem := text_problem(note, NOTE, "Say why the notice is being withdrawn"):
        problems["note"] = problem
    if edit is not None and notice.status == "draft":
        _check_version(notice, edit.version)
        problems.update(_edit_problems(notice, edit, london_today(now)))
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        if edit is not None and notice.status == "draft":
            _lock(notice)
            _check_version(notice, edit.version)
            _apply_edit(actor, notice, edit)
        _take_step(actor, notice, "withdraw", note.strip(), now or utcnow())
    return notice


def remedy(actor: Actor, viewer: User, notice_id: int, note: str = "", now=None) -> Notice:
    notice = _decider(viewer, notice_id)
    with unit_of_work():
        _take_step(actor, notice, "remedy", note, now or utcnow())
    return notice


def recommend_termination(actor: Actor, viewer: User, notice_id: int, note: str, now=None):
    notice = _decider(viewer, notice_id)
    note = _clean(note, "note", "Give the reasons for recommending termination")
    with unit_of_work():
        _take_step(actor, notice, "recommend_termination", note, now or utcnow())
    return notice


def escalate_to_breach(
    actor: Actor, notice: Notice, note: str | None, now: datetime
) -> Notice | None:
    """Escalate an issued notice of concern and raise its draft contract breach notice
    (inside the caller's unit). None if another sweep or person got there first."""
    _take_step(actor, notice, "escalate", note, now)
    breach = Notice(
        kind="contract_breach",
        service_id=notice.service_id,
        status="draft",
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
        {"status": [None, "draft"], "parent_id": [None, notice.id]},
        notice.service_id,
    )
    return breach


def escalate_if_breached(actor: Actor, notice: Notice, now: datetime) -> Notice | None:
    """The sweep's step (inside its unit): under the service's and the notice's locks, raise the
    breach notice only if the notice is still issued and a requirement is still past its date
    and unmet (an officer may have recorded it met, or a manager lifted it, since it was chosen)."""
    _lock(notice)
    if notice.status != "issued" or not breached(requirement_facts(notice), london_today(now)):
        return None
    return escalate_to_breach(
        actor, notice, "A rectification requirement passed its due date without being met", now
    )


def escalate(actor: Actor, viewer: User, notice_id: int, note: str, now=None) -> Notice:
    """A manager escalates an issued notice of concern by hand."""
    notice = _decider(viewer, notice_id)
    note = _clean(note, "note", "Say why the notice is being escalated")
    with unit_of_work():
        breach = escalate_to_breach(actor, notice, note, now or utcnow())
        if breach is None:
            raise Conflict("A contract breach notice has already been raised from this notice")
    return breach


def in_force(notice: Notice) -> bool:
    """As models.Notice.in_force, for one notice already read."""
    return notice.status in ("issued", "termination_recommended") or (
        notice.status == "escalated" and notice.closed_at is None
    )


def stop_state(notice: Notice, today: date | None = None) -> str:
    """none, planned, in_force or lifted (domain.notices.placement_stop_state)."""
    return placement_stop_state(
        notice.placement_stop_start,
        notice.placement_stop_lifted_at is not None,
        today or london_today(),
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
    notice = _decider(viewer, notice_id)
    now = now or utcnow()
    today = london_today(now)

    def problems_now() -> dict[str, str]:
        if refused := stop_change_refusal(notice.kind, in_force(notice)):
            raise Conflict(refused)
        _check_version(notice, expected_version)
        problems = stop_start_problems(
            notice.placement_stop_start, notice.placement_stop_lifted_at is not None, start, today
        )
        moving = stop_state(notice, today) == "planned"
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
        _lock(notice)
        if problems := problems_now():  # as it is now, under the lock
            raise ValidationFailed(problems)
        moving = stop_state(notice, today) == "planned"
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
    notice = _decider(viewer, notice_id)
    note = _clean(note, "note", "Say why the placement stop is being lifted")
    if (
        notice.status in ("draft", "withdrawn")
        or not notice.placement_stop_start
        or notice.placement_stop_lifted_at
    ):
        raise Conflict("This notice has no placement stop in force")
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
    _commit(notice)
    sync_placement_stop(notice.service)
    db.session.flush()
    service_changed(actor, notice.service)
    audit.record(actor, "notice", notice.id, action, changes, notice.service_id)


# ---------------------------------------------------------------- requirements


def _requirement(viewer: User, notice_id: int, requirement_id: int):
    notice = get_notice(viewer, notice_id)
    requirement = next((r for r in notice.requirements if r.id == requirement_id), None)
    if requirement is None:
        raise NotFound("Requirement not found")
    return notice, requirement


def respond_to_requirement(
    actor: Actor,
    viewer: User,
    notice_id: int,
    requirement_id: int,
    response: str,
    now: datetime | None = None,
    files: Sequence[tuple[str, bytes]] = (),
) -> NoticeRequirement:
    """The provider says what it has done about a requirement (it may update this later), and
    may attach evidence files: (file name, bytes) each, checked as plan evidence is, all saved
    with the response or none of them."""
    notice, requirement = _requirement(viewer, notice_id, requirement_id)
    if viewer.role in STAFF_ROLES:
        raise Forbidden("Only the provider responds to a requirement")
    refusal = None
    if notice.status != "issued":
        refusal = "Responses can only be given while the notice is issued"
    elif requirement.status == "met":
        refusal = "This requirement has already been marked as met"
    if refusal:
        if files:  # never a file dropped without a word
            refusal = f"{safe_name(files[0][0])} was not attached and nothing was saved. {refusal}"
        raise Conflict(refusal)
    problems: dict[str, str] = {}
    try:
        response = _clean(
            response, "response", "Say what you have done to meet this requirement", RESPONSE
        )
    except ValidationFailed as failed:
        problems.update(failed.errors)
    checked = []
    for filename, data in files:
        try:
            checked.append(evidence_store.check(filename, data))
        except ValidationFailed as failed:
            problems.update(failed.errors)
            break
    if problems:
        if checked and "file" not in problems:  # a good file the browser will have forgotten
            problems["file"] = (
                f"{checked[0].filename} has not been attached yet: choose it again when you "
                "send your response"
            )
        raise ValidationFailed(problems)
    now = now or utcnow()
    with ExitStack() as kept:
        stored = [kept.enter_context(evidence_store.store(c, actor.label)) for c in checked]
        with unit_of_work():
            before = requirement.provider_response
            if response != before or not stored:
                requirement.provider_response = response
                requirement.responded_at, requirement.responded_by_label = now, actor.label
                audit.record(
                    actor,
                    "notice",
                    notice.id,
                    "provider responded",
                    {
                        f"requirement {requirement.position}": [
                            before and before[:200],
                            response[:200],
                        ]
                    },
                    notice.service_id,
                )
            for columns in stored:
                db.session.add(
                    NoticeResponseFile(requirement_id=requirement.id, uploaded_at=now, **columns)
                )
                audit.record(
                    actor,
                    "notice",
                    notice.id,
                    "provider attached evidence",
                    {f"requirement {requirement.position}": [None, columns["filename"]]},
                    notice.service_id,
                )
            _commit(notice)
    return requirement


def response_files(notice: Notice) -> dict[int, list[NoticeResponseFile]]:
    """The evidence attached to each requirement's response, oldest first (one query)."""
    files: dict[int, list[NoticeResponseFile]] = {}
    ids = [r.id for r in notice.requirements]
    if not ids:
        return files
    for record in db.session.scalars(
        select(NoticeResponseFile)
        .where(NoticeResponseFile.requirement_id.in_(ids))
        .order_by(NoticeResponseFile.id)
    ).unique():
        files.setdefault(record.requirement_id, []).append(record)
    return files


def response_file(viewer: User, file_id: int) -> tuple[NoticeResponseFile, Path]:
    """An attached file, for the council's staff and the notice's own provider: anyone else
    gets the same 404 as for a file that does not exist."""
    record = db.session.get(NoticeResponseFile, file_id) if 1 <= file_id <= MAX_ID else None
    if record is None:
        raise NotFound("File not found")
    try:
        get_notice(viewer, record.requirement.notice_id)
    except NotFound:
        raise NotFound("File not found") from None
    return record, evidence_store.path_of(record)


def assess_requirement(
    actor: Actor,
    viewer: User,
    notice_id: int,
    requirement_id: int,
    status: str,
    note: str,
    now: datetime | None = None,
) -> NoticeRequirement:
    """An officer records whether a requirement is met."""
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Notice not found")
    notice, requirement = _requirement(viewer, notice_id, requirement_id)
    problems = assessment_problems(status, note)
    if problems:
        raise ValidationFailed(problems)
    if notice.status not in ("issued", "escalated"):
        raise Conflict("Requirements are assessed while the notice is issued")
    note = (note or "").strip()
    with unit_of_work():
        _lock(notice)  # the sweep decides on a breach under the same lock
        before = requirement.status
        requirement.status = status
        requirement.assessment_note = note or None
        requirement.assessed_at, requirement.assessed_by_label = now or utcnow(), actor.label
        _commit(notice)
        audit.record(
            actor,
            "notice",
            notice.id,
            "requirement assessed",
            {f"requirement {requirement.position}": [before, status]},
            notice.service_id,
        )
    return requirement


# ---------------------------------------------------------------- the sweep's part


Breach = aliased(Notice)


def breach_candidates(today: date, limit: int) -> list[int]:
    """Issued notices of concern with a requirement past its due date and not met, and no
    breach notice yet. Not locked here: escalating takes the service's lock, then the notice's
    (the order every step uses), and checks the status again under them."""
    overdue = (
        select(NoticeRequirement.notice_id)
        .where(NoticeRequirement.due_date < today, NoticeRequirement.status != "met")
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Notice.id)
            .where(
                Notice.kind == "notice_of_concern",
                Notice.status == "issued",
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
