"""Staff pages for closing a service and reopening it (managers and administrators)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import HiddenField, RadioField, StringField

from qa_app.domain import limits
from qa_app.domain import service_closing as rules
from qa_app.domain.wording import long_date
from qa_app.services import service_closing
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import (
    ButtonForm,
    GovDateField,
    apply_errors,
    at_most,
    options,
    refusal_problems,
)
from qa_app.web.staff import bp

OTHER = "other"


class CloseServiceForm(FlaskForm):
    closed_on = GovDateField(
        "Date it closed",
        description="The first day it no longer ran, for example 15 10 2026",
    )
    reason = RadioField(
        "Why it closed",
        widget=GovRadioInput(),
        choices=options([(r, r) for r in rules.REASONS] + [(OTHER, "Another reason")]),
        validate_choice=False,  # the use case says what is wrong, in words
    )
    other_reason = StringField(
        "If another reason, what it was",
        widget=GovTextInput(),
        validators=[at_most(limits.CLOSED_REASON)],
    )
    #: "yes" once the manager has seen the confirmation
    confirmed = HiddenField()

    def reason_text(self) -> str:
        if self.reason.data == OTHER:
            return (self.other_reason.data or "").strip()
        return self.reason.data or ""


@bp.route("/services/<int:service_id>/close", methods=["GET", "POST"])
@staff_required
def service_close(service_id):
    check = service_closing.closing_check(current_user, service_id)
    service = check.service
    form = CloseServiceForm()
    if request.method == "GET" and service.closed_on:
        form.closed_on.data = service.closed_on
        known = service.closed_reason in rules.REASONS
        form.reason.data = service.closed_reason if known else OTHER
        form.other_reason.data = None if known else service.closed_reason
    status, confirming = 200, False
    if form.is_submitted() and check.blockers:
        status = 409
    elif form.validate_on_submit():
        reason = form.reason_text()
        problems = rules.closing_problems(
            form.closed_on.data, reason, london_today(), check.last_visit
        )
        if problems:
            if "closed_reason" in problems:
                field = "other_reason" if form.reason.data == OTHER else "reason"
                problems[field] = problems.pop("closed_reason")
            apply_errors(form, problems)
            status = 422
        elif form.confirmed.data != "yes":
            confirming = True
        else:
            try:
                service_closing.close_service(
                    web_actor(), current_user, service.id, form.closed_on.data, reason
                )
            except ValidationFailed as refused:
                apply_errors(form, refused.errors)
                status = 422
            except Conflict:
                check = service_closing.closing_check(current_user, service_id)
                status = 409
            else:
                flash(f"{service.name} is closed from {long_date(form.closed_on.data)}", "success")
                return redirect(url_for("staff.service_page", service_id=service.id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "staff/services/close.html",
        service=service,
        check=check,
        form=form,
        confirming=confirming,
        reason=form.reason_text() if confirming else "",
        section="services",
    ), status


@bp.route("/services/<int:service_id>/reopen", methods=["GET", "POST"])
@staff_required
def service_reopen(service_id):
    service = service_closing.closing_check(current_user, service_id).service
    form = ButtonForm()
    problems, status = None, 200
    if form.validate_on_submit():
        try:
            service_closing.reopen_service(web_actor(), current_user, service.id)
        except Conflict as refused:
            problems, status = refusal_problems(refused, {}), refused.status
        else:
            flash(f"{service.name} is open again", "success")
            return redirect(url_for("staff.service_page", service_id=service.id))
    return render_template(
        "staff/services/reopen.html",
        service=service,
        form=form,
        problems=problems,
        section="services",
    ), status
