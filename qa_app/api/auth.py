"""Who is calling the API: a bearer token, or a signed-in browser session (with its CSRF token
on changes, so the pages' own scripts can use the API safely)."""

from flask import g, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from qa_app.api import api_blueprint
from qa_app.services import users
from qa_app.services.actors import Actor
from qa_app.signed_in import SESSION_ENDED, session_ended


class Unauthenticated(Exception):
    pass


class CsrfRefused(Exception):
    pass


@api_blueprint.before_request
def _forget_the_previous_caller():
    """Who is calling is worked out afresh for each request, even when requests share an app
    context (as a test's requests do)."""
    g.pop("api_user", None)
    g.pop("api_channel", None)


def api_user():
    """The calling user (a `qa_app.models.User`)."""
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        user = users.user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise Unauthenticated("The API token is missing, unknown or revoked")
        g.api_user, g.api_channel = user, "api"
        return user
    if current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except ValidationError:
                raise CsrfRefused("Send the page's CSRF token in the X-CSRFToken header") from None
        g.api_user, g.api_channel = current_user._get_current_object(), "web"
        return g.api_user
    if session_ended():
        raise Unauthenticated(SESSION_ENDED)
    raise Unauthenticated("Send an API token: Authorization: Bearer <token>")


def api_actor() -> Actor:
    user = api_user()
    return Actor(user, g.get("api_channel", "api"))
