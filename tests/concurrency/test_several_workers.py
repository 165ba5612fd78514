"""Several workers at once, each on its own connection, share the queue: every job is run by
exactly one of them, once (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from qa_app import create_app
from qa_app.domain.jobs import JobStatus
from qa_app.extensions import db
from qa_app.models import BackgroundJob
from qa_app.services import queue
from qa_app.services.worker import Worker
from tests.support.concurrent import at_once
from tests.support.databases import fresh_database_url

JOBS, WORKERS = 40, 4


@pytest.fixture
def app():
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url("workers")})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_four_workers_run_forty_jobs_each_exactly_once(app):
    runs: list[tuple[int, str]] = []
    lock = threading.Lock()

    def handler(payload):
        time.sleep(0.01)  # long enough for the others to be claiming meanwhile
        with lock:
            runs.append((payload["n"], threading.current_thread().name))

    queue.register_test_kind("test.count", handler)
    try:
        with app.app_context():
            for n in range(JOBS):
                queue.enqueue("test.count", {"n": n})
            db.session.commit()
        _, errors = at_once(app, WORKERS, lambda: Worker(app, periodic=()).run_due_jobs())
    finally:
        queue.forget_test_kind("test.count")

    assert errors == []
    assert sorted(n for n, _ in runs) == list(range(JOBS))  # each once
    assert len(Counter(name for _, name in runs)) > 1  # shared out, not one worker alone
    with app.app_context():
        done = db.session.scalar(select(func.count()).where(BackgroundJob.status == JobStatus.DONE))
        attempts = set(db.session.scalars(select(BackgroundJob.attempts)))
    assert (done, attempts) == (JOBS, {1})
