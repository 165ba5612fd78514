"""Sign-in throttling rules (qa_app.domain.throttle): worked examples and their edges."""

from datetime import UTC, datetime, timedelta

import pytest

from qa_app.domain.throttle import (
    History,
    ThrottlePolicy,
    address_key,
    minutes_to_wait,
    pair_delay,
    wait_before_attempt,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy()  # 5 per pair, 20 per address in 15 minutes, ceiling 100 a day
NO_WAIT = timedelta(0)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.mark.parametrize(
    ("failures", "delay"),
    [
        (0, None),
        (4, None),
        (5, minutes(1)),
        (6, minutes(2)),
        (7, minutes(4)),
        (10, minutes(32)),
        (11, minutes(60)),  # 64 minutes, capped at the longest delay
        (40, minutes(60)),
        (10**9, minutes(60)),
    ],
)
def test_the_pair_delay_doubles_from_one_minute_after_five_failures(failures, delay):
    assert pair_delay(POLICY, failures) == delay


def test_no_history_no_wait():
    assert wait_before_attempt(POLICY, History(), NOW) == NO_WAIT


def test_four_failures_from_a_pair_never_wait():
    history = History(pair_failures=4, pair_last_failure=NOW)
    assert wait_before_attempt(POLICY, history, NOW) == NO_WAIT


def test_the_fifth_failure_makes_the_pair_wait_one_minute_from_it():
    history = History(pair_failures=5, pair_last_failure=NOW - timedelta(seconds=20))
    assert wait_before_attempt(POLICY, history, NOW) == timedelta(seconds=40)
    # Exactly a minute after the last failure, the attempt goes ahead.
    history = History(pair_failures=5, pair_last_failure=NOW - minutes(1))
    assert wait_before_attempt(POLICY, history, NOW) == NO_WAIT


def test_the_seventh_failure_means_four_minutes():
    history = History(pair_failures=7, pair_last_failure=NOW - minutes(3))
    assert wait_before_attempt(POLICY, history, NOW) == minutes(1)


def test_twenty_failures_from_an_address_in_fifteen_minutes_stop_it_until_one_leaves():
    # 20 failures, one a minute up to now: the oldest is 19 minutes old, outside the window,
    # so 15 are inside (NOW-14 … NOW): no wait.
    spread = [NOW - minutes(n) for n in range(20)]
    assert wait_before_attempt(POLICY, History(address_failures=spread), NOW) == NO_WAIT
    # 20 failures in the last 10 minutes (every 30 s): the oldest leaves the window at +5 min.
    burst = [NOW - timedelta(seconds=30 * n) for n in range(20)]
    wait = wait_before_attempt(POLICY, History(address_failures=burst), NOW)
    assert wait == minutes(15) - timedelta(seconds=30 * 19)
    # 19 in the window: no wait.
    assert wait_before_attempt(POLICY, History(address_failures=burst[:19]), NOW) == NO_WAIT


def test_the_address_wait_counts_from_the_twentieth_newest_failure_whatever_the_order():
    failures = [NOW - minutes(n) for n in (0, 1, 2)] + [NOW - minutes(5)] * 17 + [NOW - minutes(14)]
    history = History(address_failures=list(reversed(failures)))
    # The 20th newest is 5 minutes old: it leaves the window in 10 minutes.
    assert wait_before_attempt(POLICY, history, NOW) == minutes(10)


def test_the_account_ceiling_slows_unknown_addresses_to_one_attempt_a_minute():
    over = History(account_failures=100, account_last_failure=NOW - timedelta(seconds=15))
    assert wait_before_attempt(POLICY, over, NOW) == timedelta(seconds=45)
    below = History(account_failures=99, account_last_failure=NOW)
    assert wait_before_attempt(POLICY, below, NOW) == NO_WAIT
    later = History(account_failures=5000, account_last_failure=NOW - minutes(1))
    assert wait_before_attempt(POLICY, later, NOW) == NO_WAIT


def test_the_account_ceiling_never_slows_an_address_the_account_signed_in_from():
    known = History(account_failures=10_000, account_last_failure=NOW, known_address=True)
    assert wait_before_attempt(POLICY, known, NOW) == NO_WAIT


def test_the_longest_of_several_waits_applies():
    history = History(
        pair_failures=6,
        pair_last_failure=NOW,  # 2 minutes
        address_failures=[NOW] * 20,  # 15 minutes
        account_failures=100,
        account_last_failure=NOW,  # 1 minute
    )
    assert wait_before_attempt(POLICY, history, NOW) == minutes(15)


def test_a_policy_from_the_settings_changes_the_limits():
    strict = ThrottlePolicy(max_failures_account=2, max_failures_address=3, window_minutes=60)
    assert pair_delay(strict, 2) == minutes(1)
    history = History(address_failures=[NOW - minutes(50)] * 3)
    assert wait_before_attempt(strict, history, NOW) == minutes(10)


@pytest.mark.parametrize(
    ("wait", "told"),
    [
        (timedelta(seconds=1), 1),
        (timedelta(seconds=60), 1),
        (timedelta(seconds=61), 2),
        (minutes(14) + timedelta(seconds=59), 15),
        (NO_WAIT, 1),
    ],
)
def test_a_wait_is_told_in_whole_minutes_rounded_up(wait, told):
    assert minutes_to_wait(wait) == told


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("", "unknown"),
        ("not an address", "not an address"),
        ("x" * 300, "x" * 64),
    ],
)
def test_the_address_that_limits_apply_to(address, key):
    assert address_key(address) == key
