"""`GET /healthz`: 200 `{"status": "ok"}` when the database answers, 503 otherwise (SPEC
section 10).

For load balancers and monitoring: no sign-in, no session (the view never reads or writes it,
so no cookie is set), no CSRF (a GET), no rate limit, and never cached.

When one of the worker's periodic tasks is failing, the 200 answer also names it, for
monitoring to alert on: `{"status": "ok", "failing_tasks": [{"name": "reminders", "since":
"2026-11-27T10:15:00+00:00"}]}`. The status code and `status` stay as the SPEC fixes them (the
database answers, so the app serves pages), and the key is absent while every task works.
"""

from flask import Flask, jsonify

from qa_app.services import health


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        checked = health.check()
        if checked.database_answers:
            body = {"status": "ok"}
            if checked.failing_tasks:
                body["failing_tasks"] = [
                    {"name": name, "since": since.isoformat()}
                    for name, since in checked.failing_tasks
                ]
            response = jsonify(body)
        else:
            response = jsonify(status="unavailable")
            response.status_code = 503
        response.headers["Cache-Control"] = "no-store"
        return response
