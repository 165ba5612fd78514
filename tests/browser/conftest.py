"""The browser tier: Debian's Chromium, driven by Playwright, against the app served for real.

Each test process (each pytest-xdist worker) serves its own app on its own committed database
with the demo council loaded, and starts one browser; every test gets a fresh browser context
(no cookies shared between tests). The page objects in `pages.py` run axe-core on every page.

Without Chromium at /usr/bin/chromium (or at QA_CHROMIUM_PATH) the tests skip. With
QA_REQUIRE_BROWSER=1 (as in .ci/run) the run fails instead, and fails if no browser test passed:
- a missing Chromium is a failure (not a skip), and so is any other skip of a browser test;
- a run in which this conftest is loaded but no browser test is selected (`-m "not browser"`,
  `-k` …) fails too. Under xdist every worker collects the same tests, so each worker can tell
  on its own, and hands the failure to the controller through `session.shouldfail`.
Together these mean a required run either passes a browser test or fails. (A run that never
collects tests/browser, such as `pytest tests/unit`, does not load this file and is not checked.)
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests.browser.network import Line

CHROMIUM = Path(os.environ.get("QA_CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
REQUIRED = os.environ.get("QA_REQUIRE_BROWSER") == "1"
NONE_SELECTED = "QA_REQUIRE_BROWSER=1 but no browser test was selected to run"
_failures: list[str] = []  # messages for the terminal summary of a run without xdist


# ---------------------------------------------------------------- QA_REQUIRE_BROWSER=1


def _is_browser_test(item: pytest.Item) -> bool:
    return "browser" in item.nodeid.split("/")


def _none_selected(session: pytest.Session) -> bool:
    return REQUIRED and not any(_is_browser_test(item) for item in session.items)


_reports = pytest.StashKey[dict]()  # a test's reports by phase, for its fixtures' teardown


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if REQUIRED and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"QA_REQUIRE_BROWSER=1: a browser test may not be skipped ({reason})"
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    result = yield
    if hasattr(session.config, "workerinput") and _none_selected(session):
        session.shouldfail = NONE_SELECTED  # the xdist controller stops the run with this
    return result


def pytest_sessionfinish(session):
    config = session.config
    on_xdist = hasattr(config, "workerinput") or config.pluginmanager.has_plugin("dsession")
    if not on_xdist and _none_selected(session):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        _failures.append(NONE_SELECTED)


def pytest_terminal_summary(terminalreporter):
    for message in _failures:
        terminalreporter.write_line(message, red=True, bold=True)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"QA_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium to run browser tests)")
    return CHROMIUM


@dataclass
class LiveServer:
    url: str
    app: Flask
    line: Line  # the server's end of the network (tests/browser/network.py)

    def service_id(self, name: str) -> int:
        """Look a service up in the served app's database (as a tester with access would)."""
        from sqlalchemy import select

        from qa_app.extensions import db
        from qa_app.models import Service

        with self.app.app_context():
            found = db.session.scalar(select(Service.id).where(Service.name == name))
        assert found is not None, f"no service called {name!r}"
        return found


@pytest.fixture(scope="session")
def live_server(chromium) -> Iterator[LiveServer]:
    """The app, served on a free port from a thread, on its own migrated database with the demo
    council in it. Tests commit to it for real (no rollback), so they name what they create
    uniquely and never rely on each other's data."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from qa_app import create_app
    from qa_app.extensions import db
    from qa_app.services import demo
    from tests.support.databases import fresh_database_url

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": fresh_database_url("browser"),
            "WTF_CSRF_SSL_STRICT": False,
        }
    )
    with app.app_context():
        upgrade()
        demo.seed()
    line = Line(app)
    server = make_server("127.0.0.1", 0, line, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    app.config["QA_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # links in emails
    try:
        yield LiveServer(app.config["QA_BASE_URL"], app, line)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def live_worker(live_server) -> Iterator[None]:
    """The worker beside the served app, for the length of each browser test only. Between
    browser tests this process may run integration tests, which bind the shared session factory
    to their own rolled-back connection: a worker thread polling then would use that connection
    from a second thread."""
    stop = threading.Event()
    worker = threading.Thread(
        target=_work, args=(live_server.app, stop), name="live-worker", daemon=True
    )
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=30)
        assert not worker.is_alive(), "the live worker did not stop within 30 s"


def _work(app: Flask, stop: threading.Event) -> None:
    """The worker beside the served app, as `flask qa worker` runs it: the queued jobs (the
    CQC file's reading), polled every 0.2 s. Not the periodic sweep: tests set up concerns
    and notices at times of their choosing, and check them as they set them up."""
    from qa_app.services.worker import Worker

    with app.app_context():
        Worker(app, periodic=(), poll_seconds=0.2, name="live-worker").run_forever(stop)


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_visitor(browser, live_server, request):
    """Makes a new person at the keyboard: a fresh browser context (own cookies), on the app.
    After a failed test, each one's page is saved under test-artifacts/failures/."""
    from tests.browser.pages import Site

    sites: list[Site] = []

    def make() -> Site:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(10_000)
        sites.append(Site(context, ARTIFACTS / "screenshots"))
        return sites[-1]

    yield make
    live_server.line.down = live_server.line.lose_replies = False  # the next test starts online
    live_server.line.replies_lost.clear()
    reports = request.node.stash.get(_reports, {})
    failed = any(report.failed for report in reports.values())
    for number, site in enumerate(sites):
        if failed:
            name = request.node.name.replace("/", "_").replace("[", "-").rstrip("]")
            folder = ARTIFACTS / "failures"
            folder.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):  # the page may be what broke
                site.page.screenshot(path=str(folder / f"{name}-{number}.png"), full_page=True)
        site.context.close()


@pytest.fixture
def site(new_visitor):
    """The person the test is about, in their own browser context."""
    return new_visitor()
