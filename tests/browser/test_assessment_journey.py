"""The whole life of an assessment in the browser: plan, record, submit (refused, then
accepted), share the draft, the provider comments, the manager answers the comment and
publishes, the PDF downloads."""

from datetime import date

from playwright.sync_api import expect


def _answer_all_but(live_server, assessment_id, keep: str):
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import User
    from qa_app.services import assessments
    from qa_app.services.actors import Actor
    from qa_app.services.transaction import unit_of_work

    with live_server.app.app_context():
        officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
        assessment = assessments.get_assessment(officer, assessment_id)
        done = assessments.answers_for(assessment)
        refs = [
            q.ref
            for q in assessments.questions_for(assessment)
            if q.ref != keep and q.ref not in done
        ]
        # Each save reads, then writes, beside the browser's own autosaves to the same
        # database: like a POST to the app, it takes SQLite's write lock before reading (a read
        # transaction overtaken by another writer's commit cannot then write: "database is locked").
        db.session.commit()
        for ref in refs:
            with unit_of_work(writes_after_reading=True):
                assessments.save_answer(
                    Actor(officer, "web"),
                    officer,
                    assessment_id,
                    ref,
                    assessments.AnswerInput(score=3, evidence="Seen on the visit."),
                    None,
                )


def test_plan_record_submit_share_comment_publish(site, new_visitor, live_server, tmp_path):
    from qa_app.services import standards
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        standards.load_directory(Actor.system("cli"))

    site.sign_in("officer@demo.example")
    site.go_to("Services")
    site.follow(site.page.get_by_role("link", name="Heathervale House"), "Heathervale House")
    site.follow(
        site.page.get_by_role("button", name="Plan an assessment"),
        "Plan an assessment of Heathervale House",
    )
    visit = date.today()
    site.page.get_by_label("Day").fill(str(visit.day))
    site.page.get_by_label("Month").fill(str(visit.month))
    site.page.get_by_label("Year").fill(str(visit.year))
    site.follow(
        site.page.get_by_role("button", name="Plan assessment"), "Assessment of Heathervale House"
    )
    assessment_id = int(site.page.url.rstrip("/").split("/")[-1])

    site.follow(
        site.page.get_by_role("button", name="Record answers"),
        "Involvement and information: Heathervale House",
    )
    block = site.page.locator("[data-ref='QA01.1']")
    block.get_by_label("2 Requires improvement", exact=True).check()
    block.get_by_label("Evidence notes").fill("Two residents said staff talk over them.")
    expect(block.locator(".app-save-state")).to_contain_text("Saved at")

    _answer_all_but(live_server, assessment_id, keep="QE02.1")
    site.visit(f"/assessments/{assessment_id}", "Assessment of Heathervale House")
    site.follow(
        site.page.get_by_role("button", name="Submit for review"), "Assessment of Heathervale House"
    )
    assert site.errors() == [
        "Answer question QE02.1: People and relatives know how to complain and feel able to do so."
    ]
    site.follow_error("Answer question QE02.1")
    site.arrived("Quality of management: Heathervale House")
    block = site.page.locator("[data-ref='QE02.1']")
    block.get_by_label("N/A (not assessed)", exact=True).check()
    block.get_by_label("Reason for N/A").fill("No complaints leaflet seen; to check next visit.")
    expect(block.locator(".app-save-state")).to_contain_text("Saved at")
    site.visit(f"/assessments/{assessment_id}", "Assessment of Heathervale House")
    site.follow(
        site.page.get_by_role("button", name="Submit for review"), "Assessment of Heathervale House"
    )
    expect(site.banner()).to_contain_text("submitted for review")

    manager = new_visitor()
    manager.sign_in("manager@demo.example")
    manager.visit(f"/assessments/{assessment_id}", "Assessment of Heathervale House")
    manager.follow(
        manager.page.get_by_role("button", name="Share the draft with the provider"),
        "Assessment of Heathervale House",
    )

    provider = new_visitor()
    provider.sign_in("provider@demo.example", lands_on="Your services")
    provider.follow(
        provider.page.get_by_role("link", name=f"{visit.day} {visit:%B %Y}", exact=True).first,
        "Draft report: Heathervale House",
    )
    provider.page.get_by_label("Which finding is it about?").select_option("QA01.1")
    provider.page.get_by_label("Your comment").fill("Staff had training on this on 20 November.")
    provider.follow(
        provider.page.get_by_role("button", name="Send comment"), "Draft report: Heathervale House"
    )
    expect(provider.banner()).to_contain_text("sent to the council")

    manager.visit(f"/assessments/{assessment_id}/report", "Draft report: Heathervale House")
    expect(manager.page.locator("#finding-QA01-1")).to_contain_text(
        "Comment 1 from the provider is about this finding"
    )
    expect(manager.page.locator("#draft-comment-1")).to_contain_text(
        "Staff had training on this on 20 November."
    )
    manager.visit(f"/assessments/{assessment_id}", "Assessment of Heathervale House")
    manager.follow(
        manager.page.get_by_role("link", name="Answer (Comment 1)"),
        "Answer comment 1 from the provider",
    )
    manager.page.get_by_label("Accepted", exact=True).check()
    manager.page.get_by_label("Your answer").fill("QA01.1 now records the training.")
    manager.follow(
        manager.page.get_by_role("button", name="Save answer"), "Assessment of Heathervale House"
    )
    manager.follow(
        manager.page.get_by_role("button", name="Publish"), "Assessment of Heathervale House"
    )
    expect(manager.banner()).to_contain_text("published")

    provider.visit(f"/portal/assessments/{assessment_id}", "Report: Heathervale House")
    with provider.page.expect_download() as download:
        provider.page.get_by_role("link", name="Download the report as a PDF").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.startswith("assessment-heathervale-house-")
