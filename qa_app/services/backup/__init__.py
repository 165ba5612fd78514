"""Backups and restores: the database and the evidence files in one archive (SPEC section 10,
`backup` and `restore`; the archive's contents: `domain/backup_manifest.py`).

A backup is consistent while the app serves. The evidence files are hard-linked into a
folder of the backup's own before the database is copied and again just after (a link keeps a
file's contents even if the app removes the file meanwhile; files are never changed in place),
so every file the copied database refers to is in the archive; a file added after the copy is
in it too, unreferenced and harmless.

A restore unpacks and checks the whole archive before it changes anything; then it replaces
the database, then the evidence files (the files there before are moved aside, into a
`.before-restore-…` folder inside the evidence folder, not deleted), then upgrades the
database's schema if the backup's is older than the code's.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app

from qa_app.domain import backup_manifest as rules
from qa_app.domain.backup_manifest import BackupFailed, BackupRefused, Manifest
from qa_app.extensions import db
from qa_app.services import evidence_store
from qa_app.services.backup import archive, databases

__all__ = ["BackupFailed", "BackupRefused", "Restored", "Written", "create", "restore"]

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Written:
    path: Path
    manifest: Manifest
    skipped: list[str]  # names in the evidence folder that are not evidence files


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    set_aside: Path | None  # where the evidence files that were there before now are
    upgraded_to: str | None  # the schema revision the database was upgraded to, if it was


def app_version() -> str:
    try:
        with (ROOT / "pyproject.toml").open("rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def default_path(now: datetime) -> Path:
    return Path(current_app.instance_path) / "backups" / f"qa-backup-{_stamp(now)}.tar.gz"


def _link_files(evidence: Path, into: Path, skipped: list[str]) -> None:
    for item in os.scandir(evidence):
        if not item.is_file(follow_symlinks=False):
            continue  # the backup's and restore's own folders
        if not rules.safe_file_name(item.name):
            if item.name not in skipped:
                skipped.append(item.name)
            continue
        target = into / item.name
        if target.exists():
            continue
        try:
            os.link(item.path, target)
        except FileNotFoundError:
            continue  # removed since the folder was listed
        except OSError:  # a file system without hard links
            shutil.copy2(item.path, target)


def create(out: Path | None = None) -> Written:
    """Write a backup to `out` (default: `instance/backups/qa-backup-<UTC time>.tar.gz`)."""
    now = datetime.now(UTC)
    out = Path(out) if out else default_path(now)
    if out.exists():
        raise BackupFailed(f"{out} already exists: choose another file")
    if not out.parent.is_dir():
        if out.parent == default_path(now).parent:
            out.parent.mkdir(parents=True, exist_ok=True)
        else:
            raise BackupFailed(f"there is no folder {out.parent}")
    engine = db.engine
    kind = databases.kind(engine)
    member = rules.DATABASE_MEMBERS[kind]
    evidence = evidence_store.evidence_dir()
    links = evidence / f".backup-{secrets.token_hex(8)}"
    links.mkdir()
    work = Path(tempfile.mkdtemp(prefix=".qa-backup-", dir=out.parent))
    skipped: list[str] = []
    try:
        _link_files(evidence, links, skipped)
        snapshot = databases.snapshot(engine, work / member)
        _link_files(evidence, links, skipped)
        manifest = Manifest(
            created_at=now.isoformat(timespec="seconds"),
            app_version=app_version(),
            schema_revision=snapshot.revision,
            database=kind,
            database_entry=archive.entry_for(member, work / member),
            files=tuple(
                archive.entry_for(name, links / name) for name in sorted(os.listdir(links))
            ),
            counts=snapshot.counts,
        )
        if len(manifest.files) > rules.MAX_FILES:
            raise BackupFailed(
                f"the evidence folder holds {len(manifest.files):,} files, more than the "
                f"{rules.MAX_FILES:,} one backup may hold"
            )
        archive.write(out, manifest, work / member, links)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(links, ignore_errors=True)
    return Written(out, manifest, skipped)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def check_revision(manifest: Manifest) -> None:
    """Refuse a backup made by a newer version of the app (a schema this code does not know)."""
    scripts = _scripts()
    known = {script.revision for script in scripts.walk_revisions()}
    if manifest.schema_revision not in known:
        raise BackupRefused(
            f"its database schema ({manifest.schema_revision}) is newer than this version of "
            f"the app knows (its newest is {', '.join(scripts.get_heads())}): restore it with "
            f"the version that made it (app version {manifest.app_version}) or a later one"
        )


def _swap_files(evidence: Path, staged: Path, manifest: Manifest, now: datetime) -> Path | None:
    """Make the evidence folder hold exactly the backup's files. A file already there with the
    same name and contents stays; every other file there is moved aside."""
    wanted = {entry.name: entry for entry in manifest.files}
    aside = evidence / f".before-restore-{_stamp(now)}-{secrets.token_hex(3)}"
    aside.mkdir()
    for item in os.scandir(evidence):
        if not item.is_file(follow_symlinks=False):
            continue
        entry = wanted.get(item.name)
        if (
            entry is not None
            and item.stat().st_size == entry.size
            and archive.sha256_of(Path(item.path)) == entry.sha256
        ):
            (staged / item.name).unlink()
            continue
        os.replace(item.path, aside / item.name)
    for item in os.scandir(staged):
        os.replace(item.path, evidence / item.name)
    if not any(aside.iterdir()):
        aside.rmdir()
        return None
    return aside


def restore(path: Path) -> Restored:
    """Bring back the database and evidence files of the backup at `path`, all checked first."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused(f"there is no file at {path}")
    engine = db.engine
    kind = databases.kind(engine)
    evidence = evidence_store.evidence_dir()
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=evidence))
    try:

        def check(manifest: Manifest) -> None:
            if manifest.database != kind:
                raise BackupRefused(
                    f"it holds a {manifest.database} database, but the app is configured "
                    f"with {kind} (QA_DATABASE_URL)"
                )
            check_revision(manifest)

        manifest = archive.read(path, staging, check)
        databases.restore(engine, staging / manifest.database_entry.name)
        db.session.remove()
        engine.dispose()
        set_aside = _swap_files(evidence, staging / "files", manifest, datetime.now(UTC))
        upgraded_to = None
        heads = _scripts().get_heads()
        if manifest.schema_revision not in heads:
            from flask_migrate import upgrade

            upgrade()
            upgraded_to = ", ".join(heads)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Restored(manifest, set_aside, upgraded_to)
