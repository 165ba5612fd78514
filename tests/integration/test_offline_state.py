"""What the assessment's pages tell their scripts so that a visit can be taken offline (issue 15):
every domain's page, each answer's version and completeness, the files a stored page needs, and
whether answers may still be changed. The lists say which assessment each row is."""

import json
import re
from datetime import date

import pytest

from qa_app.extensions import db
from qa_app.services import assessments, standards
from qa_app.services.actors import Actor


@pytest.fixture
def visit(make, client):
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer", name="Sam Officer")
    service = make.service(service_type="supported_living", name="Rowan Court")
    make.sign_in(client, officer)
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 20)}
    )
    return {"assessment": assessment, "officer": officer, "service": service}


def _state(page) -> dict:
    block = page.soup.select_one("script#device-state")
    assert block is not None and block["type"] == "application/json"
    return json.loads(block.string)


def _save(visit, ref, score, evidence, version=None, na_reason=None):
    return assessments.save_answer(
        Actor(visit["officer"], "web"),
        visit["officer"],
        visit["assessment"].id,
        ref,
        assessments.AnswerInput(score, na_reason, evidence, ()),
        version,
    )


def test_every_recording_page_and_the_overview_carry_the_whole_assessment(client, visit):
    assessment_id = visit["assessment"].id
    _save(visit, "QA01.1", 3, "Knocked and waited.")
    answer = _save(visit, "QA01.1", 4, "Knocked, waited, used names.", version=1)
    _save(visit, "QA01.3", assessments.NOT_GIVEN, "Notes only, no score yet.")

    record = client.get(f"/assessments/{assessment_id}/record/D1")
    overview = client.get(f"/assessments/{assessment_id}")
    state = _state(record)
    assert _state(overview) == state  # the same assessment, whichever page was stored

    questions = assessments.questions_for(visit["assessment"])
    codes = [d["code"] for d in visit["assessment"].standard_set.document["domains"]]
    assert [d["code"] for d in state["domains"]] == codes
    assert [d["url"] for d in state["domains"]] == [
        f"/assessments/{assessment_id}/record/{code}" for code in codes
    ]
    assert sum(len(d["refs"]) for d in state["domains"]) == len(questions)
    assert state["overview"] == f"/assessments/{assessment_id}"
    assert state["list"] == "/assessments"
    assert state["api"] == f"/api/v1/assessments/{assessment_id}"
    assert state["answers"] == {
        "QA01.1": {"version": answer.version, "complete": True},
        "QA01.3": {"version": 1, "complete": False},
    }
    assert answer.version == 2
    assert (state["status"], state["editable"]) == ("in_progress", True)
    assert state["editable_statuses"] == ["planned", "in_progress"]

    # Every file a stored page needs is there to be stored, and is served.
    # the scripts at their fingerprinted addresses (web/assets.py): /static/app.<hash>.js
    plain = {re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", path) for path in state["files"]}
    assert "/static/app.js" in plain and "/static/device.js" in plain
    assert any(f.startswith("/assets/fonts/") and f.endswith(".woff2") for f in state["files"])
    for address in state["files"]:
        response = client.get(address)
        response.close()
        assert response.status_code == 200, address


def test_the_pages_say_when_answers_can_no_longer_be_changed(client, visit):
    assessment = visit["assessment"]
    assessment.status = "published"
    db.session.commit()
    state = _state(client.get(f"/assessments/{assessment.id}/record/D2"))
    assert (state["status"], state["editable"]) == ("published", False)


def test_the_lists_name_each_assessment_for_the_script(client, visit):
    assessment_id = visit["assessment"].id
    for address in ("/assessments", f"/services/{visit['service'].id}"):
        page = client.get(address)
        table = page.soup.select_one("table[data-assessment-rows]")
        assert json.loads(table["data-editable-statuses"]) == ["planned", "in_progress"]
        row = table.select_one(f"tr[data-assessment='{assessment_id}']")
        assert (row["data-status"], row["data-api"]) == (
            "planned",
            f"/api/v1/assessments/{assessment_id}",
        )
        assert row.select_one("[data-device-note]").has_attr("hidden")
