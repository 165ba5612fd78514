"""The provider portal: what a care provider's own staff see, under /portal."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from qa_app.services import assessments, dashboard, registry
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import provider_required, web_actor
from qa_app.web.assessment_report import pdf_response, report_context

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@provider_required
def home():
    services = dashboard.provider_summary(current_user)
    reports = dashboard.provider_reports(current_user)
    return render_template("portal/home.html", services=services, reports=reports, section="home")


@bp.get("/services/<int:service_id>")
@provider_required
def service_page(service_id):
    service = registry.get_service(current_user, service_id)
    return render_template("portal/service.html", service=service, section="home")


@bp.get("/assessments/<int:assessment_id>")
@provider_required
def assessment_report(assessment_id):
    assessment = assessments.get_assessment(current_user, assessment_id)
    context = report_context(assessment, include_internal=False)
    open_for_comment = assessments.open_for_comment(assessment)
    return render_template(
        "portal/report.html",
        section="home",
        open_for_comment=open_for_comment,
        errors={},
        **context,
    )


@bp.post("/assessments/<int:assessment_id>/comments")
@provider_required
def assessment_comment(assessment_id):
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("portal.assessment_report", assessment_id=assessment_id))
    no_comments = "no_comments" in request.form
    try:
        assessments.add_provider_comment(
            web_actor(),
            current_user,
            assessment_id,
            request.form.get("question_ref", "")[:20] or None,
            request.form.get("text", "")[:5000],
            no_comments=no_comments,
        )
    except ValidationFailed as failed:
        flash(next(iter(failed.errors.values())), "error")
    except Conflict as refused:
        flash(refused.message, "error")
    else:
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
    return pdf_response(assessments.get_assessment(current_user, assessment_id))
