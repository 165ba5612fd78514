"""Reading a backup archive: a chunk at a time, every member checked against the manifest
before its bytes are read, nothing written outside the staging folder, and a clear refusal for
anything this app did not write (qa_app/services/backup/archive.py,
qa_app/domain/backup_manifest.py)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from qa_app.domain import backup_manifest as rules
from qa_app.domain.backup_manifest import BackupRefused, Entry, Manifest
from qa_app.services.backup import archive

DATABASE = b"SQLite format 3\x00" + b"rows" * 100
FILES = {"0a1b2c.pdf": b"%PDF-1.7 evidence", "d4e5f6.jpg": b"\xff\xd8\xff photo"}


def _entry(name: str, data: bytes) -> Entry:
    return Entry(name, len(data), hashlib.sha256(data).hexdigest())


def _manifest(files: dict[str, bytes] = FILES, revision: str = "0017_x") -> Manifest:
    return Manifest(
        created_at="2026-11-24T09:00:00+00:00",
        app_version="0.1.0",
        schema_revision=revision,
        database="sqlite",
        database_entry=_entry("database.sqlite3", DATABASE),
        files=tuple(_entry(name, data) for name, data in sorted(files.items())),
        counts={"users": 3},
    )


def _tar(path: Path, members: list[tuple[str, bytes]], extra=None) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if extra:
            extra(tar)
    return path


def _members(manifest: Manifest, files: dict[str, bytes] = FILES) -> list[tuple[str, bytes]]:
    return [
        ("manifest.json", manifest.to_json()),
        ("database.sqlite3", DATABASE),
        *[(f"files/{name}", data) for name, data in sorted(files.items())],
    ]


def _read(path: Path, staging: Path, seen: list | None = None) -> Manifest:
    staging.mkdir(exist_ok=True)
    return archive.read(path, staging, (seen if seen is not None else []).append)


def test_an_archive_this_app_wrote_is_read_back_whole(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name, data in FILES.items():
        (source / name).write_bytes(data)
    (tmp_path / "db").write_bytes(DATABASE)
    manifest = _manifest()
    archive.write(tmp_path / "backup.tar.gz", manifest, tmp_path / "db", source)
    assert not (tmp_path / "backup.tar.gz.partial").exists()
    assert (tmp_path / "backup.tar.gz").stat().st_mode & 0o077 == 0  # its owner's only
    seen: list[Manifest] = []
    read = _read(tmp_path / "backup.tar.gz", tmp_path / "staging", seen)
    assert read == manifest and seen == [manifest]
    assert (tmp_path / "staging" / "database.sqlite3").read_bytes() == DATABASE
    for name, data in FILES.items():
        assert (tmp_path / "staging" / "files" / name).read_bytes() == data


def test_a_file_changed_while_it_is_written_fails_the_backup(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name, data in FILES.items():
        (source / name).write_bytes(data)
    (source / "0a1b2c.pdf").write_bytes(b"%PDF-1.7 EVIDENCE")  # same size, other bytes
    (tmp_path / "db").write_bytes(DATABASE)
    with pytest.raises(rules.BackupFailed, match=r"0a1b2c.pdf changed while"):
        archive.write(tmp_path / "out.tar.gz", _manifest(), tmp_path / "db", source)
    assert list(tmp_path.glob("out.tar.gz*")) == []


def test_the_check_refuses_before_any_other_member_is_read(tmp_path):
    path = _tar(tmp_path / "a.tar.gz", _members(_manifest()))

    def refuse(manifest):
        raise BackupRefused("its database schema is newer")

    (tmp_path / "staging").mkdir()
    with pytest.raises(BackupRefused, match="newer"):
        archive.read(path, tmp_path / "staging", refuse)
    assert list((tmp_path / "staging" / "files").iterdir()) == []
    assert not (tmp_path / "staging" / "database.sqlite3").exists()


def _hostile(tmp_path, case):
    manifest = _manifest()
    members = _members(manifest)
    if case == "changed byte":
        members[2] = ("files/0a1b2c.pdf", b"%PDF-1.7 EVIDENCX")
    elif case == "longer than listed":
        members[2] = ("files/0a1b2c.pdf", FILES["0a1b2c.pdf"] + b"!")
    elif case == "missing member":
        members.pop()
    elif case == "unlisted member":
        members.append(("files/ffff.pdf", b"x"))
    elif case == "twice":
        members.append(members[2])
    elif case == "traversal":
        members.append(("files/../../escaped.pdf", b"x"))
    elif case == "absolute":
        members.append((str(tmp_path / "escaped-absolute.pdf"), b"x"))
    elif case == "no manifest first":
        members = members[1:] + members[:1]
    elif case == "not json":
        members[0] = ("manifest.json", b"{not json")
    elif case == "unsafe name listed":
        raw = json.loads(manifest.to_json())
        raw["files"][0]["name"] = "../escaped.pdf"
        members[0] = ("manifest.json", json.dumps(raw).encode())
    elif case == "other format":
        raw = json.loads(manifest.to_json())
        raw["format"] = "tar-of-anything"
        members[0] = ("manifest.json", json.dumps(raw).encode())
    elif case == "expands beyond the ratio":
        raw = json.loads(manifest.to_json())
        raw["database_file"]["size"] = 10**15
        members[0] = ("manifest.json", json.dumps(raw).encode())

    def link(tar):
        info = tarfile.TarInfo("files/link.pdf")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)

    def long_name(tar):
        data = b"x"
        info = tarfile.TarInfo("files/" + "a" * 300 + ".pdf")  # a GNU long-name header first
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    extra = {"symlink": link, "long name header": long_name}.get(case)
    return _tar(tmp_path / "hostile.tar.gz", members, extra)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("changed byte", "does not match its manifest"),
        ("longer than listed", "but its manifest says"),
        ("missing member", "lacks members its manifest lists: files/d4e5f6.jpg"),
        ("unlisted member", "'files/ffff.pdf', which its manifest does not list"),
        ("twice", "twice"),
        ("traversal", "which its manifest does not list"),
        ("absolute", "which its manifest does not list"),
        ("symlink", "not a plain file"),
        ("long name header", "not a plain file"),
        ("no manifest first", "does not start with manifest.json"),
        ("not json", "not valid JSON"),
        ("unsafe name listed", "unsafe name"),
        ("other format", "not a backup this app can read"),
        ("expands beyond the ratio", "more than 1000 times"),
    ],
)
def test_a_hostile_or_damaged_archive_is_refused_and_nothing_escapes(tmp_path, case, message):
    path = _hostile(tmp_path, case)
    with pytest.raises(BackupRefused, match=message):
        _read(path, tmp_path / "staging")
    assert not (tmp_path / "escaped.pdf").exists()
    assert not (tmp_path / "escaped-absolute.pdf").exists()


def test_not_an_archive_at_all(tmp_path):
    (tmp_path / "plain.tar.gz").write_bytes(b"this is not gzip")
    with pytest.raises(BackupRefused, match="could not be unpacked"):
        _read(tmp_path / "plain.tar.gz", tmp_path / "staging")
    cut = _tar(tmp_path / "cut.tar.gz", _members(_manifest()))
    cut.write_bytes(cut.read_bytes()[:-40])
    with pytest.raises(BackupRefused):
        _read(cut, tmp_path / "staging2")


def test_safe_file_names():
    assert rules.safe_file_name("3f2a9c0d4e.pdf") and rules.safe_file_name("abc_thumb.jpg")
    for name in ("", ".hidden", "../x.pdf", "a/b.pdf", "a\\b.pdf", "x" * 120, "a.b.c.pdf"):
        assert not rules.safe_file_name(name), name


def test_a_missing_postgresql_client_is_named_with_how_to_install_it(monkeypatch):
    from qa_app.services.backup import databases

    monkeypatch.setattr(databases.shutil, "which", lambda name: None)
    monkeypatch.setattr(databases.glob, "glob", lambda pattern: [])
    with pytest.raises(
        rules.BackupFailed, match=r"pg_dump was not found on PATH .*postgresql-client"
    ):
        databases.find_tool("pg_dump")


def test_the_newest_postgresql_client_is_chosen_when_none_is_on_the_path(monkeypatch):
    from qa_app.services.backup import databases

    found = ["/usr/lib/postgresql/9.6/bin/pg_dump", "/usr/lib/postgresql/15/bin/pg_dump"]
    monkeypatch.setattr(databases.shutil, "which", lambda name: None)
    monkeypatch.setattr(databases.glob, "glob", lambda pattern: found)
    assert databases.find_tool("pg_dump") == "/usr/lib/postgresql/15/bin/pg_dump"
