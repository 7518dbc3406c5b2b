"""The measures' queries: each figure's facts read from ``case_events`` by SQL already narrowed to
the period and the same period a year before, and to the teams asked for, with corrections
applied (a referral's latest decision; withdrawn assessments, enquiries, closures and handovers
left out). Only those facts reach Python, never the event history (decision 52).

Each fact's date is in the event's data (a closure's date, an authorisation's), not its envelope
time: the migration ``0003`` indexes each one by its event type (a partial index on the text of
the date, which in ISO form sorts as the dates do), and the corrections are found by the case's
index. Instants (a referral's receipt, a step-down's request) are read a day either side of each
window and counted by their London date in the domain.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from continuum.casework.clock import london_date
from continuum.contracts import DecisionOutcome
from continuum.persistence.uow import Transaction
from insight.domain import measure_facts as f
from insight.domain.events import CASE_EVENT_TYPES
from insight.domain.periods import Period

_TEAMS = "CAST(:teams AS varchar[])"


def _of_teams(team: str) -> str:
    return f"({_TEAMS} IS NULL OR {team} = ANY({_TEAMS}))"


def _dated(value: str) -> str:
    """A date of the data (ISO text) in the period or the year before."""
    return f"(({value} BETWEEN :from1 AND :to1) OR ({value} BETWEEN :from0 AND :to0))"


def _instant(value: str) -> str:
    """An instant of the data (ISO text) within a day of the period or the year before."""
    return f"(({value} >= :after1 AND {value} < :before1) OR ({value} >= :after0 AND {value} < :before0))"


def _same(kind: str, key: str, alias: str = "x") -> str:
    """An event of type ``kind`` of the same case that names the same ``key`` (by the case's index)."""
    return f"{alias}.case_id = e.case_id AND {alias}.event_type = '{kind}' AND {alias}.data->>'{key}' = e.data->>'{key}'"


_TEAM = "coalesce(e.team, 'unassigned')"

_REFERRALS = f"""
SELECT coalesce(d.team, e.team, 'unassigned') AS team, e.child_id, (e.data->>'received_at')::timestamptz AS received_at,
       (SELECT max((p.data->>'received_at')::timestamptz) FROM case_events p
         WHERE p.child_id = e.child_id AND p.event_type = 'referral.received'
           AND (p.data->>'received_at')::timestamptz < (e.data->>'received_at')::timestamptz) AS previous_received_at,
       d.outcome
  FROM case_events e
  LEFT JOIN LATERAL (SELECT x.team, x.data->>'outcome' AS outcome FROM case_events x
                      WHERE {_same("referral.decided", "referral_id")} ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1) d ON true
 WHERE e.event_type = 'referral.received' AND {_instant("e.data->>'received_at'")}
   AND {_of_teams("coalesce(d.team, e.team, 'unassigned')")}"""

_ASSESSMENTS = f"""
SELECT DISTINCT ON (e.data->>'assessment_id') e.team, (e.data->>'referral_date')::date AS referral_date,
       (e.data->>'authorisation_date')::date AS authorisation_date
  FROM case_events e
 WHERE e.event_type = 'assessment.authorised' AND {_dated("e.data->>'authorisation_date'")} AND {_of_teams("e.team")}
   AND NOT EXISTS (SELECT 1 FROM case_events x
                    WHERE {_same("assessment.withdrawn", "assessment_id")} AND x.occurred_at > e.occurred_at)
 ORDER BY e.data->>'assessment_id', e.occurred_at DESC, e.id DESC"""

_SECTION47S = f"""
SELECT DISTINCT ON (e.data->>'section47_id') e.team, (e.data->>'start_date')::date AS start_date
  FROM case_events e
 WHERE e.event_type = 'section47.started' AND {_dated("e.data->>'start_date'")} AND {_of_teams("e.team")}
   AND NOT EXISTS (SELECT 1 FROM case_events x WHERE {_same("section47.withdrawn", "section47_id")})
 ORDER BY e.data->>'section47_id', e.occurred_at DESC, e.id DESC"""

_ICPCS = f"""
SELECT DISTINCT ON (e.data->>'section47_id') e.team, (e.data->>'icpc_date')::date AS icpc_date,
       (s.data->>'strategy_discussion_date')::date AS strategy_discussion_date,
       (e.data->>'icpc_target_date')::date AS icpc_target_date
  FROM case_events e
  LEFT JOIN LATERAL (SELECT x.data FROM case_events x WHERE {_same("section47.started", "section47_id")} LIMIT 1) s ON true
 WHERE e.event_type = 'section47.concluded' AND {_dated("e.data->>'icpc_date'")} AND {_of_teams("e.team")}
 ORDER BY e.data->>'section47_id', e.occurred_at DESC, e.id DESC"""

# Every plan started by the period's last day that had not ended before the year before began:
# those open at either window's end, and those that ended in either window.
_PLANS = f"""
SELECT DISTINCT ON (e.data->>'plan_id') e.team, e.data->>'plan_type' AS plan_type,
       (e.data->>'start_date')::date AS start_date, (x.data->>'end_date')::date AS end_date
  FROM case_events e
  LEFT JOIN LATERAL (SELECT x.data FROM case_events x WHERE {_same("plan.ended", "plan_id")}
                      ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1) x ON true
 WHERE e.event_type = 'plan.started' AND e.data->>'start_date' <= :to1 AND {_of_teams("e.team")}
   AND (x.data IS NULL OR x.data->>'end_date' >= :from0)
 ORDER BY e.data->>'plan_id', e.occurred_at, e.id"""

_REVIEWS = f"""
SELECT DISTINCT ON (e.data->>'plan_id', e.data->>'review_number') e.team, e.data->>'plan_type' AS plan_type,
       (e.data->>'review_date')::date AS review_date, (e.data->>'on_time')::boolean AS on_time
  FROM case_events e
 WHERE e.event_type = 'plan.reviewed' AND {_dated("e.data->>'review_date'")} AND {_of_teams("e.team")}
 ORDER BY e.data->>'plan_id', e.data->>'review_number', e.occurred_at DESC, e.id DESC"""

_VISITS = f"""
SELECT DISTINCT ON (e.data->>'visit_id') e.team, (e.data->>'visit_date')::date AS visit_date,
       (e.data->>'within_frequency')::boolean AS within_frequency, (e.data->>'child_seen')::boolean AS child_seen
  FROM case_events e
 WHERE e.event_type = 'visit.recorded' AND {_dated("e.data->>'visit_date'")} AND {_of_teams("e.team")}
 ORDER BY e.data->>'visit_id', e.occurred_at DESC, e.id DESC"""

_DRIFT = f"""
SELECT DISTINCT ON (e.data->>'plan_id', e.data->>'kind', e.data->>'key') e.team, e.data->>'kind' AS kind,
       (e.data->>'detected_at')::timestamptz AS detected_at
  FROM case_events e
 WHERE e.event_type = 'plan.drift_detected' AND {_instant("e.data->>'detected_at'")} AND {_of_teams("e.team")}
 ORDER BY e.data->>'plan_id', e.data->>'kind', e.data->>'key', e.occurred_at, e.id"""

_CLOSURES = f"""
SELECT e.team, e.data->>'kind' = 'early_help' AS to_early_help, (e.data->>'referral_date')::date AS referral_date,
       (e.data->>'closure_date')::date AS closure_date, (e.data->>'unmet_need')::boolean AS unmet_need
  FROM case_events e
 WHERE e.event_type = 'case.closed' AND {_dated("e.data->>'closure_date'")} AND {_of_teams("e.team")}
   AND NOT EXISTS (SELECT 1 FROM case_events x
                    WHERE {_same("case.reopened", "stepdown_id")} AND x.occurred_at >= e.occurred_at)"""

_HANDOVERS = f"""
SELECT e.team, (e.data->>'requested_at')::timestamptz AS requested_at,
       EXISTS (SELECT 1 FROM case_events x WHERE {_same("stepdown.accepted", "stepdown_id")}) AS accepted,
       EXISTS (SELECT 1 FROM case_events x WHERE {_same("stepdown.declined", "stepdown_id")}) AS declined
  FROM case_events e
 WHERE e.event_type = 'stepdown.requested' AND e.data->>'kind' = 'early_help' AND {_instant("e.data->>'requested_at'")}
   AND {_of_teams("e.team")}
   AND NOT EXISTS (SELECT 1 FROM case_events x
                    WHERE x.case_id = e.case_id AND x.event_type IN ('stepdown.withdrawn', 'case.reopened')
                      AND x.data->>'stepdown_id' = e.data->>'stepdown_id')"""

_STEP_UPS = f"""
SELECT {_TEAM} AS team, (e.data->>'requested_at')::timestamptz AS requested_at,
       coalesce((e.data->>'within_12_months_of_step_down')::boolean, false) AS within_12_months
  FROM case_events e
 WHERE e.event_type = 'stepup.requested' AND {_instant("e.data->>'requested_at'")} AND {_of_teams(_TEAM)}"""

_FIRST_EVENT = text(
    "SELECT min(m) FROM (SELECT (SELECT min(occurred_at) FROM case_events WHERE event_type = t) AS m "
    "FROM unnest(CAST(:types AS varchar[])) AS t) firsts"
).bindparams(bindparam("types", type_=ARRAY(String)))


def _query(sql: str) -> Any:
    return text(sql).bindparams(bindparam("teams", type_=ARRAY(String)))


_QUERIES = {
    name: _query(sql)
    for name, sql in {
        "referrals": _REFERRALS,
        "assessments": _ASSESSMENTS,
        "section47s": _SECTION47S,
        "icpcs": _ICPCS,
        "plans": _PLANS,
        "reviews": _REVIEWS,
        "visits": _VISITS,
        "drift": _DRIFT,
        "closures": _CLOSURES,
        "handovers": _HANDOVERS,
        "step_ups": _STEP_UPS,
    }.items()
}


def _params(period: Period, teams: list[str] | None) -> dict[str, Any]:
    now, before = period.current, period.year_before
    day = timedelta(days=1)
    params: dict[str, Any] = {"teams": teams}
    for n, w in (("1", now), ("0", before)):
        params |= {
            f"from{n}": w.first.isoformat(),
            f"to{n}": w.last.isoformat(),
            f"after{n}": (w.first - day).isoformat(),
            f"before{n}": (w.last + 2 * day).isoformat(),
        }
    return params


def _referral(r: Any) -> f.Referral:
    outcome = DecisionOutcome(r.outcome) if r.outcome else None
    return f.Referral(
        team=r.team, child_id=r.child_id, received_at=r.received_at, previous_received_at=r.previous_received_at, outcome=outcome
    )


def _on(instant: datetime) -> date:
    return london_date(instant)


async def first_event_day(tx: Transaction) -> date | None:
    """The London date of the read model's first event (``None``: it has none): what it covers."""
    first = (await tx.session.execute(_FIRST_EVENT, {"types": list(CASE_EVENT_TYPES)})).scalar_one_or_none()
    return london_date(first) if first is not None else None


async def measure_facts(tx: Transaction, period: Period, *, teams: list[str] | None) -> f.Facts:
    """The facts of ``period`` and the same period a year before, of ``teams`` (``None``: every team)."""
    params = _params(period, teams)
    rows = {name: (await tx.session.execute(query, params)).all() for name, query in _QUERIES.items()}
    return f.Facts(
        referrals=[_referral(r) for r in rows["referrals"]],
        assessments=[f.Assessment(*r) for r in rows["assessments"]],
        section47s=[f.Section47(*r) for r in rows["section47s"]],
        icpcs=[f.Icpc(*r) for r in rows["icpcs"]],
        plans=[f.Plan(*r) for r in rows["plans"]],
        reviews=[f.Review(*r) for r in rows["reviews"]],
        visits=[f.Visit(*r) for r in rows["visits"]],
        drift=[f.Drift(r.team, r.kind, _on(r.detected_at)) for r in rows["drift"]],
        closures=[f.Closure(*r) for r in rows["closures"]],
        handovers=[f.Handover(r.team, _on(r.requested_at), r.accepted, r.declined) for r in rows["handovers"]],
        step_ups=[f.StepUp(r.team, _on(r.requested_at), r.within_12_months) for r in rows["step_ups"]],
    )
