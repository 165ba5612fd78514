"""Security headers, the CSP nonce, cookies and start-up settings."""

import re

import pytest

from qa_app import create_app
from qa_app.config import ConfigError, load_settings


def test_security_headers_and_a_fresh_nonce_on_every_page(client):
    first, second = client.get("/sign-in"), client.get("/sign-in")
    csp = first.headers["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "object-src 'none'" in csp
        and "frame-ancestors 'none'" in csp
    )
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert nonce != re.search(r"'nonce-([^']+)'", second.headers["Content-Security-Policy"]).group(
        1
    )
    assert "unsafe-inline" not in csp
    scripts = first.soup.find_all("script")
    assert scripts and all(s["nonce"] == nonce for s in scripts)
    assert first.headers["X-Frame-Options"] == "DENY"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Referrer-Policy"] == "same-origin"
    assert first.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only_and_same_site(client, make):
    officer = make.user("officer")
    from tests.support.factories import PASSWORD

    response = client.post("/sign-in", data={"email": officer.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_needs_a_secret_key_and_uses_secure_cookies(tmp_path):
    with pytest.raises(ConfigError, match="QA_SECRET_KEY is not set"):
        load_settings({"QA_ENV": "production"}, tmp_path)
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load_settings({"QA_ENV": "production", "QA_SECRET_KEY": "short"}, tmp_path)
    settings = load_settings({"QA_ENV": "production", "QA_SECRET_KEY": "x" * 40}, tmp_path)
    config = settings.flask_config()
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    app = create_app(
        {"TESTING": False},
        environ={
            "QA_ENV": "production",
            "QA_SECRET_KEY": "y" * 40,
            "QA_DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3",
        },
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_keeps_a_random_secret_in_the_instance_folder(tmp_path):
    first = load_settings({"QA_ENV": "development"}, tmp_path)
    second = load_settings({"QA_ENV": "development"}, tmp_path)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 48
    assert first.flask_config()["SESSION_COOKIE_SECURE"] is False
    assert first.database_url == f"sqlite:///{tmp_path / 'qa.sqlite3'}"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"QA_CLOCK_MODE": "lunar"}, "QA_CLOCK_MODE must be one of elapsed, working_days"),
        ({"QA_CLOCK_HIGH_HOURS": "soon"}, "QA_CLOCK_HIGH_HOURS must be a whole number"),
        ({"QA_CLOCK_OTHER_HOURS": "0"}, "QA_CLOCK_OTHER_HOURS must be at least 1"),
        ({"QA_DATABASE_URL": "mysql://x"}, "QA_DATABASE_URL must be a sqlite"),
        ({"QA_ENV": "staging"}, "QA_ENV must be one of"),
        ({"QA_SESSION_IDLE_MINUTES": "0"}, "QA_SESSION_IDLE_MINUTES must be at least 1"),
        ({"QA_SESSION_MAX_HOURS": "half a day"}, "QA_SESSION_MAX_HOURS must be a whole number"),
        ({"QA_LOGIN_ACCOUNT_CEILING": "-1"}, "QA_LOGIN_ACCOUNT_CEILING must be at least 1"),
        ({"QA_TRUSTED_PROXIES": "-1"}, "QA_TRUSTED_PROXIES must be at least 0"),
    ],
)
def test_bad_settings_stop_start_up_with_a_clear_message(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"QA_ENV": "test", **environ}, tmp_path)


def test_postgres_urls_use_psycopg_3(tmp_path):
    settings = load_settings({"QA_ENV": "test", "QA_DATABASE_URL": "postgres://u@h/db"}, tmp_path)
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    clock = load_settings(
        {"QA_ENV": "test", "QA_CLOCK_MODE": "working_days", "QA_CLOCK_HIGH_HOURS": "12"}, tmp_path
    )
    assert (clock.clock_mode, clock.clock_high_hours, clock.clock_other_hours) == (
        "working_days",
        12,
        72,
    )


def test_the_audit_trail_cannot_be_changed_even_bypassing_the_app(make, ctx):
    import sqlalchemy as sa

    from qa_app.extensions import db
    from qa_app.services import registry
    from qa_app.services.actors import Actor

    registry.create_provider(Actor.system("cli"), {"name": "Trail Test"})
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE audit_events SET action = 'tampered'"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text("DELETE FROM audit_events"))


def test_session_settings_set_the_idle_period_the_longest_session_and_the_cookie(tmp_path):
    settings = load_settings(
        {"QA_ENV": "test", "QA_SESSION_IDLE_MINUTES": "15", "QA_SESSION_MAX_HOURS": "8"}, tmp_path
    )
    config = settings.flask_config()
    assert (config["QA_SESSION_IDLE_MINUTES"], config["QA_SESSION_MAX_HOURS"]) == (15, 8)
    assert config["PERMANENT_SESSION_LIFETIME"] == 8 * 60 * 60
    defaults = load_settings({"QA_ENV": "test"}, tmp_path).flask_config()
    assert (defaults["QA_SESSION_IDLE_MINUTES"], defaults["QA_SESSION_MAX_HOURS"]) == (30, 12)
    assert defaults["QA_LOGIN_ACCOUNT_CEILING"] == 100 and defaults["QA_TRUSTED_PROXIES"] == 0
