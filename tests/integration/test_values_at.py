"""What a record's field was at an instant, read back from the audit trail
(`quad_report.rules.values_at`: the dashboard's "turned red this month", the QuAD report's CQC
ratings and action gradings then). The database picks each record's first change after each
instant and sends its old value alone; these cases pin down that choice on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import literal, select, union_all

from qa_app.extensions import db
from qa_app.models import AuditEvent
from qa_app.services.quad_report import rules

START = datetime(2026, 10, 1, tzinfo=UTC)


def _change(entity_id: int, days: float, changes: dict, action="risk_changed", kind="service"):
    db.session.add(
        AuditEvent(
            occurred_at=START + timedelta(days=days),
            actor_label="System",
            channel="system",
            entity_type=kind,
            entity_id=entity_id,
            action=action,
            changes=changes,
        )
    )


def test_each_instant_takes_the_value_the_first_change_after_it_replaced(ctx):
    # one record changed three times: before, between and after the two instants
    _change(1, -10, {"risk": ["green", "amber"]})
    _change(1, 5, {"risk": ["amber", "red"]})
    _change(1, 5, {"risk": ["red", "green"]})  # same time, later id: the one before wins
    _change(1, 40, {"risk": ["green", "amber"]})
    # changed only after the second instant
    _change(2, 45, {"risk": ["amber", "red"], "name": ["A", "B"]})
    # a creation is not a change; nor is the word in another field's text, nor another kind
    _change(3, 5, {"risk": [None, "red"]}, action="created")
    _change(4, 5, {"note": ["", 'the "risk" went up']}, action="updated")
    _change(5, 5, {"risk": ["green", "red"]}, kind="provider")
    # not a [before, after] pair: not read as a change
    _change(6, 5, {"risk": "red"}, action="updated")
    _change(7, 5, {"risk": []}, action="updated")
    # a change from no value at all
    _change(8, 50, {"risk": [None, "amber"]}, action="updated")
    db.session.flush()

    at_start, at_month_end = rules.values_at("service", "risk", [START, START + timedelta(31)])
    assert at_start == {1: "amber", 2: "amber", 8: None}
    assert at_month_end == {1: "green", 2: "amber", 8: None}
    assert rules.values_at("service", "risk", []) == []
    # limited to some records (a subquery of ids, as the filters give)
    ids = union_all(select(literal(2)), select(literal(8)))
    assert rules.values_at("service", "risk", [START], ids) == [{2: "amber", 8: None}]


def test_numbers_come_back_as_numbers(ctx):
    _change(9, 3, {"progress_grade": [2, 1]}, action="progress_recorded", kind="plan_action")
    _change(9, 4, {"progress_grade": [1, 3]}, action="progress_recorded", kind="plan_action")
    db.session.flush()
    assert rules.values_at("plan_action", "progress_grade", [START, START + timedelta(3.5)]) == [
        {9: 2},
        {9: 1},
    ]
