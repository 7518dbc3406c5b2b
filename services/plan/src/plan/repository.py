"""Every query of the plan service, and rows to and from domain states.

Reads of one plan go through the visible-to-this-principal load (another team's answers 404,
audited). Writes are Core statements built once from the table metadata; a transition's new state
is saved with one UPDATE of its row, and every version leaves a row with its quality.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Date, Integer, String, Table, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import UUID

from continuum.casework.errors import NotFound
from continuum.casework.principal import Principal
from continuum.contracts.plan import Agency, PlanType
from continuum.persistence.db import Prebuilt
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.access import load_visible
from plan.domain import OPEN_STATUSES, ChildIdentity, PlanState, PlanStatus
from plan.domain.drift import DriftFacts, Finding
from plan.domain.reviews import Review as ReviewState
from plan.domain.rules import may_see
from plan.domain.visits import Invitee
from plan.domain.visits import Meeting as MeetingState
from plan.domain.visits import Visit as VisitState
from plan.history import MEETINGS, REVIEWS, VERSIONS, VISITS
from plan.rows import (
    DRIFT_COLUMNS,
    drift_facts,
    plan_state,
    plan_values,
    quality_json,
)
from plan.tables import Child, DriftFinding, Plan

PLANS = cast(Table, Plan.__table__)
FINDINGS = cast(Table, DriftFinding.__table__)
CHILDREN = cast(Table, Child.__table__)

# Built once: the hot paths bind parameters to these.
_INSERT_PLAN = insert(PLANS)
_UPDATE_PLAN = update(PLANS).where(PLANS.c.id == bindparam("row_id"))
_INSERT_VERSION = insert(VERSIONS)
_INSERT_REVIEW = insert(REVIEWS)
_INSERT_VISIT = insert(VISITS)
_INSERT_MEETING = insert(MEETINGS)
_UPDATE_MEETING = update(MEETINGS).where(MEETINGS.c.id == bindparam("row_id"))
# The drift check's statements, one per batch whatever its size (arrays unnested, not a VALUES list
# compiled per call), prebuilt: run on the transaction's driver connection (decision 29).
_INSERT_FINDINGS = Prebuilt(
    text(
        "INSERT INTO plan_drift_findings (plan_id, kind, key, since, detected_at) "
        "SELECT f.plan_id, f.kind, f.key, f.since, :at FROM unnest(CAST(:plans AS uuid[]), CAST(:kinds AS varchar[]), "
        "CAST(:keys AS varchar[]), CAST(:since AS date[])) AS f(plan_id, kind, key, since) "
        "ON CONFLICT DO NOTHING RETURNING plan_id, kind, key"
    ).columns(plan_id=UUID(as_uuid=True), kind=String(), key=String())
)
_SET_NEXT_CHECKS = Prebuilt(
    text(
        "UPDATE plans SET drift_next_check = v.day FROM unnest(CAST(:ids AS uuid[]), CAST(:days AS date[])) AS v(id, day) "
        "WHERE plans.id = v.id"
    )
)
_CHILD_IDENTITY = select(CHILDREN.c.nhs_number, CHILDREN.c.date_of_birth, CHILDREN.c.date_of_death).where(
    CHILDREN.c.id == bindparam("child_id")
)


# --- writes -----------------------------------------------------------------------------------------


async def insert_plan(tx: Transaction, plan: PlanState) -> None:
    await tx.session.execute(_INSERT_PLAN, {"id": plan.id, **plan_values(plan)})


async def save_plan(tx: Transaction, plan: PlanState) -> None:
    await tx.session.execute(_UPDATE_PLAN, {"row_id": plan.id, **plan_values(plan)})


async def add_version(tx: Transaction, plan: PlanState, *, change: str, by: str, at: datetime) -> None:
    """The version's row, with the quality of the plan's actions at that version."""
    row = {"plan_id": plan.id, "version": plan.version, "change": change, "changed_by": by, "changed_at": at}
    await tx.session.execute(_INSERT_VERSION, row | {"quality": quality_json(plan.quality)})


async def add_review(
    tx: Transaction, plan: PlanState, review: ReviewState, *, at: datetime, imported_from: str | None = None
) -> None:
    r = review.record
    row = {
        "id": review.id,
        "plan_id": plan.id,
        "number": r.number,
        "review_date": r.on,
        "due_date": review.due_date,
        "decision": r.decision,
        "exit_criteria_met": r.exit_criteria_met,
        "concerns_remain": r.concerns_remain,
        "progressed": r.progressed,
        "progress": [{"action_id": str(a), "progress": p.value, "note": n} for a, p, n in review.progress],
        "summary": review.summary,
        "reviewed_by": review.by,
        "recorded_at": at,
        "imported_from": imported_from,
    }
    await tx.session.execute(_INSERT_REVIEW, row)


async def add_visit(tx: Transaction, plan: PlanState, visit: VisitState, *, at: datetime) -> None:
    values = {k: getattr(visit, k) for k in ("planned_date", "visit_date", "child_seen", "seen_alone", "reason_not_seen")}
    row = values | {"id": visit.id, "plan_id": plan.id, "within_frequency": visit.within_frequency}
    await tx.session.execute(_INSERT_VISIT, row | {"recorded_by": visit.by, "recorded_at": at})


def _invitees_json(m: MeetingState) -> list[dict[str, Any]]:
    return [{"agency": i.agency.value, "name": i.name, "attended": i.attended} for i in m.invitees]


async def add_meeting(tx: Transaction, plan: PlanState, meeting: MeetingState, *, at: datetime) -> None:
    row = {
        "id": meeting.id,
        "plan_id": plan.id,
        "kind": meeting.kind,
        "meeting_date": meeting.on,
        "invitees": _invitees_json(meeting),
        "agencies_left_out": [a.value for a in meeting.agencies_left_out],
        "scheduled_by": meeting.by,
        "scheduled_at": at,
    }
    await tx.session.execute(_INSERT_MEETING, row)


async def save_meeting(tx: Transaction, meeting: MeetingState) -> None:
    await tx.session.execute(_UPDATE_MEETING, {"row_id": meeting.id, "invitees": _invitees_json(meeting)})


async def record_findings(
    tx: Transaction, found: Sequence[tuple[uuid.UUID, Finding]], *, at: datetime
) -> set[tuple[uuid.UUID, str, str]]:
    """Insert the findings; those already recorded are left alone. Returns the ones this
    transaction recorded (a concurrent one waits for the first to commit, then records nothing)."""
    if not found:
        return set()
    values = {
        "plans": [p for p, _ in found],
        "kinds": [f.kind.value for _, f in found],
        "keys": [f.key for _, f in found],
        "since": [f.since for _, f in found],
        "at": at,
    }
    return {(r.plan_id, r.kind, r.key) for r in await tx.fetch(_INSERT_FINDINGS, values)}


async def set_next_checks(tx: Transaction, checks: Sequence[tuple[uuid.UUID, date | None]]) -> None:
    """When each plan is next due a look: one statement for the whole batch."""
    if checks:
        ids, days = [p for p, _ in checks], [d for _, d in checks]
        await tx.execute(_SET_NEXT_CHECKS, {"ids": ids, "days": days})


# --- loads ------------------------------------------------------------------------------------------


async def visible_plan(uow: UnitOfWork | Transaction, plan_id: uuid.UUID, *, purpose: str, lock: bool = False) -> PlanState:
    """The plan if the caller may see it; else 404 (audited), whether missing or another team's."""
    row = await load_visible(
        cast(UnitOfWork, uow),
        Plan,
        plan_id,
        may_see=lambda p, plan: may_see(p, plan.team, plan.lead_practitioner),
        subject_type="plan",
        purpose=purpose,
        lock=lock,
    )
    return plan_state(row)


async def open_plan_of(tx: Transaction, case_id: uuid.UUID, plan_type: PlanType) -> PlanState | None:
    """The case's open plan of that type (at most one), locked for the change that may follow."""
    stmt = (
        select(PLANS)
        .where(PLANS.c.case_id == case_id, PLANS.c.plan_type == plan_type, PLANS.c.status.in_(OPEN_STATUSES))
        .with_for_update()
    )
    row = (await tx.session.execute(stmt)).first()
    return plan_state(row) if row is not None else None


async def plan_by_id(tx: Transaction, plan_id: uuid.UUID) -> PlanState | None:
    """The plan with that id whoever's it is (an import's derived id), locked; ``None`` if none."""
    row = (await tx.session.execute(select(PLANS).where(PLANS.c.id == plan_id).with_for_update())).first()
    return plan_state(row) if row is not None else None


async def review_dates(tx: Transaction, plan_id: uuid.UUID) -> tuple[date, ...]:
    """The days the plan was reviewed, in order."""
    stmt = select(REVIEWS.c.review_date).where(REVIEWS.c.plan_id == plan_id).order_by(REVIEWS.c.number)
    return tuple((await tx.session.execute(stmt)).scalars())


async def child_identity(tx: Transaction, child_id: uuid.UUID) -> ChildIdentity | None:
    row = (await tx.session.execute(_CHILD_IDENTITY, {"child_id": child_id})).first()
    return ChildIdentity(row.nhs_number, row.date_of_birth, row.date_of_death) if row is not None else None


async def child(tx: Transaction, child_id: uuid.UUID) -> Child | None:
    return await tx.session.get(Child, child_id)


async def active_plans_of_child(tx: Transaction, child_id: uuid.UUID) -> list[PlanState]:
    """The child's started plans that have not ended (what partners should know of now)."""
    stmt = select(PLANS).where(PLANS.c.child_id == child_id, PLANS.c.status == PlanStatus.ACTIVE).order_by(PLANS.c.start_date)
    return [plan_state(r) for r in (await tx.session.execute(stmt)).all()]


async def earlier_cp_plans(tx: Transaction, child_id: uuid.UUID, *, plan_id: uuid.UUID, starting: date) -> int:
    """How many child protection plans the child started in this council before one starting on
    ``starting`` (census NumberOfPreviousCPP, this council's part), whatever their episode."""
    stmt = (
        select(func.count())
        .select_from(PLANS)
        .where(
            PLANS.c.child_id == child_id,
            PLANS.c.plan_type == PlanType.CP,
            PLANS.c.id != plan_id,
            PLANS.c.start_date.is_not(None),
            PLANS.c.start_date <= starting,
        )
    )
    return int((await tx.session.execute(stmt)).scalar_one())


async def previous_cp_plans_elsewhere(tx: Transaction, child_id: uuid.UUID) -> int:
    """The CP plans the child had in other councils, as recorded on the child (0 when not recorded)."""
    stmt = select(CHILDREN.c.previous_cp_plans_elsewhere).where(CHILDREN.c.id == child_id)
    return int((await tx.session.execute(stmt)).scalar() or 0)


async def meeting(tx: Transaction, plan_id: uuid.UUID, meeting_id: uuid.UUID) -> MeetingState:
    stmt = select(MEETINGS).where(MEETINGS.c.id == meeting_id, MEETINGS.c.plan_id == plan_id).with_for_update()
    row = (await tx.session.execute(stmt)).first()
    if row is None:
        raise NotFound("Meeting")
    invitees = tuple(Invitee(Agency(i["agency"]), i["name"], i.get("attended")) for i in row.invitees)
    left_out = tuple(Agency(a) for a in row.agencies_left_out)
    return MeetingState(row.id, row.kind, row.meeting_date, invitees, left_out, row.scheduled_by)


async def find(
    tx: Transaction, *, principal: Principal, case_id: uuid.UUID | None, child_id: uuid.UUID | None
) -> tuple[list[PlanState], set[uuid.UUID]]:
    """The plans of a case or a child, oldest first: those the caller may see, and the children of
    those left out (their refusal is audited)."""
    stmt = select(PLANS).order_by(PLANS.c.drafted_at, PLANS.c.id).limit(201)
    stmt = stmt.where(PLANS.c.case_id == case_id) if case_id else stmt.where(PLANS.c.child_id == child_id)
    shown, hidden = [], set()
    for row in (await tx.session.execute(stmt)).all():
        if may_see(principal, row.team, row.lead_practitioner):
            shown.append(plan_state(row))
        else:
            hidden.add(row.child_id)
    return shown, hidden


async def open_plans(tx: Transaction, *, teams: list[str] | None) -> list[tuple[PlanState, str | None]]:
    """The teams' started plans, each with the child's name (for the worklist)."""
    stmt = (
        select(PLANS, CHILDREN.c.given_name, CHILDREN.c.family_name)
        .outerjoin(CHILDREN, CHILDREN.c.id == PLANS.c.child_id)
        .where(PLANS.c.status == PlanStatus.ACTIVE)
    )
    if teams is not None:
        stmt = stmt.where(PLANS.c.team.in_(teams))
    found = []
    for row in (await tx.session.execute(stmt)).all():
        name = f"{row.given_name} {row.family_name}" if row.given_name else None
        found.append((plan_state(row), name))
    return found


_DRIFT_COLUMNS = [PLANS.c[name] for name in DRIFT_COLUMNS]


_CLAIM_DRIFT_DUE = Prebuilt(
    select(*_DRIFT_COLUMNS)
    .where(PLANS.c.status == PlanStatus.ACTIVE, PLANS.c.drift_next_check <= bindparam("today", type_=Date()))
    .order_by(PLANS.c.drift_next_check, PLANS.c.id)
    .limit(bindparam("batch_size", type_=Integer()))
    .with_for_update(skip_locked=True)
)


async def claim_drift_due(tx: Transaction, *, today: date, batch_size: int) -> list[DriftFacts]:
    """Started plans the drift check should look at today (only what its rules read), locked; rows
    another replica holds are skipped, and those it checked and committed no longer match."""
    rows = await tx.fetch(_CLAIM_DRIFT_DUE, {"today": today, "batch_size": batch_size})
    return [drift_facts(r) for r in rows]


async def recorded_findings(tx: Transaction, plan_id: uuid.UUID) -> Sequence[Any]:
    stmt = select(FINDINGS).where(FINDINGS.c.plan_id == plan_id).order_by(FINDINGS.c.detected_at, FINDINGS.c.kind)
    return (await tx.session.execute(stmt)).all()
