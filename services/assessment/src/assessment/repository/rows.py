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


#: The assessment's fields kept in ``assessments`` columns of the same name (the id apart: an
#: update binds it as ``row_id``).
_ASSESSMENT_COLUMNS = (
    "case_id",
    "referral_id",
    "child_id",
    "team",
    "route",
    "status",
    "referral_date",
    "due_date",
    "opened_at",
    "overdue_notified_at",
    "partner_status_sent",
    "escalated_from_plan_id",
    "imported_from",
    "version",
)
#: The findings' fields kept in columns of the same name (the factors and the specialist
#: assessments are stored as an array and as JSON).
_FINDINGS_COLUMNS = (
    "start_date",
    "child_seen_date",
    "child_seen_alone",
    "primary_need",
    "recommendation",
    "recommendation_summary",
)
#: The columns that keep each optional part of the state, and the part's field in each (every
#: column NULL while the part is absent).
_LEAD_COLUMNS = {
    "lead_practitioner": "practitioner",
    "lead_practitioner_role": "role",
    "lead_is_social_worker": "social_worker",
    "allocated_at": "allocated_at",
}
_SUBMISSION_COLUMNS = {"submitted_at": "at", "submitted_by": "by"}
_AUTHORISATION_COLUMNS = {"outcome": "outcome", "authorisation_date": "on", "authorised_by": "by", "authorised_at": "at"}
_CLOSURE_COLUMNS = {"closure_date": "closed_on", "closure_reason": "reason"}


def _same_named(source: object, names: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a row or a state, by name."""
    return {name: getattr(source, name) for name in names}


def _part_of(row: Any, columns: dict[str, str]) -> dict[str, Any]:
    """An optional part's fields, read from the columns that keep it."""
    return {name: getattr(row, column) for column, name in columns.items()}


def _part_columns(part: object | None, columns: dict[str, str]) -> dict[str, Any]:
    """The columns that keep an optional part: its fields, or NULL in each when it is absent."""
    return {column: getattr(part, name) if part is not None else None for column, name in columns.items()}


def assessment_state(row: Any) -> AssessmentState:
    """The domain state of an ``assessments`` row (a Core row or an ORM object)."""
    lead = None
    if row.lead_practitioner is not None:
        lead = Lead(row.lead_practitioner, row.lead_practitioner_role, bool(row.lead_is_social_worker), row.allocated_at)
    authorisation = None
    if row.outcome is not None:
        closure = Closure(**_part_of(row, _CLOSURE_COLUMNS)) if row.closure_reason is not None else None
        authorisation = Authorisation(**_part_of(row, _AUTHORISATION_COLUMNS), closure=closure)
    findings = Findings(
        **_same_named(row, _FINDINGS_COLUMNS),
        factors=tuple(AssessmentFactor(f) for f in row.factors),
        specialist_assessments=tuple(
            SpecialistAssessment(
                SpecialistAssessmentKind(s["kind"]), date.fromisoformat(s["date"]), s["completed_by"], s["score_or_summary"]
            )
            for s in row.specialist_assessments
        ),
    )
    return AssessmentState(
        **_same_named(row, _ASSESSMENT_COLUMNS),
        id=row.id,
        lead=lead,
        findings=findings,
        submission=Submission(**_part_of(row, _SUBMISSION_COLUMNS)) if row.submitted_at is not None else None,
        authorisation=authorisation,
        reallocation_required=row.reallocation_reason,
    )


def assessment_values(s: AssessmentState) -> dict[str, Any]:
    """The ``assessments`` columns of a state, the id apart."""
    f, auth = s.findings, s.authorisation
    return {
        **_same_named(s, _ASSESSMENT_COLUMNS),
        **_part_columns(s.lead, _LEAD_COLUMNS),
        **_same_named(f, _FINDINGS_COLUMNS),
        "factors": [x.value for x in f.factors],
        "specialist_assessments": [
            {
                "kind": x.kind.value,
                "date": x.on.isoformat(),
                "completed_by": x.completed_by,
                "score_or_summary": x.score_or_summary,
            }
            for x in f.specialist_assessments
        ],
        **_part_columns(s.submission, _SUBMISSION_COLUMNS),
        **_part_columns(auth, _AUTHORISATION_COLUMNS),
        **_part_columns(auth.closure if auth else None, _CLOSURE_COLUMNS),
        "reallocation_reason": s.reallocation_required,
    }


def section47_state(row: Any) -> Section47State:
    return Section47State(**_same_named(row, tuple(Section47State.__dataclass_fields__)))


def section47_values(s: Section47State) -> dict[str, Any]:
    return _same_named(s, tuple(Section47State.__dataclass_fields__))
