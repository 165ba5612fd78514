"""Page objects: what a person does on each page, in a few words per step.

Every page a test lands on goes through `Site.arrived`, which waits for it (its h1), then runs
axe-core and fails on any serious or critical violation (naming the rule and the elements), and
fails if the browser logged an error: a script or style refused by the Content-Security-Policy,
a failed request, an uncaught exception.

axe-core takes a third of the browser tier's time, so `arrived` runs it once per kind of page in
each test process: the same address with its numbers taken out, the same query parameters, the
same status, with or without an error summary, at the same width. A test that wants a page
checked in a particular state (offline, a clash shown) calls `check_accessibility` itself.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Locator, Page, expect

from qa_app.services.demo import DEMO_PASSWORD

AXE = Axe()
BLOCKING_IMPACTS = ("serious", "critical")


def accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    problems = []
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            problems.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}; "
                f"at {', '.join(targets[:10])}{' …' if len(targets) > 10 else ''}"
            )
    return problems


def check_accessibility(page: Page) -> None:
    problems = accessibility_problems(page)
    assert not problems, f"axe-core on {page.url}:\n  " + "\n  ".join(problems)


_kinds_checked: set[tuple] = set()  # kinds of page axe-core has passed in this test process


def page_kind(page: Page, status: int, with_errors: bool) -> tuple:
    """What makes two pages the same for axe-core: the address without its numbers, the names
    of its query parameters, the status, an error summary shown or not, and the width."""
    address = urlsplit(page.url)
    width = (page.viewport_size or {}).get("width")
    query = tuple(sorted({name for name, _ in parse_qsl(address.query)}))
    return (re.sub(r"\d+", "#", address.path), query, status, with_errors, width)


def check_accessibility_once(page: Page, status: int, with_errors: bool) -> None:
    kind = page_kind(page, status, with_errors)
    if kind not in _kinds_checked:
        check_accessibility(page)
        _kinds_checked.add(kind)


class Site:
    """One person's browser tab on the app (a browser context of their own)."""

    def __init__(self, context: BrowserContext, screenshots: Path):
        self.context = context
        self.screenshots = screenshots
        self.page = context.new_page()
        self.browser_errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.browser_errors.append(f"uncaught {error}"))
        self.document_status = 200
        self.page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.browser_errors.append(message.text)

    def _on_response(self, response) -> None:
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self.document_status = response.status

    # ------------------------------------------------------------ arriving on a page

    def visit(self, path: str, h1: str | None = None, *, status: int = 200) -> Page:
        """Type an address (a path on the app, or a full URL) and check the page that opens."""
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status == status, f"{path}: status {response.status}, not {status}"
        if status >= 400:  # Chromium logs the page's own error status; that one is expected
            self.browser_errors = [e for e in self.browser_errors if f"status of {status}" not in e]
        return self.arrived(h1)

    def follow(self, target: Locator, h1: str | None = None, *, status: int = 200) -> Page:
        """Click a link or button that opens a page (even the same address again, as a form
        that shows its errors does), and check the page that opens. `status`: a form refused
        with 422 (or 409) shows its page again with that status."""
        self.page.evaluate("window.__qaLeaving = true")
        if status == 200:
            target.click()
        else:
            with self.page.expect_response(
                lambda r: r.request.is_navigation_request() and r.status == status
            ):
                target.click()
        self.page.wait_for_function("!window.__qaLeaving")
        if status >= 400:  # Chromium logs the page's own error status; that one is expected
            self.browser_errors = [e for e in self.browser_errors if f"status of {status}" not in e]
        return self.arrived(h1)

    def arrived(self, h1: str | None = None) -> Page:
        """The page is loaded (with this h1, if given), passes axe-core, and the browser has
        logged no errors."""
        if h1 is not None:
            expect(self.page.locator("h1")).to_have_text(h1)
        self.page.wait_for_load_state("load")
        with_errors = self.error_summary().count() > 0
        if self.document_status >= 400 and with_errors:
            # a form sent back with its errors (422, or 409 when the record moved on): Chromium
            # logs the page's own status, which is expected
            status = f"status of {self.document_status}"
            self.browser_errors = [e for e in self.browser_errors if status not in e]
        check_accessibility_once(self.page, self.document_status, with_errors)
        assert not self.browser_errors, f"browser errors on {self.page.url}: {self.browser_errors}"
        return self.page

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def screenshot(self, name: str, full_page: bool = True) -> None:
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=full_page)

    # ------------------------------------------------------------ on every page

    def sign_in(self, email: str, password: str = DEMO_PASSWORD, *, lands_on="Home") -> Page:
        self.visit("/sign-in", "Sign in")
        self.page.get_by_label("Email address", exact=True).fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        return self.follow(self.page.get_by_role("button", name="Sign in"), lands_on)

    def sign_out(self) -> Page:
        return self.follow(self.page.get_by_role("button", name="Sign out"), "Sign in")

    def go_to(self, section: str, h1: str | None = None) -> Page:
        """A link in the service navigation at the top of the page."""
        menu = self.page.get_by_role("navigation", name="Menu")
        return self.follow(menu.get_by_role("link", name=section, exact=True), h1 or section)

    def signed_in_as(self) -> str:
        return self.page.locator(".app-account__name").inner_text().strip()

    def banner(self) -> Locator:
        """The notification banner shown (a hidden one, kept for a script to show, is not)."""
        return self.page.locator(".govuk-notification-banner:not([hidden])")

    def error_summary(self) -> Locator:
        return self.page.locator(".govuk-error-summary")

    def errors(self) -> list[str]:
        return [
            " ".join(text.split()) for text in self.error_summary().locator("li").all_inner_texts()
        ]

    def follow_error(self, text: str) -> None:
        """Click the link in the error summary that contains this text."""
        self.error_summary().get_by_role("link", name=text).click()

    def table(self, name: str) -> list[list[str]]:
        """The body rows of the table with this caption, as the text of their cells."""
        return (
            self.page.get_by_role("table", name=name, exact=True)
            .locator("tbody tr")
            .evaluate_all("rows => rows.map(row => Array.from(row.cells, c => c.innerText.trim()))")
        )


def fill_date(scope: Page | Locator, legend: str, value: date) -> None:
    """A GOV.UK date input: the fieldset named by its legend, with Day, Month and Year boxes."""
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(value.day))
    group.get_by_label("Month", exact=True).fill(str(value.month))
    group.get_by_label("Year", exact=True).fill(str(value.year))


class ServiceList:
    """Services: the filter form beside the list."""

    FILTERS = {
        "service_type": "Type",
        "cluster": "Cluster",
        "cqc_rating": "CQC rating",
        "risk": "Risk",
    }

    def __init__(self, site: Site):
        self.site = site

    def open(self) -> ServiceList:
        self.site.go_to("Services")
        return self

    def filter(self, **choices: str) -> ServiceList:
        """Choose options in the filter form (cluster="South", cqc_rating="Good" …) and apply."""
        form = self.site.page.get_by_role("search", name="Filter services")
        for field, option in choices.items():
            form.get_by_label(self.FILTERS[field], exact=True).select_option(label=option)
        self.site.follow(form.get_by_role("button", name="Apply filters"), "Services")
        return self

    def clear_filters(self) -> ServiceList:
        self.site.follow(self.site.page.get_by_role("link", name="Clear filters"), "Services")
        return self

    def result_count(self) -> str:
        return " ".join(self.site.page.get_by_role("status").inner_text().split())

    def rows(self) -> list[dict[str, str]]:
        names = ("service", "type", "cluster", "cqc_rating", "risk")
        rows = []
        for cells in self.site.table("Services"):
            row = dict(zip(names, cells, strict=True))
            row["service"], _, row["provider"] = row["service"].partition("\n")
            rows.append(row)
        return rows

    def add_service(self) -> ServiceForm:
        self.site.follow(
            self.site.page.get_by_role("button", name="Add a service"), "Add a service"
        )
        return ServiceForm(self.site)


class ServiceForm:
    """Add a service (or change one)."""

    def __init__(self, site: Site):
        self.site = site
        self.page = site.page

    def fill(
        self,
        *,
        name: str | None = None,
        provider: str | None = None,
        service_type: str | None = None,
        cluster: str | None = None,
        postcode: str | None = None,
        contract_start: date | None = None,
        contract_end: date | None = None,
    ) -> ServiceForm:
        page = self.page
        if name is not None:
            page.get_by_label("Service name", exact=True).fill(name)
        if provider is not None:
            page.get_by_label("Provider", exact=True).select_option(label=provider)
        if service_type is not None:
            page.get_by_label("Type of service", exact=True).select_option(label=service_type)
        if cluster is not None:
            page.get_by_label("Cluster or area", exact=True).fill(cluster)
        if postcode is not None:
            self.postcode().fill(postcode)
        if contract_start is not None:
            fill_date(page, "Contract start date", contract_start)
        if contract_end is not None:
            fill_date(page, "Contract end date", contract_end)
        return self

    def postcode(self) -> Locator:
        return self.page.get_by_label("Postcode", exact=True)

    def submit_with_errors(self) -> list[str]:
        """Submit, expecting the form again with its error summary; returns the errors."""
        self.site.follow(self.page.get_by_role("button", name="Add service"), "Add a service")
        expect(self.site.error_summary()).to_be_visible()
        return self.site.errors()

    def submit(self, lands_on: str) -> ServicePage:
        self.site.follow(self.page.get_by_role("button", name="Add service"), lands_on)
        return ServicePage(self.site)


class ServicePage:
    """A service's page (staff side): details, then its history."""

    def __init__(self, site: Site):
        self.site = site

    def details(self) -> dict[str, str]:
        rows = self.site.page.locator(".govuk-summary-list__row")
        return {
            " ".join(row.locator("dt").inner_text().split()): " ".join(
                row.locator("dd").first.inner_text().split()
            )
            for row in rows.all()
        }

    def history(self) -> list[dict[str, str]]:
        """The History table: when, who, what (the first line: 'Service created' …)."""
        return [
            {"when": when, "who": who.splitlines()[0], "what": what.splitlines()[0]}
            for when, who, what in self.site.table("History")
        ]


class Portal:
    """The provider portal's home: the provider's own services."""

    def __init__(self, site: Site):
        self.site = site

    def service_names(self) -> list[str]:
        """The services' names (the link in each row's first cell; a row may say more)."""
        table = self.site.page.get_by_role("table", name="Your services", exact=True)
        return [
            name.strip() for name in table.locator("tbody tr td:first-child a").all_inner_texts()
        ]

    def open_service(self, name: str) -> Page:
        return self.site.follow(self.site.page.get_by_role("link", name=name, exact=True), name)


class Users:
    """Administration: the Users page and inviting someone."""

    def __init__(self, site: Site):
        self.site = site

    def open(self) -> Users:
        self.site.go_to("Users")
        return self

    def invite(self, name: str, email: str, role: str) -> str:
        """Invite someone; returns the invitation link from the email sent to them, as the
        Emails sent page shows it (the log backend keeps each email's text)."""
        page = self.site.page
        self.site.follow(page.get_by_role("button", name="Invite a user"), "Invite a user")
        page.get_by_label("Full name", exact=True).fill(name)
        page.get_by_label("Email address", exact=True).fill(email)
        page.get_by_role("group", name="Role").get_by_label(role, exact=True).check()
        self.site.follow(page.get_by_role("button", name="Create user and send invitation"), name)
        expect(self.site.banner()).to_contain_text(f"We have sent an invitation to {email}")
        return EmailsSent(self.site).open().link_sent_to(email)


class EmailsSent:
    """Administration: the emails the app has written, newest first, with their text."""

    def __init__(self, site: Site):
        self.site = site

    def open(self) -> EmailsSent:
        Users(self.site).open()
        page = self.site.page
        self.site.follow(page.get_by_role("link", name="Emails sent"), "Emails sent")
        return self

    def link_sent_to(self, email: str) -> str:
        row = self.site.page.locator("tr[data-email-id]").filter(has_text=email).first
        row.locator("summary").click()
        text = row.locator("pre").inner_text()
        found = re.search(r"https?://\S+", text)
        assert found, text
        return found.group(0)


class SetPassword:
    """Where an invitation link leads: create a password, and arrive signed in."""

    def __init__(self, site: Site):
        self.site = site

    def open(self, link: str) -> SetPassword:
        self.site.visit(link, "Create your password")
        return self

    def create(self, password: str, *, lands_on: str = "Home") -> Page:
        page = self.site.page
        page.get_by_label("Create a password", exact=True).fill(password)
        page.get_by_label("Confirm password", exact=True).fill(password)
        button = page.get_by_role("button", name="Create password and sign in")
        return self.site.follow(button, lands_on)
