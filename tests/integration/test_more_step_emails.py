"""More emails that steps send (issue 19 part C), each through a real SMTP server, as
test_step_emails.py does: written in the step's transaction, to the right people only, once,
with a link that opens the page for them; the provider's emails never name a concern."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ImprovementPlan, Notice
from qa_app.services import assessments, concerns, notices, outbox, plans, sweep
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.notices.drafting import DraftEdit
from tests.integration.test_step_emails import _arrived, build_world, requires_improvement
from tests.support.mail import link_in, path_of

SUMMARY = "Night staff asleep on shift, says a whistleblower"


@pytest.fixture
def world(make):
    return {**build_world(make), "second_officer": make.user("officer")}


def _everyone(w):
    return [w[k] for k in w if k != "service"]


def _submitted_assessment(w):
    officer = w["officer"]
    assessment = assessments.plan(
        Actor(officer, "web"),
        officer,
        {
            "service_id": w["service"].id,
            "visit_date": datetime(2026, 11, 2).date(),
            "officer_ids": [w["second_officer"].id],
        },
    )
    for q in assessments.questions_for(assessment):
        data = assessments.AnswerInput(score=requires_improvement(q), evidence=f"Seen {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    return assessment


def _log_late_concern(officer, service, now):
    """A high-risk concern logged 30 hours ago: past its 24-hour response time, so the next
    sweep escalates it."""
    concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": service.id,
            "risk_level": "high",
            "source": "whistleblower",
            "received_at": now - timedelta(hours=30),
            "summary": SUMMARY,
            "details": "",
        },
        now=now,
    )


def test_provider_comments_reach_the_assessments_officers_once_per_sharing(
    world, app, make, mailbox
):
    w = world
    assessment = _submitted_assessment(w)
    manager, provider = w["manager"], w["provider_user"]
    assessments.share_draft(Actor(manager, "web"), manager, assessment.id)
    outbox.send_pending()
    for text in ("The visit date is wrong", "Staff numbers were 12, not 10"):
        assessments.add_provider_comment(
            Actor(provider, "web"), provider, assessment.id, None, text
        )
    officers = [w["officer"], w["second_officer"]]
    [body, _] = _arrived(
        mailbox, app, make, "Provider's comments on the draft report", officers, _everyone(w)
    )
    assert "Rowan House" in body
    assert "Staff numbers" not in body  # the comments are read on the page


def test_a_plan_returned_then_accepted_tells_the_providers_users(world, app, make, mailbox):
    w = world
    assessment = _submitted_assessment(w)
    manager, officer, provider = w["manager"], w["officer"], w["provider_user"]
    assessments.publish(Actor(manager, "web"), manager, assessment.id)
    plan = db.session.scalar(select(ImprovementPlan))
    for issue in plans.view(plan).issues:
        plans.add_action(
            Actor(provider, "web"),
            provider,
            issue.id,
            {
                "description": "Retrain staff",
                "owner": "Registered manager",
                "target_date": london_today() + timedelta(days=30),
                "success_measure": "All staff trained",
            },
        )
    plans.submit(Actor(provider, "web"), provider, plan.id)
    outbox.send_pending()
    providers = [w["provider_user"], w["colleague"]]

    plans.return_plan(Actor(officer, "web"), officer, plan.id, "Name a person for each action")
    [body, _] = _arrived(
        mailbox, app, make, "Improvement plan for Rowan House returned", providers, _everyone(w)
    )
    assert "Name a person" not in body  # the comments are read on the plan's page

    plans.submit(Actor(provider, "web"), provider, plan.id)
    plans.accept(Actor(officer, "web"), officer, plan.id)
    _arrived(
        mailbox, app, make, "Improvement plan for Rowan House accepted", providers, _everyone(w)
    )


def test_notices_drafted_and_issued_reach_managers_then_providers_and_never_name_a_concern(
    world, app, make, mailbox
):
    w = world
    officer, manager = w["officer"], w["manager"]
    now = datetime.now(UTC)
    _log_late_concern(officer, w["service"], now)
    managers = [w["manager"], w["second_manager"]]
    providers = [w["provider_user"], w["colleague"]]

    # the sweep drafts a notice of concern: every manager, once (a second sweep adds nothing)
    assert sweep.sweep(now)["notices_created"] == 1
    sweep.sweep(now)
    [body, _] = _arrived(
        mailbox, app, make, "Draft notice of concern for Rowan House", managers, _everyone(w)
    )
    assert SUMMARY not in body
    draft = db.session.scalar(select(Notice))

    # a manager issues it: the provider's users, with no word of the concerns behind it
    due = london_today(now) + timedelta(days=7)
    notices.issue(
        Actor(manager, "web"),
        manager,
        draft.id,
        now=now,
        edit=DraftEdit("Staffing at night is unsafe", None, "Staff every night shift", due, None),
    )
    bodies = _arrived(
        mailbox, app, make, "Notice of concern issued for Rowan House", providers, _everyone(w)
    )
    for body in bodies:
        assert SUMMARY not in body and "whistleblower" not in body.lower()

    # its requirement passes its date unmet: the sweep drafts a breach notice (managers)
    later = now + timedelta(days=9)
    assert sweep.sweep(later)["breach_notices_created"] == 1
    _arrived(
        mailbox, app, make, "Draft contract breach notice for Rowan House", managers, _everyone(w)
    )
    breach = db.session.scalar(select(Notice).where(Notice.kind == "contract_breach"))

    # issued: the provider's users
    notices.issue(
        Actor(manager, "web"),
        manager,
        breach.id,
        now=later,
        edit=DraftEdit(
            breach.grounds, None, "Recruit night staff", london_today(later) + timedelta(days=14)
        ),
    )
    _arrived(
        mailbox,
        app,
        make,
        "Contract breach notice issued for Rowan House",
        providers,
        _everyone(w),
    )
    # no provider ever got an email about the concern itself
    for person in [*providers, w["other_provider_user"]]:
        for message in mailbox.to(person.email):
            assert SUMMARY not in message.get_content()
            assert "concern about" not in message.get_content()


def test_a_manager_who_escalates_by_hand_is_not_told_what_they_did(world, app, make, mailbox):
    w = world
    manager = w["manager"]
    now = datetime.now(UTC)
    draft, _ = notices.draft_for(Actor(manager, "web"), w["service"].id)
    db.session.commit()
    due = london_today(now) + timedelta(days=7)
    notices.issue(
        Actor(manager, "web"),
        manager,
        draft.id,
        now=now,
        edit=DraftEdit("Staffing at night is unsafe", None, "Staff every night shift", due, None),
    )
    notices.escalate(Actor(manager, "web"), manager, draft.id, "No progress at all")
    _arrived(
        mailbox,
        app,
        make,
        "Draft contract breach notice for Rowan House",
        [w["second_manager"]],
        _everyone(w),
    )


def test_a_sweep_that_drafts_several_notices_sends_each_manager_one_email(
    world, app, make, mailbox
):
    w = world
    officer = w["officer"]
    now = datetime.now(UTC)
    provider = make.provider(name="Larch Care")
    services = [w["service"], *(make.service(provider, name=f"Larch {n}") for n in (1, 2))]
    for service in services:
        _log_late_concern(officer, service, now)
    assert sweep.sweep(now)["notices_created"] == 3
    [body, _] = _arrived(
        mailbox,
        app,
        make,
        "3 draft notices of concern to review",
        [w["manager"], w["second_manager"]],
        _everyone(w),
    )
    assert SUMMARY not in body and "Rowan House" not in body
    # its link is the list of draft notices of concern, which holds the three
    reader = make.sign_in(app.test_client(), w["manager"])
    drafts = reader.get(path_of(link_in(body))).get_data(as_text=True)
    assert all(service.name in drafts for service in services)
    # and no email per notice
    assert not any(
        m["Subject"].startswith("Draft notice of concern") for m in mailbox.to(w["manager"].email)
    )

    # each is issued with a requirement that then passes its date unmet: the sweep drafts three
    # breach notices, and again each manager has one email for them
    manager = w["manager"]
    due = london_today(now) + timedelta(days=7)
    for draft in db.session.scalars(select(Notice).order_by(Notice.id)).all():
        notices.issue(
            Actor(manager, "web"),
            manager,
            draft.id,
            now=now,
            edit=DraftEdit("Staffing at night is unsafe", None, "Staff every night", due, None),
        )
    assert sweep.sweep(now + timedelta(days=9))["breach_notices_created"] == 3
    [body, _] = _arrived(
        mailbox,
        app,
        make,
        "3 draft contract breach notices to review",
        [w["manager"], w["second_manager"]],
        _everyone(w),
    )
    drafts = reader.get(path_of(link_in(body))).get_data(as_text=True)
    assert all(service.name in drafts for service in services)
    assert not any(
        m["Subject"].startswith("Draft contract breach notice for")
        for m in mailbox.to(w["manager"].email)
    )
