"""The unit tier is pure: it never builds the app or reaches a database.

Every test here runs with the ways to a database and the app factory replaced by a guard that
fails the test, naming what it reached for: SQLAlchemy's `create_engine` (and `connect` on an
engine made before, when pytest-xdist runs integration tests in the same process), `sqlite3`
and `psycopg` connections, and `qa_app.create_app`. The fixtures that need the database fail
the same way. A test that needs any of them belongs in tests/integration.

The guard fails the test's own thread only: a thread left running by an integration test that
ran earlier in this process (a CQC import read in the background) keeps its database.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import sqlalchemy
import sqlalchemy.engine.create
from sqlalchemy.engine import Engine

import qa_app

MOVE = "belongs in tests/integration: the unit tier has no database and no app"

#: (owner, attribute) of every way in that the guard closes.
WAYS_IN: list[tuple[Any, str]] = [
    (sqlalchemy, "create_engine"),
    (sqlalchemy.engine, "create_engine"),
    (sqlalchemy.engine.create, "create_engine"),  # what engine_from_config (Flask-SQLAlchemy) calls
    (Engine, "connect"),
    (Engine, "raw_connection"),
    (sqlite3, "connect"),
    (sqlite3.dbapi2, "connect"),  # what SQLAlchemy's sqlite dialect calls
    (psycopg, "connect"),
    (psycopg.Connection, "connect"),
    (qa_app, "create_app"),
]


def _name(owner: Any, attribute: str) -> str:
    """'sqlite3.dbapi2.connect', 'sqlalchemy.engine.base.Engine.connect'."""
    if isinstance(owner, type):
        return f"{owner.__module__}.{owner.__name__}.{attribute}"
    return f"{owner.__name__}.{attribute}"


def _refused(what: str, original: Callable[..., Any], test_thread: int) -> Callable[..., Any]:
    def guard(*args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() != test_thread:
            return original(*args, **kwargs)
        # pytest.fail raises outside Exception, so code under test cannot swallow it
        pytest.fail(f"This test called {what}: it {MOVE}.", pytrace=True)

    return guard


@pytest.fixture(autouse=True)
def _no_database(monkeypatch):
    test_thread = threading.get_ident()
    for owner, attribute in WAYS_IN:
        original = getattr(owner, attribute)  # a method as a function, a classmethod bound
        monkeypatch.setattr(
            owner, attribute, _refused(_name(owner, attribute), original, test_thread)
        )


def _fixture_refused(name: str):
    @pytest.fixture(name=name)
    def refused():
        pytest.fail(f"This test uses the `{name}` fixture: it {MOVE}.", pytrace=False)

    return refused


# The shared fixtures (tests/conftest.py) that build the app or open the database.
database_url = _fixture_refused("database_url")
app = _fixture_refused("app")
db_session = _fixture_refused("db_session")
ctx = _fixture_refused("ctx")
client = _fixture_refused("client")
make = _fixture_refused("make")
