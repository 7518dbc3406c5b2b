"""The plan service's tables (SQLAlchemy 2 typed mappings). Status and code columns are typed
enums stored as their values in plain VARCHAR columns. A plan's parts that are only ever read with
it (content, actions, family network, interventions, ending, its last review) are JSONB on its
row; what grows as history (versions, reviews, visits, meetings, drift findings) has its own table.
Pre-proceedings belong to the episode, not to a plan: their blocks have their own table, beside
what the service knows of each episode."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from continuum.contracts import plan as contract
from continuum.contracts.codes import CategoryOfAbuse, PrimaryNeedCode
from continuum.persistence.child_copy import ChildCopy
from continuum.persistence.db import NAMING_CONVENTION, enum_column
from plan.domain.states import PlanStatus


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Open plans in SQL, for the partial indexes.
OPEN_SQL = f"status IN ('{PlanStatus.DRAFT.value}', '{PlanStatus.ACTIVE.value}')"
ACTIVE_SQL = f"status = '{PlanStatus.ACTIVE.value}'"


class Child(ChildCopy, Base):
    """The local copy of a child's identity and census characteristics, from ``child.*`` events."""

    __tablename__ = "children"


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    plan_type: Mapped[contract.PlanType] = mapped_column(enum_column(contract.PlanType, 3))
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, 10))
    drafted_from: Mapped[contract.DraftedFrom] = mapped_column(enum_column(contract.DraftedFrom, 20))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    section47_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    conference_date: Mapped[date | None] = mapped_column(Date)
    lead_practitioner: Mapped[str | None] = mapped_column(String(200))
    factors: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    primary_need: Mapped[PrimaryNeedCode | None] = mapped_column(enum_column(PrimaryNeedCode, 2))
    initial_category: Mapped[CategoryOfAbuse | None] = mapped_column(enum_column(CategoryOfAbuse, 3))
    latest_category: Mapped[CategoryOfAbuse | None] = mapped_column(enum_column(CategoryOfAbuse, 3))
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    agencies_involved: Mapped[list[str]] = mapped_column(ARRAY(String(30)), default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    family: Mapped[dict[str, Any]] = mapped_column(JSONB)
    interventions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    start_date: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    next_review_due: Mapped[date | None] = mapped_column(Date)
    last_review: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    last_visit: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    last_seen_alone: Mapped[date | None] = mapped_column(Date)
    next_visit_due: Mapped[date | None] = mapped_column(Date)
    ending: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    end_date: Mapped[date | None] = mapped_column(Date)
    next_step: Mapped[contract.NextStep | None] = mapped_column(enum_column(contract.NextStep, 30))
    strategy_discussions: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list, server_default="{}")
    previous_cp_plans: Mapped[int | None] = mapped_column(Integer)
    # What the drift rules read beyond the columns above (domain.drift.facts), kept at every save.
    open_action_due_dates: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list)
    last_review_on: Mapped[date | None] = mapped_column(Date)
    last_review_progressed: Mapped[bool | None] = mapped_column(Boolean)
    # When the drift check should next look at the plan (the domain says: drift.check_due).
    drift_next_check: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The census return an imported plan came from (decision 59); null for live work.
    imported_from: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        # One open plan of each type per case, however often the events that draft it arrive.
        Index("uq_plans_open_case_type", "case_id", "plan_type", unique=True, postgresql_where=OPEN_SQL),
        Index("ix_plans_team_open", "team", "status", postgresql_where=OPEN_SQL),
        Index("ix_plans_drift_due", "drift_next_check", postgresql_where=ACTIVE_SQL),
    )


class PlanVersion(Base):
    """Every version of a plan: who changed what, and its quality on the five criteria then."""

    __tablename__ = "plan_versions"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    change: Mapped[str] = mapped_column(String(50))
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    quality: Mapped[dict[str, Any]] = mapped_column(JSONB)


class Review(Base):
    __tablename__ = "plan_reviews"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    review_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    decision: Mapped[contract.ReviewDecision] = mapped_column(enum_column(contract.ReviewDecision, 30))
    exit_criteria_met: Mapped[bool] = mapped_column(Boolean)
    concerns_remain: Mapped[bool] = mapped_column(Boolean)
    progressed: Mapped[bool] = mapped_column(Boolean)
    progress: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    summary: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_from: Mapped[str | None] = mapped_column(String(200))


class Visit(Base):
    __tablename__ = "plan_visits"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), index=True)
    planned_date: Mapped[date | None] = mapped_column(Date)
    visit_date: Mapped[date | None] = mapped_column(Date)
    child_seen: Mapped[bool] = mapped_column(Boolean)
    seen_alone: Mapped[bool] = mapped_column(Boolean)
    reason_not_seen: Mapped[str | None] = mapped_column(Text)
    within_frequency: Mapped[bool | None] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Meeting(Base):
    __tablename__ = "plan_meetings"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), index=True)
    kind: Mapped[contract.MeetingKind] = mapped_column(enum_column(contract.MeetingKind, 30))
    meeting_date: Mapped[date] = mapped_column(Date)
    invitees: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    agencies_left_out: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    scheduled_by: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DriftFinding(Base):
    """A drift finding announced once: the key makes ``plan.drift_detected`` exactly-once (inserted
    with ON CONFLICT DO NOTHING in the transaction that writes the event)."""

    __tablename__ = "plan_drift_findings"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    kind: Mapped[contract.DriftKind] = mapped_column(enum_column(contract.DriftKind, 30), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    since: Mapped[date] = mapped_column(Date)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EpisodeRow(Base):
    """What the service knows of an episode (case): opened by an assessment or a plan, closed and
    reopened by step-down (``domain.episodes``)."""

    __tablename__ = "episodes"

    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PreproceedingsRow(Base):
    """One pre-proceedings block of an episode (census PreProceedingsandFGDM)."""

    __tablename__ = "preproceedings"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    team: Mapped[str] = mapped_column(String(50))
    plan_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    start_date: Mapped[date] = mapped_column(Date)
    letter_before_proceedings_date: Mapped[date | None] = mapped_column(Date)
    fgdm_offered: Mapped[bool | None] = mapped_column(Boolean)
    fgdm_held: Mapped[bool | None] = mapped_column(Boolean)
    initial_meeting_date: Mapped[date | None] = mapped_column(Date)
    review_meeting_dates: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list)
    decision: Mapped[contract.PreproceedingsDecision | None] = mapped_column(enum_column(contract.PreproceedingsDecision, 30))
    decision_date: Mapped[date | None] = mapped_column(Date)
    court_application_date: Mapped[date | None] = mapped_column(Date)
    letter_initiating_proceedings_date: Mapped[date | None] = mapped_column(Date)
    fgdm_exception_reason: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    # Imported (decision 59): the return it came from, and its count of review meetings when the
    # return gave the count (census ReviewMeetingsCount) without their dates.
    imported_from: Mapped[str | None] = mapped_column(String(200))
    review_meetings_count: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # One undecided block per episode: a later one starts after the step decision.
        Index("uq_preproceedings_undecided_case", "case_id", unique=True, postgresql_where="decision IS NULL"),
    )
