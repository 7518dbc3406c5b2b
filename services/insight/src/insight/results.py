"""What the use cases answer that is more than a domain record: a page of a child's chronology
with the local copy of the child."""

from __future__ import annotations

from dataclasses import dataclass

from insight.domain import Entry
from insight.tables import Child


@dataclass(frozen=True)
class Chronology:
    """One page of a child's chronology, with the local copy of the child (``None``: not known yet)."""

    child: Child | None
    entries: list[Entry]
    next_cursor: str | None
