"""Recording a visit: answers autosave, survive losing the network and a reload while offline,
and all reach the server when the connection returns, even when the session ended meanwhile."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.network import Network
from tests.browser.pages import check_accessibility


def _plan(live_server, service_name):
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
            Actor(officer, "web"),
            officer,
            {"service_id": service.id, "visit_date": date(2026, 11, 24)},
        ).id


def _saved(live_server, assessment_id, with_version=False):
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Answer

    with live_server.app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.assessment_id == assessment_id))
        if with_version:
            return {a.question_ref: (a.score, a.evidence, a.version) for a in rows}
        return {a.question_ref: (a.score, a.evidence) for a in rows}


def _idle_for(live_server, email, minutes):
    """The user's sessions in the served app look unused for that long (instead of waiting)."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from qa_app.extensions import db
    from qa_app.models import User, UserSession
    from qa_app.models.types import utcnow

    with live_server.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def _answer(page, ref, score_label, evidence):
    block = page.locator(f"[data-ref='{ref}']")
    block.get_by_label(score_label, exact=True).check()
    block.get_by_label("Evidence notes").fill(evidence)
    return block


def test_answers_autosave_and_survive_going_offline(site, live_server):
    assessment_id = _plan(live_server, "Willowbank Grove")
    site.sign_in("officer@demo.example")
    url = f"/assessments/{assessment_id}/record/D1"
    site.visit(url, "Involvement and information: Willowbank Grove")
    page = site.page

    block = _answer(page, "QA01.1", "3 Good", "Staff knocked and waited before going in.")
    expect(block.locator(".app-save-state")).to_contain_text("Saved at")
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    expect(page.locator("[data-progress=D1]")).to_have_text("1 of 10 answered")
    assert _saved(live_server, assessment_id)["QA01.1"] == (
        3,
        "Staff knocked and waited before going in.",
    )
    site.screenshot("15-recording-online", full_page=False)

    # The page is kept for offline use once the service worker controls it.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    site.arrived("Involvement and information: Willowbank Grove")

    # Offline, at both ends of the line (tests/browser/network.py).
    network = Network(site, live_server.line)
    network.cut()
    block = _answer(page, "QA01.2", "4 Excellent", "Plans written with the person, in their words.")
    expect(block.locator(".app-save-state")).to_contain_text("Not saved yet")
    expect(page.locator("#connection-state")).to_contain_text("Offline")
    block.scroll_into_view_if_needed()
    site.screenshot("16-recording-offline", full_page=False)

    page.reload()  # still offline: the page comes from this device, the answer too
    expect(page.locator("h1")).to_have_text("Involvement and information: Willowbank Grove")
    restored = page.locator("[data-ref='QA01.2']")
    expect(restored.get_by_label("4 Excellent", exact=True)).to_be_checked()
    expect(restored.get_by_label("Evidence notes")).to_have_value(
        "Plans written with the person, in their words."
    )
    expect(restored.locator(".app-save-state")).to_contain_text("Not saved yet")
    assert "QA01.2" not in _saved(live_server, assessment_id)

    network.restore()
    expect(restored.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    assert _saved(live_server, assessment_id) == {
        "QA01.1": (3, "Staff knocked and waited before going in."),
        "QA01.2": (4, "Plans written with the person, in their words."),
    }
    site.browser_errors.clear()  # the offline reload logged failed requests, as expected


def test_without_javascript_the_save_button_works(browser, live_server):
    assessment_id = _plan(live_server, "Riverside Walk")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/sign-in")
        page.get_by_label("Email address", exact=True).fill("officer@demo.example")
        from qa_app.services.demo import DEMO_PASSWORD

        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"/assessments/{assessment_id}/record/D1")
        block = page.locator("[data-ref='QA01.1']")
        block.get_by_label("2 Requires improvement", exact=True).check()
        block.get_by_label("Evidence notes").fill("Two people said staff rush them.")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".govuk-notification-banner:not([hidden])")).to_contain_text(
            "1 answer saved"
        )
    finally:
        context.close()
    assert _saved(live_server, assessment_id)["QA01.1"] == (2, "Two people said staff rush them.")


def test_answers_kept_offline_reach_the_server_after_the_session_ends_and_the_officer_signs_in(
    site, live_server
):
    from qa_app.services.demo import DEMO_PASSWORD

    assessment_id = _plan(live_server, "Willowbank Terrace")
    site.sign_in("officer@demo.example")
    title = "Involvement and information: Willowbank Terrace"
    url = f"/assessments/{assessment_id}/record/D1"
    site.visit(url, title)
    page = site.page

    network = Network(site, live_server.line)
    network.cut()
    first = _answer(page, "QA01.1", "3 Good", "People chose their own routines.")
    second = _answer(page, "QA01.2", "2 Requires improvement", "Two plans not reviewed.")
    expect(first.locator(".app-save-state")).to_contain_text("Not saved yet")
    expect(second.locator(".app-save-state")).to_contain_text("Not saved yet")

    # Offline for longer than the idle period: the server ends the session meanwhile.
    _idle_for(live_server, "officer@demo.example", minutes=31)
    network.restore()

    notice = page.locator("#session-ended")
    expect(notice).to_be_visible(timeout=20_000)
    expect(notice).to_contain_text("Your session has ended. Your answers are kept on this device.")
    expect(page.locator("#connection-state")).to_have_text(
        "Your session has ended. 2 answers are kept on this device and will be sent when you "
        "sign in again."
    )
    expect(second.locator(".app-save-state")).to_have_text(
        "Not saved yet: kept on this device until you sign in again"
    )
    assert _saved(live_server, assessment_id) == {}
    site.screenshot("17-recording-session-ended", full_page=False)
    site.browser_errors.clear()  # offline requests and the refused save, as expected

    site.follow(notice.get_by_role("link", name="Sign in again"), "Sign in")
    page.get_by_label("Email address", exact=True).fill("officer@demo.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    site.follow(page.get_by_role("button", name="Sign in"), title)  # back on the same page

    restored = page.locator("[data-ref='QA01.2']")
    expect(restored.get_by_label("2 Requires improvement", exact=True)).to_be_checked()
    expect(restored.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    expect(page.locator("[data-ref='QA01.1'] .app-save-state")).to_contain_text("Saved at")
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    expect(page.locator("#session-ended")).to_be_hidden()
    # Both answers arrived, each saved once (version 1): nothing lost, nothing doubled.
    assert _saved(live_server, assessment_id, with_version=True) == {
        "QA01.1": (3, "People chose their own routines.", 1),
        "QA01.2": (2, "Two plans not reviewed.", 1),
    }
    # Nothing is left on the device.
    assert page.evaluate(f"localStorage.getItem('qa-unsaved-{assessment_id}')") is None


def _recording(site, live_server, service_name: str) -> tuple[int, str]:
    """The officer on a new assessment's first domain: its id, and the page's title."""
    assessment_id = _plan(live_server, service_name)
    site.sign_in("officer@demo.example")
    title = f"Involvement and information: {service_name}"
    site.visit(f"/assessments/{assessment_id}/record/D1", title)
    return assessment_id, title


def test_a_refused_answer_leads_to_the_box_to_change(site, live_server):
    assessment_id, title = _recording(site, live_server, "Riverside Close")
    page = site.page
    block = page.locator("[data-ref='QA01.2']")
    block.get_by_label("N/A (not assessed)", exact=True).check()
    # autosave keeps it on this device until there is a reason; Save sends it as it is
    expect(block.locator(".app-save-state")).to_have_text(
        "Not saved yet: Say why the question is not applicable"
    )
    site.follow(page.get_by_role("button", name="Save", exact=True), title)  # and axe-core
    assert site.errors() == [
        "Question QA01.2 (People are involved in decisions about…): "
        "Say why the question is not applicable"
    ]
    reason = block.get_by_label("Reason for N/A")
    expect(reason).to_have_class("govuk-textarea govuk-textarea--error app-na-reason")
    expect(reason).to_have_accessible_description(
        "Needed only when the answer is N/A Error: Say why the question is not applicable"
    )
    expect(block.locator(".app-save-state")).to_have_text(
        "Not saved yet: Say why the question is not applicable"
    )
    site.follow_error("Question QA01.2")
    expect(reason).to_be_focused()
    reason.fill("Nobody living there makes decisions about care.")
    expect(block.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    assert _saved(live_server, assessment_id) == {"QA01.2": (None, "")}


def test_a_saved_answer_takes_its_old_error_away_and_leaves_the_others(site, live_server):
    assessment_id, title = _recording(site, live_server, "Riverside Place")
    page = site.page
    first, second = page.locator("[data-ref='QA01.2']"), page.locator("[data-ref='QA01.3']")
    for block in (first, second):
        block.get_by_label("N/A (not assessed)", exact=True).check()
    site.follow(page.get_by_role("button", name="Save", exact=True), title)
    assert [error.split(": ", 1)[1] for error in site.errors()] == [
        "Say why the question is not applicable"
    ] * 2
    expect(page).to_have_title(re.compile(r"^Error: "))

    def refused(block, ref):
        reason = block.get_by_label("Reason for N/A")
        key = ref.replace(".", "-")
        expect(reason).to_have_class("govuk-textarea govuk-textarea--error app-na-reason")
        expect(block.locator(".govuk-form-group--error")).to_have_count(1)
        expect(block.locator(f"#{key}-na_reason-error")).to_have_text(
            "Error: Say why the question is not applicable"
        )
        expect(site.error_summary().locator(f"a[href='#{key}-na_reason']")).to_have_count(1)

    def fixed(block, ref):
        reason = block.get_by_label("Reason for N/A")
        key = ref.replace(".", "-")
        expect(reason).to_have_class("govuk-textarea app-na-reason")
        expect(reason).to_have_accessible_description("Needed only when the answer is N/A")
        expect(block.locator(".govuk-form-group--error, .govuk-error-message")).to_have_count(0)
        expect(page.locator(f"a[href='#{key}-na_reason']")).to_have_count(0)

    refused(first, "QA01.2")
    refused(second, "QA01.3")
    first.get_by_label("Reason for N/A").fill("Nobody living there makes decisions about care.")
    expect(first.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    fixed(first, "QA01.2")
    refused(second, "QA01.3")  # not saved yet: its error stays, and the page's
    assert len(site.errors()) == 1 and site.errors()[0].startswith("Question QA01.3 ")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(second.locator(".app-save-state")).to_have_text(
        "Not saved yet: Say why the question is not applicable"
    )

    second.get_by_label("Reason for N/A").fill("The service has no shared areas.")
    expect(second.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    fixed(second, "QA01.3")
    expect(site.error_summary()).to_have_count(0)
    expect(page).to_have_title(re.compile(rf"^{re.escape(title)} "))
    check_accessibility(page)
    assert _saved(live_server, assessment_id) == {"QA01.2": (None, ""), "QA01.3": (None, "")}


def test_keeping_theirs_in_a_clash_takes_my_refused_answers_error_away(site, live_server):
    from tests.browser.test_offline_visit import _colleague_saves

    assessment_id, title = _recording(site, live_server, "Castlegate Park")
    page = site.page
    block = page.locator("[data-ref='QA01.2']")
    block.get_by_label("N/A (not assessed)", exact=True).check()
    expect(block.locator(".app-save-state")).to_have_text(
        "Not saved yet: Say why the question is not applicable"
    )
    site.follow(page.get_by_role("button", name="Save", exact=True), title)
    assert len(site.errors()) == 1 and site.errors()[0].startswith("Question QA01.2 ")
    expect(block.locator("#QA01-2-na_reason-error")).to_have_count(1)
    # Meanwhile a colleague answers it: my reason, typed now, meets their answer.
    _colleague_saves(live_server, assessment_id, "QA01.2", 4, "Theirs: all plans signed.")
    block.get_by_label("Reason for N/A").fill("Nobody living there makes decisions about care.")
    clash = block.locator(".app-clash")
    expect(clash).to_contain_text("Jordan Reid changed this answer", timeout=20_000)
    site.browser_errors = [e for e in site.browser_errors if "status of 409" not in e]
    expect(block.locator("#QA01-2-na_reason-error")).to_have_count(1)  # mine, still undecided

    clash.get_by_role("button", name="Keep theirs").click()
    expect(block.get_by_label("Evidence notes")).to_have_value("Theirs: all plans signed.")
    expect(block.locator(".app-clash")).to_have_count(0)
    expect(block.locator(".govuk-form-group--error, .govuk-error-message")).to_have_count(0)
    expect(block.get_by_label("Reason for N/A")).to_have_accessible_description(
        "Needed only when the answer is N/A"
    )
    expect(page.locator("a[href='#QA01-2-na_reason']")).to_have_count(0)
    expect(site.error_summary()).to_have_count(0)
    expect(page).to_have_title(re.compile(rf"^{re.escape(title)} "))
    check_accessibility(page)
    assert _saved(live_server, assessment_id) == {"QA01.2": (4, "Theirs: all plans signed.")}


def test_the_servers_clash_box_goes_once_the_answer_is_saved_again(site, live_server):
    from tests.browser.test_offline_visit import _colleague_saves

    assessment_id, title = _recording(site, live_server, "Kingsway Court")
    page = site.page
    first, second = page.locator("[data-ref='QA01.1']"), page.locator("[data-ref='QA01.2']")
    for ref in ("QA01.1", "QA01.2"):
        _colleague_saves(live_server, assessment_id, ref, 2, f"Theirs on {ref}.")
    # Both typed and posted before autosave sent them (set without the events it listens for):
    # the server keeps mine out and shows theirs beside each.
    for block, ref in ((first, "QA01.1"), (second, "QA01.2")):
        block.get_by_label("4 Excellent", exact=True).evaluate("radio => { radio.checked = true; }")
        block.get_by_label("Evidence notes").evaluate(
            "(box, text) => { box.value = text; }", f"Mine on {ref}."
        )
    site.follow(page.get_by_role("button", name="Save", exact=True), title)
    assert [error.split(" was ", 1)[0] for error in site.errors()] == [
        "Question QA01.1",
        "Question QA01.2",
    ]
    for block, ref in ((first, "QA01.1"), (second, "QA01.2")):
        expect(block.locator(".app-conflict")).to_contain_text("Saved now by Jordan Reid")
        expect(block.locator(".app-conflict")).to_contain_text(f"Theirs on {ref}.")

    # I save mine again on the first: its clash box and error go; the second's stay.
    first.get_by_label("Evidence notes").fill("Mine on QA01.1, saved again.")
    expect(first.locator(".app-save-state")).to_contain_text("Saved at", timeout=20_000)
    expect(first.locator(".app-conflict")).to_have_count(0)
    expect(first.locator(".govuk-form-group--error, .govuk-error-message")).to_have_count(0)
    expect(page.locator("a[href='#QA01-1-score']")).to_have_count(0)
    expect(second.locator(".app-conflict")).to_contain_text("Saved now by Jordan Reid")
    expect(page.locator("a[href='#QA01-2-score']")).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_accessibility(page)
    assert _saved(live_server, assessment_id) == {
        "QA01.1": (4, "Mine on QA01.1, saved again."),
        "QA01.2": (2, "Theirs on QA01.2."),
    }
