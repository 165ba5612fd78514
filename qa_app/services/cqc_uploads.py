"""A CQC file uploaded on the page: kept in the upload folder (outside the web root) with its
import's record and the job that reads it, or not at all; removed once the import is confirmed
or discarded."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import current_app

from qa_app.domain import limits
from qa_app.domain.cqc_import import ImportStatus
from qa_app.extensions import db
from qa_app.models import CqcImport
from qa_app.services import queue
from qa_app.services.actors import Actor
from qa_app.services.errors import ValidationFailed
from qa_app.services.transaction import unit_of_work

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 400 * 1024 * 1024
#: the kind of background job that reads an upload (services/queue.py KINDS)
READ_JOB = "cqc_import.read"


def read_job_key(import_id: int) -> str:
    return f"cqc_import:{import_id}"


def upload_folder() -> Path:
    folder = Path(
        current_app.config.get("QA_CQC_UPLOAD_DIR")
        or os.environ.get("QA_CQC_UPLOAD_DIR")  # shared by the web app and the worker
        or Path(current_app.instance_path) / "cqc-uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_upload(actor: Actor, stream, filename: str, local_authority: str | None) -> CqcImport:
    """Keep the uploaded file, record the import and queue its reading (`READ_JOB`)."""
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not filename:
        raise ValidationFailed({"file": "Choose CQC's ratings file to upload"})
    if not filename.lower().endswith((".ods", ".xlsx", ".csv")):
        raise ValidationFailed({"file": "The file must be an ODS, XLSX or CSV spreadsheet"})
    local_authority = " ".join((local_authority or "").split()) or None
    if problem := limits.LOCAL_AUTHORITY.problem(local_authority):
        raise ValidationFailed({"local_authority": problem})
    stored_name = f"{secrets.token_hex(16)}{Path(filename).suffix.lower()}"
    path = upload_folder() / stored_name
    try:
        size = _keep_upload(stream, path, filename)
        with unit_of_work():
            record = CqcImport(
                status=ImportStatus.READING,
                filename=filename,
                stored_name=stored_name,
                size_bytes=size,
                local_authority=local_authority,
                uploaded_by_id=actor.user.id if actor.user else None,
                uploaded_by_label=actor.label,
                counts={},
                preview={},
            )
            db.session.add(record)
            db.session.flush()
            # read by the worker; committed with the upload, so it is read exactly when it is kept
            queue.enqueue(READ_JOB, {"import_id": record.id}, key=read_job_key(record.id))
    except BaseException:  # refused, cut off, or not recorded: no file that no import knows of
        path.unlink(missing_ok=True)
        raise
    return record


def _keep_upload(stream, path: Path, filename: str) -> int:
    size = 0
    with open(path, "wb") as out:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise ValidationFailed({"file": "The file must be smaller than 400 MB"})
            out.write(chunk)
    if size == 0:
        raise ValidationFailed({"file": f"{filename} is empty"})
    return size


def remove_file(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("Could not remove %s", path)
