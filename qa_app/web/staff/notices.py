"""Staff pages for notices of concern and contract breach notices: list, page, drafting,
recording whether requirements are met, the manager's decisions, and the letter."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField

from qa_app.domain import limits
from qa_app.domain.codes import whole_number
from qa_app.domain.concerns import SOURCES
from qa_app.domain.notices import (
    ASSESS_CHOICES,
    KINDS,
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
    StepForm,
    StepForms,
    apply_errors,
    one_of,
    options,
    page_number,
    posted_id,
    text_area,
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
    grounds = text_area(
        "Grounds",
        limits.GROUNDS,
        description="Why the council is issuing this notice, in words the provider will read.",
    )
    placement_stop_start = GovDateField(
        "Placement stop from (optional)",
        validators=[OptionalDate()],
        description="Leave blank for no placement stop. For example, 1 12 2026",
    )
    text = text_area("What the provider must do", limits.REQUIREMENT)
    due_date = GovDateField("Due by", validators=[OptionalDate()])
    note = text_area("Why it is not being issued", limits.NOTE)


def _note_form(name: str, label: str, input_id: str) -> type[StepForm]:
    """The form of a step on a notice that takes a note (its id on the notice page)."""
    note = text_area(label, limits.NOTE, id=input_id)
    return type(name, (StepForm,), {"note": note})


#: step → its form: a note, in the box the notice page has for it (issuing and withdrawing a
#: draft post the draft's form instead; from any other page, they are refused in words)
STEP_FORMS = {
    "issue": _note_form("IssueForm", "Note", "note"),
    "lift": _note_form("LiftForm", "Note (optional)", "lift-note"),
    "escalate": _note_form("EscalateForm", "Why", "escalate-note"),
    "withdraw": _note_form("WithdrawForm", "Why it is not being issued", "withdraw-note"),
    "remedy": _note_form("RemedyForm", "Note (optional)", "remedy-note"),
    "recommend_termination": _note_form("TerminationForm", "Reasons", "termination-note"),
    "lift_stop": _note_form("LiftStopForm", "Why it is being lifted", "stop-note"),
}


class AssessForm(StepForm):
    """Whether a requirement is met, on the notice page (one for each requirement)."""

    status = RadioField(
        "Is it met?",
        choices=options((str(code), label) for code, label in ASSESS_CHOICES),
        id="assess-{key}-met",  # the first choice's radio
        validate_choice=False,  # the use case says what is wrong, in words
    )
    note = text_area("Note (say what is missing if not met)", limits.NOTE, id="assess-note-{key}")


class StopForm(FlaskForm):
    """A placement stop added to a notice in force, or a planned one moved."""

    version = HiddenField(id="stop-version")
    placement_stop_start = GovDateField(
        "Placement stop from", validators=[OptionalDate()], id="stop-start"
    )
    note = text_area("Why", limits.NOTE, id="stop-why")


def _page(notice, draft_form=None, stop_form=None, form=None, status=200):
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
            sources=SOURCES,
            history=(events := audit.entity_history("notice", notice.id)),
            names=audit.names_for(events),
            step=StepForms(
                form if isinstance(form, StepForm) else None, assess=AssessForm, **STEP_FORMS
            ),
            section="notices",
        ),
        status,
    )


@bp.get("/notices")
@staff_required
def notice_list():
    filters = notices.NoticeFilters(
        kind=one_of(request.args.get("kind"), KINDS),
        status=one_of(request.args.get("status"), STATUS_LABELS),
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
        version=whole_number(seen, max_digits=9),
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
    form = AssessForm(key=requirement_id)
    if not form.validate_on_submit():
        return _page(notice, form=form, status=422)
    try:
        notices.assess_requirement(
            web_actor(),
            current_user,
            notice.id,
            requirement_id,
            form.status.data or "",
            form.note.data or "",
        )
    except (ValidationFailed, Conflict) as refused:
        return _refused(notice, form, refused)
    flash("Your assessment of the requirement has been recorded", "success")
    return redirect(url_for("staff.notice_page", notice_id=notice.id) + "#requirements")


def _refused(notice, form: StepForm, refused: ValidationFailed | Conflict):
    """The notice page again, with why the step was refused and what was typed."""
    form.refuse(refused)
    return _page(notices.get_notice(current_user, notice.id), form=form, status=refused.status)


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
                expected_version=whole_number(seen, max_digits=9),
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
    if step not in STEPS:
        return redirect(url_for("staff.notice_page", notice_id=notice.id))
    form = STEP_FORMS[step]()
    if not form.validate_on_submit():
        return _page(notice, form=form, status=422)
    note = form.note.data or ""
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
        return _refused(notice, form, refused)
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
