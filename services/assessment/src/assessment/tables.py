"""The assessment service's tables (SQLAlchemy 2 typed mappings)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from continuum.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Child(Base):
    """The local copy of a child's identity and census characteristics, from ``child.*`` events."""

    __tablename__ = "children"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    la_child_id: Mapped[str] = mapped_column(String(36))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    expected_date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    ethnicity: Mapped[str] = mapped_column(String(4))
    disabilities: Mapped[list[str]] = mapped_column(ARRAY(String(4)))
    upn: Mapped[str | None] = mapped_column(String(13))
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    postcode: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Assessment(Base):
    __tablename__ = "assessments"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    # One front-door decision opens one assessment, however often its event is delivered.
    referral_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    route: Mapped[str] = mapped_column(String(10))
    referral_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lead_practitioner: Mapped[str | None] = mapped_column(String(200))
    lead_practitioner_role: Mapped[str | None] = mapped_column(String(100))
    lead_is_social_worker: Mapped[bool | None] = mapped_column(Boolean)
    allocated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    start_date: Mapped[date | None] = mapped_column(Date)
    child_seen_date: Mapped[date | None] = mapped_column(Date)
    child_seen_alone: Mapped[bool | None] = mapped_column(Boolean)
    factors: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    primary_need: Mapped[str | None] = mapped_column(String(2))
    specialist_assessments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    recommendation_summary: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(20))
    authorisation_date: Mapped[date | None] = mapped_column(Date)
    authorised_by: Mapped[str | None] = mapped_column(String(200))
    authorised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closure_date: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(4))
    # Set in the same transaction as the assessment.overdue outbox row: at most one event each.
    overdue_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The partner status waits for the child's identity when the decision arrived first.
    partner_status_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index(
            "ix_assessments_open_due",
            "team",
            "due_date",
            "id",
            postgresql_where="status IN ('unallocated', 'in_progress', 'submitted')",
        ),
        Index(
            "ix_assessments_overdue_pending",
            "due_date",
            postgresql_where="overdue_notified_at IS NULL AND status IN ('unallocated', 'in_progress', 'submitted')",
        ),
        Index("ix_assessments_authorisation_date", "authorisation_date", postgresql_where="status = 'authorised'"),
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
    """A section 47 enquiry, opened beside its assessment when the front door decides on a strategy discussion."""

    __tablename__ = "section47_enquiries"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id"), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    team: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    strategy_discussion_date: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date | None] = mapped_column(Date)
    icpc_target_date: Mapped[date | None] = mapped_column(Date)
    icpc_date: Mapped[date | None] = mapped_column(Date)
    icpc_not_required: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(20))
    started_by: Mapped[str | None] = mapped_column(String(200))
    concluded_by: Mapped[str | None] = mapped_column(String(200))
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
