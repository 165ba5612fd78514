"""The rules for the previous visit beside each question and for the officer's summaries
(qa_app/domain/previous_visit.py, qa_app/domain/summaries.py), on worked examples and edges."""

from datetime import date

import pytest

from qa_app.domain import limits, summaries
from qa_app.domain.previous_visit import Visit, is_previous, score_text
from qa_app.domain.standards import Question

NOW = Visit(id=20, set_key="home_support", visit_date=date(2026, 11, 20))


@pytest.mark.parametrize(
    ("candidate", "shown"),
    [
        # the service's latest published, same set, an earlier visit: shown
        (Visit(10, "home_support", date(2026, 3, 12)), True),
        # the same day (a morning desk review published before the afternoon's visit): shown
        (Visit(10, "home_support", date(2026, 11, 20)), True),
        # none published
        (None, False),
        # another set (the service changed type): its questions are not these
        (Visit(10, "care_homes", date(2026, 3, 12)), False),
        # the assessment itself (its own record page once published)
        (Visit(20, "home_support", date(2026, 11, 20)), False),
        # published after this visit's date: not a previous visit
        (Visit(11, "home_support", date(2026, 11, 21)), False),
    ],
)
def test_which_published_assessment_is_the_previous_visit(candidate, shown):
    assert is_previous(NOW, candidate) is shown


def test_a_correction_is_not_its_own_previous_visit():
    revision = Visit(30, "home_support", date(2026, 3, 12), revision_of_id=10)
    assert not is_previous(revision, Visit(10, "home_support", date(2026, 3, 12)))
    assert is_previous(revision, Visit(9, "home_support", date(2026, 1, 5)))


def test_previous_scores_in_words():
    assert score_text(3, False) == "3 Good"
    assert score_text(1, False) == "1 Poor"
    assert score_text(None, True) == "N/A"
    assert score_text(None, False) == "Not scored"


CODES = ["D1", "D2", "D3"]


def test_parts_and_where_they_are_written():
    assert summaries.parts(CODES) == ["D1", "D2", "D3", "overall"]
    assert summaries.parts_on_page("D1", CODES) == ["D1"]
    assert summaries.parts_on_page("D3", CODES) == ["D3", "overall"]  # the last domain's page
    assert summaries.parts_on_page("D9", CODES) == []
    assert summaries.parts_on_page("D1", ["D1"]) == ["D1", "overall"]  # a one-domain set


def test_part_names():
    assert summaries.is_part("overall", CODES) and summaries.is_part("D2", CODES)
    assert not summaries.is_part("D9", CODES) and not summaries.is_part("Overall", CODES)


def test_device_references_never_meet_a_question_reference():
    assert summaries.device_ref("D1") == "summary_D1"
    assert summaries.part_of("summary_D1") == "D1"
    assert summaries.part_of("summary_overall") == "overall"
    assert summaries.part_of("summary_") is None
    assert summaries.part_of("QA01.1") is None
    # a question's reference may not hold an underscore (domain.standards.Ref)
    with pytest.raises(ValueError):
        Question(ref="summary_D1", text="t", guidance="g", evidence_sources=["people"])


def test_limits_refuse_one_character_over():
    domain = limits.DOMAIN_SUMMARY.chars
    overall = limits.OVERALL_SUMMARY.chars
    assert summaries.problem("D1", "x" * domain) is None
    assert summaries.problem("D1", "x" * (domain + 1)) == (
        f"The domain summary must be {domain:,} characters or fewer"
    )
    assert summaries.problem("overall", "x" * overall) is None
    assert summaries.problem("overall", "x" * (overall + 1)) == limits.OVERALL_SUMMARY.message
    assert summaries.problem("D1", "") is None


def test_headings():
    titles = {"D1": "Involvement and information"}
    assert summaries.heading("D1", titles) == "Summary: Involvement and information"
    assert summaries.heading("overall", titles) == "Overall summary"
