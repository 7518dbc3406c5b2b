"""Every query of the plan service, and rows to and from domain states.

Reads of one plan go through the visible-to-this-principal load (another team's answers 404,
audited). Writes are Core statements built once from the table metadata; a transition's new state
is saved with one UPDATE of its row, and every version leaves a row with its quality.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, cast

from sqlalchemy import Date, Integer, String, Table, bindparam, func, insert, literal, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.casework.principal import Principal
from continuum.contracts.plan import Agency, PlanStatus, PlanType
from continuum.persistence.db import Prebuilt
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.access import load_visible
from continuum.web.errors import not_found
from plan.domain import (
    OPEN_STATUSES,
    ChildIdentity,
    Episode,
    PlanState,
    Preproceedings,
)
from plan.domain.content import Quality
from plan.domain.drift import DriftFacts, Finding
from plan.domain.reviews import Review as ReviewState
from plan.domain.visits import Invitee
from plan.domain.visits import Meeting as MeetingState
from plan.domain.visits import Visit as VisitState
from plan.rows import (
    drift_facts,
    episode_state,
    episode_values,
    plan_state,
    plan_values,
    preproceedings_state,
    preproceedings_values,
    quality_json,
)
from plan.tables import Child, DriftFinding, EpisodeRow, Meeting, Plan, PlanVersion, PreproceedingsRow, Review, Visit

PLANS = cast(Table, Plan.__table__)
VERSIONS = cast(Table, PlanVersion.__table__)
REVIEWS = cast(Table, Review.__table__)
VISITS = cast(Table, Visit.__table__)
MEETINGS = cast(Table, Meeting.__table__)
FINDINGS = cast(Table, DriftFinding.__table__)
CHILDREN = cast(Table, Child.__table__)
EPISODES = cast(Table, EpisodeRow.__table__)
BLOCKS = cast(Table, PreproceedingsRow.__table__)

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
_CHILD_IDENTITY = select(CHILDREN.c.nhs_number, CHILDREN.c.date_of_birth).where(CHILDREN.c.id == bindparam("child_id"))


# --- writes -----------------------------------------------------------------------------------------


async def insert_plan(tx: Transaction, plan: PlanState, *, drift_next_check: date | None) -> None:
    await tx.session.execute(_INSERT_PLAN, {"id": plan.id, **plan_values(plan, drift_next_check=drift_next_check)})


async def save_plan(tx: Transaction, plan: PlanState, *, drift_next_check: date | None) -> None:
    await tx.session.execute(_UPDATE_PLAN, {"row_id": plan.id, **plan_values(plan, drift_next_check=drift_next_check)})


async def add_version(tx: Transaction, plan: PlanState, *, change: str, by: str, at: datetime, quality: Quality) -> None:
    row = {"plan_id": plan.id, "version": plan.version, "change": change, "changed_by": by, "changed_at": at}
    await tx.session.execute(_INSERT_VERSION, row | {"quality": quality_json(quality)})


async def add_review(tx: Transaction, plan: PlanState, review: ReviewState, *, at: datetime) -> None:
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


def may_see(principal: Principal, team: str, lead_practitioner: str | None) -> bool:
    """Practitioners and managers see their teams' plans (and the ones they lead); auditors all."""
    return principal.can_see_team(team) or (lead_practitioner is not None and principal.sub == lead_practitioner)


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


async def open_plan_of(tx: Transaction, case_id: uuid.UUID, plan_type: str) -> PlanState | None:
    """The case's open plan of that type (at most one), locked for the change that may follow."""
    stmt = (
        select(PLANS)
        .where(PLANS.c.case_id == case_id, PLANS.c.plan_type == plan_type, PLANS.c.status.in_(OPEN_STATUSES))
        .with_for_update()
    )
    row = (await tx.session.execute(stmt)).first()
    return plan_state(row) if row is not None else None


async def child_identity(tx: Transaction, child_id: uuid.UUID) -> ChildIdentity | None:
    row = (await tx.session.execute(_CHILD_IDENTITY, {"child_id": child_id})).first()
    return ChildIdentity(row.nhs_number, row.date_of_birth) if row is not None else None


async def child(tx: Transaction, child_id: uuid.UUID) -> Child | None:
    return await tx.session.get(Child, child_id)


async def active_plans_of_child(tx: Transaction, child_id: uuid.UUID) -> list[PlanState]:
    """The child's started plans that have not ended (what partners should know of now)."""
    stmt = select(PLANS).where(PLANS.c.child_id == child_id, PLANS.c.status == PlanStatus.ACTIVE).order_by(PLANS.c.start_date)
    return [plan_state(r) for r in (await tx.session.execute(stmt)).all()]


async def child_nhs_number(tx: Transaction, child_id: uuid.UUID) -> str | None:
    """The NHS number the local copy of the child holds (``None`` without one, or without a copy)."""
    return cast(str | None, (await tx.session.execute(_CHILD_IDENTITY, {"child_id": child_id})).scalar())


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
        raise not_found("Meeting")
    invitees = tuple(Invitee(Agency(i["agency"]), i["name"], i.get("attended")) for i in row.invitees)
    left_out = tuple(Agency(a) for a in row.agencies_left_out)
    return MeetingState(row.id, row.kind, row.meeting_date, invitees, left_out, row.scheduled_by)


#: The lists of a plan's history, paged (a plan's read carries the first page of each).
HistoryKind = Literal["versions", "reviews", "visits", "meetings"]
HISTORY_KINDS: tuple[HistoryKind, ...] = ("versions", "reviews", "visits", "meetings")


@dataclass(frozen=True)
class _History:
    """A history list: its table, when each row was recorded, and the key that orders it (a
    per-plan sequence, the version or review number, or the row id after the instant)."""

    table: Table
    at: str
    key: str
    sequence: bool


_HISTORY: dict[str, _History] = {
    "versions": _History(VERSIONS, "changed_at", "version", sequence=True),
    "reviews": _History(REVIEWS, "recorded_at", "number", sequence=True),
    "visits": _History(VISITS, "recorded_at", "id", sequence=False),
    "meetings": _History(MEETINGS, "scheduled_at", "id", sequence=False),
}


@dataclass(frozen=True)
class HistoryPage:
    """Up to ``limit + 1`` rows of a history list after the cursor (the extra one only says there
    is more), and how many rows the list holds after the cursor."""

    rows: Sequence[Any]
    total: int


def history_position(kind: str, row: Any) -> tuple[datetime, uuid.UUID]:
    """A row's place in its list, as a cursor holds it (a sequence number travels as a UUID)."""
    h = _HISTORY[kind]
    key = getattr(row, h.key)
    return getattr(row, h.at), uuid.UUID(int=key) if h.sequence else key


async def history_page(
    tx: Transaction, plan_id: uuid.UUID, kind: str, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> HistoryPage:
    """One page of the plan's ``kind`` list, oldest first, after the cursor's position."""
    h = _HISTORY[kind]
    table = h.table
    stmt = select(table, func.count().over().label("total_rows")).where(table.c.plan_id == plan_id)
    if h.sequence:
        if after is not None:
            stmt = stmt.where(table.c[h.key] > after[1].int)
        stmt = stmt.order_by(table.c[h.key])
    else:
        if after is not None:
            stmt = stmt.where(tuple_(table.c[h.at], table.c[h.key]) > tuple_(literal(after[0]), literal(after[1])))
        stmt = stmt.order_by(table.c[h.at], table.c[h.key])
    rows = (await tx.session.execute(stmt.limit(limit + 1))).all()
    return HistoryPage(rows=rows, total=rows[0].total_rows if rows else 0)


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


_DRIFT_COLUMNS = [
    PLANS.c[name]
    for name in (
        "id",
        "case_id",
        "child_id",
        "team",
        "plan_type",
        "status",
        "start_date",
        "next_review_due",
        "next_visit_due",
        "open_action_due_dates",
        "last_review_on",
        "last_review_progressed",
        "version",
    )
]


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


# --- episodes and pre-proceedings -------------------------------------------------------------------

_UPDATE_BLOCK = update(BLOCKS).where(BLOCKS.c.id == bindparam("row_id"))


async def episode(tx: Transaction, case_id: uuid.UUID) -> Episode | None:
    """What the service knows of the episode, locked for the change that may follow."""
    row = (await tx.session.execute(select(EPISODES).where(EPISODES.c.case_id == case_id).with_for_update())).first()
    return episode_state(row) if row is not None else None


async def save_episode(tx: Transaction, known: Episode, *, at: datetime) -> None:
    values = episode_values(known, at=at)
    stmt = pg_insert(EPISODES).values(**values)
    await tx.session.execute(stmt.on_conflict_do_update(index_elements=[EPISODES.c.case_id], set_=values))


async def visible_episode(tx: Transaction, case_id: uuid.UUID, *, purpose: str) -> Episode:
    """The episode if the caller may see its team's records; else 404 (audited), whether the
    service does not know it or it is another team's."""
    found = await episode(tx, case_id)
    if found is None or not may_see(tx.principal_or_fail(), found.team, None):
        tx.audit_refusal("case.read", subject_type="case", subject_id=case_id, purpose=purpose)
        raise not_found("Episode")
    return found


async def active_plan_of_case(tx: Transaction, case_id: uuid.UUID) -> uuid.UUID | None:
    """The case's started plan that has not ended (a CP plan before a CIN plan), if any."""
    stmt = (
        select(PLANS.c.id)
        .where(PLANS.c.case_id == case_id, PLANS.c.status == PlanStatus.ACTIVE)
        .order_by(PLANS.c.plan_type.desc(), PLANS.c.start_date.desc())
        .limit(1)
    )
    return cast(uuid.UUID | None, (await tx.session.execute(stmt)).scalar())


async def undecided_preproceedings(tx: Transaction, case_id: uuid.UUID) -> Preproceedings | None:
    stmt = select(BLOCKS).where(BLOCKS.c.case_id == case_id, BLOCKS.c.decision.is_(None)).with_for_update()
    row = (await tx.session.execute(stmt)).first()
    return preproceedings_state(row) if row is not None else None


async def last_step_decision(tx: Transaction, case_id: uuid.UUID) -> date | None:
    """The latest step decision of the episode's pre-proceedings blocks."""
    stmt = select(func.max(BLOCKS.c.decision_date)).where(BLOCKS.c.case_id == case_id)
    return cast(date | None, (await tx.session.execute(stmt)).scalar())


async def insert_preproceedings(tx: Transaction, pp: Preproceedings) -> None:
    await tx.session.execute(insert(BLOCKS), preproceedings_values(pp))


async def save_preproceedings(tx: Transaction, pp: Preproceedings) -> None:
    values = preproceedings_values(pp)
    await tx.session.execute(_UPDATE_BLOCK, {"row_id": values.pop("id"), **values})


async def visible_preproceedings(
    uow: UnitOfWork | Transaction, preproceedings_id: uuid.UUID, *, purpose: str, lock: bool = False
) -> Preproceedings:
    """The block if the caller may see its team's records; else 404 (audited)."""
    row = await load_visible(
        cast(UnitOfWork, uow),
        PreproceedingsRow,
        preproceedings_id,
        may_see=lambda p, block: may_see(p, block.team, None),
        subject_type="preproceedings",
        purpose=purpose,
        lock=lock,
    )
    return preproceedings_state(row)


async def find_preproceedings(
    tx: Transaction,
    *,
    principal: Principal,
    case_id: uuid.UUID | None,
    child_id: uuid.UUID | None,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> tuple[list[Preproceedings], set[uuid.UUID]]:
    """The blocks of an episode or a child, by start date (``limit + 1`` of them, after the cursor's
    position): those the caller may see, and the children of those left out."""
    stmt = select(BLOCKS).order_by(BLOCKS.c.start_date, BLOCKS.c.id).limit(limit + 1)
    stmt = stmt.where(BLOCKS.c.case_id == case_id) if case_id else stmt.where(BLOCKS.c.child_id == child_id)
    if after is not None:
        stmt = stmt.where(tuple_(BLOCKS.c.start_date, BLOCKS.c.id) > tuple_(literal(after[0]), literal(after[1])))
    shown, hidden = [], set()
    for row in (await tx.session.execute(stmt)).all():
        if may_see(principal, row.team, None):
            shown.append(preproceedings_state(row))
        else:
            hidden.add(row.child_id)
    return shown, hidden
