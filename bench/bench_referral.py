"""Referral intake: POST /v1/referrals through the whole service (FastAPI, auth, validation,
SQLAlchemy, audit and outbox rows in one transaction) against the floor: the same rows written
by bare asyncpg in one transaction. Both run at the same concurrency on the same embedded
PostgreSQL in this run; the ratio is service throughput / floor throughput."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from continuum.auth import mint_dev_token
from continuum.devstack import EmbeddedPostgres, free_port, migrate
from referral.app import create_app
from referral.settings import ReferralSettings

CONCURRENCY = 16
REQUESTS = 1000
ROUNDS = 3
WARMUP = 100
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "referral" / "alembic.ini"


def referral_body(i: int) -> dict[str, object]:
    return {
        "child": {
            "la_child_id": f"B{uuid.uuid4().hex[:20]}",
            "given_name": f"Bench{i}",
            "family_name": f"Child{uuid.uuid4().hex[:8]}",
            "date_of_birth": "2016-03-14",
            "sex": "F",
            "ethnicity": "WBRI",
        },
        "received_at": "2026-11-20T10:00:00Z",
        "source": "6",
        "referrer": {"name": "PC Bench", "agency": "Bench Constabulary"},
        "concerns": "Police attended a domestic incident; the child was present.",
        "lawful_basis": "public_task_safeguarding_children",
        "suggested_threshold": "child_in_need",
        "team": "north",
    }


async def drive(n: int, one: callable) -> tuple[float, list[float]]:  # type: ignore[valid-type]
    """Run ``one(i)`` n times with CONCURRENCY in flight; returns (seconds, latencies)."""
    latencies: list[float] = []
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            started = time.perf_counter()
            await one(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - started, latencies


async def service_run(url: str) -> tuple[float, list[float]]:
    settings = ReferralSettings(
        database_url=url, run_workers=False, env="dev", database_pool_size=CONCURRENCY, log_level="WARNING"
    )
    app = create_app(settings)
    token = mint_dev_token(settings, sub="bench", roles=["front_door"], teams=["north"])
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://referral", headers={"Authorization": f"Bearer {token}"}
        ) as client,
    ):

        async def one(i: int) -> None:
            r = await client.post("/v1/referrals", json=referral_body(i))
            if r.status_code != 201:
                raise RuntimeError(r.text)

        await drive(WARMUP, one)
        return await drive(REQUESTS, one)


FLOOR_SQL = {
    "child": """INSERT INTO children (id, la_child_id, given_name, family_name, date_of_birth, sex, ethnicity, disabilities,
                version, created_at, updated_at) VALUES ($1,$2,$3,$4,'2016-03-14','F','WBRI','{NONE}',1,now(),now())""",
    "earlier": "SELECT received_at FROM referrals WHERE child_id = $1",
    "referral": """INSERT INTO referrals (id, case_id, child_id, received_at, source, referrer_name, referrer_agency, concerns,
                lawful_basis, suggested_threshold, team, re_referral, decision_due_at, status, version, created_by)
                VALUES ($1,$2,$3,$4,'6','PC Bench','Bench Constabulary',
                'Police attended a domestic incident; the child was present.',
                'public_task_safeguarding_children','child_in_need','north',false,$4,'received',1,'bench')""",
    "outbox": "INSERT INTO outbox (event_id, topic, key, event_type, payload) VALUES ($1,'continuum.referral',$2,$3,$4::jsonb)",
    "audit": """INSERT INTO audit_log (actor, actor_roles, action, subject_type, subject_id, purpose, outcome)
                VALUES ('bench','{front_door}',$1,$2,$3,'bench','success')""",
}


async def floor_run(dsn: str) -> tuple[float, list[float]]:
    """The same writes the service makes for a referral of a new child, in one transaction, with
    no framework: the match lookups, child, referral, three outbox events and two audit rows."""
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
    payload = json.dumps({"specversion": "1.0", "data": {"x": "y" * 600}})
    assert pool is not None

    async def one(i: int) -> None:
        child_id, referral_id, case_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        async with pool.acquire() as conn, conn.transaction():
            await conn.fetch("SELECT id FROM children WHERE nhs_number = $1 OR upn = $2 LIMIT 1", None, None)
            await conn.fetch(
                "SELECT id FROM children WHERE lower(family_name) = $1 AND lower(given_name) = $2"
                " AND date_of_birth = '2016-03-14'",
                "x",
                "y",
            )
            await conn.execute(FLOOR_SQL["child"], child_id, f"F{uuid.uuid4().hex[:20]}", f"Floor{i}", "Child")
            await conn.fetch(FLOOR_SQL["earlier"], child_id)
            await conn.execute(FLOOR_SQL["referral"], referral_id, case_id, child_id, datetime(2026, 11, 20, 10, tzinfo=UTC))
            for event_type in ("child.registered", "referral.received", "status.changed"):
                await conn.execute(FLOOR_SQL["outbox"], uuid.uuid4(), str(case_id), event_type, payload)
            await conn.execute(FLOOR_SQL["audit"], "child.register", "child", str(child_id))
            await conn.execute(FLOOR_SQL["audit"], "referral.receive", "referral", str(referral_id))

    try:
        await drive(WARMUP, one)
        return await drive(REQUESTS, one)
    finally:
        await pool.close()


def report(name: str, seconds: float, latencies: list[float]) -> float:
    throughput = len(latencies) / seconds
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<34} {throughput:8.0f} referrals/s   p50 {q[49] * 1000:6.1f} ms   p95 {q[94] * 1000:6.1f} ms")
    return throughput


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg", free_port())
        pg.start()
        try:
            for db in ("bench_service", "bench_floor"):
                pg.create_database(db, drop_first=True)
                migrate(ALEMBIC_INI, pg.url(db))
            print(f"referral intake, {REQUESTS} requests at concurrency {CONCURRENCY}, embedded PostgreSQL, one process,")
            print(f"{ROUNDS} rounds alternating floor and service (this machine's timings vary from run to run)")
            ratios = []
            for _ in range(ROUNDS):
                floor = report("floor (bare asyncpg, same rows)", *await floor_run(pg.url("bench_floor", driver="")))
                svc = report("referral service (POST /v1/referrals)", *await service_run(pg.url("bench_service")))
                ratios.append(svc / floor)
            print(f"ratio service/floor: median {statistics.median(ratios):.2f} of {[round(r, 2) for r in ratios]}")
        finally:
            pg.stop()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
