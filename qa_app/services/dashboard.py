"""What the home pages summarise (a fixed number of statements, whatever the data size)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, func, or_, select

from qa_app.domain.codes import RAG_COLOURS
from qa_app.domain.concerns import ConcernStatus
from qa_app.domain.lifecycle import SHOWN_TO_PROVIDER, TAKEN_BACK
from qa_app.domain.notices import NoticeStatus
from qa_app.extensions import db
from qa_app.models import Assessment, AuditEvent, Concern, Notice, Provider, Service, User
from qa_app.services.calendar import london_today


@dataclass
class RecentChange:
    event: AuditEvent
    service_name: str | None
    provider_name: str | None


@dataclass
class StaffSummary:
    services: int
    providers: int
    by_risk: dict[str, int]
    by_cqc: dict[str, int]
    my_services: list[Service]
    my_service_count: int
    recent: list[RecentChange]


def staff_summary(user: User) -> StaffSummary:
    by_risk = dict(
        db.session.execute(select(Service.risk, func.count()).group_by(Service.risk)).all()
    )
    by_cqc = dict(
        db.session.execute(
            select(Service.cqc_rating, func.count()).group_by(Service.cqc_rating)
        ).all()
    )
    mine = select(Service).where(Service.contract_officer_id == user.id)
    my_count = db.session.scalar(select(func.count()).select_from(mine.subquery()))
    risk_order = case(
        {colour: n for n, colour in enumerate(RAG_COLOURS)}, value=Service.risk, else_=3
    )
    my_services = list(
        db.session.scalars(mine.order_by(risk_order, Service.name).limit(10)).unique()
    )
    recent = [
        RecentChange(event, service_name, provider_name)
        for event, service_name, provider_name in db.session.execute(
            select(AuditEvent, Service.name, Provider.name)
            .outerjoin(Service, AuditEvent.service_id == Service.id)
            .outerjoin(
                Provider,
                and_(AuditEvent.entity_type == "provider", AuditEvent.entity_id == Provider.id),
            )
            # (written so that the occurred_at index serves it on both databases)
            .where(or_(AuditEvent.service_id.is_not(None), AuditEvent.entity_type == "provider"))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(8)
        ).unique()
    ]
    return StaffSummary(
        services=sum(by_risk.values()),
        providers=db.session.scalar(select(func.count(Provider.id))),
        by_risk=by_risk,
        by_cqc=by_cqc,
        my_services=my_services,
        my_service_count=my_count,
        recent=recent,
    )


@dataclass
class ConcernCounts:
    overdue: int  # open concerns past their response time (the sweep escalates them)
    due_today: int  # open concerns due within the next 24 hours
    draft_notices: int  # waiting for a manager's decision
    notices_in_force: int
    placement_stops: int


def concern_counts(now) -> ConcernCounts:
    """What needs attention in concerns and notices (three statements)."""
    overdue, due_soon = db.session.execute(
        select(
            func.count().filter(Concern.response_due_at < now),
            func.count().filter(
                Concern.response_due_at >= now,
                Concern.response_due_at < now + timedelta(hours=24),
            ),
        ).where(Concern.status == ConcernStatus.OPEN)
    ).one()
    drafts, in_force = db.session.execute(
        select(
            func.count().filter(Notice.status == NoticeStatus.DRAFT),
            func.count().filter(Notice.in_force()),
        ).where(or_(Notice.status == NoticeStatus.DRAFT, Notice.in_force()))
    ).one()
    stops = db.session.scalar(
        select(func.count(Service.id)).where(
            Service.placement_stop_since.is_not(None),
            Service.placement_stop_since <= london_today(now),
        )
    )
    return ConcernCounts(overdue, due_soon, drafts, in_force, stops)


def provider_summary(user: User) -> list[Service]:
    return list(
        db.session.scalars(
            select(Service)
            .where(Service.provider_id == (user.provider_id or -1))
            .order_by(Service.name)
        ).unique()
    )


def provider_reports(user: User) -> list:
    """Draft and published reports on the provider's services, newest first (one statement),
    with the drafts the council has taken back to correct after sharing them."""
    return list(
        db.session.scalars(
            select(Assessment)
            .join(Assessment.service)
            .where(
                Service.provider_id == (user.provider_id or -1),
                or_(
                    Assessment.status.in_(SHOWN_TO_PROVIDER),
                    and_(
                        Assessment.shared_at.is_not(None),
                        Assessment.status.in_(TAKEN_BACK),
                    ),
                ),
            )
            .order_by(Assessment.visit_date.desc())
            .limit(50)
        ).unique()
    )
