""" "Forgot your password": the same answer for any address, a single-use expiring link by
email (through the outbox and a real SMTP server), throttled like signing in."""

from datetime import timedelta

from sqlalchemy import select, update

from qa_app.domain.emails import RESET_MAX_PER_EMAIL
from qa_app.extensions import db
from qa_app.models import LoginAttempt, OutboxEmail, User
from qa_app.models.types import utcnow
from qa_app.services import outbox
from tests.support.client import error_summary
from tests.support.mail import link_in, path_of


def ask(client, email):
    return client.post("/forgot-password", data={"email": email})


def test_the_sign_in_page_links_to_it(client):
    link = client.get("/sign-in").soup.find("a", string="Forgot your password?")
    assert link["href"] == "/forgot-password"


def test_the_same_answer_for_a_known_and_an_unknown_address(client, make, mailbox):
    officer = make.user("officer", email="olu@council.test")
    known = ask(client, "Olu@Council.test ")
    unknown = ask(client, "nobody@council.test")
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location == "/forgot-password/sent"
    answer = client.get(known.location).soup.select_one("#reset-answer").get_text(strip=True)
    assert answer.startswith("If an account exists for that address, we have sent a link")
    # only the account's owner is emailed; both requests are recorded alike
    assert [row.recipient_email for row in db.session.scalars(select(OutboxEmail))] == [
        officer.email
    ]
    assert db.session.scalars(select(LoginAttempt.outcome).order_by(LoginAttempt.id)).all() == [
        "reset_requested",
        "reset_requested",
    ]
    assert outbox.send_pending() == 1
    assert mailbox.to("nobody@council.test") == []
    [message] = mailbox.to(officer.email)
    assert message["Subject"] == "Reset your password"
    assert "expires at" in message.get_content()


def _link(mailbox, email):
    [message] = mailbox.to(email)
    return path_of(link_in(message.get_content()))


def test_the_link_sets_a_new_password_once(client, app, make, mailbox):
    officer = make.user("officer", email="olu@council.test")
    old_hash = officer.password_hash
    ask(client, officer.email)
    outbox.send_pending()
    path = _link(mailbox, officer.email)
    visitor = app.test_client()
    assert visitor.get(path).soup.h1.get_text(strip=True) == "Create your password"
    done = visitor.post(
        path,
        data={"password": "a brand new passphrase", "confirm_password": "a brand new passphrase"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, officer.id).password_hash != old_hash
    again = app.test_client().get(path)
    assert again.status_code == 404 and "Forgot your password" in again.text
    # only the secret's hash was kept, and the email keeps no link once sent
    row = db.session.scalar(select(OutboxEmail))
    assert path.rsplit("/", 1)[1] not in str(row.personalisation)
    assert path.rsplit("/", 1)[1] not in (db.session.get(User, officer.id).invite_token_hash or "")


def test_the_link_expires(client, app, make, mailbox):
    officer = make.user("officer")
    ask(client, officer.email)
    outbox.send_pending()
    path = _link(mailbox, officer.email)
    db.session.expire_all()
    expires = db.session.get(User, officer.id).invite_expires_at
    assert timedelta(minutes=59) < expires - utcnow() <= timedelta(hours=1)
    db.session.execute(
        update(User)
        .where(User.id == officer.id)
        .values(invite_expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_a_deactivated_account_gets_nothing(client, make):
    officer = make.user("officer", active=False)
    assert ask(client, officer.email).location == "/forgot-password/sent"
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_requests_are_throttled_alike_for_known_and_unknown_addresses(client, make):
    officer = make.user("officer")
    for email in (officer.email, "nobody@council.test"):
        for _ in range(RESET_MAX_PER_EMAIL):
            assert ask(client, email).status_code == 302
        refused = ask(client, email)
        assert refused.status_code == 200
        [message] = error_summary(refused)
        assert message.startswith("Too many requests for a new password. Wait 15 minutes")
    assert len(db.session.scalars(select(OutboxEmail)).all()) == RESET_MAX_PER_EMAIL


def test_one_address_asking_for_many_accounts_is_throttled(client, app, make):
    limit = app.config["QA_LOGIN_MAX_FAILURES_ADDRESS"]
    for n in range(limit):
        assert ask(client, f"someone{n}@council.test").status_code == 302
    assert error_summary(ask(client, "one.more@council.test"))[0].startswith("Too many requests")


def test_an_empty_address_is_asked_for(client):
    assert error_summary(ask(client, "")) == ["Enter your email address"]
