"""Issues 8 and 17: CQC's national ratings file (324,000 rows, 40,500 locations, CQC's 28
Locations columns in CQC's order) previewed as ODS, as XLSX and as CSV, and committed for one
local authority of 300 locations, with each step's CPU seconds and the process's peak memory.

The files look like the ones CQC publishes: `-` for no brand; the ODS as LibreOffice saves it
(equal neighbouring cells collapsed with `table:number-columns-repeated`, equal neighbouring
rows with `table:number-rows-repeated`, the unused rows after the table as one repeated empty
row); the XLSX with shared strings (as LibreOffice and Excel write them). They are generated
once a day into a cache folder (the temp folder's `qa-bench`, or `QA_BENCH_CACHE`), never
into git. Of the locations, 150 are the benchmark council's own services (their ratings
change), 150 are new services in the same local authority ("Benchshire"), and the rest are
elsewhere. Each figure runs in a fresh Python process against the benchmark database, so its
peak memory (`ru_maxrss`) is that step's alone; its time is the process's CPU time (user +
system) for the step, which other work on the machine does not inflate as it does wall time.

Run alone: `make bench BENCH_ARGS="--only cqc"` (seeds 500 services, then these figures), or
`.venv/bin/python -m bench.cqc_import DATABASE_URL [ods,xlsx,csv]` against a seeded database.
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
LOCATIONS = 40_500
ROWS_PER_LOCATION = 8  # the Overall group's six domains, and two rows for the service's group
KNOWN, NEW = 150, 150
AUTHORITY = "Benchshire"
PREVIEW_BUDGET_S = {"ods": 30.0, "xlsx": 45.0, "csv": 10.0}  # CPU seconds (issue 17, item 7)
COMMIT_BUDGET_S = 40.0
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
        care_home = n % 2 == 1
        rows = location_rows(
            location_id,
            f"Location {n}",
            authority,
            provider,
            f"Provider {n // 3}",
            ratings,
            published - timedelta(days=n % 60),
            care_home="Y" if care_home else "N",
            postcode=f"NE{1 + n % 60} {n % 10}AB",
        )
        group = "Care Homes" if care_home else "Homecare"
        rows += [
            {**rows[0], "Service / Population Group": group},
            {**rows[1], "Service / Population Group": group},
        ]
        if n % 7 == 0:  # one location in seven belongs to a brand; the rest have `-`
            brand = {"Brand ID": f"BD{n % 500:03d}", "Brand Name": f"BRAND Care Group {n % 500}"}
            rows = [{**row, **brand} for row in rows]
        yield from rows


FORMATS = ("ods", "xlsx", "csv")


def national_files(formats=FORMATS) -> tuple[dict[str, Path], float]:
    """The national file in each format (generated once a day), and seconds spent generating."""
    from tests.support.spreadsheets import write_csv, write_ods, write_xlsx_shared

    writers = {
        "ods": lambda path, rows: write_ods(path, rows, like_libreoffice=True),
        "xlsx": write_xlsx_shared,
        "csv": write_csv,
    }
    today = date.today()
    folder = Path(os.environ.get("QA_BENCH_CACHE") or Path(tempfile.gettempdir()) / "qa-bench")
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    published = today - timedelta(days=5)
    files = {}
    for kind in formats:
        path = folder / f"cqc-national-v2-{today.isoformat()}.{kind}"
        if not path.exists():
            part = path.with_name(path.name + ".part")
            writers[kind](part, _rows(published))
            part.rename(path)
        files[kind] = path
    return files, time.perf_counter() - start


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


def measure(database_url: str, formats=FORMATS, commit: bool = True):
    """(figures, failures, file info): a preview of each format, then a commit (from the ODS,
    or the first format measured)."""
    files, generated = national_files(formats)
    names = {"ods": "ODS (as LibreOffice saves it)", "xlsx": "XLSX (shared strings)", "csv": "CSV"}
    rows_in_file = f"{LOCATIONS * ROWS_PER_LOCATION:,} rows"
    figures = [
        (f"preview, national {names[kind]}, {rows_in_file}", "preview", files[kind], budget)
        for kind, budget in PREVIEW_BUDGET_S.items()
        if kind in files
    ]
    if commit:
        first = files.get("ods") or next(iter(files.values()))
        figures.append(("commit, one authority of 300 locations", "commit", first, COMMIT_BUDGET_S))
    rows, failures = [], []
    for name, step, path, budget in figures:
        result = _step(database_url, step, path)
        seconds = result["commit_seconds"] if step == "commit" else result["preview_seconds"]
        ok = seconds <= budget and result["peak_mb"] <= MEMORY_BUDGET_MB and result["ok"]
        rows.append(
            {
                "scenario": name,
                "seconds": round(seconds, 2),
                "wall_seconds": round(result["wall_seconds"], 2),
                "budget_seconds": budget,
                "peak_mb": result["peak_mb"],
                "budget_mb": MEMORY_BUDGET_MB,
                "detail": result["detail"],
                "pass": ok,
            }
        )
        if not ok:
            failures.append(
                f"CQC import {name}: {seconds:.1f} s of CPU (≤ {budget:.0f} s), peak "
                f"{result['peak_mb']:.0f} MB (≤ {MEMORY_BUDGET_MB:.0f} MB), {result['detail']}"
            )
    info = {f"{kind}_bytes": path.stat().st_size for kind, path in files.items()}
    info["generated_s"] = generated
    return rows, failures, info


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(database_url: str, step: str, path: Path) -> None:
    import resource

    from qa_app import create_app
    from qa_app.services import cqc_import
    from qa_app.services.actors import Actor

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        start, cpu = time.perf_counter(), _cpu_seconds()
        preview = cqc_import.preview_file(path, path.name, AUTHORITY)
        wall_seconds = time.perf_counter() - start
        preview_seconds = _cpu_seconds() - cpu
        counts = cqc_import.counts_of(preview)
        ok = counts["rows"] == LOCATIONS * ROWS_PER_LOCATION and not counts["bad_rows"]
        detail = (
            f"{counts['rows']:,} rows, {counts['locations']:,} locations, "
            f"{counts['changed_services']} changed, {counts['new_services']} new"
        )
        commit_seconds = None
        if step == "commit":
            start, wall_start = _cpu_seconds(), time.perf_counter() - wall_seconds
            # as an officer would: the first of each new service's possible types
            types = {s.location_id: s.type_choices[0] for s in preview.plan.new_services}
            record = cqc_import.commit_preview(Actor.system("cli"), preview, types)
            commit_seconds = _cpu_seconds() - start
            wall_seconds = time.perf_counter() - wall_start
            applied = record.counts["applied"]
            ok = ok and applied["changed_services"] + applied["new_services"] > 0
            detail += (
                f"; wrote {applied['changed_services']} changes and {applied['new_services']} "
                f"new services in {commit_seconds:.1f} s of CPU after reading"
            )
            commit_seconds += preview_seconds  # reading the file is part of committing it
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "preview_seconds": preview_seconds,
                "commit_seconds": commit_seconds,
                "wall_seconds": wall_seconds,
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
        chosen = tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else FORMATS
        rows, failures, info = measure(sys.argv[1], chosen)
        print(json.dumps({"rows": rows, "failures": failures, "info": info}, indent=2))
