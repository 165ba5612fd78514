"""The provider's comments on a draft, answered in the browser: the manager cannot publish until
every comment has an answer, answers one and returns the draft; the provider sees it is being
corrected; the officer answers the other and resubmits; the manager shares the corrected draft
and publishes; the provider reads every comment with its answer in the published report."""

from datetime import date

from playwright.sync_api import expect

SERVICE = "Heathervale Court"
FIRST = "Care plans were reviewed on 3 November; the reviews are in the office."
SECOND = "The report names the deputy manager as Ms Patel; she is Mrs Shah."


def _shared_draft_with_two_comments(live_server) -> int:
    """A draft of Heathervale Court shared with Heathervale Care, who has commented on QA01.1
    and on the report as a whole (the journey test covers commenting in the browser)."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import User
    from qa_app.services import assessments, standards
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        standards.load_directory(Actor.system("cli"))
        people = {
            u.email: u
            for u in db.session.scalars(
                select(User).where(
                    User.email.in_(
                        ["officer@demo.example", "manager@demo.example", "provider@demo.example"]
                    )
                )
            )
        }
        officer, manager = people["officer@demo.example"], people["manager@demo.example"]
        provider = people["provider@demo.example"]
        assessment = assessments.plan(
            Actor(officer, "web"),
            officer,
            {"service_id": live_server.service_id(SERVICE), "visit_date": date(2026, 11, 3)},
        )
        for q in assessments.questions_for(assessment):
            data = assessments.AnswerInput(score=3, evidence=f"Seen for {q.ref}.")
            assessments.save_answer(
                Actor(officer, "web"), officer, assessment.id, q.ref, data, None
            )
        assessments.submit(Actor(officer, "web"), officer, assessment.id)
        assessments.share_draft(Actor(manager, "web"), manager, assessment.id)
        for ref, text in (("QA01.1", FIRST), (None, SECOND)):
            assessments.add_provider_comment(
                Actor(provider, "web"), provider, assessment.id, ref, text
            )
        return assessment.id


def _follow_refused(site, target, h1: str, status: int):
    """Site.follow for a step the page refuses with a 4xx status and an error summary (Chromium
    logs the page's own error status; that one is expected)."""
    site.page.evaluate("window.__qaLeaving = true")
    target.click()
    site.page.wait_for_function("!window.__qaLeaving")
    site.browser_errors = [e for e in site.browser_errors if f"status of {status}" not in e]
    return site.arrived(h1)


def test_comments_are_answered_before_publishing(new_visitor, live_server):
    assessment_id = _shared_draft_with_two_comments(live_server)
    page_h1 = f"Assessment of {SERVICE}"

    manager = new_visitor()
    manager.sign_in("manager@demo.example")
    manager.visit(f"/assessments/{assessment_id}", page_h1)
    expect(manager.page.locator(".govuk-warning-text")).to_contain_text(
        "2 comments from the provider need an answer before you can publish"
    )
    _follow_refused(manager, manager.page.get_by_role("button", name="Publish"), page_h1, 409)
    assert manager.errors() == [
        "Comment 1 from the provider (on QA01.1) needs an answer before you publish",
        "Comment 2 from the provider (on the report as a whole) needs an answer before you publish",
    ]
    manager.follow_error("Comment 1 from the provider")
    comment_1 = manager.page.locator(".govuk-summary-card", has_text="Comment 1")
    expect(comment_1).to_be_in_viewport()
    manager.follow(
        comment_1.get_by_role("link", name="Answer (Comment 1)"),
        "Answer comment 1 from the provider",
    )
    _follow_refused(
        manager,
        manager.page.get_by_role("button", name="Save answer"),
        "Answer comment 1 from the provider",
        422,
    )
    assert manager.errors() == [
        "Choose whether the comment is accepted or not accepted",
        "Say what is changed in the report, or why the comment is not accepted",
    ]
    manager.page.get_by_label("Accepted", exact=True).check()
    manager.page.get_by_label("Your answer").fill("QA01.1 will record the reviews of 3 November.")
    manager.follow(manager.page.get_by_role("button", name="Save answer"), page_h1)
    expect(comment_1).to_contain_text("Accepted")
    manager.page.get_by_label("Or return it to the officer, saying what needs to change").fill(
        "Change QA01.1 as the provider says, and answer comment 2."
    )
    manager.follow(manager.page.get_by_role("button", name="Return to the officer"), page_h1)
    expect(manager.banner()).to_contain_text("returned to the officer")

    provider = new_visitor()
    provider.sign_in("provider@demo.example", lands_on="Your services")
    row = provider.page.get_by_role("row", name=SERVICE).filter(has_text="3 November 2026")
    expect(row).to_contain_text("Draft: being corrected by the council")
    provider.follow(row.get_by_role("link"), f"Draft report: {SERVICE}")
    expect(provider.page.locator("main")).to_contain_text("The council is correcting this draft")
    expect(provider.page.locator("#draft-comment-1")).to_contain_text(
        "QA01.1 will record the reviews of 3 November."
    )

    officer = new_visitor()
    officer.sign_in("officer@demo.example")
    officer.visit(f"/assessments/{assessment_id}", page_h1)
    officer.follow(
        officer.page.get_by_role("link", name="Answer (Comment 2)"),
        "Answer comment 2 from the provider",
    )
    officer.page.get_by_label("Not accepted", exact=True).check()
    officer.page.get_by_label("Your answer").fill(
        "The staff list we were given on the day names Ms Patel; send us the new list."
    )
    officer.follow(officer.page.get_by_role("button", name="Save answer"), page_h1)
    officer.follow(officer.page.get_by_role("button", name="Submit for review"), page_h1)

    manager.visit(f"/assessments/{assessment_id}", page_h1)
    expect(manager.page.get_by_role("button", name="Publish")).to_have_count(0)
    manager.follow(
        manager.page.get_by_role("button", name="Share the corrected draft with the provider"),
        page_h1,
    )
    manager.follow(manager.page.get_by_role("button", name="Publish"), page_h1)
    expect(manager.banner()).to_contain_text("published")

    provider.visit(f"/portal/assessments/{assessment_id}", f"Report: {SERVICE}")
    first = provider.page.locator("#draft-comment-1")
    expect(first).to_contain_text(FIRST)
    expect(first).to_contain_text("Accepted")
    second = provider.page.locator("#draft-comment-2")
    expect(second).to_contain_text(SECOND)
    expect(second).to_contain_text("Not accepted")
    expect(second).to_contain_text("send us the new list")
