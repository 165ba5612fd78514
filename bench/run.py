"""`make bench`: seed a regional-size dataset and measure pages against their budgets.

Seeds 500 services, measures, grows the same database to 5,000 services, measures again, and
checks that no page's SQL statement count grows with the data. SQLite by default; PostgreSQL
when QA_BENCH_POSTGRES_URL is set. Prints a table and writes bench/results.json.

Add a scenario by adding a row to SCENARIOS.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

os.environ["QA_ENV"] = "test"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.seed import seed_region  # noqa: E402
from qa_app import create_app  # noqa: E402
from qa_app.extensions import db  # noqa: E402

REQUESTS = 60
WARM_UP = 5
SIZES = (500, 5000)
SEED_BUDGET_S = 60.0


@dataclass(frozen=True)
class Scenario:
    name: str
    url: callable  # (data, i) -> path
    p95_budget_ms: float = 150.0


SCENARIOS = [
    Scenario("service list, first page", lambda d, i: "/services"),
    Scenario(
        "service list, filtered page 2",
        lambda d, i: f"/services?cluster={quote(d['clusters'][i % 3])}&cqc_rating=Good&page=2",
    ),
    Scenario(
        "service page",
        lambda d, i: f"/services/{d['service_ids'][(i * 97) % len(d['service_ids'])]}",
    ),
    Scenario("API services list", lambda d, i: f"/api/v1/services?page={1 + i % 20}"),
    Scenario("staff home", lambda d, i: "/home"),
    Scenario("provider list", lambda d, i: f"/providers?page={1 + i % 10}"),
]


def database_url() -> str:
    pg = os.environ.get("QA_BENCH_POSTGRES_URL", "").strip()
    if pg:
        pg = (
            pg.replace("postgresql://", "postgresql+psycopg://", 1)
            if pg.startswith("postgresql://")
            else pg
        )
        engine = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql('DROP SCHEMA IF EXISTS "qa_bench" CASCADE')
            conn.exec_driver_sql('CREATE SCHEMA "qa_bench"')
        engine.dispose()
        return f"{pg}{'&' if '?' in pg else '?'}options={quote('-csearch_path=qa_bench')}"
    folder = Path(tempfile.gettempdir()) / "qa-bench"
    folder.mkdir(exist_ok=True)
    path = folder / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def measure(app, engine, data, officer_session_id: str) -> dict:
    """Requests made as a browser would: each in its own app context and database session."""
    counter = {"n": 0}

    def count(_conn, _cursor, statement, *_args):
        if statement != "BEGIN":  # SQLite's explicit BEGIN; PostgreSQL's is implicit
            counter["n"] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = officer_session_id
        session["_fresh"] = True
    results = {}
    try:
        for scenario in SCENARIOS:
            for i in range(WARM_UP):
                client.get(scenario.url(data, i)).close()
            times, statements = [], set()
            for i in range(REQUESTS):
                url = scenario.url(data, i)
                counter["n"] = 0
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                response.close()
                times.append(elapsed)
                statements.add(counter["n"])
            cuts = statistics.quantiles(times, n=100)
            results[scenario.name] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(cuts[94], 1),
                "budget_p95_ms": scenario.p95_budget_ms,
                "statements": max(statements),
                "statements_seen": sorted(statements),
            }
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return results


def main() -> int:
    url = database_url()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    report = {"database": backend, "sizes": {}, "seeding": {}}
    with app.app_context():
        upgrade()
        engine = db.engine
    data = None
    for size in SIZES:
        with app.app_context():
            start = time.perf_counter()
            data = seed_region(size, data)
            report["seeding"][str(size)] = round(time.perf_counter() - start, 1)
        report["sizes"][str(size)] = measure(app, engine, data, data["officer_session_id"])
    engine.dispose()

    failures = []
    print(
        f"\nmake bench on {backend}: {REQUESTS} requests per scenario after {WARM_UP} to warm up\n"
    )
    header = f"{'scenario':32} {'services':>8} {'p50 ms':>8} {'p95 ms':>8} {'budget':>8} {'SQL':>5}  result"
    print(header)
    print("-" * len(header))
    for size in SIZES:
        for name, row in report["sizes"][str(size)].items():
            ok = row["p95_ms"] <= row["budget_p95_ms"]
            failures += [] if ok else [f"{name} at {size}: p95 {row['p95_ms']} ms"]
            print(
                f"{name:32} {size:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} "
                f"{'≤' + str(int(row['budget_p95_ms'])):>8} {row['statements']:>5}  {'PASS' if ok else 'FAIL'}"
            )
    print("\nSQL statements per page as the data grows (must not grow):")
    small, large = report["sizes"][str(SIZES[0])], report["sizes"][str(SIZES[-1])]
    report["statement_growth"] = {}
    for name in small:
        same = small[name]["statements"] == large[name]["statements"]
        report["statement_growth"][name] = {
            "small": small[name]["statements"],
            "large": large[name]["statements"],
        }
        failures += [] if same else [f"{name}: statements grew"]
        print(
            f"  {name:32} {small[name]['statements']:>3} → {large[name]['statements']:<3} {'PASS' if same else 'FAIL'}"
        )
    total_seed = round(sum(report["seeding"].values()), 1)
    seed_ok = total_seed <= SEED_BUDGET_S
    failures += [] if seed_ok else [f"seeding took {total_seed} s"]
    print(
        f"\nSeeding {SIZES[-1]} services: {total_seed} s (budget ≤ {SEED_BUDGET_S:.0f} s) {'PASS' if seed_ok else 'FAIL'}"
    )
    report["failures"] = failures
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Figures written to {out.relative_to(ROOT)}")
    if failures:
        print("Over budget: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
