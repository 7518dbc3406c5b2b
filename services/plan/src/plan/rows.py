"""Plan rows and domain states, both ways: the repository's half that knows the JSONB shapes of
a plan's parts (actions, content, family, interventions, its last review, ending), and the rows of
episodes and their pre-proceedings blocks."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from continuum.contracts.codes import AssessmentFactor, ReasonForClosure
from continuum.contracts.plan import Agency, NextStep, ReviewDecision
from plan.domain import states
from plan.domain.drift import DriftFacts, facts
from plan.domain.quality import CRITERIA, Quality


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- rows and states ------------------------------------------------------------------------------


def _action(a: dict[str, Any]) -> states.Action:
    return states.Action(
        id=uuid.UUID(a["id"]),
        description=a["description"],
        owner=states.Owner(a["owner_person"], Agency(a["owner_agency"])),
        success_measure=a["success_measure"],
        due_date=date.fromisoformat(a["due_date"]),
        progress=states.ActionProgress(a["progress"]),
        note=a.get("note"),
    )


def _action_json(a: states.Action) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "description": a.description,
        "owner_person": a.owner.person,
        "owner_agency": a.owner.agency.value,
        "success_measure": a.success_measure,
        "due_date": a.due_date.isoformat(),
        "progress": a.progress.value,
        "note": a.note,
    }


def _family(f: dict[str, Any]) -> states.Family:
    return states.Family(
        network=tuple(states.NetworkMember(m["name"], m["relationship"], m.get("support")) for m in f.get("network", [])),
        fgdm_meetings=tuple(
            states.FgdmMeeting(date.fromisoformat(m["offered_on"]), _day(m.get("held_on")), m.get("declined", False))
            for m in f.get("fgdm_meetings", [])
        ),
        family_plan=f.get("family_plan"),
    )


def _family_json(f: states.Family) -> dict[str, Any]:
    return {
        "network": [{"name": m.name, "relationship": m.relationship, "support": m.support} for m in f.network],
        "fgdm_meetings": [
            {"offered_on": m.offered_on.isoformat(), "held_on": _iso(m.held_on), "declined": m.declined} for m in f.fgdm_meetings
        ],
        "family_plan": f.family_plan,
    }


def _intervention(i: dict[str, Any]) -> states.Intervention:
    return states.Intervention(
        id=uuid.UUID(i["id"]),
        name=i["name"],
        provider=i["provider"],
        start_date=date.fromisoformat(i["start_date"]),
        planned_end_date=date.fromisoformat(i["planned_end_date"]),
        scale=i["scale"],
        score_before=i["score_before"],
        actual_end_date=_day(i.get("actual_end_date")),
        score_after=i.get("score_after"),
    )


def _intervention_json(i: states.Intervention) -> dict[str, Any]:
    return {
        "id": str(i.id),
        "name": i.name,
        "provider": i.provider,
        "start_date": i.start_date.isoformat(),
        "planned_end_date": i.planned_end_date.isoformat(),
        "scale": i.scale,
        "score_before": i.score_before,
        "actual_end_date": _iso(i.actual_end_date),
        "score_after": i.score_after,
    }


def _ending(e: dict[str, Any] | None) -> states.Ending | None:
    if e is None:
        return None
    reason = e.get("reason_for_closure")
    return states.Ending(
        **(
            e
            | {
                "end_date": date.fromisoformat(e["end_date"]),
                "at": datetime.fromisoformat(e["at"]),
                "next_step": NextStep(e["next_step"]),
                "reason_for_closure": ReasonForClosure(reason) if reason else None,
            }
        )
    )


#: A plan's fields kept in its row's columns of the same name, as they are (the id apart: it is the key).
_PLAN_COLUMNS = [
    "case_id",
    "child_id",
    "team",
    "plan_type",
    "status",
    "drafted_from",
    "drafted_at",
    "assessment_id",
    "section47_id",
    "conference_date",
    "lead_practitioner",
    "primary_need",
    "initial_category",
    "latest_category",
    "start_date",
    "approved_by",
    "next_review_due",
    "previous_cp_plans",
    "version",
    "imported_from",
]


def plan_state(row: Any) -> states.PlanState:
    """The domain state of a ``plans`` row (a Core row or an ORM object)."""
    r, e = row.last_review, row.ending
    return states.PlanState(
        id=row.id,
        **{name: getattr(row, name) for name in _PLAN_COLUMNS},
        factors=tuple(AssessmentFactor(f) for f in row.factors),
        content=states.Content(**row.content),
        agencies_involved=tuple(Agency(a) for a in row.agencies_involved),
        actions=tuple(_action(a) for a in row.actions),
        family=_family(row.family),
        interventions=tuple(_intervention(i) for i in row.interventions),
        last_review=states.ReviewRecord(**(r | {"on": date.fromisoformat(r["on"]), "decision": ReviewDecision(r["decision"])}))
        if r
        else None,
        visits=states.Visits(row.last_visit, row.last_seen, row.last_seen_alone, row.next_visit_due),
        ending=_ending(e),
        strategy_discussions=tuple(row.strategy_discussions),
        drift_check=row.drift_next_check,
    )


def plan_values(s: states.PlanState) -> dict[str, Any]:
    r, e = s.last_review, s.ending
    return {
        **{name: getattr(s, name) for name in _PLAN_COLUMNS},
        "factors": [f.value for f in s.factors],
        "content": vars(s.content).copy(),
        "agencies_involved": [a.value for a in s.agencies_involved],
        "actions": [_action_json(a) for a in s.actions],
        "family": _family_json(s.family),
        "interventions": [_intervention_json(i) for i in s.interventions],
        "last_review": (vars(r) | {"on": r.on.isoformat(), "decision": r.decision.value}) if r else None,
        "last_visit": s.visits.last_visit,
        "last_seen": s.visits.last_seen,
        "last_seen_alone": s.visits.last_seen_alone,
        "next_visit_due": s.visits.next_due,
        "ending": (
            vars(e)
            | {
                "end_date": e.end_date.isoformat(),
                "at": e.at.isoformat(),
                "next_step": e.next_step.value,
                "reason_for_closure": e.reason_for_closure.value if e.reason_for_closure else None,
            }
        )
        if e
        else None,
        "end_date": e.end_date if e else None,
        "next_step": e.next_step if e else None,
        "strategy_discussions": list(s.strategy_discussions),
        "open_action_due_dates": list(facts(s).open_action_due_dates),
        "last_review_on": r.on if r else None,
        "last_review_progressed": r.progressed if r else None,
        "drift_next_check": s.drift_check,
    }


def quality_json(q: Quality) -> dict[str, Any]:
    return {
        "actions": q.total,
        "meeting_all_five": q.meeting_all_five,
        "share_all_five": q.share_all_five,
        **{c: q.meeting(c) for c in CRITERIA},
    }


#: The ``plans`` columns the drift rules read: :class:`DriftFacts`, field for field.
DRIFT_COLUMNS = tuple(f.name for f in fields(DriftFacts))


def drift_facts(row: Any) -> DriftFacts:
    """The drift rules' facts of a ``plans`` row (only the columns they read)."""
    values = {name: getattr(row, name) for name in DRIFT_COLUMNS}
    return DriftFacts(**values | {"open_action_due_dates": tuple(row.open_action_due_dates)})


# --- episodes and pre-proceedings -------------------------------------------------------------------


def episode_state(row: Any) -> states.Episode:
    return states.Episode(
        case_id=row.case_id, child_id=row.child_id, team=row.team, opened_on=row.opened_on, closed_on=row.closed_on
    )


def episode_values(e: states.Episode, *, at: datetime) -> dict[str, Any]:
    return {
        "case_id": e.case_id,
        "child_id": e.child_id,
        "team": e.team,
        "opened_on": e.opened_on,
        "closed_on": e.closed_on,
        "updated_at": at,
    }


PREPROCEEDINGS_FIELDS = (
    "id",
    "case_id",
    "child_id",
    "team",
    "plan_id",
    "start_date",
    "letter_before_proceedings_date",
    "fgdm_offered",
    "fgdm_held",
    "initial_meeting_date",
    "decision",
    "decision_date",
    "court_application_date",
    "letter_initiating_proceedings_date",
    "fgdm_exception_reason",
    "started_by",
    "version",
    "imported_from",
    "review_meetings_count",
)


def preproceedings_state(row: Any) -> states.Preproceedings:
    return states.Preproceedings(
        **{name: getattr(row, name) for name in PREPROCEEDINGS_FIELDS},
        review_meeting_dates=tuple(row.review_meeting_dates),
    )


def preproceedings_values(pp: states.Preproceedings) -> dict[str, Any]:
    return {name: getattr(pp, name) for name in PREPROCEEDINGS_FIELDS} | {"review_meeting_dates": list(pp.review_meeting_dates)}
