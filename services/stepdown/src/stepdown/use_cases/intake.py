"""In-transaction steps the consumer runs for each event: gather what the episode's producers
said, make the transition once the facts are complete (or keep an open one up to date), close or
reopen on the front door's decisions and their corrections, count re-referrals after a step-down,
and keep the local copy of children (telling partners the child's status when its NHS number
becomes known)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from typing import TypeVar

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import ChildRegistered, ChildUpdated, EventData, ReferralDecided, ReferralReceived
from continuum.contracts.assessment import (
    AssessmentAuthorised,
    AssessmentRoute,
    Section47Concluded,
    Section47Started,
)
from continuum.contracts.plan import PlanEnded, PlanStarted
from continuum.persistence.child_copy import keep_child_copy
from continuum.persistence.uow import Transaction
from stepdown import domain, repository
from stepdown.domain import AssessmentFacts, ChildFacts, Episode, Events, FrontDoorOutcome, PlanEnd, StatutoryWork
from stepdown.domain.policy import stepdown_policy
from stepdown.tables import Child

_Facts = TypeVar("_Facts", AssessmentFacts, PlanEnd)


def _told(facts: type[_Facts], event: EventData, *, imported_from: str | None) -> _Facts:
    """The facts an event tells the episode, as the domain keeps them: its fields of the same names,
    and whether the event told of the council's imported history."""
    told = {f.name: getattr(event, f.name) for f in fields(facts) if f.name != "imported"}
    return facts(**told, imported=imported_from is not None)


async def _settle(tx: Transaction, episode: Episode, *, policy: CouncilPolicy, receiving_team: str, now: datetime) -> None:
    """Save the episode. If it has its transition, keep an open one's statutory work up to date;
    if not and its facts are complete, make the transition and publish its events."""
    if episode.stepdown_id is not None:
        carried = domain.carry_statutory_work(await repository.stepdown_locked(tx, episode.stepdown_id), episode)
        await repository.save_episode(tx, episode)
        if carried is not None:
            await repository.save_stepdown(tx, carried)
        return
    child = await repository.child_facts(tx, episode.child_id)
    episode, stepdown, events = domain.make_transition(
        episode,
        stepdown_id=uuid.uuid4(),
        now=now,
        receiving_team=receiving_team,
        response_working_days=stepdown_policy(policy).early_help_acceptance_deadline_working_days,
        date_of_death=child.date_of_death if child else None,
    )
    await repository.save_episode(tx, episode)
    if stepdown is None:
        return
    await repository.add_stepdown(tx, stepdown)
    _, told = domain.told_partners((stepdown, events), child=child, policy=policy)
    await tx.publish_all(told, aggregate=stepdown)
    await tx.audit("stepdown.create", subject_type="stepdown", subject_id=stepdown.id, purpose="transition out of social care")


async def receive_referral_received(
    tx: Transaction, *, received: ReferralReceived, team: str, imported_from: str | None = None
) -> None:
    """A referral opened an episode: step-down knows the child has an open episode (whose partner
    status is the referral service's to send) until it closes here. ``imported_from``: the file of
    the council's history the event told of (here and below: facts kept, no work started)."""
    before = await repository.episode(tx, received.case_id)
    episode = domain.receive_referral(
        before,
        case_id=received.case_id,
        child_id=received.child_id,
        team=team,
        referral_date=clock.london_date(received.received_at),
    )
    await repository.save_episode(tx, domain.heard_from_import(before, episode, source=imported_from))


async def receive_referral_decided(
    tx: Transaction, *, decision: ReferralDecided, policy: CouncilPolicy, receiving_team: str, imported_from: str | None = None
) -> None:
    """Any new referral of a child counts as a re-referral on a step-down within 12 months before
    it; a correction may withdraw the transition the front door's earlier decision made (or reopen
    the episode it closed); no further action and early help at the front door end the episode (at
    once, or by a handover)."""
    now = clock.now()
    if decision.correction_of is None:
        for stepdown in await repository.stepdowns_of_child(tx, decision.child_id):
            if stepdown.case_id != decision.case_id:
                counted = domain.note_re_referral(stepdown, referral_date=decision.referral_date)
                if counted is not None:
                    await repository.save_stepdown(tx, counted)
    before = await repository.episode(tx, decision.case_id)
    episode = domain.receive_referral(
        before,
        case_id=decision.case_id,
        child_id=decision.child_id,
        team=decision.team,
        referral_date=decision.referral_date,
    )
    if decision.correction_of is not None and episode.stepdown_id is not None and imported_from is None:
        episode = await _correct_front_door(tx, episode, decision, policy=policy, now=now)
    outcome = FrontDoorOutcome(decision.outcome)
    if outcome.ends_episode and episode.stepdown_id is None:
        episode = domain.receive_front_door_decision(
            episode,
            case_id=decision.case_id,
            child_id=decision.child_id,
            team=decision.team,
            referral_id=decision.referral_id,
            referral_date=decision.referral_date,
            decided_at=decision.decided_at,
            outcome=outcome,
            imported=imported_from is not None,
        )
    episode = domain.heard_from_import(before, episode, source=imported_from)
    await _settle(tx, episode, policy=policy, receiving_team=receiving_team, now=now)


async def _correct_front_door(
    tx: Transaction, episode: Episode, decision: ReferralDecided, *, policy: CouncilPolicy, now: datetime
) -> Episode:
    """The front door corrected a decision: the domain says what becomes of the transition the
    earlier one made (withdrawn, reopened, or early help told). Returns the episode."""
    assert episode.stepdown_id is not None
    stepdown = await repository.stepdown_locked(tx, episode.stepdown_id)
    corrected, changed, events = domain.correct_front_door(
        episode, stepdown, outcome=FrontDoorOutcome(decision.outcome), correction_of=decision.correction_of, now=now
    )
    if not events or changed is None:
        return episode
    if changed is not stepdown:
        await repository.save_stepdown(tx, changed)
    child = await repository.child_facts(tx, changed.child_id)
    _, told = domain.told_partners((changed, events), child=child, policy=policy)
    await tx.publish_all(told, aggregate=changed)
    await tx.audit("stepdown.correct", subject_type="stepdown", subject_id=changed.id, purpose="front-door decision corrected")
    return corrected


async def receive_assessment_authorised(
    tx: Transaction,
    *,
    authorised: AssessmentAuthorised,
    policy: CouncilPolicy,
    receiving_team: str,
    imported_from: str | None = None,
) -> None:
    before = await repository.episode(tx, authorised.case_id)
    episode = domain.receive_assessment(
        before,
        case_id=authorised.case_id,
        child_id=authorised.child_id,
        team=authorised.team,
        referral_date=authorised.referral_date,
        facts=_told(AssessmentFacts, authorised, imported_from=imported_from),
        # The event itself says whether the assessment went with a section 47 enquiry.
        section47=authorised.route is AssessmentRoute.SECTION47 or authorised.section47_id is not None,
    )
    episode = domain.heard_from_import(before, episode, source=imported_from)
    await _settle(tx, episode, policy=policy, receiving_team=receiving_team, now=clock.now())


async def receive_statutory_work(
    tx: Transaction,
    *,
    event: Section47Started | Section47Concluded | PlanStarted,
    work: Iterable[StatutoryWork],
    policy: CouncilPolicy,
    receiving_team: str,
    imported_from: str | None = None,
) -> None:
    """A section 47 enquiry started or concluded (with its initial conference's date), or a plan
    started: the episode had that statutory work, whatever arrives before or after."""
    before = await repository.episode(tx, event.case_id)
    episode = domain.receive_statutory_work(before, case_id=event.case_id, child_id=event.child_id, team=event.team, work=work)
    episode = domain.heard_from_import(before, episode, source=imported_from)
    await _settle(tx, episode, policy=policy, receiving_team=receiving_team, now=clock.now())


async def receive_plan_ended(
    tx: Transaction, *, ended: PlanEnded, policy: CouncilPolicy, receiving_team: str, imported_from: str | None = None
) -> None:
    before = await repository.episode(tx, ended.case_id)
    episode = domain.receive_plan_end(
        before,
        case_id=ended.case_id,
        child_id=ended.child_id,
        team=ended.team,
        plan_end=_told(PlanEnd, ended, imported_from=imported_from),
        plan_type=ended.plan_type,
    )
    episode = domain.heard_from_import(before, episode, source=imported_from)
    await _settle(tx, episode, policy=policy, receiving_team=receiving_team, now=clock.now())


async def receive_child(
    tx: Transaction, *, child: ChildRegistered | ChildUpdated, policy: CouncilPolicy, imported: bool = False
) -> None:
    """Keep the local copy (an older version changes nothing; step-down audits no copy). When it
    brings an NHS number the copy lacked, tell partners the child's status, if step-down's is the
    live one (the domain decides). ``imported``: the council's history told of the child: the copy
    is kept, and nothing else follows (no partner status, no closure)."""

    async def announce(tx: Transaction, copy: Child, before: str | None) -> Events:
        if before is not None or imported:
            return []  # a number partners were told under already (step-down announces a gained one)
        episodes = await repository.episodes_of_child(tx, copy.id)
        stepdowns = await repository.stepdowns_by_ids(tx, [e.stepdown_id for e in episodes if e.stepdown_id is not None])
        known = ChildFacts(copy.nhs_number, copy.date_of_birth, copy.date_of_death)
        return domain.status_when_identified(episodes, stepdowns, child=known, policy=policy)

    copy = await keep_child_copy(tx, Child, child, announce=announce, audited=False)
    if copy is not None and copy.date_of_death is not None and not imported:
        await _close_on_death(tx, copy, policy=policy)


async def _close_on_death(tx: Transaction, copy: Child, *, policy: CouncilPolicy) -> None:
    """The child's date of death is known: each of its closures for RC2 that waited for it closes
    now (the plan's end came first), with the partner status it makes true."""
    known = ChildFacts(copy.nhs_number, copy.date_of_birth, copy.date_of_death)
    for episode in await repository.episodes_of_child(tx, copy.id):
        if episode.stepdown_id is None:
            continue
        stepdown = await repository.stepdown_locked(tx, episode.stepdown_id)
        closed = domain.close_when_death_known(stepdown, episode, date_of_death=copy.date_of_death, now=clock.now())
        if closed is None:
            continue
        stepdown, events = domain.told_partners(closed, child=known, policy=policy)
        await repository.save_stepdown(tx, stepdown)
        await tx.publish_all(events, aggregate=stepdown)
        await tx.audit(
            "stepdown.close", subject_type="stepdown", subject_id=stepdown.id, purpose="the child's date of death known"
        )
