"""In-app notifications: every email written for a user is listed on their Notifications page,
newest first, with an unread count in every page's header (staff and provider portal), marked
read when opened or all at once; a user sees only their own."""

import re

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, OutboxEmail
from qa_app.services import inbox, outbox
from qa_app.services.transaction import unit_of_work


def notify(user, n=1, kind="assessment_published", endpoint="portal.home", **values):
    """Write `n` emails of `kind` for `user`, as an event does (each its own event)."""
    with unit_of_work():
        for i in range(n):
            outbox.enqueue(
                kind,
                f"test:{kind}:{user.id}:{i}:{values}",
                [user],
                {"service_name": f"Oak House {i}", "link": outbox.link(endpoint), **values},
            )
    return db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.user_id == user.id).order_by(OutboxEmail.id)
    ).all()


def header_text(page) -> str:
    return page.soup.find(id="header-notifications").get_text(" ", strip=True)


@pytest.mark.parametrize("role", ["provider", "officer", "manager", "admin"])
def test_every_role_sees_its_own_notifications_and_the_unread_count(client, make, role):
    provider = make.provider() if role == "provider" else None
    me = make.user(role, provider)
    other = make.user(role, provider)
    notify(me, 2)
    notify(other, 1, service_name="Elsewhere")
    make.sign_in(client, me)

    page = client.get("/notifications")
    assert page.status_code == 200
    assert header_text(page) == "Notifications (2 unread)"
    items = page.soup.select("#notifications li")
    subjects = [li.select_one("a").get_text(strip=True) for li in items]
    # newest first, theirs only
    assert subjects == [
        "Quality assurance report published for Oak House 1",
        "Quality assurance report published for Oak House 0",
    ]
    assert "Elsewhere" not in page.text
    # the header of any other page of theirs shows the count too
    home = client.get("/home" if role != "provider" else "/portal/")
    assert header_text(home) == "Notifications (2 unread)"


def test_no_unread_shows_a_plain_link(client, make):
    make.sign_in(client, make.user("officer"))
    page = client.get("/home")
    assert header_text(page) == "Notifications"
    assert "You have no unread notifications" in client.get("/notifications").text


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, make, app):
    provider = make.provider()
    me = make.user("provider", provider)
    first, _second = notify(me, 2)
    make.sign_in(client, me)

    response = client.get(f"/notifications/{first.id}")
    assert response.status_code == 302
    assert response.location == "/portal/"  # the email's link, made relative
    db.session.refresh(first)
    assert first.read_at is not None
    assert header_text(client.get("/notifications")) == "Notifications (1 unread)"
    # opening it again changes nothing more
    read_at = first.read_at
    client.get(f"/notifications/{first.id}")
    db.session.refresh(first)
    assert first.read_at == read_at
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "notification")
    ).all()
    assert [(e.entity_id, e.action) for e in events] == [(first.id, "notification_read")]


def test_someone_elses_notification_is_missing(client, make):
    me, other = make.user("officer"), make.user("officer")
    [theirs] = notify(other)
    [invitation] = notify(me, kind="invitation", role="an officer", expires="1 Dec")
    make.sign_in(client, me)
    missing = client.get("/notifications/999999")
    hidden = client.get(f"/notifications/{theirs.id}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.soup.h1.get_text() == missing.soup.h1.get_text()
    db.session.refresh(theirs)
    assert theirs.read_at is None
    # a set-password email is not a notification (its link is a secret)
    assert client.get(f"/notifications/{invitation.id}").status_code == 404
    assert "invited" not in client.get("/notifications").text


def test_mark_all_as_read(client, make):
    me, other = make.user("manager"), make.user("manager")
    notify(me, 3)
    [theirs] = notify(other)
    make.sign_in(client, me)
    page = client.get("/notifications")
    assert page.soup.find("button", string=re.compile("Mark all as read"))
    response = client.post("/notifications/read", data={})
    assert response.status_code == 302
    after = client.get(response.location)
    assert "All your notifications are marked as read" in after.text
    assert header_text(after) == "Notifications"
    assert not after.soup.select(".app-notification--unread")
    db.session.refresh(theirs)
    assert theirs.read_at is None  # someone else's are left alone
    assert inbox.unread_count(other) == 1


def test_mark_all_as_read_needs_the_form_token(client, make):
    me = make.user("officer")
    notify(me, 1)
    make.sign_in(client, me)
    client.get("/notifications")
    assert client.post("/notifications/read", data={}, csrf=False).status_code == 400
    assert inbox.unread_count(me) == 1


def test_pagination(client, make):
    me = make.user("officer")
    notify(me, inbox.PAGE_SIZE + 3)
    make.sign_in(client, me)
    first = client.get("/notifications")
    assert len(first.soup.select("#notifications li")) == inbox.PAGE_SIZE
    assert first.soup.select_one(".govuk-pagination")
    second = client.get("/notifications?page=2")
    subjects = [a.get_text(strip=True) for a in second.soup.select("#notifications li a")]
    assert len(subjects) == 3
    assert subjects[-1].endswith("Oak House 0")  # the oldest, last
    assert client.get("/notifications?page=x").status_code == 200


def test_the_header_count_is_one_query(client, make, app):
    from sqlalchemy import event

    me = make.user("officer")
    notify(me, 5)
    make.sign_in(client, me)
    client.get("/notifications")
    statements = []

    def seen(conn, cursor, statement, *args):
        if "outbox_emails" in statement:
            statements.append(statement)

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get("/home").status_code == 200
        home = list(statements)
        statements.clear()
        assert client.get("/notifications").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(home) == 1  # the header's count
    assert len(statements) == 3  # the count of the list, its page of rows, the unread count
