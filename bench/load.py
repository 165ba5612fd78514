"""`make bench BENCH_ARGS="--only load"`: 50 officers at once against gunicorn on PostgreSQL.

Seeds the smaller dataset (SIZES[0] services) into a fresh PostgreSQL schema, gives each of
the simulated officers an in-progress assessment, a session and an API token, serves the app
with gunicorn (gunicorn.conf.py, 4 workers, production settings from environment variables)
on 127.0.0.1, and runs Locust headless twice from this machine: one officer alone (the
single-request figures: one request at a time through the same server), then `--users`
officers for `--seconds`. Each officer autosaves answers (PUT with the version its last save
returned) and opens its recording page, the staff home and the service list.

Afterwards it checks against the database that every answer holds exactly the last value and
version each officer sent (nothing lost, nothing out of order), and prints p50/p95 per kind
of request beside the budget (p95 ≤ 250 ms under load) and the single officer's figures.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from qa_app import create_app
from qa_app.extensions import db
from qa_app.models import Answer, Service, User
from qa_app.services import assessments, sessions, standards
from qa_app.services.actors import Actor
from qa_app.services.users import create_token

ROOT = Path(__file__).resolve().parent.parent
LOAD_BUDGET_MS = 250.0
REFS_PER_OFFICER = 8
DOMAIN = "D3"  # the recording page each officer opens (as the single-request bench does)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _officers(app, count: int) -> list[dict]:
    """An in-progress assessment, a session cookie and an API token for each of `count`
    officers (seeded staff first; more are added if the seed has too few)."""
    with app.app_context():
        standards.load_directory(Actor.system("cli"))
        officers = list(
            db.session.scalars(select(User).where(User.role == "officer").order_by(User.id))
        )[:count]
        if len(officers) < count:
            raise SystemExit(f"The seed made {len(officers)} officers; the load run needs {count}")
        version = standards.latest_version("care_homes")
        homes = list(
            db.session.scalars(
                select(Service)
                .where(Service.service_type.in_(version.service_types))
                .order_by(Service.id)
                .limit(count)
            )
        )
        serializer = app.session_interface.get_signing_serializer(app)
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        found = []
        for n, officer in enumerate(officers):
            assessment = assessments.plan(
                Actor(officer, "cli"),
                officer,
                {
                    "service_id": homes[n % len(homes)].id,
                    "standard_set_key": "care_homes",
                    "standard_set_version": version.version,
                    "visit_date": date.today(),
                },
            )
            questions = assessments.questions_for(assessment)
            on_page = [q.ref for q in questions if q.domain_code == DOMAIN]
            session_id = sessions.begin(officer)
            token = create_token(Actor.system("cli"), officer, "load run")
            cookie = serializer.dumps({"_user_id": session_id, "_fresh": True})
            found.append(
                {
                    "officer": officer.id,
                    "assessment": assessment.id,
                    "domain": DOMAIN,
                    "refs": on_page[:REFS_PER_OFFICER],
                    "token": token,
                    "cookie": f"{cookie_name}={cookie}",
                    "address": f"10.0.{n // 250}.{1 + n % 250}",
                }
            )
        db.session.commit()
    return found


def _serve(url: str, secret: str, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "QA_ENV": "production",
        "QA_SECRET_KEY": secret,
        "QA_DATABASE_URL": url,
        "QA_TRUSTED_PROXIES": "1",
        "QA_WEB_BIND": f"127.0.0.1:{port}",
        "QA_WEB_WORKERS": "4",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(600):  # until /healthz answers (or gunicorn has stopped)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped ({server.returncode}); see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.0\r\nX-Forwarded-Proto: https\r\n\r\n")
                if b" 200 " in s.recv(64):
                    return server
        except OSError:
            pass
        time.sleep(0.1)  # waiting for a server to start, not standing in for an event
    server.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {log}")


def _locust(folder: Path, name: str, officers: list[dict], users: int, seconds: int, port: int):
    """Runs Locust headless; returns (stats rows by request name, what each officer sent)."""
    officers_file, sent_file = folder / f"{name}-officers.json", folder / f"{name}-sent.json"
    officers_file.write_text(json.dumps(officers))
    env = {**os.environ, "QA_LOAD_OFFICERS": str(officers_file), "QA_LOAD_SENT": str(sent_file)}
    command = [
        str(Path(sys.executable).parent / "locust"),
        "--locustfile",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 5)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "30",  # each officer finishes the request it has started
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(folder / name),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if not sent_file.exists():
        raise SystemExit(f"Locust did not finish:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    with (folder / f"{name}_stats.csv").open() as f:
        stats = {row["Name"]: row for row in csv.DictReader(f)}
    return stats, json.loads(sent_file.read_text())


def _check_answers(app, sent: dict) -> tuple[int, int, list[str]]:
    """(answers checked, answers that differ, the first few differences)."""
    checked, wrong, examples = 0, 0, []
    with app.app_context():
        for assessment_id, by_ref in sent.items():
            stored = {
                a.question_ref: a
                for a in db.session.scalars(
                    select(Answer).where(Answer.assessment_id == int(assessment_id))
                )
            }
            for ref, (score, evidence, version) in by_ref.items():
                checked += 1
                answer = stored.get(ref)
                got = (answer.score, answer.evidence, answer.version) if answer else None
                if got != (score, evidence, version):
                    wrong += 1
                    if len(examples) < 5:
                        examples.append(
                            f"assessment {assessment_id} {ref}: sent {score, evidence, version}, stored {got}"
                        )
    return checked, wrong, examples


def run(url: str, database: str, seed, users: int, seconds: int) -> tuple[dict, list[str]]:
    """The load run on the database at `url` (seed(app) fills it); figures and failures."""
    secret = secrets.token_urlsafe(48)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": secret})
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    seed(app)
    officers = _officers(app, users + 1)
    print(f"  seeded and signed in {users + 1} officers in {time.perf_counter() - started:.0f} s")
    folder = Path(tempfile.mkdtemp(prefix="qa-load-"))
    port = _free_port()
    server = _serve(url, secret, port, folder / "gunicorn.log")
    try:
        print(
            f"  gunicorn (4 workers) on 127.0.0.1:{port}; one officer alone for 20 s…", flush=True
        )
        alone, sent_alone = _locust(folder, "alone", officers[-1:], 1, 20, port)
        print(f"  {users} officers for {seconds} s…", flush=True)
        load_before = os.getloadavg()
        crowd, sent_crowd = _locust(folder, "crowd", officers[:-1], users, seconds, port)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=60)
    checked, wrong, examples = _check_answers(app, {**sent_alone, **sent_crowd})
    failures = []
    rows = []
    for name, row in crowd.items():
        if name == "Aggregated":
            continue
        single = alone.get(name, {})
        figures = {
            "request": name,
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "alone_p50_ms": float(single["50%"]) if single else None,
            "alone_p95_ms": float(single["95%"]) if single else None,
            "budget_p95_ms": LOAD_BUDGET_MS,
        }
        figures["pass"] = figures["p95_ms"] <= LOAD_BUDGET_MS and not figures["errors"]
        rows.append(figures)
        if not figures["pass"]:
            failures.append(
                f"load run, {name}: p95 {figures['p95_ms']:.0f} ms (budget {LOAD_BUDGET_MS:.0f}),"
                f" {figures['errors']} errors"
            )
    total = crowd.get("Aggregated", {})
    errors = int(total.get("Failure Count", 0)) + int(
        alone.get("Aggregated", {}).get("Failure Count", 0)
    )
    if errors:
        failures.append(f"load run: {errors} requests failed (see {folder}/*_failures.csv)")
    if wrong or not checked:
        failures.append(f"load run: {wrong} of {checked} answers not as last sent: {examples}")
    report = {
        "database": database,
        "officers": users,
        "seconds": seconds,
        "requests": int(total.get("Request Count", 0)),
        "requests_per_second": float(total.get("Requests/s", 0)),
        "errors": errors,
        "answers_checked": checked,
        "answers_wrong": wrong,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "figures": rows,
        "files": str(folder),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return report, failures


def table_lines(report: dict) -> list[str]:
    """The load run's figures as a table, beside one officer alone and the budget."""
    from bench.run import _table

    body = [
        [
            r["request"],
            r["requests"],
            r["errors"],
            f"{r['p50_ms']:.0f}",
            f"{r['p95_ms']:.0f}",
            "" if r["alone_p50_ms"] is None else f"{r['alone_p50_ms']:.0f}",
            "" if r["alone_p95_ms"] is None else f"{r['alone_p95_ms']:.0f}",
            f"p95 ≤ {r['budget_p95_ms']:.0f} ms",
            "PASS" if r["pass"] else "MISS",
        ]
        for r in report["figures"]
    ]
    before, after = report["load_average_before"], report["load_average_after"]
    return [
        f"\nLoad run: {report['officers']} officers for {report['seconds']} s on "
        f"{report['database']}, 4 gunicorn workers: {report['requests']:,} requests "
        f"({report['requests_per_second']:.1f}/s), {report['errors']} errors; "
        f"{report['answers_checked']} answers checked against the database, "
        f"{report['answers_wrong']} lost or out of order (load average {before[0]:.1f} before, "
        f"{after[0]:.1f} after, on {os.cpu_count()} CPUs)",
        *_table(
            [
                "request",
                "count",
                "errors",
                "p50 ms",
                "p95 ms",
                "alone p50",
                "alone p95",
                "budget",
                "result",
            ],
            body,
            right={1, 2, 3, 4, 5, 6},
        ),
    ]
