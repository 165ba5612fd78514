"""What a use case can refuse, in terms every channel (page, API, CLI) can present."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class ServiceError(Exception):
    """Base for refusals a user can act on."""

    status = 400

    def __init__(self, message: str, details=None):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ServiceError):
    """Does not exist, or the caller may not see it (they must not learn which)."""

    status = 404


class Forbidden(ServiceError):
    status = 403


class ValidationFailed(ServiceError):
    """Field errors: `details` is {field: message}."""

    status = 422

    def __init__(self, errors: dict[str, str], message: str = "Some details need correcting"):
        super().__init__(message, errors)
        self.errors = errors


class Conflict(ServiceError):
    """Someone else changed the record since the caller read it."""

    status = 409

    def __init__(
        self, message: str, current: dict | None = None, current_version: int | None = None
    ):
        super().__init__(message, {"current": current, "current_version": current_version})
        self.current = current or {}
        self.current_version = current_version


def found(row: T | None, message: str) -> T:
    """The row looked up, or NotFound with `message`: the same for a row the caller may not see
    (the lookup leaves it out) as for one that does not exist."""
    if row is None:
        raise NotFound(message)
    return row
