"""Eight sweeps started at once over the same data (as on eight machines sharing one database)
escalate each concern once, create one draft notice per service, and one breach notice per
unmet notice. Real commits on separate connections, so this test has a database of its own."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from qa_app import create_app
from qa_app.extensions import db
from qa_app.models import ClockEvent, Concern, Notice, NoticeRequirement, Provider, Service
from qa_app.services import sweep
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
                db.session.add(
                    Concern(
                        service_id=service.id,
                        risk_level="high",
                        source="complaint",
                        summary=f"Concern {n}",
                        received_at=received,
                        logged_by_label="Test",
                        clock="24-hour",
                        clock_mode="elapsed",
                        response_due_at=received + timedelta(hours=24),
                    )
                )
        for service in services[:NOTICES]:
            notice = Notice(
                kind="notice_of_concern",
                service_id=service.id,
                status="issued",
                created_by_label="Test",
                issued_at=NOW - timedelta(days=30),
            )
            db.session.add(notice)
            db.session.flush()
            db.session.add(
                NoticeRequirement(
                    notice_id=notice.id, position=1, text="Fix it", due_date=date(2026, 11, 1)
                )
            )
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
