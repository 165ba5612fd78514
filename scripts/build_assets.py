"""Copy the pinned GOV.UK Frontend build from node_modules into qa_app/static/govuk, and
GOV.UK's accessible-autocomplete (the QuAD meeting's service picker) into
qa_app/static/vendor/accessible-autocomplete.

Run by `make` after `npm ci`; the copies are not committed (see .gitignore).
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "qa_app" / "static" / "govuk"
PINNED = json.loads((ROOT / "package.json").read_text())["dependencies"]
EXPECTED_VERSION = PINNED["govuk-frontend"]
AUTOCOMPLETE = "accessible-autocomplete"
AUTOCOMPLETE_SOURCE = ROOT / "node_modules" / AUTOCOMPLETE / "dist"
AUTOCOMPLETE_TARGET = ROOT / "qa_app" / "static" / "vendor" / AUTOCOMPLETE


def main() -> int:
    package = ROOT / "node_modules" / "govuk-frontend" / "package.json"
    if not package.exists():
        print("govuk-frontend is not installed: run `npm ci` first", file=sys.stderr)
        return 1
    version = json.loads(package.read_text())["version"]
    if version != EXPECTED_VERSION:
        print(
            f"govuk-frontend {version} is installed but {EXPECTED_VERSION} is pinned: run `npm ci`",
            file=sys.stderr,
        )
        return 1
    autocomplete = ROOT / "node_modules" / AUTOCOMPLETE / "package.json"
    if not autocomplete.exists() or (
        json.loads(autocomplete.read_text())["version"] != PINNED[AUTOCOMPLETE]
    ):
        print(
            f"{AUTOCOMPLETE} {PINNED[AUTOCOMPLETE]} is not installed: run `npm ci`", file=sys.stderr
        )
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        shutil.copy2(SOURCE / name, TARGET / name)
    shutil.copytree(SOURCE / "assets", TARGET / "assets")
    if AUTOCOMPLETE_TARGET.exists():
        shutil.rmtree(AUTOCOMPLETE_TARGET)
    AUTOCOMPLETE_TARGET.mkdir(parents=True)
    for name in (f"{AUTOCOMPLETE}.min.js", f"{AUTOCOMPLETE}.min.css"):
        shutil.copy2(AUTOCOMPLETE_SOURCE / name, AUTOCOMPLETE_TARGET / name)
    # written last: make's sign that the build is complete
    (TARGET / "VERSION").write_text(version + "\n")
    print(f"GOV.UK Frontend {version} assets built into {TARGET.relative_to(ROOT)}")
    print(
        f"{AUTOCOMPLETE} {PINNED[AUTOCOMPLETE]} built into {AUTOCOMPLETE_TARGET.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
