"""Page objects: what a user does, in a few words per step; axe-core on every page visited."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from qa_app.services.demo import DEMO_PASSWORD

_axe = Axe()


def check_accessibility(page: Page) -> None:
    results = _axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"axe-core on {page.url}: {serious}"


class Site:
    def __init__(self, context: BrowserContext, base_url: str, app, artifacts: Path):
        self.context, self.base_url, self.app, self.artifacts = context, base_url, app, artifacts
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.page.on(
            "console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None
        )

    def visit(self, path: str, status: int = 200) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response.status == status, f"{path}: {response.status}"
        if status >= 400:  # the browser logs the page's own status as an error
            self.console_errors = [e for e in self.console_errors if f"status of {status}" not in e]
        self.checked()
        return self.page

    def checked(self) -> Page:
        """The page as it is now passes axe-core and has raised no console errors (CSP included)."""
        self.page.wait_for_load_state("load")
        check_accessibility(self.page)
        assert self.console_errors == [], self.console_errors
        return self.page

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def screenshot(self, name: str) -> None:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> Page:
        self.visit("/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        return self.checked()

    def sign_out(self) -> Page:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.locator("h1")).to_have_text("Sign in")
        return self.checked()

    def error_summary(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".govuk-error-summary li").all_inner_texts()]

    def fill_date(self, name: str, day: str, month: str, year: str) -> None:
        self.page.locator(f"#{name}-day").fill(day)
        self.page.locator(f"#{name}-month").fill(month)
        self.page.locator(f"#{name}-year").fill(year)
