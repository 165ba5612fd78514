"""No file of ours in qa_app/ (or templates/) over 600 lines: a longer one holds more than one
concern, and is split along its seams instead (as services/plans/ and services/notices/ are).

Checks Python, templates, JavaScript, CSS and YAML; the vendored GOV.UK Frontend build
(qa_app/static/govuk) is not ours and is left out. Run by `make lint`; exits 1 naming each file
that is too long.
"""

from __future__ import annotations

import sys
from pathlib import Path

MAX_LINES = 600
ROOTS = ("qa_app", "templates")
SUFFIXES = {".py", ".html", ".js", ".css", ".yaml", ".yml"}
VENDORED = (Path("qa_app/static/govuk"),)


def too_long(checkout: Path) -> list[tuple[Path, int]]:
    found = []
    for root in ROOTS:
        for path in sorted((checkout / root).rglob("*")):
            relative = path.relative_to(checkout)
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            if any(relative.is_relative_to(v) for v in VENDORED):
                continue
            with path.open("rb") as f:
                lines = sum(1 for _ in f)
            if lines > MAX_LINES:
                found.append((relative, lines))
    return found


def main() -> int:
    checkout = Path(__file__).resolve().parent.parent
    found = too_long(checkout)
    for path, lines in found:
        print(f"{path}: {lines} lines, more than {MAX_LINES}: split it along its seams")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
