"""What a new password must be, as the NCSC advises: long enough, not on a list of common or
breached passwords (nor a small change to one), and no composition rules.

The lists are zxcvbn's (a maintained port of Dropbox's estimator): its 30,000 most common
passwords from breach corpora, English words, names and keyboard patterns, with the usual
changes people make to them (capitals, digits and symbols added, letters swapped for digits). A
password whose easiest reading needs fewer than 10^8 guesses is refused (zxcvbn's score below
3): `password123`, `qwertyuiop`, `1234567890`, `Password1!`, `P@ssw0rd1234`. A few unrelated
words pass easily.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

from qa_app.domain.limits import PASSWORD

MIN_LENGTH = 12
MAX_LENGTH = PASSWORD.chars
# zxcvbn's work grows steeply with length and with look-alike characters (`@`, `1`, `|`, `7` …):
# a hostile 64-character password kept it busy for seconds. So it reads the first 20 characters,
# as long as the longest entry on its list of passwords: a common password, with a few characters
# added, is still seen whole, and a longer password is judged by how it starts.
CHECKED_LENGTH = 20
MIN_SCORE = 3  # zxcvbn: 3 = at least 10^8 guesses ("safely unguessable" online)

HINT = (
    f"At least {MIN_LENGTH} characters. A few unrelated words make a strong password. "
    "Common passwords, and small changes to them, are not accepted."
)
TOO_SHORT = f"Password must be {MIN_LENGTH} characters or more"
TOO_LONG = PASSWORD.message
IS_EMAIL = "Password must not be your email address"
TOO_COMMON = (
    "Password is too easy to guess: it is a common password or close to one. "
    "Try three or four unrelated words"
)


def _personal_words(email: str, name: str) -> list[str]:
    """The person's email and name, whole and in parts: a password made of them is guessable."""
    email, name = email.strip().lower(), name.strip().lower()
    local = email.partition("@")[0]
    words = [email, name, local, re.sub(r"[^a-z0-9]+", "", local), re.sub(r"\s+", "", name)]
    words += re.split(r"[^a-z0-9]+", f"{email} {name}")
    return [word for word in words if len(word) >= 3]


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a new password is not acceptable, or None. Length counts characters, spaces too."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if email and password.strip().lower() == email.strip().lower():
        return IS_EMAIL
    if too_easy_to_guess(password, email, name):
        return TOO_COMMON
    return None


def too_easy_to_guess(password: str, email: str = "", name: str = "") -> bool:
    """On zxcvbn's lists (common and breached passwords, words, names, keyboard patterns) or a
    small change to an entry, or made of the person's own email address or name."""
    estimate = zxcvbn(password[:CHECKED_LENGTH], user_inputs=_personal_words(email, name))
    return estimate["score"] < MIN_SCORE
