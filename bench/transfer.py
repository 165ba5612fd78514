"""What recording a visit costs on the wire, measured in Chromium (issue 15, point 8).

    .venv/bin/python bench/transfer.py

Serves the app (demo council, SQLite under the temp folder) with a standard set whose first
domain has 20 questions, and has an officer in Chromium answer all 20 with a few sentences of
evidence. Then, in a fresh browser context (an empty cache) with the service worker kept out so
that only HTTP caching counts: opens the sign-in page (every stylesheet, script and font is
fetched), signs in, opens another domain's page, then the 20-question page. Every request's bytes on the wire are read from
the DevTools protocol (`Network.loadingFinished`, `encodedDataLength`: headers and compressed
body). Prints each request of the 20-question page and the totals; exits 1 if the 20-question
page, with the assets cached, costs more than 40 KB, or if any static file was fetched again.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

os.environ["QA_ENV"] = "test"
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from datetime import date  # noqa: E402

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from qa_app import create_app  # noqa: E402
from qa_app.extensions import db  # noqa: E402
from qa_app.models import Service, User  # noqa: E402
from qa_app.services import assessments, demo, standards  # noqa: E402
from qa_app.services.actors import Actor  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.big_domain import EVIDENCE, KEY, VERSION, twenty_question_set  # noqa: E402
from tests.support.databases import fresh_database_url  # noqa: E402
from tests.support.wire import Wire  # noqa: E402

BUDGET_BYTES = 40 * 1024
OFFICER = "officer@demo.example"


def _prepare(app) -> int:
    with app.app_context():
        upgrade()
        demo.seed()
        name, text = twenty_question_set()
        standards.load_upload(Actor.system("cli"), text, name)
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        service = db.session.scalar(
            select(Service).where(Service.service_type == "supported_living").limit(1)
        )
        return assessments.plan(
            Actor(officer, "web"),
            officer,
            {
                "service_id": service.id,
                "visit_date": date.today(),
                "standard_set_key": KEY,
                "standard_set_version": VERSION,
            },
        ).id


def _sign_in(page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(OFFICER)
    page.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home**")


def _answer_everything(browser, base: str, url: str) -> None:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    _sign_in(page)
    page.goto(url)
    blocks = page.locator(".app-answer")
    assert blocks.count() == 20, blocks.count()
    for number in range(20):
        block = blocks.nth(number)
        block.locator("input[type=radio]").nth(number % 4).check()
        block.get_by_label("Evidence notes").fill(f"{EVIDENCE} (note {number + 1})")
        for source in ("people", "records", "observation"):
            block.locator(f"input[type=checkbox][value={source}]").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state("load")
    context.close()


def main() -> int:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": fresh_database_url("transfer"),
            "WTF_CSRF_SSL_STRICT": False,
        }
    )
    assessment_id = _prepare(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    twenty = f"/assessments/{assessment_id}/record/D1"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            _answer_everything(browser, base, twenty)
            context = browser.new_context(base_url=base, service_workers="block")
            page = context.new_page()
            wire = Wire(page)
            page.goto("/sign-in")
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready.then(() => true)")
            first = wire.take()
            _sign_in(page)
            page.goto(f"/assessments/{assessment_id}/record/D2")
            page.wait_for_load_state("load")
            wire.take()
            page.goto(twenty)
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready.then(() => true)")
            second = wire.take()
            answered = page.locator(".app-answer input[type=radio]:checked").count()
            browser.close()
    finally:
        server.shutdown()
    cold = sum(r["bytes"] for r in first)
    warm = sum(r["bytes"] for r in second)
    print(f"The sign-in page, empty cache: {len(first)} requests, {cold:,} bytes on the wire")
    print(f"The 20-question page ({answered} of 20 answered), assets cached:")
    for r in second:
        cached = r.get("cached") or not r["bytes"]
        where = "from the cache" if cached else f"{r['bytes']:,} bytes {r.get('encoding', '')}"
        print(f"  {r.get('status', '?')} {r['url'].removeprefix(base)}: {where}")
    print(f"  total {warm:,} bytes on the wire (budget {BUDGET_BYTES:,})")
    refetched = [
        r["url"] for r in second if "/static/" in r["url"] and r["bytes"] and not r.get("cached")
    ]
    if refetched:
        print(f"static files fetched again: {refetched}")
    return 0 if warm <= BUDGET_BYTES and not refetched and answered == 20 else 1


if __name__ == "__main__":
    sys.exit(main())
