"""The set file schema: each kind of mistake is reported with its file, line and problem."""

import re
import textwrap
from pathlib import Path

import pytest

from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.standards import StandardSet, check_text, compare

GOOD = textwrap.dedent(
    """\
    key: demo
    version: 1
    title: Demo set
    service_types: [home_support]
    domains:
      - code: D1
        title: Involvement
        standards:
          - code: QA01
            title: Respect
            questions:
              - ref: QA01.1
                text: Are people treated with respect?
                guidance: Good looks like staff knocking. Ask people.
                evidence_sources: [people, observation]
              - ref: QA01.2
                text: Are people involved?
                guidance: Plans written with people.
                evidence_sources: [records]
                weight: 2
    """
)


def _problems(text):
    return [str(p) for p in check_text(text, "bad.yaml").problems]


def test_a_good_file_has_no_problems_and_defaults_the_weight():
    checked = check_text(GOOD, "good.yaml")
    assert checked.problems == []
    weights = [q.weight for _, _, q in checked.standard_set.questions()]
    assert weights == [1, 2]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("title: Demo set\n", "title: [Demo set\n"), "bad.yaml:4: not valid YAML"),
        (("title: Demo set\n", ""), "bad.yaml:1: missing field 'title'"),
        (
            ("            text: Are people involved?\n", ""),
            "bad.yaml:16: missing field 'text' in domains.0.standards.0.questions.1",
        ),
        (
            ("ref: QA01.2", "ref: QA01.1"),
            "bad.yaml:16: question reference QA01.1 is used twice (first at line 12)",
        ),
        (("[home_support]", "[home_support, castle]"), "bad.yaml:4: unknown service type 'castle'"),
        (("[records]", "[records, gossip]"), "bad.yaml:19: unknown evidence source 'gossip'"),
        (("weight: 2", "weight: 0"), "bad.yaml:20: weight must be more than 0, not 0"),
        (("weight: 2", "weight: -1"), "bad.yaml:20: weight must be more than 0, not -1"),
        (
            ("code: QA01", "code: Respect01"),
            "bad.yaml:9: code 'Respect01' is not in the PAMMS style",
        ),
        (
            (
                "            weight: 2\n",
                "            weight: 2\n            colour: red\n",
            ),
            "bad.yaml:21: unknown field 'colour'",
        ),
    ],
)
def test_each_mistake_is_named_with_its_line(change, expected):
    old, new = change
    assert old in GOOD
    problems = _problems(GOOD.replace(old, new, 1))
    assert any(p.startswith(expected) for p in problems), problems


def test_an_empty_domain_and_a_set_with_no_questions():
    empty_domain = GOOD + "  - code: D2\n    title: Nothing here\n    standards: []\n"
    assert _problems(empty_domain) == [
        "bad.yaml:23: this domain has no standards (domains.1.standards)"
    ]
    no_domains = "key: demo\nversion: 1\ntitle: T\nservice_types: [home_support]\ndomains: []\n"
    assert _problems(no_domains) == ["bad.yaml:5: this set has no domains"]
    empty_standard = GOOD.replace(
        "      - code: QA01\n",
        "      - code: QA09\n        title: Empty\n        questions: []\n      - code: QA01\n",
    )
    assert _problems(empty_standard) == [
        "bad.yaml:11: this standard has no questions (domains.0.standards.0.questions)"
    ]


def test_several_problems_are_all_reported_in_line_order():
    text = GOOD.replace("[home_support]", "[castle]").replace("weight: 2", "weight: 0")
    problems = _problems(text)
    assert [p.split(":")[1] for p in problems] == ["4", "20"]


def test_an_empty_file_and_a_list_instead_of_a_set():
    assert _problems("") == ["bad.yaml:1: the file is empty"]
    assert _problems("- a\n- b\n") == ["bad.yaml:1: a set file must be a mapping (key: value …)"]


def test_compare_two_versions_worked_example():
    v1 = check_text(GOOD, "v1").standard_set
    v2_text = (
        GOOD.replace("version: 1", "version: 2")
        .replace("Are people involved?", "Are people involved in planning their care?")
        .replace("weight: 2", "weight: 1.5")
        .replace("Good looks like staff knocking. Ask people.", "Staff knock and wait. Ask people.")
        + "          - ref: QA01.3\n            text: New question?\n            guidance: G.\n"
        "            evidence_sources: [staff]\n"
    )
    v2 = check_text(v2_text, "v2").standard_set
    difference = compare(v1, v2)
    assert difference.added == ["QA01.3"]
    assert difference.removed == []
    assert difference.reworded == ["QA01.2"]
    assert difference.reweighted == [("QA01.2", 2, 1.5)]
    assert difference.guidance_changed == ["QA01.1"]
    assert compare(v2, v1).removed == ["QA01.3"]
    assert compare(v1, v1).empty


SHIPPED = Path(__file__).resolve().parents[2] / "audit_standards"


def test_the_shipped_sets_are_valid_and_shaped_like_pamms():
    files = sorted(SHIPPED.glob("*.yaml"))
    keys, covered = set(), set()
    for path in files:
        checked = check_text(path.read_text(), path.name)
        assert checked.problems == [], checked.problems
        s: StandardSet = checked.standard_set
        keys.add(s.key)
        covered.update(s.service_types)
        # the header comment states the counts: they must be true
        header = re.search(r"(\d+) standards, (\d+) questions", path.read_text().splitlines()[0])
        assert header, f"{path.name}: the first line says how many standards and questions"
        assert [d.title for d in s.domains] == [
            "Involvement and information",
            "Personalised care and support",
            "Safeguarding and safety",
            "Suitability of staffing",
            "Quality of management",
        ]
        standards = [st for d in s.domains for st in d.standards]
        assert 12 <= len(standards) <= 16
        assert 40 <= sum(1 for _ in s.questions()) <= 120
        assert (int(header[1]), int(header[2])) == (
            len(standards),
            sum(1 for _ in s.questions()),
        ), path.name
        for _, _, q in s.questions():
            assert len(q.guidance) > 80, q.ref  # says what good looks like and what to look at
    assert {
        "home_support",
        "care_homes",
        "supported_living",
        "extra_care",
        "day_opportunities",
    } <= keys
    assert covered == set(SERVICE_TYPES)  # every type of service can be assessed
