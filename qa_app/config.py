"""Settings, read once from the environment when the app is created.

Every setting has a `QA_` name. A bad value stops start-up with a message that says which
setting is wrong and what it accepts, rather than failing later in a request.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.programme import Intervals, IntervalsRefused, parse_intervals
from qa_app.mail_settings import load_mail_settings

ENVIRONMENTS = ("development", "test", "production")
CLOCK_MODES = ("elapsed", "working_days")


class ConfigError(RuntimeError):
    """A setting is missing or has a value the app cannot use."""


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
    clock_mode: str
    clock_high_hours: int
    clock_other_hours: int
    council_name: str
    login_max_failures_account: int
    login_max_failures_address: int
    login_window_minutes: int
    login_account_ceiling: int
    session_idle_minutes: int
    session_max_hours: int
    trusted_proxies: int
    mail: dict  # qa_app.mail_settings
    assessment_intervals: Intervals = field(default_factory=Intervals)

    def flask_config(self) -> dict:
        development = self.env == "development"
        return {
            "QA_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "QA_CLOCK_MODE": self.clock_mode,
            "QA_CLOCK_HIGH_HOURS": self.clock_high_hours,
            "QA_CLOCK_OTHER_HOURS": self.clock_other_hours,
            "QA_COUNCIL_NAME": self.council_name,
            "QA_LOGIN_MAX_FAILURES_ACCOUNT": self.login_max_failures_account,
            "QA_LOGIN_MAX_FAILURES_ADDRESS": self.login_max_failures_address,
            "QA_LOGIN_WINDOW_MINUTES": self.login_window_minutes,
            "QA_LOGIN_ACCOUNT_CEILING": self.login_account_ceiling,
            "QA_SESSION_IDLE_MINUTES": self.session_idle_minutes,
            "QA_SESSION_MAX_HOURS": self.session_max_hours,
            "QA_TRUSTED_PROXIES": self.trusted_proxies,
            "QA_ASSESSMENT_INTERVALS": self.assessment_intervals,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": not development and self.env != "test",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": not development and self.env != "test",
            # Sessions end on the server (qa_app.services.sessions); the cookie never outlives
            # the longest session either.
            "PERMANENT_SESSION_LIFETIME": self.session_max_hours * 60 * 60,
            "WTF_CSRF_TIME_LIMIT": self.session_max_hours * 60 * 60,
            "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
            # Flask-Compress: pages, JSON, CSS and JS sent compressed (zstd, Brotli or gzip, as
            # the browser accepts). Streamed responses (downloads of evidence and exports) are
            # left alone; static files are read whole so that they are compressed too
            # (qa_app.web.assets).
            "COMPRESS_STREAMS": False,
            **self.mail,
        }


def _int(environ: dict, name: str, default: int, minimum: int = 1) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _dev_secret_key(instance_path: Path) -> str:
    """A random key kept in the instance folder, so development sessions survive a restart."""
    path = instance_path / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://` and `postgres://` forms and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(environ: dict | None = None, instance_path: Path | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    instance_path = instance_path or Path.cwd() / "instance"
    env = environ.get("QA_ENV", "production").strip() or "production"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"QA_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")

    secret_key = environ.get("QA_SECRET_KEY", "").strip()
    if not secret_key:
        if env == "production":
            raise ConfigError(
                "QA_SECRET_KEY is not set. Outside development and tests the app needs a long "
                "random secret, for example: QA_SECRET_KEY=$(python3 -c "
                "'import secrets; print(secrets.token_urlsafe(48))')"
            )
        secret_key = _dev_secret_key(instance_path) if env == "development" else "test-secret"
    elif env == "production" and len(secret_key) < 32:
        raise ConfigError("QA_SECRET_KEY must be at least 32 characters long")

    database_url = environ.get("QA_DATABASE_URL", "").strip()
    if not database_url:
        database_url = f"sqlite:///{instance_path / 'qa.sqlite3'}"
    database_url = normalise_database_url(database_url)
    if not database_url.startswith(("sqlite", "postgresql")):
        raise ConfigError("QA_DATABASE_URL must be a sqlite:/// or postgresql:// URL")

    clock_mode = environ.get("QA_CLOCK_MODE", "elapsed").strip() or "elapsed"
    if clock_mode not in CLOCK_MODES:
        raise ConfigError(
            f"QA_CLOCK_MODE must be one of {', '.join(CLOCK_MODES)}, not {clock_mode!r}"
        )

    try:
        intervals = parse_intervals(
            environ.get("QA_ASSESSMENT_INTERVAL_MONTHS", ""), frozenset(SERVICE_TYPES)
        )
    except IntervalsRefused as refused:
        raise ConfigError(f"QA_ASSESSMENT_INTERVAL_MONTHS: {refused}") from None

    return Settings(
        env=env,
        database_url=database_url,
        secret_key=secret_key,
        clock_mode=clock_mode,
        clock_high_hours=_int(environ, "QA_CLOCK_HIGH_HOURS", 24),
        clock_other_hours=_int(environ, "QA_CLOCK_OTHER_HOURS", 72),
        council_name=environ.get("QA_COUNCIL_NAME", "").strip() or "Northshire County Council",
        login_max_failures_account=_int(environ, "QA_LOGIN_MAX_FAILURES_ACCOUNT", 5),
        login_max_failures_address=_int(environ, "QA_LOGIN_MAX_FAILURES_ADDRESS", 20),
        login_window_minutes=_int(environ, "QA_LOGIN_WINDOW_MINUTES", 15),
        login_account_ceiling=_int(environ, "QA_LOGIN_ACCOUNT_CEILING", 100),
        session_idle_minutes=_int(environ, "QA_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_int(environ, "QA_SESSION_MAX_HOURS", 12),
        trusted_proxies=_int(environ, "QA_TRUSTED_PROXIES", 0, minimum=0),
        mail=load_mail_settings(environ, ConfigError),
        assessment_intervals=intervals,
    )


# ---------------------------------------------------------------- the web server (gunicorn)

#: However many cores: each sync worker holds one database connection pool of its own.
MAX_DEFAULT_WORKERS = 12
ACCESS_LOG_FORMAT = (
    '%(h)s forwarded-for="%({x-forwarded-for}i)s" "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
)


@dataclass(frozen=True)
class WebServerSettings:
    """What `gunicorn.conf.py` reads: `QA_WEB_BIND`, `QA_WEB_WORKERS`, `QA_WEB_TIMEOUT`."""

    bind: str
    workers: int
    timeout: int


def default_workers(cores: int | None) -> int:
    """Two per core and one more (gunicorn's advice), at most MAX_DEFAULT_WORKERS."""
    return min(2 * (cores or 1) + 1, MAX_DEFAULT_WORKERS)


def load_web_server_settings(environ: dict | None = None) -> WebServerSettings:
    environ = dict(os.environ if environ is None else environ)
    bind = environ.get("QA_WEB_BIND", "").strip() or "127.0.0.1:8000"
    if not (bind.startswith("unix:") or ":" in bind):
        raise ConfigError(
            f"QA_WEB_BIND must be HOST:PORT (e.g. 127.0.0.1:8000) or unix:PATH, not {bind!r}"
        )
    return WebServerSettings(
        bind=bind,
        workers=_int(environ, "QA_WEB_WORKERS", default_workers(os.cpu_count())),
        timeout=_int(environ, "QA_WEB_TIMEOUT", 60),
    )
