"""Checks every HTML page the tests see, as a careful reviewer would."""

from __future__ import annotations

import re
from collections import Counter

from bs4 import BeautifulSoup


class PageProblem(AssertionError):
    pass


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def check_page(html: str, csp_header: str | None, url: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"expected one <h1>, found {len(h1s)}")
    title = soup.title
    if title is None:
        problems.append("no <title>")
    elif h1s:
        title_text = _text(title).removeprefix("Error: ")
        h1_text = _text(h1s[0])
        if not title_text.startswith(h1_text):
            problems.append(f"<title> {title_text!r} does not start with the <h1> {h1_text!r}")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() == "post" and not form.find(
            "input", attrs={"name": "csrf_token"}
        ):
            problems.append(f"a POST form has no CSRF token: {str(form)[:120]}")
    nonce = None
    if csp_header:
        match = re.search(r"'nonce-([^']+)'", csp_header)
        nonce = match.group(1) if match else None
    for script in soup.find_all("script"):
        if script.get("nonce") != nonce or nonce is None:
            problems.append(f"a <script> without this response's CSP nonce: {str(script)[:120]}")
    if problems:
        raise PageProblem(f"{url}: " + "; ".join(problems))
    return soup
