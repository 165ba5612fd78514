"""Writing a backup archive, and reading one back with bounded memory and disk.

The archive is a gzipped tar in the plain ustar format: the manifest first, then the database,
then the evidence files (`domain/backup_manifest.py` says what each member is). Reading is one
pass, front to back, a chunk at a time: each member is checked against the manifest before its
bytes are read, written to the staging folder under a name the manifest allows, and hashed as
it is written. Members of any kind other than a plain file (links, devices, folders, and the
pax and GNU extension headers that a writer of plain short names never needs) are refused
before their contents are read, so no header is larger than one 512-byte block.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO

from qa_app.domain import backup_manifest as rules
from qa_app.domain.backup_manifest import BackupFailed, BackupRefused, Entry, Manifest

CHUNK = 1 << 20


class _PlainMember(tarfile.TarInfo):
    """A member header, refused unless it is a plain file (checked before anything else about
    the member is read)."""

    @classmethod
    def fromtarfile(cls, tarfile_):
        buf = tarfile_.fileobj.read(tarfile.BLOCKSIZE)
        member = cls.frombuf(buf, tarfile_.encoding, tarfile_.errors)
        member.offset = tarfile_.fileobj.tell() - tarfile.BLOCKSIZE
        if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise BackupRefused(f"it holds {member.name!r}, which is not a plain file")
        return member._proc_member(tarfile_)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def entry_for(name: str, path: Path) -> Entry:
    return Entry(name, path.stat().st_size, sha256_of(path))


class _Hashing(io.RawIOBase):
    """A file read through, hashed as tarfile reads it."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.mode = 0o600
    info.mtime = int(time.time())
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path, entry: Entry) -> None:
    """Add the file, exactly the bytes the manifest describes, or BackupFailed-worthy
    BackupFailed if it changed since it was hashed (files are never changed in place)."""
    info = tarfile.TarInfo(name)
    info.mode = 0o600
    info.mtime = int(time.time())
    info.size = entry.size
    with path.open("rb") as stream:
        hashing = _Hashing(stream)
        tar.addfile(info, hashing)
    if hashing.digest.hexdigest() != entry.sha256:
        raise BackupFailed(f"{path.name} changed while it was being backed up: run it again")


def write(out: Path, manifest: Manifest, database: Path, files: Path) -> None:
    """Write the archive to `out` (through a temporary name, then renamed, so a backup that
    fails part way never leaves a file that looks whole); readable by its owner only."""
    partial = out.with_name(out.name + ".partial")
    partial.touch(mode=0o600)
    try:
        with tarfile.open(partial, "w:gz", format=tarfile.USTAR_FORMAT, compresslevel=6) as tar:
            _add(tar, rules.MANIFEST, manifest.to_json())
            entry = manifest.database_entry
            _add_file(tar, entry.name, database, entry)
            for entry in manifest.files:
                _add_file(tar, rules.FILES_PREFIX + entry.name, files / entry.name, entry)
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _copy_checked(stream: IO[bytes], entry: Entry, target: Path) -> None:
    digest = hashlib.sha256()
    written = 0
    with target.open("xb") as out:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > entry.size:
                break
            digest.update(chunk)
            out.write(chunk)
    if written != entry.size or digest.hexdigest() != entry.sha256:
        raise BackupRefused(
            f"its {entry.name} does not match its manifest (size or SHA-256): the archive is "
            "damaged or was changed"
        )


def read(path: Path, staging: Path, check: Callable[[Manifest], None]) -> Manifest:
    """Unpack `path` into `staging` (the database as its member name, the evidence files under
    `staging/files/`), checked against the manifest; BackupRefused if anything is wrong.
    `check` is called with the manifest before any other member is read."""
    archive_bytes = path.stat().st_size
    files = staging / "files"
    files.mkdir()
    try:
        with tarfile.open(path, "r|gz", tarinfo=_PlainMember) as tar:
            first = tar.next()
            if first is None or first.name != rules.MANIFEST:
                raise BackupRefused("it does not start with manifest.json")
            if first.size > rules.MAX_MANIFEST_BYTES:
                raise BackupRefused("its manifest.json is larger than any this app writes")
            stream = tar.extractfile(first)
            assert stream is not None
            manifest = rules.parse_manifest(stream.read(rules.MAX_MANIFEST_BYTES + 1))
            check(manifest)
            rules.check_sizes(manifest, archive_bytes, shutil.disk_usage(staging).free)
            listed = manifest.members()
            seen: set[str] = set()
            while (member := tar.next()) is not None:
                entry = rules.check_member(listed, member.name, seen)
                if member.size != entry.size:
                    raise BackupRefused(
                        f"its {member.name} is {member.size:,} bytes, but its manifest says "
                        f"{entry.size:,}"
                    )
                stream = tar.extractfile(member)
                assert stream is not None
                if member.name.startswith(rules.FILES_PREFIX):
                    target = files / entry.name
                else:
                    target = staging / entry.name
                _copy_checked(stream, entry, target)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupRefused(
            f"it could not be unpacked: it is damaged, cut short or too big for the disk ({error})"
        ) from None
    missing = rules.missing_members(listed, seen)
    if missing:
        shown = ", ".join(missing[:5]) + (" and more" if len(missing) > 5 else "")
        raise BackupRefused(f"it lacks members its manifest lists: {shown}")
    return manifest
