"""Many API reads at once with one token never fail or queue behind the write lock: the app is
served for real (threaded, as in production) on a committed database of its own, and each round
sends sixteen GETs with one fresh token at the same moment, beside changes from another user.

On SQLite a GET used to write the token's `last_used_at` inside its read transaction, so GETs
racing each other (or a change) failed with "database is locked": a 500."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from qa_app import create_app
from qa_app.database import BUSY_TIMEOUT_MS
from qa_app.extensions import db
from qa_app.models import ApiToken, User
from qa_app.services import users
from qa_app.services.actors import Actor
from tests.support import factories
from tests.support.databases import fresh_database_url

READERS, WRITERS, ROUNDS = 16, 2, 4


@pytest.fixture
def served():
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url("reads")})
    with app.app_context(), app.test_request_context():
        upgrade()
        reader, writer = factories.user("officer"), factories.user("officer")
        services = [factories.service() for _ in range(WRITERS + 1)]
        ids = {"reader": reader.id, "writer": writer.id, "services": [s.id for s in services]}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}", ids
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def _token(app, user_id: int) -> str:
    with app.app_context():
        try:
            return users.create_token(Actor.system("test"), db.session.get(User, user_id))
        finally:
            db.session.remove()


def _call(base: str, path: str, token: str, method: str = "GET", body: dict | None = None):
    """The response's status (a dropped connection raises)."""
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=60)
    try:
        connection.request(
            method,
            path,
            body=json.dumps(body) if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _at_once(calls: list[tuple[str, Callable[[], int]]]) -> tuple[Counter, list[str]]:
    """Run the calls in threads started together; count (method, status) and collect errors."""
    start = threading.Barrier(len(calls))
    statuses: Counter = Counter()
    failures: list[str] = []

    def run(method: str, call: Callable[[], int]) -> None:
        try:
            start.wait(timeout=60)
            statuses[method, call()] += 1
        except Exception as error:
            failures.append(repr(error))

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, failures


def test_sixteen_gets_at_once_with_one_fresh_token_all_succeed(served):
    app, base, ids = served
    writer_token = _token(app, ids["writer"])
    first_service = ids["services"][0]
    reads = ["/api/v1/services", f"/api/v1/services/{first_service}", "/api/v1/concerns"]
    tokens = []
    for round_number in range(ROUNDS):
        token = _token(app, ids["reader"])  # fresh: never used, so every GET wants to note it
        tokens.append(token)
        calls = [
            ("GET", partial(_call, base, reads[n % len(reads)], token)) for n in range(READERS)
        ]
        calls += [
            (
                "PATCH",
                partial(
                    _call,
                    base,
                    f"/api/v1/services/{ids['services'][n + 1]}",  # each writer its own service
                    writer_token,
                    "PATCH",
                    {"cluster": f"Round {round_number} writer {n}"},
                ),
            )
            for n in range(WRITERS)
        ]
        statuses, failures = _at_once(calls)
        assert failures == [], f"round {round_number}"
        assert statuses == {("GET", 200): READERS, ("PATCH", 200): WRITERS}, f"round {round_number}"

    # Noting a use is skipped while another request writes; a quiet request notes it.
    for token in tokens:
        assert _call(base, reads[0], token) == 200
    with app.app_context():
        recorded = db.session.scalars(
            select(ApiToken.last_used_at).where(ApiToken.user_id == ids["reader"])
        ).all()
    assert len(recorded) == ROUNDS and all(at is not None for at in recorded)


def test_last_use_is_recorded_at_most_once_a_minute(served):
    app, _base, ids = served
    secret = _token(app, ids["reader"])
    first = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def use(at: datetime) -> datetime | None:
        with app.test_request_context("/api/v1/services"):
            assert users.user_for_token(secret, now=at).id == ids["reader"]
            db.session.remove()
        with app.app_context():
            try:
                return db.session.scalar(
                    select(ApiToken.last_used_at).where(ApiToken.user_id == ids["reader"])
                )
            finally:
                db.session.remove()

    assert use(first) == first
    assert use(first + timedelta(seconds=59)) == first  # within the minute: not written again
    assert use(first + timedelta(seconds=61)) == first + timedelta(seconds=61)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(served):
    app, _base, _ids = served
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert (mode, timeout) == ("wal", BUSY_TIMEOUT_MS)
    assert BUSY_TIMEOUT_MS >= 5000  # writers queue for each other rather than fail


def _session_cookie(app, user_id: int, last_seen_ago: timedelta) -> str:
    """A signed-in browser session whose 'last seen' is old enough that every request wants to
    note it again (as after a minute without requests)."""
    from qa_app.models import UserSession
    from qa_app.services import sessions

    with app.app_context():
        try:
            secret = sessions.begin(db.session.get(User, user_id))
            db.session.execute(
                UserSession.__table__.update().values(
                    last_seen_at=datetime.now(UTC) - last_seen_ago
                )
            )
            db.session.commit()
        finally:
            db.session.remove()
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.dumps({"_user_id": secret, "_fresh": True})


def _page(base: str, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": f"session={cookie}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_sixteen_pages_at_once_in_one_browser_session_all_succeed(served):
    """A signed-in officer's pages (and the recording page's API calls) note the session's use
    at most once a minute, apart from the read, without queueing: none fails or is refused."""
    app, base, ids = served
    writer_token = _token(app, ids["writer"])
    paths = ["/home", "/services", "/api/v1/services", f"/services/{ids['services'][0]}"]
    for round_number in range(ROUNDS):
        cookie = _session_cookie(app, ids["reader"], last_seen_ago=timedelta(minutes=2))
        calls = [
            ("GET", partial(_page, base, paths[n % len(paths)], cookie)) for n in range(READERS)
        ]
        calls += [
            (
                "PATCH",
                partial(
                    _call,
                    base,
                    f"/api/v1/services/{ids['services'][n + 1]}",
                    writer_token,
                    "PATCH",
                    {"cluster": f"Session round {round_number} writer {n}"},
                ),
            )
            for n in range(WRITERS)
        ]
        statuses, failures = _at_once(calls)
        assert failures == [], f"round {round_number}"
        assert statuses == {("GET", 200): READERS, ("PATCH", 200): WRITERS}, f"round {round_number}"
