"""What is asked of the insight service: one frozen dataclass per question the API asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReadChronology:
    child_id: uuid.UUID
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ReadCensus:
    """The CIN census of the collection year ending 31 March ``year``, as at ``as_at`` (default: today)."""

    year: int
    as_at: date | None = None


@dataclass(frozen=True)
class ReadMeasures:
    """The measures of ``date_from`` to ``date_to``, or of a named ``period`` (not both), of
    ``team`` (default: the caller's teams; every team for those who see every team)."""

    date_from: date | None = None
    date_to: date | None = None
    period: str | None = None
    team: str | None = None
