"""Nothing half-done, for the sweep and CQC's ratings file (issue 18, item 6).

The sweep commits one batch at a time by design (a sweep of 100,000 concerns must not hold one
transaction for all of them, and several sweeps share the work): each part's batch is whole or
not at all, and running the sweep again completes the rest. A CQC import is one transaction:
whole or not at all, and its uploaded file stays until it is imported or discarded."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from qa_app.domain.risk import assess_risk
from qa_app.extensions import db
from qa_app.models import (
    AuditEvent,
    ClockEvent,
    Concern,
    CqcImport,
    ImprovementPlan,
    Notice,
    NoticeRequirement,
    PlanAction,
    PlanIssue,
    Service,
)
from qa_app.services import concerns, cqc_choices, cqc_import, notices, sweep
from qa_app.services.actors import Actor
from qa_app.services.risk import facts_for_many, refresh_risk_many
from tests.support.faults import (
    INJECTED,
    Faults,
    differences,
    fails_cleanly_at_every_write,
    files,
    snapshot,
)
from tests.support.spreadsheets import location_rows, ratings, write_csv

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@contextmanager
def undone():
    """Whatever the block commits is undone afterwards (a savepoint on the test's connection
    around the session's own), so that each write position starts from the same state."""
    db.session.commit()
    point = db.session.get_bind().begin_nested()
    try:
        yield
    finally:
        db.session.rollback()
        point.rollback()
        db.session.expire_all()


# ---------------------------------------------------------------- the sweep


def _concern(officer, service, hours_ago):
    return concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": service.id,
            "risk_level": "high",
            "source": "whistleblower",
            "received_at": NOW - timedelta(hours=hours_ago),
            "summary": f"Concern received {hours_ago} h ago",
            "details": "",
        },
        now=NOW,
    )


@pytest.fixture
def swept_world(make):
    """Work for every part of the sweep: overdue concerns at two services (one with a draft
    notice already), an issued notice with an unmet requirement past its date, a plan not
    submitted in time with an action past its target, and a below-Good service with no plan."""
    officer, manager = make.user("officer"), make.user("manager")
    elm, oak, ash = (make.service(name=n) for n in ("Elm House", "Oak Lodge", "Ash Court"))
    for service, hours in ((elm, 25), (elm, 30), (oak, 80)):
        _concern(officer, service, hours)
    _concern(officer, elm, 2)  # not due yet
    notices.draft_for(Actor(manager, "web"), oak.id)
    issued, _ = notices.draft_for(Actor(manager, "web"), ash.id)
    db.session.add(
        NoticeRequirement(notice_id=issued.id, position=1, text="Fix", due_date=date(2026, 11, 1))
    )
    issued.status, issued.issued_at, issued.issued_by_label = "issued", NOW, manager.name
    plan = ImprovementPlan(
        service_id=ash.id,
        status="awaiting_submission",
        opened_at=NOW - timedelta(days=30),
        submission_due_date=date(2026, 11, 10),
        basis="test",
    )
    db.session.add(plan)
    db.session.flush()
    issue = PlanIssue(plan_id=plan.id, source="manual", title="Rotas", position=1)
    db.session.add(issue)
    db.session.flush()
    db.session.add(
        PlanAction(
            plan_id=plan.id,
            issue_id=issue.id,
            status="open",
            description="New rota",
            owner="Manager",
            target_date=date(2026, 11, 20),
            success_measure="Rota in place",
            created_by_label="Test",
        )
    )
    make.service(name="Birch View", cqc_rating="Inadequate")  # never had a plan
    refresh_risk_many(list(db.session.scalars(select(Service.id))))
    db.session.commit()
    return {"due": 3, "services": [elm, oak, ash]}


def _sweep_is_whole_by_batch(expect_done: bool) -> None:
    """Each overdue concern is escalated whole (status, both clock events, its notice, its audit
    event) or not at all, and all of them or none (one batch); the same for the breach notice
    and for the overdue plan; and every service's risk follows what is recorded."""
    concerns_due = db.session.scalars(
        select(Concern).where(Concern.response_due_at < NOW).order_by(Concern.id)
    ).all()
    states = set()
    for concern in concerns_due:
        kinds = set(
            db.session.scalars(select(ClockEvent.kind).where(ClockEvent.concern_id == concern.id))
        )
        audited = db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.entity_type == "concern",
                AuditEvent.entity_id == concern.id,
                AuditEvent.action == "escalated",
            )
        )
        escalated = concern.status == "escalated"
        assert {"breached", "escalated"} <= kinds if escalated else not kinds & {"breached"}
        assert (concern.notice_id is not None) == escalated == (audited is not None)
        states.add(escalated)
    assert len(states) == 1, "one batch: all of its concerns escalated, or none"
    breach = db.session.scalar(select(Notice).where(Notice.kind == "contract_breach"))
    parent = db.session.scalar(
        select(Notice).where(Notice.kind == "notice_of_concern", Notice.issued_at.is_not(None))
    )
    assert (breach is not None) == (parent.status == "escalated")
    plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.basis == "test"))
    action = db.session.scalar(select(PlanAction))
    overdue_audits = db.session.scalar(
        select(db.func.count()).where(AuditEvent.action == "overdue")
    )
    assert (plan.overdue_at is not None) == (action.overdue_at is not None)
    assert overdue_audits == (2 if plan.overdue_at else 0)
    opened = db.session.scalar(
        select(db.func.count(ImprovementPlan.id)).where(ImprovementPlan.basis != "test")
    )
    assert opened == (1 if plan.overdue_at else 0), "the missing plan opens with the overdue"
    services = list(db.session.scalars(select(Service)))
    facts = facts_for_many(services)
    for service in services:
        result = assess_risk(facts[service.id])
        assert (service.risk, service.risk_reasons) == (result.rag, "; ".join(result.reasons))
    if expect_done:
        assert states == {True} and breach is not None and plan.overdue_at is not None


def test_each_batch_of_the_sweep_is_whole_and_a_second_sweep_completes_the_rest(swept_world):
    n = 1
    while True:
        with undone():
            with Faults(db.engine, fail_at=n) as faults:
                try:
                    summary = sweep.sweep(NOW)
                except OperationalError as error:
                    assert INJECTED in str(error)
            db.session.rollback()
            db.session.expire_all()
            if faults.failed is None:
                assert summary["escalated"] == swept_world["due"]
                _sweep_is_whole_by_batch(expect_done=True)
                break
            _sweep_is_whole_by_batch(expect_done=False)
            again = sweep.sweep(NOW)
            db.session.expire_all()
            _sweep_is_whole_by_batch(expect_done=True)
            assert again["escalated"] in (0, swept_world["due"])
        n += 1
    assert n - 1 >= 10, f"the sweep made only {n - 1} writes"


def test_a_sweep_from_the_command_line_that_meets_a_database_failure_says_so(app, swept_world):
    with Faults(db.engine, fail_at=2) as faults:
        result = app.test_cli_runner().invoke(args=["qa", "sweep", "--now", NOW.isoformat()])
    assert faults.failed
    assert result.exit_code == 1
    assert "Error: the database failed" in result.output
    assert "each escalation whole" in result.output and "Run the command again" in result.output
    assert "Traceback" not in result.output
    db.session.expire_all()
    _sweep_is_whole_by_batch(expect_done=False)
    done = app.test_cli_runner().invoke(args=["qa", "sweep", "--now", NOW.isoformat()])
    assert done.exit_code == 0, done.output
    _sweep_is_whole_by_batch(expect_done=True)


# ---------------------------------------------------------------- CQC's ratings file


@pytest.fixture
def council(make):
    provider = make.provider(name="Heathervale Care Ltd", cqc_provider_id="1-101000001")
    house = make.service(
        provider,
        name="Heathervale House",
        cqc_location_id="1-200000001",
        cqc_rating="Good",
        cqc_rating_date=date(2024, 1, 10),
    )
    return {"provider": provider, "house": house}


def _file(tmp_path):
    """House falls to Requires improvement (its plan opens); a new service, new provider."""
    rows = location_rows(
        "1-200000001",
        "Heathervale House",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        ratings("Requires improvement", "Requires improvement", "Good", "Good", "Good", "Good"),
        date(2026, 10, 14),
    )
    rows += location_rows(
        "1-300000001",
        "Willow Bank",
        "Northshire",
        "1-400000001",
        "Willow Care Ltd",
        ratings("Inadequate", "Inadequate", "Good", "Good", "Good", "Inadequate"),
        date(2026, 3, 2),
    )
    return write_csv(tmp_path / "ratings.csv", rows)


#: the type of the new service, which the file cannot tell
TYPES = {"1-300000001": "care_home_nursing"}


def _imported(council):
    db.session.expire_all()
    house = db.session.get(Service, council["house"].id)
    willow = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000001"))
    assert house.cqc_rating == "Requires improvement"
    assert willow is not None and willow.cqc_rating == "Inadequate"
    opened = db.session.scalars(select(ImprovementPlan.service_id)).all()
    assert sorted(opened) == sorted([house.id, willow.id])


def test_confirming_a_cqc_import_is_whole_or_not_at_all_and_keeps_its_file(
    ctx, council, tmp_path, app, monkeypatch
):
    monkeypatch.setitem(app.config, "QA_CQC_UPLOAD_DIR", str(tmp_path / "uploads"))
    actor = Actor.system("cli")
    with open(_file(tmp_path), "rb") as stream:
        record = cqc_import.start_upload(actor, stream, "ratings.csv", "Northshire")
    cqc_import.run_preview(record.id)
    cqc_choices.set_service_types(actor, record.id, TYPES)
    assert db.session.get(CqcImport, record.id).status == "previewed"
    folder = cqc_import.upload_folder()
    _writes, done = fails_cleanly_at_every_write(
        lambda: cqc_import.commit_import(actor, record.id), folders=(folder,), minimum=10
    )
    assert done.status == "committed"
    assert files(folder) == set()  # removed once imported, never before
    _imported(council)


def test_a_cqc_import_from_the_command_line_is_whole_or_not_at_all(ctx, council, tmp_path, app):
    path = _file(tmp_path)
    preview = cqc_import.preview_file(path, path.name, "Northshire", today=date(2026, 11, 24))
    _writes, record = fails_cleanly_at_every_write(
        lambda: cqc_import.commit_preview(Actor.system("cli"), preview, TYPES), minimum=10
    )
    assert record.status == "committed"
    _imported(council)
    args = ["qa", "import-cqc", str(path), "--local-authority", "Northshire", "--commit"]
    args += ["--service-type", "1-300000001=care_home_nursing"]
    runner = app.test_cli_runner()
    db.session.commit()
    with undone():
        with Faults(db.engine, fail_at=1):
            result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert (
            "Error: the database failed" in result.output and "Nothing was saved" in result.output
        )


def test_an_upload_whose_record_cannot_be_saved_leaves_no_file(
    ctx, council, tmp_path, app, monkeypatch
):
    monkeypatch.setitem(app.config, "QA_CQC_UPLOAD_DIR", str(tmp_path / "uploads"))
    folder = cqc_import.upload_folder()
    data = _file(tmp_path).read_bytes()
    before = snapshot()
    with Faults(db.engine, fail_at=1) as faults, pytest.raises(OperationalError):
        cqc_import.start_upload(Actor.system("cli"), io.BytesIO(data), "ratings.csv", None)
    assert faults.failed
    assert differences(before, snapshot()) == []
    assert files(folder) == set()
    record = cqc_import.start_upload(Actor.system("cli"), io.BytesIO(data), "ratings.csv", None)
    assert files(folder) == {record.stored_name}
