"""The QuAD meeting's own record (issue 16, item 4): managers write it, officers read it,
providers never see it (404). Services discussed and their actions are added one at a time
(GOV.UK "add another"); once the meeting is marked held the record is locked and later changes
are addenda."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField

from qa_app.domain import limits
from qa_app.domain import meetings as rules
from qa_app.domain.months import MonthRefused, parse_month
from qa_app.domain.plans import GRADES
from qa_app.services import quad_meetings
from qa_app.services.calendar import utcnow
from qa_app.services.errors import Conflict, ServiceError, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import (
    ButtonForm,
    GovDateField,
    StepForm,
    StepForms,
    apply_errors,
    options,
    posted_id,
    select_field,
    text_area,
    text_input,
)
from qa_app.web.meeting_view import action_rows, carried_rows, prewrap
from qa_app.web.staff import bp

GRADE_CHOICES = options((str(k), v) for k, v in GRADES.items())


def _grade(value) -> int | None:
    return int(value) if str(value or "") in {str(k) for k in GRADES} else None


class DetailsForm(FlaskForm):
    held_on = GovDateField("Date of the meeting")
    attendees = text_area(
        "Attendees",
        limits.Limit("The list of attendees", 20_000),
        description="One a line: the name, a comma, then the organisation. For example: "
        "Sam Patel, North ICB",
    )


class ItemForm(FlaskForm):
    service_id = select_field("Service discussed")
    discussion = text_area("Discussion", limits.DISCUSSION)
    decisions = text_area("Decisions", limits.DECISIONS)


class ActionForm(FlaskForm):
    description = text_area("What the council will do", limits.ACTION_DESCRIPTION)
    owner = text_input("Owner", limits.ACTION_OWNER)
    target_date = GovDateField("Target date")
    grade = RadioField(
        "Progress grading", widget=GovRadioInput(), choices=GRADE_CHOICES, validate_choice=False
    )


class ProgressForm(StepForm):
    grade = RadioField(
        "Progress grading at this meeting",
        widget=GovRadioInput(),
        choices=GRADE_CHOICES,
        validate_choice=False,
        id="grade-{key}",
    )
    note = text_area("Progress note", limits.ADDENDUM, id="note-{key}")


class AddendumForm(StepForm):
    text = text_area(
        "Addendum",
        limits.ADDENDUM,
        id="addendum",
        description="The record as held does not change: this is added below it, with your "
        "name and the time.",
    )


def _month(text: str):
    try:
        return parse_month(text, utcnow())
    except MonthRefused as refused:
        raise ServiceError(str(refused), {"month": str(refused)}) from None


def _page(month, posted: StepForm | None = None, status: int = 200):
    record = quad_meetings.record_of(current_user, month, utcnow())
    return (
        render_template(
            "staff/reports/meeting.html",
            month=month,
            record=record,
            writer=quad_meetings.can_write(current_user),
            history=quad_meetings.meeting_history(current_user, month),
            step=StepForms(posted, progress=ProgressForm, addendum=AddendumForm),
            form=posted,
            action_rows=action_rows,
            carried_rows=carried_rows,
            prewrap=prewrap,
            section="reports",
        ),
        status,
    )


@bp.get("/reports/quad/<month>/meeting")
@staff_required
def quad_meeting_page(month):
    return _page(_month(month))


def _writers_record(month_text: str, item_id: int | None = None):
    """The month and its meeting record, for those who may write it (else 403); with
    `item_id`, a 404 unless that service discussed is in the record."""
    month = _month(month_text)
    quad_meetings.writers_only(current_user)
    if item_id is not None:
        quad_meetings.get_item(current_user, month, item_id)
    return month, quad_meetings.record_of(current_user, month, utcnow())


def _form_page(month, form, template: str, done, refused: int | None = None, **context):
    """A page of its own with one form: `done()` saves a valid form and returns where to go
    next; if the form is invalid or the save refused, the page again with why and what was
    typed (`refused`, else 409 if the record refused the change, else 422)."""
    status = 200
    if form.validate_on_submit():
        try:
            return done()
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        except Conflict as conflict:
            form.form_errors.append(conflict.message)
    if request.method == "POST":
        status = refused or (409 if form.form_errors else 422)
    return render_template(template, month=month, form=form, section="reports", **context), status


@bp.route("/reports/quad/<month>/meeting/details", methods=["GET", "POST"])
@staff_required
def quad_meeting_details(month):
    month, record = _writers_record(month)
    form = DetailsForm()
    if request.method == "GET" and record.meeting_id is not None:
        form.held_on.data = record.held_on
        form.attendees.data = rules.attendees_text(record.attendees)

    def done():
        quad_meetings.save_details(
            web_actor(), current_user, month, form.held_on.data, form.attendees.data or ""
        )
        flash("The meeting's date and attendees have been saved", "success")
        return redirect(url_for("staff.quad_meeting_page", month=str(month)))

    return _form_page(
        month,
        form,
        "staff/reports/meeting_details.html",
        done,
        refused=409 if record.held else 422,
        record=record,
    )


@bp.route("/reports/quad/<month>/meeting/services/new", methods=["GET", "POST"])
@staff_required
def quad_meeting_item_new(month):
    month, record = _writers_record(month)
    form = ItemForm()
    form.service_id.choices = options(
        [("", "Choose a service")]
        + [(str(sid), label) for sid, label in quad_meetings.services_to_choose(month)]
    )

    def done():
        item = quad_meetings.add_item(
            web_actor(),
            current_user,
            month,
            posted_id(form.service_id.data),
            form.discussion.data or "",
            form.decisions.data or "",
        )
        flash("The service discussed has been added: now add its actions, if any", "success")
        return redirect(url_for("staff.quad_meeting_action_new", month=str(month), item_id=item.id))

    return _form_page(month, form, "staff/reports/meeting_item.html", done, record=record)


@bp.route(
    "/reports/quad/<month>/meeting/services/<int:item_id>/actions/new", methods=["GET", "POST"]
)
@staff_required
def quad_meeting_action_new(month, item_id):
    month, record = _writers_record(month, item_id)
    item = next(i for i in record.items if i.id == item_id)
    form = ActionForm()

    def done():
        values = {
            "description": form.description.data or "",
            "owner": form.owner.data or "",
            "target_date": form.target_date.data,
            "grade": _grade(form.grade.data),
        }
        quad_meetings.add_action(web_actor(), current_user, month, item_id, values)
        flash(f"The action for {item.service} has been added", "success")
        if request.form.get("then") == "another":
            return redirect(request.path)
        return redirect(url_for("staff.quad_meeting_page", month=str(month)))

    return _form_page(
        month,
        form,
        "staff/reports/meeting_action.html",
        done,
        record=record,
        item=item,
        action_rows=action_rows,
    )


def _step(month, form: StepForm, valid: bool, act, message: str, anchor: str | None = None):
    """A step posted from the meeting's page: the page again with why (422, or the refusal's
    status) unless the form is `valid` and `act()` succeeds; then a message and the page."""
    if not valid:
        return _page(month, form, 422)
    try:
        act()
    except (ValidationFailed, Conflict) as refused:
        form.refuse(refused)
        return _page(month, form, refused.status)
    flash(message, "success")
    return redirect(url_for("staff.quad_meeting_page", month=str(month), _anchor=anchor))


@bp.post("/reports/quad/<month>/meeting/actions/<int:action_id>/progress")
@staff_required
def quad_meeting_progress(month, action_id):
    month = _month(month)
    quad_meetings.writers_only(current_user)
    form = ProgressForm(key=action_id)
    return _step(
        month,
        form,
        form.validate_on_submit(),
        lambda: quad_meetings.record_progress(
            web_actor(),
            current_user,
            month,
            action_id,
            _grade(form.grade.data),
            form.note.data or "",
        ),
        "The action's grading at this meeting has been recorded",
        f"action-{action_id}",
    )


@bp.post("/reports/quad/<month>/meeting/held")
@staff_required
def quad_meeting_held(month):
    month = _month(month)
    quad_meetings.writers_only(current_user)
    form = AddendumForm()  # a page-level message if refused
    valid = ButtonForm().validate_on_submit()
    if not valid:
        form.form_errors.append("The form has expired: try again")
    return _step(
        month,
        form,
        valid,
        lambda: quad_meetings.mark_held(web_actor(), current_user, month),
        "The meeting has been marked held: its record is locked",
    )


@bp.post("/reports/quad/<month>/meeting/addenda")
@staff_required
def quad_meeting_addendum(month):
    month = _month(month)
    quad_meetings.writers_only(current_user)
    form = AddendumForm()
    return _step(
        month,
        form,
        form.validate_on_submit(),
        lambda: quad_meetings.add_addendum(web_actor(), current_user, month, form.text.data or ""),
        "The addendum has been added to the record",
        "addenda",
    )
