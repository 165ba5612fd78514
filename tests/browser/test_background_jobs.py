"""An administrator finds a background job that stopped after failing, with its error, and
tries it again; the worker beside the live server then runs it."""

import time

from playwright.sync_api import expect

FAILED = "Jobs that stopped after failing, latest first"


def test_admin_tries_a_failed_job_again_and_the_worker_runs_it(site, live_server):
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import BackgroundJob
    from qa_app.models.types import utcnow
    from qa_app.services import queue

    with live_server.app.app_context():
        # reading an upload whose import has gone: once tried again, there is nothing to do
        job = queue.enqueue("cqc_import.read", {"import_id": 0}, max_attempts=1)
        job.status, job.failed_at, job.attempts = "failed", utcnow(), 1
        job.last_error = "OperationalError: the database was restarted"
        db.session.commit()
        job_id = job.id

    site.sign_in("admin@demo.example")
    site.go_to("Users")
    site.follow(site.page.get_by_role("link", name="Background jobs"), "Background jobs")
    rows = site.table(FAILED)
    row = next(cells for cells in rows if f"(job {job_id})" in cells[0])
    assert row[0].startswith("Reading an uploaded CQC ratings file")
    assert row[2:4] == ["1", "OperationalError: the database was restarted"]
    site.screenshot("70-background-jobs")

    site.follow(site.page.get_by_role("button", name=f"Try job {job_id} again"), "Background jobs")
    expect(site.banner()).to_contain_text(f"(job {job_id}) will be tried again")
    assert not any(f"(job {job_id})" in cells[0] for cells in _rows(site))

    deadline = time.monotonic() + 20
    with live_server.app.app_context():
        while True:  # the live server's worker picks it up
            status = db.session.scalar(
                select(BackgroundJob.status).where(BackgroundJob.id == job_id)
            )
            db.session.rollback()
            if status == "done" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert status == "done"


def _rows(site) -> list[list[str]]:
    """The failed jobs listed (none: the page has no table)."""
    if site.page.get_by_role("table", name=FAILED, exact=True).count() == 0:
        return []
    return site.table(FAILED)
