"""What is asked of the insight service: one frozen dataclass per question the API asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any


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
class ReadAnnexA:
    """Ofsted's Annex A list ``number`` as at ``as_at`` (default: today), as a CSV or XLSX file."""

    number: int
    file_format: str
    as_at: date | None = None


@dataclass(frozen=True)
class StaffMember:
    """One member of staff as the council's identity provider knows them."""

    sub: str
    name: str
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadStaff:
    """A directory export of the council's identity provider: every member given is recorded."""

    staff: tuple[StaffMember, ...]


@dataclass(frozen=True)
class ReadMeasures:
    """The measures of ``date_from`` to ``date_to``, or of a named ``period`` (not both), of
    ``team`` (default: the caller's teams; every team for those who see every team)."""

    date_from: date | None = None
    date_to: date | None = None
    period: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class ReplayEvents:
    """Events of the services' histories (``GET /v1/history``), as their envelopes, to hand to the
    read model's consumer as if the broker had delivered them (a rebuild, decision 53)."""

    events: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ReadWorklists:
    """The worklists of ``team`` (default: the caller's teams; every team for those who see every team)."""

    team: str | None = None
