"""What the officer decides on a CQC file's preview before it can be imported: the types of new
services the file cannot tell, and whether a new location is a known service registered again.
Works on the stored preview (JSON-ready dicts)."""

from __future__ import annotations

from qa_app.domain import cqc_import as rules
from qa_app.domain import cqc_successors as successors_rules
from qa_app.services.errors import ValidationFailed


def choose_types(new_services: list[dict], chosen: dict[str, str]) -> list[dict]:
    """The stored preview's new services with the types chosen for them; ValidationFailed
    naming each wrong choice (by location ID), nothing changed."""
    choices = {s["location_id"]: s.get("type_choices") or [s["service_type"]] for s in new_services}
    if problems := rules.type_problems(choices, chosen):
        raise ValidationFailed(problems)
    return [
        {**s, "service_type": chosen.get(s["location_id"]) or s["service_type"]}
        for s in new_services
    ]


def waiting(stored: dict) -> dict[str, int]:
    """What the officer has still to decide before a stored preview can be imported: new
    services' types (not needed for one that is a known service registered again), and
    possible successors."""
    successors = stored.get("successors", [])
    same = {p["new_location_id"] for p in successors if p["decision"] == successors_rules.SAME}
    return {
        "types_to_choose": sum(
            1
            for s in stored.get("new_services", [])
            if not s["service_type"] and s["location_id"] not in same
        ),
        "successors_to_decide": sum(1 for p in successors if not p["decision"]),
    }


def decide_successors(stored: dict, decided: dict[str, str]) -> dict:
    """The stored preview with these decisions ({new location ID: same or different});
    ValidationFailed naming each wrong one, nothing changed."""
    pairs = {p["new_location_id"]: p for p in stored.get("successors", [])}
    if problems := successors_rules.decision_problems(pairs, decided):
        raise ValidationFailed(problems)
    return closings_after_successors(
        {
            **stored,
            "successors": [
                {**p, "decision": decided.get(p["new_location_id"]) or p["decision"]}
                for p in stored.get("successors", [])
            ],
        }
    )


def refused_by(status: str, counts: dict) -> str | None:
    return rules.commit_refusal(
        status,
        counts.get("bad_rows") or 0,
        counts.get("types_to_choose") or 0,
        counts.get("successors_to_decide") or 0,
    )


def closable(stored: dict) -> dict[int, dict]:
    """{service id: {name, location_id}} of the known services this file may mark closed: those
    not in it, and those paired with a new location not said to be them registered again."""
    found = {m["service_id"]: m for m in stored.get("missing", [])}
    for pair in stored.get("successors", []):
        if pair.get("decision") != successors_rules.SAME:
            found[pair["service_id"]] = pair
    return {
        sid: {"name": item["name"], "location_id": item["location_id"]}
        for sid, item in found.items()
    }


def choose_closings(stored: dict, service_ids: list[int]) -> dict:
    """The stored preview with the known services to mark closed when it is imported;
    ValidationFailed naming each that cannot be, nothing changed."""
    may = closable(stored)
    moving = {
        p["service_id"]
        for p in stored.get("successors", [])
        if p.get("decision") == successors_rules.SAME
    }
    problems = {
        str(sid): (
            "It is the same service registered again: its record moves to the new registration"
            if sid in moving
            else "Only a known service this file does not hold can be marked closed"
        )
        for sid in service_ids
        if sid not in may
    }
    if problems:
        raise ValidationFailed(problems)
    return {**stored, "closings": sorted(set(service_ids))}


def closings_after_successors(stored: dict) -> dict:
    """A service said to be registered again is not closed (its record moves)."""
    may = closable(stored)
    return {**stored, "closings": [sid for sid in stored.get("closings", []) if sid in may]}
