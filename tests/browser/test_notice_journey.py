"""Issue 7's journey: a high concern received 25 hours ago → the sweep → a draft notice → the
manager issues it with a placement stop, typed and issued without saving first (issue 13) → the stop shows on the lists and in the portal → the
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
    # issue 13: what is typed is kept through every button, and saved with the step
    grounds = "A whistleblower reported residents left in bed; not answered in time."
    page.get_by_label("Grounds").fill(grounds)
    officer.follow(page.get_by_role("button", name="Add rectification requirement"), status=422)
    assert officer.errors() == [
        "Say what the rectification requirement requires of the provider",
        "Enter the date the rectification requirement is due",
    ]
    expect(page.get_by_label("Grounds")).to_have_value(grounds)
    page.get_by_label("What the provider must do").fill(
        "Get every resident up by 10am, as their care plan says"
    )
    fill_date(page, "Due by", (datetime.now(LONDON) + timedelta(days=14)).date())
    officer.follow(page.get_by_role("button", name="Add rectification requirement"))
    expect(officer.banner()).to_contain_text("has been added")
    expect(page.get_by_label("Grounds")).to_have_value(grounds)  # saved with it
    expect(page.get_by_text("A manager issues")).to_be_visible()

    manager = new_visitor()
    manager.sign_in("manager@demo.example")
    manager.go_to("Notices")
    manager.screenshot("31-notice-list")
    manager.visit(notice_url)
    mpage = manager.page
    mpage.get_by_label("Grounds").fill(grounds + " Confirmed on our visit.")
    fill_date(mpage, "Placement stop from (optional)", datetime.now(LONDON).date())
    # Issue straight away, without Save draft: what is on the screen is what is issued
    manager.follow(mpage.get_by_role("button", name="Issue notice of concern"))
    expect(manager.banner()).to_contain_text("The notice has been issued")
    expect(mpage.locator("h2:text-is('Grounds') + p")).to_have_text(
        grounds + " Confirmed on our visit."
    )
    placement = mpage.locator(".govuk-summary-list__row").filter(has_text="Placement stop")
    expect(placement).to_contain_text("In force from")
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
    expect(page.get_by_text("From Monday, morning routines").first).to_be_visible()
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


def test_a_draft_is_issued_as_typed_and_a_stop_added_after_issue(new_visitor, live_server):
    """Issue 13, point 1, as the manager does it: everything typed on the draft is kept (Enter
    in a date box saves the draft, the requirement typed included), and a placement stop
    decided after issue is added, moved before it begins, and shows on the service list."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Notice

    service = "Kingsway Place"  # the demo's draft notice, used by no other browser test
    with live_server.app.app_context():
        notice_id = db.session.scalar(
            select(Notice.id).where(Notice.service_id == live_server.service_id(service))
        )
    today = datetime.now(LONDON).date()
    manager = new_visitor()
    manager.sign_in("manager@demo.example")
    page = manager.page
    manager.visit(f"/notices/{notice_id}", f"Notice of concern {notice_id}: {service}")
    page.get_by_label("Grounds").fill("Night staff were found asleep on shift.")
    page.get_by_label("What the provider must do").fill("Two waking night staff every night")
    fill_date(page, "Due by", today + timedelta(days=14))
    manager.screenshot("35-notice-draft-typed")
    year = page.get_by_role("group", name="Due by", exact=True).get_by_label("Year", exact=True)
    page.evaluate("window.__qaLeaving = true")
    year.press("Enter")  # the form's default button: Save draft, with everything typed
    page.wait_for_function("!window.__qaLeaving")
    manager.arrived()
    expect(manager.banner()).to_contain_text("The draft has been saved")
    expect(page.get_by_label("Grounds")).to_have_value("Night staff were found asleep on shift.")
    expect(page.get_by_text("1. Two waking night staff every night")).to_be_visible()

    manager.follow(page.get_by_role("button", name="Issue notice of concern"))
    expect(manager.banner()).to_contain_text("The notice has been issued")
    tomorrow = today + timedelta(days=1)
    fill_date(page, "Placement stop from", tomorrow)
    page.locator("#stop-why").fill("A second incident the night after the visit")
    manager.follow(page.get_by_role("button", name="Add placement stop"))
    expect(page.locator("#placement-stop + p")).to_have_text(
        f"Planned from {tomorrow.day} {tomorrow:%B %Y}: not yet begun."
    )
    fill_date(page, "Placement stop from", today)
    page.locator("#stop-why").fill("The QuAD meeting decided to start at once")
    manager.follow(page.get_by_role("button", name="Change start date"))
    expect(page.locator("#placement-stop + p")).to_have_text(
        f"In force from {today.day} {today:%B %Y}."
    )
    history = page.get_by_role("table", name="History")
    expect(history).to_contain_text("Notice placement stop moved")
    expect(history).to_contain_text("The QuAD meeting decided to start at once")
    manager.screenshot("36-notice-stop-added-after-issue")
    manager.go_to("Services")
    expect(page.get_by_role("row").filter(has_text=service)).to_contain_text(
        "Closed to new placements"
    )
