"""A child's chronology: each event of the child's episodes as one entry in plain words."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from insight.domain.events import CaseEvent
from insight.domain.words import plain_words


@dataclass(frozen=True)
class Entry:
    """One line of a chronology: what happened, in plain words, when, where and of which case."""

    event_id: uuid.UUID
    occurred_at: datetime
    words: str
    event_type: str
    service: str
    case_id: uuid.UUID | None
    team: str | None


def entry(event: CaseEvent) -> Entry:
    return Entry(
        event_id=event.id,
        occurred_at=event.occurred_at,
        words=plain_words(event.event_type, event.data),
        event_type=event.event_type,
        service=event.service,
        case_id=event.case_id,
        team=event.team,
    )
