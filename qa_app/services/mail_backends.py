"""Where an email goes, by `QA_MAIL_BACKEND`: the log (kept in the outbox, sent nowhere), an
SMTP server (the standard library's smtplib), or GOV.UK Notify (its official Python client,
one template per kind of email).

A backend's `send` raises on failure; the outbox retries with back-off (qa_app.services.outbox).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from qa_app.domain.emails import EmailKind, render

log = logging.getLogger(__name__)

HEADERS_UNFOLDED = policy.SMTP.clone(max_line_length=998)

SMTP_TIMEOUT = 30  # seconds


class Backend(Protocol):
    keeps_secrets: bool  # the log backend keeps a link for the Emails sent page

    def send(self, kind: EmailKind, to: str, personalisation: Mapping[str, str], ref: str) -> None:
        """Send one email, or raise."""


class LogBackend:
    keeps_secrets = True

    def send(self, kind: EmailKind, to: str, personalisation: Mapping[str, str], ref: str) -> None:
        subject, body = render(kind, personalisation)
        log.info("Email %s (log backend, not sent) to %s: %s\n%s", ref, to, subject, body)


class SmtpBackend:
    keeps_secrets = False

    def __init__(self, config: Mapping) -> None:
        self.host = config["QA_SMTP_HOST"]
        self.port = config["QA_SMTP_PORT"]
        self.username = config["QA_SMTP_USERNAME"]
        self.password = config["QA_SMTP_PASSWORD"]
        self.starttls = config["QA_SMTP_STARTTLS"]
        self.sender = config["QA_MAIL_FROM"]

    def send(self, kind: EmailKind, to: str, personalisation: Mapping[str, str], ref: str) -> None:
        subject, body = render(kind, personalisation)
        # Headers are not folded below RFC 5322's hard limit: Python folds a subject longer than
        # 78 characters onto a line of its own, which reaches the reader with a leading space.
        message = EmailMessage(policy=HEADERS_UNFOLDED)
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(idstring=ref.replace(":", "."))
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as server:
            if self.starttls:
                server.starttls()
            if self.username:
                server.login(self.username, self.password)
            server.send_message(message)


class NotifyBackend:
    keeps_secrets = False

    def __init__(self, config: Mapping) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            config["QA_NOTIFY_API_KEY"], base_url=config["QA_NOTIFY_BASE_URL"], timeout=30
        )
        self.templates = {
            key: value for key, value in config.items() if key.startswith("QA_NOTIFY_TEMPLATE_")
        }

    def send(self, kind: EmailKind, to: str, personalisation: Mapping[str, str], ref: str) -> None:
        template_id = self.templates.get(kind.setting)
        if not template_id:
            raise RuntimeError(f"{kind.setting} is not set")
        self.client.send_email_notification(
            email_address=to,
            template_id=template_id,
            personalisation={key: personalisation[key] for key in kind.placeholders},
            reference=ref,
        )


def backend_for(config: Mapping) -> Backend:
    name = config["QA_MAIL_BACKEND"]
    if name == "smtp":
        return SmtpBackend(config)
    if name == "notify":
        return NotifyBackend(config)
    return LogBackend()
