"""Writes of one assessment or enquiry: the rows a new assessment opens with, a transition's new
state saved with one UPDATE of its row, and the allocation and return history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    bindparam,
    insert,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from assessment.domain import (
    AssessmentAndEnquiry,
    AssessmentState,
    Section47State,
)
from assessment.repository.rows import ALLOCATIONS, ASSESSMENTS, RETURNS, SECTION47, assessment_values, section47_values
from continuum.persistence.uow import Transaction

# Built once: the hot paths bind parameters to these.
_INSERT_ASSESSMENT = insert(ASSESSMENTS)
_INSERT_SECTION47 = insert(SECTION47)
_INSERT_ALLOCATION = insert(ALLOCATIONS)
_INSERT_RETURN = insert(RETURNS)
_UPDATE_ASSESSMENT = update(ASSESSMENTS).where(ASSESSMENTS.c.id == bindparam("row_id"))
_UPSERT_SECTION47 = pg_insert(SECTION47)
_UPSERT_SECTION47 = _UPSERT_SECTION47.on_conflict_do_update(
    index_elements=[SECTION47.c.id],
    set_={c.name: _UPSERT_SECTION47.excluded[c.name] for c in SECTION47.c if c.name != "id"},
)


async def insert_opened(tx: Transaction, opened: AssessmentAndEnquiry) -> None:
    """The rows of a newly opened assessment (and its enquiry)."""
    await tx.session.execute(_INSERT_ASSESSMENT, {"id": opened.assessment.id, **assessment_values(opened.assessment)})
    if opened.section47 is not None:
        await tx.session.execute(_INSERT_SECTION47, section47_values(opened.section47))


async def save_assessment(tx: Transaction, state: AssessmentState) -> None:
    await tx.session.execute(_UPDATE_ASSESSMENT, {"row_id": state.id, **assessment_values(state)})


async def save_assessments(tx: Transaction, states: Sequence[AssessmentState]) -> None:
    if states:
        await tx.session.execute(_UPDATE_ASSESSMENT, [{"row_id": s.id, **assessment_values(s)} for s in states])


async def save_section47(tx: Transaction, state: Section47State) -> None:
    """Insert a new enquiry or update one (a correction may do either)."""
    await tx.session.execute(_UPSERT_SECTION47, section47_values(state))


async def add_allocation(
    tx: Transaction, *, before: AssessmentState, after: AssessmentState, reason: str | None, by: str
) -> None:
    """The allocation history row (the reason stays here: events carry no narrative)."""
    assert after.lead is not None
    row = {
        "id": uuid.uuid4(),
        "assessment_id": after.id,
        "lead_practitioner": after.lead.practitioner,
        "lead_practitioner_role": after.lead.role,
        "previous_lead_practitioner": before.lead.practitioner if before.lead else None,
        "reason": reason,
        "allocated_by": by,
        "allocated_at": after.lead.allocated_at,
    }
    await tx.session.execute(_INSERT_ALLOCATION, row)


async def add_return(tx: Transaction, *, state: AssessmentState, reasons: str, by: str, at: datetime) -> None:
    row = {"id": uuid.uuid4(), "assessment_id": state.id, "reasons": reasons, "returned_by": by, "returned_at": at}
    await tx.session.execute(_INSERT_RETURN, row)
