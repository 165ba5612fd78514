"""Static files with their content in their address, kept by browsers for a year.

`url_for("static", filename="app.css")` gives `/static/app.3f9a1c2b7d4e.css`: the name with the
first 12 hex digits of the file's SHA-256 before its extension. A page is therefore always
paired with the files it was written for, so they can be cached `immutable` for a year: a
changed file has a new address. The fingerprint is worked out from the file itself (kept until
the file's size or modification time changes), so there is no build step to forget and no
manifest to go stale while someone edits app.css.

JavaScript modules import each other by their plain address (`/static/autosave.js`); the base
template's import map (`import_map()`) sends each such import to the fingerprinted address.

Served here:
- a fingerprinted address whose digest matches the file: `Cache-Control: public,
  max-age=31536000, immutable`;
- a plain address, or a digest that no longer matches (a page from before a deploy):
  the file as it is now with `no-cache`, so the browser checks it each time (cheap: a 304).

Why not an extension: Flask-Static-Digest writes digested copies into the static folder with a
compile command (stale as soon as a file is edited, and it neither marks them immutable nor
reaches the modules' own imports); Flask-Fingerprint needs web-server rewrite rules to serve the
digested names.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

DIGEST_LENGTH = 12
ONE_YEAR = 31_536_000
FINGERPRINTED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.\w+)$"
)
#: GOV.UK Frontend names its fonts with their own content hash (bold-b542beb274-v2.woff2).
GOVUK_HASHED = re.compile(r"-[0-9a-f]{10}-v\d+\.\w+$")
#: Served from the site's root at a fixed address (a service worker's address cannot change).
NOT_FINGERPRINTED = frozenset({"service-worker.js"})


@dataclass
class Fingerprints:
    """The digests of the files in one static folder, worked out when first asked for."""

    folder: Path
    _known: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def digest(self, filename: str) -> str | None:
        """The file's fingerprint, or None if there is no such file."""
        path = safe_join(str(self.folder), filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        known = self._known.get(filename)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()[:DIGEST_LENGTH]
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest

    def address(self, filename: str) -> str:
        """The name to put in the URL: fingerprinted, or as it is for a folder or no file."""
        if filename in NOT_FINGERPRINTED:
            return filename
        digest = self.digest(filename)
        if digest is None:
            return filename
        stem, dot, ext = filename.rpartition(".")
        if not dot or "/" in ext:  # no extension: left as it is
            return filename
        return f"{stem}.{digest}.{ext}"

    def resolve(self, requested: str) -> tuple[str, bool]:
        """The file a requested name means, and whether its fingerprint is the file's own."""
        if self.digest(requested) is not None:
            return requested, False
        match = FINGERPRINTED.match(requested)
        if match is None:
            return requested, False
        filename = match["stem"] + match["ext"]
        return filename, self.digest(filename) == match["digest"]

    def modules(self) -> list[str]:
        """Every JavaScript module in the folder, as names relative to it."""
        found = []
        for directory, _, files in os.walk(self.folder):
            for name in files:
                if name.endswith(".js"):
                    relative = Path(directory, name).relative_to(self.folder).as_posix()
                    if relative not in NOT_FINGERPRINTED:
                        found.append(relative)
        return sorted(found)


def init_app(app: Flask) -> None:
    assert app.static_folder is not None and app.static_url_path is not None  # create_app sets both
    fingerprints = Fingerprints(Path(app.static_folder))
    prefix = app.static_url_path.rstrip("/")

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = fingerprints.address(values["filename"])

    def static(filename):
        """A file from the static folder (this replaces Flask's own view of it)."""
        name, current = fingerprints.resolve(filename)
        if fingerprints.digest(name) is None:
            raise NotFound()
        response = send_from_directory(
            app.static_folder, name, max_age=ONE_YEAR if current else None
        )
        if current:
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return read_whole(response)

    app.view_functions["static"] = static

    def import_map() -> dict:
        """Plain module addresses to fingerprinted ones, for `<script type="importmap">`."""
        return {
            "imports": {
                f"{prefix}/{name}": f"{prefix}/{fingerprints.address(name)}"
                for name in fingerprints.modules()
            }
        }

    app.jinja_env.globals["import_map"] = import_map
    app.extensions["qa_fingerprints"] = fingerprints


def govuk_asset(folder: str, filename: str):
    """GOV.UK Frontend's fonts and images, where its compiled CSS expects them (/assets/…).
    Its fonts carry their own content hash in their names, so they are kept for a year."""
    response = send_from_directory(
        folder, filename, max_age=ONE_YEAR if GOVUK_HASHED.search(filename) else 86400
    )
    if GOVUK_HASHED.search(filename):
        response.cache_control.immutable = True
    return read_whole(response)


def read_whole(response):
    """A file response read into memory (and the file closed), so that Flask-Compress, which
    leaves streamed responses alone, compresses it. For the app's own small static files only."""
    if response.direct_passthrough:
        body = response.response  # the server's file wrapper
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        response.direct_passthrough = False
        response.set_data(data)
    return response
