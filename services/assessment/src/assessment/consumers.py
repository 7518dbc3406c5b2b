"""Events the assessment service consumes from ``continuum.referral``: a front-door decision for an
assessment or a strategy discussion opens one, and ``child.*`` keep the local copy of identity."""

from __future__ import annotations

from typing import Any

from assessment import service
from continuum.consumer import Handler, PermanentFailure
from continuum.contracts import REFERRAL_TOPIC, ChildRegistered, ChildUpdated, Envelope, ReferralDecided
from continuum.policy import CouncilPolicy
from continuum.uow import UnitOfWork

INTAKE_CONSUMER = "assessment.intake"
INTAKE_TOPICS = (REFERRAL_TOPIC,)


def make_intake_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    async def on_referral_decided(uow: UnitOfWork, event: Envelope[Any]) -> None:
        data: ReferralDecided = event.data
        if policy.team(data.team) is None:
            raise PermanentFailure("referral.decided names a team the council policy does not know")
        await service.open_from_decision(uow, data, policy)

    async def on_child(uow: UnitOfWork, event: Envelope[Any]) -> None:
        data: ChildRegistered | ChildUpdated = event.data
        await service.copy_child(uow, data, policy)

    return {
        ReferralDecided.event_type: on_referral_decided,
        ChildRegistered.event_type: on_child,
        ChildUpdated.event_type: on_child,
    }
