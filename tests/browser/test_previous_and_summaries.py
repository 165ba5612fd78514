"""The previous visit beside each question, and the summaries an officer writes (issue 15, item
6), in Chromium: the last visit shown (read-only, calm) beside each question and on the stored
copy of the page; a domain summary typed with the network cut, kept over a reload, sent once
when the connection returns; the overall summary on the last domain's page; the report printing
both. Screenshots at 1280, 768 and 375 px wide."""

from __future__ import annotations

import json
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.network import Network
from tests.browser.pages import Site, check_accessibility

VISIT = date(2027, 7, 1)
SERVICE = "Heathervale Lodge"  # the demo's published visit is here


def _plan(live_server) -> int:
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Service, User
    from qa_app.services import assessments
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
        service = db.session.scalar(select(Service).where(Service.name == SERVICE))
        return assessments.plan(
            Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": VISIT}
        ).id


def _previous(live_server, assessment_id: int):
    """What the server says the previous visit is (its date, and its first answers)."""
    from qa_app.extensions import db
    from qa_app.models import Assessment
    from qa_app.services.previous_visit import previous_visit

    with live_server.app.app_context():
        found = previous_visit(db.session.get(Assessment, assessment_id))
        assert found is not None, "the demo's service has a published visit on the same set"
        return found


def _domains(live_server, assessment_id: int) -> list[tuple[str, str]]:
    from qa_app.extensions import db
    from qa_app.models import Assessment

    with live_server.app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        return [(d["code"], d["title"]) for d in assessment.standard_set.document["domains"]]


def _summaries(live_server, assessment_id: int) -> dict[str, tuple[str, int, int]]:
    """Each summary on the server: (text, version, times saved in the audit trail)."""
    from sqlalchemy import func, select

    from qa_app.extensions import db
    from qa_app.models import AssessmentSummary, AuditEvent

    with live_server.app.app_context():
        saves = db.session.scalar(
            select(func.count()).where(
                AuditEvent.entity_type == "assessment",
                AuditEvent.entity_id == assessment_id,
                AuditEvent.action == "summary_saved",
            )
        )
        rows = db.session.scalars(
            select(AssessmentSummary).where(AssessmentSummary.assessment_id == assessment_id)
        )
        return {s.part: (s.text, s.version, saves) for s in rows}


def _colleague_writes(live_server, assessment_id: int, part: str, text: str) -> None:
    """Another officer (Jordan Reid) changes a summary, from their own laptop."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Assessment, User
    from qa_app.services import assessment_summaries
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        colleague = db.session.scalar(select(User).where(User.email == "officer2@demo.example"))
        assessment = db.session.get(Assessment, assessment_id)
        current = assessment_summaries.summaries_for(assessment).get(part)
        assessment_summaries.save_summary(
            Actor(colleague, "web"),
            colleague,
            assessment_id,
            part,
            text,
            current.version if current else None,
        )


def _device(page: Page, assessment_id: int) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('qa-unsaved-{assessment_id}')") or "{}")


def _arrived(site: Site, network: Network | None, h1: str) -> Page:
    expect(site.page.locator("h1")).to_have_text(h1)
    site.page.wait_for_load_state("load")
    check_accessibility(site.page)
    if network is not None:
        network.expected_errors()
    assert not site.browser_errors, f"browser errors on {site.page.url}: {site.browser_errors}"
    return site.page


@pytest.fixture
def officer(site):
    site.sign_in("officer@demo.example")
    return site


def test_the_last_visit_beside_each_question_and_a_summary_written_offline(officer, live_server):
    site, page = officer, officer.page
    assessment_id = _plan(live_server)
    domains = _domains(live_server, assessment_id)
    first_code, first_title = domains[0]
    last_code, last_title = domains[-1]
    previous = _previous(live_server, assessment_id)
    title = f"{first_title}: {SERVICE}"
    path = f"/assessments/{assessment_id}/record/{first_code}"
    site.visit(path, title)
    expect(page.locator("#offline-ready")).to_have_text(
        "Ready to use offline: 7 pages stored", timeout=30_000
    )

    # The last visit, closed and quiet beside every question, with what it found.
    blocks = page.locator(".app-answer")
    lasts = page.locator(".app-answer .app-previous")
    expect(lasts).to_have_count(blocks.count())
    first = blocks.first
    ref = first.get_attribute("data-ref")
    before = previous.answers[ref]
    when = f"{previous.visit_date.day} {previous.visit_date:%B %Y}"
    last = first.locator(".app-previous")
    expect(last.locator("summary")).to_have_text(f"Last visit ({when}): {before.score}")
    expect(last.locator(".govuk-details__text")).to_be_hidden()
    last.locator("summary").click()
    expect(last.locator(".govuk-details__text")).to_contain_text(before.evidence)
    expect(last.locator(".govuk-details__text")).to_contain_text(
        f"Standard {before.standard_code} was rated {before.standard_rating}"
    )
    expect(last.locator("input, textarea")).to_have_count(0)  # read-only
    first.scroll_into_view_if_needed()
    site.screenshot("previous-visit-1280", full_page=False)

    # A domain summary typed with the network cut: kept on this device, over a reload.
    network = Network(site, live_server.line)
    summary = page.locator(f"[data-ref='summary_{first_code}']")
    box = summary.get_by_label("Summary of this domain")
    typed = "People know their plans. Two reviews were late.\nRelatives feel listened to."
    network.cut()
    box.fill(typed)
    expect(summary.locator(".app-save-state")).to_contain_text("Not saved yet", timeout=10_000)
    assert _device(page, assessment_id)[f"summary_{first_code}"]["payload"]["text"] == typed
    expect(page.locator("#connection-state")).to_have_text(
        "Offline. 1 summary is kept on this device and will be sent when the connection returns."
    )
    summary.scroll_into_view_if_needed()
    site.screenshot("summary-offline-1280", full_page=False)

    page.goto(path)  # the stored copy of the page: the network is still down
    _arrived(site, network, title)
    expect(box).to_have_value(typed)
    expect(summary.locator(".app-save-state")).to_contain_text("Not saved yet")
    # the stored page has the last visit too (it is part of the page)
    expect(page.locator(".app-answer .app-previous")).to_have_count(blocks.count())
    assert _summaries(live_server, assessment_id) == {}
    # the stored overview says what waits, and Submit waits for it
    page.goto(f"/assessments/{assessment_id}")
    _arrived(site, network, f"Assessment of {SERVICE}")
    waiting = page.locator(".app-waiting")
    expect(waiting).to_contain_text("1 summary typed on this device is not saved yet.")
    expect(waiting).to_contain_text(f"{first_title}: 1 summary")
    page.goto(path)
    _arrived(site, network, title)

    network.restore()
    expect(summary.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    network.expected_errors()
    assert _summaries(live_server, assessment_id) == {first_code: (typed, 1, 1)}  # sent once
    assert _device(page, assessment_id) == {}

    # Changed again after a reload online: the next version, never a clash with my own save.
    page.reload()
    _arrived(site, None, title)
    expect(box).to_have_value(typed)
    box.fill(typed + " Medicines are checked weekly.")
    expect(summary.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    text, version, saves = _summaries(live_server, assessment_id)[first_code]
    assert (text, version, saves) == (typed + " Medicines are checked weekly.", 2, 2)

    # The overall summary is on the last domain's page.
    site.visit(f"/assessments/{assessment_id}/record/{last_code}", f"{last_title}: {SERVICE}")
    overall = page.locator("[data-ref='summary_overall']")
    expect(overall.locator("h2")).to_have_text("Overall summary")
    overall.get_by_label("Overall summary of this assessment").fill(
        "A caring home that is improving; records still need work."
    )
    expect(overall.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    assert _summaries(live_server, assessment_id)["overall"][:2] == (
        "A caring home that is improving; records still need work.",
        1,
    )
    # A colleague changes the overall summary while my change waits: both shown, theirs kept.
    network.cut()
    overall.get_by_label("Overall summary of this assessment").fill("Mine: improving.")
    expect(overall.locator(".app-save-state")).to_contain_text("Not saved yet")
    _colleague_writes(live_server, assessment_id, "overall", "Theirs: improving fast.")
    network.restore()
    clash = overall.locator(".app-clash")
    expect(clash).to_contain_text("Jordan Reid changed the overall summary", timeout=20_000)
    site.browser_errors = [e for e in site.browser_errors if "status of 409" not in e]
    network.expected_errors()
    expect(page.locator("#connection-state")).to_have_text(
        "1 summary is not saved yet. 1 summary needs your decision."
    )
    mine, theirs = clash.locator(".app-clash__side").all()
    expect(mine).to_contain_text("Mine: improving.")
    expect(theirs).to_contain_text("Theirs: improving fast.")
    clash.scroll_into_view_if_needed()
    site.screenshot("summary-clash-1280", full_page=False)
    check_accessibility(page)
    clash.get_by_role("button", name="Keep theirs").click()
    expect(overall.get_by_label("Overall summary of this assessment")).to_have_value(
        "Theirs: improving fast."
    )
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    assert _device(page, assessment_id) == {}
    assert _summaries(live_server, assessment_id)["overall"][:2] == ("Theirs: improving fast.", 2)
    overall.get_by_label("Overall summary of this assessment").fill(
        "A caring home that is improving; records still need work."
    )
    expect(overall.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    assert _summaries(live_server, assessment_id)["overall"][:2][1] == 3  # on theirs: no clash

    for width in (768, 375):
        page.set_viewport_size({"width": width, "height": 900})
        overall.scroll_into_view_if_needed()
        site.screenshot(f"summary-overall-{width}", full_page=False)
        check_accessibility(page)
        site.visit(path, title)
        last = page.locator(".app-answer").first.locator(".app-previous")
        last.locator("summary").click()
        last.scroll_into_view_if_needed()
        site.screenshot(f"previous-visit-{width}", full_page=False)
        # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        site.visit(f"/assessments/{assessment_id}/record/{last_code}", f"{last_title}: {SERVICE}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The report prints the overall summary at the top and the domain's with its findings.
    site.visit(f"/assessments/{assessment_id}/report")
    expect(page.locator("#summary-overall")).to_contain_text("A caring home that is improving")
    expect(page.locator(f"#summary-{first_code}")).to_contain_text("Two reviews were late.")
    site.screenshot("report-summaries-1280", full_page=False)
