"""What is asked of the insight service: one frozen dataclass per question the API asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class ReadChronology:
    child_id: uuid.UUID
    cursor: str | None = None
    limit: int = 50
