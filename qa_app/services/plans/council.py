"""The council's steps on a plan: issues added and withdrawn, the plan accepted or returned,
actions verified or sent back, and the plan completed when every action is verified."""

from __future__ import annotations

from sqlalchemy import func, select

from qa_app.domain import limits
from qa_app.domain import plans as rules
from qa_app.extensions import db
from qa_app.models import ImprovementPlan, PlanAction, PlanIssue, User
from qa_app.models.types import utcnow
from qa_app.services import audit, notifications
from qa_app.services.actors import Actor
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.follow_on import service_changed
from qa_app.services.plans.reading import action_and_plan, get_plan, issue_for, staff_only
from qa_app.services.plans.steps import action_changed, plan_step
from qa_app.services.transaction import unit_of_work


def add_issue(actor: Actor, viewer: User, plan_id: int, title: str, details: str) -> PlanIssue:
    staff_only(viewer)
    plan = get_plan(viewer, plan_id)
    if refusal := rules.issue_refusal(plan.status):
        raise Conflict(refusal)
    title, details = (title or "").strip(), (details or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Say what needs to improve"
    elif problem := limits.ISSUE_TITLE.problem(title):
        errors["title"] = problem
    if problem := limits.DETAILS.problem(details):
        errors["details"] = problem
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        position = (
            db.session.scalar(
                select(func.max(PlanIssue.position)).where(PlanIssue.plan_id == plan.id)
            )
            or 0
        )
        issue = PlanIssue(
            plan_id=plan.id,
            source="manual",
            title=title,
            evidence=details,
            added_by_label=actor.label,
            position=position + 1,
        )
        audit.record_new(
            actor, "plan_issue", issue, "added", {"title": [None, title]}, plan.service_id
        )
    return issue


def withdraw_issue(actor: Actor, viewer: User, issue_id: int, reason: str) -> PlanIssue:
    staff_only(viewer)
    issue, plan = issue_for(viewer, issue_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the issue is being withdrawn"})
    if problem := limits.REASON.problem(reason):
        raise ValidationFailed({"reason": problem})
    if issue.withdrawn_at is not None:
        raise Conflict("The issue has already been withdrawn")
    if refusal := rules.issue_refusal(plan.status, withdrawing=True):
        raise Conflict(refusal)
    with unit_of_work():
        issue.withdrawn_at, issue.withdrawn_reason = utcnow(), reason
        db.session.flush()
        _complete_if_done(actor, plan)
        audit.record(
            actor,
            "plan_issue",
            issue.id,
            "withdrawn",
            {"reason": [None, reason[:500]]},
            plan.service_id,
        )
    return issue


def accept(actor: Actor, viewer: User, plan_id: int) -> ImprovementPlan:
    staff_only(viewer)
    plan = get_plan(viewer, plan_id)
    refusal = rules.review_refusal(plan.status)
    if refusal:
        raise Conflict(refusal)

    def change(p):
        p.status, p.accepted_at = rules.ACCEPTED, utcnow()
        p.reviewed_at, p.reviewed_by_label = p.accepted_at, actor.label
        notifications.plan_reviewed(p, accepted=True)  # in the step's unit of work

    return plan_step(actor, plan, "accepted", change)


def return_plan(actor: Actor, viewer: User, plan_id: int, comments: str) -> ImprovementPlan:
    staff_only(viewer)
    plan = get_plan(viewer, plan_id)
    comments = (comments or "").strip()
    if not comments:
        raise ValidationFailed({"comments": "Tell the provider what to change"})
    if problem := limits.PLAN_COMMENTS.problem(comments):
        raise ValidationFailed({"comments": problem})
    refusal = rules.review_refusal(plan.status)
    if refusal:
        raise Conflict(refusal)

    def change(p):
        p.status, p.reviewed_at, p.reviewed_by_label = rules.RETURNED, utcnow(), actor.label
        p.review_comments = comments
        notifications.plan_reviewed(p, accepted=False)  # in the step's unit of work

    return plan_step(actor, plan, "returned", change, {"comments": [None, comments[:500]]})


def verify(actor: Actor, viewer: User, action_id: int) -> PlanAction:
    staff_only(viewer)
    action, plan = action_and_plan(viewer, action_id)
    refusal = rules.action_step_refusal(plan.status, action.status, "verify")
    if refusal:
        raise Conflict(refusal)
    with unit_of_work():
        action.status, action.verified_at, action.verified_by_label = (
            rules.VERIFIED,
            utcnow(),
            actor.label,
        )
        db.session.flush()
        _complete_if_done(actor, plan)
        service_changed(actor, plan.service)
        audit.record(
            actor,
            "plan_action",
            action.id,
            "verified",
            {"status": [rules.DONE, rules.VERIFIED]},
            plan.service_id,
        )
    return action


def reopen(actor: Actor, viewer: User, action_id: int, reason: str) -> PlanAction:
    staff_only(viewer)
    action, plan = action_and_plan(viewer, action_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the action is not yet complete"})
    if problem := limits.REASON.problem(reason):
        raise ValidationFailed({"reason": problem})
    refusal = rules.action_step_refusal(plan.status, action.status, "reopen")
    if refusal:
        raise Conflict(refusal)
    with unit_of_work():
        action.status, action.reopened_reason, action.completed_at = (
            rules.IN_PROGRESS,
            reason,
            None,
        )
        action_changed(
            actor,
            plan,
            action,
            "sent_back",
            {"status": [rules.DONE, rules.IN_PROGRESS], "reason": [None, reason[:500]]},
        )
    return action


def _complete_if_done(actor: Actor, plan: ImprovementPlan) -> None:
    if plan.status != rules.ACCEPTED:
        return
    statuses = list(
        db.session.scalars(
            select(PlanAction.status)
            .join(PlanIssue, PlanAction.issue_id == PlanIssue.id)
            .where(PlanAction.plan_id == plan.id, PlanIssue.withdrawn_at.is_(None))
        )
    )
    if rules.plan_complete(statuses):
        plan.status, plan.completed_at = rules.COMPLETED, utcnow()
        audit.record(
            actor,
            "improvement_plan",
            plan.id,
            "completed",
            {"status": [rules.ACCEPTED, rules.COMPLETED]},
            plan.service_id,
        )
