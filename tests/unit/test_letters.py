"""Who a letter about a service goes to, and the order it lists what is due."""

from dataclasses import dataclass
from datetime import date

from qa_app.domain.letters import by_due_date, recipient


def test_to_the_registered_manager_at_the_providers_postal_address():
    to = recipient(
        registered_manager="Joanne Fletcher",
        service_name="Heathervale Court",
        provider_name="Heathervale Care Ltd",
        provider_address="14 Station Road\r\n\nMorpeth \nNE61 1AB",
        provider_contact="Helen Ashworth",
        service_address="3 Heathervale Road\nMorpeth",
        service_postcode="NE63 8EF",
    )
    assert to.lines == (
        "Joanne Fletcher",
        "Registered manager, Heathervale Court",
        "Heathervale Care Ltd",
        "14 Station Road",
        "Morpeth",
        "NE61 1AB",
    )
    assert to.salutation == "Joanne Fletcher"
    assert to.closing == "Yours sincerely"


def test_without_a_registered_manager_the_providers_contact_then_nobody_by_name():
    common = {
        "service_name": "Elm House",
        "provider_name": "Acme Care",
        "provider_address": "1 High Street\nBlyth\nNE24 2AA",
    }
    to_contact = recipient(registered_manager="  ", provider_contact="Helen Ashworth", **common)
    assert to_contact.lines[:2] == ("Helen Ashworth", "Acme Care")
    assert to_contact.salutation == "Helen Ashworth"
    to_nobody = recipient(registered_manager=None, provider_contact=None, **common)
    assert to_nobody.lines[:2] == ("The registered manager, Elm House", "Acme Care")
    assert to_nobody.salutation == "Sir or Madam"
    assert to_nobody.closing == "Yours faithfully"


def test_without_a_provider_address_the_letter_goes_to_the_service():
    to = recipient(
        registered_manager="Chris Walker",
        service_name="Elm House",
        provider_name="Acme Care",
        provider_address=None,
        service_address="5 Elm Road\nMorpeth",
        service_postcode="NE61 2DA",
    )
    assert to.lines[2:] == ("Acme Care", "5 Elm Road", "Morpeth", "NE61 2DA")


@dataclass
class Requirement:
    position: int
    due_date: date


def test_requirements_soonest_first_then_in_the_order_written():
    written = [
        Requirement(1, date(2026, 12, 20)),
        Requirement(2, date(2026, 12, 6)),
        Requirement(3, date(2026, 12, 20)),
        Requirement(4, date(2026, 12, 1)),
    ]
    assert [r.position for r in by_due_date(written)] == [4, 2, 1, 3]
