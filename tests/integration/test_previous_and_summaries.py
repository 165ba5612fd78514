"""The previous visit beside each question, and the officer's written summaries (issue 15,
item 6): the recording page, the API, the report and its PDF, and who may see and change what."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from qa_app.domain import limits
from qa_app.extensions import db
from qa_app.models import AssessmentSummary
from qa_app.services import assessments, standards, users
from qa_app.services.actors import Actor
from qa_app.services.previous_visit import previous_visit
from tests.support.client import error_summary


def _record_all(actor, officer, assessment, score_of=lambda ref: 3):
    db.session.expire_all()  # the API may have changed it (its status) in its own session
    for q in assessments.questions_for(assessment):
        assessments.save_answer(
            actor,
            officer,
            assessment.id,
            q.ref,
            assessments.AnswerInput(
                score=score_of(q.ref), evidence=f"Last time: {q.ref}", sources=("records",)
            ),
            None,
        )


@pytest.fixture
def world(make, client):
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer", name="Sam Officer")
    manager = make.user("manager", name="Mo Manager")
    provider = make.provider()
    service = make.service(provider, service_type="home_support", name="Willow Care")
    as_officer, as_manager = Actor(officer, "cli"), Actor(manager, "cli")
    past = assessments.plan(
        as_officer, officer, {"service_id": service.id, "visit_date": date(2026, 3, 12)}
    )
    # QA01.1 scored 1 (Poor): its standard is then at most Requires improvement
    _record_all(as_officer, officer, past, lambda ref: 1 if ref == "QA01.1" else 3)
    assessments.submit(as_officer, officer, past.id)
    assessments.publish(as_manager, manager, past.id)
    current = assessments.plan(
        as_officer, officer, {"service_id": service.id, "visit_date": date(2026, 11, 20)}
    )
    token = users.create_token(Actor.system("cli"), officer)
    return {
        "officer": officer,
        "manager": manager,
        "provider": provider,
        "service": service,
        "past": past,
        "current": current,
        "headers": {"Authorization": f"Bearer {token}"},
    }


def _headers(user):
    return {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), user)}"}


# ---------------------------------------------------------------- the previous visit


def test_the_previous_visit_is_beside_each_question(client, make, world):
    make.sign_in(client, world["officer"])
    page = client.get(f"/assessments/{world['current'].id}/record/D1")
    first = page.soup.select_one("#q-QA01-1 .app-previous")
    assert first.select_one("summary").get_text(" ", strip=True) == (
        "Last visit (12 March 2026): 1 Poor"
    )
    text = first.get_text(" ", strip=True)
    assert "Evidence notes: Last time: QA01.1" in text
    assert "Evidence from: Records" in text
    assert "Standard QA01 was rated Requires improvement" in text
    second = page.soup.select_one("#q-QA01-2 .app-previous summary").get_text(" ", strip=True)
    assert second == "Last visit (12 March 2026): 3 Good"
    # every question on the page has it, and it is read-only (no inputs inside)
    blocks = page.soup.select(".app-answer")
    assert len(page.soup.select(".app-previous")) == len(blocks) > 5
    assert not page.soup.select(".app-previous input, .app-previous textarea")


def test_no_previous_visit_without_a_published_one_nor_for_itself(client, make, world):
    make.sign_in(client, world["officer"])
    # the published assessment's own page shows no "last visit": it is that visit
    own = client.get(f"/assessments/{world['past'].id}/record/D1")
    assert not own.soup.select(".app-previous")
    other_service = make.service(world["provider"], service_type="home_support", name="New")
    first_visit = assessments.plan(
        Actor(world["officer"], "cli"),
        world["officer"],
        {"service_id": other_service.id, "visit_date": date(2026, 11, 20)},
    )
    page = client.get(f"/assessments/{first_visit.id}/record/D1")
    assert page.status_code == 200 and not page.soup.select(".app-previous")


def test_a_correction_does_not_show_the_visit_it_corrects(world):
    revision = assessments.start_correction(
        Actor(world["manager"], "cli"), world["manager"], world["past"].id, "Typo in QA01.2"
    )
    assert previous_visit(revision) is None
    assert previous_visit(world["current"]).assessment_id == world["past"].id


def _statements(call):
    counted = []

    def count(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(counted)


def test_one_query_for_all_the_previous_answers_however_many_questions(world):
    """The previous visit costs the same statements for a page of any size: the latest
    published (rules.latest_published_of), its questions and its answers."""
    db.session.expire_all()
    current = world["current"]
    assert current.standard_set.key and current.service.service_type  # loaded, as a page has it
    found, statements = _statements(lambda: previous_visit(current))
    assert len(found.answers) == len(assessments.questions_for(current)) > 50
    assert statements == 3, statements


def test_the_recording_page_costs_the_same_statements_for_each_domain(client, make, world):
    make.sign_in(client, world["officer"])
    url = f"/assessments/{world['current'].id}/record/"
    client.get(url + "D1")  # warm: fingerprints, the session
    sizes = {}
    for code in ("D1", "D2", "D3", "D4", "D5"):
        page, statements = _statements(lambda code=code: client.get(url + code))
        sizes[code] = (len(page.soup.select(".app-previous")), statements)
    assert len({n for n, _ in sizes.values()}) > 1  # domains of different sizes
    assert len({s for _, s in sizes.values()}) == 1, sizes


# ---------------------------------------------------------------- summaries through the API


def _put(client, world, part, body, headers=None):
    return client.put(
        f"/api/v1/assessments/{world['current'].id}/summaries/{part}",
        json=body,
        headers=headers or world["headers"],
    )


def test_save_a_summary_with_versions(client, world):
    first = _put(client, world, "D1", {"text": "Staff know people well."})
    assert first.status_code == 200, first.json
    assert (first.json["part"], first.json["version"], first.json["heading"]) == (
        "D1",
        1,
        "Summary: Involvement and information",
    )
    assert first.json["updated_by"] == "Sam Officer"
    again = _put(
        client, world, "D1", {"text": "Staff know people well. Plans are late.", "version": 1}
    )
    assert again.status_code == 200 and again.json["version"] == 2
    # the same text again (a retry whose reply was lost) is not a clash
    retry = _put(
        client, world, "D1", {"text": "Staff know people well. Plans are late.", "version": 1}
    )
    assert retry.status_code == 200 and retry.json["version"] == 2
    stale = _put(client, world, "D1", {"text": "Something else", "version": 1})
    assert stale.status_code == 409
    assert stale.json["details"]["current"]["text"] == "Staff know people well. Plans are late."
    assert stale.json["details"]["current_version"] == 2
    no_version = _put(client, world, "D1", {"text": "Something else"})
    assert no_version.status_code == 409
    overall = _put(client, world, "overall", {"text": "A service that is improving."})
    assert overall.status_code == 200
    body = client.get(f"/api/v1/assessments/{world['current'].id}", headers=world["headers"]).json
    assert [s["part"] for s in body["summaries"]] == ["overall", "D1", "D2", "D3", "D4", "D5"]
    assert body["summaries"][0]["text"] == "A service that is improving."
    assert body["summaries"][1]["text"] == "Staff know people well. Plans are late."
    assert body["summaries"][2] == {
        "part": "D2",
        "heading": body["summaries"][2]["heading"],
        "text": "",
        "version": None,
        "updated_by": None,
        "updated_at": None,
    }
    assert body["status"] == "in_progress"  # writing a summary is recording


def test_limits_are_refused_never_cut(client, world):
    domain_limit = limits.DOMAIN_SUMMARY.chars
    too_long = _put(client, world, "D1", {"text": "x" * (domain_limit + 1)})
    assert too_long.status_code == 422
    assert too_long.json["details"] == {"text": limits.DOMAIN_SUMMARY.message}
    assert _put(client, world, "D1", {"text": "x" * domain_limit}).status_code == 200
    overall_limit = limits.OVERALL_SUMMARY.chars
    assert _put(client, world, "overall", {"text": "y" * overall_limit}).status_code == 200
    over = _put(client, world, "overall", {"text": "y" * (overall_limit + 1), "version": 1})
    assert over.status_code == 422
    texts = dict(db.session.execute(select(AssessmentSummary.part, AssessmentSummary.text)).all())
    assert texts == {"D1": "x" * domain_limit, "overall": "y" * overall_limit}


def test_unknown_part_and_status_refusal(client, world):
    assert _put(client, world, "D9", {"text": "no such domain"}).status_code == 404
    assert _put(client, world, "Overall", {"text": "not the name"}).status_code == 404
    past = client.put(
        f"/api/v1/assessments/{world['past'].id}/summaries/D1",
        json={"text": "after publication"},
        headers=world["headers"],
    )
    assert past.status_code == 409 and "cannot be changed" in past.json["error"]
    assert db.session.scalar(select(AssessmentSummary.id)) is None


@pytest.mark.parametrize("role", ["officer", "manager", "admin"])
def test_staff_may_write_summaries(client, make, world, role):
    assert _put(client, world, "D2", {"text": role}, _headers(make.user(role))).status_code == 200


def test_a_provider_can_neither_write_nor_read_summaries_before_sharing(client, make, world):
    own = make.user("provider", world["provider"])
    stranger = make.user("provider", make.provider())
    _put(client, world, "overall", {"text": "The council's view"})
    for user in (own, stranger):
        assert _put(client, world, "D1", {"text": "mine"}, _headers(user)).status_code == 404
        read = client.get(f"/api/v1/assessments/{world['current'].id}", headers=_headers(user))
        assert read.status_code == 404
    # once shared, the provider reads the summaries with the draft
    officer, manager = world["officer"], world["manager"]
    _record_all(Actor(officer, "cli"), officer, world["current"])
    assessments.submit(Actor(officer, "cli"), officer, world["current"].id)
    assessments.share_draft(Actor(manager, "cli"), manager, world["current"].id)
    read = client.get(f"/api/v1/assessments/{world['current'].id}", headers=_headers(own))
    assert read.status_code == 200
    assert read.json["summaries"][0]["text"] == "The council's view"
    other = client.get(f"/api/v1/assessments/{world['current'].id}", headers=_headers(stranger))
    assert other.status_code == 404
    assert _put(client, world, "D1", {"text": "mine"}, _headers(own)).status_code == 404


# ---------------------------------------------------------------- summaries on the pages


def test_the_save_button_saves_summaries_without_javascript(client, make, world):
    make.sign_in(client, world["officer"])
    base = f"/assessments/{world['current'].id}/record/"
    first = client.get(base + "D1")
    assert first.soup.select_one("#summary_D1-text") is not None
    assert first.soup.select_one("#summary_overall-text") is None  # only on the last domain
    saved = client.post(base + "D1", data={"summary_D1-text": "Line one\r\nLine two"})
    assert saved.status_code == 302
    banner = client.get(saved.headers["Location"]).soup.select_one(".govuk-notification-banner")
    assert "1 summary saved" in banner.get_text()
    assert db.session.scalar(select(AssessmentSummary.text)) == "Line one\nLine two"
    hint = client.get(f"/assessments/{world['current'].id}").soup.select_one("#summaries-hint")
    assert hint.a["href"] == base + "D5"  # the overview says where the overall summary goes
    last = client.get(base + "D5")
    assert last.soup.select_one("#summary_D5-text") is not None
    assert last.soup.select_one("#summary_overall-text") is not None
    too_long = "z" * (limits.OVERALL_SUMMARY.chars + 1)
    refused = client.post(base + "D5", data={"summary_overall-text": too_long})
    assert refused.status_code == 200
    assert error_summary(refused) == [limits.OVERALL_SUMMARY.message]
    assert refused.soup.select_one(".govuk-error-summary a")["href"] == "#summary_overall-text"
    assert refused.soup.select_one("#summary_overall-text").get_text() == too_long  # kept
    assert (
        db.session.scalar(select(AssessmentSummary.id).where(AssessmentSummary.part == "overall"))
        is None
    )


def test_two_officers_on_one_summary_without_javascript(client, app, make, world):
    make.sign_in(client, world["officer"])
    url = f"/assessments/{world['current'].id}/record/D1"
    client.post(url, data={"summary_D1-text": "first"})
    other = app.test_client()
    make.sign_in(other, make.user("officer", name="Jo Second"))
    assert (
        other.post(url, data={"summary_D1-text": "second", "summary_D1-version": "1"}).status_code
        == 302
    )
    mine = client.post(url, data={"summary_D1-text": "mine", "summary_D1-version": "1"})
    assert mine.status_code == 200
    assert "changed by Jo Second" in error_summary(mine)[0]
    assert "second" in mine.soup.select_one("#q-summary_D1 .app-conflict").get_text()
    assert mine.soup.select_one("#summary_D1-text").get_text() == "mine"
    assert mine.soup.select_one("input[name=summary_D1-version]")["value"] == "2"


def test_read_only_once_submitted(client, make, world):
    officer = world["officer"]
    _record_all(Actor(officer, "cli"), officer, world["current"])
    assessments.submit(Actor(officer, "cli"), officer, world["current"].id)
    make.sign_in(client, officer)
    page = client.get(f"/assessments/{world['current'].id}/record/D1")
    assert page.soup.select_one("#summary_D1-text").has_attr("disabled")


# ---------------------------------------------------------------- the report and its PDF


def test_report_and_pdf_print_the_summaries(client, make, world):
    _put(client, world, "overall", {"text": "Overall, a caring service.\nRecords need work."})
    _put(client, world, "D2", {"text": "Care plans are personal and up to date."})
    officer, manager = world["officer"], world["manager"]
    _record_all(Actor(officer, "cli"), officer, world["current"])
    assessments.submit(Actor(officer, "cli"), officer, world["current"].id)
    make.sign_in(client, manager)
    report = client.get(f"/assessments/{world['current'].id}/report")
    overall = report.soup.select_one("#summary-overall")
    assert overall.get_text(" ", strip=True) == (
        "Overall summary Overall, a caring service. Records need work."
    )
    # the overall summary comes before the ratings; the domain's with its domain
    main = str(report.soup.select_one("main"))
    assert main.index('id="summary-overall"') < main.index("app-ratings")
    d2 = report.soup.select_one("#summary-D2")
    assert "Care plans are personal" in d2.get_text()
    assert d2.find_previous("h3").get_text(strip=True) == "Personalised care and support"
    assert report.soup.select_one("#summary-D1") is None  # none written: nothing printed
    pdf = client.get(f"/assessments/{world['current'].id}/report.pdf")
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages]
    assert "Overall summary Overall, a caring service. Records need work." in pages[0]
    d2_pages = [p for p in pages if "Care plans are personal and up to date." in p]
    assert d2_pages and "Personalised care and support Summary Care plans" in d2_pages[0]


def test_the_provider_sees_summaries_only_on_a_shared_or_published_report(client, make, world):
    _put(client, world, "overall", {"text": "Shared with the draft."})
    own = make.user("provider", world["provider"])
    make.sign_in(client, own)
    assert client.get(f"/portal/assessments/{world['current'].id}").status_code == 404
    officer, manager = world["officer"], world["manager"]
    _record_all(Actor(officer, "cli"), officer, world["current"])
    assessments.submit(Actor(officer, "cli"), officer, world["current"].id)
    assert client.get(f"/portal/assessments/{world['current'].id}").status_code == 404
    assessments.share_draft(Actor(manager, "cli"), manager, world["current"].id)
    shared = client.get(f"/portal/assessments/{world['current'].id}")
    assert "Shared with the draft." in shared.soup.select_one("#summary-overall").get_text()


def test_a_correction_starts_with_the_published_summaries(client, world):
    past = world["past"]
    db.session.add(AssessmentSummary(assessment_id=past.id, part="overall", text="As published"))
    db.session.commit()
    revision = assessments.start_correction(
        Actor(world["manager"], "cli"), world["manager"], past.id, "A correction"
    )
    texts = db.session.scalars(
        select(AssessmentSummary.text).where(AssessmentSummary.assessment_id == revision.id)
    ).all()
    assert texts == ["As published"]
