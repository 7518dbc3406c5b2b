"""Events the assessment service consumes from ``continuum.referral``: a front-door decision for an
assessment or a strategy discussion opens one (a correction moves or withdraws it), and
``child.*`` keep the local copy of identity.

Each type has its per-event handler and a batch handler: the runner gives the batch handler a run
of consecutive events of one type (their inbox rows already claimed) and it applies the run with
one statement per kind of row, with exactly the per-event handlers' effect applied in order
(``tests/test_batch_equivalence.py``). The batch handler takes decisions and child events mixed as
well, so a run may span the types should the runner ever hand it one."""

from __future__ import annotations

from typing import Any

from assessment.use_cases import intake
from continuum.consumer import BatchHandler, Handler, PermanentFailure
from continuum.contracts import REFERRAL_TOPIC, ChildRegistered, ChildUpdated, Envelope, ReferralDecided
from continuum.policy import CouncilPolicy
from continuum.uow import Transaction

INTAKE_CONSUMER = "assessment.intake"
INTAKE_TOPICS = (REFERRAL_TOPIC,)
INTAKE_TYPES = (ReferralDecided.event_type, ChildRegistered.event_type, ChildUpdated.event_type)


def _check_team(decision: ReferralDecided, policy: CouncilPolicy) -> None:
    if policy.team(decision.team) is None:
        raise PermanentFailure("referral.decided names a team the council policy does not know")


def make_intake_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    async def on_referral_decided(tx: Transaction, event: Envelope[Any]) -> None:
        decision: ReferralDecided = event.data
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
        for event in events:
            if isinstance(event.data, ReferralDecided):
                # Refused: the runner applies the run's events one by one, and only this one is dead-lettered.
                _check_team(event.data, policy)
        await intake.receive_together(tx, events=[e.data for e in events], policy=policy)

    return dict.fromkeys(INTAKE_TYPES, on_front_door_events)
