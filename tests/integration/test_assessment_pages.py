"""Planning and recording an assessment in the pages, without JavaScript."""

from datetime import date

import pytest
from sqlalchemy import select

from qa_app.domain import limits
from qa_app.extensions import db
from qa_app.models import Answer, Assessment
from qa_app.services import assessments, standards
from qa_app.services.actors import Actor
from tests.support.client import error_summary


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


def test_plan_from_the_service_page(client, make):
    standards.load_directory(Actor.system("cli"))
    make.sign_in(client, make.user("officer"))
    service = make.service(service_type="care_home_nursing", name="Oak Lodge")
    page = client.get(f"/services/{service.id}/assessments/new")
    assert (
        page.soup.select_one("#standard_set option[selected]").get_text()
        == "Care homes (residential and nursing), version 1"
    )
    missing_date = client.post(
        f"/services/{service.id}/assessments/new",
        data={"standard_set": "care_homes:1", "kind": "visit", "announced": "no"},
    )
    assert error_summary(missing_date) == ["Enter the visit date"]
    done = client.post(
        f"/services/{service.id}/assessments/new",
        data={
            "standard_set": "care_homes:1",
            "visit_date": ["3", "12", "2026"],
            "kind": "visit",
            "announced": "no",
        },
    )
    assert done.status_code == 302
    assessment = db.session.scalar(select(Assessment).where(Assessment.service_id == service.id))
    assert (assessment.visit_date, assessment.announced, assessment.status) == (
        date(2026, 12, 3),
        False,
        "planned",
    )
    overview = client.get(done.headers["Location"])
    rows = [
        [c.get_text(" ", strip=True) for c in r.select("td")]
        for r in overview.soup.select("tbody tr")
    ]
    # nursing-only questions count in a care home with nursing: D2 has 10 + 1 nursing question
    assert rows[1][:2] == ["Personalised care and support", "0 of 11"]
    assert "Oak Lodge" in client.get(f"/services/{service.id}").soup.select_one("main").get_text()


def _answer(key, score="", reason="", evidence="", sources=(), version=""):
    data = {
        f"{key}-score": score,
        f"{key}-na_reason": reason,
        f"{key}-evidence": evidence,
        f"{key}-version": version,
    }
    if sources:
        data[f"{key}-sources"] = list(sources)
    return data


def test_record_a_domain_with_the_save_button(client, visit):
    url = f"/assessments/{visit['assessment'].id}/record/D1"
    page = client.get(url)
    assert page.soup.h1.get_text(strip=True) == "Involvement and information: Rowan Court"
    assert "0 of 10 answered" in page.soup.select_one("[data-progress=D1]").get_text()
    form = {
        **_answer("QA01-1", "3", evidence="Staff knocked", sources=["observation", "people"]),
        **_answer("QA01-2", "na", reason="Nobody at home"),
    }
    response = client.post(url, data=form)
    assert response.status_code == 302
    saved = {a.question_ref: a for a in db.session.scalars(select(Answer))}
    assert (saved["QA01.1"].score, saved["QA01.1"].evidence, sorted(saved["QA01.1"].sources)) == (
        3,
        "Staff knocked",
        ["observation", "people"],
    )
    assert (saved["QA01.2"].na, saved["QA01.2"].na_reason) == (True, "Nobody at home")
    again = client.get(url)
    assert "2 of 10 answered" in again.soup.select_one("[data-progress=D1]").get_text()
    assert again.soup.select_one("#QA01-1-score-2")["value"] == "3"  # second radio is 3 Good
    assert again.soup.select_one("#QA01-1-score-2").has_attr("checked")


def test_na_without_a_reason_is_explained_and_the_rest_is_saved(client, visit):
    url = f"/assessments/{visit['assessment'].id}/record/D1"
    response = client.post(
        url, data={**_answer("QA01-1", "4"), **_answer("QA01-2", "na", evidence="typed notes")}
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Question QA01.2 (People are involved in decisions about…): "
        "Say why the question is not applicable"
    ]
    assert response.soup.select_one(".govuk-error-summary a")["href"] == "#QA01-2-na_reason"
    assert (
        response.soup.select_one("#QA01-2-evidence").get_text() == "typed notes"
    )  # nothing typed is lost
    assert db.session.scalar(select(Answer.score).where(Answer.question_ref == "QA01.1")) == 4
    assert db.session.scalar(select(Answer.id).where(Answer.question_ref == "QA01.2")) is None


def message_beside(response, href: str) -> str | None:
    """The error message in the form group of the input `href` links to (None if it has none)."""
    target = response.soup.select_one(href)
    group = target.find_parent(class_="govuk-form-group")
    message = group.select_one(".govuk-error-message")
    return " ".join(message.get_text(" ").split()).removeprefix("Error: ") if message else None


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"score": "na"}, "na_reason", "Say why the question is not applicable"),
        (
            {"score": "na", "reason": "r" * (limits.NA_REASON.chars + 1)},
            "na_reason",
            limits.NA_REASON.message,
        ),
        (
            {"score": "3", "evidence": "e" * (limits.EVIDENCE.chars + 1)},
            "evidence",
            limits.EVIDENCE.message,
        ),
        ({"score": "3", "sources": ["people", "hearsay"]}, "sources", "Unknown evidence source"),
    ],
    ids=["na-without-reason", "na-reason-too-long", "evidence-too-long", "unknown-source"],
)
def test_a_refused_answer_shows_its_message_on_the_box_to_change(
    client, visit, posted, field, message
):
    url = f"/assessments/{visit['assessment'].id}/record/D1"
    response = client.post(url, data={**_answer("QA01-1", "4"), **_answer("QA01-2", **posted)})
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: ")
    box = f"#QA01-2-{field}"
    # the summary's one link names the question and goes to the box itself
    [link] = response.soup.select(".govuk-error-summary__list a")
    assert link["href"] == box
    text = " ".join(link.get_text(" ").split())
    assert text.startswith("Question QA01.2 (People are involved in decisions about…): ")
    assert message in text
    # the message beside that box, in the same words, and nowhere else in the question
    assert message in message_beside(response, box)
    assert text.endswith(message_beside(response, box))
    answer = response.soup.select_one("#q-QA01-2")
    assert len(answer.select(".govuk-error-message")) == 1
    assert len(answer.select(".govuk-form-group--error")) == 1
    assert message_beside(response, "#QA01-2-score") is None  # not on the score's radios
    if field != "sources":
        textarea = response.soup.select_one(box)
        assert "govuk-textarea--error" in textarea["class"]
        assert f"QA01-2-{field}-error" in textarea["aria-describedby"].split()
        typed = {"na_reason": "reason", "evidence": "evidence"}[field]
        assert textarea.get_text() == posted.get(typed, "")  # what was typed is kept
    assert db.session.scalar(select(Answer.id).where(Answer.question_ref == "QA01.2")) is None
    assert db.session.scalar(select(Answer.score).where(Answer.question_ref == "QA01.1")) == 4


def test_everything_wrong_with_an_answer_is_shown_at_once(client, visit):
    url = f"/assessments/{visit['assessment'].id}/record/D1"
    too_long = "e" * (limits.EVIDENCE.chars + 1)
    response = client.post(url, data=_answer("QA01-2", "na", evidence=too_long))
    assert [a["href"] for a in response.soup.select(".govuk-error-summary__list a")] == [
        "#QA01-2-na_reason",
        "#QA01-2-evidence",
    ]
    assert message_beside(response, "#QA01-2-na_reason") == "Say why the question is not applicable"
    assert message_beside(response, "#QA01-2-evidence") == limits.EVIDENCE.message


def test_two_officers_on_one_answer(client, app, make, visit):
    url = f"/assessments/{visit['assessment'].id}/record/D1"
    client.post(url, data=_answer("QA01-1", "3", evidence="first"))
    other = app.test_client()
    make.sign_in(other, make.user("officer", name="Jo Second"))
    other.get(url)
    assert (
        other.post(url, data=_answer("QA01-1", "2", evidence="second", version="1")).status_code
        == 302
    )
    mine = client.post(url, data=_answer("QA01-1", "4", evidence="mine", version="1"))
    assert mine.status_code == 200
    assert error_summary(mine)[0].startswith("Question QA01.1 was changed by Jo Second")
    link = mine.soup.select_one(".govuk-error-summary a")["href"]
    assert link == "#QA01-1-score"  # the answer as a whole: its first radio
    assert "changed by Jo Second" in message_beside(mine, link)
    conflict = mine.soup.select_one(".app-conflict").get_text(" ", strip=True)
    assert "score 2" in conflict and "second" in conflict
    assert mine.soup.select_one("#QA01-1-evidence").get_text() == "mine"
    assert db.session.scalar(select(Answer.evidence)) == "second"
    # saving again (now against version 2) is a conscious overwrite
    version = mine.soup.select_one("input[name=QA01-1-version]")["value"]
    assert (
        client.post(url, data=_answer("QA01-1", "4", evidence="mine", version=version)).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.scalar(select(Answer.evidence)) == "mine"


def test_submit_lists_every_unanswered_question_with_a_link(client, visit):
    response = client.post(f"/assessments/{visit['assessment'].id}/submit")
    assert response.status_code == 422
    assert response.soup.title.get_text().startswith("Error: ")
    items = response.soup.select(".govuk-error-summary li a")
    assert len(items) == 54
    assert items[0]["href"].endswith("/record/D1#q-QA01-1")
    assert items[0].get_text().startswith("Answer question QA01.1:")
