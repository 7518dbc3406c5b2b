"""The worklists' queries over ``case_events``: what is still waiting today, of the teams asked for,
each list's count and its oldest items (``insight.domain.worklists``). Corrections apply as in the
measures: an assessment's latest event says whether it is still open (a withdrawal, then a
reinstatement by ``assessment.reassigned``, is open again); a closed case's assessment is no
longer waiting; a plan ended has no drift to act on; a handover answered or withdrawn waits no more.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from continuum.persistence.uow import Transaction
from insight.domain.worklists import WorkItem, Worklist

_TEAMS = "CAST(:teams AS varchar[])"
_TEAM = "coalesce(e.team, 'unassigned')"
_OF_TEAMS = f"({_TEAMS} IS NULL OR {_TEAM} = ANY({_TEAMS}))"

_ASSESSMENTS_OVERDUE = f"""
WITH latest AS (
  SELECT DISTINCT ON (e.data->>'assessment_id') e.case_id, {_TEAM} AS team, e.event_type, e.occurred_at,
         e.data->>'due_date' AS due_date
    FROM case_events e
   WHERE e.event_type IN ('assessment.opened', 'assessment.reassigned', 'assessment.authorised', 'assessment.withdrawn')
   ORDER BY e.data->>'assessment_id', e.occurred_at DESC, e.id DESC)
SELECT l.case_id, l.team, l.due_date::date AS since, 'due ' || l.due_date AS what, count(*) OVER () AS total
  FROM latest l
 WHERE l.event_type IN ('assessment.opened', 'assessment.reassigned') AND l.due_date < :today
   AND ({_TEAMS} IS NULL OR l.team = ANY({_TEAMS}))
   AND NOT EXISTS (SELECT 1 FROM case_events x WHERE x.case_id = l.case_id AND x.event_type = 'case.closed'
                    AND x.occurred_at > l.occurred_at)
 ORDER BY l.due_date, l.case_id
 LIMIT :limit"""

_PLANS_DRIFTING = f"""
WITH findings AS (
  SELECT DISTINCT ON (e.data->>'plan_id') e.case_id, {_TEAM} AS team, e.data->>'kind' AS kind, e.data->>'since' AS since
    FROM case_events e
   WHERE e.event_type = 'plan.drift_detected' AND {_OF_TEAMS}
     AND NOT EXISTS (SELECT 1 FROM case_events x WHERE x.case_id = e.case_id AND x.event_type = 'plan.ended'
                      AND x.data->>'plan_id' = e.data->>'plan_id')
   ORDER BY e.data->>'plan_id', e.data->>'since', e.occurred_at, e.id)
SELECT f.case_id, f.team, f.since::date AS since, replace(f.kind, '_', ' ') AS what, count(*) OVER () AS total
  FROM findings f
 ORDER BY f.since, f.case_id
 LIMIT :limit"""

_HANDOVERS_WAITING = f"""
WITH asked AS (
  SELECT DISTINCT ON (e.data->>'stepdown_id') e.case_id, {_TEAM} AS team, e.data->>'response_due' AS response_due,
         (e.data->>'requested_at')::timestamptz AS requested_at
    FROM case_events e
   WHERE e.event_type = 'stepdown.requested' AND e.data->>'kind' = 'early_help' AND {_OF_TEAMS}
     AND NOT EXISTS (SELECT 1 FROM case_events x WHERE x.case_id = e.case_id
                      AND x.event_type IN ('stepdown.accepted', 'stepdown.declined', 'stepdown.withdrawn')
                      AND x.data->>'stepdown_id' = e.data->>'stepdown_id')
   ORDER BY e.data->>'stepdown_id', e.occurred_at DESC, e.id DESC)
SELECT a.case_id, a.team, (a.requested_at AT TIME ZONE 'Europe/London')::date AS since,
       coalesce('answer due ' || a.response_due, 'no answer due date') AS what, count(*) OVER () AS total
  FROM asked a
 ORDER BY a.requested_at, a.case_id
 LIMIT :limit"""

#: Each worklist's name and query, in the order the page shows them.
QUERIES = {
    "assessments_overdue": _ASSESSMENTS_OVERDUE,
    "plans_drifting": _PLANS_DRIFTING,
    "handovers_waiting": _HANDOVERS_WAITING,
}


async def worklists(tx: Transaction, *, today: date, teams: list[str] | None, limit: int) -> list[Worklist]:
    """Each worklist of ``teams`` (``None``: every team) as at ``today``: its count and oldest ``limit`` items."""
    found = []
    for name, sql in QUERIES.items():
        statement = text(sql).bindparams(bindparam("teams", type_=ARRAY(String)))
        params: dict[str, Any] = {"teams": teams, "limit": limit}
        if ":today" in sql:
            params["today"] = today.isoformat()
        rows = (await tx.session.execute(statement, params)).all()
        items = [WorkItem(case_id=uuid.UUID(str(r.case_id)), team=r.team, since=r.since, what=r.what) for r in rows]
        found.append(Worklist(name=name, count=int(rows[0].total) if rows else 0, oldest=items))
    return found
