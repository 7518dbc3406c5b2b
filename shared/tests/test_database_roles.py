"""The service runs as a database role that owns nothing: it can append to and read the audit log,
and do its everyday work, but it cannot alter, truncate, disable the trigger of, update, delete from
or drop the audit log. The owner role runs the migrations (issue 6, point 7).

On the referral service's migrated database, as ``make_database`` lays it out for every service test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from continuum_tools.devstack import migrate
from continuum_tools.testing import owner_url

REFERRAL_ALEMBIC_INI = Path(__file__).resolve().parents[2] / "services" / "referral" / "alembic.ini"

AUDIT_ROW = (
    "INSERT INTO audit_log (actor, actor_roles, action, subject_type, subject_id, purpose, outcome)"
    " VALUES ('tester', '{auditor}', 'roles.check', 'test', $1, 'prove the audit log is append-only', 'success')"
)

#: What a service could do to erase or silence its audit trail; each must be refused to the runtime role.
FORBIDDEN_ON_AUDIT_LOG = {
    "update": "UPDATE audit_log SET purpose = 'tampered'",
    "delete": "DELETE FROM audit_log",
    "truncate": "TRUNCATE audit_log",
    "disable the trigger": "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "alter": "ALTER TABLE audit_log ADD COLUMN note text",
    "drop": "DROP TABLE audit_log",
    "reset its sequence": "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), 1)",
}


#: What would rewrite a service's history of its events; each must be refused to the runtime role.
FORBIDDEN_ON_EVENT_HISTORY = {
    "update": "UPDATE event_history SET topic = 'tampered'",
    "delete": "DELETE FROM event_history",
    "truncate": "TRUNCATE event_history",
    "alter": "ALTER TABLE event_history ADD COLUMN note text",
    "drop": "DROP TABLE event_history",
}

HISTORY_ROW = (
    "INSERT INTO event_history (seq, event_id, topic, key, event_type, payload, created_at, published_at)"
    " VALUES ($1, gen_random_uuid(), 'continuum.referral', 'case-1', 'referral.received', '{}', now(), now())"
)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="module")
def runtime_url(make_database: Callable[[str, Path], str]) -> str:
    return make_database("roles_referral", REFERRAL_ALEMBIC_INI)


@pytest.fixture
async def runtime(runtime_url: str) -> AsyncIterator[asyncpg.Connection[Any]]:
    conn = await asyncpg.connect(_dsn(runtime_url))
    try:
        yield conn
    finally:
        await conn.close()


async def test_the_service_runs_as_a_role_that_is_neither_owner_nor_superuser(runtime: asyncpg.Connection[Any]) -> None:
    who = await runtime.fetchrow(
        "SELECT current_user AS name, r.rolsuper, pg_get_userbyid(d.datdba) AS db_owner, "
        "(SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log') AS audit_owner "
        "FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()"
    )
    assert who is not None
    assert (who["name"], who["rolsuper"]) == ("roles_referral", False)
    assert who["db_owner"] == who["audit_owner"] == "roles_referral_owner"


async def test_the_runtime_role_can_append_to_and_read_the_audit_log(runtime: asyncpg.Connection[Any]) -> None:
    await runtime.execute(AUDIT_ROW, "append-and-read")
    assert await runtime.fetchval("SELECT count(*) FROM audit_log WHERE subject_id = 'append-and-read'") == 1


@pytest.mark.parametrize("statement", FORBIDDEN_ON_AUDIT_LOG.values(), ids=FORBIDDEN_ON_AUDIT_LOG.keys())
async def test_the_runtime_role_cannot_alter_or_erase_the_audit_log(runtime: asyncpg.Connection[Any], statement: str) -> None:
    await runtime.execute(AUDIT_ROW, "evidence")
    before = await runtime.fetch("SELECT id, purpose FROM audit_log ORDER BY id")
    # Refused for want of privilege, before the append-only trigger is even reached: on the old
    # layout (the service owning its tables) UPDATE and DELETE raised the trigger's error instead,
    # and DISABLE TRIGGER, ALTER and DROP succeeded.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await runtime.execute(statement)
    assert await runtime.fetch("SELECT id, purpose FROM audit_log ORDER BY id") == before
    trigger = "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'audit_log_append_only'"
    assert await runtime.fetchval(trigger) == "O"  # still enabled


async def test_the_runtime_role_still_does_the_services_work(runtime: asyncpg.Connection[Any]) -> None:
    # The outbox as the unit of work writes it and the relay claims, marks, and prunes it.
    seq = await runtime.fetchval(
        "INSERT INTO outbox (event_id, topic, key, event_type, payload) "
        "VALUES (gen_random_uuid(), 'continuum.referral', 'case-1', 'referral.received', '{}') RETURNING seq"
    )
    async with runtime.transaction():
        claimed = await runtime.fetchval(
            "SELECT seq FROM outbox WHERE published_at IS NULL AND seq = $1 FOR UPDATE SKIP LOCKED", seq
        )
        assert claimed == seq
        await runtime.execute("SELECT pg_try_advisory_xact_lock(42)")
        await runtime.execute("UPDATE outbox SET published_at = now() - interval '30 days', attempts = 1 WHERE seq = $1", seq)
    assert await runtime.execute("DELETE FROM outbox WHERE seq = $1", seq) == "DELETE 1"
    # The consumers' inbox and the idempotency keys.
    await runtime.execute("INSERT INTO inbox (consumer, event_id, event_type) VALUES ('referral.stepup', gen_random_uuid(), 'x')")
    await runtime.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response) VALUES ('s', 'k', 'h', 201, '{}')"
    )
    assert await runtime.fetchval("SELECT status_code FROM idempotency_keys WHERE scope = 's' AND key = 'k'") == 201
    # Every domain table: read and write, but no TRUNCATE, no TRIGGER, no REFERENCES (those are the owner's).
    tables = await runtime.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename NOT IN ('audit_log', 'event_history', 'alembic_version')"
    )
    assert {"referrals", "children", "outbox", "inbox", "idempotency_keys"} <= {t["tablename"] for t in tables}
    for table in (t["tablename"] for t in tables):
        for privilege, expected in (("SELECT", True), ("INSERT", True), ("UPDATE", True), ("DELETE", True), ("TRUNCATE", False)):
            held = await runtime.fetchval("SELECT has_table_privilege(current_user, $1, $2)", table, privilege)
            assert held is expected, (table, privilege)
    # The schema's version is the migrations' business alone.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await runtime.execute("UPDATE alembic_version SET version_num = version_num")


async def test_the_runtime_role_can_add_to_and_read_the_event_history_but_never_change_it(
    runtime: asyncpg.Connection[Any],
) -> None:
    # What the relay's upkeep does: a row moved from the outbox keeps its seq (decision 53).
    seq = await runtime.fetchval("SELECT coalesce(max(seq), 0) + 1000 FROM event_history")
    await runtime.execute(HISTORY_ROW, seq)
    assert await runtime.fetchval("SELECT count(*) FROM event_history WHERE seq = $1", seq) == 1
    before = await runtime.fetch("SELECT seq, topic FROM event_history ORDER BY seq")
    for name, statement in FORBIDDEN_ON_EVENT_HISTORY.items():
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await runtime.execute(statement)
        assert await runtime.fetch("SELECT seq, topic FROM event_history ORDER BY seq") == before, name


async def test_a_table_a_later_migration_creates_is_granted_too(runtime_url: str) -> None:
    owner = await asyncpg.connect(_dsn(owner_url(runtime_url)))
    try:
        await owner.execute("CREATE TABLE IF NOT EXISTS later_table (id bigint GENERATED ALWAYS AS IDENTITY, note text)")
    finally:
        await owner.close()
    migrate(REFERRAL_ALEMBIC_INI, owner_url(runtime_url), runtime_role="roles_referral")  # what every upgrade ends with
    conn = await asyncpg.connect(_dsn(runtime_url))
    try:
        await conn.execute("INSERT INTO later_table (note) VALUES ('granted')")
        assert await conn.fetchval("SELECT count(*) FROM later_table") >= 1
    finally:
        await conn.close()


def test_migrating_refuses_a_runtime_role_that_owns_the_tables(runtime_url: str) -> None:
    with pytest.raises(RuntimeError, match="cannot alter or erase the audit log"):
        migrate(REFERRAL_ALEMBIC_INI, owner_url(runtime_url), runtime_role="roles_referral_owner")
