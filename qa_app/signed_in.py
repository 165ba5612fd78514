"""The signed-in session of each request, checked on the server (`qa_app.services.sessions`).

Flask-Login keeps the session's secret in the signed cookie and asks `_load` for the user on the
first use of `current_user`. A session that has ended (signed out, password changed elsewhere,
deactivated, idle, too old) is refused: its secret is dropped from the cookie, a page sends the
person to sign in again with a calm message and the address they wanted in `next`, and the API
answers 401 with JSON (`qa_app.api.auth`).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, g, redirect, request, session
from flask_login import login_url

from qa_app.domain.sessions import SessionPolicy
from qa_app.extensions import login_manager
from qa_app.services import sessions

SESSION_ENDED = "Your session has ended. Sign in again."
SIGN_IN_TO_CONTINUE = "Sign in to continue"


def policy() -> SessionPolicy:
    config = current_app.config
    return SessionPolicy(
        idle=timedelta(minutes=config["QA_SESSION_IDLE_MINUTES"]),
        longest=timedelta(hours=config["QA_SESSION_MAX_HOURS"]),
        # Not a setting: `make bench` raises it so that no measured request writes "last seen".
        touch_every=timedelta(seconds=config.get("QA_SESSION_TOUCH_SECONDS", 60)),
    )


def session_ended() -> bool:
    """Whether this request came with a session that has now ended."""
    return g.get("qa_session_ended", False)


def _load(secret: str):
    user = sessions.user_for(secret, policy())
    if user is None:
        g.qa_session_ended = True
        for key in ("_user_id", "_fresh", "_id"):
            session.pop(key, None)
    return user


def _unauthorized():
    flash(SESSION_ENDED if session_ended() else SIGN_IN_TO_CONTINUE, "info")
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load)
    login_manager.unauthorized_handler(_unauthorized)
