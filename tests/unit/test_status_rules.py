"""Statuses by name, and the rules of which step each allows (domain), as the pages ask them
(web.views): a page offers a step exactly when the service would take it, because the `can_…`
a page asks is the absence of the refusal the service raises."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product
from types import SimpleNamespace

import pytest

from qa_app.domain import concerns, cqc_import, draft_comments, lifecycle, notices, plans, roles
from qa_app.domain.concerns import ConcernStatus
from qa_app.domain.cqc_import import ImportStatus
from qa_app.domain.lifecycle import AssessmentStatus
from qa_app.domain.notices import NoticeStatus, RequirementStatus, StopState
from qa_app.domain.plans import ActionStatus, PlanStatus
from qa_app.web import views

TODAY = date(2026, 11, 24)


def test_the_stored_values_do_not_change():
    """The database holds these words: renaming a member must not change its value."""
    assert [s.value for s in AssessmentStatus] == [
        "planned",
        "in_progress",
        "submitted",
        "draft_shared",
        "published",
    ]
    assert [s.value for s in PlanStatus] == [
        "awaiting_submission",
        "submitted",
        "returned",
        "accepted",
        "completed",
    ]
    assert [s.value for s in ActionStatus] == ["open", "in_progress", "completed", "verified"]
    assert [s.value for s in ConcernStatus] == ["open", "responded", "closed", "escalated"]
    assert [s.value for s in NoticeStatus] == [
        "draft",
        "issued",
        "lifted",
        "escalated",
        "remedied",
        "termination_recommended",
        "withdrawn",
    ]
    assert [s.value for s in RequirementStatus] == ["open", "met", "not_met"]
    assert [s.value for s in ImportStatus] == [
        "reading",
        "refused",
        "previewed",
        "committed",
        "discarded",
    ]
    # a status is its word wherever it is written: in SQL, JSON, a URL or a page
    assert f"{NoticeStatus.TERMINATION_RECOMMENDED}" == "termination_recommended"
    assert PlanStatus.AWAITING == "awaiting_submission"


@pytest.mark.parametrize(
    ("statuses", "labels"),
    [
        (AssessmentStatus, lifecycle.STATUS_LABELS),
        (PlanStatus, plans.STATUS_LABELS),
        (ActionStatus, plans.ACTION_LABELS),
        (ConcernStatus, concerns.STATUS_LABELS),
        (NoticeStatus, notices.STATUS_LABELS),
        (RequirementStatus, notices.REQUIREMENT_LABELS),
        (StopState, notices.STOP_STATES),
        (ImportStatus, cqc_import.IMPORT_LABELS),
    ],
)
def test_every_status_has_its_words_and_a_tag_colour(statuses, labels):
    assert set(labels) == set(statuses)
    kind = {
        AssessmentStatus: "assessment",
        PlanStatus: "plan",
        ActionStatus: "action",
        NoticeStatus: "notice",
        RequirementStatus: "requirement",
        ImportStatus: "cqc_import",
    }.get(statuses)
    if kind:
        assert set(views.TAG_CLASSES[kind]) == set(statuses)


def test_the_two_risk_lists_are_two_things():
    from qa_app.domain import clocks, codes

    assert clocks.CONCERN_RISK_LEVELS == ("high", "medium", "low")
    assert set(concerns.CONCERN_RISK_LABELS) == set(clocks.CONCERN_RISK_LEVELS)
    assert codes.RAG_COLOURS == ("red", "amber", "green")
    assert set(codes.RAG_LABELS) == set(codes.RAG_COLOURS)
    assert not hasattr(clocks, "RISK_LEVELS") and not hasattr(codes, "RISK_LEVELS")


def test_one_rule_says_who_decides():
    assert {r for r in roles.Role if roles.can_decide(r)} == {roles.Role.MANAGER, roles.Role.ADMIN}
    assert not roles.can_decide("officer") and not roles.can_decide("provider")
    assert not roles.can_decide("")


# ---------------------------------------------------------------- assessments


@pytest.mark.parametrize("status", list(AssessmentStatus))
def test_assessment_predicates_are_the_lifecycle_steps(status):
    for step in lifecycle.STEPS:
        refused = lifecycle.step_refusal(status, step)
        assert lifecycle.can_take(status, step) is (refused is None)
        if refused:
            with pytest.raises(lifecycle.StepRefused, match=refused):
                lifecycle.after(status, step)
        else:
            assert lifecycle.after(status, step) == lifecycle.STEPS[step][1]
    assert lifecycle.can_record(status) is (status in lifecycle.EDITABLE)
    assert lifecycle.can_submit(status) is (status in (AssessmentStatus.PLANNED, "in_progress"))
    assert lifecycle.has_report(status) is (status != "planned")


def test_assessment_refusals_in_words():
    assert lifecycle.step_refusal("published", "submit") == (
        "an assessment that is published cannot be submitted"
    )
    assert lifecycle.step_refusal("planned", "fly") == "unknown step 'fly'"
    assert lifecycle.correction_refusal("published", superseded=False) is None
    assert lifecycle.correction_refusal("published", superseded=True) == (
        "Only the current published assessment can be corrected"
    )
    assert lifecycle.correction_refusal("draft_shared", superseded=False)


@pytest.mark.parametrize(
    ("status", "shared_before", "decider"),
    list(product(AssessmentStatus, (False, True), (False, True))),
)
def test_the_review_offered_is_what_the_steps_and_publish_refusal_accept(
    status, shared_before, decider
):
    view = views.AssessmentView(
        SimpleNamespace(
            status=status,
            shared_at=datetime(2026, 11, 1, tzinfo=UTC) if shared_before else None,
            superseded_at=None,
        ),
        is_decider=decider,
    )
    review = view.review
    assert review.share is (decider and lifecycle.can_take(status, "share-draft"))
    assert review.give_back is (decider and lifecycle.can_take(status, "return"))
    # publishing is offered when nothing but unanswered comments stands in its way (the page
    # warns about those; pressing it names them)
    no_comments_left = draft_comments.publish_refusal(status, shared_before, unanswered=0)
    assert review.publish is (
        decider and lifecycle.can_take(status, "publish") and no_comments_left is None
    )
    assert view.can_correct is (decider and status == "published")


def test_comments_only_while_shared_and_within_the_period():
    shared = datetime(2026, 11, 1, 12, tzinfo=UTC)
    within = shared + timedelta(days=draft_comments.COMMENT_DAYS)
    assert draft_comments.open_for_comment("draft_shared", shared, within)
    assert draft_comments.comment_refusal(
        "draft_shared", shared, within + timedelta(seconds=1)
    ) == ("The 14 days for comments on this draft ended on 15 November 2026")
    for status in set(AssessmentStatus) - {AssessmentStatus.DRAFT_SHARED}:
        assert not draft_comments.open_for_comment(status, shared, shared)
    assert not draft_comments.open_for_comment("draft_shared", None, shared)


# ---------------------------------------------------------------- improvement plans


def _plan(status, review_comments=""):
    return SimpleNamespace(status=status, review_comments=review_comments)


@pytest.mark.parametrize(("plan", "action"), list(product(PlanStatus, ActionStatus)))
def test_plan_page_offers_each_step_exactly_when_it_is_accepted(plan, action):
    page = views.PlanPage(_plan(plan))
    a = SimpleNamespace(status=action, reopened_reason=None)
    issue = SimpleNamespace(withdrawn_at=None)
    assert page.can_review is (plans.review_refusal(plan) is None)
    assert page.can_submit is (plans.submit_status_refusal(plan) is None)
    assert page.can_add_issues is (plans.issue_refusal(plan) is None)
    assert page.can_withdraw_issue(issue) is (plans.issue_refusal(plan, withdrawing=True) is None)
    assert page.can_add_action(issue) is (plans.add_action_refusal(plan) is None)
    assert page.can_edit_action(a) is (plans.edit_action_refusal(plan, action) is None)
    assert page.can_record_progress(a) is (plans.progress_refusal(plan, action) is None)
    assert page.can_check(a) is (
        plans.action_step_refusal(plan, action, "verify") is None
        and plans.action_step_refusal(plan, action, "reopen") is None
    )
    # nothing is offered on a withdrawn issue
    withdrawn = SimpleNamespace(withdrawn_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert not page.can_withdraw_issue(withdrawn) and not page.can_add_action(withdrawn)


def test_plan_steps_in_worked_examples():
    assert views.PlanPage(_plan("submitted")).can_review
    assert not views.PlanPage(_plan("accepted")).can_review
    assert views.PlanPage(_plan("returned")).can_submit
    assert not views.PlanPage(_plan("submitted")).can_submit
    assert not views.PlanPage(_plan("completed")).can_add_issues
    # the provider changes an open action while the plan is with them or accepted, never a
    # completed one, and not while the council reviews the plan
    assert plans.can_edit_action("accepted", "in_progress")
    assert not plans.can_edit_action("awaiting_submission", "completed")
    assert plans.edit_action_refusal("submitted", "open") == (
        "The plan is with the council for review: it cannot be changed now"
    )
    assert plans.can_check_action("accepted", "completed")
    assert not plans.can_check_action("accepted", "verified")
    assert not plans.can_check_action("completed", "completed")
    # submitting: the status is one rule, what the plan holds another (named when refused)
    assert plans.can_submit("awaiting_submission")
    assert plans.submit_refusal("awaiting_submission", [("Falls", 0)]).startswith(
        "Add at least one action for every issue"
    )
    assert plans.submit_refusal("accepted", [("Falls", 1)]) == (
        "The plan is accepted: it cannot be submitted"
    )


def test_plan_words_follow_its_state():
    assert views.PlanPage(_plan("returned", "Say who")).shows_review_comments
    assert not views.PlanPage(_plan("returned", "")).shows_review_comments
    assert not views.PlanPage(_plan("accepted", "Say who")).shows_review_comments
    assert views.PlanState(_plan("awaiting_submission")).with_provider
    assert not views.PlanState(_plan("accepted")).with_provider
    sent_back = SimpleNamespace(status="in_progress", reopened_reason="No photos")
    assert views.PlanPage.sent_back(sent_back)
    assert not views.PlanPage.sent_back(SimpleNamespace(status="completed", reopened_reason="x"))


# ---------------------------------------------------------------- concerns


@pytest.mark.parametrize("status", list(ConcernStatus))
def test_concern_page_offers_the_steps_the_domain_allows(status):
    view = views.ConcernView(SimpleNamespace(status=status))
    assert view.can_respond is (concerns.refusal(status, "respond") is None)
    assert view.can_escalate is (concerns.refusal(status, "escalate") is None)
    assert view.can_respond is (status == "open")


def test_an_escalated_concern_closes_once_its_notice_is_decided():
    assert not concerns.can_take("escalated", "close", "issued")
    for decided in notices.FINAL:
        assert concerns.can_take("escalated", "close", decided)
    assert concerns.can_take("responded", "close")
    assert not concerns.can_take("closed", "close")


# ---------------------------------------------------------------- notices


def _notice(status, kind="notice_of_concern", start=None, lifted_at=None, closed_at=None, reqs=()):
    return SimpleNamespace(
        status=status,
        kind=kind,
        placement_stop_start=start,
        placement_stop_lifted_at=lifted_at,
        closed_at=closed_at,
        requirements=list(reqs),
    )


def _req(status, due=TODAY, response=None):
    return SimpleNamespace(status=status, due_date=due, provider_response=response)


@pytest.mark.parametrize(
    ("kind", "status"), list(product(notices.KINDS, NoticeStatus)), ids=lambda v: str(v)
)
def test_notice_page_offers_each_decision_exactly_when_it_is_accepted(kind, status):
    view = views.NoticeView(_notice(status, kind), TODAY, is_decider=True)
    for step in ("issue", "withdraw", "lift", "escalate", "remedy", "recommend_termination"):
        assert view.can(step) is (notices.step_refusal(kind, status, step) is None)
    assert view.can_lift is view.can("lift")
    assert view.can_assess is (notices.assess_refusal(status) is None)
    for requirement_status in RequirementStatus:
        r = _req(requirement_status)
        assert view.can_respond(r) is (notices.respond_refusal(status, requirement_status) is None)
    # a decision section shows for a notice issued and not yet decided
    assert view.awaiting_decision is (status in ("issued", "escalated"))


def test_notice_requirements_in_worked_examples():
    view = views.NoticeView(
        _notice(
            "issued",
            reqs=[
                _req("met", TODAY - timedelta(days=3)),
                _req("open", TODAY - timedelta(days=1)),
                _req("not_met", TODAY, "Done"),
                _req("open", TODAY + timedelta(days=5)),
            ],
        ),
        TODAY,
    )
    rs = view.notice.requirements
    assert view.met_count == 1
    assert [view.past_due(r) for r in rs] == [False, True, False, False]
    assert view.to_respond == [rs[1], rs[3]]  # not met, no response yet
    assert [view.assessed(r) for r in rs] == [True, False, True, False]
    # once escalated, the provider no longer responds, the council still records
    escalated = views.NoticeView(_notice("escalated", reqs=rs), TODAY)
    assert escalated.to_respond == [] and escalated.can_assess
    assert not any(escalated.past_due(r) for r in rs)
    assert notices.respond_refusal("issued", "met") == (
        "This requirement has already been marked as met"
    )


def test_placement_stop_steps():
    planned = _notice("issued", start=TODAY + timedelta(days=3))
    view = views.NoticeView(planned, TODAY, is_decider=True)
    assert view.shows_stop_section and view.stop_planned
    assert view.can_set_stop and view.can_lift_stop  # a planned stop is moved or lifted
    begun = views.NoticeView(_notice("issued", start=TODAY), TODAY)
    assert begun.stop_in_force and not begun.can_set_stop and begun.can_lift_stop
    # what the service refuses, the page does not offer
    assert notices.stop_start_problems(TODAY, False, TODAY + timedelta(days=1), TODAY)
    none = views.NoticeView(_notice("issued"), TODAY)
    assert none.can_set_stop and not none.can_lift_stop
    breach = views.NoticeView(_notice("issued", "contract_breach"), TODAY)
    assert not breach.shows_stop_section and not breach.can_set_stop
    draft = views.NoticeView(_notice("draft", start=TODAY), TODAY)
    assert not draft.has_been_issued and not draft.can_lift_stop and not draft.in_force
    # escalated: in force until its breach notice is decided (then closed)
    assert views.NoticeView(_notice("escalated"), TODAY).in_force
    closed = _notice("escalated", closed_at=datetime(2026, 11, 2, tzinfo=UTC))
    assert not views.NoticeView(closed, TODAY).in_force
    assert not views.NoticeView(_notice("withdrawn"), TODAY).has_letter


# ---------------------------------------------------------------- CQC imports


@pytest.mark.parametrize(("status", "bad_rows"), list(product(ImportStatus, (0, 2))))
def test_import_page_offers_commit_and_discard_exactly_when_accepted(status, bad_rows):
    view = views.ImportView(SimpleNamespace(status=status, counts={"bad_rows": bad_rows}))
    assert view.can_commit is (cqc_import.commit_refusal(status, bad_rows) is None)
    assert view.can_discard is (cqc_import.discard_refusal(status) is None)
    assert view.needs_correcting is (status == "previewed" and bad_rows > 0)
    assert (view.label == "Has bad rows") is view.needs_correcting
    assert view.tag_class.startswith("govuk-tag--")


def test_import_refusals_in_words():
    assert cqc_import.commit_refusal("committed", 0) == (
        "This import cannot be confirmed: it has already been confirmed"
    )
    assert cqc_import.commit_refusal("previewed", 3) == (
        "A file with bad rows cannot be imported: correct them and upload it again"
    )
    assert cqc_import.discard_refusal("discarded") == "This import has already been discarded"
    assert views.ImportView(SimpleNamespace(status="reading", counts=None)).can_discard
