"""One explicit transaction per use case."""

from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from qa_app.extensions import db
from qa_app.services.errors import Conflict

T = TypeVar("T")
P = ParamSpec("P")

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6  # primary result codes (the low byte of extended ones)


class Busy(Exception):
    """Another connection holds the lock a unit of work that does not wait needed."""


@contextmanager
def unit_of_work(writes_after_reading: bool = False):
    """Commit what the block did, or roll all of it back if it raised.

    writes_after_reading: the block reads, then writes, and may run beside other writers (the
    sweep): on SQLite its transaction takes the write lock at the start.
    """
    if writes_after_reading and not db.session().in_transaction():
        db.session.connection(execution_options={"qa_write_lock": True})
    try:
        yield db.session
        db.session.commit()
    except (Exception, SQLAlchemyError):
        db.session.rollback()
        raise


@contextmanager
def unit_of_work_without_waiting():
    """A short unit of work that never queues behind another writer, for bookkeeping that may
    be skipped (such as noting when an API token was last used): it raises `Busy` at once
    instead of waiting. On SQLite its transaction asks for the write lock at the start, without
    the busy timeout; on PostgreSQL its statements must not wait either (use SKIP LOCKED).

    It starts a transaction of its own: the session must not be in one (commit it first).
    """
    if db.session().in_transaction():
        raise RuntimeError("unit_of_work_without_waiting needs a session outside a transaction")
    try:
        with unit_of_work():
            db.session.connection(execution_options={"qa_write_lock": "nowait"})
            yield db.session
    except OperationalError as error:
        code = getattr(error.orig, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
            raise Busy(str(error.orig)) from None
        raise


def retried_if_stale(conflict: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A use case that reads, then writes in a unit of work. When another request changed a row
    it writes between its read and its write (StaleDataError: the row's version moved), it runs
    once more against the rows as they are now, so that a change that does not touch the same
    thing (two answers both moving a planned assessment to in progress) is kept. A second loss
    is a Conflict saying `conflict`."""

    def decorate(use_case: Callable[P, T]) -> Callable[P, T]:
        @wraps(use_case)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return use_case(*args, **kwargs)
            except StaleDataError:
                db.session.rollback()
            try:
                return use_case(*args, **kwargs)
            except StaleDataError:
                db.session.rollback()
                raise Conflict(conflict) from None

        return run

    return decorate
