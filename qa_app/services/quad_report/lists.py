"""The records behind each number of the QuAD report, for the same month and filters: the rows
the figure counted, chosen by the very same rule (`catalogue.Figure.where` or its standing
test), so a list's length is always its number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from qa_app.domain import plans as plan_rules
from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.concerns import CONCERN_RISK_LABELS, SOURCES
from qa_app.domain.concerns import STATUS_LABELS as CONCERN_STATUS
from qa_app.domain.months import Month
from qa_app.domain.notices import KINDS
from qa_app.domain.notices import STATUS_LABELS as NOTICE_STATUS
from qa_app.domain.pagination import Page, clamp_page
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
from qa_app.services import rules as sql_rules
from qa_app.services.errors import NotFound
from qa_app.services.listing import page_of
from qa_app.services.quad_report import queries, rules
from qa_app.services.quad_report.catalogue import FIGURES, SECTION_OF, Figure
from qa_app.services.quad_report.formats import sentence
from qa_app.services.quad_report.report import Filters, ServiceOfConcern, Window

PAGE_SIZE = 50
CONCERN_LISTS = {
    "services_of_concern.red": "Services red at the month's end",
    "services_of_concern.amber": "Services amber at the month's end",
}
#: Not a figure of the report, but the managers' dashboard's (issue 16, item 5): red at the
#: month's end (or now, in the month under way) and not red as it began.
TURNED_RED = "services_of_concern.turned_red"
OTHER_LISTS = {TURNED_RED: "Services that turned red during the month"}


@dataclass
class ListRow:
    #: what the row links to: (kind, id), kind one of service, concern, notice, assessment, plan
    link: tuple[str, int]
    cells: list


@dataclass
class RecordList:
    path: str
    title: str
    window: Window
    columns: list[str]
    rows: list[ListRow]
    page: Page
    hint: str = ""
    extra: dict = field(default_factory=dict)


def _title(figure: Figure) -> str:
    section = SECTION_OF[figure.path]
    return f"{section.title}: {figure.label[0].lower() + figure.label[1:]}"


def records(
    viewer: User,
    month: Month,
    filters: Filters,
    path: str,
    page: int = 1,
    now: datetime | None = None,
    page_size: int = PAGE_SIZE,
) -> RecordList:
    """The page'th page of the records behind the figure at `path` for `month`."""
    queries.staff_only(viewer)
    window = Window.of(month, now or utcnow())
    if path in CONCERN_LISTS or path in OTHER_LISTS:
        return _of_concern(window, filters, path, page, page_size)
    figure = FIGURES.get(path)
    if figure is None or figure.table == "rate":
        raise NotFound("There is no list behind that figure")
    if figure.table == "service":
        return _standing(window, filters, figure, page, page_size)
    if figure.table == "grade":
        return _graded(window, filters, figure, page, page_size)
    return _rows(window, filters, figure, page, page_size)


def _paged(query, order, page: int, page_size: int):
    chosen = page_of(query, page, page_size)
    found = db.session.execute(
        query.order_by(*order).offset(chosen.offset).limit(chosen.size)
    ).all()
    return found, chosen


def _risk(concern: Concern) -> str:
    return CONCERN_RISK_LABELS.get(concern.risk_level, concern.risk_level)


def _concern_row(found) -> ListRow:
    c, name = found
    return ListRow(
        ("concern", c.id),
        [
            c.received_at,
            name,
            _risk(c),
            SOURCES.get(c.source, c.source),
            CONCERN_STATUS.get(c.status, c.status),
        ],
    )


def _clock_row(found) -> ListRow:
    e, c, name = found
    return ListRow(("concern", c.id), [e.at, name, _risk(c), e.clock, c.received_at])


def _notice_row(found) -> ListRow:
    n, name = found
    return ListRow(
        ("notice", n.id),
        [
            f"{KINDS.get(n.kind, n.kind)} {n.id}",
            name,
            NOTICE_STATUS.get(n.status, n.status),
            n.issued_at,
            n.closed_at,
            _stop(n),
        ],
    )


def _assessment_row(a) -> ListRow:
    status = a.status.replace("_", " ").capitalize()
    rating = f" ({a.overall_rating})" if a.overall_rating else ""
    return ListRow(
        ("assessment", a.id),
        [a.name, a.visit_date, status + rating, a.created_at, a.submitted_at, a.published_at],
    )


def _plan_row(p) -> ListRow:
    status = plan_rules.STATUS_LABELS.get(p.status_then, p.status_then or "")
    return ListRow(("plan", p.id), [p.name, status, p.opened_at, p.submission_due_date])


def _actions():
    """Plan actions with their plan's id and their service's name: the action lists' rows."""
    return (
        select(
            PlanAction.id,
            ImprovementPlan.id.label("plan_id"),
            Service.name,
            PlanAction.description,
            PlanAction.owner,
            PlanAction.target_date,
        )
        .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
        .join(Service, Service.id == ImprovementPlan.service_id)
    )


def _action_row(a, *more) -> ListRow:
    """An action's row (from `_actions`), with any `more` cells after its target date."""
    return ListRow(
        ("plan", a.plan_id), [a.name, _short(a.description), a.owner, a.target_date, *more]
    )


@dataclass(frozen=True)
class _Table:
    """How the list behind a figure counted in one table reads its records: the query (with
    the service's name) for a window, their order, the columns and each record's row."""

    query: Callable[[Window], Select]
    order: tuple
    columns: tuple[str, ...]
    row: Callable[[Any], ListRow]


_TABLES = {
    "concern": _Table(
        lambda w: select(Concern, Service.name).join(Service, Service.id == Concern.service_id),
        (Concern.received_at.desc(), Concern.id.desc()),
        ("Received", "Service", "Risk", "Source", "Status now"),
        _concern_row,
    ),
    "clock": _Table(
        lambda w: (
            select(ClockEvent, Concern, Service.name)
            .join(Concern, Concern.id == ClockEvent.concern_id)
            .join(Service, Service.id == Concern.service_id)
        ),
        (ClockEvent.at.desc(), ClockEvent.id.desc()),
        ("Clock stopped or fell due", "Service", "Risk", "Clock", "Received"),
        _clock_row,
    ),
    "notice": _Table(
        lambda w: select(Notice, Service.name).join(Service, Service.id == Notice.service_id),
        (Notice.issued_at.desc(), Notice.id.desc()),
        ("Notice", "Service", "Status now", "Issued", "Closed", "Placement stop"),
        _notice_row,
    ),
    "assessment": _Table(
        lambda w: (
            select(Assessment.id, Service.name, Assessment.visit_date, Assessment.status)
            .add_columns(
                Assessment.created_at,
                Assessment.submitted_at,
                Assessment.published_at,
                Assessment.overall_rating,
            )
            .join(Service, Service.id == Assessment.service_id)
        ),
        (Service.name, Assessment.id),
        ("Service", "Visit date", "Status now", "Planned", "Submitted", "Published"),
        _assessment_row,
    ),
    "plan": _Table(
        lambda w: select(
            ImprovementPlan.id,
            Service.name,
            rules.plan_status(w.as_at).label("status_then"),
            ImprovementPlan.opened_at,
            ImprovementPlan.submission_due_date,
        ).join(Service, Service.id == ImprovementPlan.service_id),
        (ImprovementPlan.submission_due_date, ImprovementPlan.id),
        ("Service", "Status at the month's end", "Opened", "Submission due"),
        _plan_row,
    ),
    "action": _Table(
        lambda w: _actions().add_columns(PlanAction.status),
        (PlanAction.target_date, PlanAction.id),
        ("Service", "Action", "Owner", "Target date", "Status now"),
        lambda a: _action_row(a, plan_rules.ACTION_LABELS.get(a.status, a.status)),
    ),
}


def _rows(window: Window, filters: Filters, figure: Figure, page: int, size: int) -> RecordList:
    table = _TABLES[figure.table]
    query = queries.filtered(table.query(window), filters).where(queries._where(figure, window))
    found, chosen = _paged(query, table.order, page, size)
    rows = [table.row(r) for r in found]
    return RecordList(
        figure.path, _title(figure), window, list(table.columns), rows, chosen, figure.hint
    )


def _short(text: str, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _stop(notice: Notice) -> str:
    if not notice.placement_stop_start:
        return ""
    text = f"from {notice.placement_stop_start.day} {notice.placement_stop_start:%B %Y}"
    if notice.placement_stop_lifted_at:
        text += ", lifted"
    return text


def _latest(standing) -> str:
    """The latest published assessment's rating and date, as the list shows it."""
    if standing.latest_rating and standing.published_at:
        return f"{standing.latest_rating}, published {long_date(standing.published_at)}"
    return "None published"


def _standing(window, filters, figure: Figure, page: int, size: int) -> RecordList:
    rows = queries.services(filters)
    standing = queries.standings(rows, [window], filters)[0]
    chosen_rows = [r for r in rows if r.id in standing and figure.matches(standing[r.id])]
    chosen = clamp_page(page, len(chosen_rows), size)
    shown = chosen_rows[chosen.offset : chosen.offset + chosen.size]
    columns = [
        "Service",
        "Provider",
        "Cluster",
        "Latest assessment",
        "CQC rating then",
        "Follow-up due",
    ]
    list_rows = [
        ListRow(
            ("service", r.id),
            [
                r.name,
                r.provider,
                r.cluster,
                _latest(standing[r.id]),
                standing[r.id].cqc,
                standing[r.id].follow_up_due,
            ],
        )
        for r in shown
    ]
    return RecordList(figure.path, _title(figure), window, columns, list_rows, chosen, figure.hint)


def _graded(window, filters, figure: Figure, page: int, size: int) -> RecordList:
    grades = queries.grades([window], filters)[0]
    wanted = sorted(action_id for action_id, grade in grades.items() if figure.matches(grade))
    chosen = clamp_page(page, len(wanted), size)
    ids = wanted[chosen.offset : chosen.offset + chosen.size]
    found = {}
    if ids:
        for a in db.session.execute(_actions().where(PlanAction.id.in_(ids))):
            found[a.id] = a
    rows = [_action_row(found[i]) for i in ids if i in found]
    return RecordList(
        figure.path,
        _title(figure),
        window,
        ["Service", "Action", "Owner", "Target date"],
        rows,
        chosen,
        figure.hint,
    )


def _of_concern(window, filters, path: str, page: int, size: int) -> RecordList:
    found = turned_red(window, filters) if path == TURNED_RED else None
    if found is None:
        rows = queries.services(filters)
        standing = queries.standings(rows, [window], filters)[0]
        facts = queries.risk_facts(window, standing, filters)
        risk = path.rsplit(".", 1)[1]
        found = [s for s in queries.of_concern(rows, facts) if s.risk == risk]
    chosen = clamp_page(page, len(found), size)
    list_rows = [
        ListRow(
            ("service", s.service_id),
            [
                s.name,
                s.provider,
                SERVICE_TYPES.get(s.service_type, s.service_type),
                s.cluster,
                sentence("; ".join(s.reasons)),
            ],
        )
        for s in found[chosen.offset : chosen.offset + chosen.size]
    ]
    return RecordList(
        path,
        CONCERN_LISTS.get(path) or OTHER_LISTS[path],
        window,
        ["Service", "Provider", "Type", "Cluster", "Why"],
        list_rows,
        chosen,
        _concern_hint(path, window),
    )


def _concern_hint(path: str, window: Window) -> str:
    if path != TURNED_RED:
        return "By the market overview's risk rules, as things stood at the month's end"
    when = "at the month's end" if window.complete else "now"
    return (
        f"Red {when} by the risk rating as recorded when it changed, and not red when the month "
        "began; the reasons given are today's"
    )


def turned_red_ids(window: Window, filters: Filters) -> set[int]:
    """The services whose risk RAG was red at the window's `as_at` (the month's end, or now)
    and was not as the month began, from the RAG changes the audit trail records
    (`services.risk.refresh_risk_many`, `registry.apply_service_changes`), less those closed by its day. Three statements, each
    served by an index, however many services or years of history there are."""
    at_start, at_end = rules.values_at(
        "service", "risk", [window.start, window.as_at], queries.service_ids(filters)
    )
    red_now = set(
        db.session.scalars(
            queries.filtered(select(Service.id).where(Service.risk == "red"), filters)
        )
    )
    # a service closed by the window's day is in no count of the month (as `standings`)
    closed = set(
        db.session.scalars(
            queries.filtered(
                select(Service.id).where(~sql_rules.service_open_on(window.day)), filters
            )
        )
    )
    return {
        sid
        for sid, rag in at_start.items()
        if rag != "red"
        and sid not in closed
        and (at_end[sid] == "red" if sid in at_end else sid in red_now)
    }


def turned_red(window: Window, filters: Filters) -> list[ServiceOfConcern]:
    """`turned_red_ids` as rows of the list, by name; their reasons are today's."""
    ids = turned_red_ids(window, filters)
    found = db.session.execute(
        select(
            Service.id,
            Service.name,
            Provider.name,
            Service.cluster,
            Service.service_type,
            Service.risk_reasons,
        )
        .join(Provider, Service.provider_id == Provider.id)
        .where(Service.id.in_(sorted(ids)))
        .order_by(Service.name, Service.id)
    )
    return [
        ServiceOfConcern(sid, name, provider, cluster, kind, "red", reasons.split("; "))
        for sid, name, provider, cluster, kind, reasons in found
    ]
