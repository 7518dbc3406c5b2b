"""The local copy of a child's identity that every service after the front door keeps, from the
referral service's ``child.registered`` and ``child.updated`` events (services never read each
other's databases).

A service declares its table with the mixin (``class Child(ChildCopy, Base): __tablename__ =
"children"``) and keeps it with :func:`upsert_child_copy` in its ``child.*`` handler: a version older
than the one held changes nothing, so redelivered or reordered events are harmless. Its answers
show the copy as :class:`ChildSummary`.

A service that tells partners a status (decision 34) holds it back while the child's NHS number is
unknown; :func:`keep_child_copy` keeps the copy and, when it gains or changes the number, asks the
service for the statuses to announce under it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import Date, DateTime, Integer, String, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from continuum.casework import clock
from continuum.casework.partners import number_to_announce
from continuum.contracts import ChildRegistered, ChildUpdated, EventData
from continuum.contracts.codes import Ethnicity, Sex, UPNUnknownReason
from continuum.persistence.db import Prebuilt, enum_column
from continuum.persistence.transaction import EventKey, Transaction


class ChildIdentityColumns:
    """The columns of a child's identity and census characteristics, alike in the referral service's
    register of children and in every other service's copy of it (a declarative mixin). They stand
    after a table's own keys (``sort_order``: the keys -2, these -1, the rest 0), in the order the
    tables have always had."""

    given_name: Mapped[str] = mapped_column(String(100), sort_order=-1)
    family_name: Mapped[str] = mapped_column(String(100), sort_order=-1)
    date_of_birth: Mapped[date | None] = mapped_column(Date, sort_order=-1)
    expected_date_of_birth: Mapped[date | None] = mapped_column(Date, sort_order=-1)
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, 1), sort_order=-1)
    ethnicity: Mapped[Ethnicity] = mapped_column(enum_column(Ethnicity, 4), sort_order=-1)
    disabilities: Mapped[list[str]] = mapped_column(ARRAY(String(4)), sort_order=-1)
    upn: Mapped[str | None] = mapped_column(String(13), sort_order=-1)
    nhs_number: Mapped[str | None] = mapped_column(String(10), sort_order=-1)


class ChildCopy(ChildIdentityColumns):
    """Columns of the local copy of a child (a declarative mixin)."""

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, sort_order=-2)
    la_child_id: Mapped[str] = mapped_column(String(36), sort_order=-2)
    postcode: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    former_upn: Mapped[str | None] = mapped_column(String(13))
    upn_unknown_reason: Mapped[UPNUnknownReason | None] = mapped_column(enum_column(UPNUnknownReason, 4))
    date_of_death: Mapped[date | None] = mapped_column(Date)
    previous_cp_plans_elsewhere: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChildSummary(BaseModel):
    """The local copy of the child's identity in an answer (``null`` there until the ``child.*``
    event arrives); made from a ChildCopy row with ``model_validate(row, from_attributes=True)``."""

    la_child_id: str = Field(description="The council's id of the child (census LAchildID)")
    given_name: str = Field(description="Given name")
    family_name: str = Field(description="Family name")
    date_of_birth: date | None = Field(description="Date of birth (null for an unborn child)")
    expected_date_of_birth: date | None = Field(description="Expected date of birth of an unborn child")
    nhs_number: str | None = Field(description="NHS number, if known")


#: The child every service's OpenAPI examples show (the dev stack's example child, as the referral
#: service's walk-through registers it), as an answer carries it.
EXAMPLE_CHILD = ChildSummary(
    la_child_id="DEV000123",
    given_name="Sam",
    family_name="Example",
    date_of_birth=date(2017, 5, 4),
    expected_date_of_birth=None,
    nhs_number="9434765919",
)


def child_copy_values(data: ChildRegistered | ChildUpdated) -> dict[str, Any]:
    """The row of the local copy that ``data`` describes."""
    values = data.model_dump(exclude={"child_id"}) | {"id": data.child_id, "updated_at": clock.now()}
    values["sex"] = data.sex.value
    values["ethnicity"] = data.ethnicity.value
    values["disabilities"] = [d.value for d in data.disabilities]
    values["upn_unknown_reason"] = data.upn_unknown_reason.value if data.upn_unknown_reason else None
    return values


async def upsert_child_copy(session: AsyncSession, model: type[ChildCopy], data: ChildRegistered | ChildUpdated) -> None:
    """Insert the child, or update it when ``data`` is a newer version than the one held."""
    values = child_copy_values(data)
    stmt = pg_insert(model).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[model.id],
        set_={k: stmt.excluded[k] for k in values if k != "id"},
        where=model.version < stmt.excluded.version,
    )
    await session.execute(stmt)


#: Each copy table's set-based upsert, prebuilt once (:func:`_upsert_copies`).
_UPSERTS: dict[str, Prebuilt] = {}


def _upsert_copies(model: type[ChildCopy]) -> Prebuilt:
    """An upsert of any number of copies given as one JSON array (``:rows``), PostgreSQL making the
    table's records of it; an older version than the one held changes nothing."""
    table = model.__table__  # type: ignore[attr-defined]
    if table.name not in _UPSERTS:
        columns = ", ".join(c.name for c in table.c)
        updates = ", ".join(f"{c.name} = excluded.{c.name}" for c in table.c if c.name != "id")
        _UPSERTS[table.name] = Prebuilt(
            text(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns}"
                f" FROM jsonb_populate_recordset(NULL::{table.name}, CAST(:rows AS jsonb))"
                f" ON CONFLICT (id) DO UPDATE SET {updates} WHERE {table.name}.version < excluded.version"
            )
        )
    return _UPSERTS[table.name]


async def keep_child_copies(tx: Transaction, model: type[ChildCopy], run: Sequence[ChildRegistered | ChildUpdated]) -> None:
    """In ``tx``: the copies a run of ``child.*`` events describe, with one statement (the rows as
    one JSON parameter): of each child, the run's newest version, unless the copy holds a newer
    one; each event's copy audited (``child.copy``), as :func:`keep_child_copy` audits it. For a
    service that tells partners nothing: no statuses are announced."""
    if not run:
        return
    newest: dict[uuid.UUID, ChildRegistered | ChildUpdated] = {}
    for data in run:
        held = newest.get(data.child_id)
        if held is None or data.version > held.version:
            newest[data.child_id] = data
    rows = orjson.dumps([child_copy_values(data) for data in newest.values()]).decode()
    await tx.execute(_upsert_copies(model), {"rows": rows})
    for data in run:
        await tx.audit("child.copy", subject_type="child", subject_id=data.child_id, purpose=KEEP_PURPOSE)


C = TypeVar("C", bound=ChildCopy)

#: The statuses a service owns for a child whose copy just gained (or changed) its NHS number:
#: given the transaction (to read and mark what it announces), the copy as it now stands and the
#: number it held before (``None``: none).
Announce = Callable[[Transaction, C, str | None], Awaitable[Sequence[EventData]]]

#: The purpose of the audit row of a kept copy.
KEEP_PURPOSE = "keep the local copy of the child's identity"


async def keep_child_copy(
    tx: Transaction,
    model: type[C],
    data: ChildRegistered | ChildUpdated,
    *,
    announce: Announce[C] | None = None,
    audited: bool = True,
) -> C | None:
    """In ``tx``: upsert the copy (:func:`upsert_child_copy`), audit it (``child.copy``, unless not
    ``audited``) and, when the copy gained an NHS number or holds another one now, publish what
    ``announce`` returns keyed by that number (partners match on it). The copy as it now stands."""
    before = (await tx.session.execute(select(model.nhs_number).where(model.id == data.child_id))).scalar_one_or_none()
    await upsert_child_copy(tx.session, model, data)
    if audited:
        await tx.audit("child.copy", subject_type="child", subject_id=data.child_id, purpose=KEEP_PURPOSE)
    fresh = select(model).where(model.id == data.child_id).execution_options(populate_existing=True)
    copy: C | None = (await tx.session.execute(fresh)).scalar_one_or_none()
    number = number_to_announce(before, copy.nhs_number if copy is not None else None)
    if announce is not None and copy is not None and number is not None:
        # A partner status names its own key (the NHS number); the number stands in as the aggregate.
        await tx.publish_all(await announce(tx, copy, before), aggregate=EventKey(number, 0))
    return copy
