"""Reading improvement plans, and who may see and do what: a plan another provider owns is
missing, word for word (SPEC section 10)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, select

from qa_app.domain import plans as rules
from qa_app.domain.roles import STAFF_ROLES
from qa_app.extensions import db
from qa_app.models import EvidenceFile, ImprovementPlan, PlanAction, PlanIssue, User
from qa_app.services.calendar import london_today
from qa_app.services.errors import Forbidden, NotFound, found
from qa_app.services.registry import get_service


def _visible(
    viewer: User, plan: ImprovementPlan | None, not_found: str = "Improvement plan not found"
) -> ImprovementPlan:
    if plan is None or (
        viewer.role not in STAFF_ROLES and plan.service.provider_id != viewer.provider_id
    ):
        raise NotFound(not_found)
    return plan


def get_plan(viewer: User, plan_id: int) -> ImprovementPlan:
    return _visible(viewer, db.session.get(ImprovementPlan, plan_id))


def plan_of(viewer: User, record, not_found: str) -> ImprovementPlan:
    """The plan of an issue, action or file the viewer asked for by id. Another provider's
    record gets the same 404 as one that does not exist, word for word (SPEC section 10)."""
    if record is None:
        raise NotFound(not_found)
    return _visible(viewer, db.session.get(ImprovementPlan, record.plan_id), not_found)


def plan_for_service(viewer: User, service_id: int) -> ImprovementPlan:
    """The service's open plan, or else its latest one."""
    service = get_service(viewer, service_id)
    return found(
        db.session.scalar(
            select(ImprovementPlan)
            .where(ImprovementPlan.service_id == service.id)
            .order_by(
                case((ImprovementPlan.status.in_(rules.OPEN_STATUSES), 0), else_=1),
                ImprovementPlan.opened_at.desc(),
                ImprovementPlan.id.desc(),
            )
            .limit(1)
        ),
        "This service has no improvement plan",
    )


def latest_plan_or_none(viewer: User, service_id: int) -> ImprovementPlan | None:
    try:
        return plan_for_service(viewer, service_id)
    except NotFound:
        return None


@dataclass
class PlanView:
    """A plan with its issues, their actions and the actions' files (four statements)."""

    plan: ImprovementPlan
    issues: list[PlanIssue]
    actions: dict[int, list[PlanAction]]  # issue id → actions
    files: dict[int, list[EvidenceFile]]  # action id → files
    today: date
    overdue_actions: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def plan_overdue(self) -> bool:
        return rules.plan_overdue(self.plan.status, self.plan.submission_due_date, self.today)

    def action_overdue(self, action: PlanAction) -> bool:
        return rules.action_overdue(action.status, action.target_date, self.today)

    @property
    def open_issues(self) -> list[PlanIssue]:
        return [i for i in self.issues if i.withdrawn_at is None]

    @property
    def issues_without_actions(self) -> list[PlanIssue]:
        """Open issues with no action yet: the plan cannot be sent to the council."""
        return [i for i in self.open_issues if not self.actions.get(i.id)]

    @property
    def all_actions(self) -> list[PlanAction]:
        return [a for issue in self.issues for a in self.actions.get(issue.id, [])]


def view(plan: ImprovementPlan, today: date | None = None) -> PlanView:
    today = today or london_today()
    issues = list(
        db.session.scalars(
            select(PlanIssue)
            .where(PlanIssue.plan_id == plan.id)
            .order_by(PlanIssue.position, PlanIssue.id)
        )
    )
    actions: dict[int, list[PlanAction]] = {}
    for action in db.session.scalars(
        select(PlanAction).where(PlanAction.plan_id == plan.id).order_by(PlanAction.id)
    ):
        actions.setdefault(action.issue_id, []).append(action)
    files: dict[int, list[EvidenceFile]] = {}
    for f in db.session.scalars(
        select(EvidenceFile)
        .join(PlanAction, EvidenceFile.action_id == PlanAction.id)
        .where(PlanAction.plan_id == plan.id)
        .order_by(EvidenceFile.id)
    ).unique():
        files.setdefault(f.action_id, []).append(f)
    result = PlanView(plan, issues, actions, files, today)
    result.overdue_actions = sum(1 for a in result.all_actions if result.action_overdue(a))
    counts: dict[str, int] = {}
    for a in result.all_actions:
        counts[a.status] = counts.get(a.status, 0) + 1
    result.counts = counts
    return result


def issue_for(viewer: User, issue_id: int) -> tuple[PlanIssue, ImprovementPlan]:
    issue = found(db.session.get(PlanIssue, issue_id), "Issue not found")
    return issue, plan_of(viewer, issue, "Issue not found")


def action_for(viewer: User, action_id: int) -> tuple[PlanAction, PlanIssue, ImprovementPlan]:
    action, plan = action_and_plan(viewer, action_id)
    return action, found(db.session.get(PlanIssue, action.issue_id), "Action not found"), plan


def action_and_plan(viewer: User, action_id: int) -> tuple[PlanAction, ImprovementPlan]:
    action = found(db.session.get(PlanAction, action_id), "Action not found")
    return action, plan_of(viewer, action, "Action not found")


def staff_only(viewer: User) -> None:
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Improvement plan not found")


def provider_only(viewer: User, what: str = "write the plan's actions") -> None:
    if viewer.role != "provider":
        raise Forbidden(f"Only the provider can {what}")
