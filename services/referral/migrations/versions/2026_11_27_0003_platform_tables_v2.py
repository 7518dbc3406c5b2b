"""The platform tables' second version: the relay's lease and acknowledged offsets, and the
inbox's index by handling time (continuum.persistence.migrations.create_platform_tables_v2).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from continuum.persistence.migrations import create_platform_tables_v2, drop_platform_tables_v2

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v2()


def downgrade() -> None:
    drop_platform_tables_v2()
