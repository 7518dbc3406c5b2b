"""Keyset cursors for lists ordered by (a sort key, the row id): opaque to clients, stable under
inserts, and refused with a 422 naming ``cursor`` when they were not given out by the API."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from continuum.errors import invalid
from continuum.limits import EARLIEST_YEAR, LATEST_YEAR

K = TypeVar("K", bound=date)  # a date or a datetime: what the lists here are ordered by


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
