"""Evidence files, whatever they are attached to (a plan action's progress, a provider's
response to a notice requirement): one check, one limit, one store, one way back out.

- Checked by content before anything is saved (`check`, on the rules of
  `domain/evidence_files.py`): the 10 MB limit, the accepted types, archives read within
  bounds, with a message naming the file.
- Kept outside the web root, in `QA_EVIDENCE_DIR` (default `instance/evidence`), under a
  random name (`store`); the file is removed again if the record's transaction fails.
- Served only after the owner's own permission check (the caller's), then `path_of` finds it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from qa_app.domain import evidence_files
from qa_app.domain.evidence_files import ALLOWED_WORDS, MAX_EVIDENCE_BYTES
from qa_app.services.errors import NotFound, ValidationFailed

__all__ = ["ALLOWED_WORDS", "MAX_EVIDENCE_BYTES", "CheckedFile", "check", "path_of", "store"]


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the check: what its record keeps, and its bytes."""

    filename: str
    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1].lower()


def evidence_dir() -> Path:
    folder = (
        current_app.config.get("QA_EVIDENCE_DIR")
        or os.environ.get("QA_EVIDENCE_DIR")
        or os.path.join(current_app.instance_path, "evidence")
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_evidence(filename: str, data: bytes) -> tuple[str, tuple[str, str]]:
    """The safe file name and (kind, content type), or ValidationFailed naming the file (the
    rules, bomb-safe zip reading included: `domain/evidence_files.py`)."""
    try:
        return evidence_files.check_evidence(filename, data)
    except evidence_files.EvidenceRefused as refused:
        raise ValidationFailed({"file": str(refused)}) from None


def check(filename: str, data: bytes) -> CheckedFile:
    """The upload, made safe to keep, or ValidationFailed({"file": why, naming the file})."""
    name, (_kind, content_type) = check_evidence(filename, data)
    return CheckedFile(name, content_type, data)


@contextmanager
def store(checked: CheckedFile, uploaded_by_label: str) -> Iterator[dict]:
    """Write the file, then yield the columns its record keeps (`StoredFileColumns`). If the
    block raises (the record's transaction failed), the file is removed again."""
    stored_name = f"{uuid.uuid4().hex}.{checked.extension}"
    target = evidence_dir() / stored_name
    target.write_bytes(checked.data)
    try:
        yield {
            "filename": checked.filename,
            "content_type": checked.content_type,
            "size": len(checked.data),
            "stored_name": stored_name,
            "uploaded_by_label": uploaded_by_label,
        }
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def path_of(record) -> Path:
    """Where a stored file is, once the caller has checked the viewer may have it. A file gone
    from the folder is "File not found", like one that never was."""
    path = evidence_dir() / record.stored_name
    if not path.is_file():
        raise NotFound("File not found")
    return path
