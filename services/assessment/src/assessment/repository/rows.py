"""Rows to and from domain states: the tables as Core handles, an assessment's and an enquiry's
columns from their states and back, and the JSON a set-based write turns into rows."""

from __future__ import annotations

import json
import uuid
from datetime import date
from enum import Enum
from typing import Any, cast

from sqlalchemy import (
    Table,
)

from assessment.domain import (
    AssessmentState,
    Authorisation,
    Findings,
    Lead,
    Section47State,
    SpecialistAssessment,
    Submission,
)
from assessment.tables import Allocation, Assessment, Child, EscalationTriggerRow, Return, Section47
from continuum.casework.closure import Closure
from continuum.contracts.assessment import SpecialistAssessmentKind
from continuum.contracts.codes import AssessmentFactor

ASSESSMENTS = cast(Table, Assessment.__table__)
SECTION47 = cast(Table, Section47.__table__)
ALLOCATIONS = cast(Table, Allocation.__table__)
RETURNS = cast(Table, Return.__table__)
CHILDREN = cast(Table, Child.__table__)
ESCALATION_TRIGGERS = cast(Table, EscalationTriggerRow.__table__)

#: Assessments a front-door decision opened (an escalated one carries its episode's referral too).
FRONT_DOOR = ASSESSMENTS.c.escalated_from_plan_id.is_(None)


def insert_many(table: Table, rows: str, *, on_conflict: str = "") -> str:
    """An INSERT of any number of rows with ONE parameter, ``:<rows>``: the rows as a JSON array,
    which PostgreSQL turns into the table's records (``jsonb_populate_recordset``). Prebuilt:
    SQLAlchemy's multi-row ``insert().values([...])`` builds and compiles a statement for each call,
    which cost more than the rows themselves (bench/bench_assessment.py --profile)."""
    columns = ", ".join(c.name for c in table.c)
    source = f"jsonb_populate_recordset(NULL::{table.name}, CAST(:{rows} AS jsonb))"
    return f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {source} {on_conflict}".strip()


def _json_value(value: object) -> object:
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not a column value")


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_value)


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


def assessment_values(s: AssessmentState) -> dict[str, Any]:
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


def section47_values(s: Section47State) -> dict[str, Any]:
    return {name: getattr(s, name) for name in Section47State.__dataclass_fields__}
