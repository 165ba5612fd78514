"""The rating rules of SPEC section 4, with worked examples computed by hand."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.domain.ratings import (
    DomainShape,
    QuestionScore,
    Rating,
    StandardShape,
    band,
    rate_assessment,
    rate_group,
    rate_standard,
    rounded,
)


def _standard(*scores, weights=None):
    weights = weights or [1] * len(scores)
    questions = [
        QuestionScore(f"S1.{i + 1}", w, s)
        for i, (s, w) in enumerate(zip(scores, weights, strict=True))
    ]
    return rate_standard("S1", "Standard", questions)


def _rating(value, code):
    return Rating(code, code, value, None)


# ---------------------------------------------------------------- bands, exactly at and just below each edge


@pytest.mark.parametrize(
    ("percentage", "expected"),
    [
        (Fraction(88), 4),
        (Fraction(8799, 100), 3),
        (Fraction(63), 3),
        (Fraction(6299, 100), 2),
        (Fraction(39), 2),
        (Fraction(3899, 100), 1),
        (Fraction(0), 1),
        (Fraction(100), 4),
    ],
)
def test_band_edges(percentage, expected):
    assert band(percentage) == expected


def test_exactly_88_percent_is_excellent():
    # 13 questions at 4 and 12 at 3: 52 + 36 = 88 of 100
    rating = _standard(*([4] * 13 + [3] * 12))
    assert (rating.percentage, rating.rating, rating.limiter) == (88, "Excellent", None)


def test_87_and_a_half_percent_is_good_although_it_shows_as_88():
    # 4, 3, 4, 3 = 14 of 16 = 87.5%: compared exactly, shown rounded
    rating = _standard(4, 3, 4, 3)
    assert rating.percentage == Fraction(175, 2)
    assert rating.rating == "Good"
    assert rounded(rating.percentage) == 88


def test_exactly_63_is_good_and_62_and_a_half_requires_improvement():
    assert _standard(*([3] * 13 + [2] * 12)).rating == "Good"  # 39 + 24 = 63 of 100
    below = _standard(3, 3, 3, 3, 2, 2, 2, 2)  # 20 of 32 = 62.5%
    assert (below.percentage, below.rating) == (Fraction(125, 2), "Requires improvement")


def test_exactly_39_requires_improvement_and_just_below_is_poor():
    at_edge = _standard(*([2] * 14 + [1] * 11))  # 28 + 11 = 39 of 100
    assert (at_edge.percentage, at_edge.rating, at_edge.limiter) == (
        39,
        "Requires improvement",
        None,
    )
    below = _standard(2, 1)  # 3 of 8 = 37.5%
    assert (below.rating, below.limiter) == ("Poor", None)  # the 1 did not lower it: already Poor


# ---------------------------------------------------------------- weights, N/A, the question limiter


def test_weights_count_for_more():
    # weight 2 scoring 4, weight 1 scoring 2: (8 + 2) / (8 + 4) = 83.3% Good;
    # the same scores unweighted: 6 / 8 = 75%
    weighted = _standard(4, 2, weights=[2, 1])
    assert weighted.percentage == Fraction(250, 3) and weighted.rating == "Good"
    assert _standard(4, 2).percentage == 75
    assert _standard(4, 4, weights=[1.5, 0.5]).percentage == 100


def test_na_questions_take_no_part():
    assert _standard(4, None, None).percentage == 100
    all_na = _standard(None, None)
    assert (all_na.rating, all_na.value, all_na.percentage) == ("Not assessed", None, None)
    assert all_na.as_dict() == {
        "code": "S1",
        "title": "Standard",
        "rating": "Not assessed",
        "value": None,
        "percentage": None,
        "limiter": None,
    }


def test_a_question_scoring_1_limits_the_standard_to_requires_improvement():
    # weight 3 at 4, weight 1 at 1: (12 + 1) / 16 = 81.25% would be Good
    rating = rate_standard(
        "QB02", "Nutrition", [QuestionScore("QB02.1", 3, 4), QuestionScore("QB02.3", 1, 1)]
    )
    assert rating.percentage == Fraction(325, 4)
    assert rating.rating == "Requires improvement"
    assert rating.limiter == "limited to Requires improvement: question QB02.3 scored 1"
    assert rating.as_dict()["percentage"] == 81


def test_bad_scores_and_weights_are_refused():
    with pytest.raises(ValueError, match="1 to 4"):
        _standard(5)
    with pytest.raises(ValueError, match="more than 0"):
        _standard(4, weights=[0])


# ---------------------------------------------------------------- domains and overall


def test_domain_percentage_of_standard_values():
    # Excellent, Good, Good: 10 of 12 = 83.3% Good
    domain = rate_group(
        "D1", "Domain", [_rating(4, "S1"), _rating(3, "S2"), _rating(3, "S3")], "standard"
    )
    assert (domain.percentage, domain.rating, domain.limiter) == (Fraction(250, 3), "Good", None)


def test_one_poor_standard_limits_a_domain_to_requires_improvement():
    # 4 + 4 + 4 + 1 = 13 of 16 = 81.25% would be Good
    domain = rate_group(
        "D3",
        "Safety",
        [_rating(4, "QC01"), _rating(4, "QC02"), _rating(4, "QC03"), _rating(1, "QC04")],
        "standard",
    )
    assert domain.rating == "Requires improvement"
    assert domain.limiter == "limited to Requires improvement: standard QC04 rated Poor"


def test_two_poor_standards_make_a_domain_poor():
    parts = [_rating(4, f"S{i}") for i in range(1, 7)] + [_rating(1, "S7"), _rating(1, "S8")]
    domain = rate_group("D3", "Safety", parts, "standard")  # 26 of 32 = 81.25%
    assert domain.rating == "Poor"
    assert domain.limiter == "limited to Poor: standards S7 and S8 rated Poor"


def test_not_assessed_standards_take_no_part():
    domain = rate_group("D1", "D", [_rating(4, "S1"), Rating("S2", "S2", None, None)], "standard")
    assert (domain.percentage, domain.rating) == (100, "Excellent")
    assert (
        rate_group("D1", "D", [Rating("S2", "S2", None, None)], "standard").rating == "Not assessed"
    )


def test_a_whole_assessment_worked_example():
    shape = [
        DomainShape(
            "D1", "Involvement", (StandardShape("QA01", "Respect", (("QA01.1", 1), ("QA01.2", 1))),)
        ),
        DomainShape(
            "D3",
            "Safety",
            (
                StandardShape("QC01", "Safeguarding", (("QC01.1", 2), ("QC01.2", 1))),
                StandardShape("QC03", "Medicines", (("QC03.1", 1), ("QC03.2", 1))),
            ),
        ),
    ]
    scores = {"QA01.1": 4, "QA01.2": 4, "QC01.1": 3, "QC01.2": None, "QC03.1": 1, "QC03.2": 2}
    ratings = rate_assessment(shape, scores)
    by_code = {s.code: s for _, s in ratings.standards}
    assert by_code["QA01"].rating == "Excellent"  # 8/8
    assert by_code["QC01"].percentage == 75 and by_code["QC01"].rating == "Good"  # N/A excluded
    assert by_code["QC03"].percentage == Fraction(75, 2) and by_code["QC03"].rating == "Poor"  # 3/8
    d1, d3 = ratings.domains
    assert d1.rating == "Excellent"
    # Safety: Good (3) + Poor (1) = 4 of 8 = 50% Requires improvement; one Poor caps at RI (no change)
    assert (d3.percentage, d3.rating, d3.limiter) == (50, "Requires improvement", None)
    # Overall: Excellent (4) + RI (2) = 6 of 8 = 75% Good
    assert (ratings.overall.percentage, ratings.overall.rating) == (75, "Good")
    api = ratings.as_dict()
    assert api["overall"]["rating"] == "Good" and api["overall"]["percentage"] == 75
    assert api["standards"][2] == {
        "code": "QC03",
        "title": "Medicines",
        "rating": "Poor",
        "value": 1,
        "percentage": 38,
        "limiter": None,
        "domain": "D3",
    }


def test_overall_is_limited_by_poor_domains():
    overall = rate_group(
        "overall",
        "Overall",
        [_rating(4, "D1"), _rating(4, "D2"), _rating(4, "D4"), _rating(1, "D3")],
        "domain",
    )
    assert overall.limiter == "limited to Requires improvement: domain D3 rated Poor"


# ---------------------------------------------------------------- property: raising a score never lowers a rating


@st.composite
def assessments(draw):
    shape, refs = [], []
    for d in range(draw(st.integers(1, 3))):
        standards = []
        for s in range(draw(st.integers(1, 4))):
            questions = []
            for q in range(draw(st.integers(1, 4))):
                ref = f"D{d}S{s}Q{q}"
                refs.append(ref)
                questions.append((ref, draw(st.sampled_from([1, 1, 2, 0.5, 1.5]))))
            standards.append(StandardShape(f"S{d}{s}", "s", tuple(questions)))
        shape.append(DomainShape(f"D{d}", "d", tuple(standards)))
    scores = {ref: draw(st.sampled_from([None, 1, 2, 3, 4])) for ref in refs}
    raisable = [ref for ref, score in scores.items() if score is not None and score < 4]
    return shape, scores, raisable, draw(st.randoms())


def _values(ratings):
    return (
        [ratings.overall.value]
        + [d.value for d in ratings.domains]
        + [s.value for _, s in ratings.standards]
    )


@given(assessments())
def test_raising_one_score_never_lowers_any_rating(case):
    shape, scores, raisable, random = case
    if not raisable:
        return
    ref = random.choice(raisable)
    before = _values(rate_assessment(shape, scores))
    raised = dict(scores, **{ref: random.randint(scores[ref] + 1, 4)})
    after = _values(rate_assessment(shape, raised))
    for old, new in zip(before, after, strict=True):
        assert (old is None and new is None) or new >= old


def test_follow_up_is_due_six_months_after_publication():
    from datetime import date

    from qa_app.domain.lifecycle import follow_up_due

    assert follow_up_due(date(2026, 11, 24)) == date(2027, 5, 24)
    assert follow_up_due(date(2026, 8, 31)) == date(2027, 2, 28)
    assert follow_up_due(date(2027, 8, 31)) == date(2028, 2, 29)  # leap year
    assert follow_up_due(date(2026, 6, 30)) == date(2026, 12, 30)
