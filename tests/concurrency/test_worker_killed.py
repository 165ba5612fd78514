"""A worker killed (SIGKILL) while reading an uploaded CQC file loses nothing: its job keeps its
claim until the lease lapses, then the next worker claims it, reads the file again and stores
the preview once. A real `flask qa worker` process, killed for real, on a database of its own
(SQLite or PostgreSQL); the next worker's clock is moved past the lease rather than waited."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
from sqlalchemy import select

from qa_app import create_app
from qa_app.domain.cqc_import import ImportStatus
from qa_app.domain.jobs import LEASE, JobStatus
from qa_app.extensions import db
from qa_app.models import BackgroundJob, CqcImport
from qa_app.models.types import utcnow
from qa_app.services import cqc_import, queue
from qa_app.services.actors import Actor
from tests.support.databases import fresh_database_url
from tests.support.spreadsheets import location_rows, write_csv

LOCATIONS = 60_000  # about two seconds of reading: long enough to be killed part-way


@pytest.fixture
def app(tmp_path):
    from flask_migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": fresh_database_url("killed"),
            "QA_CQC_UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _big_file(path):
    rows = []
    for n in range(LOCATIONS):
        rows += location_rows(
            f"1-{300000000 + n}",
            f"Elsewhere Home {n}",
            "Elsewhere",
            f"1-{400000000 + n}",
            f"Elsewhere Care {n}",
            {"Overall": "Good"},
            date(2026, 10, 1),
        )
    return write_csv(path, rows)


def _state(app, import_id):
    with app.app_context():
        record = db.session.get(CqcImport, import_id)
        job = db.session.scalar(
            select(BackgroundJob).where(BackgroundJob.key == f"cqc_import:{import_id}")
        )
        return (
            record.status,
            record.percent_read,
            record.version,
            job.status,
            job.attempts,
            job.lease_until,
            job.claimed_by,
        )


def test_a_killed_workers_reading_is_claimed_again_after_its_lease_and_stored_once(app, tmp_path):
    upload = _big_file(tmp_path / "national.csv")
    with app.app_context(), open(upload, "rb") as stream:
        import_id = cqc_import.start_upload(Actor.system("cli"), stream, "national.csv", None).id

    env = {
        **os.environ,
        "QA_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "QA_CQC_UPLOAD_DIR": app.config["QA_CQC_UPLOAD_DIR"],
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "qa_app", "qa", "worker", "--poll", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while _state(app, import_id)[1] == 0:  # until it has read part of the file
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the worker never started reading"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        worker.stderr.close()

    status, percent, _, job_status, attempts, lease_until, claimed_by = _state(app, import_id)
    assert (status, job_status, attempts) == (ImportStatus.READING, JobStatus.WAITING, 1)
    assert 0 < percent < 100, "killed part-way through the file"
    assert f":{worker.pid}:" in claimed_by and lease_until > utcnow()
    assert (tmp_path / "uploads").exists() and any((tmp_path / "uploads").iterdir())

    with app.app_context():
        assert queue.claim_next("next worker") is None  # the dead worker's lease still holds
        claimed = queue.claim_next("next worker", now=utcnow() + LEASE)
        assert claimed is not None and claimed.attempts == 2
        assert queue.run_claimed(claimed) == "done"
        record = db.session.get(CqcImport, import_id)
        assert record.status == ImportStatus.PREVIEWED
        assert record.counts["locations"] == LOCATIONS
        assert record.counts["other_authorities"] == LOCATIONS
        version = record.version
        assert queue.claim_next("next worker", now=utcnow() + LEASE * 3) is None  # done once
    assert _state(app, import_id)[2:5] == (version, JobStatus.DONE, 2)
