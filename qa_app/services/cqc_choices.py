"""What the officer decides on a CQC file's preview, saved on the import: the types of new
services the file cannot tell, whether a new location is a known service registered again,
and which known services the file no longer holds to mark closed when it is imported."""

from __future__ import annotations

from qa_app.domain import cqc_import as rules
from qa_app.domain import service_closing as closing_rules
from qa_app.domain.cqc_import import ImportStatus
from qa_app.extensions import db
from qa_app.models import CqcImport, Service
from qa_app.services import audit, service_closing
from qa_app.services.actors import Actor
from qa_app.services.cqc_decisions import (
    choose_closings,
    choose_types,
    decide_successors,
    waiting,
)
from qa_app.services.cqc_import import get_import
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.transaction import unit_of_work


def set_service_types(actor: Actor, import_id: int, chosen: dict[str, str]) -> CqcImport:
    """The officer chooses the types of new services the file cannot tell (a care home with or
    without nursing; home support, supported living or extra care)."""
    record = get_import(import_id)
    if record.status != ImportStatus.PREVIEWED:
        raise Conflict(rules.commit_refusal(record.status, 0) or "This import cannot change")
    new_services = choose_types(record.preview.get("new_services", []), chosen)
    with unit_of_work():
        record.preview = {**record.preview, "new_services": new_services}
        record.counts = {**record.counts, **waiting(record.preview)}
        audit.record(
            actor,
            "cqc_import",
            record.id,
            "service_types_chosen",
            {location_id: [None, value] for location_id, value in chosen.items() if value},
        )
    return record


def set_successors(actor: Actor, import_id: int, decided: dict[str, str]) -> CqcImport:
    """The officer says whether each new location that looks like a known service is that
    service registered again (its record moves there) or a different one (added as new)."""
    record = get_import(import_id)
    if record.status != ImportStatus.PREVIEWED:
        raise Conflict(rules.commit_refusal(record.status, 0) or "This import cannot change")
    stored = decide_successors(record.preview, decided)
    with unit_of_work():
        record.preview = stored
        record.counts = {**record.counts, **waiting(stored)}
        audit.record(
            actor,
            "cqc_import",
            record.id,
            "successors_decided",
            {location_id: [None, value] for location_id, value in decided.items() if value},
        )
    return record


def set_closings(actor: Actor, import_id: int, service_ids: list[int]) -> CqcImport:
    """The officer chooses the known services, not in the file, to mark closed on import."""
    record = get_import(import_id)
    if record.status != ImportStatus.PREVIEWED:
        raise Conflict(rules.commit_refusal(record.status, 0) or "This import cannot change")
    stored = choose_closings(record.preview, service_ids)
    blocked = {}
    for sid in stored["closings"]:
        service = db.session.get(Service, sid)
        if service is not None and (check := service_closing.check_of(service)).blockers:
            blocked[str(sid)] = closing_rules.blocked_message(service.name, check.blockers)
    if blocked:
        raise ValidationFailed(blocked)
    with unit_of_work():
        record.preview = stored
        record.counts = {**record.counts, "to_close": len(stored["closings"])}
        audit.record(
            actor,
            "cqc_import",
            record.id,
            "closings_chosen",
            {"closings": [None, ", ".join(str(i) for i in stored["closings"]) or None]},
        )
    return record
