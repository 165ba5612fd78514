"""A known service that left CQC's file, and the new location that may be it (a new owner)."""

import pytest

from qa_app.domain.cqc_successors import (
    KnownPlace,
    Missing,
    NewPlace,
    Successor,
    decision_problems,
    looks_the_same,
    pair_up,
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Elm House", "NE61 1AB"), ("Elm House Care Home", "ne61 1ab"), True),
        (("The Willows", "NE61 1AB"), ("Willows Nursing Home Ltd", "NE611AB"), True),
        (("Elm House", "NE61 1AB"), ("Oak Lodge", "NE61 1AB"), False),
        (("Elm House", "NE61 1AB"), ("Elm House", "NE61 9ZZ"), False),  # another postcode
        (("Elm House", None), ("Elm House", None), False),  # no postcode: never guessed
        (("Care Home", "NE61 1AB"), ("care home", "NE61 1AB"), True),  # only filler words
    ],
)
def test_looks_the_same(a, b, same):
    assert looks_the_same(a[0], a[1], b[0], b[1]) is same


def test_each_missing_service_pairs_with_one_new_location_at_most():
    missing = [
        KnownPlace(1, "Elm House", "1-100", "NE61 1AB"),
        KnownPlace(2, "Elm House Annexe", "1-101", "NE61 1AB"),
        KnownPlace(3, "Gone Court", "1-102", "NE1 1AA"),
    ]
    new = [NewPlace("1-900", "Elm House Care Home", "NE61 1AB", "1-77", "New Owner Ltd")]
    successors, unpaired = pair_up(missing, new)
    assert successors == [
        Successor(1, "Elm House", "1-100", "1-900", "Elm House Care Home", "1-77", "New Owner Ltd")
    ]
    assert unpaired == [Missing(2, "Elm House Annexe", "1-101"), Missing(3, "Gone Court", "1-102")]


def test_decisions_are_same_or_different_for_the_pairs_offered():
    pairs = {"1-900": {}}
    assert decision_problems(pairs, {"1-900": "same"}) == {}
    assert decision_problems(pairs, {"1-900": ""}) == {}
    assert decision_problems(pairs, {"1-900": "maybe", "1-901": "same"}) == {
        "1-900": "Say whether 1-900 is the same service or a different one",
        "1-901": "1-901 is not a possible successor here",
    }
