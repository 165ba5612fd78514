"""The daily digest: a user who chose "One email a day" has single emails held, and once a day,
after QA_DIGEST_HOUR on the London clock, one digest email lists them (through a real SMTP
server); never twice in a day; set-password emails are never held; right across clock changes."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, OutboxEmail
from qa_app.services import digest, outbox
from qa_app.services.transaction import unit_of_work
from qa_app.services.worker import PERIODIC
from tests.support.mail import BASE_URL


def event(user, name, kind="assessment_published", **values):
    with unit_of_work():
        outbox.enqueue(
            kind,
            f"test:{kind}:{name}",
            [user],
            {"service_name": name, "link": outbox.link("portal.home"), **values},
        )


def rows(user):
    return db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.user_id == user.id).order_by(OutboxEmail.id)
    ).all()


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def daily(make, app, monkeypatch):
    monkeypatch.setitem(app.config, "QA_DIGEST_HOUR", 7)
    provider = make.provider()
    return make.user("provider", provider, email_frequency="daily")


def test_choosing_one_email_a_day_on_your_account(client, make):
    me = make.user("officer")
    make.sign_in(client, me)
    page = client.get("/account")
    assert page.soup.find("input", {"value": "immediate"}).has_attr("checked")
    response = client.post("/account", data={"frequency": "daily"})
    assert response.status_code == 302
    after = client.get(response.location)
    assert "Your email preferences have been saved" in after.text
    assert after.soup.find("input", {"value": "daily"}).has_attr("checked")
    db.session.refresh(me)
    assert me.email_frequency == "daily"
    [audited] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "email_frequency_changed")
    ).all()
    assert audited.changes["email_frequency"] == ["immediate", "daily"]


@pytest.mark.parametrize("sent", [{}, {"frequency": "weekly"}])
def test_a_bad_choice_is_refused_and_changes_nothing(client, make, sent):
    me = make.user("manager")
    make.sign_in(client, me)
    client.get("/account")
    response = client.post("/account", data=sent)
    assert response.status_code == 422
    summary = response.soup.select_one(".govuk-error-summary")
    assert "Select how often you want emails" in summary.get_text()
    db.session.refresh(me)
    assert me.email_frequency == "immediate"


def test_held_then_sent_once_in_one_email(daily, mailbox):
    event(daily, "Oak House")
    event(daily, "Elm Court")
    assert [row.status for row in rows(daily)] == ["held", "held"]
    assert outbox.send_pending() == 0  # held: not sent on their own
    assert digest.send_digests(at("2026-11-30T06:59:00")) == 0  # before 07:00 in London
    assert outbox.send_pending() == 0

    assert digest.send_digests(at("2026-11-30T07:01:00")) == 1
    assert outbox.send_pending() == 1
    [message] = mailbox.to(daily.email)
    assert len(mailbox.messages) == 1
    assert message["Subject"].endswith("2 updates")
    body = message.get_content()
    assert "Quality assurance report published for Oak House" in body
    assert "Quality assurance report published for Elm Court" in body
    assert f"{BASE_URL}/portal/" in body
    assert f"{BASE_URL}/notifications" in body
    statuses = {row.kind: row.status for row in rows(daily)}
    assert statuses == {"assessment_published": "digested", "digest": "sent"}
    [sent_digest] = [row for row in rows(daily) if row.kind == "digest"]
    assert sent_digest.event_key == f"digest:{daily.id}:2026-11-30"

    # again the same day: nothing more, even with a new held email (it waits for tomorrow)
    assert digest.send_digests(at("2026-11-30T09:00:00")) == 0
    event(daily, "Ash Lodge")
    assert digest.send_digests(at("2026-11-30T15:00:00")) == 0
    assert outbox.send_pending() == 0
    assert len(mailbox.messages) == 1
    assert digest.send_digests(at("2026-12-01T07:00:00")) == 1
    assert outbox.send_pending() == 1
    second = mailbox.to(daily.email)[-1]
    assert "Ash Lodge" in second.get_content() and "Oak House" not in second.get_content()
    assert second["Subject"].endswith("1 update")


def test_held_emails_are_notifications_but_the_digest_is_not(client, make, daily):
    event(daily, "Oak House")
    assert digest.send_digests(at("2026-11-30T08:00:00")) == 1
    make.sign_in(client, daily)
    page = client.get("/notifications")
    subjects = [a.get_text(strip=True) for a in page.soup.select("#notifications li a")]
    assert subjects == ["Quality assurance report published for Oak House"]


def test_invitations_and_password_resets_are_never_held(daily, mailbox):
    event(daily, "invitation", kind="invitation", role="a provider user", expires="1 December")
    event(daily, "reset", kind="password_reset", expires="10:00")
    assert [row.status for row in rows(daily)] == ["pending", "pending"]
    assert outbox.send_pending() == 2
    assert len(mailbox.to(daily.email)) == 2


def test_a_concern_clock_reminder_is_never_held_for_the_digest(make, mailbox):
    officer = make.user("officer", email_frequency="daily")
    for kind in ("concern_due_soon", "concern_breached"):
        event(officer, kind, kind=kind, risk_level="high", due_at="28 November 2026 at 2:00pm")
    assert [row.status for row in rows(officer)] == ["pending", "pending"]
    assert outbox.send_pending() == 2
    assert len(mailbox.to(officer.email)) == 2


def test_single_emails_for_users_who_did_not_choose_the_digest(make, mailbox):
    officer = make.user("officer")
    event(officer, "Oak House")
    assert digest.send_digests(at("2026-11-30T08:00:00")) == 0
    assert outbox.send_pending() == 1
    assert "Oak House" in mailbox.to(officer.email)[0]["Subject"]


@pytest.mark.parametrize(
    ("now", "due"),
    [
        # the last day of British Summer Time (clocks go back at 02:00 on 25 October 2026)
        ("2026-10-24T05:59:00", False),  # 06:59 BST
        ("2026-10-24T06:00:00", True),  # 07:00 BST
        # the first day of Greenwich Mean Time: 06:30 UTC is 06:30 in London, not yet
        ("2026-10-25T06:30:00", False),
        ("2026-10-25T07:00:00", True),
        # the day the clocks go forward (01:00 GMT on 29 March 2026 becomes 02:00 BST)
        ("2026-03-29T05:59:00", False),
        ("2026-03-29T06:00:00", True),
    ],
)
def test_the_hour_is_london_time_across_the_clock_changes(daily, now, due):
    event(daily, f"Oak House {now}")
    assert digest.send_digests(at(now)) == int(due)
    if due:
        [sent_digest] = [row for row in rows(daily) if row.kind == "digest"]
        assert sent_digest.event_key == f"digest:{daily.id}:{now[:10]}"


def test_going_back_to_single_emails_sends_what_was_held(client, make, daily, mailbox):
    event(daily, "Oak House")
    make.sign_in(client, daily)
    client.get("/account")
    assert client.post("/account", data={"frequency": "immediate"}).status_code == 302
    assert [row.status for row in rows(daily)] == ["pending"]
    assert outbox.send_pending() == 1
    assert "Oak House" in mailbox.to(daily.email)[0]["Subject"]


def test_an_inactive_users_digest_is_not_written(daily):
    event(daily, "Oak House")
    daily.active = False
    db.session.commit()
    assert digest.send_digests(at("2026-11-30T08:00:00")) == 0
    assert [row.status for row in rows(daily)] == ["held"]


def test_the_worker_runs_the_digest():
    assert "qa_app.services.digest:send_digests" in [task.target for task in PERIODIC]
