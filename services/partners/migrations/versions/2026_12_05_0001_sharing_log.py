"""the sharing log, each agency's latest status per child, and the platform tables (v1 to v3)

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from continuum.persistence.migrations import (
    create_platform_tables_v1,
    create_platform_tables_v2,
    create_platform_tables_v3,
    drop_platform_tables_v1,
    drop_platform_tables_v2,
    drop_platform_tables_v3,
    drop_append_only,
    make_append_only,
)

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    create_platform_tables_v2()
    create_platform_tables_v3()
    op.create_table('agency_statuses',
    sa.Column('agency_id', sa.String(length=40), nullable=False),
    sa.Column('nhs_number', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('source_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_event_id', sa.UUID(), nullable=False),
    sa.PrimaryKeyConstraint('agency_id', 'nhs_number', name=op.f('pk_agency_statuses'))
    )
    op.create_table('sharing_log',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('agency_id', sa.String(length=40), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('nhs_number', sa.String(length=10), nullable=True),
    sa.Column('child_id', sa.UUID(), nullable=True),
    sa.Column('lawful_basis', sa.String(length=700), nullable=False),
    sa.Column('source_service', sa.String(length=40), nullable=False),
    sa.Column('source_event_id', sa.UUID(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_log'))
    )
    op.create_index('ix_sharing_log_decided_at_id', 'sharing_log', ['decided_at', 'id'], unique=False)
    op.create_index('ix_sharing_log_agency_id_decided_at', 'sharing_log', ['agency_id', 'decided_at'], unique=False)
    op.create_index('ix_sharing_log_nhs_number_decided_at', 'sharing_log', ['nhs_number', 'decided_at'], unique=False)
    # The sharing log is the council's record of what it told whom (and did not): nobody, the
    # service included, may change or remove a row.
    make_append_only("sharing_log")


def downgrade() -> None:
    drop_append_only("sharing_log")
    op.drop_table('sharing_log')
    op.drop_table('agency_statuses')
    drop_platform_tables_v3()
    drop_platform_tables_v2()
    drop_platform_tables_v1()
