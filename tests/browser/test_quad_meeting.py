"""The QuAD meeting's own record in Chromium (issue 16, item 4): a manager records the meeting of
the month before last (the demo council already has last month's, held) with two services,
chosen by typing part of a name into the service picker (GOV.UK's accessible autocomplete), and
an action; marks it held, adds an addendum, then opens last month's report and finds the action
carried forward. Every page passes axe-core; screenshots at 1280 and 375 pixels wide."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from qa_app.domain.months import last_full_month
from tests.browser.pages import fill_date

MANAGER = "manager@demo.example"


def test_a_manager_records_the_meeting_and_the_action_is_carried_forward(site, live_server):
    now = datetime.now(UTC)
    # the demo's own meeting is last month's: this one is the month before's, carried into it
    current = last_full_month(now)
    last = current.previous()
    held_on = last.first_day + timedelta(days=9)
    record_h1 = f"Record of the QuAD meeting: {last.label}"
    page = site.page
    site.sign_in(MANAGER)
    site.visit(f"/reports/quad?month={last}", f"QuAD report: {last.label}")
    site.follow(page.get_by_role("link", name="Open the record of the meeting"), record_h1)
    site.follow(page.get_by_role("button", name="Start the record"), "Date and attendees")

    # sent empty: each problem named, beside its box
    site.follow(page.get_by_role("button", name="Save and continue"), status=422)
    assert site.errors() == [
        "Enter the date of the meeting",
        "List who attended: one a line, the name, a comma, the organisation",
    ]
    fill_date(page, "Date of the meeting", held_on)
    page.get_by_label("Attendees").fill("Maria Manager, Council\nSam Patel, North ICB")
    site.follow(page.get_by_role("button", name="Save and continue"), record_h1)

    discussed = []
    for typed, name, discussion, action in (
        (
            "castlegate pa",
            "Castlegate Park",
            "Night staffing below the agreed level",
            "Unannounced night visit",
        ),
        # a word of the provider's name narrows it too
        ("kingsway extra pla", "Kingsway Place", "Falls rising", None),
    ):
        site.follow(
            page.get_by_role("button", name="Add a service discussed"), "Add a service discussed"
        )
        discussed.append(name)
        # the select of every service, made into a box to type in
        picker = page.get_by_role("combobox", name="Service discussed")
        picker.fill(typed)
        choices = page.get_by_role("option")
        expect(choices).to_have_count(1)
        expect(choices.first).to_contain_text(name)
        if not action:
            site.screenshot("quad-meeting-service-picker")
        choices.first.click()
        expect(page.locator("#service_id-select")).to_have_value(str(live_server.service_id(name)))
        page.get_by_label("Discussion").fill(discussion)
        page.get_by_label("Decisions").fill("Keep under review")
        site.follow(
            page.get_by_role("button", name="Save and add actions"),
            f"Council actions for {discussed[-1]}",
        )
        if action:
            page.get_by_label("What the council will do").fill(action)
            page.get_by_label("Owner").fill("Olivia Officer")
            fill_date(page, "Target date", held_on + timedelta(days=40))
            page.get_by_label("2 On track").check()
            site.screenshot("quad-meeting-add-action")
            site.follow(page.get_by_role("button", name="Save and return to the record"), record_h1)
        else:
            site.follow(
                page.get_by_role("link", name="Return to the record without adding an action"),
                record_h1,
            )
    cards = page.locator(".govuk-summary-card__title")
    for name in discussed:
        expect(cards.filter(has_text=name)).to_have_count(1)
    expect(page.locator(f"#service-{1} , .govuk-summary-card").first).to_contain_text(
        "Unannounced night visit"
    )
    site.screenshot("quad-meeting-draft")

    site.follow(page.get_by_role("button", name="Mark the meeting held"), record_h1)
    expect(page.locator(".govuk-tag")).to_contain_text("Held (locked)")
    expect(page.get_by_role("button", name="Add a service discussed")).to_have_count(0)
    page.get_by_label("Add an addendum").fill("ICB confirmed it will join the night visit")
    site.follow(page.get_by_role("button", name="Add the addendum"), record_h1)
    expect(page.locator("#addenda ~ dl").first).to_contain_text("ICB confirmed it will join")
    expect(page.get_by_role("table", name="History of this record")).to_contain_text(
        "addendum added"
    )
    site.screenshot("quad-meeting-held-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    site.arrived(record_h1)
    site.screenshot("quad-meeting-held-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    site.visit(f"/reports/quad?month={current}", f"QuAD report: {current.label}")
    carried = page.get_by_role(
        "table",
        name=f"Council actions from earlier meetings not completed before {current.label} began",
        exact=False,
    )
    row = carried.locator("tbody tr").filter(has_text="Unannounced night visit")
    expect(row).to_contain_text("2 On track")
    expect(row).to_contain_text("Carried forward")
    expect(row).to_contain_text(discussed[0])
    page.locator("#carried-forward").scroll_into_view_if_needed()
    site.screenshot("quad-meeting-carried-forward-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    site.arrived()
    site.screenshot("quad-meeting-carried-forward-375")
