"""The risk RAG (SPEC section 7), each rule on its own and in combination."""

import pytest

from qa_app.domain.risk import RiskInputs, assess_risk


def test_nothing_known_is_green():
    assert assess_risk(RiskInputs()).rag == "green"
    assert assess_risk(RiskInputs(cqc_rating="Outstanding")).reasons == ()


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (RiskInputs(active_placement_stop=True), "placement stop in force"),
        (RiskInputs(open_notices=1), "notice issued and not yet lifted or remedied"),
        (RiskInputs(latest_assessment_overall="Poor"), "latest assessment rated Poor"),
        (RiskInputs(cqc_rating="Inadequate"), "CQC rating Inadequate"),
    ],
)
def test_each_red_rule(facts, reason):
    result = assess_risk(facts)
    assert (result.rag, result.reasons) == ("red", (reason,))


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (
            RiskInputs(latest_assessment_overall="Requires improvement"),
            "latest assessment rated Requires improvement",
        ),
        (RiskInputs(cqc_rating="Requires improvement"), "CQC rating Requires improvement"),
        (RiskInputs(open_high_concerns=1, open_concerns=1), "open high-risk concern"),
        (RiskInputs(open_concerns=3), "3 open concerns"),
        (RiskInputs(overdue_plan=True), "improvement plan overdue"),
        (RiskInputs(overdue_actions=2), "improvement action overdue"),
    ],
)
def test_each_amber_rule(facts, reason):
    result = assess_risk(facts)
    assert (result.rag, result.reasons) == ("amber", (reason,))


def test_two_open_concerns_of_medium_risk_are_still_green():
    assert assess_risk(RiskInputs(open_concerns=2)).rag == "green"


def test_red_wins_over_amber_and_lists_every_red_reason():
    result = assess_risk(
        RiskInputs(
            cqc_rating="Inadequate", active_placement_stop=True, open_concerns=5, overdue_plan=True
        )
    )
    assert result.rag == "red"
    assert result.reasons == ("placement stop in force", "CQC rating Inadequate")
