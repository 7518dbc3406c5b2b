"""Events the plan service consumes: from ``continuum.assessment`` an authorised assessment (CIN
plan or child protection) or a concluded section 47 enquiry (a CP plan) drafts a plan, and an
opened assessment makes its episode known; from ``continuum.referral`` the ``child.*`` events keep
the local copy of identity; from ``continuum.stepdown`` the episode's closure and reopening.

An imported event (``envelope.imported``: a council's history, decision 59) keeps state (the
episode known and open, the child's copy, a closure) but starts no work: an imported authorisation
or conference drafts no plan, because the plan service imports its own plans with their dates."""

from __future__ import annotations

from typing import Any

from continuum.casework.policy import CouncilPolicy
from continuum.contracts import REFERRAL_TOPIC, ChildRegistered, ChildUpdated, Envelope
from continuum.contracts.assessment import ASSESSMENT_TOPIC, AssessmentAuthorised, AssessmentOpened, Section47Concluded
from continuum.contracts.stepdown import STEPDOWN_TOPIC, CaseClosed, CaseReopened
from continuum.messaging.consumer import Handler, PermanentFailure
from continuum.persistence.uow import Transaction
from plan.use_cases import drafting

DRAFTING_CONSUMER = "plan.drafting"
DRAFTING_TOPICS = (ASSESSMENT_TOPIC, REFERRAL_TOPIC, STEPDOWN_TOPIC)


def make_drafting_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    def known_team(team: str, event_type: str) -> None:
        if policy.team(team) is None:
            raise PermanentFailure(f"{event_type} names a team the council policy does not know")

    async def on_authorised(tx: Transaction, event: Envelope[Any]) -> None:
        authorised: AssessmentAuthorised = event.data
        known_team(authorised.team, event.type)
        if event.imported:
            await drafting.receive_imported(tx, authorised, opened_on=authorised.referral_date)
            return
        await drafting.receive_authorised(tx, authorised=authorised, policy=policy)

    async def on_concluded(tx: Transaction, event: Envelope[Any]) -> None:
        concluded: Section47Concluded = event.data
        known_team(concluded.team, event.type)
        if event.imported:
            await drafting.receive_imported(tx, concluded, opened_on=None)
            return
        await drafting.receive_concluded(tx, concluded=concluded)

    async def on_opened(tx: Transaction, event: Envelope[Any]) -> None:
        opened: AssessmentOpened = event.data
        known_team(opened.team, event.type)
        await drafting.receive_opened(tx, opened=opened)

    async def on_closed(tx: Transaction, event: Envelope[Any]) -> None:
        await drafting.receive_closed(tx, closed=event.data)

    async def on_reopened(tx: Transaction, event: Envelope[Any]) -> None:
        await drafting.receive_reopened(tx, reopened=event.data)

    async def on_child(tx: Transaction, event: Envelope[Any]) -> None:
        child: ChildRegistered | ChildUpdated = event.data
        await drafting.receive_child(tx, child=child, policy=policy)

    return {
        AssessmentAuthorised.event_type: on_authorised,
        Section47Concluded.event_type: on_concluded,
        AssessmentOpened.event_type: on_opened,
        CaseClosed.event_type: on_closed,
        CaseReopened.event_type: on_reopened,
        ChildRegistered.event_type: on_child,
        ChildUpdated.event_type: on_child,
    }
