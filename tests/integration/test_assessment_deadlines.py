"""Issue 13, point 8: deadlines in sight. The 14 days a provider has to comment on a shared draft
show on the manager's assessment page and on the provider's portal home; "Record answers" opens
the first domain with a question still to answer."""

from datetime import date, timedelta

import pytest

from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Assessment
from qa_app.models.types import utcnow
from qa_app.services import assessments, standards
from qa_app.services.actors import Actor
from tests.support.client import soup


@pytest.fixture
def shared(make):
    standards.load_directory(Actor.system("cli"))
    officer, manager = make.user("officer"), make.user("manager")
    provider = make.provider(name="Larch Care")
    service = make.service(provider, service_type="supported_living", name="Larch House")
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 2)}
    )
    for q in assessments.questions_for(assessment):
        data = assessments.AnswerInput(score=3, evidence=f"Seen for {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    assessments.share_draft(Actor(manager, "web"), manager, assessment.id)
    return {
        "id": assessment.id,
        "manager": manager,
        "provider_user": make.user("provider", provider),
    }


def _shared_days_ago(assessment_id, days):
    assessment = db.session.get(Assessment, assessment_id)
    assessment.shared_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return long_date(assessment.shared_at + timedelta(days=14))


def _text(page) -> str:
    return " ".join(soup(page).select_one("main").get_text(" ").split())


def test_the_manager_sees_when_the_comments_are_due(client, make, shared):
    due = _shared_days_ago(shared["id"], 3)
    make.sign_in(client, shared["manager"])
    page = client.get(f"/assessments/{shared['id']}")
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in soup(page).select(".govuk-summary-list__row")
    }
    assert rows["Provider's comments due by"] == due
    assert f"The provider can comment on the draft until {due}" in _text(page)

    ended = _shared_days_ago(shared["id"], 15)
    text = _text(client.get(f"/assessments/{shared['id']}"))
    assert f"The 14 days for the provider's comments ended on {ended}" in text


def test_the_provider_sees_when_its_comments_are_due_on_its_home_page(client, make, shared):
    due = _shared_days_ago(shared["id"], 3)
    make.sign_in(client, shared["provider_user"])
    home = client.get("/portal/")
    text = _text(home)
    assert f"Comment on the draft report for Larch House by {due}." in text
    reports = soup(home).find("caption", string="Assessment reports").find_parent("table")
    row = reports.select_one("tbody tr").get_text(" ", strip=True)
    assert f"Comment by {due}" in row
    services = soup(home).select_one("table.app-portal-services tbody tr").get_text(" ", strip=True)
    assert f"Draft report: comment by {due}" in services
    link = soup(home).select_one(".govuk-inset-text a")
    assert link["href"] == f"/portal/assessments/{shared['id']}"

    ended = _shared_days_ago(shared["id"], 15)
    text = _text(client.get("/portal/"))
    assert "Comment on the draft report" not in text
    assert f"Draft: the time for comments ended on {ended}" in text
    assert "waiting for your comments" not in text


def test_record_answers_opens_the_first_domain_still_to_answer(client, make):
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer")
    service = make.service(service_type="supported_living", name="Rowan Court")
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 20)}
    )
    questions = assessments.questions_for(assessment)
    first, second = questions[0].domain_code, None
    make.sign_in(client, officer)

    def record_link():
        page = soup(client.get(f"/assessments/{assessment.id}"))
        button = next(a for a in page.select("a.govuk-button") if "Record answers" in a.text)
        return button["href"]

    assert record_link() == f"/assessments/{assessment.id}/record/{first}"
    for q in questions:
        if q.domain_code == first:
            data = assessments.AnswerInput(score=3, evidence="Seen")
            assessments.save_answer(
                Actor(officer, "web"), officer, assessment.id, q.ref, data, None
            )
        elif second is None:
            second = q.domain_code
    assert record_link() == f"/assessments/{assessment.id}/record/{second}"
