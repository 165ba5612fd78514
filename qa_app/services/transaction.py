"""One explicit transaction per use case."""

from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from qa_app.extensions import db


@contextmanager
def unit_of_work():
    """Commit what the block did, or roll all of it back if it raised."""
    try:
        yield db.session
        db.session.commit()
    except (Exception, SQLAlchemyError):
        db.session.rollback()
        raise
