"""Benchmark: the plan service's drift check over 100,000 open plans, time and peak memory.

Continuum: ``DriftScheduler.tick`` (batches of 500 plans per transaction): claims the plans due a
look (``FOR UPDATE SKIP LOCKED``), applies the domain's drift rules to each, records the findings
(``ON CONFLICT DO NOTHING``), writes one ``plan.drift_detected`` outbox row and one audit row per
new finding, and sets when each plan is next due a look. Floor: the bare SQL query that finds the
same drifting plans and what each shows (months open past a threshold, review overdue, actions
past due, visit missed, no progress at the last review), fetched by bare asyncpg: it writes nothing.

Two checks are timed against the same floor:
- *cold*: every plan due a look (the first check after the plans were loaded): all 100,000
  evaluated, every finding new, each announced;
- *daily*: the next day (every date of every plan moved one day back), when only the plans with
  something newly due are looked at: the steady state the scheduler lives in.

Both on the same embedded PostgreSQL with production durability (fsync and synchronous commit on),
a CHECKPOINT before each timed run. Peak memory: tracemalloc in a second run of each (tracemalloc
slows Python down, so the timed runs go without it).

    python bench/bench_plan_drift.py        (own embedded PostgreSQL; about a minute)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from continuum.casework import clock
from continuum.casework.policy import load_policy
from continuum.persistence.db import make_engine, make_session_factory
from continuum_tools.devstack import EmbeddedPostgres, free_port, migrate
from plan.domain.policy import plan_policy
from plan.settings import PlanSettings
from plan.workers import DriftScheduler

PLANS = int(os.environ.get("BENCH_PLANS", "100000"))
FLOOR_RUNS = 3
BATCH = int(os.environ.get("BENCH_BATCH", str(PlanSettings.model_fields["drift_batch_size"].default)))
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "plan" / "alembic.ini"

#: 100,000 started plans, spread like a large council's: started over the last 14 months, reviews
#: and visits falling due over the coming weeks (a few already past), two open actions each.
LOAD = """
INSERT INTO plans (id, case_id, child_id, team, plan_type, status, drafted_from, drafted_at, factors, content,
                   agencies_involved, actions, family, interventions, start_date, approved_by, next_review_due,
                   next_visit_due, open_action_due_dates, last_review_on, last_review_progressed, drift_next_check, version)
SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),
       (ARRAY['north', 'south', 'east', 'disabled-children'])[1 + i % 4],
       CASE WHEN i % 5 = 0 THEN 'cp' ELSE 'cin' END, 'active', 'assessment', now(), ARRAY['3A', '4B'],
       jsonb_build_object('worries', 'Arguments at home frighten the child.', 'outcomes_for_child', 'Safe at home.',
                          'exit_criteria', 'Three months with no call-outs.'),
       ARRAY['school'],
       jsonb_build_array(
         jsonb_build_object('id', gen_random_uuid(), 'description', 'Attend the domestic abuse programme weekly',
                            'owner_person', 'Parent', 'owner_agency', 'family', 'success_measure', 'Attends 10 of 12 sessions',
                            'due_date', ($1::date + (i % 90) - 2)::text, 'progress', 'in_progress', 'note', null),
         jsonb_build_object('id', gen_random_uuid(), 'description', 'See the school nurse about sleep',
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

#: The floor: the same rules as plain SQL over the plans' columns; returns the drifting plans and
#: what each shows.
FLOOR = """
SELECT id,
       CASE WHEN $1::date > start_date + interval '12 months' THEN 12
            WHEN $1::date > start_date + interval '9 months' THEN 9
            WHEN $1::date > start_date + interval '6 months' THEN 6 END AS months_open,
       next_review_due < $1::date AS review_overdue,
       (SELECT array_agg(d) FROM unnest(open_action_due_dates) AS d WHERE d < $1::date) AS actions_past_due,
       next_visit_due < $1::date AS visit_missed,
       last_review_on IS NOT NULL AND NOT last_review_progressed AS no_progress
FROM plans
WHERE status = 'active'
  AND ($1::date > start_date + interval '6 months' OR next_review_due < $1::date OR next_visit_due < $1::date
       OR EXISTS (SELECT 1 FROM unnest(open_action_due_dates) AS d WHERE d < $1::date)
       OR (last_review_on IS NOT NULL AND NOT last_review_progressed))
"""

#: One day passes: every date of every plan moves one day back.
A_DAY_PASSES = """
UPDATE plans SET start_date = start_date - 1, next_review_due = next_review_due - 1, next_visit_due = next_visit_due - 1,
       last_review_on = last_review_on - 1, drift_next_check = drift_next_check - 1,
       open_action_due_dates = ARRAY(SELECT d - 1 FROM unnest(open_action_due_dates) AS d)
"""


async def measure(run: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await run()
    return time.perf_counter() - started, result


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
        postgres.create_database("bench_plan", drop_first=True)
        url, dsn = postgres.url("bench_plan"), postgres.url("bench_plan", driver="")
        migrate(ALEMBIC_INI, url)
        conn = await asyncpg.connect(dsn)
        today = clock.today()
        policy = load_policy()
        engine = make_engine(url)
        scheduler = DriftScheduler(make_session_factory(engine), source="plan", policy=policy, batch_size=BATCH)

        async def load() -> None:
            await conn.execute("TRUNCATE plans, plan_drift_findings, outbox, plan_versions CASCADE")
            await conn.execute(LOAD, today, PLANS)
            await conn.execute("VACUUM ANALYZE plans")
            await conn.execute("CHECKPOINT")

        async def floor(on: date) -> list[Any]:
            return await conn.fetch(FLOOR, on)

        async def timed_floor(on: date) -> tuple[float, list[Any]]:
            runs = []
            for _ in range(FLOOR_RUNS):
                await conn.execute("CHECKPOINT")
                runs.append(await measure(lambda: floor(on)))
            return statistics.median(t for t, _ in runs), runs[0][1]

        async def findings_count() -> int:
            return int(await conn.fetchval("SELECT count(*) FROM plan_drift_findings"))

        print(
            f"{PLANS:,} open plans; database fsync on; drift thresholds {plan_policy(policy).drift_thresholds_months} months",
            flush=True,
        )
        await load()
        floor_s, drifting = await timed_floor(today)
        await conn.execute("CHECKPOINT")
        cold_s, cold_detected = await measure(scheduler.tick)
        found_plans = int(await conn.fetchval("SELECT count(DISTINCT plan_id) FROM plan_drift_findings"))
        assert found_plans == len(drifting), (found_plans, len(drifting))
        outbox = int(await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'plan.drift_detected'"))
        assert outbox == cold_detected == await findings_count(), (outbox, cold_detected)
        again = await scheduler.tick()
        assert again == 0, again  # a second run announces nothing

        await conn.execute(A_DAY_PASSES)
        await conn.execute("VACUUM ANALYZE plans")
        day_floor_s, day_drifting = await timed_floor(today)
        before = await findings_count()
        await conn.execute("CHECKPOINT")
        daily_s, daily_detected = await measure(scheduler.tick)
        assert await findings_count() - before == daily_detected

        # Peak memory: the same checks again with tracemalloc (reloaded, so the cold check is cold again).
        await load()
        floor_peak = await peak_memory(lambda: floor(today))
        cold_peak = await peak_memory(scheduler.tick)
        await conn.execute(A_DAY_PASSES)
        daily_peak = await peak_memory(scheduler.tick)

        mib = 1024 * 1024
        print(
            f"floor (bare SQL, {len(drifting):,} drifting plans found of {PLANS:,}): {floor_s * 1000:,.0f} ms, "
            f"peak {floor_peak / mib:.1f} MiB",
            flush=True,
        )
        print(
            f"cold check (all {PLANS:,} due a look; {cold_detected:,} findings recorded, announced and audited): "
            f"{cold_s * 1000:,.0f} ms, peak {cold_peak / mib:.1f} MiB; ratio {floor_s / cold_s:.2f}",
            flush=True,
        )
        print(
            f"daily check (the next day; floor {day_floor_s * 1000:,.0f} ms finds {len(day_drifting):,} drifting plans; "
            f"the check announces {daily_detected:,} new findings): {daily_s * 1000:,.0f} ms, peak {daily_peak / mib:.1f} MiB; "
            f"ratio {day_floor_s / daily_s:.2f}",
            flush=True,
        )
        print(f"plan drift: ratio {day_floor_s / daily_s:.2f} daily, {floor_s / cold_s:.2f} cold (floor time / check time)")
        await engine.dispose()
        await conn.close()
    finally:
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
