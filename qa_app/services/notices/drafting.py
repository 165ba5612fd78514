"""Drafting: the service's draft notice of concern that escalated concerns gather on, and what
is typed on a draft (grounds, placement stop, requirements) saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.orm.attributes import flag_modified

from qa_app.domain.notices import (
    REQUIREMENT_NOUN,
    NoticeStatus,
    RequirementStatus,
    draft_problems,
    is_draft,
    requirement_problems,
)
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Concern, Notice, NoticeRequirement, Service, User
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, NotFound, ValidationFailed
from qa_app.services.notices.reading import staff_notice
from qa_app.services.notices.saving import check_version, flush_notice, lock_notice
from qa_app.services.transaction import unit_of_work


def draft_of(
    service_id: int | list[int] | QueryableAttribute[int],
) -> tuple[ColumnElement[bool], ...]:
    """The service's draft notice of concern (one per service: a partial unique index), asked
    of the rows; of each service of a list, or of each row's service (a correlated column)."""
    return (
        Notice.service_id.in_(service_id)
        if isinstance(service_id, list)
        else Notice.service_id == service_id,
        Notice.kind == "notice_of_concern",
        Notice.status == NoticeStatus.DRAFT,
    )


def draft_for(actor: Actor, service_id: int) -> tuple[Notice, bool]:
    """The service's draft notice of concern, created if there is none; (notice, created).

    Callers hold the service's row lock (or SQLite's single writer), and the partial unique
    index on drafts is the backstop: two drafts for one service cannot both be written.
    """
    notice = db.session.scalar(select(Notice).where(*draft_of(service_id)))
    if notice is not None:
        return notice, False
    notice = Notice(
        kind="notice_of_concern",
        service_id=service_id,
        status=NoticeStatus.DRAFT,
        created_by_label=actor.label,
        grounds="",
    )
    audit.record_new(
        actor, "notice", notice, "drafted", {"status": [None, NoticeStatus.DRAFT]}, service_id
    )
    return notice, True


def attach_concern(actor: Actor, concern: Concern) -> Notice:
    """Put a just-escalated concern on its service's draft notice (inside the caller's unit)."""
    db.session.scalar(select(Service.id).where(Service.id == concern.service_id).with_for_update())
    notice, _created = draft_for(actor, concern.service_id)
    concern.notice_id = notice.id
    return notice


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


def edit_problems(
    notice: Notice, edit: DraftEdit, today: date, requirement_needed: bool = False
) -> dict[str, str]:
    problems = draft_problems(notice.kind, edit.grounds, edit.placement_stop_start, today)
    if requirement_needed or edit.writes_requirement:
        problems.update(
            requirement_problems(notice.kind, edit.requirement_text, edit.requirement_due, today)
        )
    return problems


def apply_edit(actor: Actor, notice: Notice, edit: DraftEdit) -> NoticeRequirement | None:
    """Save what was typed (inside the caller's unit, once its problems have been checked)."""
    grounds = (edit.grounds or "").strip()
    before = {"grounds": notice.grounds, "placement_stop_start": notice.placement_stop_start}
    after = {"grounds": grounds, "placement_stop_start": edit.placement_stop_start}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        notice.grounds, notice.placement_stop_start = grounds, edit.placement_stop_start
        flush_notice(notice)
        audit.record(actor, "notice", notice.id, "updated", changes, notice.service_id)
    if not edit.writes_requirement:
        return None
    text, due_date = edit.requirement_text.strip(), edit.requirement_due
    assert due_date is not None  # edit_problems asks for the due date of a requirement
    position = 1 + max((r.position for r in notice.requirements), default=0)
    requirement = NoticeRequirement(
        notice_id=notice.id,
        position=position,
        text=text,
        due_date=due_date,
        status=RequirementStatus.OPEN,
    )
    db.session.add(requirement)
    flag_modified(notice, "grounds")  # the notice's version moves: a manager issuing what
    flush_notice(notice)  # they saw before this was added is told it changed
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
    notice = staff_notice(viewer, notice_id)
    if not is_draft(notice.status):
        raise Conflict(f"Only a draft notice {what}")
    if edit is not None:
        check_version(notice, edit.version)
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
    problems = edit_problems(notice, edit, london_today(), requirement_needed)
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        lock_notice(notice)
        check_version(notice, edit.version)
        apply_edit(actor, notice, edit)
    db.session.refresh(notice)
    return notice


def update_draft(
    actor: Actor,
    viewer: User,
    notice_id: int,
    grounds: str | None,
    placement_stop_start: date | None,
    expected_version: int | None = None,
) -> Notice:
    return save_draft(
        actor, viewer, notice_id, DraftEdit(grounds, placement_stop_start, version=expected_version)
    )


def add_requirement(
    actor: Actor, viewer: User, notice_id: int, text: str, due_date: date | None
) -> NoticeRequirement:
    notice = staff_notice(viewer, notice_id)
    if not is_draft(notice.status):
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
    notice = staff_notice(viewer, notice_id)
    if not is_draft(notice.status):
        raise Conflict("Requirements can only be removed from a draft notice")
    requirement = next((r for r in notice.requirements if r.id == requirement_id), None)
    if requirement is None:
        raise NotFound("Requirement not found")
    if edit is not None:
        check_version(notice, edit.version)
        if problems := edit_problems(notice, edit, london_today()):
            raise ValidationFailed(problems)
    with unit_of_work():
        if edit is not None:
            lock_notice(notice)
            check_version(notice, edit.version)
            apply_edit(actor, notice, edit)
        db.session.delete(requirement)
        flag_modified(notice, "grounds")  # the notice's version moves (see apply_edit)
        audit.record(
            actor,
            "notice",
            notice.id,
            "requirement removed",
            {"requirement": [requirement.text[:200], None]},
            notice.service_id,
        )
    db.session.refresh(notice)
