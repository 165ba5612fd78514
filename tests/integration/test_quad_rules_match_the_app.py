"""The QuAD report's rules as at an instant (services/quad_report/rules.py) are the app's own
rules: asked "as at now", each gives what the app's current definition gives, so the report
for the month under way agrees with the lists, the dashboards and the risk RAG."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from qa_app.domain.months import day_as_at, month_of
from qa_app.domain.risk import assess_risk
from qa_app.extensions import db
from qa_app.models import Concern, Notice, Service
from qa_app.services import dashboard, notices, plans
from qa_app.services.calendar import utcnow
from qa_app.services.quad_report import Filters, Window, queries, rules
from qa_app.services.risk import facts_for_many
from qa_app.services.rules import OPEN_CONCERN, latest_overall_ratings
from tests.support import quad_world


@pytest.fixture
def council(make):
    built = quad_world.build(make)
    # a placement stop in force now, kept on its service as the notices service keeps it
    hazel = built["services"]["hazel"]
    db.session.add(
        Notice(
            kind="notice_of_concern",
            service_id=hazel.id,
            status="issued",
            issued_at=quad_world.utc(2026, 11, 2, 10, 0),
            placement_stop_start=date(2026, 11, 3),
            created_by_label="Test",
        )
    )
    db.session.flush()
    notices.sync_placement_stop(hazel)
    db.session.commit()
    plans.mark_overdue(utcnow())  # what the sweep records, which the risk RAG reads
    return built


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(Concern).where(*where))


def test_open_concerns_now_are_the_risk_rags(council):
    now = utcnow()
    assert _count(rules.concern_open(now)) == _count(OPEN_CONCERN) == 3  # C, D, G


def test_notices_in_force_now_are_the_models(council):
    now = utcnow()

    def count(where):
        return db.session.scalar(select(func.count(Notice.id)).where(where))

    assert count(rules.notice_in_force(now)) == count(Notice.in_force()) == 3


def test_stops_in_force_now_are_the_dashboards(council):
    now = utcnow()
    active = db.session.scalar(
        select(func.count(func.distinct(Notice.service_id))).where(
            rules.stop_active(now, day_as_at(now))
        )
    )
    assert active == dashboard.concern_counts(now).placement_stops == 1


def test_overdue_plans_and_actions_now_are_the_plan_lists(council):
    now = utcnow()
    report = queries.build(council["manager"], month_of(now), now=now)
    counts = plans.staff_counts()
    assert report.value("plans.overdue") == counts.overdue_plans == 1  # P2
    assert report.value("plans.overdue_actions") == counts.overdue_actions == 2  # A1, A2


def test_latest_published_ratings_now_are_the_risk_rags(council):
    now = utcnow()
    ids = [s.id for s in council["services"].values()]
    history: dict[int, list] = {}
    for row in db.session.execute(rules.assessment_history([now])):
        history.setdefault(row.service_id, []).append(row)
    latest = {sid: rules.latest_published(rows, now) for sid, rows in history.items()}
    mine = {sid: row.overall_rating for sid, row in latest.items() if row is not None}
    assert mine == latest_overall_ratings(ids)


def test_the_services_of_concern_now_are_the_risk_rags(council):
    """Every service's RAG and reasons, worked out as at now by the report, are those the
    market overview's rule gives from the app's current facts."""
    now = utcnow()
    window = Window.of(month_of(now), now)
    rows = queries.services(Filters())
    standing = queries.standings(rows, [window], Filters())[0]
    mine = {
        sid: (result.rag, result.reasons)
        for sid, facts in queries.risk_facts(window, standing, Filters()).items()
        for result in [assess_risk(facts)]
    }
    services = list(db.session.scalars(select(Service)).unique())
    theirs = {
        sid: (result.rag, result.reasons)
        for sid, facts in facts_for_many(services).items()
        for result in [assess_risk(facts)]
    }
    assert mine == theirs
    assert sorted(rag for rag, _ in mine.values()).count("red") >= 4
