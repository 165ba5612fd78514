"""The monthly QuAD report (issue 16): right against a small hand-built council whose events sit
on month edges at midnight London time (tests/support/quad_world.py), in GMT and BST; the
comparison months, the moves, the services of most concern, the filters; the list behind
every number; and a fixed number of SQL statements however much data there is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from qa_app.domain.months import Month
from qa_app.extensions import db
from qa_app.models import ClockEvent, Concern, Notice
from qa_app.services import quad_report
from qa_app.services.quad_report import lists
from tests.support import factories, quad_world
from tests.support.quad_world import (
    EXPECTED_OCTOBER,
    EXPECTED_OCTOBER_2025,
    EXPECTED_SEPTEMBER,
    NOW,
)

OCTOBER = Month(2026, 10)


@pytest.fixture
def council(make):
    return quad_world.build(make)


def _report(council, **filters):
    return quad_report.build(council["manager"], OCTOBER, quad_report.Filters(**filters), now=NOW)


def _without_month(tree: dict) -> dict:
    return {k: v for k, v in tree.items() if k != "month"}


def test_october_is_counted_on_londons_month_edges(council):
    report = _report(council)
    assert _without_month(report.figures[0]) == EXPECTED_OCTOBER
    assert report.figures[0]["month"] == "2026-10"
    assert [str(w.month) for w in report.windows] == ["2026-10", "2026-09", "2025-10"]
    assert report.window.as_at == quad_world.OCT_END and report.window.complete


@pytest.mark.parametrize(
    ("column", "expected"), [(1, EXPECTED_SEPTEMBER), (2, EXPECTED_OCTOBER_2025)]
)
def test_the_month_before_and_a_year_earlier(council, column, expected):
    report = _report(council)
    assert {path: report.value(path, column) for path in expected} == expected


def test_ratings_that_moved_in_the_month_worse_first(council):
    moves = [
        (c.name, c.kind, c.before, c.after, c.direction) for c in _report(council).rating_changes
    ]
    assert moves == [
        ("Birch House", "assessment", "Requires improvement", "Poor", "worse"),
        ("Cedar House", "cqc", "Good", "Inadequate", "worse"),
        ("Rowan House", "assessment", None, "Good", ""),
    ]


def test_services_of_most_concern_red_first_with_the_risk_rules_reasons(council):
    report = _report(council)
    assert report.concern_counts == {"red": 4, "amber": 1}
    listed = [(s.name, s.risk, s.reasons) for s in report.services_of_concern]
    assert listed == [
        (
            "Cedar House",
            "red",
            ["notice issued 15 October 2026, not yet lifted or remedied", "CQC rating Inadequate"],
        ),
        (
            "Larch House",
            "red",
            [
                "placement stop since 1 October 2026",
                "notice issued 30 September 2026, not yet lifted or remedied",
            ],
        ),
        ("Alder House", "red", ["notice issued 2 October 2026, not yet lifted or remedied"]),
        ("Birch House", "red", ["latest assessment rated Poor"]),
        # B was answered on 3 November: at October's end it was an open high-risk concern
        (
            "Hazel House",
            "amber",
            ["latest assessment rated Requires improvement", "open high-risk concern"],
        ),
    ]


def test_every_figure_respects_the_filters(council):
    east_left_out = _report(council, cluster="West")
    assert east_left_out.value("ratings.assessment.None") == 1  # cedar only
    assert east_left_out.value("assessments.planned", 2) == 0  # east's was in October 2025
    assert east_left_out.value("concerns.received.total") == 3
    hazel_only = _report(council, service_type="home_support")
    assert hazel_only.value("concerns.received.total") == 2  # B and C
    assert hazel_only.value("concerns.clocks.other.breached") == 0  # F is larch's
    assert hazel_only.value("notices.contract_breach.open") == 0
    assert hazel_only.value("ratings.cqc.Good") == 1
    assert hazel_only.value("assessments.follow_ups_overdue") == 1
    assert [s.name for s in hazel_only.services_of_concern] == ["Hazel House"]
    assert hazel_only.trend.received["high"][-1] == 1
    nobody = _report(council, cluster="Nowhere")
    assert nobody.value("concerns.received.total") == 0
    assert nobody.value("ratings.cqc.Good") == 0 and nobody.services_of_concern == []


def test_the_trend_ends_with_the_month_and_agrees_with_it(council):
    report = _report(council)
    trend = report.trend
    assert str(trend.months[0]) == "2025-11" and trend.months[-1] == OCTOBER
    assert trend.received["high"][-1] == report.value("concerns.received.high")
    assert trend.received["medium"][-2:] == [0, 2]  # September, October
    assert trend.received["high"][-2:] == [2, 1]
    assert trend.on_time_rate["high"][-2:] == [0.0, 0.5]
    assert trend.on_time_rate["other"][-2:] == [None, 0.0]


def test_a_month_under_way_counts_states_as_at_now(council):
    report = quad_report.build(council["manager"], Month(2026, 11), now=NOW)
    assert report.window.as_at == NOW and not report.window.complete
    assert report.value("concerns.received.low") == 1  # D, at November's first instant
    assert report.value("notices.contract_breach.remedied") == 1  # N3
    assert report.value("placement_stops.lifted") == 1  # N2's
    assert report.value("placement_stops.active") == 0
    assert report.value("ratings.cqc.Requires improvement") == 1  # birch since November


def test_march_2026_ends_at_midnight_summer_time(council, make):
    """The clocks went forward on 29 March 2026: March ends at 2026-03-31T23:00Z."""
    service = council["services"]["rowan"]
    for received in (
        datetime(2026, 3, 31, 22, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 31, 23, 0, tzinfo=UTC),
    ):
        db.session.add(
            Concern(
                service_id=service.id,
                risk_level="low",
                source="complaint",
                summary="Edge",
                received_at=received,
                logged_by_label="Test",
                clock="72-hour",
                clock_mode="elapsed",
                response_due_at=received + timedelta(hours=72),
            )
        )
    db.session.commit()
    march = quad_report.build(council["manager"], Month(2026, 3), now=NOW)
    april = quad_report.build(council["manager"], Month(2026, 4), now=NOW)
    assert (march.value("concerns.received.low"), april.value("concerns.received.low")) == (1, 1)


# ---------------------------------------------------------------- the lists behind the numbers


def _every_list_path():
    counted = [p for p, f in quad_report.FIGURES.items() if f.table != "rate"]
    return counted + list(lists.CONCERN_LISTS)


@pytest.mark.parametrize("column", [0, 1, 2])
def test_every_number_is_the_length_of_the_list_behind_it(council, column):
    report = _report(council)
    month = report.windows[column].month
    for path in _every_list_path():
        found = lists.records(council["manager"], month, report.filters, path, now=NOW)
        if path.startswith("services_of_concern"):
            expected = report.concern_counts[path.rsplit(".", 1)[1]] if column == 0 else None
        else:
            expected = report.value(path, column)
        if expected is not None:
            assert found.page.total == expected, (path, str(month))
        assert len(found.rows) == min(found.page.total, lists.PAGE_SIZE)


def test_a_list_names_the_records_and_links_to_them(council):
    found = lists.records(
        council["manager"], OCTOBER, quad_report.Filters(), "concerns.clocks.high.breached", now=NOW
    )
    assert [row.cells[1] for row in found.rows] == ["Hazel House"]
    assert found.rows[0].link[0] == "concern"
    assert found.rows[0].cells[0] == datetime(2026, 10, 1, 23, 0, tzinfo=UTC)  # the due time
    stops = lists.records(
        council["manager"], OCTOBER, quad_report.Filters(), "placement_stops.active", now=NOW
    )
    assert [row.cells[1] for row in stops.rows] == ["Larch House"]


def test_a_figure_with_no_list_is_not_found(council):
    from qa_app.services.errors import NotFound

    for path in ("concerns.clocks.high.on_time_rate", "nonsense", "concerns", ""):
        with pytest.raises(NotFound):
            lists.records(council["manager"], OCTOBER, quad_report.Filters(), path, now=NOW)


def test_a_provider_gets_no_report(council, make):
    from qa_app.services.errors import NotFound

    provider_user = make.user("provider", make.provider())
    with pytest.raises(NotFound):
        quad_report.build(provider_user, OCTOBER, now=NOW)
    with pytest.raises(NotFound):
        lists.records(provider_user, OCTOBER, quad_report.Filters(), "concerns.received.high")


# ---------------------------------------------------------------- a fixed number of statements


def _statements(council):
    counted = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:5].upper() != "BEGIN":
            counted.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        _report(council)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def test_the_number_of_statements_does_not_grow_with_the_data(council, make):
    before = _statements(council)
    # ten more services, each with concerns, clocks, notices and a move, in several months
    provider = make.provider()
    for n in range(10):
        service = make.service(provider, name=f"More {n}", cluster="West")
        for month in (9, 10):
            received = datetime(2026, month, 10 + n, 9, 0, tzinfo=UTC)
            concern = factories.high_risk_concern(service, received, "More", source="cqc")
            db.session.flush()
            db.session.add(
                ClockEvent(concern_id=concern.id, kind="breached", clock="24-hour", at=received)
            )
        db.session.add(
            Notice(
                kind="notice_of_concern",
                service_id=service.id,
                status="issued",
                issued_at=datetime(2026, 10, 5, tzinfo=UTC),
                created_by_label="Test",
            )
        )
    db.session.commit()
    after = _statements(council)
    assert after == before, (before, after)
    assert before <= 30
