"""Four workers running the reminders task at the same moment (as on four machines sharing one
database) write each reminder once per recipient, and the outbox then sends each once. Real
commits on separate connections, so this test has a database of its own."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from qa_app import create_app
from qa_app.extensions import db
from qa_app.models import Concern, ImprovementPlan, OutboxEmail, Provider, Service, User
from qa_app.services import reminders
from tests.support.concurrent import at_once
from tests.support.databases import fresh_database_url

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
SERVICES, CONCERNS_EACH, PROVIDER_USERS, WORKERS = 12, 3, 2, 4


@pytest.fixture
def app():
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url("reminders")})
    with app.app_context():
        upgrade()
        provider = Provider(name="Acme Care")
        db.session.add(provider)
        db.session.flush()
        officer = User(email="officer@council.test", name="Officer", role="officer")
        db.session.add(officer)
        db.session.add_all(
            User(
                email=f"p{n}@acme.test",
                name=f"Provider {n}",
                role="provider",
                provider_id=provider.id,
            )
            for n in range(PROVIDER_USERS)
        )
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
        for service in services:
            db.session.add(
                ImprovementPlan(
                    service_id=service.id,
                    status="awaiting_submission",
                    opened_at=NOW - timedelta(days=11),
                    opened_because="Test",
                    basis="test",
                    submission_due_date=date(2026, 12, 2),
                )
            )
            for n in range(CONCERNS_EACH):
                due = NOW + timedelta(minutes=30 + n)
                db.session.add(
                    Concern(
                        service_id=service.id,
                        risk_level="high",
                        source="complaint",
                        summary=f"Concern {n}",
                        received_at=due - timedelta(hours=24),
                        logged_by_label="Test",
                        officer_id=officer.id,
                        clock="24-hour",
                        clock_mode="elapsed",
                        response_due_at=due,
                    )
                )
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_four_workers_at_once_write_each_reminder_once(app):
    _, failures = at_once(app, WORKERS, lambda: reminders.run(NOW))

    assert failures == []
    with app.app_context():
        written = dict(
            db.session.execute(
                select(OutboxEmail.kind, func.count()).group_by(OutboxEmail.kind)
            ).all()
        )
        assert written == {
            "concern_due_soon": SERVICES * CONCERNS_EACH,
            "plan_due_soon": SERVICES * PROVIDER_USERS,
        }
        assert sum(reminders.run(NOW).values()) == 0
