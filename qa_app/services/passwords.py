"""Password hashing (Argon2id). The rules a new password must meet are pure:
`qa_app.domain.passwords`."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from qa_app.domain.passwords import password_problem

__all__ = ["hash_password", "password_problem", "verify_password"]

_hasher = PasswordHasher()

# A dummy hash, so that checking an unknown email costs the same time as a real one.
_DUMMY = _hasher.hash("not-a-real-password-0000")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
