"""A standard set whose first domain has 20 questions (the largest domain in the sets shipped has
16): for measuring what the largest recording page costs on the wire."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

AUDIT_STANDARDS = Path(__file__).resolve().parents[2] / "audit_standards"
QUESTIONS = 20
KEY, VERSION = "supported_living", 2
EVIDENCE = (
    "Observed lunchtime: staff offered choices, waited for answers and used the person's "
    "communication passport. Two care plans sampled; both reviewed in the last month with the "
    "person's own words recorded. Relatives said they are kept informed."
)


def twenty_question_set() -> tuple[str, str]:
    """Supported living, version 2, as (file name, YAML text): version 1 with questions from its
    other domains added to the first standard, so that its first domain has 20, worded like
    the real ones."""
    data = yaml.safe_load((AUDIT_STANDARDS / "supported_living.v1.yaml").read_text())
    data["version"] = VERSION
    first = data["domains"][0]["standards"][0]
    others = [q for d in data["domains"][1:] for s in d["standards"] for q in s["questions"]]
    count = sum(len(s["questions"]) for s in data["domains"][0]["standards"])
    for number, borrowed in enumerate(
        others[: QUESTIONS - count], start=len(first["questions"]) + 1
    ):
        first["questions"].append({**copy.deepcopy(borrowed), "ref": f"{first['code']}.{number}"})
    assert sum(len(s["questions"]) for s in data["domains"][0]["standards"]) == QUESTIONS
    return f"{KEY}.v{VERSION}.yaml", yaml.safe_dump(data, sort_keys=False)
