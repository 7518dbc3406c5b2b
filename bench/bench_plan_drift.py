"""Benchmark: the plan service's drift check over 100,000 open plans, against a floor that records
the same findings with the same outbox and audit rows.

Continuum: the drift scheduler's ``tick`` (``plan.workers.drift_scheduler``), as the service's
worker runs it (``plan.use_cases.drift``), a batch of 500 plans per transaction: claims the plans
due a look (``FOR UPDATE SKIP LOCKED``),
applies the domain's drift rules to each, records the findings (``ON CONFLICT DO NOTHING``), writes
one ``plan.drift_detected`` outbox row per new finding and one audit row per plan with a new
finding, and sets when each claimed plan is next due a look.

Floor: the same durable work with the least machinery: bare asyncpg, ONE statement per batch of
the same size (so as many commits), data-modifying CTEs that claim the same plans, apply the same
rules in SQL, insert the findings, build each new finding's event (its envelope as the payload) in
the server, write the audit rows and the next checks. Afterwards both databases must hold the same
rows: findings, outbox rows and audit rows counted and compared by content (but for the event ids
and instants each side draws), and every plan's next check.

Two checks, each timed on both sides:
- *cold*: every plan due a look (the first check after the plans were loaded): all 100,000
  evaluated, every finding new, each announced;
- *daily*: the next day (every date of every plan moved one day back), when only the plans with
  something newly due are looked at: the steady state the scheduler lives in.

Rounds: each side loads its own copy of the plans (the same ids), then runs the cold check and the
daily one; the floor goes first in odd rounds, the product in even ones. Both on one embedded
PostgreSQL with production durability (fsync and synchronous commit on), a CHECKPOINT before each
timed check; the service's logging at INFO, as in production. Peak memory of the product's checks:
tracemalloc, in one more run after the rounds (it slows Python down, so the timed runs go without).

    python bench/bench_plan_drift.py        (own embedded PostgreSQL; about 5 minutes)

``BENCH_PLANS`` (100000), ``BENCH_ROUNDS`` (5), ``BENCH_BATCH`` (the service's batch size).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from common import ROUNDS, log_lines, production_logging, sides_in_order, spread, summary

from continuum.casework import clock
from continuum.casework.policy import load_policy
from continuum.contracts.plan import PlanDriftDetected
from continuum.persistence.db import make_engine, make_session_factory
from continuum_tools.devstack import EmbeddedPostgres, free_port, migrate
from plan.domain.policy import plan_policy
from plan.settings import PlanSettings

try:
    from plan.workers import drift_scheduler
except ImportError:  # a tree before issue 17 (bench/compare.sh): the service's own scheduler class
    from plan.workers import DriftScheduler as drift_scheduler  # type: ignore[attr-defined,no-redef]

PLANS = int(os.environ.get("BENCH_PLANS", "100000"))
BATCH = int(os.environ.get("BENCH_BATCH", str(PlanSettings.model_fields["drift_batch_size"].default)))
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "plan" / "alembic.ini"

#: 100,000 started plans, spread like a large council's: started over the last 14 months, reviews
#: and visits falling due over the coming weeks (a few already past), two open actions each. Ids are drawn from
#: ``i``, so the floor's database and the product's hold the same plans.
LOAD = """
INSERT INTO plans (id, case_id, child_id, team, plan_type, status, drafted_from, drafted_at, factors, content,
                   agencies_involved, actions, family, interventions, start_date, approved_by, next_review_due,
                   next_visit_due, open_action_due_dates, last_review_on, last_review_progressed, drift_next_check, version)
SELECT md5('plan' || i)::uuid, md5('case' || i)::uuid, md5('child' || i)::uuid,
       (ARRAY['north', 'south', 'east', 'disabled-children'])[1 + i % 4],
       CASE WHEN i % 5 = 0 THEN 'cp' ELSE 'cin' END, 'active', 'assessment', now(), ARRAY['3A', '4B'],
       jsonb_build_object('worries', 'Arguments at home frighten the child.', 'outcomes_for_child', 'Safe at home.',
                          'exit_criteria', 'Three months with no call-outs.'),
       ARRAY['school'],
       jsonb_build_array(
         jsonb_build_object('id', md5('action-a' || i)::uuid, 'description', 'Attend the domestic abuse programme weekly',
                            'owner_person', 'Parent', 'owner_agency', 'family', 'success_measure', 'Attends 10 of 12 sessions',
                            'due_date', ($1::date + (i % 90) - 2)::text, 'progress', 'in_progress', 'note', null),
         jsonb_build_object('id', md5('action-b' || i)::uuid, 'description', 'See the school nurse about sleep',
                            'owner_person', 'School nurse', 'owner_agency', 'health', 'success_measure', 'Two appointments kept',
                            'due_date', ($1::date + (i % 120) + 10)::text, 'progress', 'not_started', 'note', null)),
       '{}'::jsonb, '[]'::jsonb,
       $1::date - (i * 37 % 420), 'manager',
       $1::date + (i * 7 % 60) - 4,
       $1::date + (i * 13 % 35) - 2,
       ARRAY[$1::date + (i % 90) - 2, $1::date + (i % 120) + 10],
       CASE WHEN i % 3 = 0 THEN $1::date - (i % 40) END,
       CASE WHEN i % 3 = 0 THEN i % 20 <> 0 END,
       $1::date - (i * 37 % 420),
       4
FROM generate_series(1, $2) AS i
"""

#: The floor: one batch of the drift check in one statement (its own transaction). ``due``: the
#: plans due a look, claimed as the service claims them; ``found``: the domain's rules
#: (``plan.domain.drift.findings``) over their columns ($3: the council's thresholds in months);
#: ``recorded``: the new findings; ``events``: one ``plan.drift_detected`` per new finding, its
#: envelope built here; ``audit``: one row per plan with a new finding; ``checked``: the day each
#: plan is next due a look (``drift.next_check``: the first day after today on which time alone
#: could add a finding).
FLOOR = """
WITH due AS MATERIALIZED (
    SELECT id, case_id, child_id, team, plan_type, version, start_date, next_review_due, next_visit_due,
           open_action_due_dates, last_review_on, last_review_progressed
    FROM plans
    WHERE status = 'active' AND drift_next_check <= $1
    ORDER BY drift_next_check, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
), found AS (
    SELECT d.id AS plan_id, f.kind, f.key, f.since
    FROM due AS d, LATERAL (
        SELECT 'open_over_threshold', t.m::text, (d.start_date + make_interval(months => t.m))::date + 1
        FROM (SELECT max(m) AS m FROM unnest($3::int[]) AS m
              WHERE $1 > (d.start_date + make_interval(months => m))::date) AS t
        WHERE t.m IS NOT NULL
        UNION ALL
        SELECT 'review_overdue', to_char(d.next_review_due, 'YYYY-MM-DD'), d.next_review_due + 1
        WHERE $1 > d.next_review_due
        UNION ALL
        SELECT 'actions_past_due', to_char(a, 'YYYY-MM-DD'), a + 1
        FROM (SELECT DISTINCT a FROM unnest(d.open_action_due_dates) AS a) AS a WHERE a < $1
        UNION ALL
        SELECT 'visits_missed', to_char(d.next_visit_due, 'YYYY-MM-DD'), d.next_visit_due + 1
        WHERE $1 > d.next_visit_due
        UNION ALL
        SELECT 'no_progress_since_review', to_char(d.last_review_on, 'YYYY-MM-DD'), d.last_review_on
        WHERE d.last_review_on IS NOT NULL AND NOT coalesce(d.last_review_progressed, false)
    ) AS f(kind, key, since)
    WHERE d.start_date IS NOT NULL
), recorded AS (
    INSERT INTO plan_drift_findings (plan_id, kind, key, since, detected_at)
    SELECT plan_id, kind, key, since, now() FROM found
    ON CONFLICT DO NOTHING
    RETURNING plan_id, kind, key, since, detected_at
), events AS (
    INSERT INTO outbox (event_id, topic, key, event_type, payload)
    SELECT e.event_id, $4, e.case_id::text, 'plan.drift_detected', jsonb_build_object(
               'specversion', '1.0', 'id', e.event_id, 'source', 'plan', 'type', 'plan.drift_detected',
               'time', e.detected_at, 'subject', e.case_id::text, 'dataschema', $5::text,
               'datacontenttype', 'application/json', 'aggregate_version', e.version, 'traceparent', null,
               'data', jsonb_build_object('plan_id', e.plan_id, 'case_id', e.case_id, 'child_id', e.child_id,
                                          'team', e.team, 'plan_type', e.plan_type, 'kind', e.kind, 'key', e.key,
                                          'since', e.since, 'detected_at', e.detected_at))
    FROM (SELECT gen_random_uuid() AS event_id, r.plan_id, r.kind, r.key, r.since, r.detected_at,
                 d.case_id, d.child_id, d.team, d.plan_type, d.version
          FROM recorded AS r JOIN due AS d ON d.id = r.plan_id) AS e
), audit AS (
    INSERT INTO audit_log (actor, actor_roles, action, subject_type, subject_id, purpose, outcome)
    SELECT 'service:plan', '{service}', 'plan.drift_detected', 'plan', plan_id::text, 'drift check', 'success'
    FROM recorded GROUP BY plan_id
), checked AS (
    UPDATE plans AS p SET drift_next_check = CASE WHEN d.start_date IS NOT NULL THEN (
        SELECT min(x) FROM unnest(
            ARRAY(SELECT (d.start_date + make_interval(months => m))::date + 1 FROM unnest($3::int[]) AS m)
            || ARRAY[d.next_review_due + 1, d.next_visit_due + 1]
            || ARRAY(SELECT a + 1 FROM unnest(d.open_action_due_dates) AS a)
        ) AS x WHERE x > $1) END
    FROM due AS d WHERE p.id = d.id
)
SELECT (SELECT count(*) FROM due) AS plans, (SELECT count(*) FROM recorded) AS detected
"""

#: One day passes: every date of every plan moves one day back.
A_DAY_PASSES = """
UPDATE plans SET start_date = start_date - 1, next_review_due = next_review_due - 1, next_visit_due = next_visit_due - 1,
       last_review_on = last_review_on - 1, drift_next_check = drift_next_check - 1,
       open_action_due_dates = ARRAY(SELECT d - 1 FROM unnest(open_action_due_dates) AS d)
"""

#: What a check leaves, counted and digested, but for the ids and instants each side draws (the
#: events' ids and times, when a finding was detected, the audit rows' ids and times).
ROWS = """
SELECT 'findings', count(*), md5(string_agg(concat_ws('|', plan_id, kind, key, since), ',' ORDER BY plan_id, kind, key))
FROM plan_drift_findings
UNION ALL
SELECT 'outbox', count(*), md5(string_agg(row, ',' ORDER BY row))
FROM (SELECT concat_ws('|', topic, key, event_type, payload - 'id' - 'time' #- '{data,detected_at}') AS row FROM outbox) AS o
UNION ALL
SELECT 'audit', count(*), md5(string_agg(concat_ws('|', actor, actor_roles, action, subject_type, subject_id, purpose,
                                                   outcome, request_id), ',' ORDER BY subject_id))
FROM audit_log
UNION ALL
SELECT 'next checks', count(*), md5(string_agg(concat_ws('|', id, drift_next_check), ',' ORDER BY id)) FROM plans
"""


@dataclass
class Checks:
    """One side's round: how long its cold and daily checks took, and what they announced."""

    cold_s: float = 0.0
    cold_detected: int = 0
    daily_s: float = 0.0
    daily_detected: int = 0
    rows: dict[str, tuple[int, str]] = field(default_factory=dict)


async def timed(run: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    started = time.perf_counter()
    result = await run()
    return time.perf_counter() - started, result


async def load(conn: asyncpg.Connection, today: date, plans: int = PLANS) -> None:
    """The plans, afresh: nothing found, nothing announced, every plan due a look."""
    # The audit log refuses TRUNCATE (append-only, by trigger); the benchmark's superuser skips triggers.
    await conn.execute("SET session_replication_role = replica")
    await conn.execute("TRUNCATE plans, plan_drift_findings, outbox, plan_versions, audit_log CASCADE")
    await conn.execute("SET session_replication_role = DEFAULT")
    await conn.execute(LOAD, today, plans)
    await conn.execute("VACUUM ANALYZE")
    await conn.execute("CHECKPOINT")


async def rows(conn: asyncpg.Connection) -> dict[str, tuple[int, str]]:
    return {name: (n, digest) for name, n, digest in await conn.fetch(ROWS)}


async def run_side(conn: asyncpg.Connection, check: Callable[[], Awaitable[int]]) -> Checks:
    """Load the plans, then time the cold check and, a day later, the daily one."""
    today = clock.today()
    result = Checks()
    await load(conn, today)
    result.cold_s, result.cold_detected = await timed(check)
    await conn.execute(A_DAY_PASSES)
    await conn.execute("VACUUM ANALYZE plans")
    await conn.execute("CHECKPOINT")
    result.daily_s, result.daily_detected = await timed(check)
    again = await check()
    assert again == 0, f"a second check announced {again} findings"
    result.rows = await rows(conn)
    return result


async def peak_memory(run: Callable[[], Awaitable[Any]]) -> int:
    tracemalloc.start()
    try:
        await run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def main() -> None:
    # The PostgreSQL this starts runs detached: stop it however the run ends (finally below).
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda *_: sys.exit(1))
    work = Path(tempfile.mkdtemp(prefix="continuum-bench-plan-"))
    postgres = EmbeddedPostgres(work / "pg", free_port(), durable=True)
    postgres.start()
    try:
        service_log = work / "service.log"
        production_logging(service_log)
        for database in ("bench_plan", "bench_plan_floor"):
            postgres.create_database(database, drop_first=True)
            migrate(ALEMBIC_INI, postgres.url(database))
        policy = load_policy()
        thresholds = list(plan_policy(policy).drift_thresholds_months)
        engine = make_engine(postgres.url("bench_plan"))
        scheduler = drift_scheduler(make_session_factory(engine), source="plan", policy=policy, batch_size=BATCH)
        product_conn = await asyncpg.connect(postgres.url("bench_plan", driver=""))
        floor_conn = await asyncpg.connect(postgres.url("bench_plan_floor", driver=""))

        async def floor() -> int:
            """The floor's check: a statement per batch until a batch comes back short, as the scheduler's tick."""
            today, detected = clock.today(), 0
            while True:
                plans, found = await floor_conn.fetchrow(
                    FLOOR, today, BATCH, thresholds, PlanDriftDetected.topic, PlanDriftDetected.dataschema()
                )
                detected += found
                if plans < BATCH:
                    return int(detected)

        print(
            f"{PLANS:,} open plans, batches of {BATCH}; PostgreSQL with fsync on; drift thresholds {tuple(thresholds)} "
            f"months; the service logs at INFO",
            flush=True,
        )
        # Warm up both sides on a few plans (statements prepared, caches filled), as a running service is.
        for conn, check in ((floor_conn, floor), (product_conn, scheduler.tick)):
            await load(conn, clock.today(), plans=2 * BATCH)
            await check()
        cold_ratios, daily_ratios = [], []
        for round_ in range(1, ROUNDS + 1):
            measured: dict[str, Checks] = {}
            for side in sides_in_order(round_):
                if side == "floor":
                    measured[side] = await run_side(floor_conn, floor)
                else:
                    measured[side] = await run_side(product_conn, scheduler.tick)
            f, p = measured["floor"], measured["product"]
            if f.rows != p.rows or (f.cold_detected, f.daily_detected) != (p.cold_detected, p.daily_detected):
                raise AssertionError(f"the floor and the check wrote different rows:\n  floor   {f.rows}\n  product {p.rows}")
            cold_ratios.append(f.cold_s / p.cold_s)
            daily_ratios.append(f.daily_s / p.daily_s)
            print(
                f"round {round_} ({sides_in_order(round_)[0]} first): cold: floor {f.cold_s * 1000:,.0f} ms, check "
                f"{p.cold_s * 1000:,.0f} ms, ratio {cold_ratios[-1]:.2f}; daily: floor {f.daily_s * 1000:,.0f} ms, "
                f"check {p.daily_s * 1000:,.0f} ms, ratio {daily_ratios[-1]:.2f}",
                flush=True,
            )
        counted = ", ".join(f"{name} {n:,}" for name, (n, _) in p.rows.items())
        print(
            f"  each round: the cold check announced {p.cold_detected:,} findings, the daily {p.daily_detected:,}; "
            f"the same rows on both sides, by count and content: {counted}"
        )

        # Peak memory of the product's checks: once more, under tracemalloc.
        await load(product_conn, clock.today())
        cold_peak = await peak_memory(scheduler.tick)
        await product_conn.execute(A_DAY_PASSES)
        daily_peak = await peak_memory(scheduler.tick)
        mib = 1024 * 1024
        print(
            f"  the check's peak memory (tracemalloc): cold {cold_peak / mib:.1f} MiB, daily {daily_peak / mib:.1f} MiB; "
            f"the service's log at INFO: {log_lines(service_log)} lines"
        )
        print(f"  daily {spread(daily_ratios)}, cold {spread(cold_ratios)}")
        summary("plan drift, daily check", daily_ratios, "floor time / check time")
        summary("plan drift, cold check", cold_ratios, "floor time / check time")
        await engine.dispose()
        await product_conn.close()
        await floor_conn.close()
    finally:
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
