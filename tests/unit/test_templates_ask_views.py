"""Pages never decide what a status allows, nor spell out a status: they ask a view model
(qa_app.web.views), whose answers are the domain's rules. A template that compares a status
(`notice.status == "issued"`, `plan.status in (...)`, `rejectattr("status", ...)`) or maps
statuses to tag colours by hand fails here, naming the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa_app.domain.concerns import ConcernStatus
from qa_app.domain.cqc_import import ImportStatus
from qa_app.domain.lifecycle import AssessmentStatus
from qa_app.domain.notices import NoticeStatus, RequirementStatus, StopState
from qa_app.domain.plans import ActionStatus, PlanStatus

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

NAME = r"[\w.]*(?:status|state)\b"
STATUS_TESTS = [
    re.compile(rf"{NAME}\s*(?:==|!=)\s*['\"]"),  # status == "published"
    re.compile(rf"['\"]\s*(?:==|!=)\s*{NAME}"),  # "published" == status
    re.compile(rf"{NAME}\s+(?:not\s+)?in\s*[(\[]"),  # status in ("draft", "withdrawn")
    re.compile(r"(?:selectattr|rejectattr)\(\s*['\"]\w*(?:status|state)['\"]"),
    re.compile(rf"{NAME}\s+is\s+(?:not\s+)?(?:eq|ne|equalto|sameas|in)\b"),  # Jinja tests
]
VALUES = sorted(
    {
        s.value
        for statuses in (
            AssessmentStatus,
            PlanStatus,
            ActionStatus,
            ConcernStatus,
            NoticeStatus,
            RequirementStatus,
            StopState,
            ImportStatus,
        )
        for s in statuses
    }
)
#: a status spelt out as a key of a hand-made tag colour map: {"draft": "govuk-tag--grey"} or
#: {"reading": ("Reading the file", "govuk-tag--blue")}
TAG_MAPS = re.compile(
    rf"['\"](?:{'|'.join(VALUES)})['\"]\s*:\s*\(?(?:\s*['\"][^'\"]*['\"]\s*,)?\s*['\"]govuk-tag"
)


def status_tests(root: Path) -> list[str]:
    """Every line of every template under `root` that compares a status, as file:line: text."""
    found = []
    for path in sorted(root.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in STATUS_TESTS) or TAG_MAPS.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()[:160]}")
    return found


def test_no_template_compares_a_status():
    found = status_tests(TEMPLATES)
    assert not found, (
        "Templates ask a view (qa_app/web/views.py) what a status allows, and the view asks "
        "the domain; these compare a status themselves:\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    "line",
    [
        '{% if notice.status == "issued" %}',
        "{% if plan.status != 'completed' %}",
        '{% if record.status in ("previewed", "committed") %}',
        '{% if notice.status not in ("draft", "withdrawn") %}',
        '{% if stop_state == "planned" %}',
        '{% set met = n.requirements | selectattr("status", "equalto", "met") | list %}',
        '{% set w = n.requirements | rejectattr("status", "equalto", "met") %}',
        '{% if a.status is equalto "verified" %}',
        '{{ govukTag({"classes": {"draft": "govuk-tag--grey"}[status]}) }}',
        '{% set labels = {"reading": ("Reading the file", "govuk-tag--blue")} %}',
    ],
)
def test_the_scan_finds_each_way_of_comparing_a_status(tmp_path, line):
    (tmp_path / "page.html").write_text(f"<p>\n{line}\n</p>\n", encoding="utf-8")
    assert status_tests(tmp_path) == [f"page.html:2: {line}"]


@pytest.mark.parametrize(
    "line",
    [
        "{% if view.can_publish %}",
        '{% for code, label in statuses.items() %}<option value="{{ code }}" '
        "{% if filters.status == code %}selected{% endif %}>",
        "{% for id, kind, status in row.notices %}",
        "{{ url_for('staff.notice_list', status=NoticeStatus.DRAFT) }}",
        '{{ govukDetails({"summaryText": "Record", "open": kept}) }}',
        '<p role="status" aria-live="polite"></p>',
    ],
)
def test_the_scan_lets_pages_ask_views(tmp_path, line):
    (tmp_path / "page.html").write_text(line, encoding="utf-8")
    assert status_tests(tmp_path) == []
