"""Evidence files on a plan's actions (kept through `evidence_store`)."""

from __future__ import annotations

from pathlib import Path

from qa_app.domain import plans as rules
from qa_app.domain.changes import created
from qa_app.extensions import db
from qa_app.models import EvidenceFile, User
from qa_app.services import audit, evidence_store
from qa_app.services.actors import Actor
from qa_app.services.errors import Conflict, found
from qa_app.services.plans.reading import action_and_plan, plan_of, provider_only
from qa_app.services.transaction import unit_of_work


def upload_evidence(
    actor: Actor, viewer: User, action_id: int, filename: str, data: bytes
) -> EvidenceFile:
    """An evidence file on its own, for test and demo data only: the same checks and storage as
    the portal's, but a looser state check. The portal adds a file only with the progress it
    evidences, through `record_progress`, under `rules.progress_refusal`."""
    action, plan = action_and_plan(viewer, action_id)
    provider_only(viewer, "upload evidence")
    checked = evidence_store.check(filename, data)
    if action.status == rules.VERIFIED or plan.status not in rules.OPEN_STATUSES:
        raise Conflict("Evidence can no longer be added to this action")
    with evidence_store.store(checked, actor.label) as columns, unit_of_work():
        record = add_evidence_record(actor, action, plan, columns)
    return record


def add_evidence_record(actor, action, plan, columns: dict) -> EvidenceFile:
    """The record of a file `evidence_store.store` has kept, with its audit event."""
    record = EvidenceFile(action_id=action.id, **columns)
    audit.record_new(
        actor,
        "evidence_file",
        record,
        "uploaded",
        created({"filename": record.filename, "action": action.id}),
        plan.service_id,
    )
    return record


def evidence_file(viewer: User, file_id: int) -> tuple[EvidenceFile, Path]:
    record = found(db.session.get(EvidenceFile, file_id), "File not found")
    plan_of(viewer, record.action, "File not found")
    return record, evidence_store.path_of(record)
