"""The plan service's escalations, as a step inside the consumer's transaction: a child in need
plan ended ``escalate_cp``, or a strategy discussion recorded during one, starts a section 47
enquiry for the case with a new assessment on the section 47 route (decision 35)."""

from __future__ import annotations

import logging
import uuid

from assessment import domain, repository
from assessment.use_cases.steps import publish_and_audit
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import Transaction

log = logging.getLogger("assessment.escalation")

PURPOSE = "start a section 47 enquiry after an escalation from a child in need plan"


async def receive_escalation(tx: Transaction, *, escalation: domain.Escalation, policy: CouncilPolicy) -> None:
    """Start the case's strategy discussion and enquiry, once: the same trigger delivered again (with
    any event id) changes nothing, and a trigger for a case whose enquiry is open changes nothing
    but is kept, beside that enquiry, and audited."""
    await repository.lock_case(tx, escalation.case_id)
    if await repository.escalation_seen(tx, escalation):
        return
    record, opened, events = domain.escalate(
        escalation,
        open_enquiry=await repository.open_section47_of_case(tx, escalation.case_id),
        episode_referral_id=await repository.episode_referral(tx, escalation.case_id),
        assessment_id=uuid.uuid4(),
        section47_id=uuid.uuid4(),
        child=await repository.child_identity(tx, escalation.child_id),
        policy=policy,
    )
    if opened is not None:
        await repository.insert_opened(tx, opened)
        await publish_and_audit(tx, events, opened.assessment, action="assessment.open", purpose=PURPOSE)
        await tx.audit("section47.start", subject_type="section47", subject_id=record.section47_id, purpose=PURPOSE)
    else:
        await tx.audit(
            "section47.escalation",
            subject_type="section47",
            subject_id=record.section47_id,
            purpose="an escalation found the case's section 47 enquiry open: nothing started",
        )
    await repository.record_escalation(tx, record)
    log.info(
        "escalation from a child in need plan",
        extra={
            "case_id": str(escalation.case_id),
            "plan_id": str(escalation.plan_id),
            "trigger": escalation.trigger.value,
            "result": record.result.value,
            "section47_id": str(record.section47_id),
        },
    )
