"""Fixtures shared by every test tier.

- `app`: one app per test process, on a freshly migrated database (SQLite or PostgreSQL).
- `db_session` (autouse outside unit tests): each test runs inside an outer transaction that is
  rolled back afterwards, so tests never see each other's data.
- `client`: a test client with CSRF on that checks every HTML page it receives.
"""

from __future__ import annotations

import os

os.environ["QA_ENV"] = "test"
os.environ.pop("QA_DATABASE_URL", None)

import pytest
from hypothesis import HealthCheck, settings

from tests.support.databases import fresh_database_url, on_postgres

# Property tests must not depend on the machine's speed: no deadline per example and no health
# check that fails because generating input was slow on a busy machine. Derandomized, so a run
# on CI tries the same examples as a run here.
settings.register_profile(
    "qa",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
settings.load_profile("qa")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    db = "PostgreSQL" if on_postgres() else "SQLite"
    terminalreporter.write_line(f"Database for this run: {db}")


@pytest.fixture(scope="session")
def database_url():
    return fresh_database_url("suite")


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from qa_app import create_app
    from tests.support.client import PageCheckingClient

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "qa.test",
            "WTF_CSRF_SSL_STRICT": False,
        }
    )
    app.test_client_class = PageCheckingClient
    with app.app_context():
        upgrade()
    yield app
    from qa_app.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app, request):
    """Run the test inside a transaction that is rolled back at the end."""
    from qa_app.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        factory = db.session.session_factory
        saved = dict(factory.kw)
        db.session.remove()
        factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            factory.kw.clear()
            factory.kw.update(saved)
            if outer.is_active:
                outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _isolated(request):
    """Every test outside tests/unit and tests/browser gets the rolled-back database."""
    parts = request.node.nodeid.split("/")
    if "unit" in parts or "browser" in parts or "concurrency" in parts:
        yield
        return
    request.getfixturevalue("db_session")
    yield


@pytest.fixture
def ctx(app, db_session):
    """An app context for calling services directly (the session is the rolled-back one)."""
    with app.test_request_context():
        yield


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def make(ctx):
    from tests.support import factories

    return factories


@pytest.fixture
def mailbox(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 (tests/support/mail.py), and the app sending to it; links
    in emails start with tests.support.mail.BASE_URL."""
    from tests.support.mail import BASE_URL, smtp_server

    with smtp_server() as box:
        for key, value in {
            "QA_MAIL_BACKEND": "smtp",
            "QA_SMTP_HOST": "127.0.0.1",
            "QA_SMTP_PORT": box.port,
            "QA_SMTP_STARTTLS": False,
            "QA_MAIL_FROM": "qa@council.example",
            "QA_BASE_URL": BASE_URL,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        yield box
