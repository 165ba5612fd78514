"""The rules the QuAD report counts by, each in one place, as at an instant.

The app's other queries answer "now" (a plan is overdue when its status is with the provider
and its due date has passed: `domain.plans.plan_overdue`, `plans.staff_counts`). A monthly
report asks the same question as at the month's last instant, from the times each record
keeps, so each rule below is the as-at form of the named rule, written once and used by every
figure, list, format and comparison column. At `moment` = now each gives what its current
form gives (tests/integration/test_quad_rules_match_the_app.py checks that).

Each is marked `# rule: … (issue 14)` with the one definition it is the as-at form of: the
domain rule, and its current query form in services/rules.py.

`moment` is an instant (aware, UTC) taken as an exclusive end: "as at the month's last
instant" is `moment = month.end`. `day` is the London day whose rules apply then
(`domain.months.day_as_at(moment)`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, and_, case, cast, func, literal, or_, select, union_all

from qa_app.domain import plans as plan_rules
from qa_app.domain.lifecycle import PUBLISHED, publication_order
from qa_app.domain.notices import IN_FORCE, NEVER_ISSUED
from qa_app.extensions import db
from qa_app.models import Assessment, AuditEvent, Concern, ImprovementPlan, Notice, PlanAction
from qa_app.models.types import UTCDateTime


def at(moment: datetime):
    """An instant as a bound value of the right type (for CASE and comparisons of literals)."""
    return literal(moment, UTCDateTime())


def before(column, moment: datetime):
    """The column's time is set and earlier than `moment`."""
    return and_(column.is_not(None), column < moment)


def not_before(column, moment: datetime):
    """The column's time is unset, or `moment` or later (it had not happened by `moment`)."""
    return or_(column.is_(None), column >= moment)


def within(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


# ---------------------------------------------------------------- assessments


def assessment_history(moments: list[datetime], service_ids=None):
    """What each service's standing at any of `moments` depends on, for the rules below: its
    assessments from its latest publication before the earliest moment onwards (all of them if
    none), created or published before the latest moment, as (service_id, id, published_at,
    overall_rating, created_at), published_at only on a published assessment. (Published
    before it was created: history loaded from an earlier system, created when loaded.) One
    statement, however many moments; the years before the earliest moment are left in the
    database."""
    first, last = min(moments), max(moments)
    published = case((Assessment.status == PUBLISHED, Assessment.published_at))
    latest_before = select(
        Assessment.service_id.label("service_id"),
        func.max(Assessment.published_at).label("published_at"),
    ).where(Assessment.status == PUBLISHED, Assessment.published_at < first)
    if service_ids is not None:
        latest_before = latest_before.where(Assessment.service_id.in_(service_ids))
    floor = latest_before.group_by(Assessment.service_id).subquery()
    query = (
        select(
            Assessment.service_id,
            Assessment.id,
            published.label("published_at"),
            Assessment.overall_rating,
            Assessment.created_at,
        )
        .outerjoin(floor, floor.c.service_id == Assessment.service_id)
        .where(
            or_(Assessment.created_at < last, published < last),
            or_(
                floor.c.published_at.is_(None),
                published >= floor.c.published_at,
                # not published: under way after the floor, or not
                and_(published.is_(None), Assessment.created_at >= floor.c.published_at),
            ),
        )
    )
    if service_ids is not None:
        query = query.where(Assessment.service_id.in_(service_ids))
    return query.order_by(Assessment.service_id, Assessment.id)


# rule: latest published assessment (issue 14): domain.lifecycle.publication_order (by
# published time, then the highest id), as at `moment`; now: services.rules.latest_published
def latest_published(history, moment: datetime):
    """Of one service's `assessment_history` rows, the latest published before `moment`, or
    None. A correction published later supersedes the assessment it corrects by being later."""
    best, best_order = None, None
    for row in history:
        published_at = row.published_at
        if published_at is None or published_at >= moment:
            continue
        order = publication_order(published_at, row.id)
        if best_order is None or order > best_order:
            best, best_order = row, order
    return best


# rule: a newer assessment under way (as services.plans.follow_ups_due): created after the
# latest publication and not itself published by `moment`
def under_way(history, latest, moment: datetime) -> bool:
    if latest is None:
        return False
    since = latest.published_at
    for row in history:
        if since < row.created_at < moment and (
            row.published_at is None or row.published_at >= moment
        ):
            return True
    return False


# ---------------------------------------------------------------- concerns


def notice_draft_at(moment: datetime):
    """Notices still drafts at `moment`: not yet issued, not withdrawn."""
    return select(Notice.id).where(
        not_before(Notice.issued_at, moment), not_before(Notice.closed_at, moment)
    )


# rule: open concern (issue 14): domain.concerns.counts_as_open as at `moment`; now:
# services.rules.OPEN_CONCERN
def concern_open(moment: datetime):
    """Counts against its service at `moment`: received by then and not closed; if escalated
    by then, until its notice is issued (escalating must not turn a service green); otherwise
    until a response is recorded."""
    escalated = before(Concern.escalated_at, moment)
    return and_(
        Concern.received_at < moment,
        not_before(Concern.closed_at, moment),
        or_(
            and_(
                escalated,
                or_(Concern.notice_id.is_(None), Concern.notice_id.in_(notice_draft_at(moment))),
            ),
            and_(~escalated, not_before(Concern.responded_at, moment)),
        ),
    )


# ---------------------------------------------------------------- notices and stops


# rule: notice in force (models.Notice.in_force) at `moment`
def notice_in_force(moment: datetime):
    """Issued before `moment` and not yet lifted, remedied or closed by a breach decision then;
    a recommendation to terminate goes on counting, as it does in the risk RAG."""
    return and_(
        before(Notice.issued_at, moment),
        or_(not_before(Notice.closed_at, moment), Notice.status.in_(IN_FORCE)),
    )


# rule: placement stop active (domain.notices.placement_stop_active) at `moment`
def stop_active(moment: datetime, day: date):
    """A placement stop on an issued notice that had begun by `day` and was not lifted by
    `moment`."""
    return and_(
        Notice.placement_stop_start.is_not(None),
        Notice.status.not_in(NEVER_ISSUED),
        before(Notice.issued_at, moment),
        Notice.placement_stop_start <= day,
        not_before(Notice.placement_stop_lifted_at, moment),
    )


def stop_on_issued_notice():
    return and_(Notice.placement_stop_start.is_not(None), Notice.status.not_in(NEVER_ISSUED))


# ---------------------------------------------------------------- improvement plans


# rule: plan status at an instant, from the times the plan's steps keep
def plan_status(moment: datetime):
    """The plan's status at `moment` (NULL before it was opened). A plan returned and sent
    again after `moment` reads as awaiting submission or returned then: with the provider
    either way, which is what the counts below ask."""
    submitted = before(ImprovementPlan.submitted_at, moment)
    reviewed = before(ImprovementPlan.reviewed_at, moment)
    return case(
        (not_before(ImprovementPlan.opened_at, moment), None),
        (before(ImprovementPlan.completed_at, moment), plan_rules.COMPLETED),
        (before(ImprovementPlan.accepted_at, moment), plan_rules.ACCEPTED),
        (
            and_(submitted, reviewed, ImprovementPlan.reviewed_at > ImprovementPlan.submitted_at),
            plan_rules.RETURNED,
        ),
        (submitted, plan_rules.SUBMITTED),
        (reviewed, plan_rules.RETURNED),  # returned, sent again after `moment`
        else_=plan_rules.AWAITING,
    )


def plan_open(moment: datetime):
    return plan_status(moment).in_(plan_rules.OPEN_STATUSES)


def plan_with_provider(moment: datetime):
    """Awaiting submission, or returned: the provider still has to send it."""
    return plan_status(moment).in_(plan_rules.WITH_PROVIDER)


# rule: overdue plan (issue 14): domain.plans.plan_overdue at `moment`; now:
# services.rules.plan_overdue
def plan_overdue(moment: datetime, day: date):
    return and_(plan_with_provider(moment), ImprovementPlan.submission_due_date < day)


# rule: open action (issue 14): open or in progress, in an open plan, at `moment`
def action_open(moment: datetime):
    return and_(
        plan_open(moment),
        PlanAction.created_at < moment,
        not_before(PlanAction.completed_at, moment),
    )


# rule: overdue action (issue 14): domain.plans.action_overdue at `moment`; now:
# services.rules.action_overdue
def action_overdue(moment: datetime, day: date):
    return and_(action_open(moment), PlanAction.target_date < day)


def action_in_open_plan(moment: datetime):
    """Every action of a plan open at `moment` (for the gradings), done or not."""
    return and_(plan_open(moment), PlanAction.created_at < moment)


# ---------------------------------------------------------------- values at an instant


def _has_old_value(field: str):
    """The audit event's changes hold a [before, after] list (at least its first item) under
    `field`: each database's own JSON test, so no event's JSON need be read back to ask."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_typeof(AuditEvent.changes[(field, 0)]).is_not(None)
    return func.json_type(AuditEvent.changes, f'$."{field}"[0]').is_not(None)


def values_at(entity_type: str, field: str, moments: list[datetime], ids=None) -> list[dict]:
    """For each of `moments`, {entity id: the field's value then} for the entities whose field
    has changed since (from the append-only audit trail: the value a change replaced is the
    value before it, so the value at a moment is the one the first change after it replaced).
    Entities not in a dict have the value they have now. One statement: the database reads
    only the changes since each moment (the (entity_type, occurred_at) index), picks each
    entity's first (by time, then id) and sends back its old value alone.

    A record's creation is not a change: what it was created with is taken to hold before too
    (a service entered in the register keeps the CQC rating it already had)."""
    if not moments:
        return []
    firsts = []
    for k, moment in enumerate(moments):
        order = func.row_number().over(
            partition_by=AuditEvent.entity_id, order_by=(AuditEvent.occurred_at, AuditEvent.id)
        )
        changes = select(
            literal(k).label("k"),
            AuditEvent.entity_id.label("entity_id"),
            AuditEvent.changes[(field, 0)].label("old"),
            order.label("n"),
        ).where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.occurred_at >= moment,
            AuditEvent.action != "created",
            cast(AuditEvent.changes, Text).like(f'%"{field}"%'),  # (cheap: before any JSON)
            _has_old_value(field),
        )
        if ids is not None:
            changes = changes.where(AuditEvent.entity_id.in_(ids))
        ranked = changes.subquery()
        firsts.append(select(ranked.c.k, ranked.c.entity_id, ranked.c.old).where(ranked.c.n == 1))
    result: list[dict] = [{} for _ in moments]
    for k, entity_id, old in db.session.execute(union_all(*firsts)):
        result[k][entity_id] = old
    return result
