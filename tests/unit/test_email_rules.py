"""The kinds of email, their placeholders, retries and the forgot-password throttle."""

from datetime import UTC, datetime, timedelta

import pytest

from qa_app.config import ConfigError
from qa_app.domain.emails import (
    BACK_OFF,
    FAILED,
    KINDS,
    MAX_ATTEMPTS,
    PENDING,
    RESET_MAX_PER_EMAIL,
    after_failure,
    forget_secrets,
    render,
    reset_wait,
)
from qa_app.mail_settings import load_mail_settings

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_every_kind_names_its_recipient_and_links_to_the_page():
    for kind in KINDS.values():
        assert {"name", "link", "council_name"} <= set(kind.placeholders), kind.key
        assert kind.setting == f"QA_NOTIFY_TEMPLATE_{kind.key.upper()}"


def test_an_email_with_a_placeholder_left_unfilled_is_never_rendered():
    kind = KINDS["plan_opened"]
    with pytest.raises(KeyError, match="deadline"):
        render(kind, {"name": "A", "link": "x", "council_name": "C", "service_name": "S"})
    subject, body = render(
        kind,
        {
            "name": "A",
            "link": "http://x/p",
            "council_name": "C",
            "service_name": "S",
            "deadline": "1 May",
        },
    )
    assert subject == "Improvement plan for S: due by 1 May" and "((" not in body


def test_a_failed_send_waits_longer_each_time_then_fails():
    outcomes = [after_failure(n, NOW) for n in range(1, MAX_ATTEMPTS + 1)]
    assert [status for status, _ in outcomes] == [PENDING] * (MAX_ATTEMPTS - 1) + [FAILED]
    assert [at - NOW for _, at in outcomes[:-1]] == list(BACK_OFF)


def test_a_set_password_link_is_forgotten_once_sent():
    kept = forget_secrets(KINDS["invitation"], {"link": "http://x/set-password/s", "name": "A"})
    assert kept == {"link": "(not kept once sent)", "name": "A"}


def test_forgot_password_requests_are_counted_per_address_named_and_per_network_address():
    window = timedelta(minutes=15)
    recent = [NOW - timedelta(minutes=m) for m in (1, 2, 3)]
    assert reset_wait(recent[: RESET_MAX_PER_EMAIL - 1], [], NOW, window, 20) == timedelta(0)
    assert reset_wait(recent, [], NOW, window, 20) == timedelta(minutes=12)
    assert reset_wait([], recent, NOW, window, 3) == timedelta(minutes=12)
    old = [NOW - timedelta(minutes=20)] * 5
    assert reset_wait(old, old, NOW, window, 3) == timedelta(0)


def test_mail_settings_say_what_is_wrong():
    assert load_mail_settings({}, ConfigError)["QA_MAIL_BACKEND"] == "log"
    with pytest.raises(ConfigError, match="QA_MAIL_BACKEND must be one of"):
        load_mail_settings({"QA_MAIL_BACKEND": "pigeon"}, ConfigError)
    with pytest.raises(ConfigError, match="QA_NOTIFY_API_KEY"):
        load_mail_settings({"QA_MAIL_BACKEND": "notify"}, ConfigError)
    with pytest.raises(ConfigError, match="QA_NOTIFY_TEMPLATE_INVITATION"):
        load_mail_settings({"QA_MAIL_BACKEND": "notify", "QA_NOTIFY_API_KEY": "k"}, ConfigError)
    with pytest.raises(ConfigError, match="QA_SMTP_STARTTLS"):
        load_mail_settings({"QA_SMTP_STARTTLS": "maybe"}, ConfigError)
    with pytest.raises(ConfigError, match="QA_BASE_URL"):
        load_mail_settings({"QA_BASE_URL": "qa.example"}, ConfigError)
