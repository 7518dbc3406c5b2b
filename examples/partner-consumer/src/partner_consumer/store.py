"""The agency's local copy: each child's current status by NHS number, in one SQLite file.

An event is applied in one SQLite transaction with the record of its id, so a redelivered event (the
same id, after a restart or a broker's retry) changes nothing; a status older than the one held
(an earlier ``since``, or the same day and an earlier envelope time) is recorded as seen and ignored.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum
from pathlib import Path
from typing import Any

from partner_consumer.validation import StatusEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS current_status (
    nhs_number TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    since TEXT NOT NULL,
    date_of_birth TEXT,
    responsible_service TEXT NOT NULL,
    contact TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_event (
    event_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL
);
"""


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    OLDER = "older"


class StatusStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def apply(self, event: StatusEvent) -> Outcome:
        """Keep ``event`` if it is new and not older than the status held; say what was done."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM seen_event WHERE event_id = ?", (event.event_id,)).fetchone():
                db.execute("ROLLBACK")
                return Outcome.DUPLICATE
            held = db.execute("SELECT since, event_time FROM current_status WHERE nhs_number = ?", (event.nhs_number,)).fetchone()
            older = held is not None and (event.since, event.time) < (held["since"], held["event_time"])
            outcome = Outcome.OLDER if older else Outcome.STORED
            if not older:
                db.execute(
                    "INSERT INTO current_status VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (nhs_number) DO UPDATE SET "
                    "status = excluded.status, since = excluded.since, date_of_birth = excluded.date_of_birth, "
                    "responsible_service = excluded.responsible_service, contact = excluded.contact, "
                    "event_id = excluded.event_id, event_time = excluded.event_time",
                    (
                        event.nhs_number,
                        event.status,
                        event.since,
                        event.date_of_birth,
                        event.responsible_service,
                        event.contact,
                        event.event_id,
                        event.time,
                    ),
                )
            db.execute("INSERT INTO seen_event VALUES (?, ?)", (event.event_id, outcome.value))
            db.execute("COMMIT")
            return outcome
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def current(self, nhs_number: str) -> dict[str, Any] | None:
        """The status held for ``nhs_number``, or ``None``."""
        row = self._db.execute("SELECT * FROM current_status WHERE nhs_number = ?", (nhs_number,)).fetchone()
        return dict(row) if row else None
