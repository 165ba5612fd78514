"""Notifications in the browser: the header's unread count (read by screen readers as
"Notifications (3 unread)"), the Notifications page at 1280 and 375 px, opening one, "Mark all
as read", and choosing one email a day on Your account."""

from uuid import uuid4

from playwright.sync_api import expect
from sqlalchemy import select

from qa_app.services.demo import DEMO_PASSWORD


def _provider_with_notifications(live_server, count: int) -> str:
    """A new user of Heathervale Care (so no other test's emails are theirs), with `count`
    emails written for them as events write them."""
    from qa_app.extensions import db
    from qa_app.models import Service, User
    from qa_app.services import outbox
    from qa_app.services.passwords import hash_password
    from qa_app.services.transaction import unit_of_work

    email = f"pat.{uuid4().hex[:6]}@heathervale.example"
    with live_server.app.test_request_context():
        service = db.session.scalars(
            select(Service).where(Service.name == "Heathervale House")
        ).one()
        with unit_of_work():
            user = User(
                email=email,
                name="Pat Okafor",
                role="provider",
                provider_id=service.provider_id,
                password_hash=hash_password(DEMO_PASSWORD),
            )
            db.session.add(user)
            db.session.flush()
            for n in range(count):
                outbox.enqueue(
                    "plan_opened" if n % 2 else "assessment_published",
                    f"browser:{email}:{n}",
                    [user],
                    {
                        "service_name": service.name,
                        "deadline": "15 January 2027",
                        "link": outbox.link("portal.service_page", service_id=service.id)
                        if n % 2
                        else outbox.link("portal.home"),
                    },
                )
    return email


def test_notifications_in_the_header_and_their_page(site, live_server):
    email = _provider_with_notifications(live_server, 3)
    site.sign_in(email, lands_on="Your services")
    header = site.page.locator("#header-notifications")
    expect(header).to_have_text("Notifications (3 unread)")
    # the whole count is in the link's name, for screen readers too
    expect(site.page.get_by_role("link", name="Notifications (3 unread)")).to_be_visible()

    site.follow(header, "Notifications")
    items = site.page.locator("#notifications li")
    expect(items).to_have_count(3)
    expect(site.page.locator(".app-notification--unread")).to_have_count(3)
    site.screenshot("notifications-1280")
    site.page.set_viewport_size({"width": 375, "height": 800})
    site.screenshot("notifications-375")
    site.page.set_viewport_size({"width": 1280, "height": 900})

    newest = items.first.get_by_role("link")
    expect(newest).to_have_text("Quality assurance report published for Heathervale House")
    site.follow(newest, "Your services")  # its page
    expect(header).to_have_text("Notifications (2 unread)")

    site.follow(header, "Notifications")
    site.follow(site.page.get_by_role("button", name="Mark all as read"), "Notifications")
    expect(site.banner()).to_contain_text("All your notifications are marked as read")
    expect(header).to_have_text("Notifications")
    expect(site.page.locator(".app-notification--unread")).to_have_count(0)


def test_choosing_one_email_a_day(site, live_server):
    email = _provider_with_notifications(live_server, 0)
    site.sign_in(email, lands_on="Your services")
    site.follow(site.page.get_by_role("link", name="Your account"), "Your account")
    expect(site.page.get_by_label("Each email as it happens")).to_be_checked()
    site.page.get_by_label("One email a day").check()
    site.screenshot("your-account-1280")
    site.follow(site.page.get_by_role("button", name="Save email preferences"), "Your account")
    expect(site.banner()).to_contain_text("Your email preferences have been saved")
    expect(site.page.get_by_label("One email a day")).to_be_checked()
    site.page.set_viewport_size({"width": 375, "height": 800})
    site.screenshot("your-account-375")
