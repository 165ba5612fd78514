"""The improvement plan rules (SPEC section 5), with a fixed `today`."""

from datetime import date

from qa_app.domain import plans as rules

TODAY = date(2026, 11, 24)


def test_below_good_from_the_assessment_or_cqc_and_a_basis_per_state_of_affairs():
    assert not rules.standing(7, "Good", "Good", None).below_good
    assert not rules.standing(None, None, "Not rated", None).below_good
    assert not rules.standing(7, "Excellent", "Outstanding", None).below_good
    ri = rules.standing(7, "Requires improvement", "Good", None)
    assert ri.below_good and ri.basis == "assessment:7"
    assert rules.standing(7, "Poor", "Good", None).below_good
    cqc = rules.standing(7, "Good", "Inadequate", date(2026, 10, 1))
    assert cqc.below_good and cqc.basis == "cqc:Inadequate:2026-10-01"
    assert rules.standing(None, None, "Requires improvement", None).below_good
    both = rules.standing(8, "Poor", "Requires improvement", None)
    assert both.reasons == (
        "latest published assessment rated Poor",
        "CQC rating Requires improvement",
    )
    # the same facts give the same basis (so a plan opens once); new facts give a new one
    assert both.basis == rules.standing(8, "Poor", "Requires improvement", None).basis
    assert both.basis != rules.standing(9, "Poor", "Requires improvement", None).basis


def test_submission_is_due_14_days_after_opening():
    assert rules.submission_due(date(2026, 11, 24)) == date(2026, 12, 8)
    assert rules.submission_due(date(2026, 12, 25)) == date(2027, 1, 8)


def test_plan_overdue_only_while_with_the_provider_after_the_due_date():
    due = date(2026, 11, 23)
    assert rules.plan_overdue("awaiting_submission", due, TODAY)
    assert rules.plan_overdue("returned", due, TODAY)
    assert not rules.plan_overdue("awaiting_submission", TODAY, TODAY)  # due today: not yet
    assert not rules.plan_overdue("submitted", due, TODAY)
    assert not rules.plan_overdue("accepted", due, TODAY)


def test_action_overdue_until_completed():
    assert rules.action_overdue("open", date(2026, 11, 23), TODAY)
    assert rules.action_overdue("in_progress", date(2026, 11, 23), TODAY)
    assert not rules.action_overdue("in_progress", TODAY, TODAY)
    assert not rules.action_overdue("completed", date(2026, 1, 1), TODAY)
    assert not rules.action_overdue("verified", date(2026, 1, 1), TODAY)


def test_submission_rule():
    assert rules.submit_refusal("awaiting_submission", [("S1", 1), ("S2", 2)]) is None
    assert rules.submit_refusal("returned", [("S1", 1)]) is None
    assert "No actions yet for: S2" in rules.submit_refusal(
        "awaiting_submission", [("S1", 1), ("S2", 0)]
    )
    assert "no issues" in rules.submit_refusal("awaiting_submission", [])
    assert "cannot be submitted" in rules.submit_refusal("submitted", [("S1", 1)])
    assert "cannot be submitted" in rules.submit_refusal("accepted", [("S1", 1)])


def test_review_and_action_steps():
    assert rules.review_refusal("submitted") is None
    assert rules.review_refusal("awaiting_submission")
    assert rules.action_step_refusal("accepted", "completed", "verify") is None
    assert rules.action_step_refusal("accepted", "completed", "reopen") is None
    assert "cannot be verified" in rules.action_step_refusal("accepted", "in_progress", "verify")
    assert "accepted the plan" in rules.action_step_refusal("submitted", "completed", "verify")


def test_progress_is_recorded_on_open_actions_of_an_accepted_plan_only():
    for action in ("open", "in_progress"):
        assert rules.progress_refusal("accepted", action) is None
    for plan in ("awaiting_submission", "returned", "submitted"):
        assert "once the council has accepted the plan" in rules.progress_refusal(plan, "open")
    assert "council will verify it" in rules.progress_refusal("accepted", "completed")
    assert "cannot be changed" in rules.progress_refusal("accepted", "verified")
    assert "cannot be changed" in rules.progress_refusal("completed", "verified")


def test_completion_needs_every_action_verified():
    assert rules.plan_complete(["verified", "verified"])
    assert not rules.plan_complete(["verified", "completed"])
    assert not rules.plan_complete([])


def test_action_fields():
    good = {"description": "Train", "owner": "RM", "target_date": TODAY, "success_measure": "All"}
    assert rules.check_action(good, TODAY) == {}
    errors = rules.check_action(
        {**good, "description": " ", "target_date": date(2026, 11, 1)}, TODAY
    )
    assert set(errors) == {"description", "target_date"}
    assert "past" in errors["target_date"]
    assert set(rules.check_action({}, TODAY)) == {
        "description",
        "owner",
        "target_date",
        "success_measure",
    }
    assert (
        "3 years"
        in rules.check_action({**good, "target_date": date(2031, 1, 1)}, TODAY)["target_date"]
    )
