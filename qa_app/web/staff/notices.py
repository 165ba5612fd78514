"""Staff pages for notices of concern and contract breach notices: list, page, drafting,
recording whether requirements are met, the manager's decisions, and the letter."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import HiddenField, TextAreaField

from qa_app.domain.concerns import SOURCES
from qa_app.domain.concerns import STATUS_LABELS as CONCERN_STATUSES
from qa_app.domain.notices import (
    KINDS,
    MAX_TEXT,
    REQUIREMENT_LABELS,
    REQUIREMENT_NOUN,
    STATUS_LABELS,
)
from qa_app.services import notices
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web import downloads
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import (
    GovDateField,
    OptionalDate,
    apply_errors,
    at_most,
    page_number,
    posted_id,
    refusal_problems,
)
from qa_app.web.staff import bp

STEPS = {
    "issue": "The notice has been issued",
    "lift": "The notice has been lifted",
    "escalate": "The notice has been escalated: a draft contract breach notice has been raised",
    "withdraw": "The draft has been withdrawn",
    "remedy": "The breach notice has been marked remedied",
    "recommend_termination": "Termination of the contract has been recommended",
    "lift_stop": "The placement stop has been lifted",
}


class DraftForm(FlaskForm):
    version = HiddenField()
    grounds = TextAreaField(
        "Grounds",
        widget=GovTextArea(),
        description="Why the council is issuing this notice, in words the provider will read.",
        validators=[at_most(MAX_TEXT, "The grounds")],
    )
    placement_stop_start = GovDateField(
        "Placement stop from (optional)",
        validators=[OptionalDate()],
        description="Leave blank for no placement stop. For example, 1 12 2026",
    )


class RequirementForm(FlaskForm):
    text = TextAreaField(
        "What the provider must do",
        widget=GovTextArea(),
        validators=[at_most(MAX_TEXT, "The requirement")],
    )
    due_date = GovDateField("Due by", validators=[OptionalDate()])


def _page(
    notice,
    draft_form=None,
    requirement_form=None,
    form=None,
    status=200,
    problems=None,
    kept=None,
):
    parent, child = notices.parent_and_child(notice)
    noun = REQUIREMENT_NOUN[notice.kind]
    if draft_form is None:
        draft_form = DraftForm(
            formdata=None,
            version=notice.version,
            grounds=notice.grounds,
            placement_stop_start=notice.placement_stop_start,
        )
    return (
        render_template(
            "staff/notices/show.html",
            notice=notice,
            parent=parent,
            child=child,
            concerns=notices.concerns_of(notice),
            draft_form=draft_form,
            requirement_form=requirement_form or RequirementForm(formdata=None),
            form=form,
            noun=noun,
            kinds=KINDS,
            statuses=STATUS_LABELS,
            requirement_labels=REQUIREMENT_LABELS,
            concern_statuses=CONCERN_STATUSES,
            sources=SOURCES,
            can_decide=current_user.role in notices.DECIDERS,
            problems=problems,
            kept=kept,
            section="notices",
        ),
        status,
    )


@bp.get("/notices")
@staff_required
def notice_list():
    filters = notices.NoticeFilters(
        kind=request.args.get("kind", "") if request.args.get("kind") in KINDS else "",
        status=request.args.get("status", "")
        if request.args.get("status") in STATUS_LABELS
        else "",
        service_id=posted_id(request.args.get("service_id")),
        page=page_number(request.args.get("page")),
    )
    rows, page = notices.list_notices(current_user, filters)
    return render_template(
        "staff/notices/list.html",
        rows=rows,
        page=page,
        filters=filters,
        kinds=KINDS,
        statuses=STATUS_LABELS,
        section="notices",
    )


@bp.get("/notices/<int:notice_id>")
@staff_required
def notice_page(notice_id):
    return _page(notices.get_notice(current_user, notice_id))


@bp.post("/notices/<int:notice_id>/draft")
@staff_required
def notice_draft(notice_id):
    notice = notices.get_notice(current_user, notice_id)
    form = DraftForm()
    if form.validate_on_submit():
        version = int(form.version.data) if str(form.version.data).isdigit() else None
        try:
            notices.update_draft(
                web_actor(),
                current_user,
                notice.id,
                form.grounds.data,
                form.placement_stop_start.data,
                version,
            )
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        except Conflict as refused:
            form.form_errors.append(refused.message)
        else:
            flash("The draft has been saved", "success")
            return redirect(url_for("staff.notice_page", notice_id=notice.id))
    return _page(notice, draft_form=form, form=form)


@bp.post("/notices/<int:notice_id>/requirements")
@staff_required
def notice_requirement_add(notice_id):
    notice = notices.get_notice(current_user, notice_id)
    form = RequirementForm()
    if form.validate_on_submit():
        try:
            notices.add_requirement(
                web_actor(), current_user, notice.id, form.text.data, form.due_date.data
            )
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        except Conflict as refused:
            form.form_errors.append(refused.message)
        else:
            flash(f"The {REQUIREMENT_NOUN[notice.kind]} has been added", "success")
            return redirect(url_for("staff.notice_page", notice_id=notice.id) + "#requirements")
    return _page(notice, requirement_form=form, form=form)


@bp.post("/notices/<int:notice_id>/requirements/<int:requirement_id>/remove")
@staff_required
def notice_requirement_remove(notice_id, requirement_id):
    if FlaskForm().validate_on_submit():
        try:
            notices.remove_requirement(web_actor(), current_user, notice_id, requirement_id)
        except Conflict as refused:
            return _refused(notices.get_notice(current_user, notice_id), refused, {}, {})
        else:
            flash("The requirement has been removed", "success")
    return redirect(url_for("staff.notice_page", notice_id=notice_id) + "#requirements")


@bp.post("/notices/<int:notice_id>/requirements/<int:requirement_id>/assess")
@staff_required
def notice_requirement_assess(notice_id, requirement_id):
    notice = notices.get_notice(current_user, notice_id)
    if FlaskForm().validate_on_submit():
        status, note = request.form.get("status", ""), request.form.get("note", "")
        try:
            notices.assess_requirement(
                web_actor(), current_user, notice.id, requirement_id, status, note
            )
        except (ValidationFailed, Conflict) as refused:
            inputs = {
                "status": f"assess-{requirement_id}-met",
                "note": f"assess-note-{requirement_id}",
            }
            return _refused(
                notice,
                refused,
                inputs,
                {inputs["note"]: note, f"assess-{requirement_id}-status": status},
            )
        flash("Your assessment of the requirement has been recorded", "success")
    return redirect(url_for("staff.notice_page", notice_id=notice.id) + "#requirements")


#: step → the id of its note box on the notice page
NOTE_INPUTS = {
    "lift": "lift-note",
    "escalate": "escalate-note",
    "withdraw": "withdraw-note",
    "remedy": "remedy-note",
    "recommend_termination": "termination-note",
    "lift_stop": "stop-note",
}


def _refused(notice, refused, inputs: dict[str, str], kept: dict[str, str]):
    """The notice page again, with why the step was refused and what was typed."""
    return _page(
        notices.get_notice(current_user, notice.id),
        problems=refusal_problems(refused, inputs),
        kept=kept,
        status=refused.status,
    )


@bp.post("/notices/<int:notice_id>/<step>")
@staff_required
def notice_step(notice_id, step):
    notice = notices.get_notice(current_user, notice_id)
    if step not in STEPS or not FlaskForm().validate_on_submit():
        return redirect(url_for("staff.notice_page", notice_id=notice.id))
    note = request.form.get("note", "")
    actor, target = web_actor(), notice.id
    try:
        if step == "issue":
            keep = request.form.get("placement_stop") != "none"
            seen = request.form.get("version", "")
            notices.issue(
                actor,
                current_user,
                notice.id,
                keep_stop=keep,
                expected_version=int(seen) if seen.isdigit() and len(seen) < 10 else None,
            )
        elif step == "lift":
            notices.lift(actor, current_user, notice.id, note)
        elif step == "escalate":
            target = notices.escalate(actor, current_user, notice.id, note).id
        elif step == "withdraw":
            notices.withdraw(actor, current_user, notice.id, note)
        elif step == "remedy":
            notices.remedy(actor, current_user, notice.id, note)
        elif step == "recommend_termination":
            notices.recommend_termination(actor, current_user, notice.id, note)
        else:
            notices.lift_placement_stop(actor, current_user, notice.id, note)
    except (ValidationFailed, Conflict) as refused:
        note_input = NOTE_INPUTS.get(step)
        inputs = {"note": note_input} if note_input else {}
        return _refused(notice, refused, inputs, {note_input: note} if note_input else {})
    flash(STEPS[step], "success")
    return redirect(url_for("staff.notice_page", notice_id=target))


@bp.get("/notices/<int:notice_id>/letter.pdf")
@staff_required
def notice_letter_pdf(notice_id):
    return downloads.notice_letter_pdf(notices.get_notice(current_user, notice_id))
