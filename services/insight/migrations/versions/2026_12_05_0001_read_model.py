"""the read model: every case event, each case's child, the teams that held each child, the local
copy of children, and the platform tables (v1 and v2)

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from continuum.persistence.migrations import (
    add_child_copy_columns_v2,
    create_child_copy_table_v1,
    create_platform_tables_v1,
    create_platform_tables_v2,
    drop_platform_tables_v1,
    drop_platform_tables_v2,
)

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    create_platform_tables_v2()
    create_child_copy_table_v1()
    add_child_copy_columns_v2()
    op.create_table('case_events',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.UUID(), nullable=True),
    sa.Column('child_id', sa.UUID(), nullable=True),
    sa.Column('team', sa.String(length=50), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    op.create_index('ix_case_events_child_id_occurred_at', 'case_events', ['child_id', 'occurred_at', 'id'], unique=False)
    op.create_index('ix_case_events_case_id_occurred_at', 'case_events', ['case_id', 'occurred_at', 'id'], unique=False)
    op.create_index('ix_case_events_event_type_occurred_at', 'case_events', ['event_type', 'occurred_at'], unique=False)
    op.create_table('episodes',
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_episodes'))
    )
    op.create_index(op.f('ix_episodes_child_id'), 'episodes', ['child_id'], unique=False)
    op.create_table('child_teams',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('teams', postgresql.ARRAY(sa.String(length=50)), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_teams'))
    )


def downgrade() -> None:
    op.drop_table('child_teams')
    op.drop_index(op.f('ix_episodes_child_id'), table_name='episodes')
    op.drop_table('episodes')
    op.drop_table('case_events')
    op.drop_table('children')
    drop_platform_tables_v2()
    drop_platform_tables_v1()
