"""What a backup archive holds, and the rules a restore checks before it changes anything.

A backup (`flask --app qa_app qa backup`) is one gzipped tar archive:

- `manifest.json` first: the format, when it was made, the app's version, the database's
  schema revision (Alembic), the rows in each table, and the size and SHA-256 of every other
  member;
- `database.sqlite3` (a SQLite database) or `database.pgdump` (`pg_dump`'s custom format);
- `files/NAME` for each evidence file (plan evidence, notice files, photos and thumbnails),
  under the random name it is stored by.

A restore reads the archive once, front to back, a chunk at a time, and refuses it (naming
why) before anything is changed when: the manifest is missing, too large or malformed; a
member is not one the manifest lists, is listed twice, is not a plain file, has a name that
could reach outside the folder it is written to, or differs in size or SHA-256 from the
manifest; a listed member is missing; there are more members or more bytes than the limits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

FORMAT = "qa-backup/1"
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
FILES_PREFIX = "files/"

#: The manifest is read whole: about 150 bytes per file, so this allows for 400,000 files.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_FILES = 400_000
#: All members together may not expand to more than this many times the archive's size (plus
#: a floor): a database and evidence files (PDFs, photos, documents) deflate far less than
#: that, and an archive that claims more is not one this app wrote.
MAX_RATIO = 1_000
RATIO_FLOOR = 256 * 1024 * 1024

#: An evidence file's stored name: random hex and an extension (services/evidence_store.py).
#: No separators, no leading dot: a name can never reach outside the folder.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}(\.[A-Za-z0-9]{1,10})?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_REVISION = re.compile(r"[A-Za-z0-9_]{1,64}")


class BackupRefused(ValueError):
    """The archive is not restored; the message says why and nothing has been changed."""


class BackupFailed(RuntimeError):
    """A backup or restore could not be done (a missing tool, a database error); the message
    says why."""


def safe_file_name(name: str) -> bool:
    """Whether `name` may be an evidence file's name in a backup (and so on disk)."""
    return _SAFE_NAME.fullmatch(name) is not None


@dataclass(frozen=True)
class Entry:
    """One member of the archive other than the manifest."""

    name: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class Manifest:
    created_at: str
    app_version: str
    schema_revision: str
    database: str  # "sqlite" or "postgresql"
    database_entry: Entry
    files: tuple[Entry, ...]
    counts: dict[str, int] = field(default_factory=dict)
    format: str = FORMAT

    def members(self) -> dict[str, Entry]:
        """Every member after the manifest, by its name in the archive."""
        listed = {self.database_entry.name: self.database_entry}
        for entry in self.files:
            listed[FILES_PREFIX + entry.name] = entry
        return listed

    @property
    def total_bytes(self) -> int:
        return self.database_entry.size + sum(entry.size for entry in self.files)

    def to_json(self) -> bytes:
        return (
            json.dumps(
                {
                    "format": self.format,
                    "created_at": self.created_at,
                    "app_version": self.app_version,
                    "schema_revision": self.schema_revision,
                    "database": self.database,
                    "database_file": self.database_entry.as_dict(),
                    "counts": self.counts,
                    "files": [entry.as_dict() for entry in self.files],
                },
                indent=1,
            )
            + "\n"
        ).encode()


def _entry(value: object, where: str) -> Entry:
    if not isinstance(value, dict) or set(value) != {"name", "size", "sha256"}:
        raise BackupRefused(f"the manifest's {where} must have a name, a size and a sha256")
    name, size, digest = value["name"], value["size"], value["sha256"]
    if not isinstance(name, str) or not isinstance(size, int) or isinstance(size, bool):
        raise BackupRefused(f"the manifest's {where} has a name or size of the wrong kind")
    if size < 0:
        raise BackupRefused(f"the manifest's {where} has a negative size")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise BackupRefused(f"the manifest's {where} has no valid SHA-256")
    return Entry(name, size, digest)


def parse_manifest(data: bytes) -> Manifest:
    """The manifest, checked in full, or BackupRefused saying what is wrong with it."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupRefused("its manifest.json is not valid JSON") from None
    if not isinstance(raw, dict):
        raise BackupRefused("its manifest.json is not a JSON object")
    if raw.get("format") != FORMAT:
        raise BackupRefused(
            f"it is not a backup this app can read (format {raw.get('format')!r}, "
            f"expected {FORMAT!r})"
        )
    texts: dict[str, str] = {}
    for key in ("created_at", "app_version", "schema_revision", "database"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise BackupRefused(f"its manifest has no {key}")
        texts[key] = value
    if texts["database"] not in DATABASE_MEMBERS:
        raise BackupRefused(f"its manifest names an unknown database kind {texts['database']!r}")
    if not _REVISION.fullmatch(texts["schema_revision"]):
        raise BackupRefused("its manifest's schema revision is not a revision id")
    database_entry = _entry(raw.get("database_file"), "database file")
    if database_entry.name != DATABASE_MEMBERS[texts["database"]]:
        raise BackupRefused(
            f"its manifest names the database file {database_entry.name!r}, expected "
            f"{DATABASE_MEMBERS[texts['database']]!r}"
        )
    files = raw.get("files")
    if not isinstance(files, list):
        raise BackupRefused("its manifest has no list of files")
    if len(files) > MAX_FILES:
        raise BackupRefused(f"it lists {len(files):,} files, more than the {MAX_FILES:,} accepted")
    entries = tuple(_entry(value, f"file {n + 1}") for n, value in enumerate(files))
    seen: set[str] = set()
    for entry in entries:
        if not safe_file_name(entry.name):
            raise BackupRefused(f"its manifest lists a file with an unsafe name: {entry.name!r}")
        if entry.name in seen:
            raise BackupRefused(f"its manifest lists the file {entry.name} twice")
        seen.add(entry.name)
    counts = raw.get("counts", {})
    if not isinstance(counts, dict) or not all(
        isinstance(k, str) and isinstance(v, int) for k, v in counts.items()
    ):
        raise BackupRefused("its manifest's counts are not table names with whole numbers")
    return Manifest(
        created_at=texts["created_at"],
        app_version=texts["app_version"],
        schema_revision=texts["schema_revision"],
        database=texts["database"],
        database_entry=database_entry,
        files=entries,
        counts=counts,
    )


def check_sizes(manifest: Manifest, archive_bytes: int, free_bytes: int) -> None:
    """Refuse a manifest whose members would expand beyond the ratio to the archive's size, or
    would not fit in the free space where they are unpacked."""
    total = manifest.total_bytes
    if total > RATIO_FLOOR + MAX_RATIO * archive_bytes:
        raise BackupRefused(
            f"its members would expand to {total:,} bytes, more than {MAX_RATIO} times the "
            f"archive's {archive_bytes:,} bytes"
        )
    if total > free_bytes:
        raise BackupRefused(
            f"its members take {total:,} bytes, more than the {free_bytes:,} bytes free where "
            "they are unpacked"
        )


def check_member(manifest_members: dict[str, Entry], name: str, seen: set[str]) -> Entry:
    """The manifest's entry for an archive member about to be read, or BackupRefused."""
    if name in seen:
        raise BackupRefused(f"it holds {name} twice")
    entry = manifest_members.get(name)
    if entry is None:
        raise BackupRefused(f"it holds {name!r}, which its manifest does not list")
    seen.add(name)
    return entry


def missing_members(manifest_members: dict[str, Entry], seen: set[str]) -> list[str]:
    return sorted(set(manifest_members) - seen)
