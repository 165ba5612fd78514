"""/api/v1 improvement plans: read a service's plan; add issues (council), add and change
actions, submit, record progress (provider); accept or return, verify or send back (council).
The same permissions as the pages; providers see only their own services' plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from qa_app.api.auth import api_actor, api_user
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import Limited, Request, Response, words
from qa_app.domain import limits
from qa_app.domain import plans as rules
from qa_app.services import plans

# A Literal built from the codes at run time (one list of codes): to a type checker, text.
if TYPE_CHECKING:
    PlanStatus = str
    ActionStatus = str
else:
    PlanStatus = Literal[words(rules.PlanStatus)]
    ActionStatus = Literal[words(rules.ActionStatus)]


class ActionOut(Response):
    id: int
    issue_id: int
    description: str
    owner: str
    target_date: date
    success_measure: str
    status: ActionStatus
    progress_grade: int | None
    progress_grade_label: str | None
    progress_evidence: str
    impact_evidence: str
    completion_note: str | None
    completed_at: datetime | None
    verified_at: datetime | None
    overdue: bool
    evidence_files: list[str]
    version: int


class IssueOut(Response):
    id: int
    source: Literal["assessment", "cqc", "manual"]
    assessment_id: int | None
    standard_code: str | None
    title: str
    rating: str | None
    percentage: int | None
    limiter: str | None
    evidence: str
    withdrawn: bool
    withdrawn_reason: str | None
    actions: list[ActionOut]


class PlanOut(Response):
    id: int
    service_id: int
    status: PlanStatus
    opened_at: datetime
    opened_because: str
    submission_due_date: date
    overdue: bool
    submitted_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    review_comments: str | None
    no_longer_below_good: str | None
    issues: list[IssueOut]
    version: int


class IssueCreate(Request):
    title: Annotated[str, Limited(limits.ISSUE_TITLE, required=True)]
    details: Annotated[str, Limited(limits.DETAILS, strip=False)] = ""


class ActionCreate(Request):
    description: Annotated[str, Limited(limits.ACTION_DESCRIPTION, strip=False)]
    owner: Annotated[str, Limited(limits.ACTION_OWNER, strip=False)]
    target_date: date
    success_measure: Annotated[str, Limited(limits.SUCCESS_MEASURE, strip=False)]


class ActionChange(Request):
    description: Annotated[str, Limited(limits.ACTION_DESCRIPTION, strip=False)] | None = None
    owner: Annotated[str, Limited(limits.ACTION_OWNER, strip=False)] | None = None
    target_date: date | None = None
    success_measure: Annotated[str, Limited(limits.SUCCESS_MEASURE, strip=False)] | None = None
    version: int | None = None


class PlanProgressBody(Request):
    progress_evidence: Annotated[str, Limited(limits.PROGRESS, strip=False)] = ""
    progress_grade: Literal[1, 2, 3, 4] | None = None
    impact_evidence: Annotated[str, Limited(limits.PROGRESS, strip=False)] = ""
    step: Literal["start", "complete"] | None = None
    note: Annotated[str, Limited(limits.PROGRESS, strip=False)] = ""
    version: int | None = None


class PlanReturnBody(Request):
    comments: Annotated[str, Limited(limits.PLAN_COMMENTS, required=True)]


class PlanReasonBody(Request):
    reason: Annotated[str, Limited(limits.REASON, required=True)]


class PlanEmpty(Request):
    pass


def plan_out(plan) -> PlanOut:
    pv = plans.view(plan)
    return PlanOut.of(
        plan,
        overdue=pv.plan_overdue,
        no_longer_below_good=plan.left_below_good_by,
        issues=[
            IssueOut.of(
                i,
                withdrawn=i.withdrawn_at is not None,
                actions=[_action_out(a, pv) for a in pv.actions.get(i.id, [])],
            )
            for i in pv.issues
        ],
    )


def _action_out(a, pv) -> ActionOut:
    return ActionOut.of(
        a,
        progress_grade_label=rules.GRADES.get(a.progress_grade),
        overdue=pv.action_overdue(a),
        evidence_files=[f.filename for f in pv.files.get(a.id, [])],
    )


def _one_action(action) -> ActionOut:
    plan = plans.get_plan(api_user(), action.plan_id)
    return _action_out(action, plans.view(plan))


@endpoint(
    "/services/<int:service_id>/improvement-plan",
    summary="A service's improvement plan (the open one, else the latest)",
    tag="improvement plans",
    response=PlanOut,
)
def get_service_plan(service_id: int):
    return plan_out(plans.plan_for_service(api_user(), service_id))


@endpoint(
    "/improvement-plans/<int:plan_id>",
    summary="One improvement plan with its issues and actions",
    tag="improvement plans",
    response=PlanOut,
)
def get_plan(plan_id: int):
    return plan_out(plans.get_plan(api_user(), plan_id))


@endpoint(
    "/improvement-plans/<int:plan_id>/issues",
    "POST",
    summary="Add an issue by hand (council staff)",
    tag="improvement plans",
    body=IssueCreate,
    response=PlanOut,
    status=201,
    errors=(409, 422),
)
def add_plan_issue(plan_id: int, body: IssueCreate):
    issue = plans.add_issue(api_actor(), api_user(), plan_id, body.title, body.details)
    return plan_out(plans.get_plan(api_user(), issue.plan_id))


@endpoint(
    "/plan-issues/<int:issue_id>/withdraw",
    "POST",
    summary="Withdraw an issue with a reason (council staff)",
    tag="improvement plans",
    body=PlanReasonBody,
    response=PlanOut,
    errors=(409, 422),
)
def withdraw_plan_issue(issue_id: int, body: PlanReasonBody):
    issue = plans.withdraw_issue(api_actor(), api_user(), issue_id, body.reason)
    return plan_out(plans.get_plan(api_user(), issue.plan_id))


@endpoint(
    "/plan-issues/<int:issue_id>/actions",
    "POST",
    summary="Add an action to an issue (the provider)",
    tag="improvement plans",
    body=ActionCreate,
    response=ActionOut,
    status=201,
    errors=(403, 409, 422),
)
def add_plan_action(issue_id: int, body: ActionCreate):
    return _one_action(plans.add_action(api_actor(), api_user(), issue_id, body.model_dump()))


@endpoint(
    "/plan-actions/<int:action_id>",
    "PATCH",
    summary="Change an action's description, owner, target date or success measure",
    tag="improvement plans",
    body=ActionChange,
    response=ActionOut,
    errors=(403, 409, 422),
)
def change_plan_action(action_id: int, body: ActionChange):
    values = body.model_dump(exclude_none=True, exclude={"version"})
    return _one_action(plans.edit_action(api_actor(), api_user(), action_id, values, body.version))


@endpoint(
    "/plan-actions/<int:action_id>/progress",
    "POST",
    summary="Record progress: evidence, grading, impact; start or complete (the provider)",
    tag="improvement plans",
    body=PlanProgressBody,
    response=ActionOut,
    errors=(403, 409, 422),
)
def record_plan_progress(action_id: int, body: PlanProgressBody):
    values = body.model_dump(exclude={"version"})
    values["step"] = values["step"] or ""
    return _one_action(
        plans.record_progress(api_actor(), api_user(), action_id, values, body.version)
    )


@endpoint(
    "/improvement-plans/<int:plan_id>/submit",
    "POST",
    summary="Send the plan to the council (the provider)",
    tag="improvement plans",
    body=PlanEmpty,
    response=PlanOut,
    errors=(403, 409),
)
def submit_plan(plan_id: int, body: PlanEmpty):
    return plan_out(plans.submit(api_actor(), api_user(), plan_id))


@endpoint(
    "/improvement-plans/<int:plan_id>/accept",
    "POST",
    summary="Accept a submitted plan (council staff)",
    tag="improvement plans",
    body=PlanEmpty,
    response=PlanOut,
    errors=(409,),
)
def accept_plan(plan_id: int, body: PlanEmpty):
    return plan_out(plans.accept(api_actor(), api_user(), plan_id))


@endpoint(
    "/improvement-plans/<int:plan_id>/return",
    "POST",
    summary="Return a submitted plan to the provider with comments (council staff)",
    tag="improvement plans",
    body=PlanReturnBody,
    response=PlanOut,
    errors=(409, 422),
)
def return_plan(plan_id: int, body: PlanReturnBody):
    return plan_out(plans.return_plan(api_actor(), api_user(), plan_id, body.comments))


@endpoint(
    "/plan-actions/<int:action_id>/verify",
    "POST",
    summary="Verify a completed action (council staff)",
    tag="improvement plans",
    body=PlanEmpty,
    response=ActionOut,
    errors=(409,),
)
def verify_plan_action(action_id: int, body: PlanEmpty):
    return _one_action(plans.verify(api_actor(), api_user(), action_id))


@endpoint(
    "/plan-actions/<int:action_id>/reopen",
    "POST",
    summary="Send a completed action back to in progress, with a reason (council staff)",
    tag="improvement plans",
    body=PlanReasonBody,
    response=ActionOut,
    errors=(409, 422),
)
def reopen_plan_action(action_id: int, body: PlanReasonBody):
    return _one_action(plans.reopen(api_actor(), api_user(), action_id, body.reason))
