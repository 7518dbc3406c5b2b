"""The front door's events, as steps inside the consumer's transaction: a decision opens an
assessment (or, corrected, moves or withdraws it through the same domain), and the child's
identity is copied and lets the partner status go out.

:func:`receive_decision` and :func:`receive_child` take one event each; :func:`receive_together`
takes a run of them and has exactly their effect applied one after the other, with one read and one
write for the whole run (the consumer's batch path, decision 27).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from assessment import domain, repository
from assessment.tables import Child
from assessment.use_cases.steps import publish_and_audit
from continuum.casework import clock
from continuum.casework.partners import number_to_announce
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import ChildRegistered, ChildUpdated, EventData, ReferralDecided
from continuum.persistence.child_copy import keep_child_copy
from continuum.persistence.uow import Transaction


async def receive_decision(tx: Transaction, *, decision: ReferralDecided, policy: CouncilPolicy) -> None:
    """Open the assessment (and, after a strategy discussion, the section 47 enquiry) a decision
    asks for. The same decision delivered again opens nothing again; a correction makes the
    assessment what the corrected decision would have opened."""
    existing = await repository.by_referral(tx, decision.referral_id)
    if existing is not None:
        if decision.correction_of is not None:
            await _correct(tx, existing, decision, policy)
        return
    if domain.route_for(decision.outcome) is None:
        return
    opened, events = domain.open_from_decision(
        decision,
        assessment_id=uuid.uuid4(),
        section47_id=uuid.uuid4(),
        child=await repository.child_identity(tx, decision.child_id),
        policy=policy,
    )
    await repository.insert_opened(tx, opened)
    await _announce_opened(tx, opened.assessment, events)


async def _announce_opened(tx: Transaction, state: domain.AssessmentState, events: Sequence[EventData]) -> None:
    """Publish what opening the assessment says, and audit the opening (both paths alike)."""
    await publish_and_audit(
        tx, events, state, action="assessment.open", purpose="open an assessment after the front-door decision"
    )


async def _correct(tx: Transaction, state: domain.AssessmentState, decision: ReferralDecided, policy: CouncilPolicy) -> None:
    corrected, events = domain.apply_corrected_decision(
        state,
        section47=await repository.current_section47(tx, state.id, lock=True),
        decision=decision,
        new_section47_id=uuid.uuid4(),
        now=clock.now(),
        child=await repository.child_identity(tx, state.child_id),
        policy=policy,
    )
    if not events:
        return
    await repository.save_assessment(tx, corrected.assessment)
    if corrected.section47 is not None:
        await repository.save_section47(tx, corrected.section47)
    await tx.publish_all(events, aggregate=corrected.assessment)
    withdrawn = corrected.assessment.status is domain.Status.WITHDRAWN
    await tx.audit(
        "assessment.withdraw" if withdrawn else "assessment.correct",
        subject_type="assessment",
        subject_id=state.id,
        purpose="front-door decision corrected",
    )


async def receive_child(tx: Transaction, *, child: ChildRegistered | ChildUpdated, policy: CouncilPolicy) -> None:
    """Keep the local copy of the child's identity (an older version changes nothing); when the copy
    gains an NHS number (or holds another), partners of the open assessments that waited for it
    hear their status (the kernel's ``keep_child_copy`` publishes them keyed by the number)."""

    async def announce(tx: Transaction, copy: Child, before: str | None) -> list[EventData]:
        identity = domain.ChildIdentity(copy.nhs_number, copy.date_of_birth, copy.expected_date_of_birth)
        told_all: list[EventData] = []
        for state in await repository.awaiting_partner_status(tx, copy.id):
            told, events = domain.child_identified(
                state, child=identity, policy=policy, section47=await _enquiry_of_closed(tx, state)
            )
            await repository.save_assessment(tx, told)
            told_all.extend(events)
        return told_all

    await keep_child_copy(tx, Child, child, announce=announce)


async def _enquiry_of_closed(tx: Transaction, state: domain.AssessmentState) -> domain.Section47State | None:
    """The enquiry of an assessment that waits for its child's identity while closed (an imported
    one authorised before its conference may still be the stage partners wait to hear of); an open
    assessment's status does not depend on it, so it is not read."""
    return None if state.is_open else await repository.current_section47(tx, state.id)


FrontDoorEvent = ReferralDecided | ChildRegistered | ChildUpdated


async def receive_together(tx: Transaction, *, events: Sequence[FrontDoorEvent], policy: CouncilPolicy) -> None:
    """:func:`receive_decision` and :func:`receive_child` applied to ``events`` in order, set-based:
    what the run needs is read in one statement, the same domain transitions run in memory in the
    same order (so the same events are published and the same audit rows written, in the same
    order), and the rows are written in one statement. A corrected decision goes through
    :func:`receive_decision` on its own, after the rows of the events before it."""
    pending: list[FrontDoorEvent] = []
    for data in events:
        if isinstance(data, ReferralDecided) and data.correction_of is not None:
            await _receive_set_based(tx, pending, policy)
            pending = []
            await receive_decision(tx, decision=data, policy=policy)
        else:
            pending.append(data)
    await _receive_set_based(tx, pending, policy)


async def _receive_set_based(tx: Transaction, events: Sequence[FrontDoorEvent], policy: CouncilPolicy) -> None:
    """New decisions and child copies, as the per-event steps would apply them one by one."""
    if not events:
        return
    # What the per-event steps would read, for the whole run at once: the referrals already opened,
    # the children's copies, and the assessments waiting for their child's identity.
    found = await repository.front_door_lookup(
        tx,
        referral_ids=[e.referral_id for e in events if isinstance(e, ReferralDecided)],
        child_ids=list({e.child_id: None for e in events}),
        identified_ids=list({e.child_id: None for e in events if not isinstance(e, ReferralDecided)}),
    )
    opened_referrals, copies = found.opened_referrals, found.copies
    waiting: dict[uuid.UUID, list[domain.AssessmentState]] = {}
    for state in found.waiting:
        waiting.setdefault(state.child_id, []).append(state)
    # What the run changes, in memory, in order: each read below sees what the events before wrote.
    opened: dict[uuid.UUID, domain.AssessmentAndEnquiry] = {}
    changed: dict[uuid.UUID, domain.AssessmentState] = {}
    newest: dict[uuid.UUID, ChildRegistered | ChildUpdated] = {}
    for data in events:
        if isinstance(data, ReferralDecided):
            if data.referral_id in opened_referrals or domain.route_for(data.outcome) is None:
                continue
            copy = copies.get(data.child_id)
            new, published = domain.open_from_decision(
                data,
                assessment_id=uuid.uuid4(),
                section47_id=uuid.uuid4(),
                child=copy[1] if copy else None,
                policy=policy,
            )
            opened_referrals.add(data.referral_id)
            opened[new.assessment.id] = new
            if not new.assessment.partner_status_sent:
                waiting.setdefault(data.child_id, []).append(new.assessment)
            await _announce_opened(tx, new.assessment, published)
            continue
        held = copies.get(data.child_id)
        number_before = held[1].nhs_number if held else None
        if held is None or held[0] < data.version:  # the upsert's version guard
            copies[data.child_id] = (
                data.version,
                domain.ChildIdentity(data.nhs_number, data.date_of_birth, data.expected_date_of_birth),
            )
            newest[data.child_id] = data
        await tx.audit(
            "child.copy", subject_type="child", subject_id=data.child_id, purpose="keep the local copy of the child's identity"
        )
        identity = copies[data.child_id][1]
        if number_to_announce(number_before, identity.nhs_number) is None:
            continue  # as keep_child_copy: partners hear nothing until the copy gains a number
        for state in sorted(waiting.pop(data.child_id, []), key=repository.partner_status_order):
            told, published = domain.child_identified(
                state, child=identity, policy=policy, section47=await _enquiry_of_closed(tx, state)
            )
            if told.id in opened:
                opened[told.id] = replace(opened[told.id], assessment=told)
            else:
                changed[told.id] = told
            await tx.publish_all(published, aggregate=told)
    await repository.write_front_door_run(tx, children=list(newest.values()), opened=list(opened.values()))
    await repository.save_assessments(tx, list(changed.values()))
