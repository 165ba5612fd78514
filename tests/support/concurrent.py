"""Several workers started at the same moment (as on several machines sharing one database):
each in a thread of its own with its own app context and session, released together by a
barrier. Waits for each (up to two minutes) and gives back what each returned and, as text,
what each raised, so that an error in a thread fails the test instead of being lost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(app, count: int, work: Callable[[], Any]) -> tuple[list[Any], list[str]]:
    from qa_app.extensions import db

    start = threading.Barrier(count)
    results: list[Any] = []
    failures: list[str] = []

    def run() -> None:
        with app.app_context():
            try:
                start.wait()
                results.append(work())
            except BaseException as error:  # reported to the test, not lost in the thread
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, name=f"w{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, failures
