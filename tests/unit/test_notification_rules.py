"""The pure rules of in-app notifications and the daily digest (domain/notification_rules.py)."""

from datetime import UTC, date, datetime

import pytest

from qa_app.config import ConfigError
from qa_app.domain import notification_rules as rules
from qa_app.domain.emails import KINDS
from qa_app.domain.notification_rules import DigestLine
from qa_app.mail_settings import load_mail_settings

BASE = "https://qa.council.example"


@pytest.mark.parametrize(
    ("link", "relative"),
    [
        (f"{BASE}/portal/plans/4", "/portal/plans/4"),
        (f"{BASE}/plans/4?tab=actions", "/plans/4?tab=actions"),
        (f"{BASE}/plans/4#issue-2", "/plans/4"),
        (f"{BASE}", None),  # no page
        (f"{BASE}.evil.example/plans", None),  # another host that starts the same
        (f"{BASE}//evil.example/x", None),  # protocol-relative: another site
        (f"{BASE}/\\evil.example", None),
        ("https://elsewhere.example/plans/4", None),
        ("", None),
        (None, None),
        ("(not kept once sent)", None),
    ],
)
def test_a_link_is_made_relative_only_when_it_is_ours(link, relative):
    assert rules.relative_link(link, BASE) == relative


def test_held_only_with_the_daily_choice_and_never_the_urgent_kinds():
    assert rules.is_held(KINDS["plan_opened"], wants_daily_digest=True)
    assert not rules.is_held(KINDS["plan_opened"], wants_daily_digest=False)
    for urgent in ("invitation", "password_reset", "digest"):
        assert KINDS[urgent].immediate
        assert not rules.is_held(KINDS[urgent], wants_daily_digest=True)


def test_set_password_emails_and_the_digest_are_not_notifications():
    assert not KINDS["invitation"].in_app
    assert not KINDS["password_reset"].in_app
    assert not KINDS["digest"].in_app
    assert KINDS["assessment_published"].in_app


def test_every_kind_with_a_link_keeps_it_unless_it_is_secret():
    # a notification links to the email's page, so an in-app kind's link must be kept
    for kind in KINDS.values():
        if kind.in_app:
            assert "link" not in kind.secret_keys, kind.key


@pytest.mark.parametrize(
    ("now", "day"),
    [
        (datetime(2026, 11, 30, 6, 59, tzinfo=UTC), None),  # GMT: 06:59 in London
        (datetime(2026, 11, 30, 7, 0, tzinfo=UTC), date(2026, 11, 30)),
        (datetime(2026, 7, 1, 5, 59, tzinfo=UTC), None),  # BST: 06:59 in London
        (datetime(2026, 7, 1, 6, 0, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 10, 24, 6, 0, tzinfo=UTC), date(2026, 10, 24)),  # last BST morning
        (datetime(2026, 10, 25, 6, 0, tzinfo=UTC), None),  # first GMT morning: 06:00
        (datetime(2026, 10, 25, 7, 0, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 3, 29, 6, 0, tzinfo=UTC), date(2026, 3, 29)),  # first BST morning
        (datetime(2026, 3, 29, 5, 30, tzinfo=UTC), None),
        # 23:30 BST is still 1 July in London; 00:30 BST on 2 July is too early for its digest
        (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), None),
    ],
)
def test_the_digest_day_on_the_london_clock(now, day):
    assert rules.digest_date(now, 7) == day


def test_the_digest_hour_may_be_midnight():
    assert rules.digest_date(datetime(2026, 11, 30, 0, 0, tzinfo=UTC), 0) == date(2026, 11, 30)


def test_one_event_key_per_user_per_day():
    assert rules.digest_event_key(12, date(2026, 3, 29)) == "digest:12:2026-03-29"


def test_the_digest_lists_each_subject_and_its_link():
    text = rules.digest_items(
        [DigestLine("Plan opened for Oak House", f"{BASE}/portal/plans/1"), DigestLine("Hi", None)]
    )
    assert text == f"* Plan opened for Oak House\n  {BASE}/portal/plans/1\n* Hi"
    assert rules.digest_count(1) == "1 update"
    assert rules.digest_count(3) == "3 updates"


@pytest.mark.parametrize(("raw", "hour"), [("", 7), ("0", 0), ("23", 23), (" 6 ", 6)])
def test_the_digest_hour_setting(raw, hour):
    assert load_mail_settings({"QA_DIGEST_HOUR": raw}, ConfigError)["QA_DIGEST_HOUR"] == hour


@pytest.mark.parametrize("raw", ["24", "-1", "seven", "7.5"])
def test_a_bad_digest_hour_stops_start_up(raw):
    with pytest.raises(ConfigError, match="QA_DIGEST_HOUR must be an hour from 0 to 23"):
        load_mail_settings({"QA_DIGEST_HOUR": raw}, ConfigError)
