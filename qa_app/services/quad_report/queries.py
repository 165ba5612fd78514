"""Computing the QuAD report: every figure once, for the month, the month before and the same
month a year earlier, in a fixed number of SQL statements (about twenty, however many
services, concerns or years of history there are: counts are aggregated in the database, one
statement per table for all three months; services' standing is read in one pass each).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, or_, select

from qa_app.domain.codes import CQC_RATINGS, SERVICE_TYPES
from qa_app.domain.months import Month, london_date
from qa_app.domain.programme import is_overdue, next_assessment_due
from qa_app.domain.ratings import LABELS
from qa_app.domain.risk import RiskInputs, assess_risk
from qa_app.domain.roles import STAFF_ROLES
from qa_app.domain.service_closing import is_open_on
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import (
    Assessment,
    ClockEvent,
    Concern,
    ImprovementPlan,
    Notice,
    PlanAction,
    Provider,
    Service,
    User,
)
from qa_app.models.types import utcnow
from qa_app.services import rules as services_rules
from qa_app.services.errors import NotFound, ValidationFailed
from qa_app.services.quad_report import meeting, rules
from qa_app.services.quad_report.catalogue import FIGURES, SECTIONS, Figure
from qa_app.services.quad_report.report import (
    ClosedService,
    Filters,
    QuadReport,
    RatingChange,
    ServiceOfConcern,
    Trend,
    Window,
)

#: The services of most concern listed (red first); the counts say how many there were in all.
CONCERN_LIST_LIMIT = 100
MAX_CLUSTER = 100
TREND_MONTHS = 12
ASSESSMENT_ORDER = {LABELS[v]: v for v in (1, 2, 3, 4)}
CQC_ORDER = {"Inadequate": 1, "Requires improvement": 2, "Good": 3, "Outstanding": 4}


#: Who asks when no one signs in: the command line (`flask qa report quad`), run by whoever runs
#: the app itself.
COMMAND_LINE = object()


def staff_only(viewer: User) -> None:
    """The report counts concerns: for a provider it does not exist."""
    if viewer is COMMAND_LINE:
        return
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Page not found")


def check_filters(cluster: str | None, service_type: str | None) -> Filters:
    cluster, service_type = (cluster or "").strip(), (service_type or "").strip()
    errors = {}
    if len(cluster) > MAX_CLUSTER:
        errors["cluster"] = f"A cluster's name is at most {MAX_CLUSTER} characters"
    if service_type and service_type not in SERVICE_TYPES:
        errors["service_type"] = "Choose a type of service from the list"
    if errors:
        raise ValidationFailed(errors)
    return Filters(cluster, service_type)


def windows_for(month: Month, now: datetime) -> list[Window]:
    return [Window.of(m, now) for m in (month, month.previous(), month.year_earlier())]


# ---------------------------------------------------------------- services and their standing


def filtered(query, filters: Filters):
    """The query limited to the services the filters choose (the query has Service in it)."""
    if filters.cluster:
        query = query.where(Service.cluster == filters.cluster)
    if filters.service_type:
        query = query.where(Service.service_type == filters.service_type)
    return query


def service_ids(filters: Filters):
    """The chosen services' ids, as a subquery (never a list of thousands of parameters); None
    when every service is chosen (no condition needed)."""
    return filtered(select(Service.id), filters) if filters.active() else None


@dataclass
class ServiceRow:
    id: int
    name: str
    provider: str
    cluster: str
    service_type: str
    cqc_now: str
    closed_on: date | None = None


def services(filters: Filters) -> list[ServiceRow]:
    """Every service on the register the filters choose (one statement). A service counts in
    every month: its record's creation is when it was entered here, not when it began; until
    it closed (`standings` leaves out a service closed by a window's end)."""
    rows = db.session.execute(
        filtered(
            select(
                Service.id,
                Service.name,
                Provider.name,
                Service.cluster,
                Service.service_type,
                Service.cqc_rating,
                Service.closed_on,
            ).join(Provider, Service.provider_id == Provider.id),
            filters,
        ).order_by(Service.name, Service.id)
    )
    return [ServiceRow(*row) for row in rows]


@dataclass
class Standing:
    """A service as it stood at a window's `as_at`."""

    latest_id: int | None
    latest_rating: str | None  # None: nothing published yet
    published_at: datetime | None
    under_way: bool  # a newer assessment had been started and not yet published
    cqc: str
    follow_up_due: date | None = None
    follow_up_due_in_month: bool = False
    follow_up_overdue: bool = False


def standings(
    rows: list[ServiceRow], windows: list[Window], filters: Filters
) -> list[dict[int, Standing]]:
    """Each service's standing at each window's `as_at` (two statements for all the windows:
    the assessments' history, and the CQC ratings' changes), for the services open on the
    window's day (`domain.service_closing.is_open_on`, SPEC section 8: states are at the
    month's last instant): a service closed by then is in no count of that month."""
    ids = service_ids(filters)
    moments = [w.as_at for w in windows]
    cqc_then = rules.values_at("service", "cqc_rating", moments, ids)
    history: dict[int, list] = {}
    for record in db.session.execute(rules.assessment_history(moments, ids)):
        history.setdefault(record.service_id, []).append(record)
    spans = services_rules.intervals()
    dues: dict[tuple[datetime, str | None, int], date] = {}  # by publication, rating, interval
    result = []
    for window, cqc_changed in zip(windows, cqc_then, strict=True):
        moment, day = window.as_at, window.day
        first, last = window.month.first_day, window.month.last_day
        standing = {}
        for row in rows:
            if not is_open_on(row.closed_on, day):
                continue
            mine = history.get(row.id, ())
            latest = rules.latest_published(mine, moment)
            cqc = cqc_changed.get(row.id, row.cqc_now)
            if latest is None:
                standing[row.id] = Standing(None, None, None, False, cqc)
                continue
            # the next assessment's due date (domain.programme.next_assessment_due)
            key = (latest.published_at, latest.overall_rating, spans.months_for(row.service_type))
            due = dues.get(key)
            if due is None:
                published_on = london_date(latest.published_at)
                due = dues[key] = next_assessment_due(published_on, *key[1:], day)
            # whether a follow-up is under way matters only to one due by the month's end
            busy = due <= last and rules.under_way(mine, latest, moment)
            standing[row.id] = Standing(
                latest.id,
                latest.overall_rating,
                latest.published_at,
                busy,
                cqc,
                follow_up_due=due,
                follow_up_due_in_month=not busy and first <= due <= last,
                follow_up_overdue=is_overdue(due, day, busy),
            )
        result.append(standing)
    return result


# ---------------------------------------------------------------- counting rows


def table_query(table: str, columns, filters: Filters):
    """select(columns) from a figure's table, joined to its service when a filter needs it."""
    query = select(*columns)
    if table == "concern":
        query = query.select_from(Concern)
        join = Concern.service_id
    elif table == "clock":
        query = query.select_from(ClockEvent).join(Concern, Concern.id == ClockEvent.concern_id)
        join = Concern.service_id
    elif table == "notice":
        query = query.select_from(Notice)
        join = Notice.service_id
    elif table == "assessment":
        query = query.select_from(Assessment)
        join = Assessment.service_id
    elif table == "plan":
        query = query.select_from(ImprovementPlan)
        join = ImprovementPlan.service_id
    elif table in ("action", "grade"):
        query = query.select_from(PlanAction).join(
            ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id
        )
        join = ImprovementPlan.service_id
    else:
        raise ValueError(f"unknown table {table!r}")
    if filters.active():
        query = filtered(query.join(Service, Service.id == join), filters)
    return query


def scope(table: str, windows: list[Window]):
    """Rows that could count in any window, so that an index narrows the counting (concerns
    and clock events are the tables that grow by the hundred thousand)."""
    if table == "concern":
        return or_(*[rules.within(Concern.received_at, w.start, w.end) for w in windows])
    if table == "clock":
        return or_(*[rules.within(ClockEvent.at, w.start, w.end) for w in windows])
    return None


def _where(figure: Figure, window: Window):
    assert figure.where is not None, f"{figure.path} is not counted in a table"
    return figure.where(window)


def count_rows(table: str, figures: list[Figure], windows: list[Window], filters: Filters):
    """{(path, window index): count} for the figures counted in one table (one statement)."""
    columns = [
        func.count().filter(_where(figure, window)).label(f"c{n}")
        for window in windows
        for n, figure in enumerate(figures)
    ]
    query = table_query(table, columns, filters)
    if (narrow := scope(table, windows)) is not None:
        query = query.where(narrow)
    values = db.session.execute(query).one()
    return {
        (figure.path, k): values[k * len(figures) + n]
        for k in range(len(windows))
        for n, figure in enumerate(figures)
    }


def grades(windows: list[Window], filters: Filters) -> list[dict[int, int | None]]:
    """{action id: its grading at as_at} of the actions of the plans open then, per window."""
    flags = [
        case((rules.action_in_open_plan(w.as_at), 1), else_=0).label(f"w{k}")
        for k, w in enumerate(windows)
    ]
    query = table_query("grade", [PlanAction.id, PlanAction.progress_grade, *flags], filters)
    query = query.where(or_(*[rules.action_in_open_plan(w.as_at) for w in windows]))
    rows = db.session.execute(query).all()
    then = rules.values_at("plan_action", "progress_grade", [w.as_at for w in windows])
    return [
        {row[0]: then[k].get(row[0], row[1]) for row in rows if row[2 + k]}
        for k in range(len(windows))
    ]


# ---------------------------------------------------------------- risk at the month's end


def risk_facts(window: Window, standing: dict[int, Standing], filters: Filters):
    """RiskInputs (SPEC section 7) for each chosen service as at the window's end (five
    statements), so that the services of most concern are judged by the risk RAG's own rule
    and give its own reasons."""
    moment, day = window.as_at, window.day
    notices = {
        sid: (count, first)
        for sid, count, first in db.session.execute(
            table_query(
                "notice", [Notice.service_id, func.count(), func.min(Notice.issued_at)], filters
            )
            .where(rules.notice_in_force(moment))
            .group_by(Notice.service_id)
        )
    }
    stops = dict(
        db.session.execute(
            table_query(
                "notice", [Notice.service_id, func.min(Notice.placement_stop_start)], filters
            )
            .where(rules.stop_active(moment, day))
            .group_by(Notice.service_id)
        ).all()
    )
    concerns = {
        sid: (total, high)
        for sid, total, high in db.session.execute(
            table_query(
                "concern",
                [
                    Concern.service_id,
                    func.count(),
                    func.count().filter(Concern.risk_level == "high"),
                ],
                filters,
            )
            .where(rules.concern_open(moment))
            .group_by(Concern.service_id)
        )
    }
    overdue_plans = set(
        db.session.scalars(
            table_query("plan", [ImprovementPlan.service_id], filters).where(
                rules.plan_overdue(moment, day)
            )
        )
    )
    overdue_actions = dict(
        db.session.execute(
            table_query("action", [ImprovementPlan.service_id, func.count()], filters)
            .where(rules.action_overdue(moment, day))
            .group_by(ImprovementPlan.service_id)
        ).all()
    )
    facts = {}
    for sid, s in standing.items():
        notice_count, first_issued = notices.get(sid, (0, None))
        total, high = concerns.get(sid, (0, 0))
        facts[sid] = RiskInputs(
            cqc_rating=s.cqc,
            latest_assessment_overall=s.latest_rating,
            active_placement_stop=sid in stops,
            placement_stop_since=stops.get(sid),
            open_notices=notice_count,
            notice_issued_on=london_date(first_issued) if first_issued else None,
            open_concerns=total,
            open_high_concerns=high,
            overdue_plan=sid in overdue_plans,
            overdue_actions=overdue_actions.get(sid, 0),
        )
    return facts


def of_concern(rows: list[ServiceRow], facts: dict[int, RiskInputs]) -> list[ServiceOfConcern]:
    """Every red and amber service at the month's end, red first, then by how many reasons."""
    found = []
    for row in rows:
        if row.id not in facts:
            continue  # closed by the month's end
        result = assess_risk(facts[row.id])
        if result.rag in ("red", "amber"):
            found.append(
                ServiceOfConcern(
                    row.id,
                    row.name,
                    row.provider,
                    row.cluster,
                    row.service_type,
                    result.rag,
                    list(result.reasons),
                )
            )
    found.sort(key=lambda s: (s.risk != "red", -len(s.reasons), s.name.casefold(), s.service_id))
    return found


# ---------------------------------------------------------------- moves and trends


def _direction(order: dict[str, int], before: str | None, after: str | None) -> str:
    if before in order and after in order:
        return "better" if order[after] > order[before] else "worse"
    return ""


def rating_changes(
    rows: list[ServiceRow], start: dict[int, Standing], end: dict[int, Standing]
) -> list[RatingChange]:
    """Services whose latest assessment rating or CQC rating at the month's end differs from
    the start's, worse first."""
    changes = []
    for row in rows:
        if row.id not in end:
            continue  # closed by the month's end (and so by its start, or during it)
        a, b = start[row.id], end[row.id]
        if a.latest_rating != b.latest_rating:
            changes.append(
                RatingChange(
                    row.id,
                    row.name,
                    row.provider,
                    "assessment",
                    a.latest_rating,
                    b.latest_rating,
                    _direction(ASSESSMENT_ORDER, a.latest_rating, b.latest_rating),
                )
            )
        if a.cqc != b.cqc:
            changes.append(
                RatingChange(
                    row.id,
                    row.name,
                    row.provider,
                    "cqc",
                    a.cqc,
                    b.cqc,
                    _direction(CQC_ORDER, a.cqc, b.cqc),
                )
            )
    rank = {"worse": 0, "": 1, "better": 2}
    changes.sort(key=lambda c: (rank[c.direction], c.kind, c.name.casefold(), c.service_id))
    return changes


def _month_index(column, months: list[Month]):
    """Which of `months` (consecutive, oldest first) an instant falls in: 0, 1, …; NULL
    outside them."""
    return case(*[(column < m.end, i) for i, m in enumerate(months)], else_=None).label(
        "month_index"
    )


def trend(month: Month, filters: Filters) -> Trend:
    """Concerns received and clocks met and breached in each of the 12 months ending with
    `month` (two statements, each grouped by month and kind)."""
    months = month.last_n(TREND_MONTHS)
    first, last = months[0].start, months[-1].end
    index = _month_index(Concern.received_at, months)
    received = {level: [0] * len(months) for level in ("high", "medium", "low")}
    query = (
        table_query("concern", [index, Concern.risk_level, func.count()], filters)
        .where(rules.within(Concern.received_at, first, last))
        .group_by(index, Concern.risk_level)
    )
    for i, level, count in db.session.execute(query):
        if level in received:
            received[level][i] = count
    index = _month_index(ClockEvent.at, months)
    high = case((Concern.risk_level == "high", "high"), else_="other").label("risk_group")
    met = {g: [0] * len(months) for g in ("high", "other")}
    breached = {g: [0] * len(months) for g in ("high", "other")}
    query = (
        table_query("clock", [index, high, ClockEvent.kind, func.count()], filters)
        .where(rules.within(ClockEvent.at, first, last), ClockEvent.kind.in_(("met", "breached")))
        .group_by(index, high, ClockEvent.kind)
    )
    for i, group, kind, count in db.session.execute(query):
        (met if kind == "met" else breached)[group][i] = count
    rates = {
        group: [on_time_rate(m, b) for m, b in zip(met[group], breached[group], strict=True)]
        for group in met
    }
    return Trend(months, received, rates, met, breached)


def on_time_rate(met: int, breached: int) -> float | None:
    """Met out of met and breached, 0 to 1 (four decimal places); None when neither."""
    return round(met / (met + breached), 4) if met + breached else None


# ---------------------------------------------------------------- the report


def _skeleton() -> dict:
    return {
        "concerns": {"received": {}, "by_source": {}, "clocks": {"high": {}, "other": {}}},
        "notices": {"notice_of_concern": {}, "contract_breach": {}},
        "placement_stops": {},
        "assessments": {},
        "plans": {},
        "ratings": {"assessment": {}, "cqc": {}},
    }


def _put(tree: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def build(
    viewer: User, month: Month, filters: Filters | None = None, now: datetime | None = None
) -> QuadReport:
    """The report for `month` (Europe/London) and the services `filters` choose."""
    staff_only(viewer)
    filters = filters or Filters()
    now = now or utcnow()
    windows = windows_for(month, now)
    trees = [{"month": str(w.month), **_skeleton()} for w in windows]

    by_table: dict[str, list[Figure]] = {}
    for figure in FIGURES.values():
        if figure.where is not None:
            by_table.setdefault(figure.table, []).append(figure)
    for table, figures in by_table.items():
        for (path, k), value in count_rows(table, figures, windows, filters).items():
            _put(trees[k], path, value)

    rows = services(filters)
    standing = standings(rows, windows, filters)
    graded = grades(windows, filters)
    for k in range(len(windows)):
        tallies: dict = {}  # one pass over the services (or actions) per key, not per figure
        for figure in FIGURES.values():
            if figure.table not in ("service", "grade"):
                continue
            values = standing[k].values() if figure.table == "service" else graded[k].values()
            key = figure.key
            assert key is not None
            if key not in tallies:
                tallies[key] = Counter(key(v) for v in values)
            _put(trees[k], figure.path, tallies[key][figure.equals])
    for tree in trees:
        for group in ("high", "other"):
            clock = tree["concerns"]["clocks"][group]
            clock["on_time_rate"] = on_time_rate(clock["met"], clock["breached"])

    facts = risk_facts(windows[0], standing[0], filters)
    concern = of_concern(rows, facts)
    # the month's start is the previous month's end: that window's standing is the "before"
    moves = rating_changes(rows, standing[1], standing[0])
    closed = closed_in_month(rows, windows[0])
    return QuadReport(
        month=month,
        filters=filters,
        produced_at=now,
        windows=windows,
        figures=trees,
        rating_changes=moves,
        services_of_concern=concern[:CONCERN_LIST_LIMIT],
        concern_counts={
            "red": sum(1 for s in concern if s.risk == "red"),
            "amber": sum(1 for s in concern if s.risk == "amber"),
        },
        trend=trend(month, filters),
        meeting_record=meeting.read(month, windows[0].as_at, filters.cluster, filters.service_type),
        notes=closed_notes(closed),
        services_closed=closed,
    )


def closed_in_month(rows: list[ServiceRow], window: Window) -> list[ClosedService]:
    """The services that closed in the month, up to its `day` (while under way), by day."""
    closed = [
        ClosedService(r.id, r.name, r.provider, r.closed_on)
        for r in rows
        if r.closed_on and window.month.first_day <= r.closed_on <= window.day
    ]
    return sorted(closed, key=lambda c: (c.closed_on, c.name.casefold(), c.service_id))


def closed_notes(closed: list[ClosedService]) -> list[str]:
    """The pack's note on closed services, naming those that closed in the month."""
    note = (
        "Services are counted as they stood at the month's end: a service closed by then "
        "(its registration ended, or the council stopped commissioning it) is not counted in "
        "the ratings or among the services of concern; events before it closed still count."
    )
    if closed:
        note += (
            " Closed in the month: "
            + "; ".join(f"{c.name} ({long_date(c.closed_on)})" for c in closed)
            + "."
        )
    return [note]


def section_rows(report: QuadReport):
    """(section, [(figure, [value per window])]) in the catalogue's order: what every format
    shows, in the same order."""
    return [
        (
            section,
            [
                (figure, [report.value(figure.path, k) for k in range(len(report.windows))])
                for figure in section.figures
            ],
        )
        for section in SECTIONS
    ]


__all__ = ["CQC_RATINGS", "build", "check_filters", "section_rows"]
