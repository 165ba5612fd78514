"""Static files named by their content (qa_app.web.assets.Fingerprints), on a folder of its own."""

from __future__ import annotations

import hashlib
import os

import pytest

from qa_app.web.assets import Fingerprints


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "app.css").write_text("body { color: #0b0c0c; }")
    (tmp_path / "govuk").mkdir()
    (tmp_path / "govuk" / "govuk-frontend.min.js").write_text("export function initAll() {}")
    (tmp_path / "service-worker.js").write_text("self.addEventListener('fetch', () => {});")
    (tmp_path / "LICENSE").write_text("MIT")
    return tmp_path


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_the_address_carries_the_content_digest_before_the_extension(folder):
    prints = Fingerprints(folder)
    assert prints.address("app.css") == f"app.{_digest(folder / 'app.css')}.css"
    assert prints.address("govuk/govuk-frontend.min.js") == (
        f"govuk/govuk-frontend.min.{_digest(folder / 'govuk' / 'govuk-frontend.min.js')}.js"
    )


def test_what_cannot_be_fingerprinted_keeps_its_name(folder):
    prints = Fingerprints(folder)
    assert prints.address("service-worker.js") == "service-worker.js"  # its address is fixed
    assert prints.address("govuk") == "govuk"  # a folder
    assert prints.address("LICENSE") == "LICENSE"  # no extension
    assert prints.address("missing.css") == "missing.css"
    assert prints.address("../outside.css") == "../outside.css"
    assert prints.digest("../outside.css") is None


def test_a_fingerprinted_name_resolves_to_its_file(folder):
    prints = Fingerprints(folder)
    address = prints.address("app.css")
    assert prints.resolve(address) == ("app.css", True)
    assert prints.resolve("app.css") == ("app.css", False)
    assert prints.resolve("app.000000000000.css") == ("app.css", False)
    assert prints.resolve("app.0123.css") == ("app.0123.css", False)  # not a digest


def test_an_edited_file_gets_a_new_address(folder):
    prints = Fingerprints(folder)
    before = prints.address("app.css")
    path = folder / "app.css"
    path.write_text("body { color: #d4351c; margin: 0; }")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    after = prints.address("app.css")
    assert after != before
    assert after == f"app.{_digest(path)}.css"
    assert prints.resolve(before) == ("app.css", False)  # an old page's address: not current


def test_modules_lists_every_script_but_the_service_worker(folder):
    assert Fingerprints(folder).modules() == ["govuk/govuk-frontend.min.js"]
