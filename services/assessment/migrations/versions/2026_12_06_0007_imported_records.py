"""The platform tables' fourth version: what each imported record of a council's history was
imported with, so that importing it again changes nothing (decision 59;
continuum.persistence.migrations.create_platform_tables_v4).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from continuum.persistence.migrations import create_platform_tables_v4, drop_platform_tables_v4

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v4()


def downgrade() -> None:
    drop_platform_tables_v4()
