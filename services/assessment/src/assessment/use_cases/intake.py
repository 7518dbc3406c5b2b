"""The front door's events, as steps inside the consumer's transaction: a decision opens an
assessment (or, corrected, moves or withdraws it through the same domain), and the child's
identity is copied and lets the partner status go out."""

from __future__ import annotations

import uuid

from assessment import domain, repository
from assessment.tables import Child
from continuum import clock
from continuum.child_copy import upsert_child_copy
from continuum.contracts import ChildRegistered, ChildUpdated, ReferralDecided
from continuum.policy import CouncilPolicy
from continuum.uow import Transaction


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
    await tx.publish_all(events, aggregate=opened.assessment)
    await tx.audit(
        "assessment.open",
        subject_type="assessment",
        subject_id=opened.assessment.id,
        purpose="open an assessment after the front-door decision",
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
    """Keep the local copy of the child's identity (an older version changes nothing); partners of
    assessments that opened before it arrived now hear their status."""
    await upsert_child_copy(tx.session, Child, child)
    await tx.audit(
        "child.copy", subject_type="child", subject_id=child.child_id, purpose="keep the local copy of the child's identity"
    )
    waiting = await repository.awaiting_partner_status(tx, child.child_id)
    identity = await repository.child_identity(tx, child.child_id) if waiting else None
    for state in waiting:
        assert identity is not None
        told, events = domain.child_identified(state, child=identity, policy=policy)
        await repository.save_assessment(tx, told)
        await tx.publish_all(events, aggregate=told)
