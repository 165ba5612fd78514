"""Sign-in throttling: too many recent failures for one account, or from one address."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures_account: int = 5
    max_failures_address: int = 20
    window_minutes: int = 15


def is_throttled(policy: ThrottlePolicy, account_failures: int, address_failures: int) -> bool:
    """True when the next attempt must be refused without checking the password."""
    return (
        account_failures >= policy.max_failures_account
        or address_failures >= policy.max_failures_address
    )
