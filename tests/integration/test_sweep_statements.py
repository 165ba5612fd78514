"""The sweep at regional scale (issue 18, item 2): each batch costs the same statements however
many concerns, notices and services it escalates (not one or more per concern, notice or
service), and what it writes for a breached notice, many at once, is what a manager's
escalation of that one notice writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, select, update

from qa_app.extensions import db
from qa_app.models import AuditEvent, Concern, Notice, Service
from qa_app.services import notices, sweep
from qa_app.services.actors import Actor
from qa_app.services.risk import refresh_risk_many
from tests.support import factories

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SWEEP_NOTE = "A rectification requirement passed its due date without being met"


def _statements(work):
    """(what `work` returned, how many statements it sent)."""
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = work()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return result, len(seen)


def _breached_notices(make, count: int, tag: str) -> list[Notice]:
    """`count` services, each with an issued notice of concern whose requirement passed its due
    date unmet; each issued on a different day, so no two services' risk reasons are alike."""
    made = []
    for n in range(count):
        service = make.service(name=f"{tag} House {n}")
        made.append(
            factories.breached_notice(
                service,
                NOW - timedelta(days=20 + n),
                date(2026, 11, 1),
                grounds="Staffing",
                issued_by_label="Test",
            )
        )
    db.session.flush()
    refresh_risk_many([n.service_id for n in made])
    return made


def _overdue_concerns(make, count: int, tag: str) -> None:
    """`count` services, each with one concern past its response time and a different number
    of open concerns not yet due."""
    for n in range(count):
        service = make.service(name=f"{tag} Lodge {n}")
        for k in range(1 + n % 5):
            received = NOW - timedelta(hours=25 if k == 0 else 1)
            factories.high_risk_concern(service, received, f"Concern {k}")
    db.session.flush()
    refresh_risk_many(list(db.session.scalars(select(Service.id))))


def test_breached_notices_cost_the_same_statements_two_or_twenty(make):
    make.user("manager")  # emailed once per batch about its breach notices
    _breached_notices(make, 2, "Few")
    few, few_statements = _statements(lambda: sweep.sweep(NOW))
    _breached_notices(make, 20, "Many")
    many, many_statements = _statements(lambda: sweep.sweep(NOW))

    assert (few["breach_notices_created"], many["breach_notices_created"]) == (2, 20)
    assert many_statements == few_statements, (
        f"{few_statements} statements for 2 breached notices, {many_statements} for 20"
    )
    breaches = db.session.scalar(
        select(db.func.count()).where(Notice.kind == "contract_breach", Notice.status == "draft")
    )
    assert breaches == 22


def test_overdue_concerns_cost_the_same_statements_two_or_twenty(make):
    make.user("manager")
    _overdue_concerns(make, 2, "Few")
    few, few_statements = _statements(lambda: sweep.sweep(NOW))
    _overdue_concerns(make, 20, "Many")
    many, many_statements = _statements(lambda: sweep.sweep(NOW))

    assert (few["escalated"], few["notices_created"]) == (2, 2)
    assert (many["escalated"], many["notices_created"]) == (20, 20)
    assert many_statements == few_statements, (
        f"{few_statements} statements for 2 overdue concerns, {many_statements} for 20"
    )
    unattached = db.session.scalar(
        select(db.func.count()).where(Concern.status == "escalated", Concern.notice_id.is_(None))
    )
    assert unattached == 0


def test_risk_written_for_two_services_or_twenty_in_the_same_statements(make):
    """Each service's RAG and reasons differ (a notice issued on a different day): written all
    at once, not one statement per distinct result."""
    few = [n.service_id for n in _breached_notices(make, 2, "Few")]
    many = [n.service_id for n in _breached_notices(make, 20, "Many")]
    stale = update(Service).values(risk="green", risk_reasons="")
    db.session.execute(stale.execution_options(synchronize_session=False))
    changed_few, few_statements = _statements(lambda: refresh_risk_many(few))
    changed_many, many_statements = _statements(lambda: refresh_risk_many(many))

    assert (changed_few, changed_many) == (2, 20)
    assert many_statements == few_statements
    db.session.expire_all()
    reasons = set(db.session.scalars(select(Service.risk_reasons).where(Service.id.in_(many))))
    assert len(reasons) == 20 and all(r.startswith("notice issued ") for r in reasons)
    assert set(db.session.scalars(select(Service.risk).where(Service.id.in_(few + many)))) == {
        "red"
    }


def _what_was_written(notice: Notice) -> tuple:
    """The escalated notice, its breach notice and both audit events, with the ids named, so
    that two escalations can be compared."""
    db.session.expire_all()
    breach = db.session.scalar(select(Notice).where(Notice.parent_id == notice.id))
    events = db.session.execute(
        select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.changes, AuditEvent.service_id)
        .where(AuditEvent.entity_type == "notice", AuditEvent.entity_id.in_([notice.id, breach.id]))
        .order_by(AuditEvent.id)
    ).all()
    name = {notice.id: "notice", breach.id: "breach"}
    return (
        (notice.status, notice.version, notice.closed_at),
        (
            breach.kind,
            breach.status,
            breach.service_id == notice.service_id,
            breach.grounds.replace(str(notice.id), "<notice>"),
            breach.version,
            breach.issued_at,
            breach.placement_stop_start,
        ),
        breach.created_by_label,
        [
            (
                name[e.entity_id],
                e.action,
                {
                    k: [name.get(v, v) if k == "parent_id" else v for v in pair]
                    for k, pair in e.changes.items()
                },
                e.service_id == notice.service_id,
            )
            for e in events
        ],
    )


def test_the_sweep_writes_for_each_notice_what_a_managers_escalation_writes(make):
    manager = make.user("manager")
    by_hand, by_sweep = _breached_notices(make, 2, "Same")
    db.session.commit()
    notices.escalate(Actor(manager, "web"), manager, by_hand.id, SWEEP_NOTE, now=NOW)
    assert sweep.sweep(NOW)["breach_notices_created"] == 1

    hand, swept = _what_was_written(by_hand), _what_was_written(by_sweep)
    assert swept[:2] == hand[:2]
    assert hand[0] == ("escalated", 2, None)
    assert hand[1][:4] == (
        "contract_breach",
        "draft",
        True,
        "Raised from notice of concern <notice>: rectification requirements were not met by "
        "their due dates.",
    )
    assert (hand[2], swept[2]) == (manager.name, "Escalation sweep")
    assert (
        swept[3]
        == hand[3]
        == [
            (
                "notice",
                "escalate",
                {"status": ["issued", "escalated"], "note": [None, SWEEP_NOTE]},
                True,
            ),
            ("breach", "drafted", {"status": [None, "draft"], "parent_id": [None, "notice"]}, True),
        ]
    )
