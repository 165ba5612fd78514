"""An administrator reads on their home page, then on Background jobs, that a periodic task is
failing, and sends a failed email again from Emails sent (only the failed ones listed)."""

from datetime import UTC, datetime

from playwright.sync_api import expect


def test_admin_sees_a_failing_task_and_sends_a_failed_email_again(site, live_server):
    from sqlalchemy import delete, select

    from qa_app.extensions import db
    from qa_app.models import OutboxEmail, PeriodicTask, User
    from qa_app.services import outbox, periodic_runs
    from qa_app.services.transaction import unit_of_work

    key = f"browser:send-again:{datetime.now(UTC).timestamp()}"
    with live_server.app.app_context():
        periodic_runs.record_failure(
            "reminders", RuntimeError("the reminders query timed out"), datetime.now(UTC)
        )
        officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
        with unit_of_work():
            outbox.enqueue(
                "assessment_submitted",
                key,
                [officer],
                {"service_name": "Browser House", "link": outbox.link("staff.home")},
            )
        email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.event_key == key))
        email.status, email.last_error = "failed", "SMTPServerDisconnected: went away"
        db.session.commit()
        email_id = email.id
    try:
        site.sign_in("admin@demo.example")
        site.go_to("Home")
        expect(site.page.locator(".app-worker-banner")).to_contain_text(
            "The background worker needs attention"
        )
        expect(site.page.locator(".app-worker-banner")).to_contain_text("Reminders: failing since")
        site.screenshot("70-worker-banner-on-home")
        site.follow(site.page.get_by_role("link", name="See Background jobs"), "Background jobs")
        expect(site.page.locator(".app-failing-task")).to_contain_text("Reminders: failing since")
        expect(site.page.locator(".app-failing-task")).to_contain_text(
            "RuntimeError: the reminders query timed out"
        )
        site.screenshot("71-failing-periodic-task")

        site.go_to("Users")
        site.follow(site.page.get_by_role("link", name="Emails sent"), "Emails sent")
        site.follow(site.page.locator("#email-counts a"), "Emails sent")
        expect(site.page.locator("#email-filter")).to_contain_text("Showing failed emails only")
        site.screenshot("72-failed-emails")
        button = site.page.get_by_role(
            "button", name="Send the email to officer@demo.example again"
        )
        site.follow(button.first, "Emails sent")
        expect(site.banner()).to_contain_text(
            "The email to officer@demo.example will be sent again"
        )
        with live_server.app.app_context():
            assert db.session.get(OutboxEmail, email_id).status == "pending"
            db.session.rollback()
    finally:
        with live_server.app.app_context(), unit_of_work():
            db.session.execute(delete(PeriodicTask).where(PeriodicTask.name == "reminders"))
