"""Staff pages for concerns: the list with live clocks, logging one, and its steps."""

from __future__ import annotations

import re
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired

from qa_app.domain import limits
from qa_app.domain.clocks import CONCERN_RISK_LEVELS, skipped_by_clock_change
from qa_app.domain.concerns import (
    OUTCOMES,
    RESPONSES,
    SOURCES,
    STATUS_LABELS,
)
from qa_app.services import audit, concerns, registry
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.filters import LONDON, format_datetime
from qa_app.web.forms import (
    GovDateField,
    OptionalDate,
    StepForm,
    StepForms,
    apply_errors,
    one_of,
    options,
    page_number,
    posted_id,
    select_field,
    text_area,
    text_input,
)
from qa_app.web.staff import bp
from qa_app.web.views import ConcernView

RISKS = dict(
    zip(CONCERN_RISK_LEVELS, ("High: response within 24 hours", "Medium", "Low"), strict=True)
)


class ConcernForm(FlaskForm):
    risk_level = RadioField(
        "Risk level",
        widget=GovRadioInput(),
        choices=options(RISKS.items()),
        validators=[DataRequired("Choose the risk level")],
    )
    source = RadioField(
        "Where did it come from?",
        widget=GovRadioInput(),
        choices=options(SOURCES.items()),
        validators=[DataRequired("Choose where the concern came from")],
    )
    received_date = GovDateField("Date received")
    received_time = StringField(
        "Time received", widget=GovTextInput(), description="For example, 14:30"
    )
    summary = text_input("Summary", limits.SUMMARY, required="Give a short summary of the concern")
    details = text_area("Details", limits.DETAILS)


def _received(form: ConcernForm):
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", form.received_time.data or "")
    if form.received_date.data is None:
        if not form.received_date.errors:  # "must be a real date" already says what is wrong
            form.received_date.errors = ["Enter the date the concern was received"]
        return None
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        form.received_time.errors = ["Enter the time in 24-hour form, like 14:30"]
        return None
    local = datetime.combine(form.received_date.data, datetime.min.time()).replace(
        hour=int(match[1]), minute=int(match[2]), tzinfo=LONDON
    )
    if skipped_by_clock_change(local):
        form.received_time.errors = [
            f"There was no {local:%H:%M} on {local.day} {local:%B %Y}: the clocks went forward an "
            "hour at 01:00. Enter the time the clock showed, like 02:30"
        ]
        return None
    return local


@bp.get("/concerns")
@staff_required
def concern_list():
    filters = concerns.ConcernFilters(
        status=one_of(request.args.get("status"), STATUS_LABELS),
        risk_level=one_of(request.args.get("risk"), RISKS),
        officer_id=posted_id(request.args.get("officer_id")),
        service_id=posted_id(request.args.get("service_id")),
        service_name=request.args.get("service", "")[:200],
        counts_as_open=request.args.get("counts_as_open") == "1",
        clock=one_of(request.args.get("clock"), concerns.CLOCK_FILTERS),
        page=page_number(request.args.get("page")),
    )
    rows, page = concerns.list_concerns(current_user, filters)
    return render_template(
        "staff/concerns/list.html",
        rows=rows,
        page=page,
        filters=filters,
        state=concerns.state,
        statuses=STATUS_LABELS,
        risks=RISKS,
        officers=registry.staff_users(),
        sources=SOURCES,
        clock_filters=concerns.CLOCK_FILTERS,
        section="concerns",
    )


@bp.route("/services/<int:service_id>/concerns/new", methods=["GET", "POST"])
@staff_required
def concern_new(service_id):
    service = registry.get_service(current_user, service_id)
    form = ConcernForm()
    if request.method == "GET":
        now = datetime.now(LONDON)
        form.received_date.data, form.received_time.data = now.date(), now.strftime("%H:%M")
    if form.is_submitted():
        form.validate()
        received = _received(form)
        if received is not None and not form.errors:
            try:
                concern = concerns.log(
                    web_actor(),
                    current_user,
                    {
                        "service_id": service.id,
                        "risk_level": form.risk_level.data,
                        "source": form.source.data,
                        "received_at": received,
                        "summary": form.summary.data,
                        "details": form.details.data,
                    },
                )
            except ValidationFailed as failed:
                apply_errors(
                    form,
                    {
                        "received_date" if k == "received_at" else k: v
                        for k, v in failed.errors.items()
                    },
                )
            else:
                flash(
                    "The concern has been logged: a response is due "
                    + format_datetime(concern.response_due_at),
                    "success",
                )
                return redirect(url_for("staff.concern_page", concern_id=concern.id))
    return render_template(
        "staff/concerns/new.html", form=form, service=service, section="concerns"
    )


@bp.get("/concerns/<int:concern_id>")
@staff_required
def concern_page(concern_id):
    return _concern_page(concerns.get_concern(current_user, concern_id))


class RespondForm(StepForm):
    action = select_field("Response", choices=options(RESPONSES.items()))
    notes = text_area("Notes", limits.NOTES, id="respond-notes")


class CloseForm(StepForm):
    outcome = select_field("Outcome", choices=options(OUTCOMES.items()))
    notes = text_area("Notes", limits.NOTES, id="close-notes")


class EscalateForm(StepForm):
    reason = text_area("Why", limits.REASON, id="reason")


#: step → its form
STEP_FORMS = {"respond": RespondForm, "close": CloseForm, "escalate": EscalateForm}


def _concern_page(concern, posted: StepForm | None = None, status=200):
    return (
        render_template(
            "staff/concerns/show.html",
            concern=concern,
            events=concerns.clock_events(concern),
            state=concerns.state(concern),
            sources=SOURCES,
            responses=RESPONSES,
            outcomes=OUTCOMES,
            statuses=STATUS_LABELS,
            view=ConcernView(concern, can_close=concerns.closable(concern)),
            history=(events := audit.entity_history("concern", concern.id)),
            names=audit.names_for(events),
            form=posted,
            step=StepForms(posted, **STEP_FORMS),
            section="concerns",
        ),
        status,
    )


DONE = {
    "respond": "The response has been recorded and the clock stopped",
    "close": "The concern has been closed",
    "escalate": "The concern has been escalated",
}


@bp.post("/concerns/<int:concern_id>/<step>")
@staff_required
def concern_step(concern_id, step):
    if step not in STEP_FORMS:
        return redirect(url_for("staff.concern_page", concern_id=concern_id))
    form, actor, status = STEP_FORMS[step](), web_actor(), 422
    if form.validate_on_submit():
        try:
            if step == "respond":
                concerns.respond(
                    actor, current_user, concern_id, form.action.data or "", form.notes.data or ""
                )
            elif step == "close":
                concerns.close(
                    actor, current_user, concern_id, form.outcome.data or "", form.notes.data or ""
                )
            else:
                concerns.escalate(actor, current_user, concern_id, form.reason.data or "")
        except (ValidationFailed, Conflict) as refused:
            form.refuse(refused)
            status = refused.status
        else:
            flash(DONE[step], "success")
            return redirect(url_for("staff.concern_page", concern_id=concern_id))
    # The page again with the reason and everything typed, rather than a banner after a
    # redirect that would lose the notes.
    return _concern_page(concerns.get_concern(current_user, concern_id), posted=form, status=status)


class ClockRecordForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only reads

    first = GovDateField("From", validators=[OptionalDate()])
    last = GovDateField("To", validators=[OptionalDate()])


@bp.get("/concerns/clock-record")
@staff_required
def clock_record():
    form = ClockRecordForm(request.args)
    today = london_today()
    first, last = today.replace(day=1), today  # this month so far
    if not request.args:
        form.first.data, form.last.data = first, last
    elif form.validate():
        first, last = form.first.data or first, form.last.data or last
    rates = []
    if not form.errors:
        try:
            rates = concerns.clock_record(current_user, first, last)
        except ValidationFailed as failed:
            form.last.errors = list(failed.errors.values())
    return render_template(
        "staff/concerns/clock_record.html",
        form=form,
        first=first,
        last=last,
        rates=rates,
        section="concerns",
    )
