"""Events the assessment service consumes. From ``continuum.referral`` (the intake consumer): a
front-door decision for an assessment or a strategy discussion opens one (a correction moves or
withdraws it), and ``child.*`` keep the local copy of identity. From ``continuum.plan`` (the
escalation consumer): a child in need plan ended ``escalate_cp``, or a strategy discussion recorded
during one, starts a section 47 enquiry (decision 35).

Each type has its per-event handler and a batch handler: the runner gives the batch handler a run
of consecutive events of one type (their inbox rows already claimed) and it applies the run with
one statement per kind of row, with exactly the per-event handlers' effect applied in order
(``tests/integration/test_batch_equivalence.py``). The batch handler takes decisions and child events mixed as
well, so a run may span the types should the runner ever hand it one.

An event of a council's imported history (``envelope.imported``, decision 59) keeps state but starts
no work: an imported ``child.*`` keeps the child's copy (and, bringing an NHS number, lets the
partner status of an open assessment waiting for it go out, as live), but an imported
``referral.decided`` opens no assessment and an imported ``plan.ended`` or
``plan.strategy_discussion_recorded`` starts no enquiry: this service imported its own records."""

from __future__ import annotations

from typing import Any

from assessment import domain
from assessment.use_cases import escalation, intake
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PLAN_TOPIC, REFERRAL_TOPIC, ChildRegistered, ChildUpdated, Envelope, ReferralDecided
from continuum.contracts.plan import PlanEnded, StrategyDiscussionRecorded
from continuum.messaging.consumer import BatchHandler, Handler, PermanentFailure
from continuum.persistence.uow import Transaction

INTAKE_CONSUMER = "assessment.intake"
INTAKE_TOPICS = (REFERRAL_TOPIC,)
INTAKE_TYPES = (ReferralDecided.event_type, ChildRegistered.event_type, ChildUpdated.event_type)

ESCALATION_CONSUMER = "assessment.escalation"
ESCALATION_TOPICS = (PLAN_TOPIC,)


def _check_team(decision: ReferralDecided, policy: CouncilPolicy) -> None:
    if policy.team(decision.team) is None:
        raise PermanentFailure("referral.decided names a team the council policy does not know")


def make_intake_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    async def on_referral_decided(tx: Transaction, event: Envelope[Any]) -> None:
        decision: ReferralDecided = event.data
        if event.imported:
            return  # the history's assessments are imported here: the front door's past decision opens none
        _check_team(decision, policy)
        await intake.receive_decision(tx, decision=decision, policy=policy)

    async def on_child(tx: Transaction, event: Envelope[Any]) -> None:
        child: ChildRegistered | ChildUpdated = event.data
        await intake.receive_child(tx, child=child, policy=policy)

    return {
        ReferralDecided.event_type: on_referral_decided,
        ChildRegistered.event_type: on_child,
        ChildUpdated.event_type: on_child,
    }


def make_intake_batch_handlers(policy: CouncilPolicy) -> dict[str, BatchHandler]:
    async def on_front_door_events(tx: Transaction, events: list[Envelope[Any]]) -> None:
        # An imported decision opens nothing: only the child events and the live decisions are applied.
        kept = [e for e in events if not (e.imported and isinstance(e.data, ReferralDecided))]
        for event in kept:
            if isinstance(event.data, ReferralDecided):
                # Refused: the runner applies the run's events one by one, and only this one is dead-lettered.
                _check_team(event.data, policy)
        await intake.receive_together(tx, events=[e.data for e in kept], policy=policy)

    return dict.fromkeys(INTAKE_TYPES, on_front_door_events)


def make_escalation_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    """``plan.ended`` (only a CIN plan's ``escalate_cp`` end asks anything) and
    ``plan.strategy_discussion_recorded``; the plan topic's other events are not this service's."""

    async def escalate(tx: Transaction, event: Envelope[Any], found: domain.Escalation | None) -> None:
        if found is None or event.imported:
            return  # an imported plan's end or strategy discussion: the history's enquiries are imported here
        if policy.team(found.team) is None:
            raise PermanentFailure(f"{event.type} names a team the council policy does not know")
        await escalation.receive_escalation(tx, escalation=found, policy=policy)

    async def on_plan_ended(tx: Transaction, event: Envelope[Any]) -> None:
        ended: PlanEnded = event.data
        await escalate(tx, event, domain.from_plan_ended(ended, at=event.time, source=event.source))

    async def on_strategy_discussion(tx: Transaction, event: Envelope[Any]) -> None:
        recorded: StrategyDiscussionRecorded = event.data
        await escalate(tx, event, domain.from_strategy_discussion(recorded))

    return {
        PlanEnded.event_type: on_plan_ended,
        StrategyDiscussionRecorded.event_type: on_strategy_discussion,
    }
