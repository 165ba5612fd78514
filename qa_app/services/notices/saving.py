"""How every change to a notice is checked and saved: its version, required text, the locks
(the service's, then the notice's: the order every step and the sweep use) and the flush."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from qa_app.domain.limits import NOTE, Limit, text_problem
from qa_app.extensions import db
from qa_app.models import Notice, Service
from qa_app.services.errors import Conflict, ValidationFailed


def check_version(notice: Notice, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != notice.version:
        raise Conflict(
            "This notice was changed by someone else while you were looking at it. "
            "Check the notice as it is now and try again."
        )


def required_text(text: str | None, field: str, message: str, limit: Limit = NOTE) -> str:
    """Required text, checked by the domain's rule (never shortened quietly)."""
    problem = text_problem(text, limit, message)
    if problem:
        raise ValidationFailed({field: problem})
    return (text or "").strip()


def lock_notice(notice: Notice) -> None:
    """Take the service's row lock (the sweep takes it before it touches the service's draft)
    and re-read the notice, so a decision and a sweep never act on the same draft at once."""
    db.session.scalar(select(Service.id).where(Service.id == notice.service_id).with_for_update())
    db.session.scalar(select(Notice.id).where(Notice.id == notice.id).with_for_update())
    db.session.refresh(notice)


def flush_notice(notice: Notice) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(
            "This notice was changed by someone else at the same moment. Check it and try again."
        ) from None
