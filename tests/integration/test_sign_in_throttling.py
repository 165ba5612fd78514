"""Sign-in throttling that an attacker cannot turn against staff (issue 12, point 8).

The rules themselves, with their edges, are unit-tested in tests/unit/test_throttle.py; these
tests drive the sign-in form and check what a person is told and what is recorded."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from qa_app import create_app
from qa_app.extensions import db
from qa_app.models import LoginAttempt
from qa_app.models.types import utcnow
from tests.support.client import error_summary
from tests.support.factories import PASSWORD

WRONG = ["Enter a correct email address and password"]
ATTACKER, OFFICE = "203.0.113.9", "198.51.100.7"


def _sign_in(client, email, password=PASSWORD, address=OFFICE, headers=None):
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )
    if response.status_code == 302:
        client.post("/sign-out")  # ready for the next attempt
    return response


def _signed_in(response) -> bool:
    return response.status_code == 302


def _throttled(response) -> str:
    errors = error_summary(response)
    assert len(errors) == 1 and errors[0].startswith("Too many failed attempts to sign in"), errors
    return errors[0]


def _outcomes(email):
    return db.session.scalars(
        select(LoginAttempt.outcome).where(LoginAttempt.email == email).order_by(LoginAttempt.id)
    ).all()


def _time_passes(minutes: float):
    """Move every recorded attempt back in time, as if that long had passed."""
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.occurred_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_five_failures_from_one_address_make_that_address_wait_a_minute_for_that_account(
    client, make
):
    officer = make.user("officer")
    for _ in range(5):
        assert error_summary(_sign_in(client, officer.email, "wrong")) == WRONG
    # The sixth try from there is refused even with the right password, and says how long.
    refused = _sign_in(client, officer.email)
    assert _throttled(refused) == (
        "Too many failed attempts to sign in. Wait 1 minute and try again, "
        "or ask an administrator to check your account."
    )
    assert client.get("/home").status_code == 302  # not signed in
    assert _outcomes(officer.email)[-1] == "throttled"
    # Once the minute has passed, the right password works from there again.
    _time_passes(1.01)
    assert _signed_in(_sign_in(client, officer.email))


def test_the_wait_doubles_with_each_further_failure_and_a_success_starts_again(client, make):
    officer = make.user("officer")
    for _ in range(5):
        _sign_in(client, officer.email, "wrong")
    _time_passes(1.01)
    assert error_summary(_sign_in(client, officer.email, "wrong")) == WRONG  # the sixth failure
    assert "Wait 2 minutes" in _throttled(_sign_in(client, officer.email))
    _time_passes(2.01)
    assert error_summary(_sign_in(client, officer.email, "wrong")) == WRONG  # the seventh
    assert "Wait 4 minutes" in _throttled(_sign_in(client, officer.email))
    _time_passes(4.01)
    assert _signed_in(_sign_in(client, officer.email))
    # A success starts the pair again: four more failures do not make it wait.
    for _ in range(4):
        assert error_summary(_sign_in(client, officer.email, "wrong")) == WRONG
    assert _signed_in(_sign_in(client, officer.email))


def test_refused_attempts_do_not_count_and_do_not_extend_the_wait(client, make):
    officer = make.user("officer")
    for _ in range(5):
        _sign_in(client, officer.email, "wrong", ATTACKER)
    for _ in range(30):  # hammering during the wait
        _throttled(_sign_in(client, officer.email, "wrong", ATTACKER))
    assert _outcomes(officer.email) == ["failed"] * 5 + ["throttled"] * 30
    _time_passes(1.01)
    # Still one minute after the fifth failure, not after the thirtieth refusal.
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, ATTACKER))


def test_an_attacker_failing_50_times_at_one_address_does_not_stop_the_officer_at_another(
    client, make
):
    officer = make.user("officer")
    for _ in range(50):
        _sign_in(client, officer.email, "guess", ATTACKER)
    assert "throttled" in _outcomes(officer.email)
    response = _sign_in(client, officer.email, PASSWORD, OFFICE)
    assert _signed_in(response), error_summary(response)


def test_many_failures_from_one_address_are_throttled_across_accounts(client, make, app):
    limit = app.config["QA_LOGIN_MAX_FAILURES_ADDRESS"]
    for n in range(limit):
        _sign_in(client, f"guess{n}@council.test", "wrong", ATTACKER)
    officer = make.user("officer")
    # Fifteen minutes after the first of those failures, the address may try again.
    assert "Wait 15 minutes" in _throttled(_sign_in(client, officer.email, PASSWORD, ATTACKER))
    # The same person from another address is not affected.
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, OFFICE))
    _time_passes(15.01)
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, ATTACKER))


def test_ipv6_addresses_in_one_64_network_count_as_one_address(client, make, app):
    limit = app.config["QA_LOGIN_MAX_FAILURES_ADDRESS"]
    for n in range(limit):
        _sign_in(client, f"guess{n}@council.test", "wrong", f"2001:db8:1:2::{n + 1:x}")
    officer = make.user("officer")
    _throttled(_sign_in(client, officer.email, PASSWORD, "2001:db8:1:2:ffff::1"))
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, "2001:db8:1:3::1"))


def test_a_forged_x_forwarded_for_changes_nothing_without_trusted_proxies(client, make, app):
    assert app.config["QA_TRUSTED_PROXIES"] == 0
    limit = app.config["QA_LOGIN_MAX_FAILURES_ADDRESS"]
    for n in range(limit):
        forged = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
        _sign_in(client, f"guess{n}@council.test", "wrong", ATTACKER, headers=forged)
    officer = make.user("officer")
    fresh = {"X-Forwarded-For": "192.0.2.200"}
    _throttled(_sign_in(client, officer.email, PASSWORD, ATTACKER, headers=fresh))
    addresses = set(db.session.scalars(select(LoginAttempt.ip_address)))
    assert addresses == {ATTACKER}


def test_behind_one_trusted_proxy_the_address_is_the_one_the_proxy_added(app, db_session, make):
    """With QA_TRUSTED_PROXIES=1 the app takes the last X-Forwarded-For entry (the one the proxy
    appends), so what a client puts in the header itself is ignored."""
    behind_proxy = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SERVER_NAME": "qa.test",
            "WTF_CSRF_SSL_STRICT": False,
        },
        environ={"QA_ENV": "test", "QA_TRUSTED_PROXIES": "1"},
    )
    behind_proxy.test_client_class = app.test_client_class
    client = behind_proxy.test_client()
    officer = make.user("officer")
    # The client forged 192.0.2.1; the proxy (127.0.0.1) appended the real address.
    _sign_in(
        client,
        officer.email,
        "wrong",
        "127.0.0.1",
        headers={"X-Forwarded-For": f"192.0.2.1, {ATTACKER}"},
    )
    recorded = db.session.scalar(select(LoginAttempt).where(LoginAttempt.email == officer.email))
    assert recorded.ip_address == ATTACKER


def test_the_account_ceiling_slows_new_addresses_but_never_the_officers_usual_one(client, make):
    """Guessing spread over many addresses: past 100 failures in a day, addresses the account
    has never signed in from get one attempt a minute; its usual address is not slowed."""
    officer = make.user("officer")
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, OFFICE))  # a known address
    now = utcnow()
    db.session.add_all(
        LoginAttempt(
            email=officer.email,
            ip_address=f"10.{n // 250}.{n % 250}.1",
            outcome="failed",
            occurred_at=now - timedelta(seconds=n),
        )
        for n in range(100)
    )
    db.session.commit()
    assert "Wait 1 minute" in _throttled(_sign_in(client, officer.email, PASSWORD, "192.0.2.77"))
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, OFFICE))
    _time_passes(1.01)
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, "192.0.2.77"))


@pytest.mark.parametrize("address", ["", "not-an-address", "x" * 300])
def test_an_odd_client_address_is_recorded_cut_and_never_an_error(client, make, address):
    officer = make.user("officer")
    assert _signed_in(_sign_in(client, officer.email, PASSWORD, address))
    recorded = db.session.scalar(select(LoginAttempt).where(LoginAttempt.email == officer.email))
    assert 0 < len(recorded.ip_address) <= 64
