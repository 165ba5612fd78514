"""The provider is offered the progress form (and its file upload) only while progress can be
recorded, and a file sent at any other time is refused in words, never dropped (issue 13)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import EvidenceFile, PlanAction
from qa_app.services import plans, registry, standards
from qa_app.services.actors import Actor
from tests.integration.test_plans import PNG
from tests.support.client import error_summary, soup


@pytest.fixture
def setup(make, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(tmp_path))
    standards.load_directory(Actor.system("cli"))
    provider = make.provider(name="Rowan Care")
    service = make.service(provider, service_type="supported_living", name="Rowan House")
    officer, person = make.user("officer"), make.user("provider", provider)
    registry.update_service(
        Actor(officer, "web"),
        officer,
        service.id,
        {"cqc_rating": "Requires improvement", "cqc_rating_date": date(2026, 10, 1)},
        None,
    )
    plan = plans.plan_for_service(officer, service.id)
    action = plans.add_action(
        Actor(person, "web"),
        person,
        plans.view(plan).issues[0].id,
        {
            "description": "Weekly medicines audit",
            "owner": "Registered manager",
            "target_date": plans.london_today() + timedelta(days=40),
            "success_measure": "No missed doses",
        },
    )
    make.sign_in(client := app.test_client(), person)
    return {
        "plan": plan,
        "action": action,
        "officer": officer,
        "person": person,
        "client": client,
        "dir": tmp_path,
    }


def _progress(client, action_id, **extra):
    data = {
        "progress_evidence": "First audit done on Monday",
        "progress_grade": "2",
        "step": "",
        "note": "",
        "file": (io.BytesIO(PNG), "audit.png"),
        **extra,
    }
    return client.post(
        f"/portal/plans/actions/{action_id}/progress",
        data=data,
        content_type="multipart/form-data",
    )


def _nothing_kept(setup):
    db.session.expire_all()
    action = db.session.get(PlanAction, setup["action"].id)
    assert action.status == "open"
    assert not action.progress_evidence and action.progress_grade is None
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert list(setup["dir"].iterdir()) == []


def _progress_links(client, setup) -> list[str]:
    page = client.get(f"/portal/plans/{setup['plan'].id}")
    return [a["href"] for a in page.soup.select("main a[href$='/progress']")]


def _step(setup, name):
    officer, person, plan_id = setup["officer"], setup["person"], setup["plan"].id
    if name == "submit":
        plans.submit(Actor(person, "web"), person, plan_id)
    else:
        plans.accept(Actor(officer, "web"), officer, plan_id)
    db.session.commit()


@pytest.mark.parametrize("stage", ["awaiting_submission", "submitted"])
def test_before_the_plan_is_accepted_the_portal_says_what_happens_next(setup, stage):
    client, action = setup["client"], setup["action"]
    if stage == "submitted":
        _step(setup, "submit")
    assert _progress_links(client, setup) == []
    page = client.get(f"/portal/plans/actions/{action.id}/progress")
    assert page.status_code == 200
    assert page.soup.select("main form") == []  # no progress form, no file input
    text = " ".join(page.soup.select_one("main").get_text(" ").split())
    assert "What happens next" in text
    assert "once the council has accepted the plan" in text or "reviewing your plan" in text


@pytest.mark.parametrize("stage", ["awaiting_submission", "submitted"])
def test_a_file_sent_before_the_plan_is_accepted_is_refused_in_words_and_nothing_is_kept(
    setup, stage
):
    if stage == "submitted":
        _step(setup, "submit")
    refused = _progress(setup["client"], setup["action"].id)
    assert refused.status_code == 409
    [message] = error_summary(refused)
    assert "once the council has accepted the plan" in message
    assert message.startswith("audit.png was not uploaded and nothing was saved.")
    assert soup(refused).title.get_text().startswith("Error: ")
    assert "First audit done on Monday" in refused.get_data(as_text=True)  # shown, not lost
    _nothing_kept(setup)


def test_once_accepted_progress_and_its_file_are_kept_together(setup):
    _step(setup, "submit")
    _step(setup, "accept")
    client, action = setup["client"], setup["action"]
    assert _progress_links(client, setup) == [f"/portal/plans/actions/{action.id}/progress"]
    form_page = client.get(f"/portal/plans/actions/{action.id}/progress")
    assert form_page.soup.select_one("main form input[type=file]") is not None
    # refused for another reason (a grading that does not exist): neither is kept, and the
    # page says the file must be chosen again
    wrong = _progress(client, action.id, progress_grade="9")
    assert wrong.status_code == 422
    assert "audit.png has not been uploaded: choose the file again" in error_summary(wrong)
    _nothing_kept(setup)
    saved = _progress(client, action.id)
    assert saved.status_code == 302
    db.session.expire_all()
    kept = db.session.get(PlanAction, action.id)
    assert (kept.status, kept.progress_evidence) == ("in_progress", "First audit done on Monday")
    [file] = db.session.scalars(select(EvidenceFile)).all()
    assert file.filename == "audit.png" and len(list(setup["dir"].iterdir())) == 1


def test_a_completed_action_is_with_the_council_and_a_late_file_is_refused(setup):
    _step(setup, "submit")
    _step(setup, "accept")
    client, action = setup["client"], setup["action"]
    done = _progress(
        client, action.id, step="complete", note="Audits done", file=(io.BytesIO(b""), "")
    )
    assert done.status_code == 302
    page = client.get(f"/portal/plans/actions/{action.id}/progress")
    assert page.soup.select("main form") == []
    assert "The council will verify it" in page.soup.select_one("main").get_text()
    assert _progress_links(client, setup) == []
    late = _progress(client, action.id, progress_evidence="One more audit")
    assert late.status_code == 409
    [message] = error_summary(late)
    assert "marked complete" in message and "audit.png was not uploaded" in message
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert list(setup["dir"].iterdir()) == []


def test_an_empty_progress_form_is_not_saved_as_progress(setup):
    _step(setup, "submit")
    _step(setup, "accept")
    empty = setup["client"].post(
        f"/portal/plans/actions/{setup['action'].id}/progress",
        data={"progress_evidence": "", "step": "", "note": "", "file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 422
    assert error_summary(empty) == [
        "Enter the evidence of progress, choose a grading, or choose a file"
    ]
    _nothing_kept(setup)
