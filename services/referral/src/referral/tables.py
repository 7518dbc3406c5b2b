"""The referral service's tables (SQLAlchemy 2 typed mappings). Code-list and status columns are
enum columns that store the codes' values as before (VARCHAR, no CHECK: no data migration), and
read back as the enums; the repository writes and reads through the Core handles at the end."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import cast

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text, false, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from continuum.contracts import DecisionOutcome, ThresholdLevel
from continuum.contracts.codes import ReasonForClosure, ReferralSource, UPNUnknownReason
from continuum.persistence.child_copy import ChildIdentityColumns
from continuum.persistence.db import NAMING_CONVENTION, enum_column
from referral.domain import Agency, LawfulBasis, ReferralStatus


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _Referred:
    """What a referral says, alike on a referral and on a contact (a referral received while the
    child's episode was open, decision 34): a declarative mixin. Its columns and the keys before
    them come first (``sort_order``), in the order the tables have always had."""

    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), sort_order=-1)
    source: Mapped[ReferralSource] = mapped_column(enum_column(ReferralSource, 3), sort_order=-1)
    referrer_name: Mapped[str] = mapped_column(String(200), sort_order=-1)
    referrer_agency: Mapped[str] = mapped_column(String(200), sort_order=-1)
    concerns: Mapped[str] = mapped_column(Text, sort_order=-1)
    lawful_basis: Mapped[LawfulBasis] = mapped_column(enum_column(LawfulBasis, 50), sort_order=-1)
    suggested_threshold: Mapped[ThresholdLevel] = mapped_column(enum_column(ThresholdLevel, 30), sort_order=-1)
    team: Mapped[str] = mapped_column(String(50), sort_order=-1)


class Child(ChildIdentityColumns, Base):
    """The register of children: the identity every other service copies (``ChildIdentityColumns``),
    with what only the front door keeps (the address)."""

    __tablename__ = "children"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, sort_order=-2)
    la_child_id: Mapped[str] = mapped_column(String(20), unique=True, sort_order=-2)  # census LAchildID (1570, 1580)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    former_upn: Mapped[str | None] = mapped_column(String(13))
    upn_unknown_reason: Mapped[UPNUnknownReason | None] = mapped_column(enum_column(UPNUnknownReason, 4))
    date_of_death: Mapped[date | None] = mapped_column(Date)
    previous_cp_plans_elsewhere: Mapped[int | None] = mapped_column(Integer)
    # The file a child imported from a council's history came from (null: registered live; decision 59).
    imported_from: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        # The same NHS number or UPN is the same child: the database refuses a second record.
        Index("uq_children_nhs_number", "nhs_number", unique=True, postgresql_where="nhs_number IS NOT NULL"),
        Index("uq_children_upn", "upn", unique=True, postgresql_where="upn IS NOT NULL"),
    )


# Declared after the class: its columns come from the mixin.
Index("ix_children_name_dob", func.lower(Child.family_name), func.lower(Child.given_name), Child.date_of_birth)


class Referral(_Referred, Base):
    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, sort_order=-1)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True, sort_order=-1)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True, sort_order=-1)
    re_referral: Mapped[bool] = mapped_column(Boolean)
    decision_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stepped_up_from: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus, 20))
    decision: Mapped[DecisionOutcome | None] = mapped_column(enum_column(DecisionOutcome, 30))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    allocated_team: Mapped[str | None] = mapped_column(String(50))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_within_one_working_day: Mapped[bool | None] = mapped_column(Boolean)
    # The episode's closure as step-down announced it (case.closed; cleared by case.reopened).
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[ReasonForClosure | None] = mapped_column(enum_column(ReasonForClosure, 4))
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    # The file an imported referral came from (null: received live; decision 59).
    imported_from: Mapped[str | None] = mapped_column(String(200))
    # Imported as its open episode's current stage, and not moved on since (a later return, a decision).
    import_current_stage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_referrals_queue", "decision_due_at", "id", postgresql_where=f"status = '{ReferralStatus.RECEIVED.value}'"),
        Index("ix_referrals_child_received", "child_id", "received_at"),
    )


class _OfAReferral:
    """A row that belongs to one referral (its decisions, its information requests): a declarative
    mixin. Its columns come first (``sort_order``), where the tables have always had them."""

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, sort_order=-1)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True, sort_order=-1)


class Decision(_OfAReferral, Base):
    """Every decision and correction, in order: the referral row holds the current one."""

    __tablename__ = "referral_decisions"

    outcome: Mapped[DecisionOutcome] = mapped_column(enum_column(DecisionOutcome, 30))
    reasons: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(String(50))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    corrects: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referral_decisions.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    # The id of the referral.decided event that announced this decision (null before migration 0002).
    event_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class InformationRequest(_OfAReferral, Base):
    __tablename__ = "information_requests"

    agency: Mapped[Agency] = mapped_column(enum_column(Agency, 30))
    question: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class Contact(_Referred, Base):
    """A referral received while the child's episode was open, recorded on that episode (decision 34)."""

    __tablename__ = "contacts"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, sort_order=-1)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sort_order=-1)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True, sort_order=-1)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True, sort_order=-1)
    stepped_up_from: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    became_referral_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))

    __table_args__ = (Index("ix_contacts_received", "received_at", "id"),)


# Core handles on the tables, for the repository's prebuilt statements.
CHILDREN = cast(Table, Child.__table__)
REFERRALS = cast(Table, Referral.__table__)
DECISIONS = cast(Table, Decision.__table__)
INFORMATION_REQUESTS = cast(Table, InformationRequest.__table__)
CONTACTS = cast(Table, Contact.__table__)
