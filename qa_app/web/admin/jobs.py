"""Background jobs: how each of the worker's periodic tasks is going (failing since when, with
its error), and what the worker has given up on, with its error, and "Try again"."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for

from qa_app.domain.codes import whole_number
from qa_app.domain.jobs import DONE_JOBS_KEPT, MAX_ATTEMPTS
from qa_app.services import periodic_runs, queue
from qa_app.services.errors import Conflict
from qa_app.services.worker import PERIODIC
from qa_app.web.access import admin_required, web_actor
from qa_app.web.admin import bp
from qa_app.web.forms import ButtonForm, page_number, refusal_problems


@dataclass(frozen=True)
class JobRow:
    id: int
    label: str
    subject: str
    subject_href: str | None
    attempts: int
    last_error: str
    failed_at: object


def _row(job) -> JobRow:
    label = queue.LABELS.get(job.kind, job.kind)
    subject, href = "", None
    import_id = whole_number(job.payload.get("import_id"))
    if job.kind == "cqc_import.read" and import_id is not None:
        subject = f"CQC ratings import {import_id}"
        href = url_for("staff.cqc_import_page", import_id=import_id)
    return JobRow(job.id, label, subject, href, job.attempts, job.last_error or "", job.failed_at)


def periodic_tasks() -> list[periodic_runs.TaskView]:
    """The worker's periodic tasks, each with what the workers have noted of it (this page, and
    the administrator's home, which names those failing or not run lately)."""
    return periodic_runs.overview((t.name, t.label or t.name, t.every) for t in PERIODIC)


@bp.get("/jobs")
@admin_required
def job_list(problems=None, status=200):
    failed, page = queue.failed_jobs(page_number(request.args.get("page")))
    return render_template(
        "admin/jobs.html",
        jobs=[_row(job) for job in failed],
        page=page,
        counts=queue.counts(),
        tasks=periodic_tasks(),
        max_attempts=MAX_ATTEMPTS,
        done_kept_days=DONE_JOBS_KEPT.days,
        retry=ButtonForm(),
        problems=problems,
        section="admin",
    ), status


@bp.post("/jobs/<int:job_id>/retry")
@admin_required
def job_retry(job_id):
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("admin.job_list"))
    try:
        job = queue.try_again(web_actor(), job_id)
    except Conflict as refused:
        return job_list(problems=refusal_problems(refused, {}), status=refused.status)
    flash(f"{queue.LABELS.get(job.kind, job.kind)} (job {job.id}) will be tried again", "success")
    return redirect(url_for("admin.job_list"))
