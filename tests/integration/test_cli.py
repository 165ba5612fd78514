"""The command line: seed-demo, create-user and create-token, with clear errors."""

from sqlalchemy import func, select

from qa_app.domain.months import last_full_month
from qa_app.extensions import db
from qa_app.models import AuditEvent, Provider, Service, User
from qa_app.models.types import utcnow
from qa_app.services import quad_meetings, users


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["qa", *args])


def test_seed_demo_loads_a_council_once(app, ctx):
    result = _run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert "30 services" in result.output
    assert db.session.scalar(select(func.count(Service.id))) == 30
    clusters = set(db.session.scalars(select(Service.cluster)))
    assert clusters == {"North", "Central", "South"}
    assert len(set(db.session.scalars(select(Service.service_type)))) >= 5
    roles = sorted(db.session.scalars(select(User.role)))
    assert roles.count("provider") == 2 and {"admin", "manager", "officer"} <= set(roles)
    provider_ids = set(db.session.scalars(select(User.provider_id).where(User.role == "provider")))
    assert len(provider_ids) == 2  # two different providers
    # every record was created through the audited use cases
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.entity_type == "service", AuditEvent.action == "created"
            )
        )
        == 30
    )
    # last month's QuAD meeting, held (locked), with services discussed and the council's actions
    manager = db.session.scalar(select(User).where(User.role == "manager"))
    month = last_full_month(utcnow())
    record = quad_meetings.record_of(manager, month, utcnow())
    assert record.held and month.first_day <= record.held_on <= month.last_day
    assert [item.service for item in record.items][:2] == ["Heathervale Court", "Brookside Mews"]
    assert len(record.actions) == 3 and len(record.attendees) == 5
    again = _run(app, "seed-demo", "--if-empty")
    assert again.exit_code == 0 and "already loaded" in again.output
    refused = _run(app, "seed-demo")
    assert refused.exit_code == 1 and "already has data" in refused.output
    assert db.session.scalar(select(func.count(Service.id))) == 30


def test_create_user_and_its_errors(app, make):
    provider = make.provider()
    ok = _run(
        app,
        "create-user",
        "--email",
        "New@Council.test",
        "--name",
        "New Person",
        "--role",
        "officer",
    )
    assert ok.exit_code == 0, ok.output
    assert "set their password at: /set-password/" in ok.output
    assert users.find_user_by_email("new@council.test").role == "officer"
    duplicate = _run(
        app, "create-user", "--email", "new@council.test", "--name", "X", "--role", "officer"
    )
    assert duplicate.exit_code == 1
    assert "There is already a user with the email address new@council.test" in duplicate.output
    bad_role = _run(app, "create-user", "--email", "a@b.test", "--name", "X", "--role", "wizard")
    assert bad_role.exit_code == 1 and "unknown role 'wizard'" in bad_role.output
    no_provider = _run(
        app, "create-user", "--email", "p@b.test", "--name", "X", "--role", "provider"
    )
    assert (
        no_provider.exit_code == 1
        and "Select the provider this user works for" in no_provider.output
    )
    missing_provider = _run(
        app,
        "create-user",
        "--email",
        "p@b.test",
        "--name",
        "X",
        "--role",
        "provider",
        "--provider-id",
        "99999",
    )
    assert (
        missing_provider.exit_code == 1 and "no provider with ID 99999" in missing_provider.output
    )
    weak = _run(
        app,
        "create-user",
        "--email",
        "w@b.test",
        "--name",
        "X",
        "--role",
        "admin",
        "--password",
        "short",
    )
    assert weak.exit_code == 1 and "12 characters or more" in weak.output
    assert (
        users.find_user_by_email("p@b.test") is None
        and users.find_user_by_email("w@b.test") is None
    )
    with_provider = _run(
        app,
        "create-user",
        "--email",
        "p@b.test",
        "--name",
        "P",
        "--role",
        "provider",
        "--provider-id",
        str(provider.id),
        "--password",
        "a long enough password",
    )
    assert with_provider.exit_code == 0, with_provider.output
    assert (
        db.session.get(Provider, provider.id).id == users.find_user_by_email("p@b.test").provider_id
    )


def test_create_token_prints_only_a_working_token(app, make, client):
    officer = make.user("officer")
    result = _run(app, "create-token", officer.email)
    assert result.exit_code == 0
    token = result.output.strip()
    assert "\n" not in token and token.startswith("qa_")
    assert (
        client.get("/api/v1/services", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    unknown = _run(app, "create-token", "ghost@council.test")
    assert (
        unknown.exit_code == 1
        and "no user with the email address ghost@council.test" in unknown.output
    )
