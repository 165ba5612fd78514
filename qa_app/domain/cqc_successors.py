"""Known services that are not in CQC's file, and new locations that may be them.

When a care service changes owner, CQC registers it again: a new location ID under the new
provider, and the old registration leaves the file. Added blindly, the council would have the
same home twice. So the preview lists the known services the file no longer holds, and pairs
each with a new location at the same postcode whose name is much the same: the officer says
whether it is the same service (its record moves to the new registration, its history kept)
or a different one (added as new). The import waits until each pair is decided.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa_app.domain.postcode import normalise_postcode

SAME = "same"  # the same service, registered again: its record moves to the new registration
DIFFERENT = "different"  # a different service: added as new; the known one stays as it is
DECISIONS = (SAME, DIFFERENT)

#: words that say nothing about which home it is
_FILLER = frozenset({"the", "ltd", "limited", "and", "care", "home", "homes", "house", "&"})
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Missing:
    service_id: int
    name: str
    location_id: str


@dataclass(frozen=True)
class Successor:
    """A known service missing from the file, and a new location that may be it."""

    service_id: int
    name: str
    location_id: str
    new_location_id: str
    new_name: str
    new_provider_id: str
    new_provider_name: str


def _words(name: str) -> set[str]:
    return {w for w in _WORD.findall(name.casefold()) if w not in _FILLER}


def looks_the_same(
    name_a: str, postcode_a: str | None, name_b: str, postcode_b: str | None
) -> bool:
    """Same postcode, and the names share most of their telling words ("Elm House Care Home"
    and "Elm House": yes; "Elm House" and "Oak Lodge": no)."""
    a_code, b_code = normalise_postcode(postcode_a or ""), normalise_postcode(postcode_b or "")
    if not a_code or a_code != b_code:
        return False
    a, b = _words(name_a), _words(name_b)
    if not a or not b:
        return name_a.casefold().strip() == name_b.casefold().strip()
    shared = len(a & b)
    return shared > 0 and shared * 2 >= min(len(a), len(b))


@dataclass(frozen=True)
class KnownPlace:
    service_id: int
    name: str
    location_id: str
    postcode: str | None


@dataclass(frozen=True)
class NewPlace:
    location_id: str
    name: str
    postcode: str | None
    provider_id: str
    provider_name: str


def pair_up(
    missing: Sequence[KnownPlace], new: Sequence[NewPlace]
) -> tuple[list[Successor], list[Missing]]:
    """Each missing service with the first new location that looks the same (each new location
    paired at most once), and the missing services left unpaired."""
    taken: set[str] = set()
    successors, unpaired = [], []
    for known in missing:
        match = next(
            (
                n
                for n in new
                if n.location_id not in taken
                and looks_the_same(known.name, known.postcode, n.name, n.postcode)
            ),
            None,
        )
        if match is None:
            unpaired.append(Missing(known.service_id, known.name, known.location_id))
            continue
        taken.add(match.location_id)
        successors.append(
            Successor(
                known.service_id,
                known.name,
                known.location_id,
                match.location_id,
                match.name,
                match.provider_id,
                match.provider_name,
            )
        )
    return successors, unpaired


def decision_problems(pairs: dict[str, str], decided: dict[str, str]) -> dict[str, str]:
    """{new location ID: what is wrong} for decisions on possible successors."""
    problems = {}
    for new_location_id, value in decided.items():
        if new_location_id not in pairs:
            problems[new_location_id] = f"{new_location_id} is not a possible successor here"
        elif value and value not in DECISIONS:
            problems[new_location_id] = (
                f"Say whether {new_location_id} is the same service or a different one"
            )
    return problems
