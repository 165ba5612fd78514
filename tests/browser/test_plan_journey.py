"""An improvement plan from start to finish in the browser: a Requires-improvement assessment is
published, the plan appears, the provider writes actions (a mistake first) and submits, the
officer returns it with a comment, the provider fixes it and resubmits, the officer accepts, the
provider completes an action with an evidence file, the officer verifies. Another provider's
user reaches none of it. axe-core runs on every page (pages.Site)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.pages import fill_date

SERVICE = "Heathervale Court"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _submitted_requires_improvement(live_server) -> int:
    """An assessment of the service recorded and submitted: two standards of the first domain
    Poor (so that domain is Poor and the overall rating is held at Requires improvement), the
    rest Good."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import User
    from qa_app.services import assessments, standards
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        standards.load_directory(Actor.system("cli"))
        officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
        assessment = assessments.plan(
            Actor(officer, "web"),
            officer,
            {"service_id": live_server.service_id(SERVICE), "visit_date": date.today()},
        )
        first_domain = assessments.questions_for(assessment)[0].domain_code
        for q in assessments.questions_for(assessment):
            score = 1 if q.domain_code == first_domain else 3
            assessments.save_answer(
                Actor(officer, "web"),
                officer,
                assessment.id,
                q.ref,
                assessments.AnswerInput(score=score, evidence=f"Seen at the visit ({q.ref})."),
                None,
            )
        assessments.submit(Actor(officer, "web"), officer, assessment.id)
        return assessment.id


def _write_action(site, issue_title: str, description: str, target: date) -> None:
    section = site.page.locator("section.app-issue", has_text=issue_title)
    site.follow(
        section.get_by_role("button", name=f"Add an action for {issue_title}"), "Add an action"
    )
    site.page.get_by_label("Action", exact=True).fill(description)
    site.page.get_by_label("Owner (responsibility)").fill("Chris Walker, registered manager")
    fill_date(site.page, "Target date", target)
    site.page.get_by_label("Success measure").fill("Monthly audit finds no gaps")
    site.follow(site.page.get_by_role("button", name="Save action"), f"Improvement plan: {SERVICE}")


def test_plan_from_publication_to_verification(new_visitor, live_server, tmp_path):
    assessment_id = _submitted_requires_improvement(live_server)

    manager = new_visitor()
    manager.sign_in("manager@demo.example")
    manager.visit(f"/assessments/{assessment_id}", f"Assessment of {SERVICE}")
    manager.follow(manager.page.get_by_role("button", name="Publish"), f"Assessment of {SERVICE}")

    # the plan appears on the service page
    officer = new_visitor()
    officer.sign_in("officer@demo.example")
    officer.visit(f"/services/{live_server.service_id(SERVICE)}", SERVICE)
    expect(officer.page.locator("#improvement-plan + p")).to_contain_text("Awaiting submission")
    officer.follow(
        officer.page.get_by_role("link", name="Open the improvement plan"),
        f"Improvement plan: {SERVICE}",
    )
    plan_url = officer.page.url
    issue_titles = officer.page.locator("section.app-issue h2").all_inner_texts()
    assert len(issue_titles) == 2, issue_titles
    titles = [t.split(": ", 1)[1] for t in issue_titles]

    # the provider finds it on the home page and writes actions, with a mistake first
    provider = new_visitor()
    provider.sign_in("provider@demo.example", lands_on="Your services")
    row = provider.page.locator(".app-portal-services tr", has_text=SERVICE)
    expect(row).to_contain_text("Requires improvement")
    provider.follow(
        row.get_by_role("link", name=f"Awaiting submission (improvement plan for {SERVICE})"),
        f"Improvement plan: {SERVICE}",
    )
    section = provider.page.locator("section.app-issue", has_text=titles[0])
    provider.follow(
        section.get_by_role("button", name=f"Add an action for {titles[0]}"), "Add an action"
    )
    provider.page.get_by_label("Action", exact=True).fill("Audit every care plan")
    fill_date(provider.page, "Target date", date.today() - timedelta(days=3))
    provider.follow(provider.page.get_by_role("button", name="Save action"), "Add an action")
    assert provider.errors() == [
        "Name the person responsible for the action",
        "The target date cannot be in the past",
        "Say how you will know the action has worked",
    ]
    provider.follow_error("Name the person responsible")
    expect(provider.page.get_by_label("Owner (responsibility)")).to_be_focused()
    provider.page.get_by_label("Owner (responsibility)").fill("Chris Walker, registered manager")
    fill_date(provider.page, "Target date", date.today() + timedelta(days=120))
    provider.page.get_by_label("Success measure").fill("Monthly audit finds no gaps")
    provider.follow(
        provider.page.get_by_role("button", name="Save action"), f"Improvement plan: {SERVICE}"
    )
    # sent too soon: the issue still without an action is named, beside its "Add an action"
    provider.follow(
        provider.page.get_by_role("button", name="Send the plan to the council"),
        f"Improvement plan: {SERVICE}",
    )
    assert provider.errors() == [f"Add at least one action for the issue “{titles[1]}”"]
    expect(provider.banner()).to_have_count(0)
    provider.follow_error("Add at least one action")
    expect(
        provider.page.get_by_role("button", name=f"Add an action for {titles[1]}")
    ).to_be_focused()
    _write_action(
        provider, titles[1], "Retrain staff on records", date.today() + timedelta(days=60)
    )
    provider.follow(
        provider.page.get_by_role("button", name="Send the plan to the council"),
        f"Improvement plan: {SERVICE}",
    )
    expect(provider.banner()).to_contain_text("sent to the council")
    # nothing to record progress on until the council accepts the plan
    expect(provider.page.get_by_role("link", name="Record progress", exact=False)).to_have_count(0)

    # the officer returns it with a comment
    officer.visit(plan_url, f"Improvement plan: {SERVICE}")
    officer.page.get_by_label("Comments for the provider").fill(
        "Four months is too long for the care plan audit: make it six weeks."
    )
    officer.follow(
        officer.page.get_by_role("button", name="Return to the provider"),
        f"Improvement plan: {SERVICE}",
    )

    # the provider sees the comment, fixes the date and resubmits
    provider.visit("/portal/", "Your services")
    provider.follow(
        provider.page.get_by_role(
            "link", name=f"Returned to the provider (improvement plan for {SERVICE})"
        ),
        f"Improvement plan: {SERVICE}",
    )
    expect(provider.page.locator("#review-comments")).to_contain_text("make it six weeks")
    provider.follow(
        provider.page.get_by_role("link", name="Change action: Audit every care plan"),
        "Change an action",
    )
    fill_date(provider.page, "Target date", date.today() + timedelta(days=42))
    provider.follow(
        provider.page.get_by_role("button", name="Save action"), f"Improvement plan: {SERVICE}"
    )
    provider.follow(
        provider.page.get_by_role("button", name="Send the plan to the council"),
        f"Improvement plan: {SERVICE}",
    )

    # the officer accepts
    officer.visit(plan_url, f"Improvement plan: {SERVICE}")
    officer.follow(
        officer.page.get_by_role("button", name="Accept the plan"), f"Improvement plan: {SERVICE}"
    )
    expect(officer.banner()).to_contain_text("accepted")

    # the provider completes an action with an evidence file
    provider.visit(provider.page.url, f"Improvement plan: {SERVICE}")
    provider.follow(
        provider.page.get_by_role(
            "link", name="Record progress on action: Retrain staff on records"
        ),
        "Record progress",
    )
    provider.page.get_by_label("Evidence of progress").fill("All 14 staff retrained.")
    provider.page.get_by_label("1 Fully achieved").check()
    provider.page.get_by_label("Yes: the action is complete").check()
    provider.page.get_by_label("What was done to complete it").fill("Training certificates kept.")
    evidence = tmp_path / "training certificates.png"
    evidence.write_bytes(PNG)
    provider.page.get_by_label("Evidence file (optional)").set_input_files(str(evidence))
    provider.follow(
        provider.page.get_by_role("button", name="Save progress"), f"Improvement plan: {SERVICE}"
    )
    expect(provider.banner()).to_contain_text("the council will verify it")
    expect(provider.page.get_by_role("link", name="training certificates.png")).to_be_visible()

    # the officer verifies it
    officer.visit(plan_url, f"Improvement plan: {SERVICE}")
    with officer.page.expect_download() as download:
        officer.page.get_by_role("link", name="training certificates.png").click()
    assert download.value.suggested_filename == "training certificates.png"
    officer.follow(
        officer.page.get_by_role("button", name="Verify action: Retrain staff on records"),
        f"Improvement plan: {SERVICE}",
    )
    expect(officer.page.locator("section.app-issue", has_text=titles[1])).to_contain_text(
        "Verified"
    )
    officer.screenshot("plan-staff")
    provider.screenshot("plan-portal")

    # another provider's user reaches none of it
    other = new_visitor()
    other.sign_in("provider2@demo.example", lands_on="Your services")
    plan_id = plan_url.rstrip("/").split("/")[-1]
    other.visit(f"/portal/plans/{plan_id}", status=404)
    assert other.page.request.get(f"/portal/plans/{plan_id}/plan.pdf").status == 404
    other.visit("/portal/", "Your services")
    expect(other.page.locator("main")).not_to_contain_text(SERVICE)
