"""The provider portal: what a care provider's own staff see, under /portal."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from jinja2.filters import do_truncate
from wtforms import BooleanField

from qa_app.domain import evidence_files, limits
from qa_app.domain.lifecycle import is_shared
from qa_app.domain.notices import REQUIREMENT_NOUN
from qa_app.services import assessments, dashboard, notices, plans, registry
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, NotFound, ValidationFailed
from qa_app.web import downloads
from qa_app.web.access import provider_required, web_actor
from qa_app.web.assessment_report import comments_context, report_context
from qa_app.web.evidence_downloads import evidence_download
from qa_app.web.forms import (
    StepForm,
    StepForms,
    ask_for_file_again,
    options,
    select_field,
    text_area,
)
from qa_app.web.views import PlanState, assessment_view, notice_view

bp = Blueprint("portal", __name__, url_prefix="/portal")


class CommentForm(StepForm):
    """A provider's comment on a shared draft, or its "We have no comments"."""

    question_ref = select_field("Which finding is it about?")
    text = text_area(
        "Your comment",
        limits.COMMENT,
        description="Say what is factually wrong and what the evidence shows.",
    )
    no_comments = BooleanField()  # the "We have no comments" button

    def set_choices(self, questions) -> None:
        self.question_ref.choices = options(
            [("", "The report as a whole")]
            + [
                (q.ref, f"{q.ref} {do_truncate(current_app.jinja_env, q.text, 70)}")
                for q in questions
            ]
        )


class RespondForm(StepForm):
    """A provider's response to one requirement of a notice, with a file of evidence."""

    response = text_area("Your response", limits.RESPONSE, id="response-{key}")
    file = FileField("Attach evidence (optional)", widget=GovFileInput(), id="file-{key}")


@bp.get("/")
@provider_required
def home():
    # improvement plans (issue 6): each service with its rating, plan and what is overdue
    plan_rows = plans.portal_summary(current_user)
    reports = dashboard.provider_reports(current_user)
    services = [row.service for row in plan_rows]
    by_service = notices.notices_for_services(current_user, [s.id for s in services])
    shown = [n for s in services for n in by_service.get(s.id, [])]
    return render_template(
        "portal/home.html",
        services=services,
        reports=reports,
        # the days for comments on each draft report (issue 13: deadlines in sight)
        comment_deadlines={
            a.id: assessments.comment_deadline(a) for a in reports if is_shared(a.status)
        },
        report_views={a.id: assessment_view(a) for a in reports},
        open_for_comment=[a for a in reports if assessments.open_for_comment(a)],
        plan_rows=plan_rows,
        plan_states={row.plan.id: PlanState(row.plan) for row in plan_rows if row.plan},
        **_notices_and_plans(shown),
        section="home",
    )


def _notices_and_plans(shown) -> dict:
    """What the notices table (portal/_notices.html) and a plan's status need."""
    today = london_today()
    return {
        "notices": shown,
        "notice_views": {n.id: notice_view(n, today) for n in shown},
    }


@bp.get("/services/<int:service_id>")
@provider_required
def service_page(service_id):
    service = registry.get_service(current_user, service_id)
    plan = plans.latest_plan_or_none(current_user, service.id)
    shown = notices.notices_for_services(current_user, [service.id]).get(service.id, [])
    return render_template(
        "portal/service.html",
        service=service,
        plan_view=plans.view(plan) if plan else None,
        **_notices_and_plans(shown),
        section="home",
    )


@bp.get("/assessments/<int:assessment_id>")
@provider_required
def assessment_report(assessment_id, comment_form: CommentForm | None = None, status=200):
    """comment_form: a comment that could not be sent, shown again with why (nothing lost)."""
    try:
        assessment = assessments.get_assessment(current_user, assessment_id)
    except NotFound:
        return _being_corrected(assessment_id)
    context = report_context(assessment, include_internal=False)
    open_for_comment = assessments.open_for_comment(assessment)
    form = comment_form or CommentForm(formdata=None)
    form.set_choices(context["questions"])
    return render_template(
        "portal/report.html",
        section="home",
        open_for_comment=open_for_comment,
        errors={},
        form=form,
        **context,
    ), status


def _being_corrected(assessment_id):
    """A draft the council took back to correct: what happens next, and the provider's comments
    with the answers so far; not the findings, which are changing (the same 404 otherwise)."""
    assessment = assessments.being_corrected(current_user, assessment_id)
    return render_template(
        "portal/being_corrected.html",
        assessment=assessment,
        kinds=assessments.KINDS,
        section="home",
        **comments_context(assessment, assessments.questions_for(assessment)),
    )


@bp.post("/assessments/<int:assessment_id>/comments")
@provider_required
def assessment_comment(assessment_id):
    form = CommentForm()
    no_comments = bool(form.no_comments.data)
    if not form.validate_on_submit() and not no_comments:
        return assessment_report(assessment_id, form, status=422)
    try:
        assessments.add_provider_comment(
            web_actor(),
            current_user,
            assessment_id,
            form.question_ref.data or None,
            form.text.data or "",
            no_comments=no_comments,
        )
    except (ValidationFailed, Conflict) as refused:
        form.refuse(refused)
        return assessment_report(assessment_id, form, status=refused.status)
    flash(
        "Thank you: the council has your response"
        if no_comments
        else "Your comment has been sent to the council",
        "success",
    )
    return redirect(url_for("portal.assessment_report", assessment_id=assessment_id))


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@provider_required
def assessment_pdf(assessment_id):
    return downloads.assessment_pdf(assessments.get_assessment(current_user, assessment_id))


# ---------------------------------------------------------------- notices


@bp.get("/notices/<int:notice_id>")
@provider_required
def notice_page(notice_id, posted: RespondForm | None = None):
    """posted: a response that could not be sent, shown again with why, beside its box or for
    the page (the notice or the requirement has moved on), with nothing lost."""
    notice = notices.get_notice(current_user, notice_id)
    return render_template(
        "portal/notice.html",
        notice=notice,
        view=notice_view(notice, london_today()),
        files=notices.response_files(notice),
        step=StepForms(posted, respond=RespondForm),
        noun=REQUIREMENT_NOUN[notice.kind],
        allowed_files=evidence_files.ALLOWED_WORDS,
        section="home",
    )


@bp.post("/notices/<int:notice_id>/requirements/<int:requirement_id>/respond")
@provider_required
def notice_respond(notice_id, requirement_id):
    form = RespondForm(key=requirement_id)
    if not form.validate_on_submit():
        ask_for_file_again(form, form.file)
        return notice_page(notice_id, form), 422
    upload = form.file.data
    files = []
    if upload and upload.filename:
        files.append((upload.filename, upload.read(evidence_files.MAX_EVIDENCE_BYTES + 1)))
    try:
        notices.respond_to_requirement(
            web_actor(),
            current_user,
            notice_id,
            requirement_id,
            form.response.data or "",
            files=files,
        )
    except (ValidationFailed, Conflict) as refused:
        form.refuse(refused)
        return notice_page(notice_id, form), refused.status
    flash(
        "Your response and " + files[0][0] + " have been sent to the council"
        if files
        else "Your response has been sent to the council",
        "success",
    )
    return redirect(url_for("portal.notice_page", notice_id=notice_id) + f"#r{requirement_id}")


@bp.get("/notices/files/<int:notice_file_id>")
@provider_required
def notice_file(notice_file_id):
    return evidence_download(*notices.response_file(current_user, notice_file_id))


@bp.get("/notices/<int:notice_id>/letter.pdf")
@provider_required
def notice_letter_pdf(notice_id):
    return downloads.notice_letter_pdf(notices.get_notice(current_user, notice_id))


from qa_app.web.portal import plan_pages, report_photos  # noqa: E402, F401
