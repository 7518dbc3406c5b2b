"""The step-down service's tables (SQLAlchemy 2 typed mappings). Status and code columns are enum
columns: the domain's enums, stored as their published values in plain VARCHAR. Facts gathered
from other services' events, the handover and a plan's action summary are JSONB (read and written
whole, never queried inside)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from continuum.contracts.codes import ReasonForClosure
from continuum.persistence.child_copy import ChildCopy
from continuum.persistence.db import NAMING_CONVENTION, enum_column
from stepdown.domain.audit import Rating, SampledKind
from stepdown.domain.codes import (
    DeclineReason,
    EarlyHelpOutcome,
    Engagement,
    EscalationReason,
    StatutoryWork,
    StepdownStatus,
    TransitionKind,
    TransitionTrigger,
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Child(ChildCopy, Base):
    """The local copy of a child's identity (for the partner status), from ``child.*`` events."""

    __tablename__ = "children"


class EpisodeRow(Base):
    """What step-down knows of a case, from whichever producer spoke first."""

    __tablename__ = "episodes"

    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    referral_date: Mapped[date | None] = mapped_column(Date)
    front_door: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    plan_end: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    #: Section 47, ICPC, CIN and CP plans of the episode (census rule 2990), as StatutoryWork values.
    statutory_work: Mapped[list[StatutoryWork]] = mapped_column(
        ARRAY(enum_column(StatutoryWork, 10)), server_default=text("'{}'")
    )
    stepdown_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    #: The file of the council's history the episode was first heard of from (``None``: live work).
    imported_from: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


class StepdownRow(Base):
    __tablename__ = "stepdowns"
    __table_args__ = (
        Index(
            "ix_stepdowns_overdue_pending",
            "response_due",
            postgresql_where=text(f"status = '{StepdownStatus.PENDING}' AND escalated_at IS NULL"),
        ),
        Index(
            "uq_stepdowns_case_id_not_withdrawn",
            "case_id",
            unique=True,
            postgresql_where=text(f"status <> '{StepdownStatus.WITHDRAWN}'"),
        ),
        Index("ix_stepdowns_team_requested", "team", "requested_at", "id"),
        Index("ix_stepdowns_receiving_requested", "receiving_team", "requested_at", "id"),
        Index("ix_stepdowns_closure_date", "closure_date"),
        Index("ix_stepdowns_stepped_down_on", "stepped_down_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # One transition per episode (a withdrawn one aside): an episode closes once, however often its
    # events arrive.
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    kind: Mapped[TransitionKind] = mapped_column(enum_column(TransitionKind, 20))
    trigger: Mapped[TransitionTrigger] = mapped_column(enum_column(TransitionTrigger, 20))
    status: Mapped[StepdownStatus] = mapped_column(enum_column(StepdownStatus, 20))
    referral_date: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date)
    assessed: Mapped[bool] = mapped_column(Boolean)
    unmet_need: Mapped[bool] = mapped_column(Boolean)
    actions: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    lead_practitioner: Mapped[str | None] = mapped_column(String(200))
    receiving_team: Mapped[str | None] = mapped_column(String(50))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stepped_down_on: Mapped[date] = mapped_column(Date)
    response_due: Mapped[date | None] = mapped_column(Date)
    handover: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(200))
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason, 40))
    decline_detail: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalation_reason: Mapped[EscalationReason | None] = mapped_column(enum_column(EscalationReason, 20))
    engagement: Mapped[Engagement | None] = mapped_column(enum_column(Engagement, 20))
    engagement_recorded_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[EarlyHelpOutcome | None] = mapped_column(enum_column(EarlyHelpOutcome, 30))
    early_help_closed_on: Mapped[date | None] = mapped_column(Date)
    closure_date: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[ReasonForClosure | None] = mapped_column(enum_column(ReasonForClosure, 4))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    step_up_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    re_referred_on: Mapped[date | None] = mapped_column(Date)
    statutory_work: Mapped[list[StatutoryWork]] = mapped_column(
        ARRAY(enum_column(StatutoryWork, 10)), server_default=text("'{}'")
    )
    #: When the front door's correction withdrew its closure (``case.reopened``).
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The file of the council's history an imported closure came from (``None``: live work).
    imported_from: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


class Escalation(Base):
    """The team manager's worklist item for a declined or unanswered handover: one per handover
    (the unique key makes a racing second replica's insert a no-op)."""

    __tablename__ = "escalations"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    stepdown_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    team: Mapped[str] = mapped_column(String(50), index=True)
    reason: Mapped[EscalationReason] = mapped_column(enum_column(EscalationReason, 20))
    response_due: Mapped[date] = mapped_column(Date)
    escalated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StepUpRow(Base):
    __tablename__ = "step_ups"
    __table_args__ = (Index("ix_step_ups_requested_on", "requested_on"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_on: Mapped[date] = mapped_column(Date)
    concerns: Mapped[str] = mapped_column(Text)
    what_was_tried: Mapped[str] = mapped_column(Text)
    stepdown_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)
    within_12_months: Mapped[bool | None] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class AuditSampleItem(Base):
    """One record drawn for a month's audit, and the auditor's finding."""

    __tablename__ = "audit_sample_items"
    __table_args__ = (UniqueConstraint("month", "kind", "record_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[SampledKind] = mapped_column(enum_column(SampledKind, 20))
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    team: Mapped[str] = mapped_column(String(50))
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating, 30))
    finding: Mapped[str | None] = mapped_column(Text)
    learning: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)


#: The tables as Core tables, for the queries.
EPISODES, STEPDOWNS, ESCALATIONS = (cast(Table, m.__table__) for m in (EpisodeRow, StepdownRow, Escalation))
STEP_UPS, SAMPLE, CHILDREN = (cast(Table, m.__table__) for m in (StepUpRow, AuditSampleItem, Child))
