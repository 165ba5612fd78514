"""The worker's reminders (services/reminders.py) through the real outbox and a real SMTP
server: each reaches the right people once, with a link that opens the page for them; running
the task again sends nothing twice; "in 3 days" is counted in London days across both clock
changes; a concern's clock follows its clock rule (working days skip a bank holiday); a
provider's reminder never names a concern."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Assessment, NoticeRequirement, OutboxEmail, PlanAction
from qa_app.services import assessments, concerns, notices, outbox, plans, reminders, standards
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.plan_opening import open_if_below_good
from qa_app.services.transaction import unit_of_work
from tests.integration.test_step_emails import _arrived, requires_improvement

#: a Monday; the draft, the plan and the notice fall due on Thursday 3 December
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
SUMMARY = "Medicines left out overnight, says a relative"


@pytest.fixture
def world(make):
    provider = make.provider(name="Rowan Care")
    return {
        "rowan": make.service(provider, name="Rowan House"),
        "ash": make.service(provider, service_type="supported_living", name="Ash Court"),
        "elm": make.service(provider, service_type="supported_living", name="Elm Lodge"),
        "officer": make.user("officer"),
        "contract_officer": make.user("officer"),
        "other_officer": make.user("officer"),
        "manager": make.user("manager"),
        "provider_user": make.user("provider", provider),
        "colleague": make.user("provider", provider),
        "away": make.user("provider", provider, active=False),
        "other_provider_user": make.user("provider", make.provider(name="Birch Care")),
    }


def _everyone(w):
    return [w[k] for k in w if k not in ("rowan", "ash", "elm")]


def _plan(service, due):
    """The service's improvement plan (opened by a CQC rating below Good), due on `due`."""
    service.cqc_rating = "Inadequate"
    with unit_of_work():
        plan = open_if_below_good(Actor.system("test"), service)
        plan.submission_due_date = due
    return plan


def _concern(officer, service, received_at, risk="high", now=None):
    return concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": service.id,
            "risk_level": risk,
            "source": "complaint",
            "received_at": received_at,
            "summary": SUMMARY,
            "details": "",
        },
        now=now or received_at,
    )


def _kinds_written():
    return sorted(
        (row.kind, row.recipient_email)
        for row in db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.event_key.like("reminder:%"))
        )
    )


def _published_long_ago(w, make):
    """Ash Court's report, rated Requires improvement, published on 20 May 2026: its follow-up
    assessment is due on 20 November."""
    standards.load_directory(Actor.system("cli"))
    officer, manager = w["officer"], w["manager"]
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": w["ash"].id, "visit_date": date(2026, 5, 1)}
    )
    for q in assessments.questions_for(assessment):
        data = assessments.AnswerInput(score=requires_improvement(q), evidence=f"Seen {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    assessments.publish(Actor(manager, "web"), manager, assessment.id)
    with unit_of_work():
        assessment.published_at = datetime(2026, 5, 20, 11, 0, tzinfo=UTC)
    return assessment


def _shared_draft(w, service):
    """A draft report of `service` shared with the provider on 19 November 2026 (its comment
    period ends on 3 December)."""
    standards.load_directory(Actor.system("cli"))
    officer, manager = w["officer"], w["manager"]
    draft = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 16)}
    )
    for q in assessments.questions_for(draft):
        data = assessments.AnswerInput(score=3, evidence=f"Seen {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, draft.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, draft.id)
    assessments.share_draft(Actor(manager, "web"), manager, draft.id)
    with unit_of_work():
        db.session.get(Assessment, draft.id).shared_at = datetime(2026, 11, 19, 15, tzinfo=UTC)
    return draft


def test_each_reminder_reaches_the_right_people_once(world, app, make, mailbox):
    w = world
    officer = w["officer"]
    providers = [w["provider_user"], w["colleague"]]
    rowan, ash, elm = w["rowan"], w["ash"], w["elm"]

    # Rowan House: a plan due on Thursday with an action past its target date, and an issued
    # notice with a requirement due on Thursday
    plan = _plan(rowan, date(2026, 12, 3))
    [issue] = plans.view(plan).issues
    provider = w["provider_user"]
    action = plans.add_action(
        Actor(provider, "web"),
        provider,
        issue.id,
        {
            "description": "Rewrite the rota",
            "owner": "Registered manager",
            "target_date": date(2026, 12, 30),
            "success_measure": "Rota covers every night",
        },
    )
    with unit_of_work():
        db.session.get(PlanAction, action.id).target_date = date(2026, 11, 29)
        notice, _ = notices.draft_for(Actor(w["manager"], "web"), rowan.id)
        db.session.flush()
        db.session.add(
            NoticeRequirement(
                notice_id=notice.id, position=1, text="Fix rotas", due_date=date(2026, 12, 3)
            )
        )
        notice.status, notice.issued_at, notice.issued_by_label = "issued", NOW, "A manager"
    # Ash Court: published in May (a follow-up due), with a contract officer; Elm Lodge: a draft
    # shared with the provider on 19 November (comments close on 3 December)
    _published_long_ago(w, make)
    with unit_of_work():
        ash.contract_officer_id = w["contract_officer"].id
    _shared_draft(w, elm)
    # concerns about Rowan House, logged by the officer: one due in an hour, one an hour late
    _concern(officer, rowan, NOW - timedelta(hours=23))
    _concern(officer, rowan, NOW - timedelta(hours=25))
    outbox.send_pending()  # the steps' own emails are out of the way

    written = reminders.run(NOW)
    assert written == {
        "comments_closing": 2,
        "plan_due_soon": 2,
        "plan_overdue": 0,
        "action_overdue": 2,
        "requirement_due_soon": 2,
        "concern_due_soon": 1,
        "concern_breached": 1,
        "follow_up_due": 1,
    }
    assert sum(reminders.run(NOW).values()) == 0  # the second run writes nothing
    everyone = _everyone(w)
    [body, _] = _arrived(
        mailbox,
        app,
        make,
        "Reminder: comments on the draft report for Elm Lodge close on 3 December 2026",
        providers,
        everyone,
    )
    _arrived(
        mailbox,
        app,
        make,
        "Reminder: improvement plan for Rowan House due by 3 December 2026",
        providers,
        everyone,
    )
    [body, _] = _arrived(
        mailbox, app, make, "Reminder: an improvement action for Rowan House", providers, everyone
    )
    assert "target date of 29 November 2026" in body
    _arrived(
        mailbox,
        app,
        make,
        "Reminder: notice of concern for Rowan House, a requirement is due by 3 December 2026",
        providers,
        everyone,
    )
    [body] = _arrived(
        mailbox,
        app,
        make,
        "Reminder: concern response due by 30 November 2026 at 11:00am",
        [officer],
        everyone,
    )
    assert "high risk concern about Rowan House" in body
    _arrived(mailbox, app, make, "Reminder: concern response time passed", [officer], everyone)
    [body] = _arrived(
        mailbox,
        app,
        make,
        "Reminder: follow-up assessment due, Ash Court",
        [w["contract_officer"]],
        everyone,
    )
    assert "due on 20 November 2026" in body
    # the provider never hears of a concern
    for person in providers:
        for message in mailbox.to(person.email):
            assert "concern response" not in message["Subject"].lower()
            assert SUMMARY not in message.get_content()

    # three days on, the plan is overdue (once), and nothing else is new
    outbox.send_pending()
    later = reminders.run(NOW + timedelta(days=4))
    assert later["plan_overdue"] == 2 and later["plan_due_soon"] == 0
    assert later["comments_closing"] == later["requirement_due_soon"] == 0
    assert later["action_overdue"] == later["follow_up_due"] == 0
    _arrived(
        mailbox,
        app,
        make,
        "Reminder: improvement plan for Rowan House is overdue",
        providers,
        everyone,
    )
    assert sum(reminders.run(NOW + timedelta(days=4)).values()) == 0


def _worker_once(app) -> dict:
    result = app.test_cli_runner().invoke(args=["qa", "worker", "--once"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_worker_runs_the_reminders_and_sends_them(world, app, mailbox):
    w = world
    _plan(w["rowan"], london_today() + timedelta(days=2))
    db.session.commit()
    summary = _worker_once(app)
    assert summary["periodic"]["reminders"]["plan_due_soon"] == 2
    subjects = [m["Subject"] for m in mailbox.to(w["colleague"].email)]
    assert [s for s in subjects if s.startswith("Reminder:")] == [
        "Reminder: improvement plan for Rowan House due by "
        + long_date(london_today() + timedelta(days=2))
    ]
    assert _worker_once(app)["periodic"]["reminders"]["plan_due_soon"] == 0


@pytest.mark.parametrize(
    ("due", "before", "after"),
    [
        # clocks go back at 01:00 UTC on 25 October 2026: 23:30 UTC on the 24th is 00:30 BST
        # on the 25th, 3 London days before the 28th (but 4 UTC days)
        (
            date(2026, 10, 28),
            datetime(2026, 10, 24, 22, 59, tzinfo=UTC),
            datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
        ),
        # clocks go forward at 01:00 UTC on 28 March 2027: 23:30 UTC that day is 00:30 BST on
        # the 29th, 3 London days before 1 April
        (
            date(2027, 4, 1),
            datetime(2027, 3, 28, 22, 59, tzinfo=UTC),
            datetime(2027, 3, 28, 23, 30, tzinfo=UTC),
        ),
        # before the change in March, London is on GMT: 23:30 UTC on 27 March is still the 27th
        (
            date(2027, 3, 30),
            datetime(2027, 3, 26, 23, 59, tzinfo=UTC),
            datetime(2027, 3, 27, 0, 0, tzinfo=UTC),
        ),
    ],
)
def test_three_days_are_london_days_across_the_clock_changes(world, due, before, after):
    w = world
    plan = _plan(w["rowan"], due)
    assert reminders.run(before)["plan_due_soon"] == 0
    assert reminders.run(after)["plan_due_soon"] == 2
    assert reminders.run(after + timedelta(hours=1))["plan_due_soon"] == 0
    rows = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "plan_due_soon")).all()
    assert {r.event_key for r in rows} == {f"reminder:plan_due_soon:{plan.id}:{due.isoformat()}"}
    assert {r.personalisation["deadline"] for r in rows} == {long_date(due)}


def test_a_concern_clock_across_the_autumn_clock_change_counts_elapsed_hours(world):
    w = world
    # received at 10:00 BST on Saturday 24 October 2026; 24 hours later is 09:00 GMT on the 25th
    received = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    concern = _concern(w["officer"], w["rowan"], received)
    assert concern.response_due_at == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert reminders.run(datetime(2026, 10, 25, 6, 59, tzinfo=UTC))["concern_due_soon"] == 0
    assert reminders.run(datetime(2026, 10, 25, 7, 1, tzinfo=UTC))["concern_due_soon"] == 1
    assert reminders.run(datetime(2026, 10, 25, 8, 59, tzinfo=UTC))["concern_due_soon"] == 0
    assert reminders.run(datetime(2026, 10, 25, 9, 1, tzinfo=UTC))["concern_breached"] == 1
    [email] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "concern_due_soon")
    ).all()
    assert email.personalisation["due_at"] == "25 October 2026 at 9:00am"


def test_working_day_clocks_skip_the_christmas_bank_holidays(world, app, monkeypatch):
    w = world
    monkeypatch.setitem(app.config, "QA_CLOCK_MODE", "working_days")
    # received at 10:00 on Thursday 24 December 2026: Christmas Day (Friday), the weekend and
    # the substitute Boxing Day (Monday 28th) are not working days, so one working day later is
    # 10:00 on Tuesday 29 December
    received = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    concern = _concern(w["officer"], w["rowan"], received)
    assert concern.response_due_at == datetime(2026, 12, 29, 10, 0, tzinfo=UTC)
    # 24 elapsed hours, less 2, would warn on Christmas morning: nothing then
    assert reminders.run(datetime(2026, 12, 25, 8, 0, tzinfo=UTC))["concern_due_soon"] == 0
    assert reminders.run(datetime(2026, 12, 28, 9, 0, tzinfo=UTC))["concern_due_soon"] == 0
    assert reminders.run(datetime(2026, 12, 29, 8, 30, tzinfo=UTC))["concern_due_soon"] == 1
    assert reminders.run(datetime(2026, 12, 29, 8, 45, tzinfo=UTC))["concern_due_soon"] == 0


def test_a_concern_without_an_officer_reaches_the_contract_officer_else_every_officer(world, make):
    w = world
    manager = w["manager"]
    received = NOW - timedelta(hours=23)
    concern = _concern(manager, w["rowan"], received, now=NOW)  # a manager logs it: no officer
    assert concern.officer_id is None
    reminders.run(NOW)
    officers = [w["officer"], w["contract_officer"], w["other_officer"]]
    assert _kinds_written() == sorted(("concern_due_soon", o.email) for o in officers)
    with unit_of_work():
        w["rowan"].contract_officer_id = w["contract_officer"].id
    reminders.run(NOW + timedelta(hours=2))  # now breached: the contract officer alone
    assert [e for k, e in _kinds_written() if k == "concern_breached"] == [
        w["contract_officer"].email
    ]


def test_a_closed_service_and_a_submitted_plan_get_no_reminders(world):
    w = world
    plan = _plan(w["rowan"], date(2026, 12, 3))
    with unit_of_work():
        w["rowan"].closed_on = date(2026, 11, 20)
    assert reminders.run(NOW)["plan_due_soon"] == 0
    with unit_of_work():
        w["rowan"].closed_on = None
        plan.status = "submitted"
    assert reminders.run(NOW)["plan_due_soon"] == 0


def test_a_provider_that_said_it_has_no_comments_is_not_reminded(world):
    w = world
    draft = _shared_draft(w, w["elm"])
    provider = w["provider_user"]
    assessments.add_provider_comment(
        Actor(provider, "web"), provider, draft.id, None, "", no_comments=True
    )
    assert reminders.run(NOW)["comments_closing"] == 0
