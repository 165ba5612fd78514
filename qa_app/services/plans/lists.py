"""Plans listed and counted: the staff list, the home pages' counts, the provider's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from qa_app.domain import plans as rules
from qa_app.domain.lifecycle import AssessmentStatus
from qa_app.domain.pagination import Page
from qa_app.extensions import db
from qa_app.models import Assessment, ImprovementPlan, PlanAction, PlanIssue, Service, User
from qa_app.services import rules as sql_rules
from qa_app.services.calendar import london_today
from qa_app.services.listing import page_of


@dataclass
class PlanRow:
    plan: ImprovementPlan
    actions: int
    open_actions: int
    overdue_actions: int
    verified: int
    issues: int


@dataclass
class PlanFilters:
    status: str = ""  # a status, or rules.LIST_OPEN (the default) or rules.LIST_ALL
    overdue: bool = False
    officer_id: int | None = None
    service_id: int | None = None
    page: int = 1


def _action_counts(today: date, plan_ids=None):
    """Per plan: actions, open ones, overdue ones, verified ones; only for `plan_ids` (a list
    or a subquery of ids) when given, so that a page never aggregates every action there is."""
    query = select(
        PlanAction.plan_id.label("plan_id"),
        func.count(PlanAction.id).label("actions"),
        func.count(PlanAction.id)
        .filter(PlanAction.status.in_(rules.ACTION_OUTSTANDING))
        .label("open_actions"),
        func.count(PlanAction.id).filter(sql_rules.action_overdue(today)).label("overdue_actions"),
        func.count(PlanAction.id).filter(PlanAction.status == rules.VERIFIED).label("verified"),
    ).group_by(PlanAction.plan_id)
    if plan_ids is not None:
        query = query.where(PlanAction.plan_id.in_(plan_ids))
    return query.subquery()


def _has_overdue_actions(today: date):
    """The plan has an action past its target date (the overdue actions are few; the
    database lists them once, from the status and target date index)."""
    return ImprovementPlan.id.in_(select(PlanAction.plan_id).where(sql_rules.action_overdue(today)))


def list_plans(
    filters: PlanFilters, today: date | None = None, page_size: int = 50, clamp: bool = True
) -> tuple[list[PlanRow], Page]:
    """Plans, overdue and waiting-for-review first (four statements, whatever the numbers of
    plans and actions: the page's plans, then the counts for just those plans)."""
    today = today or london_today()
    plan_late = sql_rules.plan_overdue(today)
    late_actions = _has_overdue_actions(today)
    query = select(ImprovementPlan).join(ImprovementPlan.service)
    acting = not filters.status or filters.status in (rules.LIST_OPEN, rules.SUBMITTED)
    if filters.status == rules.LIST_OPEN or not filters.status:
        query = query.where(ImprovementPlan.status.in_(rules.OPEN_STATUSES))
    elif filters.status != rules.LIST_ALL:
        query = query.where(ImprovementPlan.status == filters.status)
    if (acting or filters.overdue) and not filters.service_id:
        # the plans to act on (as `staff_counts` counts them): a closed service's plan is
        # asked nothing more; it is listed under "all", or with its service chosen
        query = query.where(sql_rules.service_open_on(today))
    if filters.overdue:
        query = query.where(
            or_(plan_late, and_(ImprovementPlan.status.in_(rules.OPEN_STATUSES), late_actions))
        )
    if filters.officer_id:
        query = query.where(Service.contract_officer_id == filters.officer_id)
    if filters.service_id:
        query = query.where(ImprovementPlan.service_id == filters.service_id)
    page = page_of(query, filters.page, page_size, clamp)
    urgent = case(
        (plan_late, 0),
        (ImprovementPlan.status == rules.SUBMITTED, 1),
        (and_(ImprovementPlan.status.in_(rules.OPEN_STATUSES), late_actions), 2),
        (ImprovementPlan.status.in_(rules.OPEN_STATUSES), 3),
        else_=4,
    )
    plans_ = list(
        db.session.scalars(
            query.order_by(urgent, ImprovementPlan.submission_due_date, ImprovementPlan.id)
            .offset(page.offset)
            .limit(page.size)
        ).unique()
    )
    ids = [p.id for p in plans_]
    counts, issues_only = {}, {}
    if ids:
        sub = _action_counts(today, ids)
        counts = {row.plan_id: row for row in db.session.execute(select(sub))}
        issues_only = dict(
            db.session.execute(
                select(PlanIssue.plan_id, func.count(PlanIssue.id))
                .where(PlanIssue.plan_id.in_(ids), PlanIssue.withdrawn_at.is_(None))
                .group_by(PlanIssue.plan_id)
            ).all()
        )
    rows = []
    for plan in plans_:
        c = counts.get(plan.id)
        rows.append(
            PlanRow(
                plan,
                c.actions if c else 0,
                c.open_actions if c else 0,
                c.overdue_actions if c else 0,
                c.verified if c else 0,
                issues_only.get(plan.id, 0),
            )
        )
    return rows, page


@dataclass
class PlanCounts:
    overdue_plans: int
    awaiting_review: int
    overdue_actions: int
    open_plans: int


def staff_counts(user: User | None = None, today: date | None = None) -> PlanCounts:
    """For the officer's and manager's home pages (two statements). With `user`, only the
    services they are contract officer for."""
    today = today or london_today()
    plan_q = select(
        func.count(ImprovementPlan.id).filter(sql_rules.plan_overdue(today)),
        func.count(ImprovementPlan.id).filter(ImprovementPlan.status == rules.SUBMITTED),
        func.count(ImprovementPlan.id).filter(ImprovementPlan.status.in_(rules.OPEN_STATUSES)),
    ).join(ImprovementPlan.service)
    plan_q = plan_q.where(sql_rules.service_open_on(today))  # a closed service's: left out
    action_q = (
        select(func.count(PlanAction.id))
        .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
        .join(Service, ImprovementPlan.service_id == Service.id)
        .where(
            ImprovementPlan.status.in_(rules.OPEN_STATUSES),
            sql_rules.action_overdue(today),
            sql_rules.service_open_on(today),
        )
    )
    if user is not None:
        plan_q = plan_q.where(Service.contract_officer_id == user.id)
        action_q = action_q.where(Service.contract_officer_id == user.id)
    overdue, review, open_plans = db.session.execute(plan_q).one()
    return PlanCounts(overdue, review, db.session.scalar(action_q) or 0, open_plans)


@dataclass
class PortalService:
    service: Service
    latest: Assessment | None
    plan: ImprovementPlan | None
    actions: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    drafts: int = 0
    plan_overdue: bool = False


def portal_summary(user: User, today: date | None = None) -> list[PortalService]:
    """A provider's services with latest rating, open plan and what is overdue (four
    statements, whatever the number of services and actions)."""
    today = today or london_today()
    provider_id = user.provider_id or -1
    services = list(
        db.session.scalars(
            select(Service).where(Service.provider_id == provider_id).order_by(Service.name)
        ).unique()
    )
    latest = sql_rules.latest_published_by_service(s.id for s in services)
    drafts = dict(
        db.session.execute(
            select(Assessment.service_id, func.count(Assessment.id))
            .join(Service, Assessment.service_id == Service.id)
            .where(
                Service.provider_id == provider_id,
                Assessment.status == AssessmentStatus.DRAFT_SHARED,
            )
            .group_by(Assessment.service_id)
        ).all()
    )
    counts = _action_counts(
        today,
        select(ImprovementPlan.id)
        .join(Service, ImprovementPlan.service_id == Service.id)
        .where(
            Service.provider_id == provider_id,
            ImprovementPlan.status.in_(rules.OPEN_STATUSES),
        ),
    )
    plans = {}
    for plan, actions, open_actions, overdue_actions in db.session.execute(
        select(
            ImprovementPlan,
            func.coalesce(counts.c.actions, 0),
            func.coalesce(counts.c.open_actions, 0),
            func.coalesce(counts.c.overdue_actions, 0),
        )
        .join(Service, ImprovementPlan.service_id == Service.id)
        .outerjoin(counts, counts.c.plan_id == ImprovementPlan.id)
        .where(
            Service.provider_id == provider_id,
            ImprovementPlan.status.in_(rules.OPEN_STATUSES),
        )
    ).unique():
        plans[plan.service_id] = (plan, actions, open_actions, overdue_actions)
    rows = []
    for service in services:
        plan, actions, open_actions, overdue_actions = plans.get(service.id, (None, 0, 0, 0))
        rows.append(
            PortalService(
                service=service,
                latest=latest.get(service.id),
                plan=plan,
                actions=actions,
                open_actions=open_actions,
                overdue_actions=overdue_actions,
                drafts=drafts.get(service.id, 0),
                plan_overdue=bool(
                    plan and rules.plan_overdue(plan.status, plan.submission_due_date, today)
                ),
            )
        )
    return rows
