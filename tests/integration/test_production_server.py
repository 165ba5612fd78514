"""gunicorn with the committed gunicorn.conf.py, configured by the environment alone: it
serves /healthz and the sign-in page, and logs each request with the time it took."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa_app import create_app
from qa_app.extensions import db
from tests.support.databases import fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
#: stderr lines gunicorn prints before it listens (start, listening, worker, boot...)
MAX_START_LINES = 50


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database():
    from flask_migrate import upgrade

    url = fresh_database_url("gunicorn")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def test_gunicorn_serves_the_app_from_its_committed_configuration(database, tmp_path):
    port = _free_port()
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "QA_ENV": "production",
        "QA_SECRET_KEY": "a-test-secret-that-is-long-enough-for-production",
        "QA_DATABASE_URL": database,
        "QA_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "QA_WEB_BIND": f"127.0.0.1:{port}",
        "QA_WEB_WORKERS": "2",
        "QA_WEB_TIMEOUT": "30",
    }
    server = subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # a server that never says it listens is stopped, so the test ends rather than hangs
    watchdog = threading.Timer(120, server.kill)
    watchdog.start()
    try:
        assert server.stderr is not None
        started = []
        for _ in range(MAX_START_LINES):
            line = server.stderr.readline()
            started.append(line)
            if not line or f"Listening at: http://127.0.0.1:{port}" in line:
                break
        assert f"Listening at: http://127.0.0.1:{port}" in started[-1], "".join(started)
        assert "Control socket" not in "".join(started)

        def get(path):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path)
            response = connection.getresponse()
            return response, response.read(), connection

        response, body, connection = get("/healthz")
        connection.close()
        assert response.status == 200
        assert json.loads(body) == {"status": "ok"}
        assert response.getheader("Set-Cookie") is None
        response, body, connection = get("/sign-in")
        connection.close()
        assert response.status == 200
        page = body.decode()
        assert "<h1" in page and "Sign in" in page
        assert response.getheader("Content-Security-Policy").startswith("default-src 'self'")
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
        watchdog.cancel()
    log = [line for line in out.splitlines() if '"GET /healthz HTTP/1.1" 200' in line]
    assert len(log) == 1, out + err
    assert log[0].split()[-2].endswith("ms")  # ... 200 16 3ms "-"
    assert any('"GET /sign-in HTTP/1.1" 200' in line for line in out.splitlines())
    assert "Traceback" not in err
