"""The provider portal: a provider's staff see their own services and nothing else."""

from qa_app.services import demo
from tests.browser.pages import Portal

HEATHERVALE = sorted(s[0] for s in demo.SERVICES if s[1] == 0)  # provider@demo.example's


def test_provider_sees_only_their_own_services(site, live_server):
    other_providers_service = live_server.service_id("Brookside Manor")
    site.sign_in("provider@demo.example", lands_on="Your services")
    portal = Portal(site)
    names = portal.service_names()
    assert sorted(names) == HEATHERVALE
    assert all(name.startswith("Heathervale") for name in names)
    site.screenshot("06-portal-home")

    portal.open_service("Heathervale Lodge")
    site.screenshot("11-portal-service")

    site.visit(f"/portal/services/{other_providers_service}", "Page not found", status=404)
    site.screenshot("09-page-not-found")
    site.visit(f"/services/{other_providers_service}", "Page not found", status=404)
    site.visit("/services", "Page not found", status=404)


def test_the_provider_sees_by_when_to_comment_on_a_draft(site, live_server):
    """Issue 13, point 8: the 14 days for comments on a shared draft, on the portal's home."""
    from datetime import timedelta

    from sqlalchemy import select

    from qa_app.domain.wording import long_date
    from qa_app.extensions import db
    from qa_app.models import Assessment

    with live_server.app.app_context():
        shared_at = db.session.scalar(
            select(Assessment.shared_at).where(
                Assessment.service_id == live_server.service_id("Brookside Mews"),
                Assessment.status == "draft_shared",
            )
        )
    due = long_date(shared_at + timedelta(days=14))
    site.sign_in("provider2@demo.example", lands_on="Your services")
    reminder = site.page.locator(".govuk-inset-text")
    assert reminder.inner_text().startswith(
        f"Comment on the draft report for Brookside Mews by {due}."
    )
    site.screenshot("12-portal-comment-deadline")
    site.follow(reminder.get_by_role("link"), "Draft report: Brookside Mews")
    assert f"until {due}" in site.page.locator(".govuk-warning-text").inner_text()
