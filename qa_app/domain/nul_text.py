"""NUL characters (U+0000) are refused in every piece of text that comes in: no person types one,
PostgreSQL cannot store one, and SQLite would keep it silently. One rule, one message, for the
API (a 422 naming the field) and the pages (the error summary naming the field)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

NUL = "\x00"
NUL_MESSAGE = "must not contain a NUL character (U+0000)"


def nul_places(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where a decoded JSON value holds a NUL character: each place as a path of keys and
    list positions (a NUL in a key is reported at that key)."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                yield (*path, key)
            else:
                yield from nul_places(item, (*path, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from nul_places(item, (*path, index))


def nul_fields(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The names (in order, once each) of the form fields or query parameters, given as
    (name, value) pairs, whose name or value holds a NUL character."""
    found: list[str] = []
    for name, value in pairs:
        if (NUL in name or NUL in value) and name not in found:
            found.append(name)
    return found


def field_label(name: str) -> str:
    """A posted field's name as words: 'contract_officer_id' -> 'Contract officer id'."""
    words = name.replace(NUL, "\\0").replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) or "A field with no name"


def place_name(path: tuple[str | int, ...]) -> str:
    """A place in a JSON body as the API's error details name it: 'standard_set.key', 'sources.0'."""
    return ".".join(str(part).replace(NUL, "\\0") for part in path)
