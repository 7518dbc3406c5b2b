"""The platform tables' third version: the event history, where the relay's upkeep moves the events
it published longer ago than the outbox's retention, for good (decision 53;
continuum.persistence.migrations.create_platform_tables_v3). The runtime role may insert into it and
read it, nothing else.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from continuum.persistence.migrations import create_platform_tables_v3, drop_platform_tables_v3

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v3()


def downgrade() -> None:
    drop_platform_tables_v3()
