"""The escalation sweep: overdue concerns into one draft notice per service, unmet notices into
breach notices; idempotent; the summary the CLI prints."""

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import AuditEvent, ClockEvent, Concern, Notice, NoticeRequirement
from qa_app.services import concerns, notices, sweep, users
from qa_app.services.actors import Actor

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _log(officer, service, hours_ago, risk="high"):
    return concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": service.id,
            "risk_level": risk,
            "source": "whistleblower",
            "received_at": NOW - timedelta(hours=hours_ago),
            "summary": f"Concern received {hours_ago} h ago",
            "details": "",
        },
        now=NOW,
    )


def test_overdue_concerns_join_one_draft_notice_per_service(make):
    officer = make.user("officer")
    elm, oak = make.service(name="Elm House"), make.service(name="Oak Lodge")
    late = [_log(officer, elm, 25), _log(officer, elm, 30), _log(officer, oak, 80, "low")]
    in_time = _log(officer, elm, 23)  # due in an hour
    medium_in_time = _log(officer, oak, 25, "medium")  # 72-hour clock

    summary = sweep.sweep(NOW)

    assert (summary["escalated"], summary["notices_created"]) == (3, 2)
    db.session.expire_all()
    assert {c.status for c in late} == {"escalated"}
    assert in_time.status == medium_in_time.status == "open"
    drafts = db.session.scalars(select(Notice).order_by(Notice.service_id)).all()
    assert [(n.service_id, n.status, n.kind) for n in drafts] == [
        (elm.id, "draft", "notice_of_concern"),
        (oak.id, "draft", "notice_of_concern"),
    ]
    assert late[0].notice_id == late[1].notice_id == drafts[0].id
    assert late[2].notice_id == drafts[1].id
    kinds = db.session.execute(
        select(ClockEvent.kind, func.count()).group_by(ClockEvent.kind).order_by(ClockEvent.kind)
    ).all()
    assert kinds == [("breached", 3), ("due", 5), ("escalated", 3)]
    breached_at = db.session.scalar(
        select(ClockEvent.at).where(
            ClockEvent.concern_id == late[0].id, ClockEvent.kind == "breached"
        )
    )
    assert breached_at == late[0].response_due_at
    events = db.session.scalars(
        select(AuditEvent.actor_label).where(AuditEvent.action == "escalated")
    ).all()
    assert events == ["Escalation sweep"] * 3


def test_a_second_sweep_does_nothing_and_later_concerns_join_the_same_draft(make):
    officer = make.user("officer")
    elm = make.service(name="Elm House")
    first = _log(officer, elm, 25)
    sweep.sweep(NOW)
    again = sweep.sweep(NOW)
    assert (again["escalated"], again["notices_created"]) == (0, 0)
    second = _log(officer, elm, 2)
    later = sweep.sweep(NOW + timedelta(hours=23))
    assert (later["escalated"], later["notices_created"]) == (1, 0)
    db.session.expire_all()
    assert second.notice_id == first.notice_id
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1


def test_escalated_concerns_keep_the_service_amber_until_the_notice_decides(make):
    officer = make.user("officer")
    elm = make.service(name="Elm House")
    _log(officer, elm, 25)
    assert elm.risk == "amber"
    sweep.sweep(NOW)
    db.session.expire_all()
    assert elm.risk == "amber" and "open high-risk concern" in elm.risk_reasons


def test_hand_escalation_joins_the_draft_notice(make):
    officer = make.user("officer")
    elm = make.service(name="Elm House")
    concern = _log(officer, elm, 2)
    concerns.escalate(Actor(officer, "web"), officer, concern.id, "Serious allegation", now=NOW)
    swept_later = _log(officer, elm, 30)
    sweep.sweep(NOW)
    db.session.expire_all()
    assert concern.notice_id is not None and concern.notice_id == swept_later.notice_id
    kinds = db.session.scalars(
        select(ClockEvent.kind).where(ClockEvent.concern_id == concern.id).order_by(ClockEvent.id)
    ).all()
    assert kinds == ["due", "met", "escalated"]  # escalated before it was due: in time


def _issued_notice(make, service, due):
    manager = make.user("manager")
    notice, _ = notices.draft_for(Actor(manager, "web"), service.id)
    db.session.add(
        NoticeRequirement(notice_id=notice.id, position=1, text="Fix rotas", due_date=due)
    )
    notice.status, notice.issued_at, notice.issued_by_label = "issued", NOW, manager.name
    db.session.flush()
    return notice


def test_an_unmet_requirement_past_its_date_raises_one_draft_breach_notice(make):
    elm = make.service(name="Elm House")
    notice = _issued_notice(make, elm, date(2026, 11, 23))
    on_time = _issued_notice(make, make.service(name="Oak Lodge"), date(2026, 11, 24))

    first = sweep.sweep(NOW)
    second = sweep.sweep(NOW)

    assert (first["breach_notices_created"], second["breach_notices_created"]) == (1, 0)
    db.session.expire_all()
    assert notice.status == "escalated" and on_time.status == "issued"
    breach = db.session.scalar(select(Notice).where(Notice.kind == "contract_breach"))
    assert (breach.status, breach.parent_id, breach.service_id) == ("draft", notice.id, elm.id)
    assert elm.risk == "red"


def test_a_met_requirement_past_its_date_is_not_a_breach(make):
    notice = _issued_notice(make, make.service(), date(2026, 11, 1))
    notice.requirements[0].status = "met"
    db.session.flush()
    assert sweep.sweep(NOW)["breach_notices_created"] == 0


def test_cli_prints_one_line_of_json(app, make):
    officer = make.user("officer")
    _log(officer, make.service(), 25)
    result = app.test_cli_runner().invoke(args=["qa", "sweep", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert (summary["escalated"], summary["notices_created"]) == (1, 1)
    assert db.session.scalar(select(Concern.status)) == "escalated"


def test_cli_refuses_a_bad_now(app):
    for bad in ("yesterday", "2026-11-24T10:00:00"):
        result = app.test_cli_runner().invoke(args=["qa", "sweep", "--now", bad])
        assert result.exit_code == 1 and "--now" in result.output


def test_clock_record_counts_met_breached_and_escalated_with_the_on_time_rate(client, make):
    officer = make.user("officer")
    elm = make.service(name="Elm House")
    met = _log(officer, elm, 2)
    concerns.respond(Actor(officer, "web"), officer, met.id, "call", "", now=NOW)
    late = _log(officer, elm, 30)
    concerns.respond(Actor(officer, "web"), officer, late.id, "visit", "", now=NOW)
    _log(officer, elm, 80, "low")  # breached and escalated by the sweep
    sweep.sweep(NOW)
    rates = {
        r.clock: r for r in concerns.clock_record(officer, date(2026, 11, 1), date(2026, 11, 30))
    }
    assert (rates["24-hour"].met, rates["24-hour"].breached, rates["24-hour"].on_time_rate) == (
        1,
        1,
        50.0,
    )
    assert (rates["72-hour"].met, rates["72-hour"].breached, rates["72-hour"].escalated) == (
        0,
        1,
        1,
    )
    assert rates["72-hour"].on_time_rate == 0.0
    october = concerns.clock_record(officer, date(2026, 10, 1), date(2026, 10, 31))
    assert all(r.on_time_rate is None for r in october)

    make.sign_in(client, officer)
    page = client.get(
        "/concerns/clock-record?first=1&first=11&first=2026&last=30&last=11&last=2026"
    )
    assert "50.0%" in page.get_data(as_text=True)
    backwards = client.get(
        "/concerns/clock-record?first=30&first=11&first=2026&last=1&last=11&last=2026"
    )
    assert "The end of the period must be on or after its start" in backwards.get_data(as_text=True)
    token = users.create_token(Actor.system("cli"), officer)
    body = client.get(
        "/api/v1/concerns/clock-record?from=2026-11-01&to=2026-11-30",
        headers={"Authorization": f"Bearer {token}"},
    ).json
    assert {c["clock"]: c["on_time_rate"] for c in body["clocks"]} == {
        "24-hour": 50.0,
        "72-hour": 0.0,
    }
    bad = client.get(
        "/api/v1/concerns/clock-record?from=2026-11-30&to=2026-11-01",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad.status_code == 422


def test_the_sweep_records_overdue_plans_once_and_the_service_turns_amber(make):
    from qa_app.services import registry

    officer = make.user("officer")
    elm = make.service(name="Elm House", cqc_rating="Good")
    registry.update_service(
        Actor(officer, "web"), officer, elm.id, {"cqc_rating": "Requires improvement"}, None
    )
    db.session.expire_all()
    assert elm.risk == "amber" and "improvement plan overdue" not in elm.risk_reasons
    late = datetime.now(UTC) + timedelta(days=16)  # the plan was due 14 days after it opened
    first, second = sweep.sweep(late), sweep.sweep(late)
    assert (first["plans_overdue"], second["plans_overdue"]) == (1, 0)
    db.session.expire_all()
    assert "improvement plan overdue" in elm.risk_reasons
