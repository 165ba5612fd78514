"""Email through the durable outbox: written with the event, sent by the worker's
`send_pending` through a real SMTP server (aiosmtpd) or a stand-in for GOV.UK Notify's API,
at most once per event and recipient, retried with back-off, then shown as failed."""

import time
import uuid
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import func, select, update

from qa_app.domain.emails import KINDS, MAX_ATTEMPTS
from qa_app.extensions import db
from qa_app.models import AuditEvent, OutboxEmail
from qa_app.models.types import utcnow
from qa_app.services import outbox, users
from qa_app.services.transaction import unit_of_work
from tests.support.mail import BASE_URL as BASE
from tests.support.mail import free_port, link_in, notify_stand_in, path_of


def rows(**where):
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxEmail, key) == value)
    return list(db.session.scalars(query))


def invite(client, email="hana@hazel.test", name="Hana Patel"):
    return client.post("/admin/users/new", data={"name": name, "email": email, "role": "officer"})


def test_an_invitation_arrives_once_by_smtp_with_a_link_that_works(client, app, make, mailbox):
    make.sign_in(client, make.user("admin"))
    response = invite(client)
    # post, redirect, get: the page after says so, and refreshing it sends nothing more
    assert response.status_code == 302
    page = client.get(response.location)
    assert "We have sent an invitation to hana@hazel.test" in page.text
    assert "/set-password/" not in page.text  # the link is no longer shown on screen
    client.get(response.location)
    assert [row.kind for row in rows()] == ["invitation"]
    assert mailbox.messages == []  # nothing goes until the worker sends it

    assert outbox.send_pending() == 1
    assert outbox.send_pending() == 0  # sending again sends nothing twice
    [message] = mailbox.to("hana@hazel.test")
    assert len(mailbox.messages) == 1
    assert message["From"] == "qa@council.example"
    assert "invited" in message["Subject"]
    body = message.get_content()
    assert "Dear Hana Patel" in body and "a quality officer" in body
    path = path_of(link_in(body))

    newcomer = app.test_client()
    assert newcomer.get(path).soup.h1.get_text(strip=True) == "Create your password"
    done = newcomer.post(
        path, data={"password": "a long new password", "confirm_password": "a long new password"}
    )
    assert done.status_code == 302
    assert app.test_client().get(path).status_code == 404  # once only
    [row] = rows()
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
    assert "/set-password/" not in str(row.personalisation)  # the secret is not kept once sent


def test_a_new_set_password_link_is_emailed_too(client, make, mailbox):
    make.sign_in(client, make.user("admin"))
    officer = make.user("officer", password_hash=None)
    response = client.post(f"/admin/users/{officer.id}/invite")
    assert response.status_code == 302
    assert (
        f"We have sent a new set-password link to {officer.email}"
        in client.get(response.location).text
    )
    assert outbox.send_pending() == 1
    assert "/set-password/" in mailbox.to(officer.email)[0].get_content()


def test_an_event_rolled_back_sends_nothing_and_an_event_is_emailed_once(ctx, make):
    officer = make.user("officer")
    with pytest.raises(RuntimeError), unit_of_work():
        outbox.enqueue("assessment_submitted", "test:rolled-back", [officer], _assessment())
        raise RuntimeError("the step failed after writing its email")
    assert rows() == []
    for _ in range(2):
        with unit_of_work():
            outbox.enqueue("assessment_submitted", "test:once", [officer, officer], _assessment())
    assert len(rows(event_key="test:once")) == 1
    inactive = make.user("officer", active=False)
    with unit_of_work():
        assert (
            outbox.enqueue("assessment_submitted", "test:inactive", [inactive], _assessment()) == 0
        )


def _assessment():
    return {"service_name": "Hazel House", "link": f"{BASE}/assessments/1"}


def test_a_failing_send_is_retried_with_back_off_then_shown_as_failed(
    client, app, make, monkeypatch
):
    for key, value in {
        "QA_MAIL_BACKEND": "smtp",
        "QA_SMTP_HOST": "127.0.0.1",
        "QA_SMTP_PORT": free_port(),  # nothing listens there
        "QA_SMTP_STARTTLS": False,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    admin = make.user("admin")
    make.sign_in(client, admin)
    invite(client)
    gaps = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        before = utcnow()
        assert outbox.send_pending() == 0
        db.session.expire_all()
        [row] = rows()
        assert row.attempts == attempt and "ConnectionRefusedError" in row.last_error
        if attempt < MAX_ATTEMPTS:
            assert row.status == "pending"
            gaps.append(row.next_attempt_at - before)
            assert outbox.send_pending() == 0 and rows()[0].attempts == attempt  # not yet due
            db.session.execute(update(OutboxEmail).values(next_attempt_at=utcnow()))
            db.session.commit()
    assert row.status == "failed"
    assert gaps == sorted(gaps) and gaps[0] >= timedelta(seconds=50)  # waits grow
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "email_failed")) == 1
    page = client.get("/admin/emails")
    cells = page.soup.select_one(f"tr[data-email-id='{row.id}']").get_text(" ", strip=True)
    assert "Failed" in cells and "ConnectionRefusedError" in cells


def test_a_worker_stopped_mid_send_never_sends_it_again(ctx, make, mailbox):
    officer = make.user("officer")
    with unit_of_work():
        outbox.enqueue("assessment_submitted", "test:lost", [officer], _assessment())
    # as a worker killed between claiming the email and saying how its send went leaves it
    db.session.execute(
        update(OutboxEmail).values(status="sending", claimed_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    assert outbox.send_pending() == 0
    assert mailbox.messages == []
    db.session.expire_all()
    assert rows()[0].status == "failed" and "may or may not have gone" in rows()[0].last_error


def test_the_notify_backend_sends_the_template_and_personalisation(ctx, app, make, monkeypatch):
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    template_id = str(uuid.uuid4())
    officer = make.user("officer", name="Olu Brown")
    with notify_stand_in() as (base_url, received):
        for key, value in {
            "QA_MAIL_BACKEND": "notify",
            "QA_NOTIFY_API_KEY": f"qa_test-{service_id}-{secret}",
            "QA_NOTIFY_BASE_URL": base_url,
            KINDS["assessment_submitted"].setting: template_id,
            "QA_BASE_URL": BASE,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        with unit_of_work():
            outbox.enqueue("assessment_submitted", "test:notify", [officer], _assessment())
        assert outbox.send_pending() == 1
        assert outbox.send_pending() == 0
    [request] = received
    assert request.path == "/v2/notifications/email"
    assert request.headers["content-type"] == "application/json"
    assert request.body["template_id"] == template_id
    assert request.body["email_address"] == officer.email
    assert request.body["personalisation"] == {
        "service_name": "Hazel House",
        "name": "Olu Brown",
        "link": f"{BASE}/assessments/1",
        "council_name": app.config["QA_COUNCIL_NAME"],
    }
    scheme, token = request.headers["authorization"].split(" ")
    assert scheme == "Bearer"
    assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "HS256"}
    claims = jwt.decode(token, secret, algorithms=["HS256"])  # signed with the key's secret
    assert claims["iss"] == service_id and abs(claims["iat"] - time.time()) < 60


def test_a_notify_error_is_retried(ctx, app, make, monkeypatch):
    officer = make.user("officer")
    with notify_stand_in(status=400) as (base_url, received):
        for key, value in {
            "QA_MAIL_BACKEND": "notify",
            "QA_NOTIFY_API_KEY": f"k-{uuid.uuid4()}-{uuid.uuid4()}",
            "QA_NOTIFY_BASE_URL": base_url,
            KINDS["assessment_submitted"].setting: str(uuid.uuid4()),
        }.items():
            monkeypatch.setitem(app.config, key, value)
        with unit_of_work():
            outbox.enqueue("assessment_submitted", "test:notify-400", [officer], _assessment())
        assert outbox.send_pending() == 0
    db.session.expire_all()
    [row] = rows()
    assert len(received) == 1 and row.status == "pending" and "400" in row.last_error


def test_the_emails_sent_page_lists_newest_first_with_each_emails_text(client, make):
    make.sign_in(client, make.user("admin"))
    invite(client, "first@council.test", "First Person")
    invite(client, "second@council.test", "Second Person")
    assert outbox.send_pending() == 2  # the log backend, as in development
    page = client.get("/admin/emails")
    table = page.soup.select("tr[data-email-id]")
    assert [row.select_one("[data-label=To]").get_text(strip=True) for row in table] == [
        "second@council.test",
        "first@council.test",
    ]
    text = table[0].get_text(" ", strip=True)
    assert "Dear Second Person" in text and "/set-password/" in text and "Sent" in text
    # the log backend keeps the link: following it from the page works
    link = link_in(table[0].select_one("pre").get_text())
    assert (
        client.application.test_client().get(link.split("127.0.0.1:5000", 1)[1]).status_code == 200
    )


def test_the_emails_sent_page_is_paginated(client, make):
    make.sign_in(client, make.user("admin"))
    people = [make.user("officer") for _ in range(outbox.PAGE_SIZE + 1)]
    with unit_of_work():
        outbox.enqueue("assessment_submitted", "test:many", people, _assessment())
    first = client.get("/admin/emails")
    assert len(first.soup.select("tr[data-email-id]")) == outbox.PAGE_SIZE
    second = client.get("/admin/emails?page=2")
    assert len(second.soup.select("tr[data-email-id]")) == 1


def test_users_find_the_emails_page_from_the_users_page(client, make):
    make.sign_in(client, make.user("admin"))
    users_page = client.get("/admin/users")
    assert users_page.soup.find("a", string="Emails sent")["href"] == "/admin/emails"
    assert users.list_users()
