"""A test client that behaves like a browser with CSRF on, and checks every page it gets."""

from __future__ import annotations

import gzip

import brotli
from bs4 import BeautifulSoup
from flask.globals import _cv_app, _cv_request
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.support.pages import check_page


class PageCheckingClient(FlaskClient):
    csrf: str | None = None

    def open(self, *args, **kwargs):
        # Each request gets its own app context (its own `g` and database session), as in
        # production, even while the test itself holds one open for its own queries.
        app_token, request_token = _cv_app.set(None), _cv_request.set(None)
        try:
            response = super().open(*args, **kwargs)
        finally:
            _cv_request.reset(request_token)
            _cv_app.reset(app_token)
        if response.mimetype == "text/html" and response.status_code not in (302, 304):
            html = decoded(response).decode()
            url = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "?")
            response.soup = check_page(html, response.headers.get("Content-Security-Policy"), url)
            token = response.soup.find("input", attrs={"name": "csrf_token"})
            if token is not None:
                self.csrf = token["value"]
        return response

    def post(self, *args, csrf: bool = True, **kwargs):
        """A form post. The CSRF token of the session is added unless csrf=False."""
        data = kwargs.get("data")
        if csrf and "json" not in kwargs and (data is None or isinstance(data, dict)):
            data = data.copy() if isinstance(data, MultiDict) else dict(data or {})
            if "csrf_token" not in data:
                if self.csrf is None:
                    self.get(args[0] if args else kwargs["path"])
                if self.csrf is None:
                    self.get("/sign-in")
                data["csrf_token"] = self.csrf
            kwargs["data"] = data
        return super().post(*args, **kwargs)


def decoded(response) -> bytes:
    """The body as it was before compression (a test may ask for gzip or Brotli)."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding is None:
        return body
    return {"gzip": gzip.decompress, "br": brotli.decompress}[encoding](body)


def soup(response) -> BeautifulSoup:
    return getattr(response, "soup", None) or BeautifulSoup(
        response.get_data(as_text=True), "html.parser"
    )


def error_summary(response) -> list[str]:
    box = soup(response).select_one(".govuk-error-summary")
    return [" ".join(a.get_text(" ").split()) for a in box.select("li")] if box else []
