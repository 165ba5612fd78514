"""Statuses are named, never spelt out: code compares and sets a status through the domain's
enums (`Notice.status == NoticeStatus.DRAFT`, `plans.can_review(status)`), so each status word
is written once, in the domain. This fails, naming the file and line, where qa_app compares a
status with a quoted word, sets one from a quoted word, or writes one into an audit change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.test_templates_ask_views import VALUES

QA_APP = Path(__file__).resolve().parents[2] / "qa_app"

WORDS = "|".join(VALUES)
SPELT_OUT = [
    # status == "published", plan_status(moment) != "submitted"
    re.compile(r"status(?:\([^)]*\))?\s*(?:==|!=)\s*['\"]"),
    re.compile(r"['\"]\s*(?:==|!=)\s*[\w.]*status\b"),  # "published" == a.status
    re.compile(r"status\.(?:in_|not_in)\(\s*[(\[]\s*['\"]"),  # Notice.status.in_(("issued", …
    re.compile(r"status\s+(?:not\s+)?in\s*[(\[]\s*['\"]"),  # status in ("draft", "withdrawn")
    re.compile(rf"\bstatus\s*=\s*['\"](?:{WORDS})['\"]"),  # Notice(status="draft")
    re.compile(rf"['\"]status['\"]\s*:\s*\[?\s*(?:None,\s*)?['\"](?:{WORDS})['\"]"),  # audit
]


def spelt_out(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.lstrip().startswith("#") and any(p.search(line) for p in SPELT_OUT):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()[:160]}")
    return found


def test_no_status_is_spelt_out_in_the_code():
    found = spelt_out(QA_APP)
    assert not found, (
        "Name a status through the domain (lifecycle.AssessmentStatus, plans.PlanStatus, "
        "notices.NoticeStatus…) or ask its rule (plans.can_review…); these spell one out:\n"
        + "\n".join(found)
    )


@pytest.mark.parametrize(
    "line",
    [
        '.where(Assessment.status == "published")',
        "if notice.status != 'draft':",
        'Notice.status.not_in(("draft", "withdrawn"))',
        'if record.status not in ("previewed", "reading", "refused"):',
        'lambda w: rules.plan_status(w.as_at) == "submitted"',
        'Notice(kind="contract_breach", status="draft")',
        '{"status": [None, "draft"], "parent_id": [None, 7]}',
        '"status": ["open", "escalated"],',
    ],
)
def test_the_scan_finds_a_status_spelt_out(tmp_path, line):
    (tmp_path / "code.py").write_text(f"x = 1\n{line}\n", encoding="utf-8")
    assert spelt_out(tmp_path) == [f"code.py:2: {line}"]


@pytest.mark.parametrize(
    "line",
    [
        ".where(Assessment.status == AssessmentStatus.PUBLISHED)",
        "if refusal := rules.review_refusal(plan.status):",
        'status = request.args.get("status", rules.LIST_OPEN)',
        'audit.record(actor, "notice", notice.id, "drafted", changes, service_id)',
        'ClockEvent(concern_id=c.id, kind="met", clock=c.clock, at=now)',
        'filters = NoticeFilters(status=request.args.get("status", ""))',
    ],
)
def test_the_scan_lets_named_statuses_be(tmp_path, line):
    (tmp_path / "code.py").write_text(line, encoding="utf-8")
    assert spelt_out(tmp_path) == []
