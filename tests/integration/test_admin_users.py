"""Administrators invite users, change roles, deactivate them and manage API tokens."""

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, OutboxEmail, User
from qa_app.services import users
from tests.support.client import error_summary


def test_invite_a_provider_user_who_then_sets_a_password(client, app, make):
    make.sign_in(client, make.user("admin"))
    provider = make.provider(name="Hazel Care")
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Hana Patel",
            "email": "hana@hazel.test",
            "role": "provider",
            "provider_id": provider.id,
        },
    )
    assert response.status_code == 302
    invited = users.find_user_by_email("hana@hazel.test")
    assert invited.password_hash is None and invited.provider_id == provider.id
    assert response.location == f"/admin/users/{invited.id}"
    [email] = db.session.scalars(select(OutboxEmail)).all()  # emailed, not shown on screen
    assert email.recipient_email == "hana@hazel.test" and email.kind == "invitation"
    link = email.personalisation["link"]
    assert link.startswith(app.config["QA_BASE_URL"] + "/set-password/")
    newcomer = app.test_client()
    path = link.removeprefix(app.config["QA_BASE_URL"])
    assert newcomer.get(path).soup.h1.get_text(strip=True) == "Create your password"
    mismatch = newcomer.post(
        path, data={"password": "a long new password", "confirm_password": "other"}
    )
    assert error_summary(mismatch) == ["The passwords do not match"]
    done = newcomer.post(
        path, data={"password": "a long new password", "confirm_password": "a long new password"}
    )
    assert done.status_code == 302
    assert newcomer.get("/", follow_redirects=True).soup.h1.get_text(strip=True) == "Your services"
    # the link works once
    assert app.test_client().get(path).status_code == 404


def test_invite_errors(client, make):
    make.sign_in(client, make.user("admin"))
    existing = make.user("officer")
    response = client.post(
        "/admin/users/new", data={"name": "", "email": existing.email, "role": "provider"}
    )
    assert error_summary(response) == [
        "Enter the person's name",
        f"There is already a user with the email address {existing.email}",
        "Select the provider this user works for",
    ]
    assert users.find_user_by_email(existing.email).name == existing.name


def test_change_role_and_the_user_must_sign_in_again(client, app, make):
    make.sign_in(client, make.user("admin"))
    officer = make.user("officer")
    their_session = app.test_client()
    make.sign_in(their_session, officer)
    response = client.post(
        f"/admin/users/{officer.id}", data={"role": "manager", "provider_id": ""}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, officer.id).role == "manager"
    assert their_session.get("/home").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role_changed"))
    assert event.changes["role"] == ["officer", "manager"]


def test_an_admin_cannot_lock_themselves_out(client, make):
    admin = make.user("admin")
    make.sign_in(client, admin)
    demote = client.post(f"/admin/users/{admin.id}", data={"role": "officer", "provider_id": ""})
    assert error_summary(demote) == ["You cannot remove your own administrator role"]
    client.post(f"/admin/users/{admin.id}/deactivate")
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True
    page = client.get(f"/admin/users/{admin.id}")
    assert "You cannot deactivate your own account" in page.get_data(as_text=True)


def test_create_a_token_shows_it_once(client, make):
    make.sign_in(client, make.user("admin"))
    officer = make.user("officer")
    response = client.post(f"/admin/users/{officer.id}/tokens", data={"name": "Reporting"})
    secret = response.soup.select_one("#token").get_text(strip=True)
    assert secret.startswith("qa_")
    page = client.get(f"/admin/users/{officer.id}")
    assert secret not in page.get_data(as_text=True)
    assert "Reporting" in page.soup.select_one("main table").get_text()
