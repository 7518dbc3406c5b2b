"""The partners service's tables: the latest status each agency was sent per child (by NHS number),
and the sharing log, one row per decision (shared or not) per source event and agency. The decision
and the status are enum columns; the agency is its id in the council policy."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import cast

from sqlalchemy import Date, DateTime, Index, MetaData, String, Table
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from continuum.contracts import PartnerStatus
from continuum.persistence.db import NAMING_CONVENTION, enum_column
from partners.domain import Decision


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AgencyStatus(Base):
    """The latest status an agency was sent for a child: what an older status loses to."""

    __tablename__ = "agency_statuses"

    agency_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[PartnerStatus] = mapped_column(enum_column(PartnerStatus, 20))
    since: Mapped[date] = mapped_column(Date)
    source_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))


class SharingLogRow(Base):
    """One decision to share a status with an agency, or not, and why (the 2026 Act's record)."""

    __tablename__ = "sharing_log"
    __table_args__ = (
        Index("ix_sharing_log_decided_at_id", "decided_at", "id"),
        Index("ix_sharing_log_agency_id_decided_at", "agency_id", "decided_at"),
        Index("ix_sharing_log_nhs_number_decided_at", "nhs_number", "decided_at"),
    )

    #: One per source event and agency: the id of the ``partner.status`` event sent, when shared.
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    agency_id: Mapped[str] = mapped_column(String(40))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, 20))
    status: Mapped[PartnerStatus] = mapped_column(enum_column(PartnerStatus, 20))
    since: Mapped[date] = mapped_column(Date)
    #: The NHS number, when the status had one; the child's id when it was withheld for want of one.
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    child_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    lawful_basis: Mapped[str] = mapped_column(String(700))
    source_service: Mapped[str] = mapped_column(String(40))
    source_event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))


STATUSES, LOG = (cast(Table, m.__table__) for m in (AgencyStatus, SharingLogRow))
