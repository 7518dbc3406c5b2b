"""Events the assessment service consumes from ``continuum.referral``: a front-door decision for an
assessment or a strategy discussion opens one (a correction moves or withdraws it), and
``child.*`` keep the local copy of identity."""

from __future__ import annotations

from typing import Any

from assessment.use_cases import intake
from continuum.consumer import Handler, PermanentFailure
from continuum.contracts import REFERRAL_TOPIC, ChildRegistered, ChildUpdated, Envelope, ReferralDecided
from continuum.policy import CouncilPolicy
from continuum.uow import Transaction

INTAKE_CONSUMER = "assessment.intake"
INTAKE_TOPICS = (REFERRAL_TOPIC,)


def make_intake_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    async def on_referral_decided(tx: Transaction, event: Envelope[Any]) -> None:
        decision: ReferralDecided = event.data
        if policy.team(decision.team) is None:
            raise PermanentFailure("referral.decided names a team the council policy does not know")
        await intake.receive_decision(tx, decision=decision, policy=policy)

    async def on_child(tx: Transaction, event: Envelope[Any]) -> None:
        child: ChildRegistered | ChildUpdated = event.data
        await intake.receive_child(tx, child=child, policy=policy)

    return {
        ReferralDecided.event_type: on_referral_decided,
        ChildRegistered.event_type: on_child,
        ChildUpdated.event_type: on_child,
    }
