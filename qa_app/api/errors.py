"""API errors are JSON: {"error": "…", "details": …}, with a 4xx status that says why."""

from flask import jsonify
from pydantic import ValidationError

from qa_app.api import api_blueprint
from qa_app.api.auth import CsrfRefused, Unauthenticated
from qa_app.services.errors import ServiceError


class BadRequest(Exception):
    def __init__(self, message: str, details=None):
        super().__init__(message)
        self.message, self.details = message, details


class InvalidRequest(Exception):
    """A 422 found before the request models ran; `details` as pydantic's: [{field, message}]."""

    def __init__(self, details: list[dict]):
        super().__init__("The request is not valid")
        self.details = details


def error_response(status: int, message: str, details=None):
    response = jsonify(error=message, details=details)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="qa"'
    return response


def pydantic_details(error: ValidationError) -> list[dict]:
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or None, "message": item["msg"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]


@api_blueprint.errorhandler(Unauthenticated)
def _unauthenticated(error):
    return error_response(401, str(error))


@api_blueprint.errorhandler(CsrfRefused)
def _csrf(error):
    return error_response(403, str(error))


@api_blueprint.errorhandler(BadRequest)
def _bad_request(error):
    return error_response(400, error.message, error.details)


@api_blueprint.errorhandler(InvalidRequest)
def _invalid_request(error):
    return error_response(422, str(error), error.details)


@api_blueprint.errorhandler(ValidationError)
def _invalid(error):
    return error_response(422, "The request is not valid", pydantic_details(error))


@api_blueprint.errorhandler(ServiceError)
def _service_error(error):
    return error_response(error.status, error.message, error.details)
