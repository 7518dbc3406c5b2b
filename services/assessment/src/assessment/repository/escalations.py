"""What an escalation from a child in need plan reads and keeps: the case's lock, its open
enquiry, its episode's referral, and the triggers seen (decision 35)."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    bindparam,
    insert,
    select,
    text,
)

from assessment.domain import (
    Escalation,
    EscalationRecord,
    Section47State,
    Section47Status,
)
from assessment.repository.rows import ASSESSMENTS, ESCALATION_TRIGGERS, FRONT_DOOR, SECTION47, section47_state
from continuum.persistence.uow import Transaction

_OPEN_ENQUIRY_OF_CASE = (
    select(SECTION47)
    .where(
        SECTION47.c.case_id == bindparam("case_id"),
        SECTION47.c.status.in_([Section47Status.AWAITING_START, Section47Status.STARTED]),
    )
    .with_for_update()
)
_EPISODE_REFERRAL = (
    select(ASSESSMENTS.c.referral_id)
    .where(ASSESSMENTS.c.case_id == bindparam("case_id"), FRONT_DOOR)
    .order_by(ASSESSMENTS.c.opened_at, ASSESSMENTS.c.id)
    .limit(1)
)
_TRIGGER_SEEN = select(ESCALATION_TRIGGERS.c.id).where(
    ESCALATION_TRIGGERS.c.trigger == bindparam("trigger"),
    ESCALATION_TRIGGERS.c.plan_id == bindparam("plan_id"),
    ESCALATION_TRIGGERS.c.strategy_discussion_date == bindparam("held_on"),
)
_INSERT_TRIGGER = insert(ESCALATION_TRIGGERS)


async def lock_case(tx: Transaction, case_id: uuid.UUID) -> None:
    """Hold the case's escalation lock until the transaction ends, so two triggers for one case
    (two replicas during a rebalance) are decided one after the other, each seeing the other's enquiry."""
    await tx.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:case_id, 47))"), {"case_id": str(case_id)})


async def open_section47_of_case(tx: Transaction, case_id: uuid.UUID) -> Section47State | None:
    """The case's enquiry awaiting its start or started (at most one: a partial unique index), locked."""
    row = (await tx.session.execute(_OPEN_ENQUIRY_OF_CASE, {"case_id": case_id})).first()
    return section47_state(row) if row is not None else None


async def episode_referral(tx: Transaction, case_id: uuid.UUID) -> uuid.UUID | None:
    """The referral of the case's first assessment the front door opened here, if there is one."""
    found: uuid.UUID | None = (await tx.session.execute(_EPISODE_REFERRAL, {"case_id": case_id})).scalar()
    return found


async def escalation_seen(tx: Transaction, escalation: Escalation) -> bool:
    """Whether this trigger (its kind, plan and strategy discussion date) was kept already."""
    trigger, plan_id, held_on = escalation.key
    params = {"trigger": trigger, "plan_id": plan_id, "held_on": held_on}
    return (await tx.session.execute(_TRIGGER_SEEN, params)).first() is not None


async def record_escalation(tx: Transaction, record: EscalationRecord) -> None:
    """Keep the trigger and what it did (the unique key refuses the same trigger twice)."""
    e = record.escalation
    row = {
        "id": uuid.uuid4(),
        "trigger": e.trigger,
        "plan_id": e.plan_id,
        "case_id": e.case_id,
        "child_id": e.child_id,
        "team": e.team,
        "strategy_discussion_date": e.strategy_discussion_date,
        "requested_by": e.by,
        "requested_at": e.at,
        "result": record.result,
        "assessment_id": record.assessment_id,
        "section47_id": record.section47_id,
    }
    await tx.session.execute(_INSERT_TRIGGER, row)
