"""What the use cases are asked to do: plain frozen dataclasses that the API builds from its request
models (``schemas.py``) and the consumers from events, so that no use case reads an API model."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from continuum.contracts import DecisionOutcome
from referral.domain import Agency, ChildIdentity, Intake


@dataclass(frozen=True)
class NewChild:
    """A child sent as new. ``confirmed_new``: a person checked, after a possible-match answer,
    that the children with the same name and date of birth are not this one."""

    identity: ChildIdentity
    confirmed_new: bool = False


@dataclass(frozen=True)
class ReceiveReferral:
    """A referral of a registered child (``child_id``) or of a new one (``child``): exactly one."""

    intake: Intake
    child_id: uuid.UUID | None = None
    child: NewChild | None = None


@dataclass(frozen=True)
class UpdateChild:
    """Change the fields in ``changes`` (a field sent as null clears it), at the version read."""

    child_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True)
class Decide:
    """The front door's decision, or, with ``correction_reason``, its correction."""

    referral_id: uuid.UUID
    outcome: DecisionOutcome
    reasons: str
    team: str
    expected_version: int | None = None
    correction_reason: str | None = None


@dataclass(frozen=True)
class RequestInformation:
    referral_id: uuid.UUID
    agency: Agency
    question: str
    due_at: datetime


@dataclass(frozen=True)
class RecordInformation:
    referral_id: uuid.UUID
    request_id: uuid.UUID
    answer: str
