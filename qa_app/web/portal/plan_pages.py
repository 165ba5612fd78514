"""The provider's side of improvement plans: read the plan, write actions, submit, record
progress and upload evidence."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput
from wtforms import HiddenField, RadioField

from qa_app.domain import limits
from qa_app.domain import plans as rules
from qa_app.domain.codes import whole_number
from qa_app.services import plans
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import provider_required, web_actor
from qa_app.web.forms import (
    ButtonForm,
    GovDateField,
    apply_errors,
    ask_for_file_again,
    edit_form,
    options,
    take_conflict,
    text_area,
    text_input,
)
from qa_app.web.plan_files import add_plan_file_routes
from qa_app.web.portal import bp
from qa_app.web.views import PlanPage, plan_context


class ActionForm(FlaskForm):
    version = HiddenField()
    description = text_area(
        "Action", limits.ACTION_DESCRIPTION, description="What you will do to put the issue right"
    )
    owner = text_input(
        "Owner (responsibility)",
        limits.ACTION_OWNER,
        description="The named person responsible, for example Jo Smith, registered manager",
    )
    target_date = GovDateField("Target date", description="For example, 31 1 2027")
    success_measure = text_area(
        "Success measure",
        limits.SUCCESS_MEASURE,
        description="How you and the council will know the action has worked",
    )

    def values(self) -> dict:
        return {
            "description": self.description.data or "",
            "owner": self.owner.data or "",
            "target_date": self.target_date.data,
            "success_measure": self.success_measure.data or "",
        }


class ProgressForm(FlaskForm):
    version = HiddenField()
    progress_evidence = text_area("Evidence of progress", limits.PROGRESS)
    progress_grade = RadioField(
        "Progress grading",
        widget=GovRadioInput(),
        choices=options((str(k), v) for k, v in rules.GRADES.items()),
        validate_choice=False,
    )
    impact_evidence = text_area("Evidence of impact", limits.PROGRESS)
    step = RadioField(
        "Is the action complete?",
        widget=GovRadioInput(),
        choices=options(
            [("", "Not yet: save the progress"), ("complete", "Yes: the action is complete")]
        ),
        validate_choice=False,
        default="",
    )
    note = text_area(
        "What was done to complete it",
        limits.PROGRESS,
        description="Needed when the action is complete",
    )
    file = FileField(
        "Evidence file (optional)",
        widget=GovFileInput(),
        description=f"A {plans.ALLOWED_WORDS} file, 10 MB or smaller",
    )

    def chosen_file(self):
        upload = self.file.data
        return upload if upload is not None and getattr(upload, "filename", "") else None

    def values(self) -> dict:
        return {
            "progress_evidence": self.progress_evidence.data,
            "impact_evidence": self.impact_evidence.data,
            "progress_grade": self.progress_grade.data or "",
            "step": self.step.data or "",
            "note": self.note.data,
        }

    def nothing_entered(self) -> bool:
        return not self.chosen_file() and not any(
            (value or "").strip() for value in self.values().values()
        )


@bp.get("/plans/<int:plan_id>")
@provider_required
def plan_page(plan_id):
    return _plan_page(plans.get_plan(current_user, plan_id))


def _plan_page(plan, problems=None, status=200):
    return render_template(
        "portal/plan.html", section="home", problems=problems, **plan_context(plans.view(plan))
    ), status


def _refusal_status(form) -> int:
    """A form sent back with problems: 409 when the plan's state refused it, else 422."""
    return 409 if form.form_errors else 422


def _all_problems(form: ActionForm) -> None:
    """When the form itself refused something (a date that is not real), still list every
    other problem, so that the error summary shows all of them at once."""
    problems = rules.check_action(form.values(), london_today())
    apply_errors(form, {k: v for k, v in problems.items() if not getattr(form, k).errors})


@bp.route("/plans/issues/<int:issue_id>/actions/new", methods=["GET", "POST"])
@provider_required
def action_new(issue_id):
    issue, plan = plans.issue_for(current_user, issue_id)
    form = ActionForm()
    return _action_page(
        form,
        issue,
        plan,
        None,
        lambda: plans.add_action(web_actor(), current_user, issue_id, form.values()),
        "The action has been added",
        f"issue-{issue.id}",
    )


@bp.route("/plans/actions/<int:action_id>/edit", methods=["GET", "POST"])
@provider_required
def action_edit(action_id):
    action, issue, plan = plans.action_for(current_user, action_id)
    form = edit_form(ActionForm, action)
    return _action_page(
        form,
        issue,
        plan,
        action,
        lambda: plans.edit_action(
            web_actor(),
            current_user,
            action_id,
            form.values(),
            whole_number(form.version.data, max_digits=9),
        ),
        "The action has been saved",
        f"action-{action_id}",
    )


def _action_page(form: ActionForm, issue, plan, action, save, saved: str, anchor: str):
    """The action form (new or edit): on a good post, `save()` and back to the plan at `anchor`;
    otherwise the form again with every problem, or what someone else saved first."""
    if form.is_submitted():
        form.validate()
        if form.errors:
            _all_problems(form)
        else:
            try:
                save()
            except ValidationFailed as failed:
                apply_errors(form, failed.errors)
            except Conflict as refused:
                take_conflict(form, refused)  # what was typed stays on the page
            else:
                flash(saved, "success")
                return redirect(url_for("portal.plan_page", plan_id=plan.id, _anchor=anchor))
    return render_template(
        "portal/action_form.html",
        form=form,
        issue=issue,
        plan=plan,
        action=action,
        section="home",
    ), (_refusal_status(form) if form.is_submitted() else 200)


@bp.post("/plans/<int:plan_id>/submit")
@provider_required
def plan_submit(plan_id):
    if ButtonForm().validate_on_submit():
        try:
            plans.submit(web_actor(), current_user, plan_id)
        except Conflict as refused:
            return _submit_refused(plans.get_plan(current_user, plan_id), refused)
        flash("Your plan has been sent to the council for review", "success")
    return redirect(url_for("portal.plan_page", plan_id=plan_id))


def _submit_refused(plan, refused: Conflict):
    """The plan again, saying why it cannot be sent: beside each issue still without an action
    (the summary links to its "Add an action" button), or for the plan as a whole."""
    pv = plans.view(plan)
    problems = {"": refused.message}
    if plan.status in rules.WITH_PROVIDER and pv.issues_without_actions:
        problems = {
            f"add-action-{issue.id}": f"Add at least one action for the issue “{issue.title}”"
            for issue in pv.issues_without_actions
        }
    return _plan_page(plan, problems=problems, status=refused.status)


@bp.route("/plans/actions/<int:action_id>/progress", methods=["GET", "POST"])
@provider_required
def action_progress(action_id):
    """The progress form, offered only while progress can be recorded; otherwise the page says
    what happens next. A refused update keeps nothing (not the file either) and says so."""
    action, issue, plan = plans.action_for(current_user, action_id)
    form = ProgressForm()
    if request.method == "GET":
        form.version.data = action.version
        form.progress_evidence.data = action.progress_evidence
        form.impact_evidence.data = action.impact_evidence
        form.progress_grade.data = str(action.progress_grade or "")
    status, not_saved = 200, {}
    if form.is_submitted():
        form.validate()
        if not form.errors and form.nothing_entered():
            form.progress_evidence.errors.append(
                "Enter the evidence of progress, choose a grading, or choose a file"
            )
        upload = form.chosen_file()
        if not form.errors:
            try:
                plans.record_progress(
                    web_actor(),
                    current_user,
                    action_id,
                    form.values(),
                    whole_number(form.version.data, max_digits=9),
                    evidence=(
                        (upload.filename, upload.read(plans.MAX_EVIDENCE_BYTES + 1))
                        if upload
                        else None
                    ),
                )
            except ValidationFailed as failed:
                apply_errors(form, failed.errors)
            except Conflict as refused:
                take_conflict(form, refused)
                status = refused.status
            else:
                flash(
                    "The action is complete: the council will verify it"
                    if form.step.data == "complete"
                    else "Your progress has been saved",
                    "success",
                )
                return redirect(
                    url_for("portal.plan_page", plan_id=plan.id, _anchor=f"action-{action.id}")
                )
        status = status if status != 200 else 422
        action, issue, plan = plans.action_for(current_user, action_id)  # as it is now
    pv = plans.view(plan)
    can_record = PlanPage(plan, pv).can_record_progress(action)
    if form.is_submitted() and can_record:
        ask_for_file_again(form, form.file)
    if form.is_submitted() and not can_record:
        # the form is no longer offered: show what was typed, so that nothing is lost
        not_saved = {
            form[name].label.text: text.strip()
            for name in ("progress_evidence", "impact_evidence", "note")
            if (text := form[name].data or "").strip()
        }
    return render_template(
        "portal/action_progress.html",
        form=form,
        issue=issue,
        plan=plan,
        action=action,
        files=pv.files.get(action.id, []),
        action_labels=rules.ACTION_LABELS,
        can_record=can_record,
        sent_back=PlanPage.sent_back(action),
        next_step=_what_happens_next(plan, action),
        not_saved=not_saved,
        section="home",
    ), status


def _what_happens_next(plan, action) -> str:
    """What the provider can expect, when progress cannot be recorded on the action now."""
    if plan.status in rules.WITH_PROVIDER:
        return (
            "Progress is recorded once the council has accepted the plan. Write at least one "
            "action for every issue, then send the plan to the council from the plan page."
        )
    if plan.status == rules.SUBMITTED:
        return (
            "The council is reviewing your plan. Once it accepts the plan, you can record "
            "progress on this action here, with evidence files."
        )
    if action.status == rules.DONE:
        return (
            "This action is marked complete. The council will verify it, or send it back to you "
            "if more is needed; you can then record progress here again."
        )
    return "The council has verified this action. Nothing more is needed for it."


add_plan_file_routes(bp, provider_required)
