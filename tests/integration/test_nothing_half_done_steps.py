"""Nothing half-done, for the other steps that write several rows (issue 18, item 6): issuing a
notice with a placement stop, the provider submitting a plan and recording progress with an
evidence file, the council accepting it, a photo added to an answer and a correction of a
published assessment (which copies its photos' files). Each is one transaction: a database
error at any of its writes leaves every table and every kept file as before, and the step then
succeeds when done again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assessment, PlanAction
from qa_app.services import (
    answer_photos,
    assessments,
    evidence_store,
    notices,
    plans,
    service_closing,
)
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from tests.integration.test_nothing_half_done import requires_improvement, submitted
from tests.integration.test_nothing_half_done import world as world
from tests.support.faults import fails_cleanly_at_every_write, files
from tests.support.photos import camera_jpeg

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def evidence(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return tmp_path / "evidence"


def _published(world):
    manager = world["manager"]
    assessment = submitted(world, requires_improvement)
    return assessments.publish(Actor(manager, "web"), manager, assessment.id)


def _plan_with_actions(world):
    _published(world)
    plan = plans.plan_for_service(world["manager"], world["service"].id)
    person = world["provider_user"]
    for issue in plans.view(plan).issues:
        plans.add_action(
            Actor(person, "web"),
            person,
            issue.id,
            {
                "description": f"Put right {issue.standard_code}",
                "owner": "Registered manager",
                "target_date": london_today() + timedelta(days=30),
                "success_measure": "Seen at the next visit",
            },
        )
    return plan


def test_issuing_a_notice_with_a_placement_stop_is_whole_or_not_at_all(world):
    manager = world["manager"]
    draft, _ = notices.draft_for(Actor(manager, "web"), world["service"].id)
    notices.add_requirement(
        Actor(manager, "web"), manager, draft.id, "Fix the rota", london_today() + timedelta(14)
    )
    draft.grounds = "Staffing fell below the contract's levels on three visits"
    db.session.commit()
    start = london_today() + timedelta(days=1)
    _writes, issued = fails_cleanly_at_every_write(
        lambda: notices.issue(Actor(manager, "web"), manager, draft.id, placement_stop_start=start)
    )
    assert issued.status == "issued" and issued.placement_stop_start == start
    db.session.refresh(world["service"])
    assert world["service"].placement_stop_since == start
    assert world["service"].risk == "red"


def test_submitting_and_accepting_a_plan_are_each_whole_or_not_at_all(world):
    plan = _plan_with_actions(world)
    person, manager = world["provider_user"], world["manager"]
    _writes, done = fails_cleanly_at_every_write(
        lambda: plans.submit(Actor(person, "web"), person, plan.id)
    )
    assert done.status == "submitted"
    _writes, done = fails_cleanly_at_every_write(
        lambda: plans.accept(Actor(manager, "web"), manager, plan.id)
    )
    assert done.status == "accepted"


def test_progress_with_an_evidence_file_is_kept_whole_or_not_at_all(world, evidence):
    plan = _plan_with_actions(world)
    person, manager = world["provider_user"], world["manager"]
    plans.submit(Actor(person, "web"), person, plan.id)
    plans.accept(Actor(manager, "web"), manager, plan.id)
    action = db.session.scalars(select(PlanAction).where(PlanAction.plan_id == plan.id)).first()
    _writes, done = fails_cleanly_at_every_write(
        lambda: plans.record_progress(
            Actor(person, "web"),
            person,
            action.id,
            {"progress_evidence": "New rota in use", "progress_grade": "2", "step": "start"},
            evidence=("rota.png", PNG),
        ),
        folders=(evidence,),
    )
    assert done.status == "in_progress"
    assert len(files(evidence)) == 1


def test_a_photo_on_an_answer_and_a_correction_copying_it_are_whole_or_not_at_all(world, evidence):
    officer, manager = world["officer"], world["manager"]
    assessment = submitted(world, requires_improvement)
    db.session.refresh(assessment)
    # back to the officer, to add a photo, then published with it
    assessments.return_to_officer(Actor(manager, "web"), manager, assessment.id, "Add a photo")
    ref = assessments.questions_for(assessment)[0].ref
    _writes, added = fails_cleanly_at_every_write(
        lambda: answer_photos.add_photo(
            Actor(officer, "web"),
            officer,
            assessment.id,
            ref,
            "kitchen.jpg",
            camera_jpeg(),
            "photo-0001",
        ),
        folders=(evidence,),
    )
    assert added.created and len(files(evidence)) == 2  # the photo and its thumbnail
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    assessments.publish(Actor(manager, "web"), manager, assessment.id)
    _writes, revision = fails_cleanly_at_every_write(
        lambda: assessments.start_correction(
            Actor(manager, "web"), manager, assessment.id, "A score was mistyped"
        ),
        folders=(evidence,),
    )
    assert revision.revision_of_id == assessment.id
    assert len(files(evidence)) == 4  # the copies, once
    assert evidence_store.evidence_dir() == evidence


def test_closing_a_service_that_cancels_its_planned_visits_is_whole_or_not_at_all(world):
    officer, manager = world["officer"], world["manager"]
    service = world["service"]
    for days in (10, 20):
        assessments.plan(
            Actor(officer, "web"),
            officer,
            {"service_id": service.id, "visit_date": london_today() + timedelta(days=days)},
        )
    _writes, closed = fails_cleanly_at_every_write(
        lambda: service_closing.close_service(
            Actor(manager, "web"), manager, service.id, london_today(), "Deregistered by CQC"
        ),
        minimum=4,
    )
    assert closed.closed_on == london_today()
    assert (
        db.session.scalars(select(Assessment).where(Assessment.service_id == service.id)).all()
        == []
    )
