"""What the API and the consumer ask of the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from partners.domain import Decision


@dataclass(frozen=True)
class ReadLog:
    """Which rows of the sharing log: each condition only when given; ``date_from`` and ``date_to``
    are London dates, both included."""

    agency: str | None = None
    decision: Decision | None = None
    nhs_number: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    cursor: str | None = None
    limit: int = 50
