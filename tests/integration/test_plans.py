"""Improvement plans: when one opens (exactly once), issues, actions, submission, review,
progress, verification, completion, overdue, evidence files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from qa_app.extensions import db
from qa_app.models import AuditEvent, ImprovementPlan, PlanAction, PlanIssue, Service
from qa_app.services import assessments, plans, registry, standards
from qa_app.services.actors import Actor
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def publish(make, service, score_for, officer=None, manager=None, visit=date(2026, 11, 2)):
    """Record, submit and publish an assessment; score_for(question) gives each score."""
    officer = officer or make.user("officer")
    manager = manager or make.user("manager")
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": visit}
    )
    for q in assessments.questions_for(assessment):
        data = assessments.AnswerInput(score=score_for(q), evidence=f"Seen for {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    return assessments.publish(Actor(manager, "web"), manager, assessment.id)


def requires_improvement(q):
    # every standard of three of the five domains at 2 (Requires improvement), the rest Good
    return 2 if q.domain_code in ("D1", "D2", "D3") else 3


@pytest.fixture
def world(make):
    standards.load_directory(Actor.system("cli"))
    provider = make.provider(name="Oak Care")
    service = make.service(provider, service_type="supported_living", name="Oak House")
    return {
        "provider": provider,
        "service": service,
        "officer": make.user("officer"),
        "manager": make.user("manager"),
        "provider_user": make.user("provider", provider),
        "other_provider_user": make.user("provider", make.provider(name="Elm Care")),
    }


def plans_of(service_id):
    return list(
        db.session.scalars(select(ImprovementPlan).where(ImprovementPlan.service_id == service_id))
    )


def test_a_requires_improvement_publication_opens_one_plan_with_an_issue_per_standard(world, make):
    assessment = publish(make, world["service"], requires_improvement, world["officer"])
    assert assessment.overall_rating in ("Requires improvement", "Poor")
    [plan] = plans_of(world["service"].id)
    assert plan.status == "awaiting_submission"
    assert plan.submission_due_date == plans.london_today() + timedelta(days=14)
    view = plans.view(plan)
    assert view.issues, "one issue per standard below Good"
    ratings = assessments.ratings_for(
        assessment,
        assessments.questions_for(assessment),
        assessments.answers_for(assessment),
    )
    below = {r.code for _d, r in ratings.standards if r.below_good}
    assert {i.standard_code for i in view.issues} == below
    issue = view.issues[0]
    assert issue.assessment_id == assessment.id
    assert issue.rating in ("Requires improvement", "Poor")
    assert "Seen for" in issue.evidence  # the officer's evidence
    # the service's risk follows
    assert world["service"].risk == "amber"


def test_the_trigger_firing_again_opens_nothing_more(world, make):
    publish(make, world["service"], requires_improvement, world["officer"])
    service = world["service"]
    from qa_app.services.follow_on import service_changed

    for _ in range(3):
        service_changed(Actor.system(), service)
        db.session.commit()
    registry.update_service(
        Actor(world["officer"], "web"),
        world["officer"],
        service.id,
        {"cqc_rating": "Requires improvement", "cqc_rating_date": date(2026, 10, 1)},
        None,
    )
    [plan] = plans_of(service.id)
    # the CQC rating joins the open plan as an issue, not as a second plan
    assert any(i.source == "cqc" for i in plans.view(plan).issues)
    opened = db.session.scalar(
        select(func.count()).where(
            AuditEvent.entity_type == "improvement_plan", AuditEvent.action == "opened"
        )
    )
    assert opened == 1


def test_a_second_open_plan_is_refused_by_the_database(world):
    service = world["service"]
    for _ in range(2):
        db.session.add(
            ImprovementPlan(
                service_id=service.id,
                status="awaiting_submission",
                submission_due_date=date(2026, 12, 1),
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_cqc_rating_by_hand_or_api_opens_a_plan(world, client, make):
    service = world["service"]
    make.sign_in(client, world["officer"])
    token_user = world["officer"]
    from qa_app.services import users

    token = users.create_token(Actor.system("cli"), token_user)
    response = client.patch(
        f"/api/v1/services/{service.id}",
        json={"cqc_rating": "Inadequate", "cqc_rating_date": "2026-10-01"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    [plan] = plans_of(service.id)
    assert plan.opened_because == "CQC rating Inadequate"
    assert [i.source for i in plans.view(plan).issues] == ["cqc"]
    # CQC rates it Good again: the plan says so, with CQC's publication date
    again = client.patch(
        f"/api/v1/services/{service.id}",
        json={"cqc_rating": "Good", "cqc_rating_date": "2026-11-20"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 200, again.json
    db.session.expire_all()
    assert plans_of(service.id)[0].left_below_good_by == (
        "No longer below Good: CQC rating Good published 20 November 2026"
    )
    # a Good service created with a Good rating has no plan
    good = registry.create_service(
        Actor(world["officer"], "web"),
        {
            "name": "Fine Place",
            "provider_id": world["provider"].id,
            "service_type": "home_support",
            "cluster": "North",
            "cqc_rating": "Good",
        },
    )
    assert plans_of(good.id) == []


def test_a_new_published_assessment_adds_its_issues_to_the_open_plan(world, make):
    publish(make, world["service"], requires_improvement, world["officer"])
    publish(
        make,
        world["service"],
        lambda q: 2 if q.domain_code in ("D2", "D3", "D4") else 3,
        world["officer"],
        visit=date(2026, 11, 10),
    )
    [plan] = plans_of(world["service"].id)
    issues = plans.view(plan).issues
    assert len({i.assessment_id for i in issues}) == 2


def _open_plan(world, make):
    publish(make, world["service"], requires_improvement, world["officer"])
    return plans_of(world["service"].id)[0]


def _act(world, issue, **values):
    return plans.add_action(
        Actor(world["provider_user"], "web"),
        world["provider_user"],
        issue.id,
        {
            "description": "Retrain staff",
            "owner": "Registered manager",
            "target_date": plans.london_today() + timedelta(days=30),
            "success_measure": "All staff trained",
            **values,
        },
    )


def test_submission_needs_an_action_for_every_open_issue(world, make):
    plan = _open_plan(world, make)
    provider = world["provider_user"]
    issues = plans.view(plan).issues
    with pytest.raises(ValidationFailed) as bad:
        _act(world, issues[0], owner="", target_date=date(2020, 1, 1))
    assert set(bad.value.errors) == {"owner", "target_date"}
    _act(world, issues[0])
    if len(issues) > 1:
        with pytest.raises(Conflict, match="No actions yet for"):
            plans.submit(Actor(provider, "web"), provider, plan.id)
        # withdrawing the others (with a reason) lets it through
        for issue in issues[1:]:
            with pytest.raises(ValidationFailed):
                plans.withdraw_issue(Actor(world["officer"], "web"), world["officer"], issue.id, "")
            plans.withdraw_issue(
                Actor(world["officer"], "web"), world["officer"], issue.id, "Covered by the first"
            )
    plans.submit(Actor(provider, "web"), provider, plan.id)
    assert plan.status == "submitted"
    with pytest.raises(Conflict):
        plans.submit(Actor(provider, "web"), provider, plan.id)


def test_review_progress_verification_and_completion(world, make):
    plan = _open_plan(world, make)
    provider, officer = world["provider_user"], world["officer"]
    issues = plans.view(plan).issues
    actions = [_act(world, issue) for issue in issues]
    plans.submit(Actor(provider, "web"), provider, plan.id)
    # officers review; providers cannot
    with pytest.raises(NotFound):
        plans.accept(Actor(provider, "web"), provider, plan.id)
    with pytest.raises(ValidationFailed):
        plans.return_plan(Actor(officer, "web"), officer, plan.id, " ")
    plans.return_plan(Actor(officer, "web"), officer, plan.id, "Dates are too far away")
    assert (plan.status, plan.review_comments) == ("returned", "Dates are too far away")
    with pytest.raises(Conflict):
        plans.record_progress(Actor(provider, "web"), provider, actions[0].id, {"step": "start"})
    plans.submit(Actor(provider, "web"), provider, plan.id)
    plans.accept(Actor(officer, "web"), officer, plan.id)
    assert plan.status == "accepted"
    # complete needs a note; then verify, or send back with a reason
    with pytest.raises(ValidationFailed) as bad:
        plans.record_progress(Actor(provider, "web"), provider, actions[0].id, {"step": "complete"})
    assert "note" in bad.value.errors
    with pytest.raises(ValidationFailed):
        plans.record_progress(
            Actor(provider, "web"), provider, actions[0].id, {"progress_grade": "7"}
        )
    plans.record_progress(
        Actor(provider, "web"),
        provider,
        actions[0].id,
        {"progress_evidence": "Half trained", "progress_grade": "2"},
    )
    assert (actions[0].status, actions[0].progress_grade) == ("in_progress", 2)
    for action in actions:
        plans.record_progress(
            Actor(provider, "web"),
            provider,
            action.id,
            {"step": "complete", "note": "Done", "progress_grade": "1"},
        )
    with pytest.raises(Forbidden):
        plans.record_progress(Actor(officer, "web"), officer, actions[0].id, {"step": "start"})
    plans.reopen(Actor(officer, "web"), officer, actions[0].id, "No training records seen")
    assert actions[0].status == "in_progress"
    plans.record_progress(
        Actor(provider, "web"), provider, actions[0].id, {"step": "complete", "note": "Records"}
    )
    for action in actions[:-1]:
        plans.verify(Actor(officer, "web"), officer, action.id)
        assert plan.status == "accepted"
    plans.verify(Actor(officer, "web"), officer, actions[-1].id)
    assert plan.status == "completed" and plan.completed_at is not None
    # completion does not make the service Good: a better rating does, and the plan says so
    assert plan.left_below_good_at is None
    publish(make, world["service"], lambda q: 3, officer, visit=date(2026, 11, 20))
    db.session.refresh(plan)
    assert "No longer below Good" in plan.left_below_good_by and "Good" in plan.left_below_good_by
    # and the same standing does not reopen a plan once followed through
    assert len(plans_of(world["service"].id)) == 1


def test_overdue_plans_and_actions_are_recorded_once_and_turn_risk_amber(world, make):
    service = world["service"]
    registry.update_service(
        Actor(world["officer"], "web"),
        world["officer"],
        service.id,
        {"cqc_rating": "Requires improvement", "cqc_rating_date": date(2026, 10, 1)},
        None,
    )
    [plan] = plans_of(service.id)
    due = plan.submission_due_date
    on_due = datetime.combine(due, datetime.min.time(), tzinfo=UTC).replace(hour=12)
    assert plans.mark_overdue(on_due) == {
        "plans_overdue": 0,
        "actions_overdue": 0,
        "plans_opened": 0,
    }
    day_after = on_due + timedelta(days=1)
    assert plans.mark_overdue(day_after)["plans_overdue"] == 1
    assert plans.mark_overdue(day_after + timedelta(days=3))["plans_overdue"] == 0  # once
    db.session.refresh(service)
    assert "improvement plan overdue" in service.risk_reasons

    # submitted: no longer overdue; an action past its target date is
    provider = world["provider_user"]
    issue = plans.view(plan).issues[0]
    action = _act(world, issue, target_date=plans.london_today() + timedelta(days=5))
    plans.submit(Actor(provider, "web"), provider, plan.id)
    assert "improvement plan overdue" not in service.risk_reasons
    later = datetime.now(UTC) + timedelta(days=10)
    assert plans.mark_overdue(later)["actions_overdue"] == 1
    db.session.refresh(service)
    assert "improvement action overdue" in service.risk_reasons
    assert plans.view(plan, today=plans.london_today(later)).action_overdue(action)
    assert plans.view(plan, today=plans.london_today()).action_overdue(action) is False


def test_evidence_files_are_checked_and_served_only_to_those_who_may_see_the_plan(
    world, make, app, tmp_path
):
    app.config["QA_EVIDENCE_DIR"] = str(tmp_path)
    try:
        plan = _open_plan(world, make)
        provider = world["provider_user"]
        action = _act(world, plans.view(plan).issues[0])
        for name, data, says in (
            ("x.pdf", PNG, "x.pdf is not a file we accept"),  # the content decides, not the name
            ("run.exe", b"MZ" + b"\0" * 10, "run.exe is not a file we accept"),
            ("big.png", PNG + b"\0" * 11_000_000, "a file must be 10 MB or smaller"),
            ("empty.pdf", b"", "empty.pdf is empty"),
        ):
            with pytest.raises(ValidationFailed) as bad:
                plans.upload_evidence(Actor(provider, "web"), provider, action.id, name, data)
            assert says in bad.value.errors["file"]
        assert list(tmp_path.iterdir()) == []
        record = plans.upload_evidence(
            Actor(provider, "web"), provider, action.id, "../../rota photo.png", PNG
        )
        assert record.filename == "rota photo.png" and record.content_type == "image/png"
        assert (tmp_path / record.stored_name).read_bytes() == PNG
        assert plans.evidence_file(world["officer"], record.id)[0].id == record.id
        with pytest.raises(NotFound):
            plans.evidence_file(world["other_provider_user"], record.id)
    finally:
        app.config.pop("QA_EVIDENCE_DIR", None)


def test_other_providers_cannot_reach_the_plan(world, make):
    plan = _open_plan(world, make)
    other = world["other_provider_user"]
    issue = plans.view(plan).issues[0]
    with pytest.raises(NotFound):
        plans.get_plan(other, plan.id)
    with pytest.raises(NotFound):
        plans.plan_for_service(other, world["service"].id)
    with pytest.raises(NotFound):
        _act({**world, "provider_user": other}, issue)
    assert db.session.scalar(select(func.count(PlanAction.id))) == 0
    assert db.session.scalar(select(func.count(PlanIssue.id))) > 0
    assert db.session.get(Service, world["service"].id).risk == "amber"


def test_two_people_changing_one_action_are_not_silently_overwritten(world, make, client):
    plan = _open_plan(world, make)
    provider = world["provider_user"]
    action = _act(world, plans.view(plan).issues[0])
    seen = action.version
    plans.edit_action(Actor(provider, "web"), provider, action.id, {"owner": "Deputy"}, seen)
    with pytest.raises(Conflict) as stale:
        plans.edit_action(Actor(provider, "web"), provider, action.id, {"owner": "Someone"}, seen)
    assert stale.value.current["owner"] == "Deputy"
    assert db.session.get(PlanAction, action.id).owner == "Deputy"

    # the API says the same, and refuses fields it does not know
    from qa_app.services import users

    token = users.create_token(Actor.system("cli"), provider)
    headers = {"Authorization": f"Bearer {token}"}
    clash = client.patch(
        f"/api/v1/plan-actions/{action.id}", json={"owner": "X", "version": seen}, headers=headers
    )
    assert clash.status_code == 409
    unknown = client.patch(
        f"/api/v1/plan-actions/{action.id}", json={"status": "verified"}, headers=headers
    )
    assert unknown.status_code == 422
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status == "open"


def test_the_sweep_opens_the_plan_of_a_below_good_service_that_never_had_one(world, make):
    # below Good before plans existed: written straight to the database, no follow-on ran
    old = make.service(world["provider"], name="Old Hall", cqc_rating="Inadequate")
    fine = make.service(world["provider"], name="Fine Hall", cqc_rating="Good")
    assert plans_of(old.id) == []
    assert plans.mark_overdue()["plans_opened"] == 1
    [plan] = plans_of(old.id)
    assert plan.status == "awaiting_submission" and plans_of(fine.id) == []
    assert plans.mark_overdue()["plans_opened"] == 0  # once


def test_correcting_a_published_assessment_replaces_its_issues_instead_of_repeating_them(
    world, make
):
    officer, manager = world["officer"], world["manager"]
    original = publish(make, world["service"], requires_improvement, officer, manager)
    [plan] = plans_of(world["service"].id)
    before = {i.standard_code: i for i in plans.view(plan).issues}
    domain_of = {q.standard_code: q.domain_code for q in assessments.questions_for(original)}
    d1_issue = next(i for code, i in before.items() if domain_of[code] == "D1")
    _act(world, d1_issue, description="Daily checks of the rota")

    # the manager corrects it: domain 3's scores belonged to domain 4; domains 1 and 2 stand
    revision = assessments.start_correction(
        Actor(manager, "web"), manager, original.id, "Domain 3 scores were entered a row down"
    )
    copied = assessments.answers_for(revision)
    for q in assessments.questions_for(revision):
        if q.domain_code in ("D3", "D4"):
            score = 3 if q.domain_code == "D3" else 2
            data = assessments.AnswerInput(score=score, evidence=f"Rechecked {q.ref}")
            seen = copied[q.ref].version
            assessments.save_answer(Actor(officer, "web"), officer, revision.id, q.ref, data, seen)
    assessments.submit(Actor(officer, "web"), officer, revision.id)
    assessments.publish(Actor(manager, "web"), manager, revision.id)

    db.session.expire_all()
    [same_plan] = plans_of(world["service"].id)
    issues = plans.view(same_plan).issues
    standing = [i for i in issues if i.withdrawn_at is None]
    withdrawn = [i for i in issues if i.withdrawn_at is not None]
    added = [i for i in issues if i.standard_code not in before]
    assert len(issues) == len(before) + len(added)  # nothing repeated
    assert added and {domain_of[i.standard_code] for i in added} == {"D4"}
    assert {domain_of[i.standard_code] for i in standing} == {"D1", "D2", "D4"}
    assert {domain_of[i.standard_code] for i in withdrawn} == {"D3"}
    assert all(i.assessment_id == revision.id for i in standing)
    assert all("no longer rates this standard below Good" in i.withdrawn_reason for i in withdrawn)
    kept = db.session.get(PlanIssue, d1_issue.id)
    actions = db.session.scalars(select(PlanAction).where(PlanAction.issue_id == kept.id))
    assert kept.withdrawn_at is None
    assert [a.description for a in actions] == ["Daily checks of the rota"]
