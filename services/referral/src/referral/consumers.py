"""Events the referral service consumes: a step-up from early help becomes a new referral."""

from __future__ import annotations

from typing import Any

from continuum import clock
from continuum.codes import ReferralSource
from continuum.consumer import Handler, PermanentFailure
from continuum.contracts import Envelope, StepUpRequested, ThresholdLevel
from continuum.policy import CouncilPolicy
from continuum.uow import Transaction
from referral import repository
from referral.domain import LawfulBasis
from referral.schemas import ReferralIn, Referrer
from referral.use_cases.intake import open_referral

STEPUP_CONSUMER = "referral.stepup"


def make_stepup_handler(policy: CouncilPolicy) -> Handler:
    async def on_stepup_requested(tx: Transaction, event: Envelope[Any]) -> None:
        """Early help steps a family up: a new referral, source 5D, linked to the early-help episode."""
        data: StepUpRequested = event.data
        if await repository.known_child(tx, data.child_id) is None:
            raise PermanentFailure("stepup.requested names a child this service has never registered")
        team = data.team if data.team and policy.team(data.team) else policy.front_door_team.id
        # The event's time is the receipt time; a producer's clock a little ahead of ours must not
        # make it "in the future" (the API's rule for people typing a time).
        referral = ReferralIn(
            child_id=data.child_id,
            received_at=min(data.requested_at, clock.now()),
            source=ReferralSource.EARLY_HELP,
            referrer=Referrer(name=data.requested_by, agency="Early help"),
            concerns=data.reason,
            lawful_basis=LawfulBasis.SAFEGUARDING_CHILDREN,
            suggested_threshold=ThresholdLevel.CHILD_IN_NEED,
            team=team,
        )
        await open_referral(tx, referral, policy, stepped_up_from=data.early_help_episode_id)

    return on_stepup_requested
