"""The visit programme in Chromium (issue 20): a manager opens the programme, previews next
month's visits for the North cluster (nothing is planned yet), confirms, and lands on the month's
calendar; then an officer signs in and finds the visits given to them on their home page. Every
page passes axe-core; screenshots at 1280 and 375 pixels wide."""

from datetime import UTC, datetime

from qa_app.domain.months import month_of

MANAGER = "manager@demo.example"
OFFICER = "officer@demo.example"  # Sam Taylor
OFFICERS = {"Sam Taylor": OFFICER, "Jordan Reid": "officer2@demo.example"}


SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _both_widths(site, name: str) -> None:
    """Screenshots at 1280 and 375 px; at 375 nothing may scroll sideways."""
    site.screenshot(f"{name}-1280")
    site.page.set_viewport_size({"width": 375, "height": 800})
    site.screenshot(f"{name}-375")
    assert site.page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways at 375 px"
    site.page.set_viewport_size({"width": 1280, "height": 900})


def test_a_manager_plans_next_month_and_the_officer_sees_it(site, new_visitor):
    month = month_of(datetime.now(UTC)).next()
    page = site.page
    site.sign_in(MANAGER)
    site.go_to("Visit programme")
    programme = page.locator("#programme")
    # overdue first (if other tests on this server left any), then the months in order
    groups = [g.split(" (")[0] for g in programme.locator("th[scope=colgroup]").all_inner_texts()]
    months = [datetime.strptime(g, "%B %Y") for g in groups if g != "Overdue"]
    assert groups and months == sorted(months) and "Overdue" not in groups[1:], groups
    _both_widths(site, "programme")

    site.follow(page.get_by_role("button", name="Plan a cluster's month"), "Plan a cluster's month")
    page.get_by_label("Cluster").select_option("North")
    page.get_by_label("Month").select_option(str(month))
    site.follow(page.get_by_role("button", name="Preview"), "Plan a cluster's month")
    rows = site.table("Visits that would be planned")
    assert rows, "North has visits due"
    # the first officer given a visit (which one depends on what other tests on this server
    # planned before): they see their visits on their home page once confirmed
    officer_name = rows[0][2]
    planned_for_them = [r[0].splitlines()[0] for r in rows if r[2] == officer_name]
    _both_widths(site, "programme-bulk-preview")

    # nothing changed yet: the officer's home page does not list them
    officer = new_visitor()
    officer.sign_in(OFFICERS[officer_name])
    visits = officer.page.locator("#your-visits + table, #your-visits ~ p").first.inner_text()
    assert not any(name in visits for name in planned_for_them)

    confirm = page.get_by_role("button", name=f"Confirm and plan {len(rows)} visits")
    site.follow(confirm, f"Planned visits, {month.label}")
    assert "planned in North" in site.banner().inner_text()
    calendar = page.locator("#calendar").inner_text()
    assert all(name in calendar for name in planned_for_them)
    _both_widths(site, "programme-calendar")

    officer.visit("/home", "Home")
    table = officer.page.get_by_role("table", name="Visits you lead, soonest first")
    listed = table.inner_text()
    assert all(name in listed for name in planned_for_them)
    _both_widths(officer, "programme-officer-home")


def test_an_officer_makes_a_calendar_feed_address(site):
    page = site.page
    site.sign_in(OFFICER)
    site.visit("/programme/feed", "Your calendar feed")
    site.follow(page.get_by_role("button", name="Make a feed address"), "Your calendar feed")
    address = page.locator("#feed-url").inner_text().strip()
    assert "/calendar/cal_" in address and address.endswith(".ics")
    _both_widths(site, "programme-feed")
    # the feed itself answers without signing in, as a calendar
    response = page.request.get(address)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.body()
    site.follow(page.get_by_role("button", name="Stop the feed"), "Your calendar feed")
    assert page.request.get(address).status == 404
