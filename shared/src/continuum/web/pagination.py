"""Keyset cursors for lists ordered by (a sort key, the row id): opaque to clients, stable under
inserts, and refused with a 422 naming ``cursor`` when they were not given out by the API."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from continuum.web.errors import invalid
from continuum.web.limits import EARLIEST_YEAR, LATEST_YEAR

K = TypeVar("K", bound=date)  # a date or a datetime: what the lists here are ordered by
T = TypeVar("T")  # a page's item
R = TypeVar("R")  # a row a page is made from


def encode_cursor(position: date, row_id: uuid.UUID) -> str:
    """The cursor of the page after the row at ``position`` with ``row_id``."""
    return base64.urlsafe_b64encode(f"{position.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str, parse: Callable[[str], K]) -> tuple[K, uuid.UUID]:
    """Read a cursor back: ``parse`` is ``date.fromisoformat`` or ``datetime.fromisoformat``."""
    try:
        position, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        parsed = parse(position)
        # Every position the API gives out is in these years; outside them (year 1 at +14:00) the
        # database driver overflows converting it to UTC.
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise ValueError(position)
        return parsed, uuid.UUID(row_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("cursor", "is not a cursor this API gave out") from exc


class Page(BaseModel, Generic[T]):
    """One page of a keyset-paginated list: the items, and the cursor of the next page (``None``
    on the last). Every list of the API answers this shape."""

    items: list[T] = Field(description="This page's items, in the list's order")
    next_cursor: str | None = Field(description="Send as `cursor` for the next page; null on the last page")


def page_of(rows: Sequence[R], limit: int, *, item: Callable[[R], T], position: Callable[[R], tuple[date, uuid.UUID]]) -> Page[T]:
    """A page from ``rows`` fetched with ``LIMIT limit + 1``: the extra row only says there is more."""
    shown, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(*position(shown[-1])) if more and shown else None
    return Page[T](items=[item(r) for r in shown], next_cursor=next_cursor)
