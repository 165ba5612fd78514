"""Evidence files on improvement plan actions: which files are accepted, checked by content.

Office documents are zips: they are opened with `safe_zip` limits, so a small file whose
parts expand to gigabytes is refused before anything is inflated, and only the first bytes
of an OpenDocument `mimetype` are ever read.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

from qa_app.domain import safe_zip

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: extension → (kind, content type)
EVIDENCE_TYPES = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "gif": ("gif", "image/gif"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "doc": ("ole", "application/msword"),
    "xls": ("ole", "application/vnd.ms-excel"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
}
ALLOWED_WORDS = "PDF, PNG, JPEG, GIF, Word, Excel, PowerPoint or OpenDocument text"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
#: An Office document of at most 10 MB: a Word file with a few hundred images has some
#: hundreds of parts; its text and images expand to tens of megabytes, not hundreds.
EVIDENCE_ZIP_LIMITS = safe_zip.ZipLimits(
    members=2_000, directory_bytes=1 << 20, total_bytes=256 * 1024 * 1024
)


class EvidenceRefused(ValueError):
    """The file is not accepted as evidence; the message names the file and says why."""


def sniff(data: bytes) -> str | None:
    """What the file is, by its content (not its name). A zip beyond `EVIDENCE_ZIP_LIMITS`
    raises `safe_zip.ZipRefused`."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> str | None:
    with safe_zip.open_archive(io.BytesIO(data), EVIDENCE_ZIP_LIMITS) as archive:
        names = set(archive.namelist())
        if "mimetype" in names and safe_zip.read_start(
            archive, "mimetype", len(ODT_MIMETYPE)
        ).startswith(ODT_MIMETYPE):
            return "odt"
        if "[Content_Types].xml" in names:
            for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                if any(n.startswith(prefix) for n in names):
                    return kind
    return None


def safe_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = re.sub(r"[^\w .()-]+", "_", name)[:200]
    return name or "evidence"


def check_evidence(filename: str, data: bytes) -> tuple[str, tuple[str, str]]:
    """The safe file name and (kind, content type), or EvidenceRefused naming the file."""
    name = safe_name(filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        raise EvidenceRefused(f"{name} is empty: choose the file again")
    if len(data) > MAX_EVIDENCE_BYTES:
        # only the limit and a byte more are read, so the file's own size is not known here
        raise EvidenceRefused(f"{name} is larger than 10 MB: a file must be 10 MB or smaller")
    expected = EVIDENCE_TYPES.get(extension)
    try:
        kind = sniff(data)
    except safe_zip.ZipRefused as refused:
        raise EvidenceRefused(f"{name} cannot be accepted: {refused}") from None
    except zipfile.BadZipFile:
        kind = None
    if expected is None or kind != expected[0]:
        raise EvidenceRefused(f"{name} is not a file we accept: upload a {ALLOWED_WORDS} file")
    return name, expected
