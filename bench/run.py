"""`make bench`: seed a regional-size dataset and measure pages against their budgets.

Seeds 500 services into a fresh database, measures every scenario through the app's real
request path (Flask's test client: routing, sign-in, views, templates, JSON), grows the same
database to 5,000 services and measures again, then checks that no scenario's SQL statement
count grew with the data. SQLite by default (a file under the temp folder); PostgreSQL when
QA_BENCH_POSTGRES_URL is set (a schema "qa_bench", dropped and recreated on every run).

Prints a table of every figure beside its budget and writes bench/results.json. Exits 1 if
any budget is missed (after printing and writing everything).

To add a figure, add a `Scenario` to SCENARIOS: a name, a function that builds the address
of request i from the seeded `Dataset`, who makes the request, and its budget.

Options (`make bench BENCH_ARGS="..."`): `--only quad,dashboard` measures only those parts
(pages, standards, assessments, plans, quad, dashboard, programme, cqc; the concerns and their sweep are
always measured, except with `--only cqc` alone (below), and the data every part stands on is seeded whatever is chosen, so the QuAD
report and the dashboard are still measured over ten years of history), and `--services N`
seeds N services instead of 5,000 (a tenth of them first; at least 2,000), for a quicker run
at a smaller scale.
`--only cqc` alone seeds only the smaller dataset and measures CQC's national file (a couple of
minutes); `--cqc-formats ods,xlsx,csv` chooses which formats of it to preview, and
`--no-cqc-commit` skips its commit.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

os.environ["QA_ENV"] = "test"
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench import assessments as bench_assessments  # noqa: E402
from bench import concerns as bench_concerns  # noqa: E402
from bench import cqc_import as bench_cqc  # noqa: E402
from bench import floor  # noqa: E402
from bench import plans as bench_plans  # noqa: E402
from bench import programme as bench_programme  # noqa: E402
from bench import quad as bench_quad  # noqa: E402
from bench.floor import Recorder  # noqa: E402
from bench.seed import Dataset, analyse, describe, grow_to  # noqa: E402
from qa_app import create_app  # noqa: E402
from qa_app.extensions import db  # noqa: E402
from qa_app.models import User  # noqa: E402
from qa_app.services import plans as plans_service  # noqa: E402
from qa_app.services import standards  # noqa: E402
from qa_app.services.actors import Actor  # noqa: E402
from qa_app.services.registry import PAGE_SIZE  # noqa: E402
from qa_app.services.users import create_token  # noqa: E402
from tests.support.databases import checkout_tag  # noqa: E402

SIZES = (500, 5000)  # services; providers are a fixed share (1,500 at 5,000)
REQUESTS = 100  # measured requests per scenario and size
WARM_UP = 5  # requests made first and not measured (template compilation, caches)
P95_BUDGET_MS = 150.0
SEED_BUDGET_S = 60.0
STANDARDS_BUDGET_S = 1.0
API_PAGE_SIZE = 50  # the API's default per_page
RESULTS = ROOT / "bench" / "results.json"


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


@dataclass(frozen=True)
class Scenario:
    """One figure: request i goes to url(data, i), made by a user with `role`.

    auth is "session" (a signed-in browser) or "token" (an API client with a bearer token).
    expect(data, i), when given, returns text the response must contain, so that a scenario
    cannot quietly measure an empty or wrong page (every response must also be a 200).
    statements_must_not_grow: its SQL statement count at the largest size must not exceed
    the count at the smallest (an N+1 query or a per-row lookup would show up here).
    """

    name: str
    url: Callable[[Dataset, int], str]
    role: str = "officer"
    auth: str = "session"
    p95_budget_ms: float = P95_BUDGET_MS
    statements_must_not_grow: bool = True
    expect: Callable[[Dataset, int], str] | None = None


def _filtered(d: Dataset, i: int) -> tuple[str, int]:
    return d.filter_clusters[i % min(3, len(d.filter_clusters))]


SCENARIOS: list[Scenario] = [
    Scenario(
        "service list, first page",
        lambda d, i: "/services",
        expect=lambda d, i: f"Showing 1 to {PAGE_SIZE} of {d.services} services",
    ),
    Scenario(
        "service list, filtered page 2",
        lambda d, i: (
            "/services?"
            + urlencode({"cluster": _filtered(d, i)[0], "cqc_rating": "Good", "page": 2})
        ),
        expect=lambda d, i: (
            f"Showing {PAGE_SIZE + 1} to {min(2 * PAGE_SIZE, _filtered(d, i)[1])}"
            f" of {_filtered(d, i)[1]} services"
        ),
    ),
    Scenario(
        "service page",
        lambda d, i: f"/services/{d.service_ids[i % len(d.service_ids)]}",
        expect=lambda d, i: "What was recorded",  # the history is there
    ),
    Scenario(
        "API: GET /api/v1/services?page=n",
        lambda d, i: f"/api/v1/services?page={1 + (i * 7) % _pages(d.services, API_PAGE_SIZE)}",
        auth="token",
        expect=lambda d, i: f'"total":{d.services}',
    ),
    Scenario("staff home", lambda d, i: "/home"),
    Scenario("concern list", lambda d, i: "/concerns", p95_budget_ms=200.0),
    Scenario(
        "market overview",
        lambda d, i: "/market",
        p95_budget_ms=200.0,
        expect=lambda d, i: f"Showing 1 to 50 of {d.services} services",
    ),
    Scenario(
        "provider list",
        lambda d, i: f"/providers?page={1 + (i * 7) % _pages(d.providers, PAGE_SIZE)}",
        expect=lambda d, i: f"of {d.providers} providers",
    ),
]


# ---------------------------------------------------------------- database


POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def database_url(kind: str = "sqlite") -> tuple[str, str]:
    """A URL for an empty database, and a name for it to print.

    kind "postgres" (or QA_BENCH_POSTGRES_URL set) uses PostgreSQL at QA_BENCH_POSTGRES_URL
    (default POSTGRES_URL) in a fresh schema of its own; otherwise a fresh SQLite file.
    """
    base = os.environ.get("QA_BENCH_POSTGRES_URL", "").strip()
    if kind == "postgres" and not base:
        base = POSTGRES_URL
    schema = f"qa_bench_{checkout_tag()}"  # two checkouts benchmarking at once never collide
    if base:
        if base.startswith("postgresql://"):
            base = base.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            version = conn.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
        joiner = "&" if "?" in base else "?"
        url = f"{base}{joiner}options={quote(f'-csearch_path={schema}')}"
        return url, f"PostgreSQL {version.split()[0]} (schema {schema})"
    folder = Path(tempfile.gettempdir()) / "qa-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"bench-{checkout_tag()}.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", f"SQLite {sqlite3.sqlite_version} ({path})"


StatementCounter = Recorder  # counts, records and replays a request's SQL (bench/floor.py)


# ---------------------------------------------------------------- measuring


def _clients(app, data: Dataset) -> dict[tuple[str, str], tuple]:
    """A signed-in test client per (role, auth) the scenarios use, with its request headers."""
    clients = {}
    for role, auth in sorted({(s.role, s.auth) for s in SCENARIOS}):
        client = app.test_client()
        if role not in data.users:
            raise SystemExit(f"A scenario needs a {role} user, and the seed made none")
        user_id, session_id = data.users[role]
        headers = {}
        if auth == "session":
            with client.session_transaction() as session:
                session["_user_id"] = session_id
                session["_fresh"] = True
        elif auth == "token":
            with app.app_context():
                # A new token for each measurement, so its once-a-minute "last used" write
                # falls in the warm-up rather than in the measured requests.
                secret = create_token(Actor.system("cli"), db.session.get(User, user_id), "bench")
            headers = {"Authorization": f"Bearer {secret}"}
        else:
            raise ValueError(f"Unknown auth {auth!r}")
        clients[role, auth] = (client, headers)
    return clients


def _check(response, url: str, expected: str | None) -> None:
    """Every request must answer 200 and show what its scenario expects."""
    try:
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, not 200")
        if expected is not None and expected not in response.get_data(as_text=True):
            raise SystemExit(f"GET {url} did not show {expected!r}")
    finally:
        response.close()


def measure(app, engine, data: Dataset, size: int) -> list[dict]:
    clients = _clients(app, data)
    rows = []
    with StatementCounter(engine) as counter:
        for scenario in SCENARIOS:
            client, headers = clients[scenario.role, scenario.auth]

            def expected(i, scenario=scenario):
                return scenario.expect(data, i) if scenario.expect else None

            for i in range(REQUESTS, REQUESTS + WARM_UP):
                url = scenario.url(data, i)
                _check(client.get(url, headers=headers), url, expected(i))
            gc.collect()
            times, statements = [], Counter()
            for i in range(REQUESTS):
                url, text = scenario.url(data, i), expected(i)
                counter.n = 0
                start = time.perf_counter()
                response = client.get(url, headers=headers)
                elapsed_ms = (time.perf_counter() - start) * 1000
                statements[counter.n] += 1
                times.append(elapsed_ms)
                _check(response, url, text)
            p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
            rows.append(
                {
                    "scenario": scenario.name,
                    "services": size,
                    "role": scenario.role,
                    "auth": scenario.auth,
                    "example_url": scenario.url(data, 0),
                    "requests": REQUESTS,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(p95, 1),
                    "max_ms": round(max(times), 1),
                    "budget_p95_ms": scenario.p95_budget_ms,
                    "statements": max(statements),
                    "statements_seen": {str(k): v for k, v in sorted(statements.items())},
                }
            )
            counter.judge(rows[-1], times)
    return rows


# ---------------------------------------------------------------- report


def _table(headings: list[str], rows: list[list], right: set[int]) -> list[str]:
    cells = [[str(c) for c in row] for row in [headings, *rows]]
    widths = [max(len(row[k]) for row in cells) for k in range(len(headings))]

    def line(row):
        return " | ".join(
            c.rjust(w) if k in right else c.ljust(w)
            for k, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return [line(cells[0]), rule, *(line(row) for row in cells[1:])]


def _print_figures(title: str, rows: list[dict]) -> None:
    """A table of figures: timed steps (seconds) and pages (p50/p95 beside their SQL floor)."""
    table = []
    for row in rows:
        if "seconds" in row:
            cells = ["", "", "", "", "", row.get("statements", "")]
            cells.append(f"{row['seconds']:.2f} s ≤ {row['budget_seconds']} s")
            table.append([row["scenario"], *cells, "PASS" if row["pass"] else "MISS"])
            continue
        statements = row["statements"]
        if "statements_at_1_percent" in row:
            statements = f"{statements} ({row['statements_at_1_percent']} at 1%)"
        table.append([row["scenario"], *floor.figures(row, statements)])
    heading = floor.loads(rows)
    if heading:
        print(f"({heading})")
    print("\n".join(_table([title, *floor.HEADINGS], table, right={1, 2, 3, 4, 5, 6})))


def cqc_figures(url: str, formats, commit: bool) -> tuple[list[dict], list[str], dict]:
    """Issues 8 and 17: CQC's national ratings file, previewed in each format and committed
    (each in its own process; the commit changes 150 of the seeded services)."""
    print(
        "\nCQC ratings import: generating (once a day) and reading the national file…", flush=True
    )
    load = os.getloadavg()
    cqc_rows, cqc_failures, cqc_info = bench_cqc.measure(url, formats, commit)
    sizes = ", ".join(
        f"{kind.upper()} {cqc_info[f'{kind}_bytes'] / 1e6:.0f} MB" for kind in formats
    )
    print(
        f"National file: {bench_cqc.LOCATIONS * bench_cqc.ROWS_PER_LOCATION:,} rows, "
        f"{bench_cqc.LOCATIONS:,} locations, CQC's 28 columns; {sizes}. Times are the "
        f"process's CPU seconds (load average before: {load[0]:.1f}, {load[1]:.1f}, "
        f"{load[2]:.1f} on {os.cpu_count()} CPUs)"
    )
    table = [
        [
            row["scenario"],
            f"{row['seconds']:.1f} s",
            f"{row['wall_seconds']:.1f} s",
            f"≤ {row['budget_seconds']:.0f} s",
            f"{row['peak_mb']:.0f} MB",
            f"≤ {row['budget_mb']:.0f} MB",
            "PASS" if row["pass"] else "FAIL",
        ]
        for row in cqc_rows
    ]
    print(
        "\n".join(
            _table(
                ["CQC import", "CPU", "wall", "budget", "peak memory", "budget", "result"],
                table,
                right={1, 2, 4},
            )
        )
    )
    for row in cqc_rows:
        print(f"  {row['scenario']}: {row['detail']}")
    return cqc_rows, cqc_failures, cqc_info


def cqc_only(formats, commit: bool, kind: str) -> int:
    """`--only cqc`: the smaller dataset seeded, then CQC's figures alone."""
    url, database = database_url(kind)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        grow_to(SIZES[0])
        db.engine.dispose()
    print(f"\nmake bench --only cqc on {database} ({SIZES[0]:,} services seeded)", flush=True)
    _rows, failures, _info = cqc_figures(url, formats, commit)
    if failures:
        print("\nOver budget:\n  " + "\n  ".join(failures))
        return 1
    print("All within budget.")
    return 0


def load_only(args) -> int:
    """`--only load`: 50 officers at once against gunicorn on PostgreSQL (bench/load.py)."""
    from bench import load

    url, database = database_url("postgres")
    print(f"\nmake bench --only load on {database} ({SIZES[0]:,} services seeded)", flush=True)

    def seed(app):
        with app.app_context():
            grow_to(SIZES[0])
            analyse()

    report, failures = load.run(url, database, seed, args.users, args.seconds)
    print("\n".join(load.table_lines(report)))
    (ROOT / "bench" / "load-results.json").write_text(json.dumps(report, indent=2) + "\n")
    if failures:
        print("\nOver budget:\n  " + "\n  ".join(failures))
        return 1
    print("All within budget.")
    return 0


#: What `--only` may choose. The concerns and their sweep are always measured: the sweep
#: escalates the overdue concerns, which shapes the data the QuAD report and dashboard read.
PARTS = (
    "pages",
    "standards",
    "assessments",
    "plans",
    "quad",
    "dashboard",
    "programme",
    "cqc",
)
#: Chosen only by name: the load run (`--only load`, on PostgreSQL with gunicorn and Locust).
LOAD = "load"


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"measure only these parts, comma-separated, of: {', '.join(PARTS)}",
    )
    parser.add_argument(
        "--services", type=int, default=SIZES[-1], help="services at full size (default 5000)"
    )
    parser.add_argument(
        "--cqc-formats",
        default=",".join(bench_cqc.FORMATS),
        help="formats of CQC's national file to preview (default: ods,xlsx,csv)",
    )
    parser.add_argument("--no-cqc-commit", action="store_true", help="skip the CQC commit")
    parser.add_argument("--users", type=int, default=50, help="officers in the load run")
    parser.add_argument("--seconds", type=int, default=60, help="length of the load run")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="postgres" if os.environ.get("QA_BENCH_POSTGRES_URL", "").strip() else "sqlite",
        help="sqlite (a fresh file) or postgres (QA_BENCH_POSTGRES_URL, default "
        f"{POSTGRES_URL}, in a fresh schema)",
    )
    args = parser.parse_args(argv)
    args.formats = tuple(k for k in args.cqc_formats.split(",") if k)
    if not args.formats or set(args.formats) - set(bench_cqc.FORMATS):
        parser.error(f"--cqc-formats takes some of {','.join(bench_cqc.FORMATS)}")
    args.only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = args.only - {*PARTS, LOAD}
    if LOAD in args.only and args.only != {LOAD}:
        parser.error("--only load runs alone")
    if unknown or not args.only:
        parser.error(f"--only takes some of {', '.join(PARTS)}; not {', '.join(sorted(unknown))}")
    if (
        args.services < 2000
    ):  # the concerns' seed puts 1,000 due and 500 drafts on different services
        parser.error("--services must be at least 2000")
    return args


def main(argv: list[str] | None = None) -> int:
    global SIZES
    args = _arguments(argv)
    if args.only == {LOAD}:
        SIZES = (args.services // 10, args.services)
        return load_only(args)
    if args.only == {"cqc"}:  # needs only the smaller seed: minutes, not the whole run
        return cqc_only(args.formats, not args.no_cqc_commit, args.database)
    SIZES = (args.services // 10, args.services)
    wanted = args.only.__contains__
    started = time.perf_counter()
    url, database = database_url(args.database)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            # The harness's sessions last the whole run and never write "last seen" (once a
            # minute in real use), so no measured request carries that write.
            "QA_SESSION_IDLE_MINUTES": 24 * 60,
            "QA_SESSION_TOUCH_SECONDS": 24 * 60 * 60,
        }
    )
    with app.app_context():
        upgrade()
        engine = db.engine
    print(f"\nmake bench on {database}", flush=True)

    seeding, measurements, datasets = [], [], {}
    for size in SIZES:
        with app.app_context():
            start = time.perf_counter()
            added = grow_to(size)
            seconds = time.perf_counter() - start
            analyse()
            data = describe()
        seeding.append({"services": size, "seconds": round(seconds, 2), "added": added})
        datasets[size] = data
        print(
            f"  seeded {size:,} services ({data.providers:,} providers, {data.staff} staff, "
            f"{data.audit_events:,} audit events) in {seconds:.1f} s; measuring…",
            flush=True,
        )
        if wanted("pages"):
            if not data.filter_clusters:
                raise RuntimeError("No cluster has two pages of Good services to filter on")
            measurements += measure(app, engine, data, size)
        if size == SIZES[0]:
            # Issue 16: the QuAD report's and the dashboard's statements with 500 services and
            # no history yet
            with StatementCounter(engine) as counter:
                quad_statements_at_start = bench_quad.statements(app, counter)
                dashboard_statements_at_start = bench_quad.dashboard_statements(app, counter)
                programme_statements_at_start = bench_programme.statements(app, counter)
    engine.dispose()

    failures = []
    load = os.getloadavg()[0]
    print(
        f"\n{REQUESTS} requests per scenario and size, after {WARM_UP} to warm up "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs"
        + (
            "; the machine is busy, so latencies are pessimistic)"
            if load > (os.cpu_count() or 1)
            else ")"
        )
    )
    table = []
    for row in measurements:  # (none unless the pages are measured)
        if not row["pass"]:
            failures.append(floor.miss(f"{row['scenario']} at {row['services']:,} services", row))
        table.append([row["scenario"], f"{row['services']:,}", *floor.figures(row)])
    headings = ["scenario", "services", *floor.HEADINGS]
    if wanted("pages"):
        print(f"({floor.loads(measurements)})")
        print("\n".join(_table(headings, table, right={1, 2, 3, 4, 5, 6, 7})))

    small, large = SIZES[0], SIZES[-1]
    growth, table = [], []
    for scenario in SCENARIOS if wanted("pages") else []:
        by_size = {
            r["services"]: r["statements"] for r in measurements if r["scenario"] == scenario.name
        }
        ok = by_size[large] <= by_size[small] or not scenario.statements_must_not_grow
        growth.append(
            {
                "scenario": scenario.name,
                f"statements_at_{small}": by_size[small],
                f"statements_at_{large}": by_size[large],
                "budget": "must not grow",
                "pass": ok,
            }
        )
        if not ok:
            failures.append(
                f"{scenario.name}: {by_size[small]} statements at {small:,} services, "
                f"{by_size[large]} at {large:,}"
            )
        table.append(
            [
                scenario.name,
                by_size[small],
                by_size[large],
                "must not grow",
                "PASS" if ok else "FAIL",
            ]
        )
    if wanted("pages"):
        print(
            f"\nSQL statements per request as the data grows from {small:,} to {large:,} services"
        )
        headings = ["scenario", f"at {small:,}", f"at {large:,}", "budget", "result"]
        print("\n".join(_table(headings, table, right={1, 2})))

    seed_seconds = round(sum(s["seconds"] for s in seeding), 2)
    seed_ok = seed_seconds <= SEED_BUDGET_S
    if not seed_ok:
        failures.append(f"seeding {large:,} services took {seed_seconds} s")
    steps = " + ".join(f"{s['seconds']:.1f} s" for s in seeding)
    print(
        f"\nSeeding {large:,} services: {seed_seconds:.1f} s ({steps}); "
        f"budget ≤ {SEED_BUDGET_S:.0f} s: {'PASS' if seed_ok else 'FAIL'}"
    )

    checked, validate_seconds, load_seconds, sets_seconds, sets_ok = [], 0.0, 0.0, 0.0, True
    if wanted("standards"):
        # Issue 4: validating and loading every shipped standard set, into the database just seeded.
        with app.app_context():
            start = time.perf_counter()
            checked = standards.check_directory()
            validate_seconds = time.perf_counter() - start
            start = time.perf_counter()
            standards.load_checked(Actor.system("cli"), checked)
            load_seconds = time.perf_counter() - start
        sets_seconds = round(validate_seconds + load_seconds, 3)
        sets_ok = sets_seconds <= STANDARDS_BUDGET_S and not any(c.problems for c in checked)
        if not sets_ok:
            failures.append(f"validating and loading the standard sets took {sets_seconds} s")
        print(
            f"Validating and loading {len(checked)} standard sets: {sets_seconds:.2f} s "
            f"(validate {validate_seconds:.2f} s + load {load_seconds:.2f} s); "
            f"budget ≤ {STANDARDS_BUDGET_S:.0f} s: {'PASS' if sets_ok else 'FAIL'}"
        )

    # Issue 5: 45,500 assessments (2.5 million answers) over ten years, then answers, the recording page, the API, the PDF.
    with app.app_context():
        seeded = bench_assessments.seed()
    print(
        f"\nSeeded {seeded['assessments']:,} assessments with {seeded['answers']:,} answers "
        f"in {seeded['seconds']} s; measuring assessments…",
        flush=True,
    )
    assessment_rows, assessment_failures = [], []
    if wanted("assessments"):
        with StatementCounter(engine) as counter:
            assessment_rows, assessment_failures = bench_assessments.measure(app, counter)
        failures += assessment_failures
        _print_figures("assessments", assessment_rows)
    if wanted("assessments") and not any("statements grew" in f for f in assessment_failures):
        print(
            "Statements for the recording page and the API read are the same at 55 and 120 questions: PASS"
        )

    # Issue 6: ~3,000 improvement plans with ~30,000 actions; the portal home and the plan list.
    with app.app_context():
        plans_seeded = bench_plans.seed()
    print(
        f"\nSeeded {plans_seeded['plans']:,} improvement plans with {plans_seeded['actions']:,} "
        f"actions in {plans_seeded['seconds']} s; measuring plans…",
        flush=True,
    )
    plan_rows, plan_failures = [], []
    if wanted("plans"):
        with StatementCounter(engine) as counter:
            plan_rows, plan_failures = bench_plans.measure(app, counter, plans_seeded)
        failures += plan_failures
    if plan_rows:
        _print_figures("improvement plans", plan_rows)
    if wanted("plans") and not any("statements" in f for f in plan_failures):
        print(
            "Statements for the portal home (5 and 40 services) and the plan list "
            "(first page of open plans, page 3 of all plans) are the same: PASS"
        )

    # Issue 7: ~200,000 concerns and ~20,000 notices; the sweep twice; the lists at that size.
    bench_now = bench_concerns.now_for_bench()
    # The plans were loaded in bulk with dates already past: a sweep running every 5 minutes
    # would have recorded them overdue as each date passed. Catch up once, so the timed sweep
    # below does what a sweep does on an ordinary day.
    with app.app_context():
        start = time.perf_counter()
        caught_up = plans_service.mark_overdue(bench_now)
    print(
        f"\nCaught up the plans loaded in bulk ({caught_up}) in "
        f"{time.perf_counter() - start:.1f} s before timing the sweep",
        flush=True,
    )
    with app.app_context():
        seeded_small = bench_concerns.seed(bench_now, 0, bench_concerns.CONCERNS // 100)
    with StatementCounter(engine) as counter:
        small_counts = bench_concerns.page_statements(app, counter)
    with app.app_context():
        seeded_rest = bench_concerns.seed(
            bench_now, bench_concerns.CONCERNS // 100, bench_concerns.CONCERNS
        )
    seeded_concerns = {
        key: seeded_small[key] + seeded_rest[key] for key in seeded_small if key != "seconds"
    }
    seeded_concerns["seconds"] = round(seeded_small["seconds"] + seeded_rest["seconds"], 1)
    print(
        f"\nSeeded {seeded_concerns['concerns']:,} concerns ({seeded_concerns['open']:,} open, "
        f"{seeded_concerns['due']:,} due) and {seeded_concerns['notices']:,} notices in "
        f"{seeded_concerns['seconds']} s; sweeping and measuring…",
        flush=True,
    )
    with StatementCounter(engine) as counter:
        concern_rows, concern_failures = bench_concerns.measure(
            app, counter, bench_now, small_counts
        )
    failures += concern_failures
    _print_figures("concerns and notices", concern_rows)
    sweep_summary = next(r for r in concern_rows if "summary" in r)["summary"]
    print(f"First sweep printed: {sweep_summary}")

    # Issue 16: the monthly QuAD report over all of it (the concerns' clock events first)
    with app.app_context():
        clocks_seeded = bench_quad.seed_clock_events()
    print(
        f"\nSeeded {clocks_seeded['clock_events']:,} clock events in {clocks_seeded['seconds']} s; "
        "measuring the QuAD report for the last full month…",
        flush=True,
    )
    quad_rows: list[dict] = []
    if wanted("quad"):
        with StatementCounter(engine) as counter:
            quad_rows, quad_failures = bench_quad.measure(app, counter, quad_statements_at_start)
        failures += quad_failures
        print(f"{bench_quad.REQUESTS} requests per format, after one to warm up")
        print("\n".join(bench_quad.table_lines(quad_rows)))
        print(
            f"Statements for the QuAD report's JSON: {quad_rows[0]['statements']} with "
            f"{large:,} services and ten years of history, {quad_statements_at_start} with "
            f"{small:,} and none"
        )

    # Issue 16, item 5: the managers' dashboard over all of it, with today's answers autosaved
    dashboard_row = None
    if wanted("dashboard"):
        with app.app_context():
            sittings = bench_quad.seed_recent_sittings()
            risk_history = bench_quad.seed_risk_history()
        print(
            f"\nSeeded {sittings['answer_saves']:,} answer saves in "
            f"{bench_quad.SITTINGS} sittings over the last hours, and "
            f"{risk_history['risk_changes']:,} RAG changes over ten years; measuring the "
            "dashboard…",
            flush=True,
        )
        with StatementCounter(engine) as counter:
            dashboard_row, dashboard_failures = bench_quad.measure_dashboard(
                app, counter, dashboard_statements_at_start
            )
        failures += dashboard_failures
        _print_figures("managers' dashboard", [dashboard_row])
        print(f"(p95 of the requests' own CPU time: {dashboard_row['p95_cpu_ms']} ms)")
        print(
            f"Statements for the dashboard: {dashboard_row['statements']} with {large:,} "
            f"services and ten years of history, {dashboard_statements_at_start} with "
            f"{small:,} and none"
        )

    # Issue 20: the visit programme over all of it
    programme_row = None
    if wanted("programme"):
        print("\nMeasuring the visit programme…", flush=True)
        with StatementCounter(engine) as counter:
            programme_row, programme_failures = bench_programme.measure(
                app, counter, programme_statements_at_start
            )
        failures += programme_failures
        _print_figures("visit programme", [programme_row])
        print(f"(p95 of the requests' own CPU time: {programme_row['p95_cpu_ms']} ms)")
        print(
            f"Statements for the programme page: {programme_row['statements']} with {large:,} "
            f"services and ten years of history, {programme_statements_at_start} with "
            f"{small:,} and none"
        )

    # Issue 8: CQC's national ratings file, previewed and committed (each in its own process,
    # last, because the commit changes 150 of the seeded services).
    cqc_rows, cqc_info = [], {}
    if wanted("cqc"):
        cqc_rows, cqc_failures, cqc_info = cqc_figures(url, args.formats, not args.no_cqc_commit)
        failures += cqc_failures

    big = datasets[large]
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "requests_per_scenario": REQUESTS,
        "warm_up_requests": WARM_UP,
        "dataset": {
            "services": big.services,
            "providers": big.providers,
            "staff_users": big.staff,
            "audit_events": big.audit_events,
        },
        "seeding": {
            "steps": seeding,
            "seconds": seed_seconds,
            "budget_seconds": SEED_BUDGET_S,
            "pass": seed_ok,
        },
        "standard_sets": {
            "files": len(checked),
            "validate_seconds": round(validate_seconds, 3),
            "load_seconds": round(load_seconds, 3),
            "budget_seconds": STANDARDS_BUDGET_S,
            "pass": sets_ok,
        },
        "assessments": {"seeded": seeded, "figures": assessment_rows},
        "concerns": {"seeded": seeded_concerns, "figures": concern_rows},
        "cqc_import": {"figures": cqc_rows, "files": cqc_info},
        "quad_report": {"seeded": clocks_seeded, "figures": quad_rows},
        "managers_dashboard": dashboard_row,
        "visit_programme": programme_row,
        "measured": sorted(args.only),
        "improvement_plans": {
            "seeded": {k: v for k, v in plans_seeded.items() if not k.endswith("_provider")},
            "figures": plan_rows,
        },
        "scenarios": measurements,
        "statement_growth": growth,
        "failures": failures,
        "pass": not failures,
        "runtime_seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Figures written to {RESULTS.relative_to(ROOT)} ({report['runtime_seconds']} s in all)")
    if failures:
        print("\nOver budget:\n  " + "\n  ".join(failures))
        return 1
    print("All within budget.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
