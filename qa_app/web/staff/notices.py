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
    ASSESS_CHOICES,
    KINDS,
    MAX_TEXT,
    REQUIREMENT_LABELS,
    REQUIREMENT_NOUN,
    STATUS_LABELS,
    is_draft,
)
from qa_app.services import audit, notices
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web import downloads
from qa_app.web.access import staff_required, web_actor
from qa_app.web.evidence_downloads import evidence_download
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
from qa_app.web.views import notice_view

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
    """Everything typed on a draft's page, in one form: each of its buttons (save, add or
    remove a requirement, issue, withdraw) posts all of it, and the step saves it first."""

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
    text = TextAreaField(
        "What the provider must do",
        widget=GovTextArea(),
        validators=[at_most(MAX_TEXT, "The requirement")],
    )
    due_date = GovDateField("Due by", validators=[OptionalDate()])
    note = TextAreaField(
        "Why it is not being issued",
        widget=GovTextArea(),
        validators=[at_most(MAX_TEXT, "The reason")],
    )


class StopForm(FlaskForm):
    """A placement stop added to a notice in force, or a planned one moved."""

    version = HiddenField(id="stop-version")
    placement_stop_start = GovDateField(
        "Placement stop from", validators=[OptionalDate()], id="stop-start"
    )
    note = TextAreaField(
        "Why", widget=GovTextArea(), validators=[at_most(MAX_TEXT, "The reason")], id="stop-why"
    )


def _page(
    notice,
    draft_form=None,
    stop_form=None,
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
    if stop_form is None:
        stop_form = StopForm(formdata=None, version=notice.version)
    return (
        render_template(
            "staff/notices/show.html",
            notice=notice,
            parent=parent,
            child=child,
            concerns=notices.concerns_of(notice),
            files=notices.response_files(notice),
            draft_form=draft_form,
            stop_form=stop_form,
            view=notice_view(notice, london_today(), current_user.role),
            form=form,
            noun=noun,
            kinds=KINDS,
            statuses=STATUS_LABELS,
            requirement_labels=REQUIREMENT_LABELS,
            assess_choices=ASSESS_CHOICES,
            concern_statuses=CONCERN_STATUSES,
            sources=SOURCES,
            history=(events := audit.entity_history("notice", notice.id)),
            names=audit.names_for(events),
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
    today = london_today()
    return render_template(
        "staff/notices/list.html",
        rows=rows,
        views={n.id: notice_view(n, today) for n in rows},
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


def _typed(form: DraftForm, notice) -> notices.DraftEdit:
    """What the draft's page posted. A field not posted at all was not on the screen (a
    contract breach notice has no placement stop), so it keeps its saved value."""
    posted = request.form
    seen = str(form.version.data or "")
    return notices.DraftEdit(
        grounds=form.grounds.data if "grounds" in posted else notice.grounds,
        placement_stop_start=form.placement_stop_start.data
        if "placement_stop_start" in posted
        else notice.placement_stop_start,
        requirement_text=form.text.data or "",
        requirement_due=form.due_date.data,
        version=int(seen) if seen.isdigit() and len(seen) < 10 else None,
    )


def _on_draft(notice_id: int, step, done: str, anchor: str = ""):
    """Take a step on a draft with what its page posted, saved first; if the step is refused,
    the page again with every problem in the error summary and everything typed kept."""
    notice = notices.get_notice(current_user, notice_id)
    form = DraftForm()
    status = 422
    if form.validate_on_submit():
        try:
            target = step(_typed(form, notice), form)
        except ValidationFailed as failed:
            errors = dict(failed.errors)
            if "requirements" in errors and not notice.requirements:
                errors["text"] = errors.pop("requirements")  # add one here
            apply_errors(form, errors)
        except Conflict as refused:
            form.form_errors.append(refused.message)
            status = refused.status
            notice = notices.get_notice(current_user, notice_id)
            form.version.data = str(notice.version)  # pressing again is a conscious choice
        else:
            flash(done, "success")
            return redirect(url_for("staff.notice_page", notice_id=target or notice.id) + anchor)
    elif not request.form.get("csrf_token") or form.csrf_token.errors:
        return redirect(url_for("staff.notice_page", notice_id=notice.id))
    return _page(
        notices.get_notice(current_user, notice_id), draft_form=form, form=form, status=status
    )


@bp.post("/notices/<int:notice_id>/draft")
@staff_required
def notice_draft(notice_id):
    return _on_draft(
        notice_id,
        lambda edit, form: notices.save_draft(web_actor(), current_user, notice_id, edit).id,
        "The draft has been saved",
    )


@bp.post("/notices/<int:notice_id>/requirements")
@staff_required
def notice_requirement_add(notice_id):
    noun = REQUIREMENT_NOUN[notices.get_notice(current_user, notice_id).kind]
    return _on_draft(
        notice_id,
        lambda edit, form: (
            notices.save_draft(
                web_actor(), current_user, notice_id, edit, requirement_needed=True
            ).id
        ),
        f"The {noun} has been added",
        "#requirements",
    )


@bp.post("/notices/<int:notice_id>/requirements/<int:requirement_id>/remove")
@staff_required
def notice_requirement_remove(notice_id, requirement_id):
    def remove(edit, form):
        notices.remove_requirement(web_actor(), current_user, notice_id, requirement_id, edit)

    return _on_draft(notice_id, remove, "The requirement has been removed", "#requirements")


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


@bp.post("/notices/<int:notice_id>/placement-stop")
@staff_required
def notice_stop_set(notice_id):
    """A manager adds a placement stop to a notice in force, or moves one not yet begun."""
    notice = notices.get_notice(current_user, notice_id)
    form = StopForm()
    status = 422
    if form.validate_on_submit():
        seen = str(form.version.data or "")
        try:
            notices.set_placement_stop(
                web_actor(),
                current_user,
                notice.id,
                form.placement_stop_start.data,
                form.note.data or "",
                expected_version=int(seen) if seen.isdigit() and len(seen) < 10 else None,
            )
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        except Conflict as refused:
            form.form_errors.append(refused.message)
            status = refused.status
            notice = notices.get_notice(current_user, notice_id)
            form.version.data = notice.version
        else:
            flash("The placement stop has been saved", "success")
            return redirect(url_for("staff.notice_page", notice_id=notice.id) + "#placement-stop")
    elif not request.form.get("csrf_token") or form.csrf_token.errors:
        return redirect(url_for("staff.notice_page", notice_id=notice.id))
    return _page(notice, stop_form=form, form=form, status=status)


@bp.post("/notices/<int:notice_id>/<step>")
@staff_required
def notice_step(notice_id, step):
    notice = notices.get_notice(current_user, notice_id)
    if step in ("issue", "withdraw") and is_draft(notice.status):
        return _on_draft_decision(notice, step)
    if step not in STEPS or not FlaskForm().validate_on_submit():
        return redirect(url_for("staff.notice_page", notice_id=notice.id))
    note = request.form.get("note", "")
    actor, target = web_actor(), notice.id
    try:
        if step == "issue":
            notices.issue(actor, current_user, notice.id)
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


def _on_draft_decision(notice, step):
    """Issue or withdraw a draft, with what its page posted saved first."""
    if step == "issue":

        def call(edit, form):
            notices.issue(web_actor(), current_user, notice.id, edit=edit)

    else:

        def call(edit, form):
            notices.withdraw(web_actor(), current_user, notice.id, form.note.data or "", edit=edit)

    return _on_draft(notice.id, call, STEPS[step])


@bp.get("/notices/<int:notice_id>/letter.pdf")
@staff_required
def notice_letter_pdf(notice_id):
    return downloads.notice_letter_pdf(notices.get_notice(current_user, notice_id))


@bp.get("/notices/files/<int:notice_file_id>")
@staff_required
def notice_file(notice_file_id):
    return evidence_download(*notices.response_file(current_user, notice_file_id))
