"""Signing in and out, changing a password, and where sign-in may lead.

Throttling: test_sign_in_throttling.py; sessions ending: test_sessions.py; password rules:
test_password_rules.py."""

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, LoginAttempt
from tests.support.client import error_summary
from tests.support.factories import PASSWORD


def _sign_in(client, email, password=PASSWORD, **environ):
    return client.post(
        "/sign-in", data={"email": email, "password": password}, environ_base=environ or {}
    )


def test_sign_in_with_the_right_password_opens_the_home_for_the_role(client, make):
    officer = make.user("officer")
    response = _sign_in(client, officer.email.upper())  # email is not case-sensitive
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.soup.h1.get_text(strip=True) == "Home"
    assert officer.name in home.get_data(as_text=True)
    attempt = db.session.scalar(select(LoginAttempt).order_by(LoginAttempt.id.desc()))
    assert (attempt.email, attempt.outcome, attempt.user_id) == (
        officer.email,
        "success",
        officer.id,
    )


def test_provider_user_lands_on_the_portal(client, make):
    provider = make.provider(name="Acme Care")
    user = make.user("provider", provider)
    _sign_in(client, user.email)
    page = client.get("/", follow_redirects=True)
    assert page.soup.h1.get_text(strip=True) == "Your services"
    assert "Acme Care" in page.get_data(as_text=True)


def test_wrong_password_gives_one_message_and_records_the_attempt(client, make):
    officer = make.user("officer")
    response = _sign_in(client, officer.email, "not the password")
    assert response.status_code == 200
    assert error_summary(response) == ["Enter a correct email address and password"]
    # An unknown email gets exactly the same answer: it does not reveal who has an account.
    unknown = _sign_in(client, "nobody@council.test", "whatever")
    assert error_summary(unknown) == ["Enter a correct email address and password"]
    outcomes = db.session.scalars(select(LoginAttempt.outcome).order_by(LoginAttempt.id)).all()
    assert outcomes[-2:] == ["failed", "failed"]


def test_sign_out_ends_the_session(client, make):
    make.sign_in(client, make.user("manager"))
    assert client.get("/home").status_code == 200
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert client.get("/home").status_code == 302


def test_deactivating_a_user_ends_their_session_at_once(client, app, make):
    officer = make.user("officer")
    make.sign_in(client, officer)
    assert client.get("/services").status_code == 200
    admin_client = app.test_client()
    make.sign_in(admin_client, make.user("admin"))
    assert admin_client.post(f"/admin/users/{officer.id}/deactivate").status_code == 302
    response = client.get("/services")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    # and they cannot sign in again
    assert error_summary(_sign_in(client, officer.email)) == [
        "Enter a correct email address and password"
    ]


def test_change_password_keeps_this_session_and_ends_the_others(client, app, make):
    officer = make.user("officer")
    make.sign_in(client, officer)
    other_device = app.test_client()
    make.sign_in(other_device, officer)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long passphrase",
            "confirm_password": "a new long passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    assert other_device.get("/home").status_code == 302
    client.post("/sign-out")
    assert _sign_in(client, officer.email, "a new long passphrase").status_code == 302
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_id == officer.id, AuditEvent.action == "password_changed"
        )
    )


def test_change_password_errors_are_shown_and_nothing_changes(client, make):
    officer = make.user("officer")
    make.sign_in(client, officer)
    response = client.post(
        "/account/password",
        data={"current_password": "wrong", "new_password": "short", "confirm_password": "short"},
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Your current password is not right",
        "Password must be 12 characters or more",
    ]
    assert response.soup.title.get_text().startswith("Error: ")
    client.post("/sign-out")
    assert _sign_in(client, officer.email, PASSWORD).status_code == 302


def test_next_address_must_be_on_this_site(client, make):
    officer = make.user("officer")
    response = client.post(
        "/sign-in?next=https://evil.example/phish",
        data={"email": officer.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = client.post(
        "/sign-in?next=/services", data={"email": officer.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/services"


def test_a_form_without_its_csrf_token_is_refused(client, make):
    officer = make.user("officer")
    response = client.post(
        "/sign-in", data={"email": officer.email, "password": PASSWORD}, csrf=False
    )
    assert response.status_code == 400
    assert response.soup.h1.get_text(strip=True) == "Your form could not be sent"
    assert client.get("/home").status_code == 302
