"""The main journeys, in a real browser, with axe-core on every page."""

import pytest
from playwright.sync_api import expect

HOMES = {
    "admin@demo.example": "Home",
    "manager@demo.example": "Home",
    "officer@demo.example": "Home",
    "provider@demo.example": "Your services",
}


@pytest.mark.parametrize("email", HOMES)
def test_each_role_signs_in_to_its_home_and_out_again(site, email):
    site.sign_in(email)
    assert site.h1() == HOMES[email]
    if email.startswith("provider"):
        assert site.page.url.endswith("/portal/")
    site.sign_out()
    site.visit("/home")
    assert site.h1() == "Sign in"  # signed out means signed out


def test_screenshots_of_the_main_pages(site):
    site.visit("/sign-in")
    site.screenshot("01-sign-in")
    site.sign_in("officer@demo.example")
    site.screenshot("02-staff-home")
    site.visit("/services")
    site.screenshot("03-service-list")
    site.page.get_by_role("link", name="Brookside Mews").click()
    site.checked()
    site.screenshot("04-service-page")
    site.visit("/providers")
    site.screenshot("05-provider-list")
    site.sign_out()
    site.sign_in("admin@demo.example")
    site.visit("/admin/users")
    site.screenshot("06-admin-users")
    site.sign_out()
    site.sign_in("provider@demo.example")
    site.screenshot("07-portal-home")


def test_officer_adds_a_service_correcting_errors_first(site):
    site.sign_in("officer@demo.example")
    site.page.get_by_role("link", name="Services", exact=True).click()
    site.page.get_by_role("button", name="Add a service").click()
    page = site.checked()
    page.get_by_label("Service name").fill("Juniper House (browser test)")
    page.get_by_label("Provider").select_option(label="Oakridge Nursing Ltd")
    page.get_by_label("Type of service").select_option(label="Care home without nursing")
    page.get_by_label("Cluster or area").fill("North")
    page.get_by_label("Postcode").fill("NOT A POSTCODE")
    site.fill_date("contract_start", "1", "4", "2026")
    site.fill_date("contract_end", "1", "4", "2025")
    page.get_by_role("button", name="Add service").click()
    site.checked()
    assert site.error_summary() == [
        "Enter a real UK postcode, like SW1A 1AA",
        "The contract end date must be the same as or after the start date",
    ]
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # GOV.UK Frontend moves focus here
    assert page.title().startswith("Error: Add a service")
    site.screenshot("08-add-service-errors")
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="Enter a real UK postcode"
    ).click()
    expect(page.get_by_label("Postcode")).to_be_focused()
    page.get_by_label("Postcode").fill("ne61 2da")
    site.fill_date("contract_end", "31", "3", "2030")
    page.get_by_role("button", name="Add service").click()
    site.checked()
    assert site.h1() == "Juniper House (browser test)"
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been added")
    expect(page.locator("table.app-history")).to_contain_text("Service created")
    expect(page.locator("main")).to_contain_text("NE61 2DA")


def test_officer_filters_the_service_list(site):
    site.sign_in("officer@demo.example")
    site.visit("/services")
    page = site.page
    page.get_by_label("Cluster").select_option("South")
    page.get_by_label("CQC rating").select_option("Good")
    page.get_by_role("button", name="Apply filters").click()
    site.checked()
    rows = page.locator("tbody tr")
    count = rows.count()
    assert count > 0
    expect(page.locator("[role=status]")).to_have_text(f"Showing 1 to {count} of {count} services")
    for i in range(count):
        cells = rows.nth(i).locator("td")
        assert cells.nth(2).inner_text().strip() == "South"
        assert cells.nth(3).inner_text().strip() == "Good"


def test_provider_sees_only_its_own_services(site, live_server):
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Service

    with live_server["app"].app_context():
        other = db.session.scalar(select(Service.id).where(Service.name == "Brookside Manor"))
    site.sign_in("provider@demo.example")
    names = site.page.locator("tbody tr td:first-child").all_inner_texts()
    assert names and all(name.startswith("Heathervale") for name in names)
    site.visit(f"/portal/services/{other}", status=404)
    assert site.h1() == "Page not found"
    site.visit("/services", status=404)
    assert site.h1() == "Page not found"


def test_admin_invites_a_user_who_sets_a_password(site, browser):
    site.sign_in("admin@demo.example")
    site.page.get_by_role("link", name="Users").click()
    site.page.get_by_role("button", name="Invite a user").click()
    page = site.checked()
    page.get_by_label("Full name").fill("Robin Browser")
    page.get_by_label("Email address").fill("robin.browser@council.example")
    page.get_by_label("Quality officer").check()
    page.get_by_role("button", name="Create user and get link").click()
    site.checked()
    link = page.locator("#invite-link").inner_text().strip()
    newcomer = browser.new_context()
    try:
        other = newcomer.new_page()
        other.goto(link)
        assert other.locator("h1").inner_text() == "Create your password"
        other.get_by_label("Create a password").fill("a long new passphrase")
        other.get_by_label("Confirm password").fill("a long new passphrase")
        other.get_by_role("button", name="Create password and sign in").click()
        expect(other.locator("h1")).to_have_text("Home")
    finally:
        newcomer.close()
