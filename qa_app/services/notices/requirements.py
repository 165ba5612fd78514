"""Requirements after issue: the provider's responses (with evidence files) and the officer's
record of whether each is met."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from qa_app.domain.codes import MAX_ID
from qa_app.domain.evidence_files import safe_name
from qa_app.domain.notices import assess_refusal, assessment_problems, respond_refusal
from qa_app.domain.roles import STAFF_ROLES
from qa_app.extensions import db
from qa_app.models import Notice, NoticeRequirement, NoticeResponseFile, User
from qa_app.models.types import utcnow
from qa_app.services import audit, evidence_store
from qa_app.services.actors import Actor
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from qa_app.services.notices.reading import get_notice
from qa_app.services.notices.saving import flush_notice, lock_notice, required_text
from qa_app.services.transaction import unit_of_work


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
    if refusal := respond_refusal(notice.status, requirement.status):
        if files:  # never a file dropped without a word
            refusal = f"{safe_name(files[0][0])} was not attached and nothing was saved. {refusal}"
        raise Conflict(refusal)
    problems: dict[str, str] = {}
    try:
        response = required_text(
            response, "response", "Say what you have done to meet this requirement"
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
            flush_notice(notice)
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
    if refusal := assess_refusal(notice.status):
        raise Conflict(refusal)
    note = (note or "").strip()
    with unit_of_work():
        lock_notice(notice)  # the sweep decides on a breach under the same lock
        before = requirement.status
        requirement.status = status
        requirement.assessment_note = note or None
        requirement.assessed_at, requirement.assessed_by_label = now or utcnow(), actor.label
        flush_notice(notice)
        audit.record(
            actor,
            "notice",
            notice.id,
            "requirement assessed",
            {f"requirement {requirement.position}": [before, status]},
            notice.service_id,
        )
    return requirement
