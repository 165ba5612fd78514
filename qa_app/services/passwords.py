"""Password hashing (Argon2id) and the rules a new password must meet."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 10
# A dummy hash, so that checking an unknown email costs the same time as a real one.
_DUMMY = _hasher.hash("not-a-real-password-0000")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    if email and password.strip().lower() == email.strip().lower():
        return "Password must not be your email address"
    if len(set(password)) < 4:
        return "Password is too easy to guess: use a mix of words, numbers or symbols"
    return None
