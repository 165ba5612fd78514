"""A visit taken offline (issue 15, items 1 to 4): every page of the assessment stored at once and
opened without a connection; what the device holds shown over stored pages (counts, statuses,
banners never less than typed); the officer's own earlier saves never a clash; clashes with a
colleague resolved either way; leftovers after the assessment moved on copied out and cleared;
waiting answers seen and sent from the overview and the list, and Submit waiting for them.

"Offline" here is the network really gone: the context is set offline and every request that
leaves the browser (a service worker's too, which Playwright's offline emulation lets through)
is aborted, so a page that opens came from this device."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.network import Network
from tests.browser.pages import Site, check_accessibility

VISIT = date(2027, 6, 30)  # later than the demo's visits: first in the assessment list


# ---------------------------------------------------------------- the world, from the server


def _plan(live_server, service_name: str, visit: date = VISIT) -> int:
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Service, User
    from qa_app.services import assessments, standards
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        standards.load_directory(Actor.system("cli"))
        officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
        service = db.session.scalar(select(Service).where(Service.name == service_name))
        return assessments.plan(
            Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": visit}
        ).id


def _domains(live_server, assessment_id: int) -> list[tuple[str, str, list[str]]]:
    """(code, title, question refs) for each domain, as the recording pages show them."""
    from qa_app.extensions import db
    from qa_app.models import Assessment
    from qa_app.services import assessments

    with live_server.app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        questions = assessments.questions_for(assessment)
        return [
            (d["code"], d["title"], [q.ref for q in questions if q.domain_code == d["code"]])
            for d in assessment.standard_set.document["domains"]
        ]


def _stored(live_server, assessment_id: int) -> dict[str, tuple]:
    """Each answer on the server: (score, evidence, version, times saved in the audit trail)."""
    from sqlalchemy import func, select

    from qa_app.extensions import db
    from qa_app.models import Answer, AuditEvent

    with live_server.app.app_context():
        saves = dict(
            db.session.execute(
                select(AuditEvent.entity_id, func.count())
                .where(AuditEvent.entity_type == "answer", AuditEvent.action == "saved")
                .group_by(AuditEvent.entity_id)
            ).all()
        )
        answers = db.session.scalars(select(Answer).where(Answer.assessment_id == assessment_id))
        return {
            a.question_ref: (a.score, a.evidence, a.version, saves.get(a.id, 0)) for a in answers
        }


def _status(live_server, assessment_id: int) -> str:
    from qa_app.extensions import db
    from qa_app.models import Assessment

    with live_server.app.app_context():
        return db.session.get(Assessment, assessment_id).status


def _colleague_saves(live_server, assessment_id, ref, score, evidence):
    """Another officer (Jordan Reid) changes an answer, as they would from their own laptop."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Answer, User
    from qa_app.services import assessments
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        colleague = db.session.scalar(select(User).where(User.email == "officer2@demo.example"))
        answer = db.session.scalar(
            select(Answer).where(Answer.assessment_id == assessment_id, Answer.question_ref == ref)
        )
        assessments.save_answer(
            Actor(colleague, "web"),
            colleague,
            assessment_id,
            ref,
            assessments.AnswerInput(score, None, evidence, ()),
            answer.version if answer else None,
        )


def _moves_on(live_server, assessment_id, status):
    """The assessment leaves the officer's hands meanwhile (submitted by a colleague, say)."""
    from qa_app.extensions import db
    from qa_app.models import Assessment

    with live_server.app.app_context():
        db.session.get(Assessment, assessment_id).status = status
        db.session.commit()


# ---------------------------------------------------------------- the network


def _offline_page(site: Site, network: Network, path: str, h1: str) -> Page:
    """Open a page with no network: it can only come from this device."""
    site.page.goto(path)
    return _arrived(site, network, h1)


def _arrived(site: Site, network: Network, h1: str) -> Page:
    expect(site.page.locator("h1")).to_have_text(h1)
    site.page.wait_for_load_state("load")
    check_accessibility(site.page)
    network.expected_errors()
    assert not site.browser_errors, f"browser errors on {site.page.url}: {site.browser_errors}"
    return site.page


# ---------------------------------------------------------------- the officer at work


def _answer(page: Page, ref: str, score: str, evidence: str) -> None:
    """The notes, then the score: one answer, sent once (the score goes at once)."""
    block = page.locator(f"[data-ref='{ref}']")
    block.get_by_label("Evidence notes").fill(evidence)
    block.get_by_label(score, exact=True).check()


def _state_of(page: Page, ref: str):
    return page.locator(f"[data-ref='{ref}'] .app-save-state")


def _device(page: Page, assessment_id: int, prefix: str = "qa-unsaved-") -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{prefix}{assessment_id}')") or "{}")


def _stored_on_opening(page: Page) -> None:
    """Opening an assessment to record stores all of it for use offline."""
    expect(page.locator("#offline-ready")).to_have_text(
        "Ready to use offline: 7 pages stored", timeout=30_000
    )


SCORES = ["4 Excellent", "3 Good", "2 Requires improvement", "1 Poor"]
SCORE_OF = {label: int(label[0]) for label in SCORES}


@pytest.fixture
def officer(site, live_server):
    site.sign_in("officer@demo.example")
    return site


def test_a_whole_visit_offline_with_the_network_dropped_three_times(
    officer, live_server, tmp_path, monkeypatch
):
    """Store the visit, cut the network, record every domain (with a photo in each) across
    reloads, a closed tab and three drops of the connection, then submit: every answer typed is
    on the server once, in the right version, and every photo once, shrunk, with no location."""
    from tests.browser.test_answer_photos import _photos
    from tests.support.photos import camera_jpeg, gps_of, size_of

    monkeypatch.setitem(live_server.app.config, "QA_EVIDENCE_DIR", str(tmp_path / "evidence"))
    site, page = officer, officer.page
    assessment_id = _plan(live_server, "Castlegate View")
    domains = _domains(live_server, assessment_id)
    title = "Assessment of Castlegate View"
    overview = f"/assessments/{assessment_id}"
    record = {code: f"/assessments/{assessment_id}/record/{code}" for code, _, _ in domains}
    heading = {code: f"{name}: Castlegate View" for code, name, _ in domains}
    refs = [ref for _, _, domain_refs in domains for ref in domain_refs]
    network = Network(site, live_server.line)
    typed: dict[str, tuple[int, str]] = {}  # what the officer last typed for each question
    changes: dict[str, int] = {}  # how many times each answer was changed after a save

    photographed: list[str] = []

    def photo(ref: str) -> None:
        """A photo from the camera (with a GPS position) on this question, offline."""
        photos = page.locator(f"[data-ref='{ref}'] .app-photos")
        photos.get_by_text("Add a photo or file").click()
        photos.get_by_label("Or choose photos or files").set_input_files(
            {"name": f"{ref}.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(2400, 1800)}
        )
        expect(photos.locator(".app-photo--waiting")).to_have_count(1)
        photographed.append(ref)

    def answer(ref: str, n: int, again: bool = False) -> None:
        score = SCORES[n % 4]
        evidence = f"{ref}: seen on the visit{' (changed)' if again else ''}."
        _answer(page, ref, score, evidence)
        typed[ref] = (SCORE_OF[score], evidence)
        if again:
            changes[ref] = changes.get(ref, 0) + 1

    # Stored from the overview: every domain's page, the overview and the assessment list.
    site.visit(overview, title)
    page.get_by_role("button", name="Make available offline").click()
    expect(page.locator("#offline-ready")).to_have_text(
        f"Ready to use offline: {len(domains) + 2} pages stored", timeout=30_000
    )
    site.screenshot("15-offline-ready-1280", full_page=False)

    # Drop 1: every page of the stored assessment opens without a connection.
    network.cut()
    for code, _, _ in domains:
        _offline_page(site, network, record[code], heading[code])
        expect(page.locator("#offline-ready")).to_have_text(
            f"Ready to use offline: {len(domains) + 2} pages stored"
        )
    _offline_page(site, network, overview, title)

    # Domain 1 and half of domain 2 typed offline, a reload in between.
    d1, d2 = domains[0], domains[1]
    _offline_page(site, network, record[d1[0]], heading[d1[0]])
    for n, ref in enumerate(d1[2]):
        answer(ref, n)
    photo(d1[2][0])
    expect(_state_of(page, d1[2][-1])).to_contain_text("Not saved yet")
    expect(page.locator("#connection-state")).to_contain_text(
        f"Offline. {len(d1[2])} answers are kept on this device"
    )
    page.reload()
    _arrived(site, network, heading[d1[0]])
    expect(page.locator(f"[data-progress={d1[0]}]")).to_have_text(
        f"{len(d1[2])} of {len(d1[2])} answered"
    )
    half = len(d2[2]) // 2
    page.locator("nav[aria-label=Domains]").get_by_role("link", name=d2[1]).click()
    _arrived(site, network, heading[d2[0]])
    for n, ref in enumerate(d2[2][:half]):
        answer(ref, n)
    photo(d2[2][0])
    expect(page.locator(f"[data-progress={d1[0]}]")).to_have_text(
        f"{len(d1[2])} of {len(d1[2])} answered"
    )
    expect(page.locator(f"[data-progress={d2[0]}]")).to_have_text(
        f"{half} of {len(d2[2])} answered"
    )
    site.screenshot("16-offline-recording-1280", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    site.screenshot("16-offline-recording-375", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert _stored(live_server, assessment_id) == {}
    assert _photos(live_server, assessment_id) == []

    # The connection returns: everything waiting goes, once.
    network.restore()
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.", timeout=20_000)
    expect(page.locator(".app-photo--waiting")).to_have_count(0, timeout=20_000)
    assert {ref: v[:2] for ref, v in _stored(live_server, assessment_id).items()} == typed
    network.expected_errors()

    # Drop 2: the stored pages are older than what this device saved. Reopened offline they
    # still show it, and a change to an answer saved from here is its next version.
    network.cut()
    _offline_page(site, network, record[d1[0]], heading[d1[0]])
    first = d1[2][0]
    expect(_state_of(page, first)).to_contain_text("Saved at")
    expect(page.locator(f"[data-progress={d1[0]}]")).to_have_text(
        f"{len(d1[2])} of {len(d1[2])} answered"
    )
    expect(page.locator(f"[data-progress={d2[0]}]")).to_have_text(
        f"{half} of {len(d2[2])} answered"
    )
    answer(first, 1, again=True)
    page.reload()
    _arrived(site, network, heading[d1[0]])
    expect(page.locator(f"[data-ref='{first}']").get_by_label("Evidence notes")).to_have_value(
        typed[first][1]
    )

    # The tab is closed; a new one is opened, still offline, on the rest of domain 2.
    page.close()
    site.page = page = site.context.new_page()
    page.on("console", site._on_console)
    page.on("pageerror", lambda error: site.browser_errors.append(f"uncaught {error}"))
    network.watch(page)
    _offline_page(site, network, record[d2[0]], heading[d2[0]])
    for n, ref in enumerate(d2[2][half:]):
        answer(ref, n)
    waiting = 1 + len(d2[2]) - half

    # The overview and the list, offline: what waits is shown, and Submit waits too.
    _offline_page(site, network, overview, title)
    answered = len(d1[2]) + len(d2[2])
    expect(page.locator("[data-answered]").first).to_have_text(f"{len(d1[2])} of {len(d1[2])}")
    expect(page.locator("#still-to-answer")).to_have_text(
        f"{len(refs) - answered} questions still to answer."
    )
    expect(page.locator("#device-answers")).to_contain_text(
        f"{waiting} answers typed on this device are not saved yet."
    )
    expect(page.locator("#device-answers")).to_contain_text("You are offline")
    submit = page.get_by_role("button", name="Submit for review")
    expect(submit).to_be_disabled()
    expect(page.locator("#submit-waits")).to_have_text(
        f"Submit waits until nothing is waiting on this device: {waiting} answers are not saved yet."
    )
    site.screenshot("17-offline-overview-1280", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    site.screenshot("17-offline-overview-375", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    _offline_page(site, network, "/assessments", "Assessments")
    row = page.locator(f"tr[data-assessment='{assessment_id}']")
    expect(row.locator("[data-device-note]")).to_have_text(
        f"{waiting} answers waiting on this device: sent when the connection returns."
    )
    expect(row.locator(".govuk-tag")).to_have_text("In progress")

    # Back to the overview; the connection returns there, and the answers are sent from it.
    _offline_page(site, network, overview, title)
    network.restore()
    expect(page.locator("#device-answers")).to_be_empty(timeout=20_000)
    expect(submit).to_be_enabled()
    network.expected_errors()
    stored = _stored(live_server, assessment_id)
    assert {ref: v[:2] for ref, v in stored.items()} == typed
    assert stored[first][2:] == (2, 2)  # its next version, not a clash with itself

    # Drop 3: the other domains, with a reload in each; "Save and go to the next domain" opens
    # the next stored page, and "Save" says the answers are kept.
    network.cut()
    _offline_page(site, network, record[domains[2][0]], heading[domains[2][0]])
    for i, (code, _, domain_refs) in enumerate(domains[2:], start=2):
        for n, ref in enumerate(domain_refs):
            answer(ref, n)
        photo(domain_refs[0])
        page.reload()
        _arrived(site, network, heading[code])
        expect(page.locator(f"[data-progress={code}]")).to_have_text(
            f"{len(domain_refs)} of {len(domain_refs)} answered"
        )
        if i + 1 < len(domains):
            page.get_by_role("button", name="Save and go to the next domain").click()
            _arrived(site, network, heading[domains[i + 1][0]])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#connection-state")).to_contain_text("Offline.")
    assert page.url.endswith(record[domains[-1][0]])
    _offline_page(site, network, overview, title)
    expect(page.locator("#still-to-answer")).to_have_text("Every question is answered.")
    expect(submit).to_be_disabled()
    network.restore()
    expect(page.locator("#device-answers")).to_be_empty(timeout=20_000)
    expect(page.locator(".app-photos-waiting")).to_have_count(0, timeout=20_000)
    network.expected_errors()

    # Every photo reached the server once: one per domain, shrunk, with no location.
    kept = _photos(live_server, assessment_id)
    assert sorted(ref for ref, *_ in kept) == sorted(photographed) and len(kept) == len(domains)
    for _, width, height, data in kept:
        assert max(width, height) == 1600 and size_of(data) == (width, height)
        assert gps_of(data) == {}

    # Every answer typed reached the server once, in the right version.
    stored = _stored(live_server, assessment_id)
    assert len(typed) == len(refs) == len(stored)
    assert {ref: v[:2] for ref, v in stored.items()} == typed
    for ref, (_, _, version, saves) in stored.items():
        assert version == saves == 1 + changes.get(ref, 0), ref
    assert _device(page, assessment_id) == {}
    print(
        f"\nTyped {len(typed)} answers ({sum(changes.values())} changed after saving) and took "
        f"{len(photographed)} photos over {network.drops} drops of the network; on the server: "
        f"{len(stored)} answers, {sum(v[3] for v in stored.values())} saves, {len(kept)} photos."
    )

    site.follow(submit, title)
    assert _status(live_server, assessment_id) == "submitted"


def test_a_clash_with_a_colleague_is_resolved_either_way(officer, live_server):
    site, page = officer, officer.page
    assessment_id = _plan(live_server, "Castlegate Hall")
    title = "Involvement and information: Castlegate Hall"
    site.visit(f"/assessments/{assessment_id}/record/D1", title)
    _stored_on_opening(page)
    network = Network(site, live_server.line)
    # Typed with the line down and sent when it returns: one save each (typed online, notes and
    # score can go as one save or two, as the timing falls).
    network.cut()
    _answer(page, "QA01.1", "3 Good", "Doors knocked on.")
    _answer(page, "QA01.2", "3 Good", "Plans signed by people.")
    network.restore()
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.", timeout=20_000)

    network.cut()
    _answer(page, "QA01.1", "4 Excellent", "Mine: every door knocked on, every time.")
    _answer(page, "QA01.2", "2 Requires improvement", "Mine: two plans unsigned.")
    expect(_state_of(page, "QA01.2")).to_contain_text("Not saved yet")
    _colleague_saves(live_server, assessment_id, "QA01.1", 2, "Theirs: one door not knocked.")
    _colleague_saves(live_server, assessment_id, "QA01.2", 4, "Theirs: all plans signed.")
    network.restore()

    first = page.locator("[data-ref='QA01.1'] .app-clash")
    second = page.locator("[data-ref='QA01.2'] .app-clash")
    expect(first).to_contain_text("Jordan Reid changed this answer", timeout=20_000)
    expect(second).to_be_visible(timeout=20_000)
    site.browser_errors = [e for e in site.browser_errors if "status of 409" not in e]
    network.expected_errors()
    expect(page.locator("#connection-state")).to_have_text(
        "2 answers are not saved yet. 2 answers need your decision."
    )
    # Side by side: mine and theirs, each in full.
    mine, theirs = first.locator(".app-clash__side").all()
    expect(mine).to_contain_text("Yours, on this device")
    expect(mine).to_contain_text("4 Excellent")
    expect(mine).to_contain_text("Mine: every door knocked on, every time.")
    expect(theirs).to_contain_text("Theirs, saved by Jordan Reid")
    expect(theirs).to_contain_text("2 Requires improvement")
    expect(theirs).to_contain_text("Theirs: one door not knocked.")
    first.scroll_into_view_if_needed()
    site.screenshot("18-clash-1280", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    first.scroll_into_view_if_needed()
    site.screenshot("18-clash-375", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    check_accessibility(page)

    # A reload keeps the choice waiting: it is never lost, never stuck.
    page.reload()
    site.arrived(title)
    expect(first).to_be_visible()
    expect(second).to_be_visible()

    first.get_by_role("button", name="Keep mine").click()
    expect(_state_of(page, "QA01.1")).to_contain_text("Saved at", timeout=20_000)
    second.get_by_role("button", name="Keep theirs").click()
    expect(_state_of(page, "QA01.2")).to_have_text(
        re.compile(r"Saved at \d\d:\d\d by Jordan Reid. Yours was discarded.")
    )
    expect(page.locator("[data-ref='QA01.2']").get_by_label("Evidence notes")).to_have_value(
        "Theirs: all plans signed."
    )
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    assert _device(page, assessment_id) == {}

    stored = _stored(live_server, assessment_id)
    # Each answer: mine (1), theirs (2), then mine kept (3) or theirs kept (still 2).
    assert stored["QA01.1"] == (4, "Mine: every door knocked on, every time.", 3, 3)
    assert stored["QA01.2"] == (4, "Theirs: all plans signed.", 2, 2)
    page.reload()
    site.arrived(title)
    expect(page.locator(".app-clash")).to_have_count(0)
    expect(page.locator("[data-ref='QA01.2']").get_by_label("4 Excellent")).to_be_checked()
    # A later change of mine to the one I let go builds on theirs: no clash.
    _answer(page, "QA01.2", "3 Good", "Mine again: all plans signed, one late.")
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    expect(page.locator(".app-clash")).to_have_count(0)
    score, evidence, version, saves = _stored(live_server, assessment_id)["QA01.2"]
    assert (score, evidence) == (3, "Mine again: all plans signed, one late.")
    assert version == saves >= 3  # after theirs (2); typed online, one save or two


def test_my_own_save_whose_reply_was_lost_is_not_a_clash(officer, live_server):
    """The answer reached the server but its reply did not (a dropped connection); then, offline
    and after a reload, the officer changes it again. That change is its next version."""
    site, page = officer, officer.page
    assessment_id = _plan(live_server, "Castlegate Mill")
    title = "Involvement and information: Castlegate Mill"
    site.visit(f"/assessments/{assessment_id}/record/D1", title)
    _stored_on_opening(page)
    network = Network(site, live_server.line)
    line = live_server.line
    line.replies_lost.clear()  # the live server is shared by the tests of this process

    # Typed with the line down, so that it goes as one answer when the line comes back; then
    # the server saves it and hangs up before replying.
    network.cut()
    _answer(page, "QA01.1", "3 Good", "First look: doors knocked on.")
    expect(_state_of(page, "QA01.1")).to_contain_text("Not saved yet")
    line.lose_replies = True
    with page.expect_event(
        "requestfailed",
        # the send that reached the server and lost its reply (not one refused by the browser
        # while it still thought itself offline)
        lambda request: (
            request.method == "PUT"
            and request.url.endswith("/answers/QA01.1")
            and "INTERNET_DISCONNECTED" not in (request.failure or "")
        ),
        timeout=20_000,
    ):
        network.restore()
    expect(_state_of(page, "QA01.1")).to_contain_text("Not saved yet: no connection")
    network.cut()
    line.lose_replies = False
    assert line.replies_lost[0] == f"PUT /api/v1/assessments/{assessment_id}/answers/QA01.1"
    assert _stored(live_server, assessment_id)["QA01.1"] == (
        3,
        "First look: doors knocked on.",
        1,
        1,
    )

    page.reload()  # offline: the stored page (from before the save) and what the device holds
    _arrived(site, network, title)
    _answer(page, "QA01.1", "4 Excellent", "Second look: doors knocked on, names used.")
    network.restore()
    expect(_state_of(page, "QA01.1")).to_contain_text("Saved at", timeout=20_000)
    network.expected_errors()
    expect(page.locator(".app-clash")).to_have_count(0)
    assert _stored(live_server, assessment_id)["QA01.1"] == (
        4,
        "Second look: doors knocked on, names used.",
        2,
        2,
    )
    assert _device(page, assessment_id) == {}


def test_answers_left_after_the_assessment_moved_on_are_copied_out_and_cleared(
    officer, live_server
):
    site, page = officer, officer.page
    site.context.grant_permissions(["clipboard-read", "clipboard-write"])
    assessment_id = _plan(live_server, "Oakridge House")
    title = "Involvement and information: Oakridge House"
    site.visit(f"/assessments/{assessment_id}/record/D1", title)
    _stored_on_opening(page)
    _answer(page, "QA01.1", "3 Good", "Saved before the network went.")
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")

    network = Network(site, live_server.line)
    network.cut()
    _answer(page, "QA01.2", "2 Requires improvement", "Typed offline: two plans unsigned.")
    _answer(page, "QA01.3", "4 Excellent", "Typed offline: prayer room used daily.")
    expect(_state_of(page, "QA01.3")).to_contain_text("Not saved yet")
    _moves_on(live_server, assessment_id, "submitted")  # a colleague submitted it meanwhile
    network.restore()

    leftovers = page.locator("#device-leftovers")
    expect(leftovers).to_contain_text(
        "2 answers typed on this device were not saved: the assessment is submitted.",
        timeout=20_000,
    )
    site.browser_errors = [e for e in site.browser_errors if "status of 409" not in e]
    network.expected_errors()
    text = leftovers.get_by_label("The answers, as text")
    expect(text).to_have_value(re.compile("Question QA01.2\nScore: 2 Requires improvement"))
    expect(text).to_have_value(re.compile("Evidence notes: Typed offline: prayer room used daily."))
    expect(page.locator("[data-ref='QA01.3'] textarea").last).to_be_disabled()
    check_accessibility(page)
    leftovers.scroll_into_view_if_needed()
    site.screenshot("19-leftovers-1280", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    site.screenshot("19-leftovers-375", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The list says so too, and so does the overview, which offers to copy them and clear them.
    site.visit("/assessments", "Assessments")
    row = page.locator(f"tr[data-assessment='{assessment_id}']")
    expect(row.locator("[data-device-note]")).to_have_text(
        "2 answers left on this device, not saved: open the assessment to copy them out."
    )
    site.visit(f"/assessments/{assessment_id}", "Assessment of Oakridge House")
    panel = page.locator("#device-answers")
    expect(panel).to_contain_text("2 answers typed on this device were not saved")
    panel.get_by_role("button", name="Copy the answers").click()
    expect(panel).to_contain_text("Copied. Paste them where you need them.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Question QA01.2" in copied and "Typed offline: prayer room used daily." in copied
    expect(panel.get_by_role("button", name="Yes, clear them")).to_be_hidden()
    panel.get_by_role("button", name="Clear them from this device").click()
    expect(panel).to_contain_text("Clear 2 answers from this device? This cannot be undone.")
    expect(panel.get_by_role("button", name="Clear them from this device")).to_be_hidden()
    panel.get_by_role("button", name="No, keep them").click()
    assert len(_device(page, assessment_id)) == 2
    panel.get_by_role("button", name="Clear them from this device").click()
    panel.get_by_role("button", name="Yes, clear them").click()
    expect(panel).to_have_text("Cleared: nothing typed for this assessment is left on this device.")
    assert (
        page.evaluate(f"Object.keys(localStorage).filter(k => k.endsWith('-{assessment_id}'))")
        == []
    )
    page.reload()
    site.arrived("Assessment of Oakridge House")
    expect(panel).to_be_empty()
    assert set(_stored(live_server, assessment_id)) == {"QA01.1"}
