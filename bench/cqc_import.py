"""Issue 8's figures: CQC's national ratings file (320,000 rows, 40,000 locations, 28 columns)
previewed as ODS and as CSV, and committed for one local authority of 300 locations, with the
process's peak memory.

The file is generated once a day into the temp folder with a streaming ODS writer. Of its
locations, 150 are the benchmark council's own services (their ratings change), 150 are new
services in the same local authority ("Benchshire"), and the rest are elsewhere. Each figure
runs in a fresh Python process against the benchmark database, so its peak memory
(`ru_maxrss`) is that step's alone.

Run alone: `.venv/bin/python -m bench.cqc_import DATABASE_URL` (after `make bench` has seeded).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCATIONS = 40_000
ROWS_PER_LOCATION = 8  # the Overall group's six domains, and two rows for a population group
KNOWN, NEW = 150, 150
AUTHORITY = "Benchshire"
PREVIEW_ODS_BUDGET_S, COMMIT_BUDGET_S, PREVIEW_CSV_BUDGET_S = 30.0, 40.0, 10.0
MEMORY_BUDGET_MB = 500.0
RATINGS = ("Outstanding", "Good", "Good", "Good", "Requires improvement", "Inadequate")
KEYS = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")


def _rows(published: date):
    from tests.support.spreadsheets import location_rows

    rng = random.Random(8)
    for n in range(LOCATIONS):
        if n < KNOWN:
            location_id, authority = f"1-3{n:08d}", AUTHORITY  # the bench council's services
            provider = f"1-1{n // 3:08d}"
        elif n < KNOWN + NEW:
            location_id, authority = f"1-5{n:08d}", AUTHORITY
            provider = f"1-6{n // 3:08d}"
        else:
            location_id, authority = f"1-7{n:08d}", f"Authority {n % 150}"
            provider = f"1-8{n // 3:08d}"
        ratings = {k: rng.choice(RATINGS) for k in KEYS}
        rows = location_rows(
            location_id,
            f"Location {n}",
            authority,
            provider,
            f"Provider {n // 3}",
            ratings,
            published - timedelta(days=n % 60),
            care_home="Y" if n % 2 else "N",
            postcode=f"NE{1 + n % 60} {n % 10}AB",
        )
        rows += [
            {**rows[0], "Service / Population Group": "Older people"},
            {**rows[1], "Service / Population Group": "Older people"},
        ]
        yield from rows


def national_files() -> tuple[Path, Path, float]:
    """The ODS and CSV files (generated once a day), and seconds spent generating."""
    from tests.support.spreadsheets import write_csv, write_ods

    today = date.today()
    folder = Path(tempfile.gettempdir()) / "qa-bench"
    folder.mkdir(exist_ok=True)
    ods = folder / f"cqc-national-{today.isoformat()}.ods"
    csv = ods.with_suffix(".csv")
    start = time.perf_counter()
    published = today - timedelta(days=5)
    if not ods.exists():
        write_ods(ods.with_suffix(".part"), _rows(published))
        ods.with_suffix(".part").rename(ods)
    if not csv.exists():
        write_csv(csv.with_suffix(".part"), _rows(published))
        csv.with_suffix(".part").rename(csv)
    return ods, csv, time.perf_counter() - start


def _step(database_url: str, step: str, path: Path) -> dict:
    """One figure in a fresh process (see `_child`)."""
    env = {**os.environ, "QA_ENV": "test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.cqc_import", database_url, step, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.cqc_import {step} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(database_url: str) -> tuple[list[dict], list[str], dict]:
    ods, csv, generated = national_files()
    figures = [
        ("preview, national ODS (320,000 rows)", "preview", ods, PREVIEW_ODS_BUDGET_S),
        ("preview, the same table as CSV", "preview", csv, PREVIEW_CSV_BUDGET_S),
        ("commit, one authority of 300 locations", "commit", ods, COMMIT_BUDGET_S),
    ]
    rows, failures = [], []
    for name, step, path, budget in figures:
        result = _step(database_url, step, path)
        seconds = result["commit_seconds"] if step == "commit" else result["preview_seconds"]
        ok = seconds <= budget and result["peak_mb"] <= MEMORY_BUDGET_MB and result["ok"]
        rows.append(
            {
                "scenario": name,
                "seconds": round(seconds, 2),
                "budget_seconds": budget,
                "peak_mb": result["peak_mb"],
                "budget_mb": MEMORY_BUDGET_MB,
                "detail": result["detail"],
                "pass": ok,
            }
        )
        if not ok:
            failures.append(
                f"CQC import {name}: {seconds:.1f} s (≤ {budget:.0f} s), peak "
                f"{result['peak_mb']:.0f} MB (≤ {MEMORY_BUDGET_MB:.0f} MB), {result['detail']}"
            )
    info = {
        "ods_bytes": ods.stat().st_size,
        "csv_bytes": csv.stat().st_size,
        "generated_s": generated,
    }
    return rows, failures, info


def _child(database_url: str, step: str, path: Path) -> None:
    import resource

    from qa_app import create_app
    from qa_app.services import cqc_import
    from qa_app.services.actors import Actor

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        start = time.perf_counter()
        preview = cqc_import.preview_file(path, path.name, AUTHORITY)
        preview_seconds = time.perf_counter() - start
        counts = cqc_import.counts_of(preview)
        ok = counts["rows"] == LOCATIONS * ROWS_PER_LOCATION and not counts["bad_rows"]
        detail = (
            f"{counts['rows']:,} rows, {counts['locations']:,} locations, "
            f"{counts['changed_services']} changed, {counts['new_services']} new"
        )
        commit_seconds = None
        if step == "commit":
            start = time.perf_counter()
            # as an officer would: the first of each new service's possible types
            types = {s.location_id: s.type_choices[0] for s in preview.plan.new_services}
            record = cqc_import.commit_preview(Actor.system("cli"), preview, types)
            commit_seconds = time.perf_counter() - start
            applied = record.counts["applied"]
            ok = ok and applied["changed_services"] + applied["new_services"] > 0
            detail += (
                f"; wrote {applied['changed_services']} changes and {applied['new_services']} "
                f"new services in {commit_seconds:.1f} s after reading"
            )
            commit_seconds += preview_seconds  # reading the file is part of committing it
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "preview_seconds": preview_seconds,
                "commit_seconds": commit_seconds,
                "peak_mb": round(peak_mb, 1),
                "ok": ok,
                "detail": detail,
            }
        )
    )


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if len(sys.argv) == 4:
        _child(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
    else:
        rows, failures, info = measure(sys.argv[1])
        print(json.dumps({"rows": rows, "failures": failures, "info": info}, indent=2))
