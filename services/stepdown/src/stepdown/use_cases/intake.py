"""In-transaction steps the consumer runs for each event: gather what the episode's producers
said, make the transition once the facts are complete, count re-referrals after a step-down, keep
the local copy of children (and send the partner statuses that waited for a child's identity)."""

from __future__ import annotations

import uuid
from datetime import datetime

from continuum import clock
from continuum.casework import partner_status
from continuum.child_copy import upsert_child_copy
from continuum.clock import london_date
from continuum.contracts import ChildRegistered, ChildUpdated, PartnerStatus, ReferralDecided
from continuum.contracts.assessment import AssessmentAuthorised
from continuum.contracts.plan import PlanEnded
from continuum.policy import CouncilPolicy
from continuum.uow import Transaction
from stepdown import domain, repository
from stepdown.domain import AssessmentFacts, Episode, PlanEnd
from stepdown.domain.policy import stepdown_policy
from stepdown.tables import Child
from stepdown.use_cases.steps import publish_change


async def _transition(tx: Transaction, episode: Episode, *, policy: CouncilPolicy, receiving_team: str, now: datetime) -> None:
    """Save the episode; if its facts are complete, make its transition and publish its events."""
    episode, stepdown, events = domain.make_transition(
        episode,
        stepdown_id=uuid.uuid4(),
        now=now,
        receiving_team=receiving_team,
        response_working_days=stepdown_policy(policy).early_help_acceptance_deadline_working_days,
    )
    await repository.save_episode(tx, episode)
    if stepdown is None:
        return
    await repository.add_stepdown(tx, stepdown)
    await publish_change(tx, stepdown, events, now=now, policy=policy)
    await tx.audit("stepdown.create", subject_type="stepdown", subject_id=stepdown.id, purpose="transition out of social care")


async def receive_referral_decided(
    tx: Transaction, *, decision: ReferralDecided, policy: CouncilPolicy, receiving_team: str
) -> None:
    """Any new referral of a child counts as a re-referral on a step-down within 12 months before
    it; an early help decision at the front door is a transition of its own."""
    if decision.correction_of is None:
        for stepdown in await repository.stepdowns_of_child(tx, decision.child_id):
            if stepdown.case_id != decision.case_id:
                counted = domain.note_re_referral(stepdown, referral_date=decision.referral_date)
                if counted is not None:
                    await repository.save_stepdown(tx, counted)
    if decision.outcome.value != "early_help":
        if decision.correction_of is not None:
            await _correct_front_door(tx, decision, policy=policy)
        return
    episode = domain.receive_front_door_early_help(
        await repository.episode(tx, decision.case_id),
        case_id=decision.case_id,
        child_id=decision.child_id,
        team=decision.team,
        referral_id=decision.referral_id,
        referral_date=decision.referral_date,
        decided_at=decision.decided_at,
    )
    await _transition(tx, episode, policy=policy, receiving_team=receiving_team, now=clock.now())


async def _correct_front_door(tx: Transaction, decision: ReferralDecided, *, policy: CouncilPolicy) -> None:
    """The front door corrected an early help decision to something else: withdraw the handover it
    made, or tell the manager and early help if early help already took the family (the domain decides)."""
    episode = await repository.episode(tx, decision.case_id)
    if episode is None or episode.stepdown_id is None:
        return
    stepdown = await repository.stepdown_locked(tx, episode.stepdown_id)
    now = clock.now()
    corrected, changed, events = domain.correct_front_door(episode, stepdown, outcome=decision.outcome.value, now=now)
    if not events or changed is None:
        return
    await repository.save_episode(tx, corrected)
    if changed is not stepdown:
        await repository.save_stepdown(tx, changed)
    await publish_change(tx, changed, events, now=now, policy=policy)
    await tx.audit("stepdown.correct", subject_type="stepdown", subject_id=changed.id, purpose="front-door decision corrected")


async def receive_assessment_authorised(
    tx: Transaction, *, authorised: AssessmentAuthorised, policy: CouncilPolicy, receiving_team: str
) -> None:
    facts = AssessmentFacts(
        assessment_id=authorised.assessment_id,
        outcome=authorised.outcome.value,
        authorisation_date=authorised.authorisation_date,
        lead_practitioner=authorised.lead_practitioner,
    )
    episode = domain.receive_assessment(
        await repository.episode(tx, authorised.case_id),
        case_id=authorised.case_id,
        child_id=authorised.child_id,
        team=authorised.team,
        referral_date=authorised.referral_date,
        facts=facts,
    )
    await _transition(tx, episode, policy=policy, receiving_team=receiving_team, now=clock.now())


async def receive_plan_ended(tx: Transaction, *, ended: PlanEnded, policy: CouncilPolicy, receiving_team: str) -> None:
    plan_end = PlanEnd(
        plan_id=ended.plan_id,
        end_date=ended.end_date,
        next_step=ended.next_step,
        unmet_need=ended.unmet_need,
        actions=ended.actions,
        reason_for_closure=ended.reason_for_closure,
    )
    episode = domain.receive_plan_end(
        await repository.episode(tx, ended.case_id),
        case_id=ended.case_id,
        child_id=ended.child_id,
        team=ended.team,
        plan_end=plan_end,
    )
    await _transition(tx, episode, policy=policy, receiving_team=receiving_team, now=clock.now())


async def receive_child(tx: Transaction, *, child: ChildRegistered | ChildUpdated, policy: CouncilPolicy) -> None:
    """Keep the local copy; send the partner statuses that waited for this child's identity."""
    await upsert_child_copy(tx.session, Child, child)
    for row in await repository.waiting_partner_statuses(tx, child.child_id):
        stepdown = repository.stepdown_state(row)
        since = row.answered_at or row.closed_at or row.requested_at
        event = partner_status(
            nhs_number=child.nhs_number,
            date_of_birth=child.date_of_birth,
            status=PartnerStatus(row.partner_status_pending),
            since=london_date(since),
            team=stepdown.team,
            policy=policy,
        )
        if event is not None:
            await tx.publish(event, aggregate=stepdown)
        await repository.set_partner_status_pending(tx, stepdown.id, None)
