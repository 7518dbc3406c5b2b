"""Every query of the assessment service, and rows to and from domain states.

Reads of one record go through the visible-to-this-principal loads (another team's answers 404,
audited). Writes are Core statements built once from the table metadata: the consumer's open path
inserts its rows without the ORM's unit of work, and a transition's new state is saved with one
UPDATE of its row.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

from sqlalchemy import (
    Row,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    insert,
    literal,
    not_,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert

from assessment.domain import (
    OPEN_STATUSES,
    AssessmentAndEnquiry,
    AssessmentState,
    Authorisation,
    ChildIdentity,
    Completed,
    Escalation,
    EscalationRecord,
    Findings,
    Lead,
    Section47State,
    Section47Status,
    SpecialistAssessment,
    Status,
    Submission,
)
from assessment.tables import Allocation, Assessment, Child, EscalationTriggerRow, Return, Section47
from continuum.casework.closure import Closure
from continuum.casework.principal import Principal
from continuum.contracts import ChildRegistered, ChildUpdated
from continuum.contracts.assessment import SpecialistAssessmentKind
from continuum.contracts.codes import AssessmentFactor
from continuum.persistence.child_copy import child_copy_values
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.access import load_visible
from continuum.web.errors import not_found
from continuum.web.pagination import decode_cursor

ASSESSMENTS = cast(Table, Assessment.__table__)
SECTION47 = cast(Table, Section47.__table__)
ALLOCATIONS = cast(Table, Allocation.__table__)
RETURNS = cast(Table, Return.__table__)
CHILDREN = cast(Table, Child.__table__)
ESCALATION_TRIGGERS = cast(Table, EscalationTriggerRow.__table__)

# Built once: the hot paths bind parameters to these.
_INSERT_ASSESSMENT = insert(ASSESSMENTS)
_INSERT_SECTION47 = insert(SECTION47)
_INSERT_ALLOCATION = insert(ALLOCATIONS)
_INSERT_RETURN = insert(RETURNS)
_UPDATE_ASSESSMENT = update(ASSESSMENTS).where(ASSESSMENTS.c.id == bindparam("row_id"))
_UPSERT_SECTION47 = pg_insert(SECTION47)
_UPSERT_SECTION47 = _UPSERT_SECTION47.on_conflict_do_update(
    index_elements=[SECTION47.c.id],
    set_={c.name: _UPSERT_SECTION47.excluded[c.name] for c in SECTION47.c if c.name != "id"},
)
#: Assessments a front-door decision opened (an escalated one carries its episode's referral too).
_FRONT_DOOR = ASSESSMENTS.c.escalated_from_plan_id.is_(None)
_BY_REFERRAL = select(ASSESSMENTS).where(ASSESSMENTS.c.referral_id == bindparam("referral_id"), _FRONT_DOOR).with_for_update()
_CHILD_IDENTITY = select(CHILDREN.c.nhs_number, CHILDREN.c.date_of_birth, CHILDREN.c.expected_date_of_birth).where(
    CHILDREN.c.id == bindparam("child_id")
)
_AWAITING_PARTNER_STATUS = ASSESSMENTS.c.partner_status_sent.is_(False)
_PARTNER_STATUS_ORDER = (ASSESSMENTS.c.opened_at, ASSESSMENTS.c.id)


def _insert_many(table: Table, rows: str, *, on_conflict: str = "") -> str:
    """An INSERT of any number of rows with ONE parameter, ``:<rows>``: the rows as a JSON array,
    which PostgreSQL turns into the table's records (``jsonb_populate_recordset``). Prebuilt:
    SQLAlchemy's multi-row ``insert().values([...])`` builds and compiles a statement for each call,
    which cost more than the rows themselves (bench/bench_assessment.py --profile)."""
    columns = ", ".join(c.name for c in table.c)
    source = f"jsonb_populate_recordset(NULL::{table.name}, CAST(:{rows} AS jsonb))"
    return f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {source} {on_conflict}".strip()


_UPSERT_CHILDREN_SQL = _insert_many(
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
    f"assessments_written AS ({_insert_many(ASSESSMENTS, 'assessments')}), "
    f"section47_written AS ({_insert_many(SECTION47, 'section47')}) "
    "SELECT 1"
)

#: What a run of front-door events reads, in ONE statement: which of its decisions' referrals opened
#: an assessment already, its children's copies (version and identity), and which of its children
#: have assessments waiting for their identity (loaded again, locked, only when there are any).
_IDS = ARRAY(UUID(as_uuid=True))
_FRONT_DOOR_LOOKUP = union_all(
    select(
        literal("child").label("kind"),
        CHILDREN.c.id,
        CHILDREN.c.version,
        CHILDREN.c.nhs_number,
        CHILDREN.c.date_of_birth,
        CHILDREN.c.expected_date_of_birth,
    ).where(CHILDREN.c.id == any_(bindparam("child_ids", type_=_IDS))),
    select(literal("opened"), ASSESSMENTS.c.referral_id, null(), null(), null(), null()).where(
        ASSESSMENTS.c.referral_id == any_(bindparam("referral_ids", type_=_IDS)), _FRONT_DOOR
    ),
    select(literal("waiting"), ASSESSMENTS.c.child_id, null(), null(), null(), null()).where(
        ASSESSMENTS.c.child_id == any_(bindparam("identified_ids", type_=_IDS)), _AWAITING_PARTNER_STATUS
    ),
)
_AWAITING_OF_CHILDREN = (
    select(ASSESSMENTS)
    .where(ASSESSMENTS.c.child_id == any_(bindparam("ids", type_=_IDS)), _AWAITING_PARTNER_STATUS)
    .order_by(*_PARTNER_STATUS_ORDER)
    .with_for_update()
)


def _json_value(value: object) -> object:
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not a column value")


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_value)


# --- rows and states ------------------------------------------------------------------------------


def assessment_state(row: Any) -> AssessmentState:
    """The domain state of an ``assessments`` row (a Core row or an ORM object)."""
    lead = None
    if row.lead_practitioner is not None:
        lead = Lead(row.lead_practitioner, row.lead_practitioner_role, bool(row.lead_is_social_worker), row.allocated_at)
    authorisation = None
    if row.outcome is not None:
        closure = Closure(row.closure_date, row.closure_reason) if row.closure_reason is not None else None
        authorisation = Authorisation(row.outcome, row.authorisation_date, row.authorised_by, row.authorised_at, closure)
    findings = Findings(
        start_date=row.start_date,
        child_seen_date=row.child_seen_date,
        child_seen_alone=row.child_seen_alone,
        factors=tuple(AssessmentFactor(f) for f in row.factors),
        primary_need=row.primary_need,
        specialist_assessments=tuple(
            SpecialistAssessment(
                SpecialistAssessmentKind(s["kind"]), date.fromisoformat(s["date"]), s["completed_by"], s["score_or_summary"]
            )
            for s in row.specialist_assessments
        ),
        recommendation=row.recommendation,
        recommendation_summary=row.recommendation_summary,
    )
    return AssessmentState(
        id=row.id,
        case_id=row.case_id,
        referral_id=row.referral_id,
        child_id=row.child_id,
        team=row.team,
        route=row.route,
        status=row.status,
        referral_date=row.referral_date,
        due_date=row.due_date,
        opened_at=row.opened_at,
        lead=lead,
        findings=findings,
        submission=Submission(row.submitted_by, row.submitted_at) if row.submitted_at is not None else None,
        authorisation=authorisation,
        overdue_notified_at=row.overdue_notified_at,
        partner_status_sent=row.partner_status_sent,
        reallocation_required=row.reallocation_reason,
        escalated_from_plan_id=row.escalated_from_plan_id,
        version=row.version,
    )


def _assessment_values(s: AssessmentState) -> dict[str, Any]:
    f, lead, sub, auth = s.findings, s.lead, s.submission, s.authorisation
    closure = auth.closure if auth else None
    return {
        "case_id": s.case_id,
        "referral_id": s.referral_id,
        "child_id": s.child_id,
        "team": s.team,
        "route": s.route,
        "referral_date": s.referral_date,
        "due_date": s.due_date,
        "status": s.status,
        "opened_at": s.opened_at,
        "lead_practitioner": lead.practitioner if lead else None,
        "lead_practitioner_role": lead.role if lead else None,
        "lead_is_social_worker": lead.social_worker if lead else None,
        "allocated_at": lead.allocated_at if lead else None,
        "start_date": f.start_date,
        "child_seen_date": f.child_seen_date,
        "child_seen_alone": f.child_seen_alone,
        "factors": [x.value for x in f.factors],
        "primary_need": f.primary_need,
        "specialist_assessments": [
            {
                "kind": x.kind.value,
                "date": x.on.isoformat(),
                "completed_by": x.completed_by,
                "score_or_summary": x.score_or_summary,
            }
            for x in f.specialist_assessments
        ],
        "recommendation": f.recommendation,
        "recommendation_summary": f.recommendation_summary,
        "submitted_at": sub.at if sub else None,
        "submitted_by": sub.by if sub else None,
        "outcome": auth.outcome if auth else None,
        "authorisation_date": auth.on if auth else None,
        "authorised_by": auth.by if auth else None,
        "authorised_at": auth.at if auth else None,
        "closure_date": closure.closed_on if closure else None,
        "closure_reason": closure.reason if closure else None,
        "overdue_notified_at": s.overdue_notified_at,
        "partner_status_sent": s.partner_status_sent,
        "reallocation_reason": s.reallocation_required,
        "escalated_from_plan_id": s.escalated_from_plan_id,
        "version": s.version,
    }


def section47_state(row: Any) -> Section47State:
    return Section47State(**{name: getattr(row, name) for name in Section47State.__dataclass_fields__})


def _section47_values(s: Section47State) -> dict[str, Any]:
    return {name: getattr(s, name) for name in Section47State.__dataclass_fields__}


# --- writes -----------------------------------------------------------------------------------------


async def insert_opened(tx: Transaction, opened: AssessmentAndEnquiry) -> None:
    """The rows of a newly opened assessment (and its enquiry)."""
    await tx.session.execute(_INSERT_ASSESSMENT, {"id": opened.assessment.id, **_assessment_values(opened.assessment)})
    if opened.section47 is not None:
        await tx.session.execute(_INSERT_SECTION47, _section47_values(opened.section47))


async def upsert_child_copy(tx: Transaction, child: ChildRegistered | ChildUpdated) -> None:
    """``continuum.persistence.child_copy.upsert_child_copy``, prebuilt: a version older than the one held changes nothing."""
    await tx.session.execute(_UPSERT_CHILDREN, {"children": _json([child_copy_values(child)])})


async def write_front_door_run(
    tx: Transaction, *, children: Sequence[ChildRegistered | ChildUpdated], opened: Sequence[AssessmentAndEnquiry]
) -> None:
    """What a run of front-door events wrote, in one statement: the children's copies (one event each,
    at most one per child; an older version than the one held changes nothing), the opened
    assessments and their enquiries."""
    if not children and not opened:
        return
    params = {
        "children": _json([child_copy_values(c) for c in children]),
        "assessments": _json([{"id": o.assessment.id, **_assessment_values(o.assessment)} for o in opened]),
        "section47": _json([_section47_values(o.section47) for o in opened if o.section47 is not None]),
    }
    await tx.session.execute(_WRITE_FRONT_DOOR_RUN, params)


async def save_assessment(tx: Transaction, state: AssessmentState) -> None:
    await tx.session.execute(_UPDATE_ASSESSMENT, {"row_id": state.id, **_assessment_values(state)})


async def save_assessments(tx: Transaction, states: Sequence[AssessmentState]) -> None:
    if states:
        await tx.session.execute(_UPDATE_ASSESSMENT, [{"row_id": s.id, **_assessment_values(s)} for s in states])


async def save_section47(tx: Transaction, state: Section47State) -> None:
    """Insert a new enquiry or update one (a correction may do either)."""
    await tx.session.execute(_UPSERT_SECTION47, _section47_values(state))


async def add_allocation(
    tx: Transaction, *, before: AssessmentState, after: AssessmentState, reason: str | None, by: str
) -> None:
    """The allocation history row (the reason stays here: events carry no narrative)."""
    assert after.lead is not None
    row = {
        "id": uuid.uuid4(),
        "assessment_id": after.id,
        "lead_practitioner": after.lead.practitioner,
        "lead_practitioner_role": after.lead.role,
        "previous_lead_practitioner": before.lead.practitioner if before.lead else None,
        "reason": reason,
        "allocated_by": by,
        "allocated_at": after.lead.allocated_at,
    }
    await tx.session.execute(_INSERT_ALLOCATION, row)


async def add_return(tx: Transaction, *, state: AssessmentState, reasons: str, by: str, at: datetime) -> None:
    row = {"id": uuid.uuid4(), "assessment_id": state.id, "reasons": reasons, "returned_by": by, "returned_at": at}
    await tx.session.execute(_INSERT_RETURN, row)


# --- loads ------------------------------------------------------------------------------------------


def may_see(principal: Principal, team: str, lead_practitioner: str | None) -> bool:
    """Practitioners and managers see their teams' assessments (and the ones they lead); auditors all."""
    return principal.can_see_team(team) or (lead_practitioner is not None and principal.sub == lead_practitioner)


def _visible_clause(principal: Principal) -> Any:
    """``may_see`` in SQL; never NULL, so that its negation finds the others."""
    return or_(
        ASSESSMENTS.c.team.in_(sorted(principal.teams)),
        ASSESSMENTS.c.lead_practitioner.is_not_distinct_from(principal.sub),
    )


async def visible_assessment(uow: UnitOfWork, assessment_id: uuid.UUID, *, purpose: str, lock: bool = False) -> AssessmentState:
    """The assessment if the caller may see it; else 404 (audited), whether missing or another team's."""
    row = await load_visible(
        uow,
        Assessment,
        assessment_id,
        may_see=lambda p, a: may_see(p, a.team, a.lead_practitioner),
        subject_type="assessment",
        purpose=purpose,
        lock=lock,
    )
    return assessment_state(row)


async def visible_section47(
    uow: UnitOfWork, section47_id: uuid.UUID, *, purpose: str, lock: bool = False
) -> tuple[Section47State, AssessmentState]:
    """The enquiry and its assessment if the caller may see the assessment; else 404 (audited)."""
    stmt = select(SECTION47).where(SECTION47.c.id == section47_id)
    row = (await uow.session.execute(stmt.with_for_update() if lock else stmt)).first()
    assessment = None
    if row is not None:
        found = (await uow.session.execute(select(ASSESSMENTS).where(ASSESSMENTS.c.id == row.assessment_id))).first()
        assessment = assessment_state(found) if found is not None else None
    if row is None or assessment is None or not may_see(uow.principal_or_fail(), assessment.team, _lead(assessment)):
        uow.audit_refusal("section47.read", subject_type="section47", subject_id=section47_id, purpose=purpose)
        raise not_found("Section 47 enquiry")
    return section47_state(row), assessment


def _lead(state: AssessmentState) -> str | None:
    return state.lead.practitioner if state.lead else None


async def by_referral(tx: Transaction, referral_id: uuid.UUID) -> AssessmentState | None:
    """The assessment a referral's decision opened, locked for the correction that may follow."""
    row = (await tx.session.execute(_BY_REFERRAL, {"referral_id": referral_id})).first()
    return assessment_state(row) if row is not None else None


async def current_section47(tx: Transaction, assessment_id: uuid.UUID, *, lock: bool = False) -> Section47State | None:
    """The enquiry that goes with the assessment now (not a withdrawn one)."""
    stmt = select(SECTION47).where(SECTION47.c.assessment_id == assessment_id, SECTION47.c.status != Section47Status.WITHDRAWN)
    row = (await tx.session.execute(stmt.with_for_update() if lock else stmt)).first()
    return section47_state(row) if row is not None else None


async def episode_had_section47(tx: Transaction, case_id: uuid.UUID) -> bool:
    """Whether any of the case's assessments here went with a section 47 enquiry (one not
    withdrawn): rule 2990's "no section 47" for the closure an authorisation gives."""
    stmt = select(SECTION47.c.id).where(SECTION47.c.case_id == case_id, SECTION47.c.status != Section47Status.WITHDRAWN).limit(1)
    return (await tx.session.execute(stmt)).first() is not None


# --- escalation -------------------------------------------------------------------------------------

_OPEN_ENQUIRY_OF_CASE = (
    select(SECTION47)
    .where(
        SECTION47.c.case_id == bindparam("case_id"),
        SECTION47.c.status.in_([Section47Status.AWAITING_START, Section47Status.STARTED]),
    )
    .with_for_update()
)
_EPISODE_REFERRAL = (
    select(ASSESSMENTS.c.referral_id)
    .where(ASSESSMENTS.c.case_id == bindparam("case_id"), _FRONT_DOOR)
    .order_by(ASSESSMENTS.c.opened_at, ASSESSMENTS.c.id)
    .limit(1)
)
_TRIGGER_SEEN = select(ESCALATION_TRIGGERS.c.id).where(
    ESCALATION_TRIGGERS.c.trigger == bindparam("trigger"),
    ESCALATION_TRIGGERS.c.plan_id == bindparam("plan_id"),
    ESCALATION_TRIGGERS.c.strategy_discussion_date == bindparam("held_on"),
)
_INSERT_TRIGGER = insert(ESCALATION_TRIGGERS)


async def lock_case(tx: Transaction, case_id: uuid.UUID) -> None:
    """Hold the case's escalation lock until the transaction ends, so two triggers for one case
    (two replicas during a rebalance) are decided one after the other, each seeing the other's enquiry."""
    await tx.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:case_id, 47))"), {"case_id": str(case_id)})


async def open_section47_of_case(tx: Transaction, case_id: uuid.UUID) -> Section47State | None:
    """The case's enquiry awaiting its start or started (at most one: a partial unique index), locked."""
    row = (await tx.session.execute(_OPEN_ENQUIRY_OF_CASE, {"case_id": case_id})).first()
    return section47_state(row) if row is not None else None


async def episode_referral(tx: Transaction, case_id: uuid.UUID) -> uuid.UUID | None:
    """The referral of the case's first assessment the front door opened here, if there is one."""
    found: uuid.UUID | None = (await tx.session.execute(_EPISODE_REFERRAL, {"case_id": case_id})).scalar()
    return found


async def escalation_seen(tx: Transaction, escalation: Escalation) -> bool:
    """Whether this trigger (its kind, plan and strategy discussion date) was kept already."""
    trigger, plan_id, held_on = escalation.key
    params = {"trigger": trigger, "plan_id": plan_id, "held_on": held_on}
    return (await tx.session.execute(_TRIGGER_SEEN, params)).first() is not None


async def record_escalation(tx: Transaction, record: EscalationRecord) -> None:
    """Keep the trigger and what it did (the unique key refuses the same trigger twice)."""
    e = record.escalation
    row = {
        "id": uuid.uuid4(),
        "trigger": e.trigger,
        "plan_id": e.plan_id,
        "case_id": e.case_id,
        "child_id": e.child_id,
        "team": e.team,
        "strategy_discussion_date": e.strategy_discussion_date,
        "requested_by": e.by,
        "requested_at": e.at,
        "result": record.result,
        "assessment_id": record.assessment_id,
        "section47_id": record.section47_id,
    }
    await tx.session.execute(_INSERT_TRIGGER, row)


async def latest_section47(tx: Transaction, assessment_id: uuid.UUID) -> Section47State | None:
    """The current enquiry, else the one withdrawn last: what the assessment's answer shows."""
    stmt = (
        select(SECTION47)
        .where(SECTION47.c.assessment_id == assessment_id)
        .order_by((SECTION47.c.status == Section47Status.WITHDRAWN), SECTION47.c.withdrawn_at.desc())
        .limit(1)
    )
    row = (await tx.session.execute(stmt)).first()
    return section47_state(row) if row is not None else None


async def child_identity(tx: Transaction, child_id: uuid.UUID) -> ChildIdentity | None:
    row = (await tx.session.execute(_CHILD_IDENTITY, {"child_id": child_id})).first()
    return ChildIdentity(row.nhs_number, row.date_of_birth, row.expected_date_of_birth) if row is not None else None


async def child(tx: Transaction, child_id: uuid.UUID) -> Child | None:
    return await tx.session.get(Child, child_id)


async def allocations(tx: Transaction, assessment_id: uuid.UUID) -> Sequence[Allocation]:
    stmt = select(Allocation).where(Allocation.assessment_id == assessment_id).order_by(Allocation.allocated_at)
    return (await tx.session.execute(stmt)).scalars().all()


async def returns(tx: Transaction, assessment_id: uuid.UUID) -> Sequence[Return]:
    stmt = select(Return).where(Return.assessment_id == assessment_id).order_by(Return.returned_at)
    return (await tx.session.execute(stmt)).scalars().all()


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
        if kind == "child":
            copies[id_] = (version, ChildIdentity(nhs_number, date_of_birth, expected))
        elif kind == "opened":
            opened.add(id_)
        else:
            waiting.add(id_)
    states = []
    if waiting:
        states = [assessment_state(r) for r in await tx.session.execute(_AWAITING_OF_CHILDREN, {"ids": list(waiting)})]
    return FrontDoorLookup(opened, copies, states)


async def claim_overdue(tx: Transaction, *, today: date, batch_size: int) -> list[AssessmentState]:
    """Open assessments past their due date and not flagged yet, locked; rows another replica has
    locked are skipped, and one it flagged and committed no longer matches: each is claimed once."""
    stmt = (
        select(ASSESSMENTS)
        .where(
            ASSESSMENTS.c.status.in_(OPEN_STATUSES),
            ASSESSMENTS.c.due_date < today,
            ASSESSMENTS.c.overdue_notified_at.is_(None),
        )
        .order_by(ASSESSMENTS.c.due_date, ASSESSMENTS.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return [assessment_state(r) for r in (await tx.session.execute(stmt)).all()]


# --- lists ------------------------------------------------------------------------------------------


def _in_teams(stmt: Select[Any], teams: list[str] | None) -> Select[Any]:
    return stmt if teams is None else stmt.where(ASSESSMENTS.c.team.in_(teams))


async def worklist(tx: Transaction, *, teams: list[str] | None, cursor: str | None, limit: int) -> Sequence[Row[Any]]:
    """Open assessments of ``teams`` (``None``: all), fewest working days left first, with the
    child's name; ``limit + 1`` rows, the last only saying there is another page."""
    stmt = (
        select(ASSESSMENTS, CHILDREN.c.given_name, CHILDREN.c.family_name)
        .outerjoin(CHILDREN, CHILDREN.c.id == ASSESSMENTS.c.child_id)
        .where(ASSESSMENTS.c.status.in_(OPEN_STATUSES))
        .order_by(ASSESSMENTS.c.due_date, ASSESSMENTS.c.id)
        .limit(limit + 1)
    )
    if cursor:
        due, last = decode_cursor(cursor, date.fromisoformat)
        stmt = stmt.where(or_(ASSESSMENTS.c.due_date > due, and_(ASSESSMENTS.c.due_date == due, ASSESSMENTS.c.id > last)))
    rows: Sequence[Row[Any]] = (await tx.session.execute(_in_teams(stmt, teams))).all()
    return rows


def _filter(case_id: uuid.UUID | None, referral_id: uuid.UUID | None, child_id: uuid.UUID | None) -> Any:
    if case_id is not None:
        return ASSESSMENTS.c.case_id == case_id
    if referral_id is not None:
        return ASSESSMENTS.c.referral_id == referral_id
    return ASSESSMENTS.c.child_id == child_id


async def find(
    tx: Transaction,
    *,
    principal: Principal,
    case_id: uuid.UUID | None = None,
    referral_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    cursor: str | None,
    limit: int,
) -> tuple[list[AssessmentState], list[uuid.UUID]]:
    """The assessments of a case, a referral or a child (exactly one is given) that ``principal``
    may see, oldest referral first, ``limit + 1`` of them; and the children of those it may not."""
    matches = _filter(case_id, referral_id, child_id)
    stmt = select(ASSESSMENTS).where(matches).order_by(ASSESSMENTS.c.referral_date, ASSESSMENTS.c.id).limit(limit + 1)
    if cursor:
        on, last = decode_cursor(cursor, date.fromisoformat)
        stmt = stmt.where(or_(ASSESSMENTS.c.referral_date > on, and_(ASSESSMENTS.c.referral_date == on, ASSESSMENTS.c.id > last)))
    hidden: list[uuid.UUID] = []
    if not principal.sees_all_teams:
        stmt = stmt.where(_visible_clause(principal))
        others = select(ASSESSMENTS.c.child_id).where(matches, not_(_visible_clause(principal))).distinct()
        hidden = list((await tx.session.execute(others)).scalars())
    rows = (await tx.session.execute(stmt)).all()
    return [assessment_state(r) for r in rows], hidden


async def completed(tx: Transaction, *, date_from: date, date_to: date, teams: list[str] | None) -> list[Completed]:
    """Assessments authorised in the range (inclusive), as the measures count them."""
    a = ASSESSMENTS.c
    stmt = select(a.team, a.referral_date, a.start_date, a.authorisation_date, a.outcome).where(
        a.status == Status.AUTHORISED, a.authorisation_date >= date_from, a.authorisation_date <= date_to
    )
    rows = (await tx.session.execute(_in_teams(stmt, teams))).all()
    return [Completed(r.team, r.referral_date, r.start_date, r.authorisation_date, r.outcome) for r in rows]
