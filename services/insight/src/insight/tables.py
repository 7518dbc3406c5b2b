"""The insight service's tables (SQLAlchemy 2 typed mappings): the read model.

- ``case_events``: every case event, one row per event id (a redelivery changes nothing), with what
  every reader selects by (topic, type, case, child, team, time) as columns and the event's data
  whole as JSONB: the base the chronology reads now and the census, Annex A and measures later.
- ``episodes``: each case's child, from any event that names both (a request for information
  names only its case), so a child's events are found whatever order they came in.
- ``child_teams``: the teams that have held (or received) each child's cases, for object-level access.
- ``children``: the local copy of the child's identity, from ``child.*`` events.
- ``staff``: the council's staff as the identity provider names them (``sub``, name, teams), from
  every authenticated caller and from a directory export an admin loads: Annex A names a case's
  worker from it. Staff data, not a child's.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Date, DateTime, Index, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from continuum.persistence.child_copy import ChildCopy
from continuum.persistence.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Child(ChildCopy, Base):
    """The local copy of a child's identity (a chronology's summary), from ``child.*`` events."""

    __tablename__ = "children"


class CaseEventRow(Base):
    """One case event, as its producer published it."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_child_id_occurred_at", "child_id", "occurred_at", "id"),
        Index("ix_case_events_case_id_occurred_at", "case_id", "occurred_at", "id"),
        Index("ix_case_events_event_type_occurred_at", "event_type", "occurred_at"),
    )

    #: The envelope's id: the dedupe key.
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    topic: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(60))
    schema_version: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    child_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    team: Mapped[str | None] = mapped_column(String(50))
    #: The envelope's time: when the producer's change happened.
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EpisodeRow(Base):
    """Which child a case is of."""

    __tablename__ = "episodes"

    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)


class ChildTeams(Base):
    """The teams that have held a child's cases (``id``: the child's), in order, each once."""

    __tablename__ = "child_teams"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    teams: Mapped[list[str]] = mapped_column(ARRAY(String(50)))


class StaffRow(Base):
    """One member of staff: the identity provider's ``sub`` and ``name``, their teams, when they last
    called insight (null for one only loaded from the directory) and when the row last changed."""

    __tablename__ = "staff"

    sub: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    teams: Mapped[list[str]] = mapped_column(ARRAY(String(50)))
    last_seen_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


CASE_EVENTS, EPISODES, CHILD_TEAMS, STAFF = (cast(Table, m.__table__) for m in (CaseEventRow, EpisodeRow, ChildTeams, StaffRow))
