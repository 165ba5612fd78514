"""Error pages for people and JSON errors for the API; no input may produce a bare 500."""

import logging

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from qa_app.extensions import db
from qa_app.services.transaction import DATABASE_FAILURES

log = logging.getLogger(__name__)

TITLES = {
    400: "There is a problem with that request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not possible on this page",
    409: "Someone else changed this",
    413: "The file is too big",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}

#: what a person or a client is told when the database failed part-way (every step is one
#: transaction, rolled back whole: nothing of it was kept)
DATABASE_UNAVAILABLE = (
    "The database did not answer or could not finish the change. Nothing was saved: "
    "try again in a few minutes."
)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    init_service_errors(app)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        if _wants_json():
            return jsonify(error="CSRF token missing or invalid", details=None), 400
        return (
            render_template(
                "errors/error.html",
                title="Your form could not be sent",
                message="The page was open for too long, or the form was sent from somewhere else. "
                "Go back, reload the page and try again; nothing was saved.",
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def _http(error):
        if isinstance(error, MethodNotAllowed) and not _path_exists(error.valid_methods or []):
            error = NotFound()
        code = error.code or 500
        if _wants_json():
            response = jsonify(error=TITLES.get(code, error.name), details=None)
        else:
            response = make_response(
                render_template("errors/error.html", title=TITLES.get(code, error.name), code=code)
            )
        response.status_code = code
        if isinstance(error, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods or []))
        return response

    def _database_unavailable(error):
        # A lost connection, a lock wait that timed out, a full disc: the step's transaction
        # was rolled back whole, so the person can simply try again.
        log.error("Database error on %s %s: %s", request.method, request.path, error.orig)
        db.session.rollback()
        if _wants_json():
            response = jsonify(error=DATABASE_UNAVAILABLE, details=None)
        else:
            response = make_response(
                render_template(
                    "errors/error.html", title=TITLES[503], message=DATABASE_UNAVAILABLE, code=503
                )
            )
        response.status_code = 503
        response.headers["Retry-After"] = "60"
        return response

    for failure in DATABASE_FAILURES:
        app.register_error_handler(failure, _database_unavailable)

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal error", details=None), 500
        return render_template("errors/error.html", title=TITLES[500], code=500), 500


def _path_exists(methods) -> bool:
    """Whether the address names something for one of these methods. The router answers 405
    when a rule's pattern fits but before checking its values (an id too big for a database
    id, say); such an address names nothing, which is a 404."""
    adapter = current_app.create_url_adapter(request)
    if adapter is None:  # only outside a request
        return False
    for method in methods:
        try:
            adapter.match(method=method)
        except HTTPException:
            continue
        return True
    return False


def init_service_errors(app: Flask) -> None:
    from qa_app.services.errors import ServiceError

    @app.errorhandler(ServiceError)
    def _service_error(error):
        if _wants_json():
            return jsonify(error=error.message, details=error.details), error.status
        return (
            render_template(
                "errors/error.html",
                title=TITLES.get(error.status, error.message),
                message=error.message,
                code=error.status,
            ),
            error.status,
        )
