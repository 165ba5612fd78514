"""The shared rules as queries: each is the query form of one domain rule, written once here
and used by every page, API answer, export, dashboard count, the risk RAG and the sweep that
ask it. tests/integration/test_one_rule_everywhere.py checks that each gives what its domain
rule gives, and that every path agrees on a dataset built to hit the edges.

| rule                                  | domain (dates, statuses → bool)      | query form here        |
|---------------------------------------|--------------------------------------|------------------------|
| an overdue plan                       | `domain.plans.plan_overdue`          | `plan_overdue`         |
| an overdue action                     | `domain.plans.action_overdue`        | `action_overdue`       |
| a service's latest published assessment | `domain.lifecycle.latest_published` | `LATEST_FIRST`, `latest_published` |
| an open concern                       | `domain.concerns.counts_as_open`     | `OPEN_CONCERN`         |
| a response clock due within 24 hours  | `domain.dashboard.clock_due_soon`    | `clock_due_soon`       |
| a breached clock still to act on      | `domain.dashboard.clock_breached`    | `clock_breached`       |
| a comment period ending this week     | `domain.dashboard.comments_close_this_week` | `comments_close_this_week` |
| a service open (not closed) on a day  | `domain.service_closing.is_open_on`  | `service_open_on`      |
| a plan of a service open on a day     | `domain.service_closing.is_open_on`  | `plan_service_open_on` |
| a service's next assessment due before a day | `domain.programme.next_assessment_due` | `next_due_before` |

Imports no other use case, so that any of them may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from qa_app.domain import concerns as concern_rules
from qa_app.domain import dashboard as dashboard_rules
from qa_app.domain import lifecycle
from qa_app.domain import plans as plan_rules
from qa_app.domain import programme as programme_rules
from qa_app.domain.clocks import LONDON
from qa_app.extensions import db
from qa_app.models import Assessment, Concern, ImprovementPlan, Notice, PlanAction, Service

# ---------------------------------------------------------------- open (not closed) services


def service_open_on(day: date) -> ColumnElement[bool]:
    """`domain.service_closing.is_open_on` for each service: never closed, or closed after
    `day` (a Europe/London date; today's for the live market, a month's last day for the
    QuAD report). Every list and count about the live market asks this."""
    return or_(Service.closed_on.is_(None), Service.closed_on > day)


def plan_service_open_on(day: date) -> ColumnElement[bool]:
    """`service_open_on` for each improvement plan's service. A closed service's open plan
    is left as it stood (reopening the service brings it back), but nothing more is asked
    of it: the sweep does not mark it or its actions overdue, and the counts and lists of
    plans to act on (to review, overdue, open) leave it out. The closed services are few,
    so this reads them once rather than joining every plan to its service."""
    return ImprovementPlan.service_id.not_in(select(Service.id).where(~service_open_on(day)))


# ---------------------------------------------------------------- overdue plans and actions


def plan_overdue(today: date) -> ColumnElement[bool]:
    """`domain.plans.plan_overdue` for each improvement plan: with the provider after its due
    date (`today` is the Europe/London date)."""
    return and_(
        ImprovementPlan.status.in_(plan_rules.WITH_PROVIDER),
        ImprovementPlan.submission_due_date < today,
    )


def action_overdue(today: date) -> ColumnElement[bool]:
    """`domain.plans.action_overdue` for each action: outstanding after its target date."""
    return and_(
        PlanAction.status.in_(plan_rules.ACTION_OUTSTANDING),
        PlanAction.target_date < today,
    )


def plan_overdue_as_recorded() -> ColumnElement[bool]:
    """Overdue as the sweep recorded it (`plans.mark_overdue` stamps `overdue_at` on what
    `plan_overdue` selects, at the sweep's `now`) and still with the provider: what the stored
    risk RAG counts, so that it turns amber when the sweep records the plan overdue."""
    return and_(
        ImprovementPlan.status.in_(plan_rules.WITH_PROVIDER),
        ImprovementPlan.overdue_at.is_not(None),
    )


def action_overdue_as_recorded() -> ColumnElement[bool]:
    """Overdue as the sweep recorded it, and still outstanding (a later target date clears
    the record)."""
    return and_(
        PlanAction.status.in_(plan_rules.ACTION_OUTSTANDING),
        PlanAction.overdue_at.is_not(None),
    )


# ---------------------------------------------------------------- latest published assessment

#: `domain.lifecycle.publication_order`, latest first: by publication, then the higher id.
LATEST_FIRST = (Assessment.published_at.desc(), Assessment.id.desc())


def published() -> ColumnElement[bool]:
    return Assessment.status == lifecycle.PUBLISHED


def latest_published(service_ids: Iterable[int] | Select | None = None):
    """Each service's latest published assessment (`domain.lifecycle.latest_published`), as a
    subquery of (service_id, id, overall_rating, overall_percentage, published_at): one row per
    service that has one. `service_ids` (a list or a select of ids) limits it to those."""
    query = select(
        Assessment.service_id.label("service_id"),
        Assessment.id.label("id"),
        Assessment.overall_rating.label("overall_rating"),
        Assessment.overall_percentage.label("overall_percentage"),
        Assessment.published_at.label("published_at"),
        func.row_number()
        .over(partition_by=Assessment.service_id, order_by=LATEST_FIRST)
        .label("n"),
    ).where(published())
    if service_ids is not None:
        query = query.where(
            Assessment.service_id.in_(
                service_ids if isinstance(service_ids, Select) else list(service_ids)
            )
        )
    ranked = query.subquery()
    return (
        select(
            ranked.c.service_id,
            ranked.c.id,
            ranked.c.overall_rating,
            ranked.c.overall_percentage,
            ranked.c.published_at,
        )
        .where(ranked.c.n == 1)
        .subquery("latest_published")
    )


def latest_publication_times(published_before: datetime | None = None):
    """Each service's latest publication time, as a subquery of (service_id, published_at):
    the `published_at` of its `latest_published` assessment (which is ordered by publication
    time first), found without ranking every assessment; for counts over every service.
    `published_before`: only the services whose latest publication was before it."""
    query = (
        select(
            Assessment.service_id.label("service_id"),
            func.max(Assessment.published_at).label("published_at"),
        )
        .where(published())
        .group_by(Assessment.service_id)
    )
    if published_before is not None:
        query = query.having(func.max(Assessment.published_at) < published_before)
    return query.subquery("latest_publication")


def latest_published_from_index(published_before: datetime | None = None):
    """`latest_published` as a subquery of (service_id, published_at, overall_rating) found
    from the (status, service_id, published_at) index rather than by ranking every published
    assessment: each service's latest publication time, and the rating of the assessment
    published then (of two at that instant, the higher id: `LATEST_FIRST`). For counts and
    lists over every service. `published_before` leaves out services published since (a count
    of what is overdue reads only those that could be)."""
    times = latest_publication_times(published_before)
    rating = (
        select(Assessment.overall_rating)
        .where(
            published(),
            Assessment.service_id == times.c.service_id,
            Assessment.published_at == times.c.published_at,
        )
        .order_by(Assessment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(
        times.c.service_id.label("service_id"),
        times.c.published_at.label("published_at"),
        rating.label("overall_rating"),
    ).subquery("latest_published")


def latest_published_of(service_id: int) -> Assessment | None:
    """The service's latest published assessment (one statement)."""
    return db.session.scalar(
        select(Assessment)
        .where(Assessment.service_id == service_id, published())
        .order_by(*LATEST_FIRST)
        .limit(1)
    )


def latest_published_by_service(service_ids: Iterable[int]) -> dict[int, Assessment]:
    """Each of these services' latest published assessment, by service id (one statement)."""
    ids = sorted(set(service_ids))
    if not ids:
        return {}
    latest = latest_published(ids)
    return {
        a.service_id: a
        for a in db.session.scalars(
            select(Assessment).join(latest, latest.c.id == Assessment.id)
        ).unique()
    }


def latest_overall_ratings(service_ids: Iterable[int]) -> dict[int, str | None]:
    """Each service's latest published assessment's overall rating (one statement)."""
    ids = sorted(set(service_ids))
    if not ids:
        return {}
    latest = latest_published(ids)
    return dict(db.session.execute(select(latest.c.service_id, latest.c.overall_rating)).all())


def below_good() -> ColumnElement[bool]:
    """`domain.plans.standing(...).below_good` for each service: its latest published
    assessment, or its CQC rating, is below Good (SPEC section 5)."""
    latest = latest_published()
    return or_(
        Service.cqc_rating.in_(plan_rules.BELOW_GOOD_CQC),
        Service.id.in_(
            select(latest.c.service_id).where(
                latest.c.overall_rating.in_(plan_rules.BELOW_GOOD_RATINGS)
            )
        ),
    )


def intervals() -> programme_rules.Intervals:
    """The council's regular intervals between assessments (`QA_ASSESSMENT_INTERVAL_MONTHS`)."""
    return current_app.config.get("QA_ASSESSMENT_INTERVALS") or programme_rules.Intervals()


def next_due_before(latest, day: date, intervals: programme_rules.Intervals):
    """`domain.programme.next_assessment_due` < `day`, for each row of `latest` (a
    `latest_published` subquery). Never-assessed services have no row (theirs is due on the
    day itself)."""
    return or_(*next_due_groups(latest, day, intervals))


def next_due_by(day: date, intervals: programme_rules.Intervals) -> datetime:
    """The instant before which a service's latest publication must fall for its next
    assessment to be due before `day` under any of the rules (`next_due_groups` narrows it)."""
    months = {lifecycle.FOLLOW_UP_MONTHS, *intervals.all_months()}
    first = max(programme_rules.published_before_is_overdue(day, m) for m in months)
    return datetime.combine(first, datetime.min.time(), tzinfo=LONDON)


def next_due_groups(latest, day: date, intervals: programme_rules.Intervals):
    """`next_due_before` as one condition per length of wait (below Good: 6 months; then each
    service type's interval): within one, the order of publication is the order of due dates,
    so each can be listed most overdue first and the lists merged. Each is: the latest
    publication fell before the first publication date whose next assessment is not yet due
    before `day` (`domain.programme.published_before_is_overdue`)."""

    def published_before(months: int):
        first = programme_rules.published_before_is_overdue(day, months)
        return latest.c.published_at < datetime.combine(first, datetime.min.time(), tzinfo=LONDON)

    below = latest.c.overall_rating.in_(plan_rules.BELOW_GOOD_RATINGS)
    not_below = or_(latest.c.overall_rating.is_(None), ~below)
    by_type = intervals.by_type or {}

    def of_types(kinds) -> ColumnElement[bool]:
        return latest.c.service_id.in_(select(Service.id).where(Service.service_type.in_(kinds)))

    regular = [not_below, published_before(intervals.default)]
    if by_type:
        regular.append(~of_types(list(by_type)))
    return [
        and_(below, published_before(lifecycle.FOLLOW_UP_MONTHS)),
        and_(*regular),
    ] + [
        and_(not_below, of_types([kind]), published_before(months))
        for kind, months in by_type.items()
    ]


# ---------------------------------------------------------------- open concerns

#: `domain.concerns.counts_as_open` for each concern: open, or escalated into a notice that
#: is not yet issued (or into none yet).
OPEN_CONCERN: ColumnElement[bool] = or_(
    Concern.status == concern_rules.OPEN,
    and_(
        Concern.status == concern_rules.ESCALATED,
        or_(
            Concern.notice_id.is_(None),
            Concern.notice_id.in_(
                select(Notice.id).where(Notice.status.in_(concern_rules.NOTICE_NOT_YET_ISSUED))
            ),
        ),
    ),
)


# ---------------------------------------------------------------- the managers' dashboard


def clock_due_soon(now: datetime, hours: int = dashboard_rules.DUE_SOON_HOURS):
    """`domain.dashboard.clock_due_soon` for each concern: open, due within `hours`."""
    return and_(
        Concern.status == concern_rules.OPEN,
        Concern.response_due_at >= now,
        Concern.response_due_at < now + timedelta(hours=hours),
    )


def clock_breached(now: datetime):
    """`domain.dashboard.clock_breached` for each concern: past its response time with no
    response, and still counting as open."""
    return and_(
        # implied by OPEN_CONCERN; stated so that the (status, response_due_at) index serves it
        Concern.status.in_([concern_rules.OPEN, concern_rules.ESCALATED]),
        Concern.response_due_at < now,
        OPEN_CONCERN,
        Concern.responded_at.is_(None),
    )


def comments_close_this_week(now: datetime):
    """`domain.dashboard.comments_close_this_week` for each assessment: a shared draft whose
    comment period ends from now to the end of this London week."""
    start, end = dashboard_rules.shared_between_for_this_week(now)
    return and_(
        Assessment.status == lifecycle.DRAFT_SHARED,
        Assessment.shared_at >= start,
        Assessment.shared_at < end,
    )
