"""Small rules of wording shared by pages, letters and the command line."""

from datetime import date, datetime

from qa_app.domain.clocks import LONDON


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 service', '2 services', '12,000 rows'; `plural` for irregular words."""
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"


def too_long(what: str, limit: int) -> str:
    """'The summary must be 300 characters or fewer': text is refused, never cut short."""
    return f"{what} must be {limit:,} characters or fewer"


def long_date(value: date) -> str:
    """'8 December 2026', the GOV.UK style, for a date or a moment (taken in Europe/London)."""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date() if value.tzinfo else value.date()
    return f"{value.day} {value:%B %Y}"


def long_datetime(value: datetime) -> str:
    """'8 December 2026 at 3:05pm', in Europe/London time."""
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
