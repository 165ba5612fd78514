"""Passwords as the NCSC advises (issue 12, point 9), on every path that sets one: the
set-password link, changing your own password, the command line, and the demo council."""

import pytest
from sqlalchemy import select

from qa_app.domain import passwords
from qa_app.extensions import db
from qa_app.models import User
from qa_app.services import demo, users
from qa_app.services.actors import Actor
from tests.support.client import error_summary
from tests.support.factories import PASSWORD

ISSUE_EXAMPLES = ["password123", "qwertyuiop", "1234567890", "Password1!"]
TWELVE_COMMON = ["password1234", "qwertyuiop123", "Password123!", "P@ssw0rd1234"]
PASSPHRASE = "purple tractor lemon hedgehog"
EXPECTED = {
    **dict.fromkeys(ISSUE_EXAMPLES, "Password must be 12 characters or more"),
    **dict.fromkeys(TWELVE_COMMON, passwords.TOO_COMMON),
}


def _hint(page, field_id):
    return page.soup.select_one(f"#{field_id}-hint").get_text(" ", strip=True)


@pytest.mark.parametrize("password", ISSUE_EXAMPLES + TWELVE_COMMON)
def test_set_password_from_an_invitation_refuses_short_and_common_passwords(
    app, client, make, password
):
    invite = users.create_user(
        Actor.system("cli"), "new.person@council.test", "New Person", "officer"
    )[1]
    path = f"/set-password/{invite}"
    page = client.get(path)
    assert _hint(page, "password") == passwords.HINT
    refused = client.post(path, data={"password": password, "confirm_password": password})
    assert refused.status_code == 200
    assert error_summary(refused) == [EXPECTED[password]]
    assert users.find_user_by_email("new.person@council.test").password_hash is None
    done = client.post(path, data={"password": PASSPHRASE, "confirm_password": PASSPHRASE})
    assert done.status_code == 302


@pytest.mark.parametrize("password", ISSUE_EXAMPLES + TWELVE_COMMON)
def test_changing_your_password_refuses_short_and_common_passwords(client, make, password):
    officer = make.user("officer")
    make.sign_in(client, officer)
    assert _hint(client.get("/account/password"), "new_password") == passwords.HINT
    refused = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": password,
            "confirm_password": password,
        },
    )
    assert error_summary(refused) == [EXPECTED[password]]
    assert refused.soup.title.get_text().startswith("Error: ")
    accepted = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": PASSPHRASE,
            "confirm_password": PASSPHRASE,
        },
    )
    assert accepted.status_code == 302


def test_your_own_name_and_email_make_a_password_too_easy(client, make):
    officer = make.user("officer", email="jordan.reid@council.test", name="Jordan Reid")
    make.sign_in(client, officer)
    for guessable in ("jordanreid2026", "jordan.reid@council.test"):
        refused = client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": guessable,
                "confirm_password": guessable,
            },
        )
        assert error_summary(refused) in (
            [passwords.TOO_COMMON],
            [passwords.IS_EMAIL],
        ), guessable


@pytest.mark.parametrize("password", ["Password1!", "password1234", "qwertyuiop123"])
def test_create_user_on_the_command_line_refuses_them(app, ctx, password):
    result = app.test_cli_runner().invoke(
        args=[
            "qa",
            "create-user",
            "--email",
            "cli.person@council.test",
            "--name",
            "Cli Person",
            "--role",
            "officer",
            "--password",
            password,
        ]
    )
    assert result.exit_code == 1
    assert EXPECTED[password] in result.output
    assert users.find_user_by_email("cli.person@council.test") is None
    ok = app.test_cli_runner().invoke(
        args=[
            "qa",
            "create-user",
            "--email",
            "cli.person@council.test",
            "--name",
            "Cli Person",
            "--role",
            "officer",
            "--password",
            PASSPHRASE,
        ]
    )
    assert ok.exit_code == 0, ok.output


def test_the_demo_password_meets_the_rules_for_every_demo_user(ctx):
    for email, name, _, _ in demo.USERS:
        assert passwords.password_problem(demo.DEMO_PASSWORD, email, name) is None, email


def test_the_demo_council_loads_and_its_users_can_sign_in(app, client):
    result = app.test_cli_runner().invoke(args=["qa", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "officer@demo.example"))
    response = client.post(
        "/sign-in", data={"email": "officer@demo.example", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
