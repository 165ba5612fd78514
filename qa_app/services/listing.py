"""Lists: the filters asked for, the count of what they leave and the page of it to show (two
statements: the count, then the page's rows, read with `page.offset` and `page.size`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from qa_app.domain.pagination import Page, choose_page
from qa_app.extensions import db


def count_rows(query: Select) -> int:
    """How many rows `query` gives (its order dropped: it does not change the count)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def page_of(query: Select, requested: int | None, size: int, clamp: bool = True) -> Page:
    """The page of `query`'s rows asked for (see `choose_page`)."""
    return choose_page(requested, count_rows(query), size, clamp)


def where_given(query: Select, *filters: tuple[Any, Any]) -> Select:
    """`query` narrowed to `column == value` for each (column, value) whose value was given: a
    filter left blank (or None) narrows nothing."""
    for column, value in filters:
        if value:
            query = query.where(column == value)
    return query
