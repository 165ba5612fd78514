"""The rules of notices: which steps apply, what issuing needs, when a notice can be lifted, when
an unmet requirement is a breach."""

from datetime import date

import pytest

from qa_app.domain.notices import (
    GROUNDS_MISSING,
    RequirementFacts,
    breached,
    close_problems,
    issue_problems,
    next_status,
    placement_stop_active,
    placement_stop_state,
    step_refusal,
    stop_change_refusal,
    stop_start_problems,
)
from qa_app.domain.risk import RiskInputs, assess_risk

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("kind", "status", "step", "allowed"),
    [
        ("notice_of_concern", "draft", "issue", True),
        ("notice_of_concern", "issued", "issue", False),
        ("notice_of_concern", "issued", "lift", True),
        ("notice_of_concern", "draft", "lift", False),
        ("notice_of_concern", "issued", "escalate", True),
        ("notice_of_concern", "lifted", "escalate", False),
        ("notice_of_concern", "issued", "remedy", False),  # a breach notice's step
        ("contract_breach", "issued", "remedy", True),
        ("contract_breach", "issued", "recommend_termination", True),
        ("contract_breach", "issued", "lift", False),
        ("contract_breach", "draft", "withdraw", True),
        ("contract_breach", "issued", "withdraw", False),
    ],
)
def test_steps(kind, status, step, allowed):
    assert (step_refusal(kind, status, step) is None) is allowed


def test_refusals_say_why():
    assert step_refusal("notice_of_concern", "lifted", "lift") == (
        "A notice that is lifted cannot be lifted"
    )
    assert "cannot be marked remedied" in step_refusal("notice_of_concern", "issued", "remedy")
    assert next_status("contract_breach", "recommend_termination") == "termination_recommended"


def test_issuing_needs_grounds_and_requirements_with_dates_from_today():
    ok = [RequirementFacts("Fix the rota", TODAY)]  # due today is allowed
    assert issue_problems("notice_of_concern", "Missed checks", [], TODAY) == {
        "requirements": "Add at least one rectification requirement before issuing the notice"
    }
    assert "remedial action" in issue_problems("contract_breach", "x", [], TODAY)["requirements"]
    assert issue_problems("notice_of_concern", "Missed checks", ok, TODAY) == {}
    past = [RequirementFacts("Fix the rota", date(2026, 11, 23))]
    assert "has passed" in issue_problems("notice_of_concern", "x", past, TODAY)["requirements"]
    undated = [RequirementFacts("Fix the rota", None)]
    assert "due date" in issue_problems("notice_of_concern", "x", undated, TODAY)["requirements"]
    stop = issue_problems(
        "notice_of_concern", "x", ok, TODAY, placement_stop_start=date(2026, 11, 23)
    )
    assert stop == {"placement_stop_start": "The placement stop cannot start before today"}


@pytest.mark.parametrize("grounds", [None, "", "   \n  "])
def test_issuing_needs_grounds_the_letter_can_state(grounds):
    ok = [RequirementFacts("Fix the rota", TODAY)]
    assert issue_problems("notice_of_concern", grounds, ok, TODAY) == {"grounds": GROUNDS_MISSING}
    assert issue_problems("contract_breach", grounds, ok, TODAY) == {"grounds": GROUNDS_MISSING}
    too_long = issue_problems("notice_of_concern", "x" * 5001, ok, TODAY)
    assert too_long == {"grounds": "The grounds must be 5,000 characters or fewer"}


def test_a_stop_on_a_notice_in_force_can_be_added_moved_before_it_begins_or_lifted():
    tomorrow, yesterday = date(2026, 11, 25), date(2026, 11, 23)
    assert placement_stop_state(None, False, TODAY) == "none"
    assert placement_stop_state(tomorrow, False, TODAY) == "planned"
    assert placement_stop_state(TODAY, False, TODAY) == "in_force"
    assert placement_stop_state(yesterday, True, TODAY) == "lifted"
    assert stop_change_refusal("notice_of_concern", in_force=True) is None
    assert stop_change_refusal("contract_breach", in_force=True) == (
        "A placement stop is part of a notice of concern"
    )
    assert "only while the notice is in force" in stop_change_refusal("notice_of_concern", False)
    # added: none yet, or after an earlier one was lifted; from today on
    assert stop_start_problems(None, False, TODAY, TODAY) == {}
    assert stop_start_problems(yesterday, True, tomorrow, TODAY) == {}
    assert stop_start_problems(None, False, yesterday, TODAY) == {
        "placement_stop_start": "The placement stop cannot start before today"
    }
    assert stop_start_problems(None, False, None, TODAY) == {
        "placement_stop_start": "Enter the date the placement stop starts"
    }
    # moved: only before it begins, and to another date from today on
    assert stop_start_problems(tomorrow, False, TODAY, TODAY) == {}
    assert stop_start_problems(tomorrow, False, tomorrow, TODAY) == {
        "placement_stop_start": "The placement stop already starts on 25 November 2026"
    }
    assert stop_start_problems(yesterday, False, tomorrow, TODAY) == {
        "placement_stop_start": "The placement stop began on 23 November 2026 and cannot be "
        "moved: lift it if it should end"
    }


def test_lifting_needs_every_requirement_met():
    both = [RequirementFacts("a", TODAY, "met"), RequirementFacts("b", TODAY, "not_met")]
    assert close_problems("notice_of_concern", "lift", both) == (
        "The notice cannot be lifted until every rectification requirement is met: "
        "rectification requirement 2 not met"
    )
    assert close_problems("notice_of_concern", "lift", both[:1]) is None
    assert close_problems("contract_breach", "recommend_termination", both) is None


def test_a_breach_is_an_unmet_requirement_after_its_due_date():
    due_yesterday = date(2026, 11, 23)
    assert breached([RequirementFacts("a", due_yesterday, "open")], TODAY)
    assert breached([RequirementFacts("a", due_yesterday, "not_met")], TODAY)
    assert not breached([RequirementFacts("a", due_yesterday, "met")], TODAY)
    assert not breached([RequirementFacts("a", TODAY, "open")], TODAY)  # due today: not yet


def test_placement_stop_in_force_from_its_start_until_lifted():
    assert placement_stop_active(TODAY, lifted=False, today=TODAY)
    assert not placement_stop_active(date(2026, 11, 25), lifted=False, today=TODAY)
    assert not placement_stop_active(TODAY, lifted=True, today=TODAY)
    assert not placement_stop_active(None, lifted=False, today=TODAY)


def test_risk_reasons_carry_the_dates():
    result = assess_risk(
        RiskInputs(
            active_placement_stop=True,
            placement_stop_since=date(2026, 3, 3),
            open_notices=1,
            notice_issued_on=date(2026, 3, 1),
        )
    )
    assert result.rag == "red"
    assert result.reasons == (
        "placement stop since 3 March 2026",
        "notice issued 1 March 2026, not yet lifted or remedied",
    )


def test_drafting_rules_say_what_is_wrong_and_never_shorten_text():
    from qa_app.domain.limits import NOTE
    from qa_app.domain.notices import (
        assessment_problems,
        draft_problems,
        requirement_problems,
        text_problem,
    )

    assert text_problem("x" * NOTE.chars, NOTE) is None
    assert (
        text_problem("x" * (NOTE.chars + 1), NOTE) == "The note must be 5,000 characters or fewer"
    )
    assert text_problem("  ", NOTE, "Say something") == "Say something"
    assert requirement_problems("notice_of_concern", "", None, TODAY) == {
        "text": "Say what the rectification requirement requires of the provider",
        "due_date": "Enter the date the rectification requirement is due",
    }
    assert requirement_problems("contract_breach", "Audit", date(2026, 11, 23), TODAY) == {
        "due_date": "The due date must be today or later"
    }
    assert requirement_problems("notice_of_concern", "Fix it", TODAY, TODAY) == {}
    assert draft_problems("contract_breach", "", TODAY, TODAY) == {
        "placement_stop_start": "A placement stop is part of a notice of concern"
    }
    assert draft_problems("notice_of_concern", "Grounds", date(2026, 11, 23), TODAY) == {
        "placement_stop_start": "The placement stop cannot start before today"
    }
    assert assessment_problems("not_met", "") == {"note": "Say what is still missing"}
    assert assessment_problems("met", "") == {}
    assert assessment_problems("maybe", "") == {"status": "Choose whether the requirement is met"}
