"""Benchmark: the step-down service's measures for a council-sized year.

Continuum: ``GET /v1/measures`` through its use case (``stepdown.use_cases.reads.measures``): the
facts of the year and of the year before (10,000 closures each, their handovers, re-referrals and
step-ups) counted in SQL by team, quarter and duration band (the domain's band edges), then summed
by the domain into quarters with the year before, shares, rates and changes, and shaped as the API
answers them. (A first version read every fact into the domain: 330 ms, ratio 0.08; building 20,000
tuples in a process holding the app's objects cost more than the query.)
Floor: the bare SQL aggregates that give the same figures (closures by team, quarter and
duration band with unmet need; handovers answered, accepted and engaged; re-referrals and step-ups
within 12 months), fetched by bare asyncpg. Both on the same embedded PostgreSQL with production
durability, a CHECKPOINT before each timed run, rounds in which each side goes first in turn, the
median of the rounds' ratios with their spread; logging at INFO, as in production. The figures of
both are compared before anything is timed.

    python bench/bench_stepdown_measures.py        (own embedded PostgreSQL; under a minute)
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
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from common import ROUNDS, log_lines, production_logging, sides_in_order, spread, summary

from continuum.casework.policy import load_policy
from continuum.casework.principal import Principal, Role
from continuum.persistence.db import make_engine, make_session_factory
from continuum.persistence.uow import UnitOfWork
from continuum_tools.devstack import EmbeddedPostgres, free_port, migrate
from stepdown.use_cases import reads

try:
    from stepdown.use_cases.commands import Measure
    from stepdown.views import measures_view
except ImportError:  # a tree before issue 17 (bench/compare.sh): the use case answered the API model itself
    Measure = None  # type: ignore[assignment,misc]

CLOSURES = int(os.environ.get("BENCH_CLOSURES", "10000"))
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "stepdown" / "alembic.ini"
YEAR_FROM, YEAR_TO = date(2025, 4, 1), date(2026, 3, 31)

#: A year of closures (and the year before), spread over four teams: referral 0 to 14 months before
#: the closure, a quarter with unmet need, half of them handovers to early help (most accepted,
#: most with engagement recorded), some re-referred and some stepped up within 12 months.
LOAD = """
INSERT INTO stepdowns (id, case_id, child_id, team, kind, trigger, status, referral_date, ended_on, assessed, unmet_need,
                       receiving_team, requested_at, stepped_down_on, response_due, answered_at, decline_reason, engagement,
                       closure_date, closure_reason, closed_at, re_referred_on, version)
SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),
       (ARRAY['north', 'south', 'east', 'disabled-children'])[1 + i % 4],
       CASE WHEN i % 2 = 0 THEN 'early_help' ELSE 'close' END, 'plan',
       CASE WHEN i % 2 = 1 OR i % 10 = 0 THEN 'closed' ELSE 'accepted' END,
       c - (i * 37 % 430), c, true, i % 4 = 0,
       CASE WHEN i % 2 = 0 THEN 'early-help' END, c::timestamptz, c, CASE WHEN i % 2 = 0 THEN c + 14 END,
       CASE WHEN i % 2 = 0 THEN c::timestamptz END, CASE WHEN i % 10 = 0 THEN 'no_capacity' END,
       CASE WHEN i % 2 = 0 AND i % 10 <> 0 AND i % 3 <> 0 THEN (ARRAY['engaged', 'partly', 'declined'])[1 + i % 3] END,
       c, 'RC7', c::timestamptz,
       CASE WHEN i % 7 = 0 THEN c + 90 END, 3
  FROM generate_series(1, $2::int) AS i, LATERAL (SELECT $1::date + (i * 365 / $2::int) AS c) AS d;
INSERT INTO step_ups (id, child_id, team, requested_by, requested_at, requested_on, concerns, what_was_tried,
                      stepdown_id, within_12_months, version)
SELECT gen_random_uuid(), child_id, team, 'early-help-worker', stepped_down_on::timestamptz, stepped_down_on + 60,
       'Concerns', 'Tried', id, true, 1
  FROM stepdowns WHERE kind = 'early_help' AND status = 'accepted' AND (extract(day FROM stepped_down_on))::int % 9 = 0;
"""

FLOOR_CLOSURES = """
SELECT team, date_trunc('quarter', closure_date)::date AS quarter,
       CASE WHEN closure_date < referral_date + interval '3 months' THEN 'under_3_months'
            WHEN closure_date < referral_date + interval '6 months' THEN '3_to_6_months'
            WHEN closure_date < referral_date + interval '9 months' THEN '6_to_9_months'
            ELSE '9_months_or_more' END AS band,
       count(*) AS closures, count(*) FILTER (WHERE unmet_need) AS unmet
  FROM stepdowns WHERE closure_date BETWEEN $1 AND $2 GROUP BY 1, 2, 3
"""
FLOOR_HANDOVERS = """
SELECT team, date_trunc('quarter', stepped_down_on)::date AS quarter, count(*) AS handovers,
       count(*) FILTER (WHERE status = 'accepted') AS accepted, count(*) FILTER (WHERE decline_reason IS NOT NULL) AS declined,
       count(engagement) AS recorded, count(*) FILTER (WHERE engagement = 'engaged') AS engaged
  FROM stepdowns WHERE kind = 'early_help' AND stepped_down_on BETWEEN $1 AND $2 GROUP BY 1, 2
"""
FLOOR_RETURNS = """
SELECT team, date_trunc('quarter', re_referred_on)::date, count(*) FROM stepdowns
 WHERE re_referred_on BETWEEN $1 AND $2 GROUP BY 1, 2
UNION ALL
SELECT team, date_trunc('quarter', requested_on)::date, count(*) FROM step_ups
 WHERE within_12_months AND requested_on BETWEEN $1 AND $2 GROUP BY 1, 2
"""


async def measure(run: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await run()
    return time.perf_counter() - started, result


async def main() -> None:
    # The PostgreSQL this starts runs detached: stop it however the run ends (finally below).
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda *_: sys.exit(1))
    work = Path(tempfile.mkdtemp(prefix="continuum-bench-stepdown-"))
    postgres = EmbeddedPostgres(work / "pg", free_port(), durable=True)
    postgres.start()
    service_log = work / "service.log"
    production_logging(service_log)  # the service's logging at INFO, as in production
    try:
        postgres.create_database("bench_stepdown", drop_first=True)
        url, dsn = postgres.url("bench_stepdown"), postgres.url("bench_stepdown", driver="")
        migrate(ALEMBIC_INI, url)
        conn = await asyncpg.connect(dsn)
        year_before = date(YEAR_FROM.year - 1, YEAR_FROM.month, YEAR_FROM.day)
        await conn.execute("TRUNCATE stepdowns, step_ups")
        for start in (year_before, YEAR_FROM):
            await conn.execute(LOAD.split(";")[0], start, CLOSURES)
        await conn.execute(LOAD.split(";")[1])
        await conn.execute("VACUUM ANALYZE")
        policy = load_policy()
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        principal = Principal(
            "bench-manager", "Bench Manager", frozenset({Role.AUDITOR}), frozenset({"north"}), True, policy.la_code
        )

        async def service() -> Any:
            uow = UnitOfWork(sessions, source="stepdown", principal=principal)
            if Measure is None:
                return await reads.measures(uow, date_from=YEAR_FROM, date_to=YEAR_TO, team=None, policy=policy)
            found = await reads.measures(uow, Measure(YEAR_FROM, YEAR_TO, None), policy=policy)
            return measures_view(found, date_from=YEAR_FROM, date_to=YEAR_TO)  # as the route answers it

        async def floor() -> list[Any]:
            found = []
            for sql in (FLOOR_CLOSURES, FLOOR_HANDOVERS, FLOOR_RETURNS):
                found.append(await conn.fetch(sql, year_before, YEAR_TO))
            return found

        # The same figures first: closures by team, quarter and band, for both years.
        answer = await service()
        closures, *_ = await floor()
        floor_bands = Counter({(r["team"], r["quarter"], r["band"]): r["closures"] for r in closures})
        service_bands: Counter[tuple[str, date, str]] = Counter()
        for q in answer.quarters:
            if q.team == "all":
                continue
            for band, n in q.current.closures_by_duration.items():
                service_bands[(q.team, q.quarter_start, band)] += n
            before = date(q.quarter_start.year - 1, q.quarter_start.month, 1)
            for band, n in q.year_before.closures_by_duration.items():
                service_bands[(q.team, before, band)] += n
        assert +service_bands == +floor_bands, "the service and the floor disagree on the closures"
        total = sum(q.current.closures for q in answer.quarters if q.team == "all")

        floor_runs, service_runs, ratios = [], [], []
        for round_ in range(1, ROUNDS + 1):
            took: dict[str, float] = {}
            for side in sides_in_order(round_):
                await conn.execute("CHECKPOINT")
                took[side] = (await measure(floor if side == "floor" else service))[0]
            floor_runs.append(took["floor"])
            service_runs.append(took["product"])
            ratios.append(took["floor"] / took["product"])
        floor_s, service_s = statistics.median(floor_runs), statistics.median(service_runs)
        print(
            f"{total:,} closures in {YEAR_FROM.isoformat()} to {YEAR_TO.isoformat()} (and {CLOSURES:,} the year before); fsync on"
        )
        print(f"floor (bare SQL aggregates, asyncpg): {floor_s * 1000:,.1f} ms (median of {ROUNDS})")
        print(f"measures (use case: counted in SQL by team, quarter and band, summed by the domain): {service_s * 1000:,.1f} ms")
        print(f"stepdown measures: ratio {spread(ratios)}; the service's log at INFO: {log_lines(service_log)} lines")
        summary("step-down measures", ratios, "floor time / measures time")
        await engine.dispose()
        await conn.close()
    finally:
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
