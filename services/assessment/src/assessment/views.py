"""Domain states, use case results and rows as the API shows them (schemas.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from assessment.domain import AssessmentState, Figures, Section47State, working_days_left
from assessment.domain import is_overdue as past_due
from assessment.results import AssessmentRecord, Listed, Measured, WorklistRow
from assessment.schemas import (
    AllocationOut,
    AssessmentOut,
    AssessmentPage,
    AssessmentSummary,
    Measures,
    MeasuresOut,
    OutcomeCounts,
    ReturnOut,
    Section47Out,
    SpecialistAssessmentOut,
    TeamMeasures,
    WorklistItem,
    WorklistPage,
)
from continuum.persistence.child_copy import ChildSummary
from continuum.web.pagination import page_of


def section47_view(s: Section47State) -> Section47Out:
    """The enquiry as the API shows it: every field of the answer is the state's field of that name."""
    return Section47Out.model_validate(s, from_attributes=True)


def _carried_alike(a: AssessmentState) -> dict[str, Any]:
    """The fields an assessment's full view and its summary in a list both carry, from its state."""
    auth = a.authorisation
    return {
        "case_id": a.case_id,
        "referral_id": a.referral_id,
        "escalated_from_plan_id": a.escalated_from_plan_id,
        "child_id": a.child_id,
        "team": a.team,
        "route": a.route,
        "status": a.status,
        "lead_practitioner": a.lead.practitioner if a.lead else None,
        "reallocation_required": a.reallocation_required is not None,
        "referral_date": a.referral_date,
        "due_date": a.due_date,
        "outcome": auth.outcome if auth else None,
        "authorisation_date": auth.on if auth else None,
        "version": a.version,
    }


def assessment_view(record: AssessmentRecord) -> AssessmentOut:
    a, child, section47, today = record.state, record.child, record.section47, record.today
    f, lead, auth = a.findings, a.lead, a.authorisation
    closure = auth.closure if auth else None
    return AssessmentOut(
        **_carried_alike(a),
        id=a.id,
        child=ChildSummary.model_validate(child, from_attributes=True) if child else None,
        working_days_left=working_days_left(a.due_date, today) if a.is_open else None,
        overdue=a.is_open and past_due(a.due_date, today),
        lead_practitioner_role=lead.role if lead else None,
        reallocation_reason=a.reallocation_required,
        start_date=f.start_date,
        child_seen_date=f.child_seen_date,
        child_seen_alone=f.child_seen_alone,
        factors=[x.value for x in f.factors],
        primary_need=f.primary_need,
        specialist_assessments=[
            SpecialistAssessmentOut(kind=s.kind, date=s.on, completed_by=s.completed_by, score_or_summary=s.score_or_summary)
            for s in f.specialist_assessments
        ],
        recommendation=f.recommendation,
        recommendation_summary=f.recommendation_summary,
        submitted_at=a.submission.at if a.submission else None,
        authorised_by=auth.by if auth else None,
        closure_date=closure.closed_on if closure else None,
        closure_reason=closure.reason if closure else None,
        allocations=[AllocationOut.model_validate(x, from_attributes=True) for x in record.allocations],
        returns=[ReturnOut.model_validate(x, from_attributes=True) for x in record.returns],
        section47=section47_view(section47) if section47 else None,
    )


def summary_view(a: AssessmentState) -> AssessmentSummary:
    return AssessmentSummary(**_carried_alike(a), assessment_id=a.id)


def worklist_item(row: Any, today: date) -> WorklistItem:
    """A worklist row (an ``assessments`` row with the child's names) as the worklist shows it."""
    return WorklistItem(
        assessment_id=row.id,
        case_id=row.case_id,
        child_id=row.child_id,
        child_name=f"{row.given_name} {row.family_name}" if row.given_name else None,
        team=row.team,
        route=row.route,
        status=row.status,
        lead_practitioner=row.lead_practitioner,
        reallocation_required=row.reallocation_reason is not None,
        referral_date=row.referral_date,
        due_date=row.due_date,
        working_days_left=working_days_left(row.due_date, today),
        overdue=past_due(row.due_date, today),
    )


def measures_view(f: Figures) -> dict[str, Any]:
    """The fields of :class:`Measures` (and its subclasses) for ``f``."""
    return Measures(
        completed=f.completed,
        median_working_days=f.median_working_days,
        median_working_days_from_start=f.median_working_days_from_start,
        within_45_working_days=f.within_45_working_days,
        outcomes=OutcomeCounts(**{outcome.value: n for outcome, n in f.outcomes.items()}),
    ).model_dump()


def worklist_page(listed: Listed[WorklistRow]) -> WorklistPage:
    return page_of(
        listed.rows, listed.limit, item=lambda r: worklist_item(r, listed.today), position=lambda r: (r.due_date, r.id)
    )


def assessment_page(listed: Listed[AssessmentState]) -> AssessmentPage:
    return page_of(listed.rows, listed.limit, item=summary_view, position=lambda a: (a.referral_date, a.id))


def measures_out(measured: Measured) -> MeasuresOut:
    return MeasuresOut(
        date_from=measured.date_from,
        date_to=measured.date_to,
        by_team=[TeamMeasures(team=t, **measures_view(f)) for t, f in measured.by_team.items()],
        **measures_view(measured.overall),
    )
