"""Issue 7's journey: a high concern received 25 hours ago → the sweep → a draft notice → the
manager issues it with a placement stop → the stop shows on the lists and in the portal → the
provider responds → the officer records the requirement met → the notice is lifted → the stop is
gone. axe-core checks every page on the way (Site.arrived)."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from qa_app.domain.clocks import LONDON
from tests.browser.pages import fill_date

SERVICE = "Heathervale House"  # the demo provider user's, with no notice yet


def test_concern_to_notice_to_lifted(new_visitor, live_server):
    from qa_app.services import sweep

    officer = new_visitor()
    officer.sign_in("officer@demo.example")
    page = officer.page
    officer.visit(f"/services/{live_server.service_id(SERVICE)}", SERVICE)
    officer.follow(
        page.get_by_role("button", name="Log a concern"), f"Log a concern about {SERVICE}"
    )
    received = datetime.now(LONDON) - timedelta(hours=25)
    page.get_by_role("group", name="Risk level").get_by_label("High", exact=False).check()
    page.get_by_role("group", name="Where did it come from?").get_by_label("Whistleblower").check()
    fill_date(page, "Date received", received.date())
    page.get_by_label("Time received").fill(received.strftime("%H:%M"))
    page.get_by_label("Summary").fill("Residents left in bed until midday")
    officer.follow(
        page.get_by_role("button", name="Log concern"), "Residents left in bed until midday"
    )
    expect(page.locator(".app-clock")).to_contain_text("Overdue by 1 h")
    officer.screenshot("30-concern-overdue")

    # The sweep runs 25 hours after the minute typed in, so the concern is exactly an hour late
    # however long the steps above took.
    swept_at = received.replace(second=0, microsecond=0).astimezone(UTC) + timedelta(hours=25)
    with live_server.app.app_context():
        summary = sweep.sweep(swept_at)
    assert summary["escalated"] >= 1 and summary["notices_created"] >= 1

    page.reload()
    officer.arrived("Residents left in bed until midday")
    expect(page.locator(".app-clock")).to_contain_text("Escalated 1 h late")
    officer.follow(page.get_by_role("link", name="Notice of concern"))
    assert officer.h1().startswith("Notice of concern") and officer.h1().endswith(SERVICE)
    notice_url = page.url
    officer.follow(page.get_by_role("button", name="Add rectification requirement"))
    assert officer.errors() == [
        "Say what the rectification requirement requires of the provider",
        "Enter the date the rectification requirement is due",
    ]
    page.get_by_label("What the provider must do").fill(
        "Get every resident up by 10am, as their care plan says"
    )
    fill_date(page, "Due by", (datetime.now(LONDON) + timedelta(days=14)).date())
    officer.follow(page.get_by_role("button", name="Add rectification requirement"))
    expect(officer.banner()).to_contain_text("has been added")
    expect(page.get_by_text("A manager issues")).to_be_visible()

    manager = new_visitor()
    manager.sign_in("manager@demo.example")
    manager.go_to("Notices")
    manager.screenshot("31-notice-list")
    manager.visit(notice_url)
    mpage = manager.page
    mpage.get_by_label("Grounds").fill(
        "A whistleblower reported residents left in bed; not answered in time."
    )
    fill_date(mpage, "Placement stop from (optional)", datetime.now(LONDON).date())
    manager.follow(mpage.get_by_role("button", name="Save draft"))
    manager.follow(mpage.get_by_role("button", name="Issue notice of concern"))
    expect(manager.banner()).to_contain_text("The notice has been issued")
    manager.screenshot("32-notice-issued")

    manager.go_to("Services")
    row = mpage.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text("Closed to new placements")
    manager.go_to("Market", "Market overview")
    row = mpage.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text("Red")
    expect(row).to_contain_text("Placement stop since")
    manager.screenshot("33-market-overview")

    provider = new_visitor()
    provider.sign_in("provider@demo.example", lands_on="Your services")
    ppage = provider.page
    expect(ppage.get_by_role("row").filter(has_text=SERVICE).first).to_contain_text(
        "Closed to new placements"
    )
    provider.screenshot("34-portal-notice")
    notices_table = ppage.get_by_role("table", name="Notices from the council")
    provider.follow(notices_table.get_by_role("row").filter(has_text=SERVICE).get_by_role("link"))
    ppage.get_by_label("Your response").fill(
        "From Monday, morning routines start at 7:30 with an extra carer."
    )
    provider.follow(ppage.get_by_role("button", name="Send response"))
    expect(provider.banner()).to_contain_text("Your response has been sent")

    officer.visit(notice_url)
    expect(page.get_by_text("From Monday, morning routines")).to_be_visible()
    page.get_by_text("Record whether it is met").click()
    page.get_by_role("group", name="Is rectification requirement 1 met?").get_by_label(
        "Met", exact=True
    ).check()
    officer.follow(page.get_by_role("button", name="Record"))
    expect(officer.banner()).to_contain_text("has been recorded")

    manager.visit(notice_url)
    manager.follow(mpage.get_by_role("button", name="Lift notice"))
    expect(manager.banner()).to_contain_text("The notice has been lifted")
    manager.go_to("Services")
    expect(mpage.get_by_role("row").filter(has_text=SERVICE)).not_to_contain_text(
        "Closed to new placements"
    )
    provider.visit("/portal/", "Your services")
    expect(ppage.get_by_role("row").filter(has_text=SERVICE).first).not_to_contain_text(
        "Closed to new placements"
    )
