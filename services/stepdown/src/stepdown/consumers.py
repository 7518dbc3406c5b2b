"""Events the step-down service consumes: ``referral.received`` (the child has an open episode),
``referral.decided`` (no further action or early help at the front door, corrections, and every new
referral, for re-referrals after a step-down), ``assessment.authorised`` (NFA or early help after
assessment, or the facts a plan's end waits for), ``section47.started``, ``section47.concluded``
and ``plan.started`` (statutory work: census rule 2990), ``plan.ended`` (step down or close), and
``child.*`` for the local copy of identity (the partner status and RC2 need it).

An event of the council's imported history (``envelope.imported``, decision 59) is kept like any
other (the episode's facts, its statutory work, the child's copy), so that a later live transition
of an imported open episode has them, but it starts nothing: no transition, step-down request,
closure or partner status (step-down imports its own closures)."""

from __future__ import annotations

from typing import Any

from continuum.casework.policy import CouncilPolicy
from continuum.contracts import (
    ASSESSMENT_TOPIC,
    PLAN_TOPIC,
    REFERRAL_TOPIC,
    ChildRegistered,
    ChildUpdated,
    Envelope,
    ReferralDecided,
    ReferralReceived,
)
from continuum.contracts.assessment import AssessmentAuthorised, Section47Concluded, Section47Started
from continuum.contracts.plan import PlanEnded, PlanStarted
from continuum.messaging.consumer import Handler, PermanentFailure
from continuum.persistence.uow import Transaction
from stepdown import domain
from stepdown.domain import StatutoryWork
from stepdown.use_cases import intake

TRANSITIONS_CONSUMER = "stepdown.transitions"
TRANSITIONS_TOPICS = (REFERRAL_TOPIC, ASSESSMENT_TOPIC, PLAN_TOPIC)


def _check_team(team: str, policy: CouncilPolicy, event_type: str) -> None:
    if policy.team(team) is None:
        raise PermanentFailure(f"{event_type} names a team the council policy does not know")


def make_handlers(policy: CouncilPolicy, *, receiving_team: str) -> dict[str, Handler]:
    async def on_referral_received(tx: Transaction, event: Envelope[Any]) -> None:
        received: ReferralReceived = event.data
        team = received.team or policy.front_door_team.id
        _check_team(team, policy, event.type)
        await intake.receive_referral_received(tx, received=received, team=team, imported_from=event.importedfrom)

    async def on_referral_decided(tx: Transaction, event: Envelope[Any]) -> None:
        decision: ReferralDecided = event.data
        _check_team(decision.team, policy, event.type)
        await intake.receive_referral_decided(
            tx, decision=decision, policy=policy, receiving_team=receiving_team, imported_from=event.importedfrom
        )

    async def on_assessment_authorised(tx: Transaction, event: Envelope[Any]) -> None:
        authorised: AssessmentAuthorised = event.data
        _check_team(authorised.team, policy, event.type)
        await intake.receive_assessment_authorised(
            tx, authorised=authorised, policy=policy, receiving_team=receiving_team, imported_from=event.importedfrom
        )

    async def on_section47_started(tx: Transaction, event: Envelope[Any]) -> None:
        started: Section47Started = event.data
        _check_team(started.team, policy, event.type)
        await intake.receive_statutory_work(
            tx,
            event=started,
            work={StatutoryWork.SECTION47},
            policy=policy,
            receiving_team=receiving_team,
            imported_from=event.importedfrom,
        )

    async def on_section47_concluded(tx: Transaction, event: Envelope[Any]) -> None:
        concluded: Section47Concluded = event.data
        _check_team(concluded.team, policy, event.type)
        work = {StatutoryWork.SECTION47} | ({StatutoryWork.ICPC} if concluded.icpc_date is not None else set())
        await intake.receive_statutory_work(
            tx, event=concluded, work=work, policy=policy, receiving_team=receiving_team, imported_from=event.importedfrom
        )

    async def on_plan_started(tx: Transaction, event: Envelope[Any]) -> None:
        started: PlanStarted = event.data
        _check_team(started.team, policy, event.type)
        work = {domain.plan_work(started.plan_type)}
        await intake.receive_statutory_work(
            tx, event=started, work=work, policy=policy, receiving_team=receiving_team, imported_from=event.importedfrom
        )

    async def on_plan_ended(tx: Transaction, event: Envelope[Any]) -> None:
        ended: PlanEnded = event.data
        _check_team(ended.team, policy, event.type)
        await intake.receive_plan_ended(
            tx, ended=ended, policy=policy, receiving_team=receiving_team, imported_from=event.importedfrom
        )

    async def on_child(tx: Transaction, event: Envelope[Any]) -> None:
        await intake.receive_child(tx, child=event.data, policy=policy, imported=event.imported)

    return {
        ReferralReceived.event_type: on_referral_received,
        ReferralDecided.event_type: on_referral_decided,
        AssessmentAuthorised.event_type: on_assessment_authorised,
        Section47Started.event_type: on_section47_started,
        Section47Concluded.event_type: on_section47_concluded,
        PlanStarted.event_type: on_plan_started,
        PlanEnded.event_type: on_plan_ended,
        ChildRegistered.event_type: on_child,
        ChildUpdated.event_type: on_child,
    }
