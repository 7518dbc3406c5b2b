"""Events the step-down service publishes on ``continuum.stepdown`` (only those others consume so far)."""

from __future__ import annotations

import uuid
from datetime import datetime

from continuum.contracts.envelope import EventData

STEPDOWN_TOPIC = "continuum.stepdown"


class StepUpRequested(EventData):
    """Early help asks social care to take a family back: it becomes a new referral with source 5D."""

    event_type = "stepup.requested"
    topic = STEPDOWN_TOPIC

    early_help_episode_id: uuid.UUID
    child_id: uuid.UUID
    requested_at: datetime
    requested_by: str
    reason: str
    team: str | None = None
