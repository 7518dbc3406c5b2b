"""The worklists that need a manager's action, as at today: assessments past their due date (45
working days from the referral), plans with a drift finding (a review overdue, visits missed, ...)
and handovers to early help not yet answered. Each is a count and the oldest few, by case id and
team only: the dashboard names no child (a manager opens the case in the case system, where its
record is read and audited as every read is)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

#: How many of the oldest items each worklist shows.
OLDEST = 5


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting: its case and team, since when, and what is waiting."""

    case_id: uuid.UUID
    team: str
    since: date
    what: str


@dataclass(frozen=True)
class Worklist:
    name: str
    count: int
    oldest: list[WorkItem]


@dataclass(frozen=True)
class Worklists:
    as_at: date
    lists: list[Worklist]

    @property
    def items(self) -> list[WorkItem]:
        return [item for worklist in self.lists for item in worklist.oldest]
