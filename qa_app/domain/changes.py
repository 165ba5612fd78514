"""Before/after of the fields a change touched, as the audit trail records them."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def created(values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [None, value]} for a record that did not exist before (each field kept, in
    order, None included)."""
    return {name: [None, jsonable(value)] for name, value in values.items()}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs (missing counts as None)."""
    changed: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changed[name] = [jsonable(old), jsonable(new)]
    return changed
