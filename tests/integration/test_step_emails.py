"""The emails that steps send, each through a real SMTP server: written in the step's
transaction, to the right people only, once, with a link that brings the recipient to the
page (followed with the test client, signed in as them)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import ImprovementPlan, OutboxEmail
from qa_app.services import assessments, outbox, plans, standards
from qa_app.services.actors import Actor
from tests.support.mail import link_in, path_of


def requires_improvement(q):
    return 2 if q.domain_code in ("D1", "D2", "D3") else 3


@pytest.fixture
def world(make):
    return build_world(make)


def build_world(make) -> dict:
    """A provider's service, its users (one inactive) and another provider's, and council
    staff of every role: who should and should not get each email."""
    standards.load_directory(Actor.system("cli"))
    provider = make.provider(name="Rowan Care")
    return {
        "service": make.service(provider, service_type="supported_living", name="Rowan House"),
        "officer": make.user("officer"),
        "other_officer": make.user("officer"),
        "manager": make.user("manager"),
        "second_manager": make.user("manager"),
        "admin": make.user("admin"),
        "provider_user": make.user("provider", provider),
        "colleague": make.user("provider", provider),
        "away": make.user("provider", provider, active=False),
        "other_provider_user": make.user("provider", make.provider(name="Birch Care")),
    }


def _arrived(mailbox, app, make, kind_subject, recipients, everyone):
    """Each recipient got exactly one email whose subject starts so; nobody else did; its link
    opens the page for them."""
    outbox.send_pending()
    assert outbox.send_pending() == 0  # nothing twice
    got = {}
    for person in everyone:
        mine = [m for m in mailbox.to(person.email) if m["Subject"].startswith(kind_subject)]
        if person in recipients:
            assert len(mine) == 1, (kind_subject, person.email)
            got[person.email] = mine[0]
        else:
            assert mine == [], (kind_subject, person.email)
    for person in recipients:
        body = got[person.email].get_content()
        assert f"Dear {person.name}" in body
        reader = app.test_client()
        make.sign_in(reader, person)
        assert reader.get(path_of(link_in(body))).status_code == 200
    return [got[person.email].get_content() for person in recipients]


def test_each_step_emails_the_right_people_once(world, app, make, mailbox):
    w = world
    everyone = [w[k] for k in w if k != "service"]
    officer = w["officer"]
    second = make.user("officer")
    everyone.append(second)
    assessment = assessments.plan(
        Actor(officer, "web"),
        officer,
        {
            "service_id": w["service"].id,
            "visit_date": date(2026, 11, 2),
            "officer_ids": [second.id],
        },
    )
    for q in assessments.questions_for(assessment):
        data = assessments.AnswerInput(score=requires_improvement(q), evidence=f"Seen {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)

    # submitted: every manager, not the officers, the administrator or the provider
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    managers = [w["manager"], w["second_manager"]]
    [body, _] = _arrived(mailbox, app, make, "Assessment submitted for review", managers, everyone)
    assert "Rowan House" in body

    # the draft shared: the provider's active users, with the comment deadline
    manager = w["manager"]
    assessments.share_draft(Actor(manager, "web"), manager, assessment.id)
    providers = [w["provider_user"], w["colleague"]]
    [body, _] = _arrived(mailbox, app, make, "Draft report for Rowan House", providers, everyone)
    deadline = assessments.comment_deadline(assessments.get_assessment(manager, assessment.id))
    assert f"comments by {long_date(deadline)}" in body

    # published (below Good): the report, and the improvement plan it opens
    assessments.publish(Actor(manager, "web"), manager, assessment.id)
    kinds = sorted(
        (row.kind, row.recipient_email)
        for row in db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.kind.in_(["assessment_published", "plan_opened"]))
        )
    )
    assert kinds == sorted(
        (kind, person.email)
        for kind in ("assessment_published", "plan_opened")
        for person in providers
    )
    plan = db.session.scalar(select(ImprovementPlan))
    _arrived(mailbox, app, make, "Quality assurance report published", providers, everyone)
    [body, _] = _arrived(
        mailbox, app, make, "Improvement plan for Rowan House", providers, everyone
    )
    assert f"submit the plan by {long_date(plan.submission_due_date)}" in body

    # the plan submitted: the assessment's officers, not other officers
    provider = w["provider_user"]
    for issue in plans.view(plan).issues:
        plans.add_action(
            Actor(provider, "web"),
            provider,
            issue.id,
            {
                "description": "Retrain staff",
                "owner": "Registered manager",
                "target_date": plans.london_today() + timedelta(days=30),
                "success_measure": "All staff trained",
            },
        )
    plans.submit(Actor(provider, "web"), provider, plan.id)
    [body, _] = _arrived(
        mailbox, app, make, "Improvement plan submitted", [officer, second], everyone
    )
    assert "Rowan House" in body
