"""Sessions end on the server (issue 12, point 2): a cookie copied before sign-out, a password
change, deactivation, a role change, an idle period or the longest session opens nothing after.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from qa_app.extensions import db
from qa_app.models import UserSession
from qa_app.models.types import utcnow
from tests.support.factories import PASSWORD

ENDED = "Your session has ended. Sign in again."


def _sign_in_with_the_form(client, user):
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _copy_of_cookie(app, client):
    """Another browser holding a copy of this one's session cookie, as it is now."""
    cookie = client.get_cookie("session", domain=app.config["SERVER_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain=cookie.domain)
    return thief


def _refused_page(response, path="/home"):
    """The browser is sent to sign in, keeping where it was going, and told calmly why."""
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == [path]


def _told_session_ended(client):
    page = client.get("/sign-in")
    banner = page.soup.select_one(".govuk-notification-banner")
    assert banner is not None and ENDED in banner.get_text(" ", strip=True)


def _refused_api(response):
    assert response.status_code == 401
    assert response.get_json() == {"error": ENDED, "details": None}


def _sessions_of(user):
    return db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).all()


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, client, make):
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    page_thief, api_thief = _copy_of_cookie(app, client), _copy_of_cookie(app, client)
    assert page_thief.get("/home").status_code == 200
    assert api_thief.get("/api/v1/services").status_code == 200

    assert client.post("/sign-out").status_code == 302

    refused = page_thief.get("/home")
    _refused_page(refused)
    _told_session_ended(page_thief)
    _refused_api(api_thief.get("/api/v1/services"))
    [row] = _sessions_of(officer)
    assert row.ended_reason == "signed_out" and row.ended_at is not None


def test_the_cookie_holds_a_random_secret_and_the_database_only_its_hash(app, client, make):
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    with client.session_transaction() as session:
        secret = session["_user_id"]
    assert str(officer.id) not in secret.split(":") and len(secret) >= 40
    [row] = _sessions_of(officer)
    assert row.token_hash != secret and len(row.token_hash) == 64
    # The cookie of the old kind ("<user id>:<session version>") opens nothing.
    with client.session_transaction() as session:
        session["_user_id"] = f"{officer.id}:1"
    _refused_page(client.get("/home"))


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(app, client, make):
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    phone = _sign_in_with_the_form(app.test_client(), officer)
    phone_app = _copy_of_cookie(app, phone)
    copy_of_this = _copy_of_cookie(app, client)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "plum orchard lantern",
            "confirm_password": "plum orchard lantern",
        },
    )
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    assert copy_of_this.get("/home").status_code == 200  # the same session: it goes on
    _refused_page(phone.get("/home"))
    _refused_api(phone_app.get("/api/v1/services"))
    reasons = [row.ended_reason for row in _sessions_of(officer)]
    assert reasons == [None, "password_changed"]


def test_deactivation_ends_every_session_at_once(app, client, make):
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    api_copy = _copy_of_cookie(app, client)
    admin = make.sign_in(app.test_client(), make.user("admin"))
    assert admin.post(f"/admin/users/{officer.id}/deactivate").status_code == 302
    _refused_page(client.get("/services"), "/services")
    _refused_api(api_copy.get("/api/v1/services"))
    assert [row.ended_reason for row in _sessions_of(officer)] == ["deactivated"]


def test_a_role_change_ends_every_session_so_the_new_permissions_apply(app, client, make):
    manager = make.user("manager")
    _sign_in_with_the_form(client, manager)
    admin = make.sign_in(app.test_client(), make.user("admin"))
    response = admin.post(f"/admin/users/{manager.id}", data={"role": "officer"})
    assert response.status_code == 302
    _refused_page(client.get("/home"))
    assert [row.ended_reason for row in _sessions_of(manager)] == ["role_changed"]


def _age(user, *, idle: timedelta = timedelta(0), age: timedelta | None = None):
    """Make the user's sessions look as if they were last used `idle` ago (and began `age` ago)."""
    now = utcnow()
    values = {"last_seen_at": now - idle}
    if age is not None:
        values["created_at"] = now - age
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id).values(**values))
    db.session.commit()


def test_a_session_idle_for_30_minutes_has_ended(app, client, make):
    assert app.config["QA_SESSION_IDLE_MINUTES"] == 30
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    api_copy = _copy_of_cookie(app, client)
    _age(officer, idle=timedelta(minutes=29))
    assert client.get("/home").status_code == 200  # 29 minutes: still going, and noted as used
    _age(officer, idle=timedelta(minutes=30, seconds=1))
    _refused_page(client.get("/services?page=2"), "/services?page=2")
    _told_session_ended(client)
    _refused_api(api_copy.get("/api/v1/services"))
    [row] = _sessions_of(officer)
    assert row.ended_reason == "idle"
    # Signing in again goes where the person was going.
    response = client.post(
        "/sign-in?next=/services?page%3D2", data={"email": officer.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/services?page=2"


def test_a_session_ends_at_12_hours_however_busy(app, client, make):
    assert app.config["QA_SESSION_MAX_HOURS"] == 12
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    _age(officer, age=timedelta(hours=11, minutes=59))
    assert client.get("/home").status_code == 200
    _age(officer, age=timedelta(hours=12))
    _refused_page(client.get("/home"))
    assert [row.ended_reason for row in _sessions_of(officer)] == ["expired"]


def test_last_seen_is_written_at_most_once_a_minute(client, make):
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    _age(officer, idle=timedelta(seconds=50))
    [row] = _sessions_of(officer)
    before = row.last_seen_at
    assert client.get("/home").status_code == 200
    db.session.refresh(row)
    assert row.last_seen_at == before  # less than a minute: only read
    _age(officer, idle=timedelta(minutes=2))
    db.session.refresh(row)
    stale = row.last_seen_at
    assert client.get("/home").status_code == 200
    db.session.refresh(row)
    assert row.last_seen_at > stale + timedelta(minutes=1)


def test_setting_a_password_from_an_invitation_ends_any_older_session(app, client, make):
    from qa_app.services import users
    from qa_app.services.actors import Actor

    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    link = users.reissue_invite(Actor(make.user("admin"), "web"), officer.id)
    newcomer = app.test_client()
    response = newcomer.post(
        f"/set-password/{link}",
        data={"password": "quiet meadow compass", "confirm_password": "quiet meadow compass"},
    )
    assert response.status_code == 302
    assert newcomer.get("/home").status_code == 200
    _refused_page(client.get("/home"))
    assert [row.ended_reason for row in _sessions_of(officer)] == ["password_set", None]


@pytest.mark.parametrize("value", ["", "x" * 5000, "1:1", "null"])
def test_a_tampered_or_odd_session_id_is_just_not_signed_in(client, value):
    with client.session_transaction() as session:
        session["_user_id"] = value
    _refused_page(client.get("/home"))


def test_typing_on_a_page_keeps_the_session_in_use_without_a_sign_in_redirect(app, client, make):
    officer = make.user("officer")
    _sign_in_with_the_form(client, officer)
    copy = _copy_of_cookie(app, client)
    _age(officer, idle=timedelta(minutes=25))
    assert client.get("/account/session").status_code == 204
    [row] = _sessions_of(officer)
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)  # in use again
    client.post("/sign-out")
    ended = copy.get("/account/session")
    assert ended.status_code == 401 and ended.get_data() == b""
    assert client.get("/account/session").status_code == 401


def test_a_remember_me_cookie_cannot_bring_an_ended_session_back(app, client, make):
    """No remember-me cookie is ever issued; one made with the app's own key for an ended
    session's secret goes through the same check and opens nothing."""
    from flask_login.utils import encode_cookie

    officer = make.user("officer")
    response = client.post("/sign-in", data={"email": officer.email, "password": PASSWORD})
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
    with client.session_transaction() as session:
        secret = session["_user_id"]
    client.post("/sign-out")
    with app.test_request_context():
        forged = encode_cookie(secret)
    client.set_cookie("remember_token", forged, domain=app.config["SERVER_NAME"])
    _refused_page(client.get("/home"))
    # The same cookie for a session still going is honoured: the check, not the cookie, decides.
    live = _sign_in_with_the_form(app.test_client(), officer)
    with live.session_transaction() as session:
        live_secret = session["_user_id"]
    with app.test_request_context():
        remembered = encode_cookie(live_secret)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered, domain=app.config["SERVER_NAME"])
    assert fresh.get("/home").status_code == 200


def test_setting_a_password_in_a_browser_signed_in_as_someone_else_ends_their_session(
    app, client, make
):
    from qa_app.services import users
    from qa_app.services.actors import Actor

    admin = make.user("admin")
    _sign_in_with_the_form(client, admin)
    invite = users.create_user(Actor(admin, "web"), "new@council.test", "New Person", "officer")[1]
    response = client.post(
        f"/set-password/{invite}",
        data={"password": "quiet meadow compass", "confirm_password": "quiet meadow compass"},
    )
    assert response.status_code == 302
    assert [row.ended_reason for row in _sessions_of(admin)] == ["signed_out"]
    assert client.get("/home").status_code == 200  # now as the new person
