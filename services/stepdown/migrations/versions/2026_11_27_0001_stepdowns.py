"""episodes, step-downs, escalations, step-ups, the monthly audit sample, the local copy of
children, and the platform tables (v1 and v2)

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from continuum.persistence.migrations import create_child_copy_table_v1, create_platform_tables_v1, create_platform_tables_v2, drop_platform_tables_v1, drop_platform_tables_v2

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    create_platform_tables_v2()
    op.create_table('audit_sample_items',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rating', sa.String(length=30), nullable=True),
    sa.Column('finding', sa.Text(), nullable=True),
    sa.Column('learning', sa.Text(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_sample_items')),
    sa.UniqueConstraint('month', 'kind', 'record_id', name=op.f('uq_audit_sample_items_month'))
    )
    op.create_index(op.f('ix_audit_sample_items_month'), 'audit_sample_items', ['month'], unique=False)
    create_child_copy_table_v1()
    op.create_table('episodes',
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('referral_date', sa.Date(), nullable=True),
    sa.Column('front_door', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('assessment', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('plan_end', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('stepdown_id', sa.UUID(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_episodes'))
    )
    op.create_index(op.f('ix_episodes_child_id'), 'episodes', ['child_id'], unique=False)
    op.create_table('escalations',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('stepdown_id', sa.UUID(), nullable=False),
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('response_due', sa.Date(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('stepdown_id', name=op.f('uq_escalations_stepdown_id'))
    )
    op.create_index(op.f('ix_escalations_team'), 'escalations', ['team'], unique=False)
    op.create_table('step_ups',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('concerns', sa.Text(), nullable=False),
    sa.Column('what_was_tried', sa.Text(), nullable=False),
    sa.Column('stepdown_id', sa.UUID(), nullable=True),
    sa.Column('within_12_months', sa.Boolean(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_ups')),
    sa.UniqueConstraint('stepdown_id', name=op.f('uq_step_ups_stepdown_id'))
    )
    op.create_index(op.f('ix_step_ups_child_id'), 'step_ups', ['child_id'], unique=False)
    op.create_index('ix_step_ups_requested_on', 'step_ups', ['requested_on'], unique=False)
    op.create_table('stepdowns',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('referral_date', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('assessed', sa.Boolean(), nullable=False),
    sa.Column('unmet_need', sa.Boolean(), nullable=False),
    sa.Column('actions', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('lead_practitioner', sa.String(length=200), nullable=True),
    sa.Column('receiving_team', sa.String(length=50), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stepped_down_on', sa.Date(), nullable=False),
    sa.Column('response_due', sa.Date(), nullable=True),
    sa.Column('handover', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=200), nullable=True),
    sa.Column('decline_reason', sa.String(length=40), nullable=True),
    sa.Column('decline_detail', sa.Text(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_reason', sa.String(length=20), nullable=True),
    sa.Column('engagement', sa.String(length=20), nullable=True),
    sa.Column('engagement_recorded_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('early_help_closed_on', sa.Date(), nullable=True),
    sa.Column('closure_date', sa.Date(), nullable=True),
    sa.Column('closure_reason', sa.String(length=4), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('step_up_id', sa.UUID(), nullable=True),
    sa.Column('re_referred_on', sa.Date(), nullable=True),
    sa.Column('partner_status_pending', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stepdowns')),
    sa.UniqueConstraint('case_id', name=op.f('uq_stepdowns_case_id'))
    )
    op.create_index(op.f('ix_stepdowns_child_id'), 'stepdowns', ['child_id'], unique=False)
    op.create_index('ix_stepdowns_closure_date', 'stepdowns', ['closure_date'], unique=False)
    op.create_index('ix_stepdowns_overdue_pending', 'stepdowns', ['response_due'], unique=False, postgresql_where=sa.text("status = 'pending' AND escalated_at IS NULL"))
    op.create_index('ix_stepdowns_receiving_requested', 'stepdowns', ['receiving_team', 'requested_at', 'id'], unique=False)
    op.create_index('ix_stepdowns_stepped_down_on', 'stepdowns', ['stepped_down_on'], unique=False)
    op.create_index('ix_stepdowns_team_requested', 'stepdowns', ['team', 'requested_at', 'id'], unique=False)


def downgrade() -> None:

    op.drop_index('ix_stepdowns_team_requested', table_name='stepdowns')
    op.drop_index('ix_stepdowns_stepped_down_on', table_name='stepdowns')
    op.drop_index('ix_stepdowns_receiving_requested', table_name='stepdowns')
    op.drop_index('ix_stepdowns_overdue_pending', table_name='stepdowns', postgresql_where=sa.text("status = 'pending' AND escalated_at IS NULL"))
    op.drop_index('ix_stepdowns_closure_date', table_name='stepdowns')
    op.drop_index(op.f('ix_stepdowns_child_id'), table_name='stepdowns')
    op.drop_table('stepdowns')
    op.drop_index('ix_step_ups_requested_on', table_name='step_ups')
    op.drop_index(op.f('ix_step_ups_child_id'), table_name='step_ups')
    op.drop_table('step_ups')
    op.drop_index(op.f('ix_escalations_team'), table_name='escalations')
    op.drop_table('escalations')
    op.drop_index(op.f('ix_episodes_child_id'), table_name='episodes')
    op.drop_table('episodes')
    op.drop_table('children')
    op.drop_index(op.f('ix_audit_sample_items_month'), table_name='audit_sample_items')
    op.drop_table('audit_sample_items')
    drop_platform_tables_v2()
    drop_platform_tables_v1()
