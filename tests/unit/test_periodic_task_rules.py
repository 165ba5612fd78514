"""The rules behind the Background jobs page's periodic tasks and Send again on Emails sent."""

from datetime import UTC, datetime, timedelta

import pytest

from qa_app.domain import emails
from qa_app.domain import periodic_tasks as rules
from qa_app.domain.periodic_tasks import Outcomes

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)


def test_an_error_is_kept_short_its_type_and_first_line():
    sql_error = "(sqlite3.OperationalError) database is locked\n[SQL: SELECT 1]\n(Background …)"
    assert rules.short_error("OperationalError", sql_error) == (
        "OperationalError: (sqlite3.OperationalError) database is locked"
    )
    assert rules.short_error("TimeoutError", "") == "TimeoutError"
    long = rules.short_error("ValueError", "x" * 1000)
    assert len(long) == rules.ERROR_CHARS and long.endswith("…")


@pytest.mark.parametrize(
    ("every", "words"),
    [
        (timedelta(seconds=15), "every 15 seconds"),
        (timedelta(minutes=5), "every 5 minutes"),
        (timedelta(minutes=1), "every minute"),
        (timedelta(hours=2), "every 2 hours"),
        (timedelta(days=1), "every day"),
        (timedelta(seconds=90), "every 90 seconds"),
    ],
)
def test_how_often_a_task_runs_in_words(every, words):
    assert rules.every_words(every) == words


def test_a_task_is_working_failing_late_or_not_run():
    late = rules.late_after(QUARTER)  # 40 minutes for a task run every 15
    assert late == timedelta(minutes=40)
    assert rules.state(Outcomes(), QUARTER, NOW) == rules.NOT_RUN
    assert rules.state(Outcomes(NOW - late), QUARTER, NOW) == rules.WORKING
    assert rules.state(Outcomes(NOW - late - timedelta(seconds=1)), QUARTER, NOW) == rules.LATE
    # a failure counts as a run: a worker is running it, and it fails
    failing = Outcomes(NOW - timedelta(days=2), NOW - timedelta(days=1), NOW - timedelta(days=2))
    assert rules.state(failing, QUARTER, NOW) == rules.FAILING
    # failing, then the worker stopped: still failing (that is what it last did)
    assert rules.state(failing, QUARTER, NOW + timedelta(days=30)) == rules.FAILING
    # working again after a failure: the failure is history
    recovered = Outcomes(NOW, NOW - timedelta(minutes=1), None)
    assert rules.state(recovered, QUARTER, NOW) == rules.WORKING


def test_only_a_failed_email_without_a_secret_link_to_an_active_account_is_sent_again():
    published = emails.KINDS["assessment_published"]
    assert emails.send_again_refusal(published, emails.FAILED) is None
    for status in (emails.PENDING, emails.SENDING, emails.SENT, emails.HELD, emails.DIGESTED):
        assert emails.send_again_refusal(published, status) == emails.NO_LONGER_FAILED
    invitation = emails.send_again_refusal(emails.KINDS["invitation"], emails.FAILED)
    assert invitation is not None and "new invitation" in invitation
    reset = emails.send_again_refusal(emails.KINDS["password_reset"], emails.FAILED)
    assert reset is not None and "Forgot your password" in reset
    assert "deactivated" in (emails.send_again_refusal(published, emails.FAILED, False) or "")
    assert emails.send_again_refusal(None, emails.FAILED) is not None
