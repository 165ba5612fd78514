"""The market overview (SPEC section 7): every service with its risk RAG and what drives it,
red first. A page costs the same handful of statements however many services there are."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import case, func, or_, select

from qa_app.domain import plans as plan_rules
from qa_app.domain.codes import AMBER, RAG_COLOURS, RED
from qa_app.domain.notices import NoticeStatus
from qa_app.domain.pagination import Page, clamp_page
from qa_app.extensions import db
from qa_app.models import Concern, ImprovementPlan, Notice, Service, User
from qa_app.services import rules as sql_rules
from qa_app.services.calendar import london_today
from qa_app.services.registry import ServiceFilters, _filtered, visible_services

RAG_ORDER = case((Service.risk == RED, 0), (Service.risk == AMBER, 1), else_=2)


@dataclass
class MarketRow:
    service: Service
    latest_rating: str | None = None
    open_concerns: int = 0
    notices: list[tuple[int, str, str]] = field(default_factory=list)  # (id, kind, status)
    plan: ImprovementPlan | None = None  # the open improvement plan, if any
    plan_overdue: bool = False  # domain.plans.plan_overdue, as on the plan's own page


def overview(
    viewer: User, filters: ServiceFilters, page_size: int = 50
) -> tuple[list[MarketRow], Page, dict[str, int]]:
    # The counts by risk are of what the other filters choose, whatever risk is chosen (a
    # manager looking at red still sees how many are amber); the same statement gives the
    # number of rows, since the risk filter only picks one of its groups.
    unrisked = _filtered(visible_services(viewer), replace(filters, risk=""))
    base = unrisked.order_by(None).subquery()
    counts: dict[str, int] = dict(
        db.session.execute(select(base.c.risk, func.count()).group_by(base.c.risk)).all()
    )
    total = counts.get(filters.risk, 0) if filters.risk else sum(counts.values())
    query = _filtered(visible_services(viewer), filters)
    page = clamp_page(filters.page, total, page_size)
    services = list(
        db.session.scalars(
            query.order_by(RAG_ORDER, Service.name, Service.id).offset(page.offset).limit(page.size)
        ).unique()
    )
    ids = [s.id for s in services]
    rows = {s.id: MarketRow(s) for s in services}
    today = london_today()
    if ids:
        for service_id, rating in sql_rules.latest_overall_ratings(ids).items():
            rows[service_id].latest_rating = rating
        for service_id, count in db.session.execute(
            select(Concern.service_id, func.count())
            .where(Concern.service_id.in_(ids), sql_rules.OPEN_CONCERN)
            .group_by(Concern.service_id)
        ):
            rows[service_id].open_concerns = count
        for notice_id, service_id, kind, status in db.session.execute(
            select(Notice.id, Notice.service_id, Notice.kind, Notice.status)
            .where(
                Notice.service_id.in_(ids),
                or_(Notice.status == NoticeStatus.DRAFT, Notice.in_force()),
            )
            .order_by(Notice.id)
        ):
            rows[service_id].notices.append((notice_id, kind, status))
        for plan in db.session.scalars(
            select(ImprovementPlan).where(
                ImprovementPlan.service_id.in_(ids),
                ImprovementPlan.status.in_(plan_rules.OPEN_STATUSES),
            )
        ).unique():
            rows[plan.service_id].plan = plan
            rows[plan.service_id].plan_overdue = plan_rules.plan_overdue(
                plan.status, plan.submission_due_date, today
            )
    return [rows[i] for i in ids], page, {k: counts.get(k, 0) for k in RAG_COLOURS}
