"""The visit programme (issue 20): each open service's next assessment due date and priority
(`domain.programme`), the officers' planned visits against their capacity, and planning a visit
from the programme (through `assessments.plan`, audited there).

Reading the programme costs the same few statements however many services there are: the
services with their latest publication, the assessments not yet published, and the counts that
make the priority (open concerns, notices in force, overdue plans), each one statement.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select

from qa_app.domain import programme as rules_of
from qa_app.domain.clocks import london_date
from qa_app.domain.codes import whole_number
from qa_app.domain.lifecycle import EDITABLE, PUBLISHED, STATUS_LABELS, AssessmentStatus
from qa_app.domain.months import Month
from qa_app.domain.pagination import Page, clamp_page
from qa_app.domain.roles import Role
from qa_app.extensions import db
from qa_app.models import Assessment, Concern, ImprovementPlan, Notice, Provider, Service, User
from qa_app.services import assessments, audit, rules
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, NotFound, ValidationFailed
from qa_app.services.transaction import unit_of_work

HORIZON_MONTHS = 12
PAGE_SIZE = 50
MAX_CAPACITY = 100


@dataclass(frozen=True)
class PlannedVisit:
    assessment_id: int
    service_id: int
    visit_date: date
    status: str
    officer_id: int
    created_at: object = None

    @property
    def words(self) -> str:
        """ "Planned for", or the step it has reached ("In progress: visit"), before its date."""
        if self.status == AssessmentStatus.PLANNED:
            return "Planned for"
        return f"{STATUS_LABELS.get(self.status, self.status)}: visit"


@dataclass
class ProgrammeRow:
    service_id: int
    name: str
    provider: str
    cluster: str
    service_type: str
    risk: str
    cqc_rating: str
    contract_officer_id: int | None
    published_on: date | None
    rating: str | None
    due: date
    overdue: bool
    planned: PlannedVisit | None
    facts: rules_of.PriorityInputs
    today: date
    #: the priority's sort key (`domain.programme.priority_key`)
    key: rules_of.PriorityKey = field(init=False)
    #: 'overdue', or the month it falls due ("2026-12"): this month for one whose due date has
    #: passed with its visit planned
    group: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = rules_of.priority_key(self.facts, self.today)
        self.group = "overdue" if self.overdue else f"{max(self.due, self.today):%Y-%m}"

    @property
    def priority(self) -> rules_of.Priority:
        """The sort key and its reasons in words (worked out only for the rows shown)."""
        return rules_of.Priority(self.key, rules_of.priority_reasons(self.facts, self.today))

    @property
    def group_label(self) -> str:
        if self.overdue:
            return "Overdue"
        return f"{max(self.due, self.today):%B %Y}"


@dataclass
class Filters:
    cluster: str = ""
    service_type: str = ""
    officer_id: int | None = None
    risk: str = ""
    unplanned: bool = False
    page: int = 1


@dataclass
class Programme:
    rows: list[ProgrammeRow]
    page: Page
    today: date
    months: list[Month]
    counts: dict[str, int] = field(default_factory=dict)  # by group, over every page


def _london(moment) -> date | None:
    return None if moment is None else london_date(moment)


def _under_way(service_ids: Iterable[int] | None = None) -> dict[int, list[PlannedVisit]]:
    """Each service's assessments not yet published (one statement)."""
    query = select(
        Assessment.id,
        Assessment.service_id,
        Assessment.visit_date,
        Assessment.status,
        Assessment.lead_officer_id,
        Assessment.created_at,
    ).where(Assessment.status != PUBLISHED)
    if service_ids is not None:
        query = query.where(Assessment.service_id.in_(list(service_ids)))
    found: dict[int, list[PlannedVisit]] = {}
    for row in db.session.execute(query.order_by(Assessment.visit_date, Assessment.id)):
        found.setdefault(row.service_id, []).append(PlannedVisit(*row))
    return found


def _next_visit(visits: list[PlannedVisit], published_at) -> PlannedVisit | None:
    """The assessment under way after the latest publication (`assessment_facts._newer_than`):
    created after it and not published; any not published if none is published."""
    for visit in visits:
        if published_at is None or visit.created_at > published_at:
            return visit
    return None


def due_from(service: Service, latest: Assessment | None, today: date | None = None) -> date | None:
    """`next_assessment_due` of a service whose latest published assessment is `latest` (None
    when nothing is published): due now if never assessed; None for a closed service."""
    today = today or london_today()
    if service.closed_on is not None and service.closed_on <= today:
        return None
    return rules_of.next_assessment_due(
        _london(latest.published_at) if latest else None,
        latest.overall_rating if latest else None,
        rules.intervals().months_for(service.service_type),
        today,
    )


def due_date(service: Service, today: date | None = None) -> date | None:
    """The service's `next_assessment_due` (one statement)."""
    return due_from(service, rules.latest_published_of(service.id), today)


def service_standing(service: Service) -> tuple[date | None, bool, PlannedVisit | None]:
    """The service's next assessment due date, whether it is overdue, and the assessment
    planned or under way since its latest publication, if any (two statements)."""
    today = london_today()
    latest = rules.latest_published_of(service.id)
    due = due_from(service, latest, today)
    planned = _next_visit(
        _under_way([service.id]).get(service.id, []), latest.published_at if latest else None
    )
    overdue = due is not None and rules_of.is_overdue(due, today, planned is not None)
    return due, overdue, planned


def _latest_publications() -> dict[int, tuple]:
    """Each service's latest publication (published_at, overall rating), by service id, from
    the index (`rules.latest_published_from_index`, one statement)."""
    latest = rules.latest_published_from_index()
    return {
        service_id: (published_at, rating)
        for service_id, published_at, rating in db.session.execute(
            select(latest.c.service_id, latest.c.published_at, latest.c.overall_rating)
        )
    }


def _priority_counts() -> tuple[Counter, Counter, set[int]]:
    concerns = Counter(
        dict(
            db.session.execute(
                select(Concern.service_id, func.count())
                .where(rules.OPEN_CONCERN)
                .group_by(Concern.service_id)
            ).all()
        )
    )
    notices = Counter(
        dict(
            db.session.execute(
                select(Notice.service_id, func.count())
                .where(Notice.in_force())
                .group_by(Notice.service_id)
            ).all()
        )
    )
    overdue_plans = set(
        db.session.scalars(
            select(ImprovementPlan.service_id).where(rules.plan_overdue_as_recorded())
        )
    )
    return concerns, notices, overdue_plans


@contextmanager
def _without_collector_pauses():
    """Python's cyclic garbage collector paused while a row is built for each of thousands of
    services: the rows hold no cycles, and its full collections (walking every object the app
    holds) otherwise cost the page as much as reading the rows."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def all_rows(today: date | None = None) -> list[ProgrammeRow]:
    """Every open service's row, in programme order: overdue first, then by the month due,
    then by priority (six statements, however many services)."""
    with _without_collector_pauses():
        return _all_rows(today or london_today())


def _all_rows(today: date) -> list[ProgrammeRow]:
    spans = rules.intervals()
    services = db.session.execute(
        select(
            Service.id,
            Service.name,
            Provider.name,
            Service.cluster,
            Service.service_type,
            Service.risk,
            Service.cqc_rating,
            Service.contract_officer_id,
        )
        .join(Provider, Provider.id == Service.provider_id)
        .where(rules.service_open_on(today))
    ).all()
    latest = _latest_publications()
    under_way = _under_way()
    concerns, notices, overdue_plans = _priority_counts()
    rows = []
    for sid, name, provider, cluster, kind, risk, cqc, officer in services:
        published_at, rating = latest.get(sid, (None, None))
        published_on = _london(published_at)
        due = rules_of.next_assessment_due(published_on, rating, spans.months_for(kind), today)
        planned = _next_visit(under_way.get(sid, []), published_at)
        overdue = rules_of.is_overdue(due, today, planned is not None)
        facts = rules_of.PriorityInputs(
            service_id=sid,
            due=due,
            risk=risk,
            cqc_rating=cqc,
            published_on=published_on,
            open_concerns=concerns[sid],
            open_notices=notices[sid],
            overdue_plan=sid in overdue_plans,
            overdue=overdue,
        )
        rows.append(
            ProgrammeRow(
                sid,
                name,
                provider,
                cluster,
                kind,
                risk,
                cqc,
                officer,
                published_on,
                rating,
                due,
                overdue,
                planned,
                facts,
                today,
            )
        )
    rows.sort(key=lambda r: (r.group != "overdue", r.group, r.key))
    return rows


def months_ahead(today: date) -> list[Month]:
    first = Month(today.year, today.month)
    return [first.shifted(k) for k in range(HORIZON_MONTHS)]


def _chosen(row: ProgrammeRow, filters: Filters, last_day: date) -> bool:
    if row.due > last_day and not row.overdue:
        return False
    if filters.cluster and row.cluster != filters.cluster:
        return False
    if filters.service_type and row.service_type != filters.service_type:
        return False
    if filters.risk and row.risk != filters.risk:
        return False
    if filters.unplanned and row.planned is not None:
        return False
    if filters.officer_id:
        officer = row.planned.officer_id if row.planned else row.contract_officer_id
        if officer != filters.officer_id:
            return False
    return True


def programme(filters: Filters, today: date | None = None) -> Programme:
    """The services due and overdue over the next 12 months, as the filters choose, a page of
    them at a time."""
    today = today or london_today()
    months = months_ahead(today)
    chosen = [r for r in all_rows(today) if _chosen(r, filters, months[-1].last_day)]
    page = clamp_page(filters.page, len(chosen), PAGE_SIZE)
    counts = Counter(r.group for r in chosen)
    return Programme(chosen[page.offset : page.offset + page.size], page, today, months, counts)


# ---------------------------------------------------------------- officers and capacity


@dataclass
class OfficerLoad:
    user_id: int
    name: str
    capacity: int
    planned: dict[str, int]  # by month ("2026-12")

    def free(self, month: str) -> int:
        return max(self.capacity - self.planned.get(month, 0), 0)


def officers() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.OFFICER, User.active.is_(True))
            .order_by(User.name, User.id)
        ).unique()
    )


def loads(months: list[Month]) -> list[OfficerLoad]:
    """Each officer's visits planned in each of these months against their capacity (two
    statements)."""
    first, last = months[0].first_day, months[-1].last_day
    counted: dict[tuple[int, str], int] = {}
    for officer_id, visit_date in db.session.execute(
        select(Assessment.lead_officer_id, Assessment.visit_date).where(
            Assessment.status != PUBLISHED,
            Assessment.visit_date >= first,
            Assessment.visit_date <= last,
        )
    ):
        key = (officer_id, f"{visit_date:%Y-%m}")
        counted[key] = counted.get(key, 0) + 1
    return [
        OfficerLoad(
            u.id,
            u.name,
            u.visits_per_month,
            {m: n for (who, m), n in counted.items() if who == u.id},
        )
        for u in officers()
    ]


def set_capacity(actor: Actor, user_id: int, raw: str) -> User:
    """A manager or administrator sets the visits a month an officer can make (0 to 100)."""
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.OFFICER:
        raise NotFound("Officer not found")
    capacity = whole_number(raw, max_digits=6)
    if capacity is None or capacity > MAX_CAPACITY:
        raise ValidationFailed(
            {
                f"capacity-{user_id}": f"Enter {user.name}'s visits a month as a whole number "
                f"from 0 to {MAX_CAPACITY}"
            }
        )
    value = capacity
    if value != user.visits_per_month:
        with unit_of_work():
            before = user.visits_per_month
            user.visits_per_month = value
            audit.record(actor, "user", user.id, "updated", {"visits_per_month": [before, value]})
    return user


# ---------------------------------------------------------------- planning from the programme


def plan_visit(actor: Actor, viewer: User, service_id: int | None, officer_id, visit_date):
    """Assign an officer and a planned date to a service: plans its assessment (the latest
    standard set for its type) through `assessments.plan`. An officer plans only their own
    visits; a manager or administrator anyone's."""
    errors = {}
    if viewer.role == Role.OFFICER and officer_id not in (None, viewer.id):
        errors["officer_id"] = "You can plan visits only for yourself"
    if not isinstance(visit_date, date):
        errors["visit_date"] = "Enter the planned date as a real date, for example 14 1 2027"
    elif visit_date < london_today():
        errors["visit_date"] = "The planned date must be today or later"
    if errors:
        raise ValidationFailed(errors)
    return assessments.plan(
        actor,
        viewer,
        {
            "service_id": service_id,
            "visit_date": visit_date,
            "kind": "visit",
            "lead_officer_id": officer_id or viewer.id,
        },
    )


def visits_with_service(*columns) -> Select:
    """The visits planned or under way (assessments not yet published), joined to their
    service: each one's id, visit date and status, then `columns`."""
    return (
        select(Assessment.id, Assessment.visit_date, Assessment.status, *columns)
        .join(Service, Service.id == Assessment.service_id)
        .where(Assessment.status != PUBLISHED)
    )


def planned_in(month: Month, officer_id: int | None = None) -> list[tuple]:
    """The visits planned in `month` (not yet published), with service and officer names, by
    date (one statement)."""
    query = (
        visits_with_service(Service.id, Service.name, User.id, User.name)
        .join(User, User.id == Assessment.lead_officer_id)
        .where(
            Assessment.visit_date >= month.first_day,
            Assessment.visit_date <= month.last_day,
        )
        .order_by(Assessment.visit_date, Service.name, Assessment.id)
    )
    if officer_id is not None:
        query = query.where(Assessment.lead_officer_id == officer_id)
    return list(db.session.execute(query).all())


def month_ahead(text: str | None, today: date | None = None) -> Month:
    """One of the programme's 12 months, written YYYY-MM; ValidationFailed says which."""
    months = months_ahead(today or london_today())
    for month in months:
        if str(month) == (text or "").strip():
            return month
    raise ValidationFailed(
        {"month": f"Choose a month from {months[0].label} to {months[-1].label}"}
    )


# ---------------------------------------------------------------- a cluster's month at once


@dataclass
class BulkLine:
    row: ProgrammeRow
    officer_id: int | None
    officer_name: str
    visit_date: date | None


@dataclass
class BulkPlan:
    cluster: str
    month: Month
    lines: list[BulkLine]
    loads: list[OfficerLoad]

    @property
    def placed(self) -> list[BulkLine]:
        return [line for line in self.lines if line.officer_id is not None]

    @property
    def fingerprint(self) -> str:
        """What the preview showed: confirming checks the plan is still the same."""
        text = "|".join(f"{x.row.service_id}:{x.officer_id}:{x.visit_date}" for x in self.lines)
        return hashlib.sha256(f"{self.cluster}|{self.month}|{text}".encode()).hexdigest()[:32]


def bulk_preview(cluster: str, month_text: str | None, today: date | None = None) -> BulkPlan:
    """A cluster's services due by the end of `month` (overdue included) with no visit planned,
    in priority order, spread across the officers within their capacity that month. Changes
    nothing."""
    today = today or london_today()
    errors = {}
    if cluster not in set(db.session.scalars(select(Service.cluster).distinct())):
        errors["cluster"] = "Choose a cluster"
    try:
        month = month_ahead(month_text, today)
    except ValidationFailed as refused:
        errors.update(refused.errors)
    if errors:
        raise ValidationFailed(errors)
    rows = [
        r
        for r in all_rows(today)
        if r.cluster == cluster and r.planned is None and r.due <= month.last_day
    ]
    load = loads([month])
    room = {o.user_id: o.free(str(month)) for o in load}
    names = {o.user_id: o.name for o in load}
    days = rules_of.working_days(max(month.first_day, today), month.last_day)
    placed = rules_of.spread([r.service_id for r in rows], room, days)
    lines = [
        BulkLine(r, p.officer_id, names.get(p.officer_id or 0, ""), p.visit_date)
        for r, p in zip(rows, placed, strict=True)
    ]
    return BulkPlan(cluster, month, lines, load)


def bulk_confirm(
    actor: Actor, viewer: User, cluster: str, month_text: str | None, fingerprint: str
) -> list[Assessment]:
    """Plan what the preview showed, if it is still what the programme gives; otherwise a
    Conflict (nothing planned): look at the new preview."""
    plan = bulk_preview(cluster, month_text)
    if plan.fingerprint != (fingerprint or ""):
        raise Conflict(
            "The programme has changed since the preview (a visit was planned or an officer's "
            "capacity changed). Nothing was planned: check the new preview and confirm again."
        )
    made = []
    for line in plan.placed:
        made.append(
            assessments.plan(
                actor,
                viewer,
                {
                    "service_id": line.row.service_id,
                    "visit_date": line.visit_date,
                    "kind": "visit",
                    "lead_officer_id": line.officer_id,
                },
            )
        )
    return made


def visits_of(user: User, today: date | None = None, limit: int = 10) -> list[tuple]:
    """The visits `user` leads from today on, not yet submitted (planned or in progress),
    soonest first, with the service's name (one statement): their home page's list."""
    today = today or london_today()
    return list(
        db.session.execute(
            select(
                Assessment.id, Assessment.visit_date, Assessment.status, Service.id, Service.name
            )
            .join(Service, Service.id == Assessment.service_id)
            .where(
                Assessment.lead_officer_id == user.id,
                Assessment.status.in_(EDITABLE),
                Assessment.visit_date >= today,
            )
            .order_by(Assessment.visit_date, Service.name, Assessment.id)
            .limit(limit)
        ).all()
    )
