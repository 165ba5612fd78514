"""`GET /healthz`: 200 `{"status": "ok"}` when the database answers, 503 otherwise.

For load balancers and monitoring: no sign-in, no session (the view never reads or writes it,
so no cookie is set), no CSRF (a GET), no rate limit, and never cached.
"""

from flask import Flask, jsonify

from qa_app.services import health


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        if health.database_answers():
            response = jsonify(status="ok")
        else:
            response = jsonify(status="unavailable")
            response.status_code = 503
        response.headers["Cache-Control"] = "no-store"
        return response
