"""The read model's consumer: every event of the case topics (referral, assessment, plan,
step-down; not the partner-status topic), each event type of the contracts, through the kernel's
idempotent consumer (its inbox, retries, and dead letters for what breaks its contract or names a
team the council does not have)."""

from __future__ import annotations

from typing import Any

from continuum.casework.policy import CouncilPolicy
from continuum.contracts import Envelope
from continuum.messaging.consumer import Handler, PermanentFailure
from continuum.persistence.uow import Transaction
from insight import domain
from insight.use_cases import intake

READ_MODEL_CONSUMER = domain.READ_MODEL_CONSUMER
READ_MODEL_TOPICS = domain.CASE_TOPICS


def make_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    async def on_event(tx: Transaction, event: Envelope[Any]) -> None:
        unknown = sorted(t for t in domain.case_event(event).teams if policy.team(t) is None)
        if unknown:
            raise PermanentFailure(f"{event.type} names a team the council policy does not know")
        await intake.record(tx, event)

    return dict.fromkeys(domain.CASE_EVENT_TYPES, on_event)
