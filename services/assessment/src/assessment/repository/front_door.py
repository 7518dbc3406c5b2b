"""The front door's events as a run: what a run of decisions and child events reads, in one
statement, and writes, in another (decision 27); and the assessments waiting for their child's
identity before partners hear their status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    any_,
    bindparam,
    literal,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from assessment.domain import (
    AssessmentAndEnquiry,
    AssessmentState,
    ChildIdentity,
)
from assessment.repository.rows import (
    ASSESSMENTS,
    CHILDREN,
    FRONT_DOOR,
    SECTION47,
    assessment_state,
    assessment_values,
    insert_many,
    section47_values,
    to_json,
)
from continuum.contracts import ChildRegistered, ChildUpdated
from continuum.persistence.child_copy import child_copy_values
from continuum.persistence.uow import Transaction

_AWAITING_PARTNER_STATUS = ASSESSMENTS.c.partner_status_sent.is_(False)
_PARTNER_STATUS_ORDER = (ASSESSMENTS.c.opened_at, ASSESSMENTS.c.id)

_UPSERT_CHILDREN_SQL = insert_many(
    CHILDREN,
    "children",
    on_conflict="ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c.name} = excluded.{c.name}" for c in CHILDREN.c if c.name != "id")
    + " WHERE children.version < excluded.version",  # an older version than the one held changes nothing
)
_UPSERT_CHILDREN = text(_UPSERT_CHILDREN_SQL)
#: What a run of front-door events writes, in ONE statement: the children's copies, the opened
#: assessments and their enquiries (the enquiries' foreign keys are checked at its end).
_WRITE_FRONT_DOOR_RUN = text(
    f"WITH children_written AS ({_UPSERT_CHILDREN_SQL}), "
    f"assessments_written AS ({insert_many(ASSESSMENTS, 'assessments')}), "
    f"section47_written AS ({insert_many(SECTION47, 'section47')}) "
    "SELECT 1"
)


#: What a run of front-door events reads, in ONE statement: which of its decisions' referrals opened
#: an assessment already, its children's copies (version and identity), and which of its children
#: have assessments waiting for their identity (loaded again, locked, only when there are any).
class _Found(StrEnum):
    """What a row of the run's lookup is (its first column, ``kind``)."""

    #: A child's copy: its version and identity.
    CHILD = "child"
    #: A referral whose decision opened an assessment already.
    OPENED = "opened"
    #: A child with assessments waiting for its identity.
    WAITING = "waiting"


_IDS = ARRAY(UUID(as_uuid=True))
_FRONT_DOOR_LOOKUP = union_all(
    select(
        literal(_Found.CHILD.value).label("kind"),
        CHILDREN.c.id,
        CHILDREN.c.version,
        CHILDREN.c.nhs_number,
        CHILDREN.c.date_of_birth,
        CHILDREN.c.expected_date_of_birth,
    ).where(CHILDREN.c.id == any_(bindparam("child_ids", type_=_IDS))),
    select(literal(_Found.OPENED.value), ASSESSMENTS.c.referral_id, null(), null(), null(), null()).where(
        ASSESSMENTS.c.referral_id == any_(bindparam("referral_ids", type_=_IDS)), FRONT_DOOR
    ),
    select(literal(_Found.WAITING.value), ASSESSMENTS.c.child_id, null(), null(), null(), null()).where(
        ASSESSMENTS.c.child_id == any_(bindparam("identified_ids", type_=_IDS)), _AWAITING_PARTNER_STATUS
    ),
)
_AWAITING_OF_CHILDREN = (
    select(ASSESSMENTS)
    .where(ASSESSMENTS.c.child_id == any_(bindparam("ids", type_=_IDS)), _AWAITING_PARTNER_STATUS)
    .order_by(*_PARTNER_STATUS_ORDER)
    .with_for_update()
)


async def write_front_door_run(
    tx: Transaction, *, children: Sequence[ChildRegistered | ChildUpdated], opened: Sequence[AssessmentAndEnquiry]
) -> None:
    """What a run of front-door events wrote, in one statement: the children's copies (one event each,
    at most one per child; an older version than the one held changes nothing), the opened
    assessments and their enquiries."""
    if not children and not opened:
        return
    params = {
        "children": to_json([child_copy_values(c) for c in children]),
        "assessments": to_json([{"id": o.assessment.id, **assessment_values(o.assessment)} for o in opened]),
        "section47": to_json([section47_values(o.section47) for o in opened if o.section47 is not None]),
    }
    await tx.session.execute(_WRITE_FRONT_DOOR_RUN, params)


async def awaiting_partner_status(tx: Transaction, child_id: uuid.UUID) -> list[AssessmentState]:
    """The child's assessments whose partners have not been told yet (they waited for the identity),
    oldest first (:func:`partner_status_order`), locked."""
    stmt = (
        select(ASSESSMENTS)
        .where(ASSESSMENTS.c.child_id == child_id, _AWAITING_PARTNER_STATUS)
        .order_by(*_PARTNER_STATUS_ORDER)
        .with_for_update()
    )
    return [assessment_state(r) for r in (await tx.session.execute(stmt)).all()]


def partner_status_order(state: AssessmentState) -> tuple[datetime, uuid.UUID]:
    """The order in which :func:`awaiting_partner_status` lists a child's assessments (PostgreSQL
    compares uuids byte by byte, as Python compares their integers)."""
    return state.opened_at, state.id


# --- loads for a run of events (one statement) ------------------------------------------------------


@dataclass(frozen=True)
class FrontDoorLookup:
    """What a run of front-door events needs to know before it is applied."""

    #: The referrals whose decisions opened an assessment already.
    opened_referrals: set[uuid.UUID]
    #: The version and identity held for each child that has a copy.
    copies: dict[uuid.UUID, tuple[int, ChildIdentity]]
    #: The assessments waiting for their child's identity (of the children asked about), locked,
    #: in :func:`partner_status_order`.
    waiting: list[AssessmentState]


async def front_door_lookup(
    tx: Transaction, *, referral_ids: Sequence[uuid.UUID], child_ids: Sequence[uuid.UUID], identified_ids: Sequence[uuid.UUID]
) -> FrontDoorLookup:
    """One statement for the run (and a second, to lock and load them, only if assessments are
    waiting for the identity of one of ``identified_ids``, the children whose copies the run keeps)."""
    params = {"referral_ids": list(referral_ids), "child_ids": list(child_ids), "identified_ids": list(identified_ids)}
    opened: set[uuid.UUID] = set()
    copies: dict[uuid.UUID, tuple[int, ChildIdentity]] = {}
    waiting: set[uuid.UUID] = set()
    for kind, id_, version, nhs_number, date_of_birth, expected in await tx.session.execute(_FRONT_DOOR_LOOKUP, params):
        found = _Found(kind)
        if found is _Found.CHILD:
            copies[id_] = (version, ChildIdentity(nhs_number, date_of_birth, expected))
        elif found is _Found.OPENED:
            opened.add(id_)
        else:
            waiting.add(id_)
    states = []
    if waiting:
        states = [assessment_state(r) for r in await tx.session.execute(_AWAITING_OF_CHILDREN, {"ids": list(waiting)})]
    return FrontDoorLookup(opened, copies, states)
