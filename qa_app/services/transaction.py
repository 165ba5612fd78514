"""One explicit transaction per use case."""

from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from qa_app.extensions import db


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
