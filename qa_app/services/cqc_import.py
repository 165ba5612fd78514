"""Importing CQC's monthly ratings file (SPEC section 9): read, preview, then commit or discard.

A page upload is kept in the upload folder (outside the web root) and read by the worker (a job
queued with the upload, services/queue.py); its progress, its preview and its outcome are
stored on the `CqcImport` row, so any app process can show them and confirm it. Committing applies the stored preview in one
transaction, checked again against the services as they are at that moment; each rating
change goes through `registry.apply_service_changes`, the same step as a hand edit (risk RAG,
follow-on consequences, one audit event per service).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from qa_app.domain import cqc_import as rules
from qa_app.domain.changes import jsonable
from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.cqc_import import ImportStatus
from qa_app.domain.jobs import JobStatus
from qa_app.domain.pagination import Page
from qa_app.domain.wording import count
from qa_app.extensions import db
from qa_app.models import CqcImport, Provider, Service, ServiceCqcRating
from qa_app.services import queue
from qa_app.services.actors import Actor
from qa_app.services.cqc_apply import (  # noqa: F401 (callers use cqc_import.<name>)
    AUDIT_ACTION,
    CLUSTER_FOR_NEW,
    apply_preview,
    domain_field,
)
from qa_app.services.cqc_decisions import (
    choose_closings,
    choose_types,
    decide_successors,
    refused_by,
    waiting,
)
from qa_app.services.cqc_ratings import (  # noqa: F401 (callers use cqc_import.<name>)
    service_domain_ratings,
    service_group_ratings,
)
from qa_app.services.cqc_uploads import (  # noqa: F401 (callers use cqc_import.<name>)
    MAX_UPLOAD_BYTES,
    read_job_key,
    remove_file,
    start_upload,
    upload_folder,
)
from qa_app.services.errors import Conflict, ValidationFailed, found  # noqa: F401
from qa_app.services.listing import page_of
from qa_app.services.table_files import UnreadableFile, read_rows
from qa_app.services.transaction import DATABASE_FAILURES, unit_of_work

log = logging.getLogger(__name__)

SHEET = "Locations"
#: Bad rows kept for the preview page (the count is always exact).
BAD_ROWS_SHOWN = 1000
#: notes (warnings) printed by the command line's preview; the page lists up to BAD_ROWS_SHOWN
NOTES_PRINTED = 20
#: A file read by a thread (before the worker read them) and without progress this long was
#: abandoned (its process ended): uploads from before the queue have no job to try again.
STALLED_AFTER_SECONDS = 300


class ImportRefused(Exception):
    """The file cannot be read at all (not a table, wrong columns, no Locations sheet)."""


# ---------------------------------------------------------------- reading and planning


@dataclass
class Preview:
    filename: str
    local_authority: str | None
    rows: int
    locations: int
    plan: rules.Plan

    @property
    def bad_rows(self) -> list[rules.BadRow]:
        return self.plan.bad_rows


def read_file(path: Path, filename: str, today: date, progress=None) -> rules.Parsed:
    try:
        rows = read_rows(path, filename, SHEET, progress)
        collector = None
        finder = rules.HeaderFinder()
        for number, cells in rows:
            if collector is None:
                columns = finder.offer(number, cells)
                if columns is not None:
                    collector = rules.Collector(columns, today)
                    collector.parsed.header_row = number
                    collector.parsed.skipped_rows = finder.skipped
                continue
            collector.add(number, cells)
        if collector is None and finder.seen:
            finder.give_up()
    except (UnreadableFile, rules.HeaderProblem) as problem:
        raise ImportRefused(str(problem)) from None
    if collector is None:
        raise ImportRefused(f"{filename} is empty: it has no header row")
    return collector.finish()


def known_services() -> dict[str, rules.KnownService]:
    """Every service with a CQC location ID, with its key-question ratings (two statements)."""
    domains: dict[int, dict] = {}
    for service_id, domain, rating, published in db.session.execute(
        select(
            ServiceCqcRating.service_id,
            ServiceCqcRating.domain,
            ServiceCqcRating.rating,
            ServiceCqcRating.publication_date,
        )
    ):
        domains.setdefault(service_id, {})[domain] = (rating, published)
    rows = db.session.execute(
        select(
            Service.id,
            Service.name,
            Service.cqc_location_id,
            Service.cqc_rating,
            Service.cqc_rating_date,
            Service.service_type,
            Service.cqc_service_groups,
            Service.postcode,
            Service.closed_on,
        ).where(Service.cqc_location_id.is_not(None))
    )
    return {
        location_id: rules.KnownService(
            id=service_id,
            name=name,
            location_id=location_id,
            cqc_rating=rating,
            cqc_rating_date=rating_date,
            domains=domains.get(service_id, {}),
            service_type=service_type,
            groups=groups or {},
            postcode=postcode,
            closed=closed_on is not None,
        )
        for service_id, name, location_id, rating, rating_date, service_type, groups, postcode, (
            closed_on
        ) in rows
        if location_id is not None  # as the query asks
    }


def known_provider_ids() -> set[str]:
    return set(
        db.session.scalars(
            select(Provider.cqc_provider_id).where(Provider.cqc_provider_id.is_not(None))
        )
    )


def preview_file(
    path: Path, filename: str, local_authority: str | None, progress=None, today: date | None = None
) -> Preview:
    """Read the file and work out what importing it would change. Writes nothing."""
    parsed = read_file(path, filename, today or date.today(), progress)
    plan = rules.plan_changes(parsed, known_services(), known_provider_ids(), local_authority)
    return Preview(filename, local_authority or None, parsed.rows, len(parsed.locations), plan)


def counts_of(preview: Preview) -> dict:
    plan = preview.plan
    return {
        "rows": preview.rows,
        "locations": preview.locations,
        "bad_rows": len(plan.bad_rows),
        "changed_services": len(plan.changes),
        "overall_changes": sum(
            1 for c in plan.changes if c.overall and c.overall[0] != c.overall[1]
        ),
        "domain_changes": sum(1 for c in plan.changes for d in c.domains if d[1] != d[2]),
        "new_services": len(plan.new_services),
        "new_providers": len(plan.new_providers),
        "unchanged": plan.unchanged,
        "kept_newer": plan.kept_newer,
        "other_authorities": plan.other_authorities,
        "not_social_care": plan.not_social_care,
        "not_rated": plan.not_rated,
        "warnings": len(plan.warnings),
        "header_row": plan.header_row,
        "types_to_choose": sum(1 for s in plan.new_services if not s.service_type),
        "successors_to_decide": len(plan.successors),
        "missing": len(plan.missing),
    }


def preview_json(preview: Preview) -> dict:
    """The preview as stored on the import (and what commit applies)."""
    plan = preview.plan
    return {
        "changes": [jsonable_tree(asdict(c)) for c in plan.changes],
        "new_services": [jsonable_tree(asdict(s)) for s in plan.new_services],
        "new_providers": [list(p) for p in plan.new_providers],
        "bad_rows": [[b.row, b.reason] for b in plan.bad_rows[:BAD_ROWS_SHOWN]],
        "warnings": [[w.row, w.reason] for w in plan.warnings[:BAD_ROWS_SHOWN]],
        "skipped_rows": [list(r) for r in plan.skipped_rows],
        "successors": [{**asdict(p), "decision": ""} for p in plan.successors],
        "missing": [asdict(m) for m in plan.missing[:BAD_ROWS_SHOWN]],
    }


def jsonable_tree(value):
    if isinstance(value, dict):
        return {k: jsonable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable_tree(v) for v in value]
    return jsonable(value)


# ---------------------------------------------------------------- uploads (the page)


def run_preview(import_id: int) -> None:
    """Read an uploaded file and store its preview (the worker's job; inline in tests). Run
    again after a worker died mid-way, it reads the file again and stores the preview once: the
    preview is written only while the import is still being read."""
    record = db.session.get(CqcImport, import_id)
    if record is None or record.status != ImportStatus.READING:
        return
    assert record.stored_name is not None  # a file being read is stored first
    path = upload_folder() / record.stored_name
    filename, local_authority = record.filename, record.local_authority
    db.session.rollback()  # hold no transaction open while reading
    last = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] < 1:
            return
        last[0] = now
        try:
            db.session.execute(
                update(CqcImport)
                .where(CqcImport.id == import_id, CqcImport.status == ImportStatus.READING)
                .values(percent_read=int(fraction * 100), progress_at=datetime.now(UTC))
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
        except OperationalError:  # busy database: progress is shown again in a second
            db.session.rollback()

    try:
        preview = preview_file(path, filename, local_authority, progress)
    except ImportRefused as refused:
        _finish_reading(import_id, ImportStatus.REFUSED, problem=str(refused))
        remove_file(path)
        return
    except DATABASE_FAILURES:  # not the file's fault: the job is tried again later
        raise
    except Exception:
        log.exception("Reading CQC file %s (import %s) failed", filename, import_id)
        db.session.rollback()
        _finish_reading(
            import_id,
            ImportStatus.REFUSED,
            problem=f"{filename} could not be read. Check it is CQC's file.",
        )
        remove_file(path)
        return
    _finish_reading(
        import_id, ImportStatus.PREVIEWED, counts=counts_of(preview), preview=preview_json(preview)
    )


def _finish_reading(import_id: int, status: str, **values) -> None:
    db.session.rollback()
    # It reads the import, then writes it, while requests write beside it: on SQLite the
    # transaction takes the write lock first, so another commit in between cannot fail it.
    with unit_of_work(writes_after_reading=True):
        record = db.session.get(CqcImport, import_id)
        if record is None or record.status != ImportStatus.READING:
            return
        record.status = status
        record.percent_read = 100
        record.progress_at = datetime.now(UTC)
        if values.get("counts"):
            record.rows_read = values["counts"]["rows"]
        for name, value in values.items():
            setattr(record, name, value)


def read_upload_job(payload: dict) -> None:
    """The worker's job (services/queue.py KINDS["cqc_import.read"])."""
    run_preview(int(payload["import_id"]))


def read_now(import_id: int, worker: str) -> None:
    """Read an upload in this process, through its job (pages in the test tier)."""
    queue.run_now(read_job_key(import_id), worker)


def get_import(import_id: int) -> CqcImport:
    return found(db.session.get(CqcImport, import_id), "Import not found")


def is_stalled(record: CqcImport, now: datetime | None = None) -> bool:
    """Reading stopped for good: its job was given up (an administrator may try it again),
    or it was being read by a thread, before the queue, that stopped."""
    if record.status != ImportStatus.READING:
        return False
    job = queue.status_of(read_job_key(record.id))
    if job is not None:
        return job == JobStatus.FAILED
    now = now or datetime.now(UTC)
    return (now - record.progress_at).total_seconds() > STALLED_AFTER_SECONDS


#: an upload no worker has picked up after this long says so (the worker may not be running)
NO_WORKER_AFTER_SECONDS = 60


def no_worker_yet(record: CqcImport, now: datetime | None = None) -> bool:
    """Still waiting for any worker to start reading it, a minute after the upload."""
    if record.status != ImportStatus.READING:
        return False
    queued = queue.unclaimed_since(read_job_key(record.id))
    now = now or datetime.now(UTC)
    return queued is not None and (now - queued).total_seconds() > NO_WORKER_AFTER_SECONDS


def list_imports(page_number: int = 1, page_size: int = 25) -> tuple[list[CqcImport], Page]:
    page = page_of(select(CqcImport), page_number, page_size)
    items = db.session.scalars(
        select(CqcImport)
        .order_by(CqcImport.uploaded_at.desc(), CqcImport.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).unique()
    return list(items), page


def discard(actor: Actor, import_id: int) -> CqcImport:
    record = get_import(import_id)
    if refusal := rules.discard_refusal(record.status):
        raise Conflict(refusal)
    with unit_of_work():
        record.status = ImportStatus.DISCARDED
        record.decided_by_label = actor.label
        record.decided_at = datetime.now(UTC)
    if record.stored_name:
        remove_file(upload_folder() / record.stored_name)
    return record


def commit_import(actor: Actor, import_id: int) -> CqcImport:
    """Apply a previewed upload, all or nothing."""
    record = get_import(import_id)
    if refusal := refused_by(record.status, record.counts or {}):
        raise Conflict(refusal)
    try:
        with unit_of_work():
            result = apply_preview(actor, record.preview, f"{record.filename} (import {record.id})")
            record.status = ImportStatus.COMMITTED
            record.decided_by_label = actor.label
            record.decided_at = datetime.now(UTC)
            record.counts = {**record.counts, "applied": result}
            db.session.flush()
    except StaleDataError:
        raise Conflict(
            "Someone else confirmed or discarded this import at the same moment"
        ) from None
    if record.stored_name:
        remove_file(upload_folder() / record.stored_name)
    return record


def commit_preview(
    actor: Actor,
    preview: Preview,
    types: dict[str, str] | None = None,
    successors: dict[str, str] | None = None,
    closings: list[int] | None = None,
) -> CqcImport:
    """The command line's commit: apply a preview just read, with the types chosen for new
    services (`types`: {location ID: service type}; a location that is not new in this file is
    passed over), the known services to mark closed (`closings`: service ids), and record it in
    the history."""
    if preview.bad_rows:
        raise Conflict("A file with bad rows cannot be imported")
    stored = preview_json(preview)
    new = {s["location_id"] for s in stored["new_services"]}
    stored["new_services"] = choose_types(
        stored["new_services"], {k: v for k, v in (types or {}).items() if k in new}
    )
    stored = choose_closings(decide_successors(stored, successors or {}), closings or [])
    counts = {**counts_of(preview), **waiting(stored), "to_close": len(stored["closings"])}
    if refusal := refused_by(ImportStatus.PREVIEWED, counts):
        raise Conflict(refusal)
    with unit_of_work():
        record = CqcImport(
            status=ImportStatus.COMMITTED,
            filename=preview.filename[:200],
            size_bytes=0,
            local_authority=preview.local_authority,
            uploaded_by_id=actor.user.id if actor.user else None,
            uploaded_by_label=actor.label if actor.user else f"Command line ({actor.channel})",
            rows_read=preview.rows,
            percent_read=100,
            preview=stored,
            decided_by_label=actor.label,
            decided_at=datetime.now(UTC),
            counts={},
        )
        db.session.add(record)
        db.session.flush()
        result = apply_preview(actor, stored, f"{preview.filename} (import {record.id})")
        record.counts = {**counts, "applied": result}
    return record


def preview_lines(preview: Preview) -> list[str]:
    """The preview as plain text (the command line)."""
    plan, counts = preview.plan, counts_of(preview)
    lines = [
        f"{preview.filename}: {counts['rows']:,} rows, {counts['locations']:,} locations",
    ]
    if plan.header_row != 1:
        lines.append(
            f"  the column names are on row {plan.header_row}; rows above it were skipped: "
            + "; ".join(f"row {row}: {text!r}" for row, text in plan.skipped_rows)
        )
    for warning in plan.warnings[:NOTES_PRINTED]:
        lines.append(f"  note (row {warning.row}): {warning.reason}")
    if len(plan.warnings) > NOTES_PRINTED:
        lines.append(f"  … and {len(plan.warnings) - NOTES_PRINTED:,} more notes like these")
    for change in plan.changes:
        parts = []
        if change.overall and change.overall_date:
            parts.append(
                f"overall {change.overall[0]} -> {change.overall[1]} "
                f"(published {change.overall_date[1]:%d/%m/%Y})"
            )
        parts += [f"{d} {old or 'none'} -> {new}" for d, old, new, _ in change.domains]
        lines.append(f"  changes: {change.name} ({change.location_id}): " + "; ".join(parts))
    for pair in plan.successors:
        lines.append(
            f"  same service? {pair.name} ({pair.location_id}) is not in the file; new location "
            f"{pair.new_name} ({pair.new_location_id}), {pair.new_provider_name}, looks like it"
        )
    for missing in plan.missing[:NOTES_PRINTED]:
        lines.append(f"  not in the file: {missing.name} ({missing.location_id})")
    if len(plan.missing) > NOTES_PRINTED:
        lines.append(f"  … and {len(plan.missing) - NOTES_PRINTED:,} more known services not in it")
    for provider_id, name in plan.new_providers:
        lines.append(f"  new provider: {name} ({provider_id})")
    for new in plan.new_services:
        kind = (
            SERVICE_TYPES[new.service_type]
            if new.service_type
            else "type to choose: " + " or ".join(new.type_choices)
        )
        lines.append(
            f"  new service: {new.name} ({new.location_id}), {new.provider_name}, {kind}, "
            f"CQC {new.overall or 'Not rated'}"
        )
    lines.append(
        f"{count(counts['changed_services'], 'service')} to change "
        f"({count(counts['overall_changes'], 'overall rating')}, "
        f"{count(counts['domain_changes'], 'key question rating')}); "
        f"{count(counts['new_services'], 'new service')}, "
        f"{count(counts['new_providers'], 'new provider')}; "
        f"{count(counts['unchanged'], 'known location')} unchanged"
        + (
            f", {counts['kept_newer']:,} with a newer rating already recorded"
            if counts["kept_newer"]
            else ""
        )
        + f"; {count(counts['other_authorities'], 'location')} in other local authorities"
        + (
            f"; {counts['not_social_care']:,} not adult social care"
            if counts["not_social_care"]
            else ""
        )
        + (
            f"; {count(counts['not_rated'], 'row')} with no rating (such as 'Not rated'), "
            "which change nothing"
            if counts.get("not_rated")
            else ""
        )
    )
    if not plan.bad_rows and not plan.changes and not plan.new_services:
        lines.append(
            "Nothing to change: every rating in this file is already recorded."
            if plan.unchanged or plan.kept_newer
            else "Nothing to change: none of the council's services is in this file, and it "
            "adds none."
        )
    return lines
