"""Loads of one record: the visible-to-this-principal loads (another team's answers 404,
audited), what a transition needs beside it, and what an answer shows with it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import (
    bindparam,
    select,
)

from assessment.domain import (
    OPEN_STATUSES,
    AssessmentState,
    ChildIdentity,
    Section47State,
    Section47Status,
)
from assessment.repository.rows import ASSESSMENTS, CHILDREN, FRONT_DOOR, SECTION47, assessment_state, section47_state
from assessment.tables import Allocation, Child, Return
from continuum.casework.errors import NotFound
from continuum.casework.principal import Principal
from continuum.persistence.uow import Transaction

# An imported episode's assessments all carry its referral: a correction finds the latest opened.
_BY_REFERRAL = (
    select(ASSESSMENTS)
    .where(ASSESSMENTS.c.referral_id == bindparam("referral_id"), FRONT_DOOR)
    .order_by(ASSESSMENTS.c.opened_at.desc(), ASSESSMENTS.c.id)
    .limit(1)
    .with_for_update()
)
_CHILD_IDENTITY = select(CHILDREN.c.nhs_number, CHILDREN.c.date_of_birth, CHILDREN.c.expected_date_of_birth).where(
    CHILDREN.c.id == bindparam("child_id")
)


def may_see(principal: Principal, team: str, lead_practitioner: str | None) -> bool:
    """Practitioners and managers see their teams' assessments (and the ones they lead); auditors all."""
    return principal.can_see_team(team) or (lead_practitioner is not None and principal.sub == lead_practitioner)


async def visible_assessment(tx: Transaction, assessment_id: uuid.UUID, *, purpose: str, lock: bool = False) -> AssessmentState:
    """The assessment if the caller may see it; else ``NotFound`` (the refusal audited), whether
    it is missing or another team's: the answer never tells which."""
    stmt = select(ASSESSMENTS).where(ASSESSMENTS.c.id == assessment_id)
    row = (await tx.session.execute(stmt.with_for_update() if lock else stmt)).first()
    if row is None or not may_see(tx.principal_or_fail(), row.team, row.lead_practitioner):
        tx.audit_refusal("assessment.read", subject_type="assessment", subject_id=assessment_id, purpose=purpose)
        raise NotFound("Assessment")
    return assessment_state(row)


async def visible_section47(
    tx: Transaction, section47_id: uuid.UUID, *, purpose: str, lock: bool = False
) -> tuple[Section47State, AssessmentState]:
    """The enquiry and its assessment if the caller may see the assessment; else 404 (audited)."""
    stmt = select(SECTION47).where(SECTION47.c.id == section47_id)
    row = (await tx.session.execute(stmt.with_for_update() if lock else stmt)).first()
    assessment = None
    if row is not None:
        found = (await tx.session.execute(select(ASSESSMENTS).where(ASSESSMENTS.c.id == row.assessment_id))).first()
        assessment = assessment_state(found) if found is not None else None
    if row is None or assessment is None or not may_see(tx.principal_or_fail(), assessment.team, _lead(assessment)):
        tx.audit_refusal("section47.read", subject_type="section47", subject_id=section47_id, purpose=purpose)
        raise NotFound("Section 47 enquiry")
    return section47_state(row), assessment


def _lead(state: AssessmentState) -> str | None:
    return state.lead.practitioner if state.lead else None


async def by_referral(tx: Transaction, referral_id: uuid.UUID) -> AssessmentState | None:
    """The assessment a referral's decision opened, locked for the correction that may follow."""
    row = (await tx.session.execute(_BY_REFERRAL, {"referral_id": referral_id})).first()
    return assessment_state(row) if row is not None else None


async def current_section47(tx: Transaction, assessment_id: uuid.UUID, *, lock: bool = False) -> Section47State | None:
    """The enquiry that goes with the assessment now (not a withdrawn one)."""
    stmt = select(SECTION47).where(SECTION47.c.assessment_id == assessment_id, SECTION47.c.status != Section47Status.WITHDRAWN)
    row = (await tx.session.execute(stmt.with_for_update() if lock else stmt)).first()
    return section47_state(row) if row is not None else None


async def episode_had_section47(tx: Transaction, case_id: uuid.UUID) -> bool:
    """Whether any of the case's assessments here went with a section 47 enquiry (one not
    withdrawn): rule 2990's "no section 47" for the closure an authorisation gives."""
    stmt = select(SECTION47.c.id).where(SECTION47.c.case_id == case_id, SECTION47.c.status != Section47Status.WITHDRAWN).limit(1)
    return (await tx.session.execute(stmt)).first() is not None


async def latest_section47(tx: Transaction, assessment_id: uuid.UUID) -> Section47State | None:
    """The current enquiry, else the one withdrawn last: what the assessment's answer shows."""
    stmt = (
        select(SECTION47)
        .where(SECTION47.c.assessment_id == assessment_id)
        .order_by((SECTION47.c.status == Section47Status.WITHDRAWN), SECTION47.c.withdrawn_at.desc())
        .limit(1)
    )
    row = (await tx.session.execute(stmt)).first()
    return section47_state(row) if row is not None else None


async def child_identity(tx: Transaction, child_id: uuid.UUID) -> ChildIdentity | None:
    row = (await tx.session.execute(_CHILD_IDENTITY, {"child_id": child_id})).first()
    return ChildIdentity(row.nhs_number, row.date_of_birth, row.expected_date_of_birth) if row is not None else None


async def child(tx: Transaction, child_id: uuid.UUID) -> Child | None:
    return await tx.session.get(Child, child_id)


async def allocations(tx: Transaction, assessment_id: uuid.UUID) -> Sequence[Allocation]:
    stmt = select(Allocation).where(Allocation.assessment_id == assessment_id).order_by(Allocation.allocated_at)
    return (await tx.session.execute(stmt)).scalars().all()


async def returns(tx: Transaction, assessment_id: uuid.UUID) -> Sequence[Return]:
    stmt = select(Return).where(Return.assessment_id == assessment_id).order_by(Return.returned_at)
    return (await tx.session.execute(stmt)).scalars().all()


async def claim_overdue(tx: Transaction, *, today: date, batch_size: int) -> list[AssessmentState]:
    """Open assessments past their due date and not flagged yet, locked; rows another replica has
    locked are skipped, and one it flagged and committed no longer matches: each is claimed once."""
    stmt = (
        select(ASSESSMENTS)
        .where(
            ASSESSMENTS.c.status.in_(OPEN_STATUSES),
            ASSESSMENTS.c.due_date < today,
            ASSESSMENTS.c.overdue_notified_at.is_(None),
        )
        .order_by(ASSESSMENTS.c.due_date, ASSESSMENTS.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return [assessment_state(r) for r in (await tx.session.execute(stmt)).all()]


async def assessment_by_id(tx: Transaction, assessment_id: uuid.UUID) -> AssessmentState | None:
    """The assessment, whoever may see it, locked (the history import's own records: no caller's team)."""
    row = (await tx.session.execute(select(ASSESSMENTS).where(ASSESSMENTS.c.id == assessment_id).with_for_update())).first()
    return assessment_state(row) if row is not None else None


async def section47_by_id(tx: Transaction, section47_id: uuid.UUID) -> Section47State | None:
    """The enquiry, whoever may see it, locked (the history import's own records)."""
    row = (await tx.session.execute(select(SECTION47).where(SECTION47.c.id == section47_id).with_for_update())).first()
    return section47_state(row) if row is not None else None
