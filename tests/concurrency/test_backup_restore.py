"""`qa backup` while another thread writes, then changes, then `qa restore FILE --yes`: the
database is back exactly as the backup found it (every table's rows, in order) and the
evidence folder holds exactly its files, byte for byte. A restore refused (no --yes, a schema
newer than the code's, a file whose hash does not match) changes nothing. Real commits on
separate connections, so this test has a database of its own (SQLite or PostgreSQL)."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_app import create_app
from qa_app.extensions import db
from qa_app.services import demo, registry
from qa_app.services.actors import Actor
from tests.support.databases import fresh_database_url

EVIDENCE = {
    "5f0c2d9e8a7b4c3d.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "a1b2c3d4e5f60718.jpg": b"\xff\xd8\xff\xe0 a photo " * 500,
    "a1b2c3d4e5f60718_thumb.jpg": b"\xff\xd8\xff\xe0 its thumbnail",
}


@pytest.fixture
def app(tmp_path):
    from flask_migrate import upgrade

    evidence = tmp_path / "evidence"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": fresh_database_url("backup"),
            "QA_EVIDENCE_DIR": str(evidence),
        }
    )
    with app.app_context():
        upgrade()
        demo.seed()
    evidence.mkdir(exist_ok=True)
    for name, data in EVIDENCE.items():
        (evidence / name).write_bytes(data)
    yield app
    with app.app_context():
        db.engine.dispose()


def _state(app) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by primary key (and the schema revision)."""
    with app.app_context(), db.engine.connect() as connection:
        state = {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }
        state["alembic_version"] = [
            tuple(row) for row in connection.exec_driver_sql("SELECT * FROM alembic_version")
        ]
        db.session.remove()
    return state


def _counts(app) -> dict:
    """Rows in a few tables, and the revision, read without the models (an older schema)."""
    with app.app_context(), db.engine.connect() as connection:
        counts: dict = {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            for table in ("providers", "services", "users", "audit_events")
        }
        counts["alembic_version"] = [
            tuple(row) for row in connection.exec_driver_sql("SELECT * FROM alembic_version")
        ]
    return counts


def _files(app) -> dict[str, bytes]:
    folder = Path(app.config["QA_EVIDENCE_DIR"])
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["qa", *args])


def _manifest(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        stream = tar.extractfile("manifest.json")
        assert stream is not None
        return json.loads(stream.read())


def _change_everything(app) -> None:
    with app.app_context():
        actor = Actor.system("cli")
        registry.create_provider(actor, {"name": "Added after the backup"})
        db.session.remove()
    folder = Path(app.config["QA_EVIDENCE_DIR"])
    (folder / "5f0c2d9e8a7b4c3d.pdf").unlink()
    (folder / "ffffeeee00001111.pdf").write_bytes(b"%PDF-1.7 added after the backup")


def test_a_backup_taken_during_writes_is_restored_exactly(app, tmp_path):
    stop, wrote, failures = threading.Event(), threading.Event(), []

    def write():
        with app.app_context():
            try:
                n = 0
                while not stop.is_set():
                    registry.create_provider(Actor.system("cli"), {"name": f"Writer {n}"})
                    n += 1
                    wrote.set()
            except Exception as error:
                failures.append(repr(error))
                wrote.set()
            finally:
                db.session.remove()

    seeded_providers = len(_state(app)["providers"])
    files = _files(app)
    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert wrote.wait(timeout=120)
        out = tmp_path / "backup.tar.gz"
        result = _run(app, "backup", "--out", str(out))
    finally:
        stop.set()
        writer.join(timeout=120)
    assert failures == []
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)  # prints the file written
    at_end = _state(app)
    manifest = _manifest(out)
    counts = manifest["counts"]
    assert counts["providers"] > seeded_providers  # the writer's first row came before it
    assert {f["name"] for f in manifest["files"]} == set(EVIDENCE)

    _change_everything(app)
    assert _state(app) != at_end and _files(app) != files

    restored_run = _run(app, "restore", str(out), "--yes")
    assert restored_run.exit_code == 0, restored_run.output
    restored = _state(app)
    for table, rows in restored.items():
        if table != "alembic_version":
            assert len(rows) == counts[table], table
        # the backup's moment: every row then, in order, and none of those written after
        assert rows == at_end[table][: len(rows)], table
    assert restored["alembic_version"] == [(manifest["schema_revision"],)]
    assert _files(app) == files
    aside = [p for p in Path(app.config["QA_EVIDENCE_DIR"]).iterdir() if p.is_dir()]
    assert [sorted(p.name for p in folder.iterdir()) for folder in aside] == [
        ["ffffeeee00001111.pdf"]
    ]
    assert "Restored" in restored_run.output and "remove that folder" in restored_run.output


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the archive with `change(name, data)` applied to each member."""
    with tarfile.open(source, "r:gz") as tar_in, tarfile.open(target, "w:gz") as tar_out:
        for member in tar_in.getmembers():
            stream = tar_in.extractfile(member)
            assert stream is not None
            data = change(member.name, stream.read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            tar_out.addfile(info, io.BytesIO(data))
    return target


def _newer(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["schema_revision"] = "9999_from_the_future"
    return json.dumps(manifest).encode()


def _tampered(name: str, data: bytes) -> bytes:
    return data[:-1] + b"?" if name == "files/a1b2c3d4e5f60718.jpg" else data


REFUSALS = {
    "without --yes": "Stop the app, then run this again with --yes. Nothing was changed.",
    "newer schema": "its database schema (9999_from_the_future) is newer than",
    "tampered file": "its a1b2c3d4e5f60718.jpg does not match its manifest",
    "no such file": "there is no file at",
}


def test_a_refused_restore_changes_nothing_and_a_backup_overwrites_nothing(app, tmp_path):
    out = tmp_path / "backup.tar.gz"
    assert _run(app, "backup", "--out", str(out)).exit_code == 0
    _change_everything(app)
    before, files = _state(app), _files(app)
    archives = {
        "without --yes": out,
        "newer schema": _rewrite(out, tmp_path / "newer.tar.gz", _newer),
        "tampered file": _rewrite(out, tmp_path / "tampered.tar.gz", _tampered),
        "no such file": tmp_path / "missing.tar.gz",
    }
    for case, message in REFUSALS.items():
        args = ["restore", str(archives[case])] + ([] if case == "without --yes" else ["--yes"])
        result = _run(app, *args)
        assert result.exit_code == 1, case
        assert message in result.output, case
        assert _state(app) == before, case
        assert _files(app) == files, case
        folder = Path(app.config["QA_EVIDENCE_DIR"])
        assert [p for p in folder.iterdir() if p.is_dir()] == [], case  # no staging left

    # a backup is never written over another file, and has a default place
    again = _run(app, "backup", "--out", str(out))
    assert again.exit_code == 1 and "already exists" in again.output
    assert _manifest(out)["counts"]["providers"] == len(before["providers"]) - 1
    default = _run(app, "backup")
    assert default.exit_code == 0, default.output
    written = Path(default.stdout.strip())
    assert written.parent == Path(app.instance_path) / "backups"
    assert written.name.startswith("qa-backup-") and written.name.endswith(".tar.gz")
    assert _manifest(written)["counts"]["users"] == len(_state(app)["users"])
    written.unlink()


def test_a_backup_of_an_older_schema_is_restored_then_upgraded(app, tmp_path):
    from flask_migrate import downgrade, upgrade

    head = _state(app)["alembic_version"]
    with app.app_context():
        downgrade(revision="-1")
        db.engine.dispose()
    older = _counts(app)
    assert older["alembic_version"] != head
    out = tmp_path / "older.tar.gz"
    assert _run(app, "backup", "--out", str(out)).exit_code == 0
    with app.app_context():
        upgrade()
        db.engine.dispose()
    _change_everything(app)

    result = _run(app, "restore", str(out), "--yes")
    assert result.exit_code == 0, result.output
    assert f"upgraded to {head[0][0]}" in result.output
    restored = _state(app)
    assert restored["alembic_version"] == head
    for table in ("providers", "services", "users", "audit_events"):
        assert len(restored[table]) == older[table], table
