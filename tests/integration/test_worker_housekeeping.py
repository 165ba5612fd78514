"""The worker's housekeeping an administrator can see: jobs done over 30 days ago are deleted in
batches (waiting and failed ones, and every email, are kept); each periodic task's last success
and last failure are noted, shown on Background jobs ("Reminders: failing since …") and named
by /healthz while it fails."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import OperationalError

from qa_app.domain.jobs import DONE_JOBS_KEPT, JobStatus
from qa_app.domain.wording import long_datetime
from qa_app.extensions import db
from qa_app.models import BackgroundJob, OutboxEmail, PeriodicTask
from qa_app.models.types import utcnow
from qa_app.services import housekeeping, outbox, periodic_runs, queue
from qa_app.services.transaction import unit_of_work
from qa_app.services.worker import PERIODIC, Periodic, Worker

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def kind():
    queue.register_test_kind("test.house", lambda payload: None)
    yield "test.house"
    queue.forget_test_kind("test.house")


def _job(kind, status, done_days_ago=None, n=0) -> int:
    job = queue.enqueue(kind, {"n": n})
    job.status = status
    if done_days_ago is not None:
        job.done_at = NOW - timedelta(days=done_days_ago)
    if status == JobStatus.FAILED:
        job.failed_at = NOW - timedelta(days=400)
    return job.id


def test_jobs_done_over_30_days_ago_go_in_batches_and_nothing_else(make, kind):
    old_done = [_job(kind, JobStatus.DONE, 31 + n, n) for n in range(5)]
    kept = {
        "done 29 days ago": _job(kind, JobStatus.DONE, 29),
        "done just inside 30 days": _job(kind, JobStatus.DONE, DONE_JOBS_KEPT.days - 0.01),
        "failed a year ago": _job(kind, JobStatus.FAILED),
        "waiting since long ago": _job(kind, JobStatus.WAITING),
    }
    db.session.execute(  # a waiting job queued long ago, never done: not "done", so kept
        update(BackgroundJob)
        .where(BackgroundJob.id == kept["waiting since long ago"])
        .values(created_at=NOW - timedelta(days=400), next_attempt_at=NOW - timedelta(days=400))
    )
    with unit_of_work():  # an email sent long ago is the council's record: never deleted
        outbox.enqueue(
            "assessment_submitted",
            "test:house:old-email",
            [make.user("officer")],
            {"service_name": "Hazel House", "link": "http://127.0.0.1:5000/assessments/1"},
        )
    db.session.execute(update(OutboxEmail).values(status="sent", sent_at=NOW - timedelta(days=900)))
    db.session.commit()

    deletes = []

    def counted(_conn, cursor, statement, *_args):
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(cursor.rowcount)

    event.listen(db.engine, "after_cursor_execute", counted)
    try:
        assert housekeeping.delete_old_done_jobs(now=NOW, batch=2, pause=0) == 5
    finally:
        event.remove(db.engine, "after_cursor_execute", counted)
    assert deletes == [2, 2, 1]  # never more than a batch in one statement

    left = set(db.session.scalars(select(BackgroundJob.id)))
    assert not left & set(old_done)
    assert set(kept.values()) <= left
    assert db.session.scalar(select(OutboxEmail.status)) == "sent"
    assert housekeeping.delete_old_done_jobs(now=NOW, batch=2, pause=0) == 0


def test_the_worker_cleans_once_a_day(app):
    [task] = [task for task in PERIODIC if task.name == "housekeeping"]
    assert (task.every, task.target) == (timedelta(days=1), "qa_app.services.housekeeping:run")
    assert Worker(app, periodic=(task,)).run_periodic(force=True) == {
        "housekeeping": {"done_jobs_deleted": 0}
    }


# ---------------------------------------------------------------- a failing periodic task

_BROKEN = {"fail": True}


def broken_reminders():
    """A stand-in for the reminders task, failing as a locked database makes it fail."""
    if _BROKEN["fail"]:
        raise OperationalError("SELECT reminders", {}, Exception("database is locked"))
    return {"sent": 0}


@pytest.fixture
def reminders(app):
    """A worker whose only periodic task is "reminders", failing until told otherwise."""
    _BROKEN["fail"] = True
    task = Periodic("reminders", timedelta(minutes=15), f"{__name__}:broken_reminders")
    yield Worker(app, periodic=(task,))
    _BROKEN["fail"] = True


def _row(name="reminders") -> PeriodicTask:
    db.session.expire_all()
    return db.session.get(PeriodicTask, name)


def _task_cells(page, name="reminders") -> str:
    return page.soup.select_one(f"#periodic-tasks tr[data-task='{name}']").get_text(" ", strip=True)


def test_a_failing_periodic_task_shows_on_the_jobs_page_until_it_works_again(
    client, make, reminders
):
    make.sign_in(client, make.user("admin"))
    page = client.get("/admin/jobs")
    assert "Not run yet" in _task_cells(page)
    assert not page.soup.select(".app-failing-task")

    ran = reminders.run_periodic(force=True)
    assert "OperationalError" in ran["reminders"]["error"]
    first = _row()
    since = first.failing_since
    assert (first.failures, first.last_success_at, first.last_failure_at) == (1, None, since)
    assert first.last_error == "OperationalError: (builtins.Exception) database is locked"
    reminders.run_periodic(force=True)  # fails again: still failing since the first failure
    assert (_row().failing_since, _row().failures) == (since, 2)

    page = client.get("/admin/jobs")
    [warning] = page.soup.select(".app-failing-task")
    assert (
        f"Reminders: failing since {long_datetime(since)}: "
        "OperationalError: (builtins.Exception) database is locked"
    ) in warning.get_text(" ", strip=True)
    cells = _task_cells(page)
    assert "Failing" in cells and "2 failures in a row" in cells and "Every 15 minutes" in cells

    _BROKEN["fail"] = False
    assert reminders.run_periodic(force=True) == {"reminders": {"sent": 0}}
    row = _row()
    assert (row.failing_since, row.failures) == (None, 0)
    assert row.last_success_at > row.last_failure_at  # the last failure is still kept
    page = client.get("/admin/jobs")
    assert not page.soup.select(".app-failing-task")
    cells = _task_cells(page)
    assert "Working" in cells and "database is locked" in cells  # under "Last failure"


def _worker_banner(page) -> str | None:
    banner = page.soup.select_one(".app-worker-banner")
    return banner.get_text(" ", strip=True) if banner else None


def test_the_administrators_home_names_a_failing_task_and_no_one_elses_does(
    client, make, reminders
):
    admin, officer = make.user("admin"), make.user("officer")
    make.sign_in(client, admin)
    assert _worker_banner(client.get("/home")) is None  # nothing has failed yet
    reminders.run_periodic(force=True)
    banner = _worker_banner(client.get("/home"))
    assert banner is not None
    assert f"Reminders: failing since {long_datetime(_row().failing_since)}" in banner
    assert "See Background jobs" in banner
    make.sign_in(client, officer)
    assert _worker_banner(client.get("/home")) is None  # an officer cannot act on it
    _BROKEN["fail"] = False
    reminders.run_periodic(force=True)
    make.sign_in(client, admin)
    assert _worker_banner(client.get("/home")) is None  # working again


def test_a_success_is_noted_at_most_once_a_minute_and_at_once_after_a_failure(ctx):
    assert periodic_runs.record_success("email", now=NOW)
    assert not periodic_runs.record_success("email", now=NOW + timedelta(seconds=30))
    assert periodic_runs.record_success("email", now=NOW + timedelta(seconds=61))
    periodic_runs.record_failure("email", RuntimeError("no"), now=NOW + timedelta(seconds=62))
    assert periodic_runs.record_success("email", now=NOW + timedelta(seconds=63))
    row = _row("email")
    assert (row.last_success_at, row.failing_since) == (NOW + timedelta(seconds=63), None)


def test_a_task_no_worker_has_run_lately_says_so(client, make):
    make.sign_in(client, make.user("admin"))
    periodic_runs.record_success("sweep", now=utcnow() - timedelta(hours=2))
    db.session.commit()
    cells = _task_cells(client.get("/admin/jobs"), "sweep")
    assert "Not run lately" in cells and "is the worker running?" in cells
    banner = _worker_banner(client.get("/home"))
    assert banner is not None and "Escalation sweep: not run lately" in banner


def test_healthz_names_a_failing_task_and_still_answers_200(app, client):
    """The probe reads through its own connection, so the failure is committed for it (and
    removed after), as a worker on another machine would have written it."""
    since = datetime(2026, 11, 27, 10, 15, tzinfo=UTC)
    with db.engine.begin() as connection:
        connection.execute(
            insert(PeriodicTask).values(
                name="reminders",
                last_failure_at=since,
                failing_since=since,
                failures=3,
                last_error="OperationalError: secret host name",
            )
        )
    try:
        response = client.get("/healthz")
    finally:
        with db.engine.begin() as connection:
            connection.execute(delete(PeriodicTask).where(PeriodicTask.name == "reminders"))
    assert response.status_code == 200  # the database answers: pages are served
    assert response.get_json() == {
        "status": "ok",
        "failing_tasks": [{"name": "reminders", "since": "2026-11-27T10:15:00+00:00"}],
    }
    assert "secret host name" not in response.get_data(as_text=True)  # no sign-in: no errors
    assert client.get("/healthz").get_json() == {"status": "ok"}  # working again
