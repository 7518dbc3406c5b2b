"""What the read model keeps of each case event: one record per event, general enough for every
later reader (the chronology now; the census, Annex A, the measures and a rebuild later).

Pure: an envelope of any case event in, a :class:`CaseEvent` out. Every event type of the case
topics is taken as the contracts define it (``continuum.contracts.CATALOGUE``); the partner-status
topic is for partners, not a case's history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from continuum.contracts import ASSESSMENT_TOPIC, CATALOGUE, PLAN_TOPIC, REFERRAL_TOPIC, STEPDOWN_TOPIC, Envelope

#: The case topics the read model consumes, and the service that publishes each.
SERVICE_OF_TOPIC: dict[str, str] = {
    REFERRAL_TOPIC: "referral",
    ASSESSMENT_TOPIC: "assessment",
    PLAN_TOPIC: "plan",
    STEPDOWN_TOPIC: "stepdown",
}
CASE_TOPICS: tuple[str, ...] = tuple(SERVICE_OF_TOPIC)
#: The read model's consumer: its group on the broker and its name in the inbox, whether an event
#: comes from the broker or from a rebuild's replay (decision 53).
READ_MODEL_CONSUMER = "insight.read-model"
#: Every event type the contracts define on a case topic: the read model takes them all.
CASE_EVENT_TYPES: tuple[str, ...] = tuple(t for t, cls in CATALOGUE.items() if cls.topic in CASE_TOPICS)
#: The fields of an event that name a team that holds (or receives) the child's case: the case's
#: team, the team it was reassigned from, and the early help team a handover goes to.
TEAM_FIELDS: tuple[str, ...] = ("team", "previous_team", "receiving_team")


@dataclass(frozen=True)
class CaseEvent:
    """One event as the read model keeps it. ``case_id`` and ``child_id`` are ``None`` when the
    event does not name them (a child's identity names no case; a request for information names no
    child: its case does); ``team`` is the case's team when the event names one."""

    id: uuid.UUID
    topic: str
    event_type: str
    schema_version: int
    case_id: uuid.UUID | None
    child_id: uuid.UUID | None
    team: str | None
    occurred_at: datetime
    data: dict[str, Any]

    @property
    def service(self) -> str:
        return SERVICE_OF_TOPIC[self.topic]

    @property
    def teams(self) -> frozenset[str]:
        """Every team the event names as holding or receiving the child's case."""
        return frozenset(t for f in TEAM_FIELDS if isinstance(t := self.data.get(f), str) and t)


def case_event(event: Envelope[Any]) -> CaseEvent:
    """The record of ``event`` (an envelope ``continuum.contracts.parse_event`` accepted)."""
    data = event.data.model_dump(mode="json")
    case_id, child_id, team = data.get("case_id"), data.get("child_id"), data.get("team")
    return CaseEvent(
        id=event.id,
        topic=type(event.data).topic,
        event_type=event.type,
        schema_version=type(event.data).schema_version,
        case_id=uuid.UUID(case_id) if case_id else None,
        child_id=uuid.UUID(child_id) if child_id else None,
        team=team if isinstance(team, str) else None,
        occurred_at=event.time,
        data=data,
    )
