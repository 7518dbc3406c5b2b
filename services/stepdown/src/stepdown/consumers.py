"""Events the step-down service consumes: ``referral.decided`` (early help at the front door, and
every new referral, for re-referrals after a step-down), ``assessment.authorised`` (NFA or early
help after assessment, or the facts a plan's end waits for), ``plan.ended`` (step down or close),
and ``child.*`` for the local copy of identity (the partner status needs it)."""

from __future__ import annotations

from typing import Any

from continuum.consumer import Handler, PermanentFailure
from continuum.contracts import (
    ASSESSMENT_TOPIC,
    PLAN_TOPIC,
    REFERRAL_TOPIC,
    ChildRegistered,
    ChildUpdated,
    Envelope,
    ReferralDecided,
)
from continuum.contracts.assessment import AssessmentAuthorised
from continuum.contracts.plan import PlanEnded
from continuum.policy import CouncilPolicy
from continuum.uow import Transaction
from stepdown.use_cases import intake

TRANSITIONS_CONSUMER = "stepdown.transitions"
TRANSITIONS_TOPICS = (REFERRAL_TOPIC, ASSESSMENT_TOPIC, PLAN_TOPIC)


def _check_team(team: str, policy: CouncilPolicy, event_type: str) -> None:
    if policy.team(team) is None:
        raise PermanentFailure(f"{event_type} names a team the council policy does not know")


def make_handlers(policy: CouncilPolicy, *, receiving_team: str) -> dict[str, Handler]:
    async def on_referral_decided(tx: Transaction, event: Envelope[Any]) -> None:
        decision: ReferralDecided = event.data
        _check_team(decision.team, policy, event.type)
        await intake.receive_referral_decided(tx, decision=decision, policy=policy, receiving_team=receiving_team)

    async def on_assessment_authorised(tx: Transaction, event: Envelope[Any]) -> None:
        authorised: AssessmentAuthorised = event.data
        _check_team(authorised.team, policy, event.type)
        await intake.receive_assessment_authorised(tx, authorised=authorised, policy=policy, receiving_team=receiving_team)

    async def on_plan_ended(tx: Transaction, event: Envelope[Any]) -> None:
        ended: PlanEnded = event.data
        _check_team(ended.team, policy, event.type)
        await intake.receive_plan_ended(tx, ended=ended, policy=policy, receiving_team=receiving_team)

    async def on_child(tx: Transaction, event: Envelope[Any]) -> None:
        await intake.receive_child(tx, child=event.data, policy=policy)

    return {
        ReferralDecided.event_type: on_referral_decided,
        AssessmentAuthorised.event_type: on_assessment_authorised,
        PlanEnded.event_type: on_plan_ended,
        ChildRegistered.event_type: on_child,
        ChildUpdated.event_type: on_child,
    }
