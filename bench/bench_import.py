"""Benchmark: a council's history imported (issue 20, decision 59).

Continuum: what ``continuum import census`` does, over ten collection years of generated returns
(``BENCH_IMPORT_REFERRALS`` referrals a year, 200 by default; 5,000 is issue 20's large council,
about 50,000 episodes): the returns read and merged, each service's part cut, then every batch of
200 children checked by the four services (a dry run) and written through their import paths
(``continuum_tools.importing.send``), the four apps in this process behind httpx's ASGI transport
as the round-trip test runs them. Each child is its own transaction at each service: its rows, the
``imported_records`` row, its events in the outbox and its audit rows.

Floor: bare asyncpg inserting the same rows, committed as often. The rows are what the product's
first import left in each service's database, grouped by the transaction that wrote them (each
row's ``xmin``), so the floor commits exactly the product's transactions with their rows: one
``INSERT`` per kind of row per transaction, tables in the order their foreign keys need, the four
databases at once (one connection each), as the import writes to the four services at once. The
floor reads no XML and checks nothing; the dry runs are the product's (they write nothing
durable). After each floor run its rows are counted against the product's.

Both on the same embedded PostgreSQL with production durability, every table emptied and a
CHECKPOINT before each timed run, rounds in which each side goes first in turn, the median of the
rounds' ratios with their spread; logging at INFO, as in production.

    python bench/bench_import.py        (own embedded PostgreSQL, no broker; a few minutes)
    BENCH_IMPORT_ONCE=1 BENCH_IMPORT_REFERRALS=5000 python bench/bench_import.py   (issue 20's council, timed once)
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
from collections import defaultdict
from contextlib import AsyncExitStack
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from common import RESULT, ROUNDS, log_lines, production_logging, sides_in_order, spread, summary

from assessment.app import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from continuum.web.auth import mint_dev_token
from continuum_tools.devstack import EmbeddedPostgres, free_port, migrate
from continuum_tools.importing.census_reader import read_census
from continuum_tools.importing.generate import generate_history
from continuum_tools.importing.merge import merge
from continuum_tools.importing.payloads import PATHS, parts
from continuum_tools.importing.send import Sent, send
from plan.app import create_app as create_plan_app
from plan.settings import PlanSettings
from referral.app import create_app as create_referral_app
from referral.settings import ReferralSettings
from stepdown.app import create_app as create_stepdown_app
from stepdown.settings import StepdownSettings

REFERRALS = int(os.environ.get("BENCH_IMPORT_REFERRALS", "200"))
#: Time one import of this size and stop: no floor, no rounds (for a large council's size).
ONCE = os.environ.get("BENCH_IMPORT_ONCE") == "1"
YEARS = range(2017, 2027)  # ten collection years, the last ending 31 March 2026
LA = "999"
SERVICES = Path(__file__).resolve().parents[1] / "services"
APPS = {
    "referral": (create_referral_app, ReferralSettings),
    "assessment": (create_assessment_app, AssessmentSettings),
    "plan": (create_plan_app, PlanSettings),
    "stepdown": (create_stepdown_app, StepdownSettings),
}

#: Every table a service writes to (not alembic's), child tables after the tables they refer to.
TABLES = """
WITH RECURSIVE depth(name, level) AS (
    SELECT c.relname::text, 0 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'
    UNION ALL
    SELECT child.relname::text, d.level + 1
      FROM depth d JOIN pg_class parent ON parent.relname = d.name
      JOIN pg_constraint fk ON fk.confrelid = parent.oid AND fk.contype = 'f' AND fk.conrelid <> fk.confrelid
      JOIN pg_class child ON child.oid = fk.conrelid
)
SELECT name FROM depth GROUP BY name ORDER BY max(level), name
"""


class Database:
    """One service's database, as the floor sees it: its tables, and the rows the product's import
    left there grouped by the transaction that wrote them."""

    def __init__(self, conn: asyncpg.Connection, tables: list[str]) -> None:
        self.conn, self.tables = conn, tables
        self.transactions: list[dict[str, list[tuple[Any, ...]]]] = []
        self.inserts: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    @classmethod
    async def open(cls, dsn: str) -> Database:
        conn = await asyncpg.connect(dsn)
        return cls(conn, [row["name"] for row in await conn.fetch(TABLES)])

    async def empty(self) -> None:
        """Every table emptied for the next run: the audit log's guard against deletion (a trigger)
        is bypassed for this statement alone, as only a superuser can."""
        async with self.conn.transaction():
            await self.conn.execute("SET LOCAL session_replication_role = replica")
            await self.conn.execute(f"TRUNCATE {', '.join(self.tables)}")

    async def row_counts(self) -> dict[str, int]:
        return {t: await self.conn.fetchval(f"SELECT count(*) FROM {t}") for t in self.tables}

    async def take_the_products_rows(self) -> None:
        """The rows now in the database, by writing transaction (in the order they ran)."""
        by_xid: dict[int, dict[str, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
        for table in self.tables:
            columns = [r["attname"] for r in await self.conn.fetch(_COLUMNS, table)]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
            self.inserts[table] = f"INSERT INTO {table} ({names}) OVERRIDING SYSTEM VALUE VALUES ({marks})"
            for row in await self.conn.fetch(f"SELECT xmin::text::bigint AS xid, {names} FROM {table}"):
                by_xid[row["xid"]][table].append(tuple(row[c] for c in columns))
        self.transactions = [by_xid[xid] for xid in sorted(by_xid)]
        self.counts = await self.row_counts()

    async def insert_as_the_product_did(self) -> None:
        """The floor: each of the product's transactions again, one INSERT per kind of row."""
        for rows in self.transactions:
            async with self.conn.transaction():
                for table in self.tables:
                    if rows.get(table):
                        await self.conn.executemany(self.inserts[table], rows[table])


_COLUMNS = """
SELECT attname FROM pg_attribute
 WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
 ORDER BY attnum
"""


async def import_history(returns: list[bytes], clients: dict[str, httpx.AsyncClient], phases: dict[str, float]) -> Sent:
    """The product: what ``continuum import census`` does with the returns, timed by phase."""
    started = time.perf_counter()
    history = merge([read_census(xml) for xml in returns])
    cut = parts(history.children, end=date(max(YEARS), 3, 31), team_of=lambda _: "north")
    phases["read, merge and cut"] = time.perf_counter() - started
    sent = await send(cut, clients, source="cin-2017-to-2026.xml", la=LA, dry_run=False)
    phases["checked and written by the services"] = time.perf_counter() - started - phases["read, merge and cut"]
    return sent


async def main() -> None:
    # The PostgreSQL this starts runs detached: stop it however the run ends (finally below).
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda *_: sys.exit(1))
    work = Path(tempfile.mkdtemp(prefix="continuum-bench-import-"))
    postgres = EmbeddedPostgres(work / "pg", free_port(), durable=True)
    postgres.start()
    service_log = work / "services.log"
    production_logging(service_log)  # the services' logging at INFO, as in production
    try:
        returns = generate_history(7, YEARS, referrals_per_year=REFERRALS, la=LA)
        databases: dict[str, Database] = {}
        async with AsyncExitStack() as running:
            clients = {}
            for service, (factory, settings_type) in APPS.items():
                name = f"bench_import_{service}"
                postgres.create_database(name, drop_first=True)
                migrate(SERVICES / service / "alembic.ini", postgres.url(name))
                settings = settings_type(database_url=postgres.url(name), run_workers=False, env="dev", log_level="INFO")
                app = factory(settings)
                await running.enter_async_context(app.router.lifespan_context(app))
                token = mint_dev_token(settings, sub="bench-import", roles=["importer"], teams=[])
                clients[service] = await running.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app),
                        base_url=f"http://{service}",
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=600,
                    )
                )
                databases[service] = await Database.open(postgres.url(name, driver=""))

            # The product once: the rows the floor will write, and a check that it imports.
            first_phases: dict[str, float] = {}
            started = time.perf_counter()
            first = await import_history(returns, clients, first_phases)
            assert not first.refused, first.refused
            first_took = time.perf_counter() - started
            print(f"the first import, into empty databases: {first_took:.1f} s; {_phases(first_phases)}", flush=True)
            if ONCE:  # a council's size timed, without the floor's rounds
                print(f"{RESULT} history import once: {_sizes(first)} in {first_took:.0f} s", flush=True)
                for database in databases.values():
                    await database.conn.close()
                return
            for database in databases.values():
                await database.take_the_products_rows()

            async def product() -> dict[str, float]:
                phases: dict[str, float] = {}
                sent = await import_history(returns, clients, phases)
                assert not sent.refused and sent.counts == first.counts, sent.counts
                return phases

            async def floor() -> dict[str, float]:  # the four databases at once, as the import writes them
                await asyncio.gather(*(database.insert_as_the_product_did() for database in databases.values()))
                for service, database in databases.items():
                    assert await database.row_counts() == database.counts, f"the floor's rows differ at {service}"
                return {}

            runs: dict[str, list[float]] = {"floor": [], "product": []}
            phase_runs: dict[str, list[float]] = defaultdict(list)
            ratios = []
            for round_ in range(1, ROUNDS + 1):
                took: dict[str, float] = {}
                for side in sides_in_order(round_):
                    for database in databases.values():
                        await database.empty()
                    await databases["referral"].conn.execute("CHECKPOINT")
                    started = time.perf_counter()
                    phases = await (floor() if side == "floor" else product())
                    took[side] = time.perf_counter() - started
                    for phase, seconds in phases.items():
                        phase_runs[phase].append(seconds)
                for side in took:
                    runs[side].append(took[side])
                ratios.append(took["floor"] / took["product"])
                print(f"round {round_}: floor {took['floor']:.1f} s, product {took['product']:.1f} s", flush=True)

            children = sum(first.counts["referral"].values())  # the referral service holds every child, once
            written = {s: sum(d.counts.values()) for s, d in databases.items()}
            commits = {s: len(d.transactions) for s, d in databases.items()}
            print(
                f"{len(returns)} returns, {REFERRALS:,} referrals a year: {children:,} children; fsync on; "
                f"rows written {written}; transactions {commits}"
            )
            print(f"floor (bare asyncpg, the same rows in the same transactions): {statistics.median(runs['floor']):.1f} s")
            print(f"import (read, merge, dry run and write at four services): {statistics.median(runs['product']):.1f} s")
            for phase, timings in phase_runs.items():
                print(f"  {phase}: {statistics.median(timings):.1f} s")
            print(f"import: ratio {spread(ratios)}; the services' log at INFO: {log_lines(service_log)} lines")
            summary("history import", ratios, "floor time / import time")
            for database in databases.values():
                await database.conn.close()
    finally:
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


def _phases(phases: dict[str, float]) -> str:
    return ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in phases.items())


def _sizes(sent: Sent) -> str:
    """What the import wrote: records by service."""
    return ", ".join(f"{service} {sum(counts.values()):,}" for service, counts in sent.counts.items()) + " records"


if __name__ == "__main__":
    assert set(APPS) == set(PATHS)
    asyncio.run(main())
