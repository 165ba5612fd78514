"""Send again: an administrator puts a failed email back (audited, as the jobs page's Try again)
and the next outbox run sends it; a set-password link or a deactivated recipient is not sent
again; other roles are turned away as from Try again."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, OutboxEmail
from qa_app.services import outbox, queue, users
from qa_app.services.actors import Actor
from qa_app.services.transaction import unit_of_work
from tests.support.mail import BASE_URL as BASE
from tests.support.provider_world import normalise


def _failed(user, kind="assessment_submitted", key="test:again", **personalisation) -> int:
    with unit_of_work():
        outbox.enqueue(
            kind,
            key,
            [user],
            personalisation or {"service_name": "Hazel House", "link": f"{BASE}/assessments/1"},
        )
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.event_key == key))
    email.status, email.attempts = "failed", 5
    email.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    db.session.commit()
    return email.id


def _email(email_id) -> OutboxEmail:
    db.session.expire_all()
    return db.session.get(OutboxEmail, email_id)


def _row_text(page, email_id) -> str:
    return page.soup.select_one(f"tr[data-email-id='{email_id}']").get_text(" ", strip=True)


def test_a_failed_email_sent_again_goes_with_the_next_outbox_run(client, make, mailbox):
    officer = make.user("officer", name="Olu Brown")
    email_id = _failed(officer)
    assert outbox.send_pending() == 0  # failed: the worker leaves it
    make.sign_in(client, make.user("admin"))

    page = client.get("/admin/emails?status=failed")
    assert page.soup.select_one("#email-filter") is not None
    assert [int(tr["data-email-id"]) for tr in page.soup.select("tr[data-email-id]")] == [email_id]
    [button] = page.soup.select(f"tr[data-email-id='{email_id}'] form button")
    assert button.get_text(strip=True) == "Send again"
    assert button["aria-label"] == f"Send the email to {officer.email} again"

    done = client.post(f"/admin/emails/{email_id}/send-again?status=failed", follow_redirects=True)
    assert f"The email to {officer.email} will be sent again" in done.text
    assert done.request.path == "/admin/emails" and done.request.args["status"] == "failed"
    assert "No email has failed" in done.text
    email = _email(email_id)
    assert (email.status, email.attempts) == ("pending", 0)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "outbox_email", AuditEvent.entity_id == email_id
        )
    )
    assert (event.action, event.changes) == (
        "sent_again",
        {"status": ["failed", "pending"], "attempts": [5, 0]},
    )

    assert outbox.send_pending() == 1  # the worker's next run
    [message] = mailbox.to(officer.email)
    assert "Dear Olu Brown" in message.get_content()
    assert (_email(email_id).status, _email(email_id).last_error) == ("sent", None)
    assert outbox.send_pending() == 0 and len(mailbox.messages) == 1  # once

    again = client.post(f"/admin/emails/{email_id}/send-again")  # no longer failed: said so
    assert again.status_code == 409
    assert "This email is no longer failed" in again.text
    assert len(mailbox.messages) == 1


def test_a_set_password_link_and_a_deactivated_recipient_are_not_sent_again(client, make):
    admin = make.user("admin")
    invited = make.user("officer", name="Ivy Invited")
    leaver = make.user("officer", name="Lee Leaver")
    invitation = _failed(
        invited,
        "invitation",
        "test:again:invite",
        role="a quality officer",
        link=f"{BASE}/set-password/secret",
        expires="1 December 2026",
    )
    reset = _failed(
        invited,
        "password_reset",
        "test:again:reset",
        link=f"{BASE}/set-password/secret2",
        expires="1 December 2026 at 3:00pm",
    )
    to_leaver = _failed(leaver, key="test:again:leaver")
    users.set_active(Actor(admin, "cli"), leaver.id, False)
    db.session.commit()
    make.sign_in(client, admin)

    page = client.get("/admin/emails")
    for email_id in (invitation, reset, to_leaver):
        assert not page.soup.select(f"tr[data-email-id='{email_id}'] form")
    assert "send a new invitation from the user's page" in _row_text(page, invitation)
    link = page.soup.select_one(f"tr[data-email-id='{invitation}'] .app-send-again-refusal a")
    assert link["href"] == f"/admin/users/{invited.id}"
    assert "Forgot your password" in _row_text(page, reset)
    assert "account is deactivated" in _row_text(page, to_leaver)

    for email_id, words in (
        (invitation, "A set-password link is not sent again"),
        (reset, "A set-password link is not sent again"),
        (to_leaver, "The recipient's account is deactivated"),
    ):
        refused = client.post(f"/admin/emails/{email_id}/send-again")
        assert refused.status_code == 409
        assert words in refused.soup.select_one(".govuk-error-summary").get_text(" ", strip=True)
        assert _email(email_id).status == "failed"
    assert client.post("/admin/emails/999999/send-again").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), ("provider", 404), ("officer", 403), ("manager", 403)],
)
def test_other_roles_are_turned_away_as_from_try_again(app, make, role, expected):
    email_id = _failed(make.user("officer"))
    job = queue.enqueue("cqc_import.read", {"import_id": 0}, max_attempts=1)
    job.status, job.failed_at, job.last_error = "failed", datetime.now(UTC), "OSError: disc full"
    db.session.commit()
    client = app.test_client()
    if role == "provider":
        make.sign_in(client, make.user("provider", make.provider()))
    elif role is not None:
        make.sign_in(client, make.user(role))

    try_again = client.post(f"/admin/jobs/{job.id}/retry")
    send_again = client.post(f"/admin/emails/{email_id}/send-again")
    assert (send_again.status_code, try_again.status_code) == (expected, expected)
    if role is None:
        assert "/sign-in" in send_again.headers["Location"]
    else:
        assert normalise(send_again.get_data(as_text=True)) == normalise(
            try_again.get_data(as_text=True)
        )  # word for word the same page
    assert _email(email_id).status == "failed"
    assert (
        db.session.scalar(select(AuditEvent.id).where(AuditEvent.entity_type == "outbox_email"))
        is None
    )
