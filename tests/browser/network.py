"""The network between the browser and the live server, cut for real at both ends.

Playwright's offline emulation does not reach everything a service worker does, and a request
a page makes under a service worker can slip past a context's routes now and then (on a busy
machine it did: an answer typed "offline" reached the server). So the server's end of the line
is cut too: while it is down, the live server hangs up on every request without reading it, as
a dead network would, and nothing reaches the app. `lose_replies` does the other half of a bad
connection: each API request is handled in full (the answer is saved) and then the line drops,
so the reply never arrives.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from playwright.sync_api import Page

from tests.browser.pages import Site

# What a browser logs for a request the network lost (the line cut, a connection reset, a hang-up
# before any reply).
OFFLINE_ERRORS = (
    "ERR_INTERNET_DISCONNECTED",
    "ERR_FAILED",
    "ERR_CONNECTION_RESET",
    "ERR_EMPTY_RESPONSE",
    "ERR_CONNECTION_CLOSED",
)


class _HungUp(ConnectionResetError):
    """Raised inside the server once the line is dropped: werkzeug treats it as a dropped
    connection and says nothing."""


class Line:
    """WSGI middleware on the live server: the server's end of the network."""

    def __init__(self, app):
        self.app = app
        self.down = False
        self.lose_replies = False
        self.replies_lost: list[str] = []
        self._lock = threading.Lock()

    @staticmethod
    def _hang_up(environ) -> None:
        connection = environ.get("werkzeug.socket")
        if connection is not None:
            with contextlib.suppress(OSError):  # the browser may have gone already
                connection.shutdown(socket.SHUT_RDWR)
        raise _HungUp("the line is down")

    def __call__(self, environ, start_response):
        if self.down:
            self._hang_up(environ)
        if self.lose_replies and environ.get("PATH_INFO", "").startswith("/api/"):
            body = self.app(environ, lambda *args, **kwargs: lambda data: None)
            try:
                for _ in body:  # the whole request is handled: the answer is saved
                    pass
            finally:
                if hasattr(body, "close"):
                    body.close()
            with self._lock:
                self.replies_lost.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            self._hang_up(environ)
        return self.app(environ, start_response)


class Network:
    """Cuts and restores the connection of one browser context, at both ends, counting how
    often, and noting every request a page made that failed."""

    def __init__(self, site: Site, line: Line):
        self.site = site
        self.line = line
        self.drops = 0
        self.failed: list[str] = []
        self.watch(site.page)

    def watch(self, page: Page) -> None:
        page.on("requestfailed", lambda request: self.failed.append(request.url))

    @staticmethod
    def _gone(route):
        route.abort("internetdisconnected")

    def cut(self) -> None:
        self.line.down = True
        self.site.context.set_offline(True)  # the browser knows it (navigator.onLine, events)
        self.site.context.route("**/*", self._gone)
        self.drops += 1

    def restore(self) -> None:
        self.site.context.unroute("**/*", self._gone)
        self.line.down = False
        self.site.context.set_offline(False)

    def expected_errors(self) -> None:
        """Requests that failed for want of a network (sending answers, storing pages) are what
        being offline means. A file a page needs (a script, a style, a font) must never fail: it
        is on this device. Anything else the browser logged is still a failure."""
        files = [url for url in self.failed if "/static/" in url or "/assets/" in url]
        assert not files, f"files a page needs were not on this device: {files}"
        self.site.browser_errors = [
            e for e in self.site.browser_errors if not any(reason in e for reason in OFFLINE_ERRORS)
        ]
