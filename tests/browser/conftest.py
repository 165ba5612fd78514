"""Browser tests: Chromium (Debian's, through Playwright) against the app served for real on
its own committed database with the demo council loaded. axe-core checks every page visited.

Without /usr/bin/chromium these tests skip, unless QA_REQUIRE_BROWSER=1: then they fail, and
so does a run in which no browser test passed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("QA_CHROMIUM_PATH", "/usr/bin/chromium"))
REQUIRED = os.environ.get("QA_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
_passed = {"n": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "tests/browser/" in report.nodeid:
        _passed["n"] += 1


def pytest_sessionfinish(session, exitstatus):
    # On the xdist controller (or a plain run) every report has been seen by now.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    collected_browser = (
        any("tests/browser/" in item.nodeid for item in session.items) or _passed["n"]
    )
    if REQUIRED and collected_browser and _passed["n"] == 0:
        session.exitstatus = 1
        print("\nQA_REQUIRE_BROWSER=1 but no browser test passed")


@pytest.fixture(scope="session")
def live_server():
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"QA_REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM}")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def site(browser, live_server):
    from tests.browser.pages import Site

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(8000)
    yield Site(context, live_server["url"], live_server["app"], ARTIFACTS)
    context.close()
