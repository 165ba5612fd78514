"""What a new password must be (qa_app.domain.passwords): NCSC's advice, with zxcvbn's lists."""

import pytest
from zxcvbn import zxcvbn

from qa_app.domain.passwords import (
    IS_EMAIL,
    MAX_LENGTH,
    MIN_LENGTH,
    TOO_COMMON,
    TOO_LONG,
    TOO_SHORT,
    password_problem,
    too_easy_to_guess,
)


@pytest.mark.parametrize(
    "password",
    [
        "password123",  # the issue's examples, accepted before
        "qwertyuiop",
        "1234567890",
        "Password1!",
    ],
)
def test_the_issues_examples_are_refused_and_are_on_the_list_whatever_their_length(password):
    assert password_problem(password) is not None
    assert too_easy_to_guess(password)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "qwertyuiop123",
        "123456789012",
        "Password123!",
        "P@ssw0rd1234",
        "iloveyou2024!",
        "aaaaaaaaaaaa",
        "abcdefghijkl",
        "monkey123456",
        "letmein12345",
    ],
)
def test_common_passwords_and_small_changes_to_them_are_refused(password):
    assert len(password) >= MIN_LENGTH
    assert password_problem(password) == TOO_COMMON


@pytest.mark.parametrize(
    "password",
    [
        "purple tractor lemon hedgehog",  # a four-word passphrase
        "coffeetrainfish",  # the NCSC's own example of three random words
        "correct horse battery",
        "demo-password-2026",  # the demo council's password
        "plum orchard lantern",
        "zebra crossing at dawn",
        "ALLCAPSNOSPACESOK horse",  # no composition rules: capitals, no digits, fine
        "ñandú pingüino café",  # any characters count
    ],
)
def test_a_few_unrelated_words_pass_with_no_composition_rules(password):
    assert password_problem(password, "sam.taylor@council.test", "Sam Taylor") is None


def test_length_is_counted_in_characters_spaces_included():
    assert password_problem("x" * (MIN_LENGTH - 1)) == TOO_SHORT
    assert password_problem("a b c d e f") == TOO_SHORT  # 11 characters
    assert password_problem("") == TOO_SHORT
    assert password_problem("gravel tundra orbit " * 10) is None  # 200 characters
    assert password_problem("q" * (MAX_LENGTH + 1)) == TOO_LONG


def test_the_persons_own_email_and_name_are_refused():
    email = "jordan.reid@northshire.gov.uk"
    assert password_problem(email, email) == IS_EMAIL
    assert password_problem("JORDAN.REID@northshire.gov.uk ", email) == IS_EMAIL
    assert password_problem("jordanreid2026", email, "Jordan Reid") == TOO_COMMON
    assert password_problem("northshire2026", email, "Jordan Reid") == TOO_COMMON
    # The same password is fine for someone else.
    assert password_problem("jordanreid2026", "sam@council.test", "Sam Taylor") is None


def test_only_the_first_20_characters_are_judged_so_no_password_keeps_the_server_busy(
    monkeypatch,
):
    """zxcvbn's work grows steeply with length and look-alike characters; it sees at most 20."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    import qa_app.domain.passwords as rules

    assert max(map(len, FREQUENCY_LISTS["passwords"])) <= rules.CHECKED_LENGTH
    seen = []

    def spy(password, **kwargs):
        seen.append(password)
        return zxcvbn(password, **kwargs)

    monkeypatch.setattr(rules, "zxcvbn", spy)
    hostile = ("2%+5$07|!19&63<[{(8@4" * 10)[:MAX_LENGTH]
    assert password_problem(hostile) is None
    assert seen == [hostile[:20]]
    # A common password with more after it is still seen, and refused.
    assert password_problem("Password1!Password1!" + "x7Qm") == TOO_COMMON
    assert password_problem("iloveyou" * 3) == TOO_COMMON
