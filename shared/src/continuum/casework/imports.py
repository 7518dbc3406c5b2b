"""An imported record of a council's history (decision 59): its derived ids, the real instant its
events carry, and how an import of it went.

Every imported record's id is a uuid5 of the council's LA code, its kind and its key, so the same
record imported again has the same id (and its events the same ids): a repeat changes nothing. A
fact happened on a day; its event's time is that day at noon in London, a second later for each
fact after it that day, so the read model files it in its real quarter and keeps a day's facts in
order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from continuum.casework.clock import LONDON

#: Why every row an import writes is audited (the audit log's ``purpose``), in every service.
IMPORT_PURPOSE = "history import"

#: The namespace of imported records' ids (fixed: a changed one would make every repeat a new record).
IMPORT_NAMESPACE = uuid.UUID("5b0d8f4e-3c55-4c3a-9a43-2f1b7a7d0a59")


def record_id(la: str, kind: str, *key: object) -> uuid.UUID:
    """The id of the council ``la``'s imported record of ``kind`` keyed ``key`` (e.g. ``("child",
    la_child_id)``, ``("episode", la_child_id, referral_date)``)."""
    return uuid.uuid5(IMPORT_NAMESPACE, "/".join([la, kind, *(str(part) for part in key)]))


def event_id(record: uuid.UUID, event_type: str, *key: object) -> uuid.UUID:
    """The id of the event ``event_type`` an imported record's fact makes (``key`` tells apart two
    facts of one type, e.g. a plan's reviews by their dates)."""
    return uuid.uuid5(record, "/".join([event_type, *(str(part) for part in key)]))


def instant_on(day: date, order: int = 0) -> datetime:
    """The instant an imported fact of ``day`` is filed at: noon in London, plus ``order`` seconds."""
    return datetime.combine(day, time(12), tzinfo=LONDON).astimezone(UTC) + timedelta(seconds=order)


@dataclass(frozen=True)
class Imported:
    """What an imported record's event carries besides its data: its real instant, its derived id
    and the file the record came from."""

    at: datetime
    event_id: uuid.UUID
    source: str


class ImportOutcome(StrEnum):
    """What importing a record did: new, added to (a later return's closure, review or end), or
    nothing (the same values again)."""

    IMPORTED = "imported"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def child_key(la: str, la_child_id: str) -> uuid.UUID:
    """An imported child's id (every service derives the same)."""
    return record_id(la, "child", la_child_id)


def episode_key(la: str, la_child_id: str, referral_date: date) -> uuid.UUID:
    """An imported episode's (case's) id: the child's and its referral date."""
    return record_id(la, "episode", la_child_id, referral_date.isoformat())


def module_key(la: str, kind: str, la_child_id: str, referral_date: date, start: date) -> uuid.UUID:
    """An imported module's id (``kind``: referral, assessment, section47, cin_plan, cp_plan,
    preproceedings, closure): its episode's and its start."""
    return record_id(la, kind, la_child_id, referral_date.isoformat(), start.isoformat())
