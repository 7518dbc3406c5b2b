"""The assessment service's tables (SQLAlchemy 2 typed mappings). Status, route and code columns
are typed enums stored as their values in plain VARCHAR columns (no database enum type, no CHECK),
so the stored strings are the published ones and a new value needs no migration of the type."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assessment.domain import OPEN_STATUSES, EscalationResult, EscalationTrigger, Section47Status, Status
from continuum.contracts.assessment import AssessmentOutcome, AssessmentRoute, ReallocationReason, Section47Outcome
from continuum.contracts.codes import PrimaryNeedCode, ReasonForClosure
from continuum.persistence.child_copy import ChildCopy
from continuum.persistence.db import NAMING_CONVENTION, enum_column


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: The open statuses in SQL, for the partial indexes of open assessments.
OPEN_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN_STATUSES))
#: Assessments a front-door decision opened (not an escalation from a plan, nor an import).
FRONT_DOOR_SQL = "escalated_from_plan_id IS NULL AND imported_from IS NULL"
#: Enquiries awaiting their start or started: at most one per case.
OPEN_ENQUIRY_SQL = f"status IN ('{Section47Status.AWAITING_START.value}', '{Section47Status.STARTED.value}')"


class Child(ChildCopy, Base):
    """The local copy of a child's identity and census characteristics, from ``child.*`` events."""

    __tablename__ = "children"


class Assessment(Base):
    __tablename__ = "assessments"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    # One front-door decision opens one assessment, however often its event is delivered (the
    # partial unique index below); an escalated assessment carries the episode's referral.
    referral_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    route: Mapped[AssessmentRoute] = mapped_column(enum_column(AssessmentRoute, 10))
    referral_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[Status] = mapped_column(enum_column(Status, 20))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lead_practitioner: Mapped[str | None] = mapped_column(String(200))
    lead_practitioner_role: Mapped[str | None] = mapped_column(String(100))
    lead_is_social_worker: Mapped[bool | None] = mapped_column(Boolean)
    allocated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    start_date: Mapped[date | None] = mapped_column(Date)
    child_seen_date: Mapped[date | None] = mapped_column(Date)
    child_seen_alone: Mapped[bool | None] = mapped_column(Boolean)
    factors: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    primary_need: Mapped[PrimaryNeedCode | None] = mapped_column(enum_column(PrimaryNeedCode, 2))
    specialist_assessments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    recommendation: Mapped[AssessmentOutcome | None] = mapped_column(enum_column(AssessmentOutcome, 20))
    recommendation_summary: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[AssessmentOutcome | None] = mapped_column(enum_column(AssessmentOutcome, 20))
    authorisation_date: Mapped[date | None] = mapped_column(Date)
    authorised_by: Mapped[str | None] = mapped_column(String(200))
    authorised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closure_date: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[ReasonForClosure | None] = mapped_column(enum_column(ReasonForClosure, 4))
    # Set in the same transaction as the assessment.overdue outbox row: at most one event each.
    overdue_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The partner status waits for the child's identity when the decision arrived first.
    partner_status_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set while the lead no longer meets the allocation rules (after a corrected decision).
    reallocation_reason: Mapped[ReallocationReason | None] = mapped_column(enum_column(ReallocationReason, 40))
    # The child in need plan whose escalation opened the assessment (NULL: the front door's decision did).
    escalated_from_plan_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The file of the council's history it was imported from (NULL: live work, decision 59).
    imported_from: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("uq_assessments_front_door_referral", "referral_id", unique=True, postgresql_where=FRONT_DOOR_SQL),
        Index("ix_assessments_open_due", "team", "due_date", "id", postgresql_where=OPEN_SQL),
        Index("ix_assessments_overdue_pending", "due_date", postgresql_where=f"overdue_notified_at IS NULL AND {OPEN_SQL}"),
        Index(
            "ix_assessments_authorisation_date", "authorisation_date", postgresql_where=f"status = '{Status.AUTHORISED.value}'"
        ),
    )


class Allocation(Base):
    """Every allocation and reallocation, in order: the assessment row holds the current one."""

    __tablename__ = "assessment_allocations"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), index=True)
    lead_practitioner: Mapped[str] = mapped_column(String(200))
    lead_practitioner_role: Mapped[str] = mapped_column(String(100))
    previous_lead_practitioner: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    allocated_by: Mapped[str] = mapped_column(String(200))
    allocated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Return(Base):
    """A manager sent the submitted assessment back, with reasons."""

    __tablename__ = "assessment_returns"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), index=True)
    reasons: Mapped[str] = mapped_column(Text)
    returned_by: Mapped[str] = mapped_column(String(200))
    returned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Section47(Base):
    """A section 47 enquiry, opened beside its assessment when the front door decides on a strategy
    discussion. An assessment has at most one current (not withdrawn) enquiry; a correction that
    withdraws one and a later one that asks again leave both, the first withdrawn."""

    __tablename__ = "section47_enquiries"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    team: Mapped[str] = mapped_column(String(50))
    status: Mapped[Section47Status] = mapped_column(enum_column(Section47Status, 20))
    strategy_discussion_date: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date | None] = mapped_column(Date)
    icpc_target_date: Mapped[date | None] = mapped_column(Date)
    icpc_date: Mapped[date | None] = mapped_column(Date)
    icpc_not_required: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[Section47Outcome | None] = mapped_column(enum_column(Section47Outcome, 20))
    started_by: Mapped[str | None] = mapped_column(String(200))
    concluded_by: Mapped[str | None] = mapped_column(String(200))
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The file of the council's history it was imported from (NULL: live work, decision 59).
    imported_from: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index(
            "uq_section47_enquiries_current",
            "assessment_id",
            unique=True,
            postgresql_where=f"status <> '{Section47Status.WITHDRAWN.value}'",
        ),
        # Never two open enquiries for one case (an escalation finding one open changes nothing).
        Index("uq_section47_enquiries_open_case", "case_id", unique=True, postgresql_where=OPEN_ENQUIRY_SQL),
    )


class EscalationTriggerRow(Base):
    """Every trigger of an escalation from a child in need plan, once (however often delivered):
    what it asked (the plan, the strategy discussion's date) and what it did: opened the assessment
    and enquiry named, or found that enquiry of the case open and changed nothing."""

    __tablename__ = "escalation_triggers"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    trigger: Mapped[EscalationTrigger] = mapped_column(enum_column(EscalationTrigger, 30))
    plan_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    team: Mapped[str] = mapped_column(String(50))
    strategy_discussion_date: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    result: Mapped[EscalationResult] = mapped_column(enum_column(EscalationResult, 20))
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"))
    section47_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section47_enquiries.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("trigger", "plan_id", "strategy_discussion_date"),)
