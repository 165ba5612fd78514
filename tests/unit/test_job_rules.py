"""When a failed background job is tried again, and when it is given up (domain/jobs.py)."""

from datetime import timedelta

from qa_app.domain.jobs import BACKOFF_CAP, ERROR_CHARS, MAX_ATTEMPTS, backoff, error_text, gives_up


def test_the_wait_doubles_from_thirty_seconds_up_to_an_hour():
    assert [backoff(n) for n in range(0, 5)] == [
        timedelta(0),
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert backoff(7) == timedelta(minutes=32)
    assert backoff(8) == BACKOFF_CAP == timedelta(hours=1)
    assert backoff(10_000) == BACKOFF_CAP  # no overflow however many tries


def test_a_job_is_given_up_after_its_last_attempt():
    assert not gives_up(MAX_ATTEMPTS - 1)
    assert gives_up(MAX_ATTEMPTS)
    assert gives_up(1, max_attempts=1)


def test_a_long_error_keeps_its_end_where_the_cause_is():
    assert error_text("ValueError", "bad") == "ValueError: bad"
    assert error_text("SystemError", "") == "SystemError"
    long = error_text("OSError", "x" * 5000 + " disc full")
    assert len(long) == ERROR_CHARS and long.startswith("…") and long.endswith("disc full")
