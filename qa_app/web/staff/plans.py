"""Staff pages for improvement plans: the list, a plan, issues, review and verification."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField

from qa_app.domain import limits
from qa_app.domain import plans as rules
from qa_app.services import audit, plans, registry
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import (
    StepForm,
    StepForms,
    one_of,
    page_number,
    posted_id,
    text_area,
    text_input,
)
from qa_app.web.plan_files import add_plan_file_routes
from qa_app.web.staff import bp
from qa_app.web.views import plan_context


class AddIssueForm(StepForm):
    title = text_input("What needs to improve", limits.ISSUE_TITLE, id="issue-title")
    details = text_area(
        "Details the provider will see",
        limits.DETAILS,
        id="issue-details",
        description="The provider sees this. Do not include a concern's raw details or who "
        "raised it.",
    )


class WithdrawIssueForm(StepForm):
    plan_id = HiddenField()  # the page to show again
    reason = text_area("Reason", limits.REASON, id="withdraw-{key}")


class ReviewForm(StepForm):
    decision = HiddenField()  # accept or return: the button's form says which
    comments = text_area("Comments for the provider", limits.PLAN_COMMENTS, id="comments")


class CheckActionForm(StepForm):
    plan_id = HiddenField()
    decision = HiddenField()  # verify or reopen
    reason = text_area("Why it is not complete yet", limits.REASON, id="reopen-{key}")


STATUS_CHOICES = {rules.LIST_OPEN: "Open (any stage)", **rules.STATUS_LABELS, rules.LIST_ALL: "Any"}


@bp.get("/plans")
@staff_required
def plan_list():
    filters = plans.PlanFilters(
        status=one_of(request.args.get("status"), STATUS_CHOICES, rules.LIST_OPEN),
        overdue=request.args.get("overdue") == "1",
        officer_id=posted_id(request.args.get("officer_id")),
        page=page_number(request.args.get("page")),
    )
    rows, page = plans.list_plans(filters)
    return render_template(
        "staff/plans/list.html",
        rows=rows,
        page=page,
        filters=filters,
        statuses=STATUS_CHOICES,
        labels=rules.STATUS_LABELS,
        officers=registry.staff_users(),
        today=london_today(),
        plan_overdue=rules.plan_overdue,
        section="plans",
    )


@bp.get("/plans/<int:plan_id>")
@staff_required
def plan_page(plan_id):
    return _plan_page(plans.get_plan(current_user, plan_id))


def _plan_page(plan, posted: StepForm | None = None, status=200):
    pv = plans.view(plan)
    events = audit.history_of(
        {
            "improvement_plan": [plan.id],
            "plan_issue": [issue.id for issue in pv.issues],
            "plan_action": [action.id for action in pv.all_actions],
            "evidence_file": [f.id for files in pv.files.values() for f in files],
        }
    )
    return (
        render_template(
            "staff/plans/show.html",
            section="plans",
            form=posted,
            step=StepForms(
                posted,
                add_issue=AddIssueForm,
                withdraw=WithdrawIssueForm,
                review=ReviewForm,
                reopen=CheckActionForm,
            ),
            history=events,
            names=audit.names_for(events),
            **plan_context(pv),
        ),
        status,
    )


def _back(plan_id, anchor=None):
    if not plan_id:
        return redirect(url_for("staff.plan_list"))
    return redirect(url_for("staff.plan_page", plan_id=plan_id, _anchor=anchor))


def _refused(plan_id, form: StepForm, refused: ValidationFailed | Conflict | None = None):
    """The plan page again with why the step was refused beside its box, and what was typed
    still in it (rather than a banner after a redirect, which would lose it)."""
    if refused is not None:
        form.refuse(refused)
    if not plan_id:
        return redirect(url_for("staff.plan_list"))
    return _plan_page(
        plans.get_plan(current_user, plan_id),
        posted=form,
        status=refused.status if refused is not None else 422,
    )


def _step(plan_id, form: StepForm, act):
    """A posted step on a plan: refused (the plan page again, with why) unless the form is
    valid and `act()` succeeds; `act` returns the message to flash and where to go back to
    (the plan's id and the part of its page)."""
    if not form.validate_on_submit():
        return _refused(plan_id, form)
    try:
        message, back_id, anchor = act()
    except (ValidationFailed, Conflict) as refused:
        return _refused(plan_id, form, refused)
    flash(message, "success")
    return _back(back_id, anchor)


@bp.post("/plans/<int:plan_id>/issues")
@staff_required
def plan_issue_add(plan_id):
    form = AddIssueForm()

    def act():
        issue = plans.add_issue(
            web_actor(), current_user, plan_id, form.title.data or "", form.details.data or ""
        )
        return "The issue has been added to the plan", plan_id, f"issue-{issue.id}"

    return _step(plan_id, form, act)


@bp.post("/plans/issues/<int:issue_id>/withdraw")
@staff_required
def plan_issue_withdraw(issue_id):
    form = WithdrawIssueForm(key=issue_id)

    def act():
        issue = plans.withdraw_issue(web_actor(), current_user, issue_id, form.reason.data or "")
        return "The issue has been withdrawn", issue.plan_id, f"issue-{issue_id}"

    return _step(posted_id(form.plan_id.data) or 0, form, act)


@bp.post("/plans/<int:plan_id>/review")
@staff_required
def plan_review(plan_id):
    form = ReviewForm()

    def act():
        if form.decision.data == "accept":
            plans.accept(web_actor(), current_user, plan_id)
            message = "The plan has been accepted: the provider can now record progress"
        elif form.decision.data == "return":
            plans.return_plan(web_actor(), current_user, plan_id, form.comments.data or "")
            message = "The plan has been returned to the provider with your comments"
        else:
            raise ValidationFailed({"decision": "Choose whether to accept the plan or return it"})
        return message, plan_id, None

    return _step(plan_id, form, act)


@bp.post("/plans/actions/<int:action_id>/check")
@staff_required
def plan_action_check(action_id):
    form = CheckActionForm(key=action_id)

    def act():
        if form.decision.data == "verify":
            action = plans.verify(web_actor(), current_user, action_id)
            message = "The action has been verified"
        elif form.decision.data == "reopen":
            action = plans.reopen(web_actor(), current_user, action_id, form.reason.data or "")
            message = "The action has been sent back to the provider"
        else:
            raise ValidationFailed(
                {"decision": "Choose whether to verify the action or send it back"}
            )
        return message, action.plan_id, f"action-{action_id}"

    return _step(posted_id(form.plan_id.data) or 0, form, act)


add_plan_file_routes(bp, staff_required)
