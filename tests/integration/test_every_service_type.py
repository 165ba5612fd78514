"""Every type of service can be assessed; where no question set applies, the pages say so and
who can add one, instead of offering a plan that cannot be made."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Answer, Assessment, Service
from qa_app.services import standards, users
from qa_app.services.actors import Actor
from tests.support.client import error_summary

SHIPPED = Path(__file__).resolve().parents[2] / "audit_standards"
PLAN_BUTTON = "a.govuk-button[href$='/assessments/new']"


def _plan_and_record(client, service, title):
    """Plan from the service page as an officer would, then open and save the first domain."""
    page = client.get(f"/services/{service.id}")
    assert page.soup.select_one(PLAN_BUTTON).get_text(strip=True) == "Plan an assessment"
    assert page.soup.select_one("#no-question-set") is None
    form = client.get(f"/services/{service.id}/assessments/new")
    chosen = form.soup.select_one("#standard_set option[selected]")
    assert chosen.get_text() == f"{title}, version 1"
    done = client.post(
        f"/services/{service.id}/assessments/new",
        data={
            "standard_set": chosen["value"],
            "visit_date": ["3", "12", "2026"],
            "kind": "visit",
            "announced": "yes",
        },
    )
    assert done.status_code == 302, error_summary(done)
    assessment = db.session.scalar(  # the one just planned (the demo has earlier ones)
        select(Assessment)
        .where(Assessment.service_id == service.id)
        .order_by(Assessment.id.desc())
        .limit(1)
    )
    assert assessment.standard_set.key == service.service_type
    assert client.get(done.headers["Location"]).status_code == 200
    record = client.get(f"/assessments/{assessment.id}/record/D1")
    assert record.soup.h1.get_text(strip=True) == f"Involvement and information: {service.name}"
    assert record.soup.select_one("#q-QA01-1") is not None
    saved = client.post(
        f"/assessments/{assessment.id}/record/D1",
        data={
            "QA01-1-score": "3",
            "QA01-1-na_reason": "",
            "QA01-1-evidence": "Seen during the visit",
            "QA01-1-version": "",
        },
    )
    assert saved.status_code == 302, error_summary(saved)
    assert (
        db.session.scalar(
            select(Answer.score).where(
                Answer.assessment_id == assessment.id, Answer.question_ref == "QA01.1"
            )
        )
        == 3
    )
    return assessment


@pytest.mark.parametrize(
    ("service_type", "title", "expected_questions"),
    [("extra_care", "Extra care housing", 60), ("day_opportunities", "Day opportunities", 60)],
)
def test_extra_care_and_day_opportunities_can_be_assessed(
    client, make, service_type, title, expected_questions
):
    standards.load_directory(Actor.system("cli"))
    make.sign_in(client, make.user("officer"))
    service = make.service(service_type=service_type, name="Willow Court", cqc_rating="Not rated")
    assessment = _plan_and_record(client, service, title)
    overview = client.get(f"/assessments/{assessment.id}")
    counts = [r.select("td")[1].get_text(strip=True) for r in overview.soup.select("tbody tr")[:5]]
    assert sum(int(c.split(" of ")[1]) for c in counts) == expected_questions


@pytest.fixture
def only_home_support(tmp_path):
    """Sets loaded for home support only: other types of service have none."""
    folder = tmp_path / "sets"
    folder.mkdir()
    shutil.copy(SHIPPED / "home_support.v1.yaml", folder)
    standards.load_directory(Actor.system("cli"), folder)


def test_a_type_of_service_without_a_set_says_so_and_who_can_add_one(
    client, make, only_home_support
):
    officer = make.user("officer")
    make.sign_in(client, officer)
    service = make.service(service_type="extra_care", name="Kestrel Court")
    page = client.get(f"/services/{service.id}")
    assert page.soup.select_one(PLAN_BUTTON) is None  # no dead end
    notice = " ".join(page.soup.select_one("#no-question-set").get_text().split())
    assert "No question set applies to extra care services yet" in notice
    assert "An administrator can add one: Standards, then Upload a new version." in notice
    assert page.soup.select_one("#no-question-set a[href$='/admin/standards/upload']") is None
    # the planning page, reached directly, says the same and offers no form
    plan_page = client.get(f"/services/{service.id}/assessments/new")
    assert plan_page.soup.select_one("#no-question-set") is not None
    assert plan_page.soup.select_one("main form") is None
    posted = client.post(
        f"/services/{service.id}/assessments/new",
        data={"visit_date": ["3", "12", "2026"], "kind": "visit", "announced": "yes"},
    )
    assert posted.status_code == 200 and error_summary(posted) == []
    assert db.session.scalar(select(Assessment.id)) is None
    # the API says why, and who can put it right
    headers = {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), officer)}"}
    refused = client.post(
        "/api/v1/assessments",
        json={"service_id": service.id, "visit_date": "2026-12-03"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json["details"] == {
        "standard_set_key": "No question set applies to extra care services yet. An "
        "administrator can add one: Standards, then Upload a new version"
    }
    # a type of service that has a set still offers the plan
    home = make.service(service_type="home_support")
    assert client.get(f"/services/{home.id}").soup.select_one(PLAN_BUTTON) is not None
    # an administrator is taken straight to the upload
    make.sign_in(client, make.user("admin"))
    link = client.get(f"/services/{service.id}").soup.select_one(
        "#no-question-set a[href$='/admin/standards/upload']"
    )
    assert link.get_text(strip=True) == "Upload a new version"


def test_the_demo_extra_care_and_day_opportunities_services_can_be_assessed(app, client, make):
    result = app.test_cli_runner().invoke(args=["qa", "seed-demo"])
    assert result.exit_code == 0, result.output
    make.sign_in(client, users.find_user_by_email("officer@demo.example"))
    demo = {s.name: s for s in db.session.scalars(select(Service))}
    assert demo["Kingsway Court"].service_type == "extra_care"
    assert demo["Ashdown Centre"].service_type == "day_opportunities"
    _plan_and_record(client, demo["Kingsway Court"], "Extra care housing")
    _plan_and_record(client, demo["Ashdown Centre"], "Day opportunities")
    # every service of the demo can be assessed
    for service in demo.values():
        assert standards.has_set_for(service.service_type), service.name
