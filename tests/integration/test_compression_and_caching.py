"""Light on poor Wi-Fi (issue 15, point 8): pages, CSS, JS and JSON are sent compressed; static
files have their content's fingerprint in their address and are kept for a year; pages are never
kept that way; a domain page of 20 questions is at most 40 KB on the wire."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from qa_app.services import assessments, standards
from qa_app.services.actors import Actor
from tests.support.big_domain import EVIDENCE, twenty_question_set
from tests.support.client import decoded

STATIC = Path(__file__).resolve().parents[2] / "qa_app" / "static"
YEAR = {"public", "max-age=31536000", "immutable"}
BUDGET_BYTES = 40 * 1024
FINGERPRINTED = re.compile(r"^/static/(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.\w+)$")


def _directives(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@pytest.fixture
def officer(make, client):
    user = make.user("officer", name="Sam Officer")
    make.sign_in(client, user)
    return user


def _twenty_question_set() -> None:
    name, text = twenty_question_set()
    result = standards.load_upload(Actor.system("cli"), text, name)
    assert result.loaded, result


def _page_assets(page) -> list[str]:
    soup = page.soup
    found = [link["href"] for link in soup.select("link[href]")]
    found += [script["src"] for script in soup.select("script[src]")]
    importmap = json.loads(soup.select_one("script[type=importmap]").string)
    found += list(importmap["imports"].values())
    return found


def test_every_static_file_a_page_names_is_fingerprinted_and_kept_for_a_year(client, officer):
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    addresses = _page_assets(page)
    names = set()
    for address in addresses:
        match = FINGERPRINTED.match(address)
        assert match, f"{address} has no fingerprint"
        source = STATIC / f"{match['stem']}{match['ext']}"
        assert match["digest"] == _digest(source), address
        response = client.get(address)
        assert response.status_code == 200
        assert _directives(response) == YEAR, (address, response.headers["Cache-Control"])
        assert response.get_data() == source.read_bytes()
        names.add(f"{match['stem']}{match['ext']}")
    assert {
        "app.css",
        "app.js",
        "autosave.js",
        "govuk/govuk-frontend.min.css",
        "govuk/govuk-frontend.min.js",
        "govuk/assets/images/favicon.svg",
    } <= names


def test_the_import_map_sends_each_module_to_its_fingerprinted_address(client, officer):
    page = client.get("/", follow_redirects=True)
    imports = json.loads(page.soup.select_one("script[type=importmap]").string)["imports"]
    for module in sorted(STATIC.rglob("*.js")):
        name = module.relative_to(STATIC).as_posix()
        if name == "service-worker.js":  # served from the root, at an address that never changes
            assert f"/static/{name}" not in imports
            continue
        stem = name.removesuffix(".js")
        assert imports[f"/static/{name}"] == f"/static/{stem}.{_digest(module)}.js"
    # the map comes before any module that imports through it
    head = str(page.soup.head)
    assert head.index('type="importmap"') < head.index('rel="stylesheet"')
    assert page.soup.select_one("script[type=importmap]")["nonce"]


def test_a_plain_or_outdated_address_is_checked_each_time(client):
    for address in ("/static/app.css", "/static/app.000000000000.css"):
        response = client.get(address)
        assert response.status_code == 200
        assert "no-cache" in _directives(response) and "immutable" not in _directives(response)
        assert response.get_data() == (STATIC / "app.css").read_bytes()
    assert client.get("/static/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404


def test_the_service_worker_keeps_its_address_and_is_checked_each_time(client):
    response = client.get("/service-worker.js", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert _directives(response) == {"no-cache"}
    assert decoded(response) == (STATIC / "service-worker.js").read_bytes()


def test_govuk_fonts_named_by_their_content_are_kept_for_a_year(client):
    css = (STATIC / "govuk" / "govuk-frontend.min.css").read_text()
    fonts = sorted(set(re.findall(r"url\((/assets/fonts/[^)]+)\)", css)))
    assert fonts
    for font in fonts:
        assert _directives(client.get(font)) == YEAR, font
    assert "immutable" not in _directives(client.get("/assets/manifest.json"))


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_css_js_and_json_are_sent_compressed(client, officer, make, encoding):
    asks = {"Accept-Encoding": encoding}
    page = client.get("/", follow_redirects=True, headers=asks)
    assert page.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in page.headers["Vary"]
    # a page is never kept: it says who is signed in and what is current
    assert "no-store" in _directives(page) and "immutable" not in _directives(page)
    for address in _page_assets(page):
        if address.endswith((".css", ".js")):
            response = client.get(address, headers=asks)
            assert response.headers["Content-Encoding"] == encoding, address
            match = FINGERPRINTED.match(address)
            assert decoded(response) == (STATIC / f"{match['stem']}{match['ext']}").read_bytes()
    from qa_app.services.users import create_token

    for number in range(10):  # a list long enough to be worth compressing (over 500 bytes)
        make.service(name=f"Compression Court {number}")
    token = create_token(Actor.system("cli"), officer, "compression test")
    api = client.get("/api/v1/services", headers={**asks, "Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.mimetype == "application/json"
    assert api.headers["Content-Encoding"] == encoding
    assert json.loads(decoded(api))
    assert "immutable" not in _directives(api)


def test_without_accept_encoding_nothing_is_compressed(client, officer):
    page = client.get("/", follow_redirects=True)
    assert "Content-Encoding" not in page.headers
    assert client.get("/static/app.css").headers.get("Content-Encoding") is None


def test_a_domain_page_of_twenty_questions_is_at_most_40_kb(client, officer, make):
    """The page an officer opens for each domain on a visit, all 20 questions answered with a
    few sentences of evidence: its stylesheets and scripts are kept from earlier pages, so this
    is all that crosses the network."""
    _twenty_question_set()
    service = make.service(service_type="supported_living", name="Rowan Court")
    assessment = assessments.plan(
        Actor(officer, "web"),
        officer,
        {
            "service_id": service.id,
            "visit_date": date(2026, 11, 20),
            "standard_set_key": "supported_living",
            "standard_set_version": 2,
        },
    )
    url = f"/assessments/{assessment.id}/record/D1"
    page = client.get(url)
    keys = [block["id"].removeprefix("q-") for block in page.soup.select(".app-answer")]
    assert len(keys) == 20
    form = {}
    for number, key in enumerate(keys):
        form |= {
            f"{key}-score": str(1 + number % 4),
            f"{key}-na_reason": "",
            f"{key}-evidence": f"{EVIDENCE} (note {number + 1})",
            f"{key}-version": "",
            f"{key}-sources": ["people", "records", "observation"],
        }
    assert client.post(url, data=form).status_code == 302

    sizes = {}
    for encoding in ("gzip", "br"):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert decoded(response).count(b'class="app-answer"') == 20
        sizes[encoding] = len(response.get_data())
    plain = len(client.get(url).get_data())
    print(f"20-question domain page: {plain} bytes plain, {sizes} compressed")
    assert sizes["gzip"] <= BUDGET_BYTES, sizes
    assert sizes["br"] <= BUDGET_BYTES, sizes
