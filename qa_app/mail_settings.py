"""Email settings (SPEC section 10), read once from the environment with the other settings.

`QA_MAIL_BACKEND` is `log` (the default in development and tests: written to the log and kept
in the outbox, sent nowhere), `smtp` or `notify`. Links in emails start with `QA_BASE_URL`.
"""

from __future__ import annotations

from qa_app.domain.codes import whole_number
from qa_app.domain.emails import KINDS
from qa_app.domain.notification_rules import DEFAULT_DIGEST_HOUR

BACKENDS = ("log", "smtp", "notify")
NOTIFY_API = "https://api.notifications.service.gov.uk"


def _flag(environ: dict, name: str, default: bool, error: type[Exception]) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false"):
        return False
    raise error(f"{name} must be 1, 0, true or false, not {raw!r}")


def load_mail_settings(environ: dict, error: type[Exception]) -> dict:
    """The email settings as Flask config; `error` (ConfigError) says what is wrong."""
    # `log` is the default everywhere, so that a server set up before email existed still
    # starts; deploy/qa.env.example sets notify or smtp and QA_BASE_URL for production.
    backend = (environ.get("QA_MAIL_BACKEND") or "").strip() or "log"
    if backend not in BACKENDS:
        raise error(f"QA_MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    base_url = (environ.get("QA_BASE_URL") or "").strip().rstrip("/") or "http://127.0.0.1:5000"
    if not base_url.startswith(("http://", "https://")):
        raise error(f"QA_BASE_URL must start with http:// or https://, not {base_url!r}")
    port = (environ.get("QA_SMTP_PORT") or "").strip() or "587"
    port_number = whole_number(port, max_digits=5)
    if port_number is None or not 0 < port_number < 65536:
        raise error(f"QA_SMTP_PORT must be a port number, not {port!r}")
    digest_hour = (environ.get("QA_DIGEST_HOUR") or "").strip() or str(DEFAULT_DIGEST_HOUR)
    hour = whole_number(digest_hour, max_digits=2)
    if hour is None or hour > 23:
        raise error(f"QA_DIGEST_HOUR must be an hour from 0 to 23, not {digest_hour!r}")
    config = {
        "QA_MAIL_BACKEND": backend,
        # the daily digest goes at or after this hour, London time (services/digest.py)
        "QA_DIGEST_HOUR": hour,
        "QA_BASE_URL": base_url,
        "QA_MAIL_FROM": (environ.get("QA_MAIL_FROM") or "").strip() or "qa@localhost",
        "QA_SMTP_HOST": (environ.get("QA_SMTP_HOST") or "").strip() or "localhost",
        "QA_SMTP_PORT": port_number,
        "QA_SMTP_USERNAME": (environ.get("QA_SMTP_USERNAME") or "").strip(),
        "QA_SMTP_PASSWORD": environ.get("QA_SMTP_PASSWORD") or "",
        "QA_SMTP_STARTTLS": _flag(environ, "QA_SMTP_STARTTLS", True, error),
        "QA_NOTIFY_API_KEY": (environ.get("QA_NOTIFY_API_KEY") or "").strip(),
        "QA_NOTIFY_BASE_URL": (environ.get("QA_NOTIFY_BASE_URL") or "").strip() or NOTIFY_API,
    }
    for kind in KINDS.values():
        config[kind.setting] = (environ.get(kind.setting) or "").strip()
    if backend == "notify":
        if not config["QA_NOTIFY_API_KEY"]:
            raise error("QA_MAIL_BACKEND is notify but QA_NOTIFY_API_KEY is not set")
        missing = [kind.setting for kind in KINDS.values() if not config[kind.setting]]
        if missing:
            raise error(f"QA_MAIL_BACKEND is notify but these are not set: {', '.join(missing)}")
    if backend == "smtp" and not (environ.get("QA_MAIL_FROM") or "").strip():
        raise error("QA_MAIL_BACKEND is smtp but QA_MAIL_FROM is not set")
    return config
