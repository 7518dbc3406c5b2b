"""Alembic for every service: the environment (``run_migrations``) and the platform tables its
first migration creates.

Kept as explicit operations (not ``create_all``) so each service's schema history says exactly
what it created; a later change to a platform table gets its own ``*_v2`` function here and a
migration in every service.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context, op
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from continuum.db import audit_log, idempotency_keys, inbox, outbox


def create_platform_tables_v1() -> None:
    """Create the outbox, inbox, audit log and idempotency-key tables and make the audit log append-only."""
    bind = op.get_bind()
    for table in (outbox, inbox, audit_log, idempotency_keys):
        table.create(bind)
    # The audit log is evidence: nobody, the service included, may change or remove a row.
    op.execute(
        """
        CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only';
        END;
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_log_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()
        """
    )


def drop_platform_tables_v1() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_is_append_only()")
    bind = op.get_bind()
    for table in (idempotency_keys, audit_log, inbox, outbox):
        table.drop(bind)


def run_migrations(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``: migrate the database named by
    ``CONTINUUM_DATABASE_URL`` (online, through the async engine)."""

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(os.environ["CONTINUUM_DATABASE_URL"])
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())
