"""Sign-in throttling that slows an attacker without letting them lock staff out.

Three limits, each counting only *failed* attempts (wrong password or unknown account). An
attempt refused by a limit is not a failure: it is never counted and never extends a wait, so
an attacker cannot keep a limit in force by hammering it.

1. **One account from one address** (`max_failures_account`, 5). After that many failures since
   the pair's last successful sign-in (within `pair_memory`, a day), the next attempt from that
   address for that account waits 1 minute after the last failure, then 2, 4, 8 … up to
   `longest_delay` (an hour): growing delays, as NIST SP 800-63B (5.2.2) describes. Other
   addresses are not affected, so someone guessing from one place cannot lock an officer out
   at another. A success from that address starts the pair again.
2. **One address across all accounts** (`max_failures_address`, 20 in `window_minutes`, 15): stops
   one address trying a password against many accounts. It lasts until enough of those failures
   are older than the window.
3. **One account across all addresses, as a ceiling only** (`account_ceiling`, 100 failures in a
   day): a guessing attack spread over many addresses. Past the ceiling, an address the account
   has never signed in from may try that account once a minute (after the account's latest
   failure). Addresses it has signed in from in the last 90 days (`known_address`) are never
   slowed by it, so the officer at their usual office or home still signs in: the ceiling slows,
   it never locks.

Addresses are compared by `address_key`: an IPv6 address by its /64 network (what one household
or one server is usually given), an IPv4 address whole.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures_account: int = 5  # for one account from one address, before delays begin
    max_failures_address: int = 20  # from one address, across accounts, within the window
    window_minutes: int = 15
    account_ceiling: int = 100  # for one account from all addresses within `ceiling_window`
    first_delay: timedelta = timedelta(minutes=1)
    longest_delay: timedelta = timedelta(hours=1)
    pair_memory: timedelta = timedelta(days=1)
    ceiling_window: timedelta = timedelta(days=1)
    ceiling_interval: timedelta = timedelta(minutes=1)
    known_address_memory: timedelta = timedelta(days=90)

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)


@dataclass(frozen=True)
class History:
    """What the throttle needs to know about recent failures (only failures, never refusals)."""

    pair_failures: int = 0  # this account from this address, since the pair's last success
    pair_last_failure: datetime | None = None
    address_failures: Sequence[datetime] = ()  # from this address within the window, any order
    account_failures: int = 0  # this account, from every address, within the ceiling window
    account_last_failure: datetime | None = None
    known_address: bool = False  # the account signed in successfully from this address before


def pair_delay(policy: ThrottlePolicy, failures: int) -> timedelta | None:
    """How long after its latest failure a pair must wait: none below the limit, then 1, 2, 4 …
    minutes (doubling with each further failure), never more than `longest_delay`."""
    if failures < policy.max_failures_account:
        return None
    doublings = failures - policy.max_failures_account
    if doublings >= 32:  # far past the longest delay; avoids a huge multiplication
        return policy.longest_delay
    delay: timedelta = min(policy.first_delay * (2**doublings), policy.longest_delay)
    return delay


def wait_before_attempt(policy: ThrottlePolicy, history: History, now: datetime) -> timedelta:
    """How long this attempt must wait: zero means check the password now; more than zero means
    refuse it without checking (and without counting it as a failure)."""
    waits = [timedelta(0)]

    delay = pair_delay(policy, history.pair_failures)
    if delay is not None and history.pair_last_failure is not None:
        waits.append(history.pair_last_failure + delay - now)

    recent = sorted(
        (at for at in history.address_failures if at > now - policy.window), reverse=True
    )
    if len(recent) >= policy.max_failures_address:
        # Allowed again once fewer than the limit are inside the window: when the limit-th
        # newest failure leaves it.
        waits.append(recent[policy.max_failures_address - 1] + policy.window - now)

    if (
        not history.known_address
        and history.account_failures >= policy.account_ceiling
        and history.account_last_failure is not None
    ):
        waits.append(history.account_last_failure + policy.ceiling_interval - now)

    return max(waits)


def minutes_to_wait(wait: timedelta) -> int:
    """A wait in whole minutes, rounded up, for telling a person (never less than 1)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def address_key(address: str) -> str:
    """The address that limits apply to: an IPv6 address's /64 network, an IPv4 address as it
    is, anything unreadable as given (cut to 64 characters)."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "unknown")[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)
