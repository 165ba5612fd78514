"""What the home pages summarise (a fixed number of statements, whatever the data size)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from qa_app.domain import dashboard as dashboard_rules
from qa_app.domain import plans as plan_rules
from qa_app.domain.codes import RAG_COLOURS
from qa_app.domain.concerns import ConcernStatus
from qa_app.domain.lifecycle import DRAFT_SHARED, SHOWN_TO_PROVIDER, SUBMITTED, TAKEN_BACK
from qa_app.domain.months import Month, last_full_month, month_of
from qa_app.domain.notices import NoticeStatus
from qa_app.extensions import db
from qa_app.models import (
    Answer,
    Assessment,
    AuditEvent,
    Concern,
    ImprovementPlan,
    Notice,
    Provider,
    Service,
    User,
)
from qa_app.services import assessment_facts, rules
from qa_app.services.calendar import london_today
from qa_app.services.quad_report import lists as quad_lists
from qa_app.services.quad_report.report import Filters, Window


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
    live = rules.service_open_on(london_today())  # closed services are not the market's
    by_risk = dict(
        db.session.execute(
            select(Service.risk, func.count()).where(live).group_by(Service.risk)
        ).all()
    )
    by_cqc = dict(
        db.session.execute(
            select(Service.cqc_rating, func.count()).where(live).group_by(Service.cqc_rating)
        ).all()
    )
    mine = select(Service).where(Service.contract_officer_id == user.id, live)
    my_count = db.session.scalar(select(func.count()).select_from(mine.subquery())) or 0
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
        providers=db.session.scalar(select(func.count(Provider.id))) or 0,
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
            rules.service_open_on(london_today(now)),
        )
    )
    return ConcernCounts(overdue, due_soon, drafts, in_force, stops or 0)


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


# ---------------------------------------------------------------- the managers' dashboard


@dataclass
class RecentLine:
    """One line of "Recent changes": an event, or a sitting of answers saved (`saved` > 0)."""

    event: AuditEvent
    service_name: str | None
    provider_name: str | None
    assessment_id: int | None = None
    saved: int = 0  # different answers saved in the sitting
    partial: bool = False  # at least `saved` (earlier saves were not read)
    span: str = ""


#: Events read for "Recent changes": enough for eight lines of ordinary work, however many
#: autosaves the latest sitting made.
RECENT_READ = 400
RECENT_LINES = 8


def recent_work(limit: int = RECENT_LINES, read: int = RECENT_READ) -> list[RecentLine]:
    """The latest changes on services and providers as one line per piece of work: an
    assessment's answers saved by one person in one sitting are one line
    (`domain.dashboard.work_lines`). One statement."""
    rows = db.session.execute(
        select(AuditEvent, Service.name, Provider.name, Answer.assessment_id)
        .outerjoin(Service, AuditEvent.service_id == Service.id)
        .outerjoin(
            Provider,
            and_(AuditEvent.entity_type == "provider", AuditEvent.entity_id == Provider.id),
        )
        .outerjoin(
            Answer, and_(AuditEvent.entity_type == "answer", AuditEvent.entity_id == Answer.id)
        )
        .where(or_(AuditEvent.service_id.is_not(None), AuditEvent.entity_type == "provider"))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(read)
    ).all()
    changes = []
    for event, service_name, provider_name, assessment_id in rows:
        line = RecentLine(event, service_name, provider_name, assessment_id)
        sitting = None
        if event.entity_type == "answer" and assessment_id is not None:
            sitting = (event.actor_id, event.actor_label, assessment_id)
        changes.append(dashboard_rules.Change(event.occurred_at, line, sitting, event.entity_id))
    read_back_to = rows[-1][0].occurred_at if len(rows) == read else None
    lines = []
    for work in dashboard_rules.work_lines(changes, limit, read_back_to=read_back_to):
        line = work.event
        if work.grouped:
            line.saved, line.partial = len(work.items), work.partial
            line.span = dashboard_rules.sitting_span(work.first, work.last)
        lines.append(line)
    return lines


@dataclass
class ManagerDashboard:
    """A manager's home: each figure a count of exactly what its list shows."""

    month: Month
    last_month: Month  # the QuAD report's default: the last full month
    clocks_due_soon: int
    clocks_breached: int
    draft_notices: int
    submitted_assessments: int
    comments_close_this_week: int
    plans_to_review: int
    follow_ups_overdue: int
    turned_red: int
    recent: list[RecentLine]


def manager_dashboard(now: datetime) -> ManagerDashboard:
    """The counts on a manager's home page, in a fixed number of statements (about twenty,
    whatever the number of services or the length of their history)."""
    # (two statements, each served by the concerns' (status, response_due_at) index)
    due_soon = db.session.scalar(select(func.count(Concern.id)).where(rules.clock_due_soon(now)))
    breached = db.session.scalar(select(func.count(Concern.id)).where(rules.clock_breached(now)))
    drafts = db.session.scalar(
        select(func.count(Notice.id)).where(Notice.status == NoticeStatus.DRAFT)
    )
    due_soon, breached, drafts = due_soon or 0, breached or 0, drafts or 0
    submitted, closing = db.session.execute(
        select(
            func.count().filter(Assessment.status == SUBMITTED),
            func.count().filter(rules.comments_close_this_week(now)),
        ).where(Assessment.status.in_([SUBMITTED, DRAFT_SHARED]))
    ).one()
    to_review = (
        db.session.scalar(
            select(func.count(ImprovementPlan.id)).where(
                ImprovementPlan.status == plan_rules.SUBMITTED,
                rules.plan_service_open_on(london_today(now)),
            )
        )
        or 0
    )
    month = month_of(now)
    red = quad_lists.turned_red_ids(Window.of(month, now), Filters())
    return ManagerDashboard(
        month=month,
        last_month=last_full_month(now),
        clocks_due_soon=due_soon,
        clocks_breached=breached,
        draft_notices=drafts,
        submitted_assessments=submitted,
        comments_close_this_week=closing,
        plans_to_review=to_review,
        follow_ups_overdue=assessment_facts.follow_ups_overdue(london_today(now)),
        turned_red=len(red),
        recent=recent_work(),
    )
