"""The provider's steps on a plan: actions written and changed, the plan submitted, progress
recorded (with an evidence file or without)."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date

from sqlalchemy import func, select

from qa_app.domain import evidence_files, limits
from qa_app.domain import plans as rules
from qa_app.domain.changes import created
from qa_app.extensions import db
from qa_app.models import ImprovementPlan, PlanAction, PlanIssue, User
from qa_app.models.types import utcnow
from qa_app.services import audit, evidence_store, notifications
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.plans.evidence import add_evidence_record
from qa_app.services.plans.reading import (
    action_and_plan,
    get_plan,
    issue_for,
    provider_only,
)
from qa_app.services.plans.steps import action_changed, plan_step
from qa_app.services.transaction import unit_of_work

ACTION_FIELDS = ("description", "owner", "target_date", "success_measure")


def _clean(values: dict) -> dict:
    clean = {}
    for name in ACTION_FIELDS:
        value = values.get(name)
        clean[name] = value.strip() if isinstance(value, str) else value
    return clean


def add_action(
    actor: Actor, viewer: User, issue_id: int, values: dict, today: date | None = None
) -> PlanAction:
    issue, plan = issue_for(viewer, issue_id)
    provider_only(viewer)
    if issue.withdrawn_at is not None:
        raise Conflict("This issue has been withdrawn by the council")
    if refusal := rules.add_action_refusal(plan.status):
        raise Conflict(refusal)
    values = _clean(values)
    errors = rules.check_action(values, today or london_today())
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        action = PlanAction(
            plan_id=plan.id,
            issue_id=issue.id,
            status=rules.OPEN,
            created_by_label=actor.label,
            **values,
        )
        audit.record_new(
            actor,
            "plan_action",
            action,
            "added",
            created({k: v for k, v in values.items() if k != "success_measure"}),
            plan.service_id,
        )
    return action


def edit_action(
    actor: Actor,
    viewer: User,
    action_id: int,
    values: dict,
    expected_version: int | None = None,
    today: date | None = None,
) -> PlanAction:
    action, plan = action_and_plan(viewer, action_id)
    provider_only(viewer)
    if refusal := rules.edit_action_refusal(plan.status, action.status):
        raise Conflict(refusal)
    if expected_version is not None and expected_version != action.version:
        raise Conflict(
            "Someone else changed this action since you opened it",
            current={k: getattr(action, k) for k in ACTION_FIELDS},
            current_version=action.version,
        )
    values = _clean({**{k: getattr(action, k) for k in ACTION_FIELDS}, **values})
    today = today or london_today()
    errors = rules.check_action(values, today)
    if errors.get("target_date") and values.get("target_date") == action.target_date:
        errors.pop("target_date")  # an unchanged past date is not a new mistake
    if errors:
        raise ValidationFailed(errors)
    changes = {k: [getattr(action, k), v] for k, v in values.items() if getattr(action, k) != v}
    if not changes:
        return action
    with unit_of_work():
        for name, (_old, new) in changes.items():
            setattr(action, name, new)
        if "target_date" in changes and not rules.action_overdue(
            action.status, action.target_date, today
        ):
            action.overdue_at = None
        action_changed(actor, plan, action, "changed", changes)
    return action


def submit(actor: Actor, viewer: User, plan_id: int) -> ImprovementPlan:
    plan = get_plan(viewer, plan_id)
    provider_only(viewer, "submit the plan")
    counts = db.session.execute(
        select(PlanIssue.title, func.count(PlanAction.id))
        .outerjoin(PlanAction, PlanAction.issue_id == PlanIssue.id)
        .where(PlanIssue.plan_id == plan.id, PlanIssue.withdrawn_at.is_(None))
        .group_by(PlanIssue.id, PlanIssue.title, PlanIssue.position)
        .order_by(PlanIssue.position)
    ).all()
    refusal = rules.submit_refusal(plan.status, [(t, n) for t, n in counts])
    if refusal:
        raise Conflict(refusal)

    def submitted(p: ImprovementPlan) -> None:
        p.status, p.submitted_at, p.overdue_at = rules.SUBMITTED, utcnow(), None
        notifications.plan_submitted(p)  # in the step's unit of work

    return plan_step(actor, plan, "submitted", submitted)


GRADE_VALUES = tuple(rules.GRADES)


def record_progress(
    actor: Actor,
    viewer: User,
    action_id: int,
    values: dict,
    expected_version: int | None = None,
    evidence: tuple[str, bytes] | None = None,
) -> PlanAction:
    """The provider's update: evidence of progress, grading, evidence of impact, optionally a
    step (`start` or `complete`; completing needs a progress note) and optionally an evidence
    file (`evidence`: its name and content). All of it is kept, or none of it: a file is never
    dropped while the rest is saved, nor kept when the update is refused."""
    action, plan = action_and_plan(viewer, action_id)
    provider_only(viewer, "record progress")
    refusal = rules.progress_refusal(plan.status, action.status)
    if refusal:
        if evidence is not None:
            refusal = (
                f"{evidence_files.safe_name(evidence[0])} was not uploaded and nothing was "
                f"saved. {refusal}"
            )
        raise Conflict(refusal)
    step = values.get("step") or ""
    errors = {}
    grade = values.get("progress_grade")
    if grade in ("", None):
        grade = action.progress_grade
    else:
        try:
            grade = int(grade)
        except (TypeError, ValueError):
            grade = 0
        if grade not in GRADE_VALUES:
            errors["progress_grade"] = "Choose a grading from 1 Fully achieved to 4 Not achieved"
    progress = (values.get("progress_evidence") or "").strip()
    impact = (values.get("impact_evidence") or "").strip()
    note = (values.get("note") or "").strip()
    for name, text in (
        ("progress_evidence", progress),
        ("impact_evidence", impact),
        ("note", note),
    ):
        if problem := limits.PROGRESS.problem(text):
            errors[name] = problem
    if step not in ("", "start", "complete"):
        errors["step"] = "The step is start or complete"
    if step == "complete" and not note:
        errors["note"] = "Say what was done to complete the action"
    file = None
    if evidence is not None:
        try:
            file = evidence_store.check(*evidence)
        except ValidationFailed as refused:
            errors.update(refused.errors)
    if errors:
        raise ValidationFailed(errors)
    if expected_version is not None and expected_version != action.version:
        raise Conflict(
            "Someone else updated this action since you opened it",
            current_version=action.version,
        )
    with ExitStack() as kept:
        stored = kept.enter_context(evidence_store.store(file, actor.label)) if file else None
        with unit_of_work():
            changes = {}
            for name, value in (
                ("progress_evidence", progress or action.progress_evidence),
                ("impact_evidence", impact or action.impact_evidence),
                ("progress_grade", grade),
            ):
                if getattr(action, name) != value:
                    changes[name] = [getattr(action, name), value]
                    setattr(action, name, value)
            before = action.status
            if step == "start" and action.status == rules.OPEN:
                action.status = rules.IN_PROGRESS
            elif step == "complete":
                action.status, action.completed_at = rules.DONE, utcnow()
                action.completion_note = note
                if not action.progress_grade:
                    action.progress_grade = 1
            elif (changes or file) and action.status == rules.OPEN:
                action.status = rules.IN_PROGRESS
            if action.status != before:
                changes["status"] = [before, action.status]
            if stored:
                add_evidence_record(actor, action, plan, stored)
            if not changes:
                return action
            action_changed(
                actor,
                plan,
                action,
                "completed" if step == "complete" else "progress_recorded",
                {
                    k: v
                    for k, v in changes.items()
                    if k not in ("progress_evidence", "impact_evidence")
                }
                | ({"note": [None, note[:500]]} if note else {}),
            )
    return action
