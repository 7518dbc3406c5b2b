"""Alembic for every service: the environment (``run_migrations``) and the platform tables its
first migration creates.

Kept as explicit operations (not ``create_all``) so each service's schema history says exactly
what it created; a later change to a platform table gets its own ``*_v2`` function here and a
migration in every service.
"""

from __future__ import annotations

import asyncio
import os

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from continuum.persistence.db import (
    audit_log,
    event_history,
    idempotency_keys,
    imported_records,
    inbox,
    outbox,
    relay_lease,
    relay_offsets,
)


def create_child_copy_table_v1() -> None:
    """Create ``children``, a service's local copy of the children the referral service registers
    (the columns of :class:`continuum.persistence.child_copy.ChildCopy` as they were first released; a later
    change gets its own ``_v2`` here and a migration in every service that keeps a copy)."""
    op.create_table(
        "children",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("la_child_id", sa.String(length=36), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("expected_date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("ethnicity", sa.String(length=4), nullable=False),
        sa.Column("disabilities", postgresql.ARRAY(sa.String(length=4)), nullable=False),
        sa.Column("upn", sa.String(length=13), nullable=True),
        sa.Column("nhs_number", sa.String(length=10), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
    )


def add_child_copy_columns_v2() -> None:
    """Add the census identifiers and history the copy carries since version 2 of the child's
    characteristics: former UPN, why the UPN is unknown, date of death and the number of child
    protection plans the child had in other councils."""
    op.add_column("children", sa.Column("former_upn", sa.String(length=13), nullable=True))
    op.add_column("children", sa.Column("upn_unknown_reason", sa.String(length=4), nullable=True))
    op.add_column("children", sa.Column("date_of_death", sa.Date(), nullable=True))
    op.add_column("children", sa.Column("previous_cp_plans_elsewhere", sa.Integer(), nullable=True))


def drop_child_copy_columns_v2() -> None:
    for column in ("previous_cp_plans_elsewhere", "date_of_death", "upn_unknown_reason", "former_upn"):
        op.drop_column("children", column)


def create_platform_tables_v1() -> None:
    """Create the outbox, inbox, audit log and idempotency-key tables and make the audit log append-only."""
    bind = op.get_bind()
    for table in (outbox, inbox, audit_log, idempotency_keys):
        table.create(bind)
    # The audit log is evidence: nobody, the service included, may change or remove a row.
    make_append_only("audit_log")


def make_append_only(table: str) -> None:
    """Refuse every UPDATE, DELETE and TRUNCATE of ``table``, by anyone, its owner included (a
    trigger ``<table>_append_only``): for a record that is evidence (the audit log, a sharing log)."""
    op.execute(
        f"""
        CREATE FUNCTION {table}_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{table} is append-only';
        END;
        $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER {table}_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_is_append_only()
        """
    )


def drop_append_only(table: str) -> None:
    """Undo :func:`make_append_only` (a downgrade)."""
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_is_append_only()")


def drop_platform_tables_v1() -> None:
    drop_append_only("audit_log")
    bind = op.get_bind()
    for table in (idempotency_keys, audit_log, inbox, outbox):
        table.drop(bind)


def create_platform_tables_v2() -> None:
    """The relay's lease and acknowledged offsets (decision 26: the outbox is the source of truth)."""
    bind = op.get_bind()
    for table in (relay_lease, relay_offsets):
        table.create(bind)
    op.create_index("ix_inbox_handled_at", "inbox", ["consumer", "handled_at"])


def drop_platform_tables_v2() -> None:
    op.drop_index("ix_inbox_handled_at", "inbox")
    bind = op.get_bind()
    for table in (relay_offsets, relay_lease):
        table.drop(bind)


def create_platform_tables_v3() -> None:
    """The event history, where the relay's upkeep moves what it published long ago (decision 53)."""
    event_history.create(op.get_bind())


def drop_platform_tables_v3() -> None:
    event_history.drop(op.get_bind())


def create_platform_tables_v4() -> None:
    """What each imported record was imported with (decision 59)."""
    imported_records.create(op.get_bind())
    op.create_index("ix_imported_records_la_child_id", "imported_records", ["la_child_id"])


def drop_platform_tables_v4() -> None:
    op.drop_index("ix_imported_records_la_child_id", "imported_records")
    imported_records.drop(op.get_bind())


#: The role the service runs as (not the owner that migrates); ``run_migrations`` grants it its share.
RUNTIME_ROLE_ENV = "CONTINUUM_DATABASE_RUNTIME_ROLE"

#: What the runtime role may do to every table and sequence of the schema...
RUNTIME_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
RUNTIME_SEQUENCE_PRIVILEGES = "USAGE, SELECT"
#: ...except these, where it may only do this (no UPDATE, DELETE, TRUNCATE; never the owner, so no
#: ALTER, DROP or DISABLE TRIGGER either). ``None``: nothing at all.
RUNTIME_TABLE_EXCEPTIONS: dict[str, str | None] = {
    "audit_log": "SELECT, INSERT",
    "event_history": "SELECT, INSERT",
    "alembic_version": None,
}


def grant_runtime_role(connection: Connection, role: str) -> None:
    """Give the service's runtime role what it needs and nothing more, on every table and sequence of
    the ``public`` schema as the migrations left it: data access to the domain tables and to
    ``outbox``, ``inbox`` and ``idempotency_keys`` (the relay updates the outbox and moves what it
    published long ago to the history), only INSERT and SELECT on ``audit_log`` and
    ``event_history``, nothing on ``alembic_version``.

    Run by the owner, in the migrations' transaction, after every upgrade, so tables a later
    migration creates are covered without any rule in the migration itself. Refuses a runtime role
    that is a superuser, or is (or belongs to) the owner: either could change the audit log."""
    found = connection.execute(
        text("SELECT r.rolsuper, pg_has_role(r.oid, current_user, 'MEMBER') AS is_owner FROM pg_roles r WHERE r.rolname = :role"),
        {"role": role},
    ).one_or_none()
    if found is None:
        raise RuntimeError(f"{RUNTIME_ROLE_ENV}: no role named {role!r} (create it before migrating)")
    if found.rolsuper or found.is_owner:
        raise RuntimeError(
            f"{RUNTIME_ROLE_ENV}: {role!r} is a superuser or the role that owns the tables; "
            "the service must run as a role that cannot alter or erase the audit log"
        )
    who = connection.dialect.identifier_preparer.quote(role)
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {who}"))
    connection.execute(text(f"GRANT {RUNTIME_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {who}"))
    connection.execute(text(f"GRANT {RUNTIME_SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA public TO {who}"))
    for table, allowed in RUNTIME_TABLE_EXCEPTIONS.items():
        exists = connection.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": f"public.{table}"}).scalar()
        if exists:
            connection.execute(text(f"REVOKE ALL ON TABLE {table} FROM {who}"))
            if allowed:
                connection.execute(text(f"GRANT {allowed} ON TABLE {table} TO {who}"))


def run_migrations(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``: migrate the database named by
    ``CONTINUUM_DATABASE_URL`` (online, through the async engine), as the role that owns it; then,
    in the same transaction, grant the runtime role named by ``CONTINUUM_DATABASE_RUNTIME_ROLE``
    (if set) its privileges (:func:`grant_runtime_role`)."""
    runtime_role = os.environ.get(RUNTIME_ROLE_ENV) or None

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
            if runtime_role is not None:
                grant_runtime_role(connection, runtime_role)

    async def main() -> None:
        engine = create_async_engine(os.environ["CONTINUUM_DATABASE_URL"])
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())
