"""Who a council letter about a service goes to, and in what order it lists what is due.

A letter about a service (a notice of concern, a contract breach notice) is addressed to the
service's registered manager, at the provider's postal address: the registered manager runs
the service day to day, and the provider's address is where its post is dealt with. When the
council has not recorded them, the letter falls back on what it does know, never on a
placeholder a provider would be puzzled by.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

NOBODY = "Sir or Madam"


@dataclass(frozen=True)
class Recipient:
    #: the address block, line by line, as it is printed at the top of the letter
    lines: tuple[str, ...]
    #: the name after "Dear" ("Sir or Madam" when nobody is named)
    salutation: str

    @property
    def closing(self) -> str:
        """ "Yours sincerely" to a person named, "Yours faithfully" to "Sir or Madam"."""
        return "Yours faithfully" if self.salutation == NOBODY else "Yours sincerely"


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def recipient(
    *,
    registered_manager: str | None,
    service_name: str,
    provider_name: str,
    provider_address: str | None,
    provider_contact: str | None = None,
    service_address: str | None = None,
    service_postcode: str | None = None,
) -> Recipient:
    """The address block and salutation of a letter about one service.

    - To the registered manager by name, as the service's registered manager; else to the
      provider's contact by name; else to "The registered manager" of the service.
    - At the provider's postal address; if the council has none, at the service's own address
      (a letter to the service's registered manager reaches them there too).
    """
    manager = (registered_manager or "").strip()
    contact = (provider_contact or "").strip()
    if manager:
        head = [manager, f"Registered manager, {service_name}"]
        salutation = manager
    elif contact:
        head = [contact]
        salutation = contact
    else:
        head = [f"The registered manager, {service_name}"]
        salutation = NOBODY
    address = _lines(provider_address)
    if not address:
        address = _lines(service_address)
        postcode = (service_postcode or "").strip()
        if postcode and postcode not in address:
            address.append(postcode)
    return Recipient(tuple([*head, provider_name, *address]), salutation)


class _Due(Protocol):
    @property
    def due_date(self) -> date: ...
    @property
    def position(self) -> int: ...


R = TypeVar("R", bound=_Due)


def by_due_date(requirements: Iterable[R]) -> list[R]:
    """Requirements soonest first (the order they were written in when two fall due together):
    a provider plans its work by what is due next."""
    return sorted(requirements, key=lambda r: (r.due_date, r.position))
