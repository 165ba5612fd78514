"""Small rules of wording shared by pages, letters and the command line."""


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 service', '2 services', '12,000 rows'; `plural` for irregular words."""
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"
