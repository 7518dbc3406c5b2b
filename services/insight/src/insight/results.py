"""What the use cases answer that is more than a domain record: a page of a child's chronology
with the local copy of the child; what a rebuild's replay came to."""

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


@dataclass(frozen=True)
class Replayed:
    """What a batch came to: events received, recorded new, already recorded (duplicates), not
    the read model's (skipped: the partner-status topic, a type no contract knows yet) and refused
    by the read model's rules (what the broker's consumer would dead-letter)."""

    received: int
    recorded: int
    duplicates: int
    skipped: int
    refused: int
