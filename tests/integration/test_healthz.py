"""`GET /healthz`: 200 `{"status": "ok"}` when the database answers, 503 `{"status":
"unavailable"}` when it does not (never a 500); no sign-in, no session cookie, no CSRF, no limit."""

import pytest
from sqlalchemy import event

from qa_app import create_app
from qa_app.extensions import db


def test_a_database_that_answers_is_ok_to_anyone_without_a_cookie(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_a_signed_in_person_is_not_asked_who_they_are(app, client, make):
    """The probe never loads the signed-in session: no statement reads the sessions' table and
    no cookie is set, whoever asks."""
    make.sign_in(client, make.user("officer"))
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert statements == []  # the app's own engine is not used: the probe has its own
    assert "Set-Cookie" not in response.headers


def test_it_is_never_throttled_nor_asks_for_a_csrf_token(client):
    for _ in range(60):  # more than any sign-in limit
        assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz", csrf=False).status_code in (404, 405)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-folder-for-qa-tests/qa.sqlite3",  # a file that cannot be opened
        "postgresql+psycopg://qa@127.0.0.1:1/qa",  # nothing listens on port 1
    ],
    ids=["sqlite-unreadable", "postgres-unreachable"],
)
def test_a_database_that_does_not_answer_is_a_503_not_a_500(url):
    down = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    assert "Set-Cookie" not in response.headers
    with down.app_context():
        db.engine.dispose()
