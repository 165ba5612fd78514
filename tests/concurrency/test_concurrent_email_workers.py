"""Four workers sending the outbox at once (as on four machines sharing one database) send
each email exactly once, to a real SMTP server: the claim is FOR UPDATE SKIP LOCKED on
PostgreSQL and a conditional UPDATE on SQLite. Real commits on separate connections, so this
test has a database of its own."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from qa_app import create_app
from qa_app.extensions import db
from qa_app.models import OutboxEmail, User
from qa_app.services import outbox
from qa_app.services.transaction import unit_of_work
from tests.support.concurrent import at_once
from tests.support.databases import fresh_database_url
from tests.support.mail import smtp_server

PEOPLE, WORKERS = 40, 4


@pytest.fixture
def app():
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url("mail")})
    with app.app_context():
        upgrade()
        people = [
            User(email=f"person{n}@council.test", name=f"Person {n}", role="officer", active=True)
            for n in range(PEOPLE)
        ]
        db.session.add_all(people)
        db.session.flush()
        with app.test_request_context(), unit_of_work():
            outbox.enqueue(
                "assessment_submitted",
                "test:many-workers",
                people,
                {"service_name": "Ash House", "link": "http://127.0.0.1:5000/assessments/1"},
            )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_four_workers_send_each_email_once(app):
    with smtp_server() as mailbox:
        app.config.update(
            QA_MAIL_BACKEND="smtp",
            QA_SMTP_HOST="127.0.0.1",
            QA_SMTP_PORT=mailbox.port,
            QA_SMTP_STARTTLS=False,
        )
        sent, failures = at_once(app, WORKERS, lambda: outbox.send_pending(limit=PEOPLE))

    assert failures == []
    assert sum(sent) == PEOPLE
    received = Counter(address for recipients, _ in mailbox.messages for address in recipients)
    assert len(received) == PEOPLE and set(received.values()) == {1}
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
            ).all()
        )
        assert statuses == {"sent": PEOPLE}
        assert outbox.send_pending() == 0
