"""Copy the pinned GOV.UK Frontend build from node_modules into qa_app/static/govuk.

Run by `make` after `npm ci`; the copy is not committed (see .gitignore).
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "qa_app" / "static" / "govuk"
EXPECTED_VERSION = json.loads((ROOT / "package.json").read_text())["dependencies"]["govuk-frontend"]


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
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        shutil.copy2(SOURCE / name, TARGET / name)
    shutil.copytree(SOURCE / "assets", TARGET / "assets")
    (TARGET / "VERSION").write_text(version + "\n")
    print(f"GOV.UK Frontend {version} assets built into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
