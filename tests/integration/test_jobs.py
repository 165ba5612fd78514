"""The durable job queue and the worker (`flask qa worker`): a CQC upload is read by the worker,
not by the request; a job whose worker died is claimed again once its lease lapses and is done
once; a failing job is tried again after a growing wait, then shown to an administrator, who
tries it again (audited); the worker runs the sweep."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from qa_app.domain.cqc_import import ImportStatus
from qa_app.domain.jobs import LEASE, JobStatus
from qa_app.extensions import db
from qa_app.models import AuditEvent, BackgroundJob, CqcImport, OutboxEmail
from qa_app.models.types import utcnow
from qa_app.services import outbox, queue
from qa_app.services.worker import Worker
from tests.support.client import soup
from tests.support.spreadsheets import location_rows, ratings, upload_cqc_file, write_csv


@pytest.fixture
def upload(app, make, client, tmp_path, monkeypatch):
    """An officer uploads CQC's file as served for real: the request only keeps it and queues
    its reading. Gives the import's id."""
    monkeypatch.setitem(app.config, "QA_CQC_IMPORT_IN_BACKGROUND", True)
    monkeypatch.setitem(app.config, "QA_CQC_UPLOAD_DIR", str(tmp_path / "uploads"))
    provider = make.provider(name="Queue Care Ltd", cqc_provider_id="1-101000777")
    make.service(
        provider,
        name="Queue House",
        cqc_location_id="1-200000777",
        cqc_rating="Good",
        cqc_rating_date=date(2024, 1, 10),
    )
    rows = location_rows(
        "1-200000777",
        "Queue House",
        "Northshire",
        "1-101000777",
        "Queue Care Ltd",
        ratings(*["Requires improvement"] * 6),
        date(2026, 10, 14),
    )
    make.sign_in(client, make.user("officer"))
    response = upload_cqc_file(client, write_csv(tmp_path / "ratings.csv", rows))
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _import(import_id) -> CqcImport:
    db.session.expire_all()
    return db.session.get(CqcImport, import_id)


def _job(key) -> BackgroundJob:
    db.session.expire_all()
    return db.session.scalar(select(BackgroundJob).where(BackgroundJob.key == key))


def _worker_once(app) -> dict:
    result = app.test_cli_runner().invoke(args=["qa", "worker", "--once"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_an_upload_is_queued_with_its_import_and_read_by_worker_once(app, client, upload):
    record = _import(upload)
    assert record.status == ImportStatus.READING  # the request did not read it
    job = _job(f"cqc_import:{upload}")
    assert (job.kind, job.status, job.attempts, job.payload) == (
        "cqc_import.read",
        JobStatus.WAITING,
        0,
        {"import_id": upload},
    )
    page = client.get(f"/cqc-imports/{upload}")
    assert soup(page).select_one("progress#read-progress")["value"] == "0"  # it polls

    summary = _worker_once(app)
    assert summary["jobs"] == {"done": 1}
    assert "sweep" in summary["periodic"]  # the sweep runs on the worker too

    record = _import(upload)
    assert record.status == ImportStatus.PREVIEWED
    assert record.counts["changed_services"] == 1
    job = _job(f"cqc_import:{upload}")
    assert (job.status, job.attempts, job.lease_until, job.claim) == (JobStatus.DONE, 1, None, None)
    page = client.get(f"/cqc-imports/{upload}")
    assert soup(page).h1.get_text(strip=True) == "Check what ratings.csv changes"

    assert _worker_once(app)["jobs"] == {}  # nothing is done twice


def test_an_upload_no_worker_has_started_says_so_after_a_minute(app, client, upload):
    def shown() -> tuple[bool, bool]:
        page = soup(client.get(f"/cqc-imports/{upload}"))
        progress = client.get(f"/cqc-imports/{upload}/progress").get_json()
        return ("No background worker has started" in page.get_text(), progress["no_worker"])

    assert shown() == (False, False)  # just uploaded: the worker may be about to start
    job = _job(f"cqc_import:{upload}")
    job.created_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    assert shown() == (True, True)
    assert _worker_once(app)["jobs"] == {"done": 1}
    assert shown() == (False, False)  # read: the preview is shown


def test_a_job_whose_worker_died_is_claimed_again_once_its_lease_lapses_and_done_once(upload):
    start = utcnow()
    # Worker A claims the reading, then dies: it never finishes and never renews the lease.
    dead = queue.claim_next("worker A", now=start)
    assert dead is not None and dead.attempts == 1
    assert queue.claim_next("worker B", now=start + LEASE / 2) is None  # still A's

    later = start + LEASE + timedelta(seconds=1)
    taken = queue.claim_next("worker B", now=later)
    assert taken is not None and (taken.id, taken.attempts) == (dead.id, 2)
    assert "stopped before it finished" in _job(f"cqc_import:{upload}").last_error
    assert queue.run_claimed(taken) == "done"
    record = _import(upload)
    assert record.status == ImportStatus.PREVIEWED
    read_once = (record.version, record.progress_at, record.counts)
    done_at = _job(f"cqc_import:{upload}").done_at

    # Worker A was only stalled, and comes back: its run writes nothing and records nothing.
    assert queue.run_claimed(dead) == "lost"
    record = _import(upload)
    assert (record.version, record.progress_at, record.counts) == read_once
    job = _job(f"cqc_import:{upload}")
    assert (job.status, job.done_at, job.attempts) == (JobStatus.DONE, done_at, 2)
    assert queue.claim_next("worker C", now=later + LEASE * 2) is None


@pytest.fixture
def flaky():
    """A kind of job that fails until told to succeed."""
    calls = []
    state = {"fail": True}

    def handler(payload):
        calls.append(payload)
        if state["fail"]:
            raise RuntimeError("the other server said no")

    queue.register_test_kind("test.flaky", handler)
    yield calls, state
    queue.forget_test_kind("test.flaky")


def test_a_failing_job_backs_off_then_shows_to_an_administrator_who_tries_it_again(
    app, make, client, flaky
):
    calls, state = flaky
    job_id = queue.enqueue("test.flaky", {"n": 1}, max_attempts=3).id
    db.session.commit()
    now = utcnow()
    waits = []
    for attempt in (1, 2, 3):
        claimed = queue.claim_next("worker", now=now)
        assert claimed is not None and claimed.attempts == attempt
        outcome = queue.run_claimed(claimed, clock=lambda at=now: at)
        job = db.session.get(BackgroundJob, job_id)
        db.session.refresh(job)
        assert job.last_error == "RuntimeError: the other server said no"
        if attempt < 3:
            assert outcome == "retrying"
            waits.append(job.next_attempt_at - now)
            assert (
                queue.claim_next("worker", now=job.next_attempt_at - timedelta(seconds=1)) is None
            )
            now = job.next_attempt_at
        else:
            assert outcome == "failed"
            assert (job.status, job.failed_at) == (JobStatus.FAILED, now)
    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]  # doubling
    assert len(calls) == 3
    assert queue.claim_next("worker", now=now + timedelta(days=1)) is None  # given up

    make.sign_in(client, make.user("admin"))
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    text = soup(page).get_text(" ", strip=True)
    assert "1 job stopped after failing" in text
    assert "RuntimeError: the other server said no" in text
    assert f"test.flaky (job {job_id})" in text
    retried = client.post(f"/admin/jobs/{job_id}/retry", follow_redirects=True)
    assert "will be tried again" in soup(retried).get_text(" ", strip=True)
    assert "No job has stopped after failing" in soup(retried).get_text(" ", strip=True)
    job = db.session.get(BackgroundJob, job_id)
    db.session.refresh(job)
    assert (job.status, job.attempts, job.failed_at) == (JobStatus.WAITING, 0, None)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "background_job", AuditEvent.entity_id == job_id
        )
    )
    assert (event.action, event.changes["status"]) == ("retried", ["failed", "waiting"])

    again = client.post(f"/admin/jobs/{job_id}/retry")  # no longer failed: refused, said
    assert again.status_code == 409
    assert "no longer failed" in soup(again).get_text(" ", strip=True)

    state["fail"] = False
    assert _worker_once(app)["jobs"] == {"done": 1}
    assert db.session.scalar(select(BackgroundJob.status).where(BackgroundJob.id == job_id)) == (
        JobStatus.DONE
    )


def test_an_unknown_job_is_a_404_for_an_administrator(make, client):
    make.sign_in(client, make.user("admin"))
    assert client.post("/admin/jobs/999999/retry").status_code == 404


def test_the_worker_runs_the_sweep_and_reminders_and_sends_the_emails_waiting(app, make):
    periodic = [task.name for task in Worker(app).periodic]
    assert periodic == ["sweep", "reminders", "digest", "email", "housekeeping"]
    officer = make.user("officer")
    outbox.enqueue(
        "assessment_submitted",
        "test:worker",
        [officer],
        {"service_name": "Hazel House", "link": "http://127.0.0.1:5000/assessments/1"},
    )
    db.session.commit()
    summary = _worker_once(app)
    assert {"escalated", "notices_created"} <= set(summary["periodic"]["sweep"])
    assert set(summary["periodic"]["reminders"]) >= {"plan_due_soon", "concern_due_soon"}
    assert summary["periodic"]["email"] == 1
    assert summary["periodic"]["digest"] == 0  # no one's emails held for a daily digest
    assert summary["periodic"]["housekeeping"] == {"done_jobs_deleted": 0}
    db.session.expire_all()
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.event_key == "test:worker"))
    assert (email.status, email.recipient_email) == ("sent", officer.email)
    assert _worker_once(app)["periodic"]["email"] == 0  # sent once


def test_a_running_jobs_lease_is_renewed_and_a_lost_claim_is_not(flaky):
    calls, state = flaky
    queue.enqueue("test.flaky", {"n": 2})
    db.session.commit()
    start = utcnow()
    mine = queue.claim_next("worker A", now=start)
    # A renews while it runs: at start + 50 s the lease runs to start + 110 s, so B waits
    assert queue.renew(mine, now=start + timedelta(seconds=50))
    assert queue.claim_next("worker B", now=start + LEASE + timedelta(seconds=1)) is None
    theirs = queue.claim_next("worker B", now=start + timedelta(seconds=50) + LEASE * 2)
    assert theirs is not None
    assert not queue.renew(mine)  # A lost the claim: it cannot take it back
    state["fail"] = False
    assert queue.run_claimed(theirs) == "done"
    assert queue.run_claimed(mine) == "lost"
    assert len(calls) == 2  # A's run was not stopped; it recorded nothing
