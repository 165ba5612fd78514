"""Council staff with the service register: adding a service, filtering the list."""

from datetime import date
from uuid import uuid4

from playwright.sync_api import expect

from qa_app.services import demo
from tests.browser.pages import ServiceList

OFFICER = "officer@demo.example"


def test_officer_adds_a_service_after_correcting_mistakes(site):
    name = f"Juniper House {uuid4().hex[:6]}"
    site.sign_in(OFFICER)
    form = ServiceList(site).open().add_service()
    form.fill(
        name=name,
        provider="Oakridge Nursing Ltd",
        service_type="Care home without nursing",
        cluster="North",
        postcode="NOT A POSTCODE",
        contract_start=date(2026, 4, 1),
        contract_end=date(2025, 3, 31),  # before the start
    )

    errors = form.submit_with_errors()
    assert len(errors) == 2, errors
    assert "postcode" in errors[0].lower()  # in the order of the fields
    assert "end date" in errors[1].lower()
    page = site.page
    assert page.title().startswith("Error: Add a service")
    expect(site.error_summary()).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(site.error_summary()).to_be_in_viewport()
    expect(page.locator("#postcode-error")).to_contain_text(errors[0])
    expect(form.postcode()).to_have_value("NOT A POSTCODE")  # what was typed is kept
    expect(page.get_by_label("Service name", exact=True)).to_have_value(name)
    site.screenshot("05-add-service-errors")

    site.follow_error(errors[0])
    expect(form.postcode()).to_be_focused()
    site.follow_error(errors[1])
    contract_end = page.get_by_role("group", name="Contract end date", exact=True)
    expect(contract_end.get_by_label("Day", exact=True)).to_be_focused()

    form.fill(postcode="ne61 2da", contract_end=date(2030, 3, 31))
    service = form.submit(lands_on=name)
    expect(site.banner()).to_contain_text(f"{name} has been added")
    details = service.details()
    assert details["Provider"] == "Oakridge Nursing Ltd"
    assert details["Address"] == "NE61 2DA"
    assert details["Contract"].endswith("1 April 2026 to 31 March 2030"), details["Contract"]
    created = [event for event in service.history() if event["what"] == "Service created"]
    assert [event["who"] for event in created] == ["Sam Taylor"]
    site.screenshot("04-service-page")


def test_officer_filters_services_by_cluster_and_cqc_rating(site):
    expected = {s[0] for s in demo.SERVICES if s[3] == "South" and s[5] == "Good"}
    site.sign_in(OFFICER)
    services = ServiceList(site).open()
    site.screenshot("03-service-list")

    services.filter(cluster="South", cqc_rating="Good")
    rows = services.rows()
    assert services.result_count() == f"Showing 1 to {len(rows)} of {len(rows)} services"
    assert expected <= {row["service"] for row in rows}
    assert [r for r in rows if (r["cluster"], r["cqc_rating"]) != ("South", "Good")] == []
    filters = site.page.get_by_role("search", name="Filter services")
    expect(filters.get_by_label("Cluster", exact=True)).to_have_value("South")
    expect(filters.get_by_label("CQC rating", exact=True)).to_have_value("Good")
    site.screenshot("08-service-list-filtered")

    services.clear_filters()
    assert len(services.rows()) > len(rows)
