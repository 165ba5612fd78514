"""Eight sweeps started at once over the same data (as on eight machines sharing one database)
escalate each concern once, create one draft notice per service, and one breach notice per
unmet notice. Real commits on separate connections, so this test has a database of its own."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from qa_app import create_app
from qa_app.extensions import db
from qa_app.models import ClockEvent, Concern, Notice, Provider, Service
from qa_app.services import sweep
from tests.support import factories
from tests.support.databases import fresh_database_url

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SERVICES, PER_SERVICE, NOTICES, SWEEPS = 20, 5, 3, 8


@pytest.fixture
def app():
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url("sweeps")})
    with app.app_context():
        upgrade()
        provider = Provider(name="Acme Care")
        db.session.add(provider)
        db.session.flush()
        services = [
            Service(
                name=f"Home {n}",
                provider_id=provider.id,
                service_type="care_home_residential",
                cluster="North",
            )
            for n in range(SERVICES)
        ]
        db.session.add_all(services)
        db.session.flush()
        for index, service in enumerate(services):
            for n in range(PER_SERVICE):
                # a service's concerns fall due one after another, so sweeps taking the next few
                # due concerns at the same moment collide on the same service
                received = NOW - timedelta(hours=25, minutes=index * PER_SERVICE + n)
                factories.high_risk_concern(service, received, f"Concern {n}")
        for service in services[:NOTICES]:
            factories.breached_notice(service, NOW - timedelta(days=30), date(2026, 11, 1))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_eight_sweeps_at_once(app):
    start = threading.Barrier(SWEEPS)
    summaries, failures = [], []

    def run():
        with app.app_context():
            try:
                start.wait()
                summaries.append(sweep.sweep(NOW, batch=2))  # small batches: more collisions
            except Exception as error:
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(SWEEPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert len(summaries) == SWEEPS
    assert sum(s["escalated"] for s in summaries) == SERVICES * PER_SERVICE
    assert sum(s["notices_created"] for s in summaries) == SERVICES
    assert sum(s["breach_notices_created"] for s in summaries) == NOTICES
    with app.app_context():
        drafts = db.session.execute(
            select(Notice.service_id, func.count())
            .where(Notice.kind == "notice_of_concern", Notice.status == "draft")
            .group_by(Notice.service_id)
        ).all()
        assert len(drafts) == SERVICES - NOTICES + NOTICES  # every service has exactly one draft
        assert {count for _, count in drafts} == {1}
        escalations = db.session.execute(
            select(ClockEvent.concern_id, func.count())
            .where(ClockEvent.kind == "escalated")
            .group_by(ClockEvent.concern_id)
        ).all()
        assert len(escalations) == SERVICES * PER_SERVICE
        assert {count for _, count in escalations} == {1}
        unattached = db.session.scalar(
            select(func.count()).select_from(Concern).where(Concern.notice_id.is_(None))
        )
        assert unattached == 0
        breaches = db.session.scalars(
            select(Notice.parent_id).where(Notice.kind == "contract_breach")
        ).all()
        assert len(breaches) == len(set(breaches)) == NOTICES
        again = sweep.sweep(NOW)
        assert (again["escalated"], again["notices_created"], again["breach_notices_created"]) == (
            0,
            0,
            0,
        )


# ---------------------------------------------------------------- breaches, by hand and by sweep

BREACHED, HAND, MET = 12, (0, 1, 2, 7), (3, 4, 5, 8)


@pytest.fixture
def breach_app():
    """Twelve services, each with an issued notice of concern whose one requirement passed its
    due date unmet; a manager and an officer."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url("breaches")})
    with app.app_context():
        upgrade()
        manager, officer = factories.user("manager"), factories.user("officer")
        notice_ids = []
        for n in range(BREACHED):
            service = factories.service(name=f"Home {n}")
            notice = factories.breached_notice(service, NOW - timedelta(days=30), date(2026, 11, 1))
            notice_ids.append(notice.id)
        db.session.commit()
        app.config["TEST_WORLD"] = (manager.id, officer.id, notice_ids)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sweeps_a_manager_escalating_and_an_officer_recording_met_at_once(breach_app):
    """Each notice ends escalated with exactly one breach notice (by the sweep or by the
    manager's hand), or still issued because its requirement was recorded met first."""
    from qa_app.models import AuditEvent, User
    from qa_app.services import notices
    from qa_app.services.actors import Actor
    from qa_app.services.errors import Conflict
    from tests.support.concurrent import at_once

    manager_id, officer_id, notice_ids = breach_app.config["TEST_WORLD"]

    def by_hand():
        done = []
        for n in HAND:
            with breach_app.test_request_context(method="POST"):  # as the page's form posts
                manager = db.session.get(User, manager_id)
                try:
                    notices.escalate(Actor(manager, "web"), manager, notice_ids[n], "No progress")
                    done.append(notice_ids[n])
                except Conflict:  # a sweep escalated it first
                    pass
                db.session.remove()
        return "hand", done

    def met():
        for n in MET:
            with breach_app.test_request_context(method="POST"):
                officer = db.session.get(User, officer_id)
                notice = db.session.get(Notice, notice_ids[n])
                notices.assess_requirement(
                    Actor(officer, "web"),
                    officer,
                    notice.id,
                    notice.requirements[0].id,
                    "met",
                    "Seen on a visit",
                )
                db.session.remove()
        return "met", []

    jobs = [by_hand, met] + [lambda: ("sweep", sweep.sweep(NOW, batch=3))] * 4
    taken = iter(jobs)
    results, failures = at_once(breach_app, len(jobs), lambda: next(taken)())

    assert failures == []
    by_kind: dict[str, list] = {}
    for kind, result in results:
        by_kind.setdefault(kind, []).append(result)
    swept = sum(s["breach_notices_created"] for s in by_kind["sweep"])
    [hand] = by_kind["hand"]
    with breach_app.app_context():
        parents = {
            n.id: n for n in db.session.scalars(select(Notice).where(Notice.id.in_(notice_ids)))
        }
        breaches = db.session.execute(
            select(Notice.parent_id, Notice.created_by_label).where(
                Notice.kind == "contract_breach"
            )
        ).all()
        by_parent = {parent: label for parent, label in breaches}
        assert len(breaches) == len(by_parent) == swept + len(hand)
        manager_name = db.session.get(User, manager_id).name
        for notice_id, notice in parents.items():
            escalated = notice.status == "escalated"
            assert escalated == (notice_id in by_parent)
            if not escalated:
                assert notice.status == "issued" and notice.requirements[0].status == "met"
            elif notice_id in hand:
                assert by_parent[notice_id] == manager_name
            else:
                assert by_parent[notice_id] == "Escalation sweep"
        events = db.session.execute(
            select(AuditEvent.entity_id, func.count())
            .where(AuditEvent.entity_type == "notice", AuditEvent.action == "escalate")
            .group_by(AuditEvent.entity_id)
        ).all()
        assert {notice_id: count for notice_id, count in events} == dict.fromkeys(by_parent, 1)
        assert sweep.sweep(NOW)["breach_notices_created"] == 0
