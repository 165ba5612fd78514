"""Light on poor Wi-Fi (issue 15, point 8), in Chromium: the first page fetches the stylesheets,
scripts and fonts compressed; after that a recording page costs only itself, compressed, since
every static file comes from the browser's cache without asking the server again.

(The 20-question figure is measured by `bench/transfer.py`; tests/integration/
test_compression_and_caching.py holds the 40 KB budget for it.)"""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.browser.pages import Site
from tests.browser.test_recording import _plan
from tests.support.wire import Wire

BUDGET_BYTES = 40 * 1024


def test_a_recording_page_costs_only_itself_once_the_assets_are_cached(browser, live_server):
    assessment_id = _plan(live_server, "Willowbank Grove")
    # Without the service worker, so that what is measured is the browser's own HTTP cache.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", service_workers="block")
    context.set_default_timeout(10_000)
    try:
        site = Site(context, ARTIFACTS / "screenshots")
        wire = Wire(site.page)
        site.visit("/sign-in", "Sign in")
        site.page.evaluate("document.fonts.ready.then(() => true)")
        first = wire.take()
        statics = [r for r in first if "/static/" in r["url"] or "/assets/" in r["url"]]
        assert any(r["url"].endswith(".css") for r in statics)
        for r in statics:
            assert Wire.fetched(r), r
            if r["url"].endswith((".css", ".js")):
                assert r["encoding"] in ("br", "zstd", "gzip"), r

        site.sign_in("officer@demo.example")
        wire.take()
        site.visit(
            f"/assessments/{assessment_id}/record/D1",
            "Involvement and information: Willowbank Grove",
        )
        site.page.evaluate("document.fonts.ready.then(() => true)")
        page_requests = wire.take()
        # the page itself (a script may then store the visit's other pages for use offline:
        # a one-off per assessment, not what each page costs)
        (document,) = [r for r in page_requests if r["type"] == "Document"]
        assert document["url"].removeprefix(live_server.url) == (
            f"/assessments/{assessment_id}/record/D1"
        )
        assert Wire.fetched(document)
        assert document["encoding"] in ("br", "zstd", "gzip")
        assert document["bytes"] <= BUDGET_BYTES
        refetched = [
            r["url"]
            for r in page_requests
            if Wire.fetched(r) and ("/static/" in r["url"] or "/assets/" in r["url"])
        ]
        assert not refetched, refetched
        print(f"recording page of 10 questions, assets cached: {document['bytes']} bytes")
    finally:
        context.close()
