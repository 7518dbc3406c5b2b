"""plans, their versions, reviews, visits, meetings and drift findings, the local copy of
children, and the platform tables (v1 and v2)

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 07:45:29.614423
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from continuum.persistence.migrations import create_child_copy_table_v1, create_platform_tables_v1, create_platform_tables_v2, drop_platform_tables_v1, drop_platform_tables_v2

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    create_platform_tables_v2()
    create_child_copy_table_v1()
    op.create_table('plans',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('plan_type', sa.Enum('cin', 'cp', name='plantype', native_enum=False), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'ended', name='planstatus', native_enum=False, length=10), nullable=False),
    sa.Column('drafted_from', sa.Enum('assessment', 'section47', 'step_down_from_cp', name='draftedfrom', native_enum=False, length=20), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assessment_id', sa.UUID(), nullable=True),
    sa.Column('section47_id', sa.UUID(), nullable=True),
    sa.Column('lead_practitioner', sa.String(length=200), nullable=True),
    sa.Column('factors', sa.ARRAY(sa.String(length=3)), nullable=False),
    sa.Column('primary_need', sa.Enum('N0', 'N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9', name='primaryneedcode', native_enum=False), nullable=True),
    sa.Column('initial_category', sa.Enum('NEG', 'PHY', 'SAB', 'EMO', 'MUL', name='categoryofabuse', native_enum=False), nullable=True),
    sa.Column('latest_category', sa.Enum('NEG', 'PHY', 'SAB', 'EMO', 'MUL', name='categoryofabuse', native_enum=False), nullable=True),
    sa.Column('content', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('agencies_involved', sa.ARRAY(sa.String(length=30)), nullable=False),
    sa.Column('actions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('family', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('interventions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('approved_by', sa.String(length=200), nullable=True),
    sa.Column('next_review_due', sa.Date(), nullable=True),
    sa.Column('last_review', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('last_visit', sa.Date(), nullable=True),
    sa.Column('last_seen', sa.Date(), nullable=True),
    sa.Column('last_seen_alone', sa.Date(), nullable=True),
    sa.Column('next_visit_due', sa.Date(), nullable=True),
    sa.Column('preproceedings', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('ending', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('next_step', sa.Enum('close', 'step_down_early_help', 'universal', 'escalate_cp', 'step_down_cin', name='nextstep', native_enum=False, length=30), nullable=True),
    sa.Column('partner_status_pending', sa.String(length=20), nullable=True),
    sa.Column('open_action_due_dates', sa.ARRAY(sa.Date()), nullable=False),
    sa.Column('last_review_on', sa.Date(), nullable=True),
    sa.Column('last_review_progressed', sa.Boolean(), nullable=True),
    sa.Column('drift_next_check', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    op.create_index(op.f('ix_plans_case_id'), 'plans', ['case_id'], unique=False)
    op.create_index(op.f('ix_plans_child_id'), 'plans', ['child_id'], unique=False)
    op.create_index('ix_plans_drift_due', 'plans', ['drift_next_check'], unique=False, postgresql_where="status = 'active'")
    op.create_index('ix_plans_team_open', 'plans', ['team', 'status'], unique=False, postgresql_where="status IN ('draft', 'active')")
    op.create_index('uq_plans_open_case_type', 'plans', ['case_id', 'plan_type'], unique=True, postgresql_where="status IN ('draft', 'active')")
    op.create_table('plan_drift_findings',
    sa.Column('plan_id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.Enum('open_over_threshold', 'review_overdue', 'actions_past_due', 'visits_missed', 'no_progress_since_review', name='driftkind', native_enum=False, length=30), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_drift_findings_plan_id_plans')),
    sa.PrimaryKeyConstraint('plan_id', 'kind', 'key', name=op.f('pk_plan_drift_findings'))
    )
    op.create_table('plan_meetings',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('plan_id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.Enum('cin_meeting', 'core_group', 'review_conference', 'professionals_meeting', name='meetingkind', native_enum=False, length=30), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('invitees', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('agencies_left_out', sa.ARRAY(sa.String(length=30)), nullable=False),
    sa.Column('scheduled_by', sa.String(length=200), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_meetings_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_meetings'))
    )
    op.create_index(op.f('ix_plan_meetings_plan_id'), 'plan_meetings', ['plan_id'], unique=False)
    op.create_table('plan_reviews',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('plan_id', sa.UUID(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('decision', sa.Enum('continue', 'escalate_cp', 'step_down_cin', 'step_down_early_help', 'close', name='reviewdecision', native_enum=False, length=30), nullable=False),
    sa.Column('exit_criteria_met', sa.Boolean(), nullable=False),
    sa.Column('concerns_remain', sa.Boolean(), nullable=False),
    sa.Column('progressed', sa.Boolean(), nullable=False),
    sa.Column('progress', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_reviews_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_reviews'))
    )
    op.create_index(op.f('ix_plan_reviews_plan_id'), 'plan_reviews', ['plan_id'], unique=False)
    op.create_table('plan_versions',
    sa.Column('plan_id', sa.UUID(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=50), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('quality', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_versions_plan_id_plans')),
    sa.PrimaryKeyConstraint('plan_id', 'version', name=op.f('pk_plan_versions'))
    )
    op.create_table('plan_visits',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('plan_id', sa.UUID(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=True),
    sa.Column('child_seen', sa.Boolean(), nullable=False),
    sa.Column('seen_alone', sa.Boolean(), nullable=False),
    sa.Column('reason_not_seen', sa.Text(), nullable=True),
    sa.Column('within_frequency', sa.Boolean(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_visits_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_visits'))
    )
    op.create_index(op.f('ix_plan_visits_plan_id'), 'plan_visits', ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_plan_visits_plan_id'), table_name='plan_visits')
    op.drop_table('plan_visits')
    op.drop_table('plan_versions')
    op.drop_index(op.f('ix_plan_reviews_plan_id'), table_name='plan_reviews')
    op.drop_table('plan_reviews')
    op.drop_index(op.f('ix_plan_meetings_plan_id'), table_name='plan_meetings')
    op.drop_table('plan_meetings')
    op.drop_table('plan_drift_findings')
    op.drop_index('uq_plans_open_case_type', table_name='plans', postgresql_where="status IN ('draft', 'active')")
    op.drop_index('ix_plans_team_open', table_name='plans', postgresql_where="status IN ('draft', 'active')")
    op.drop_index('ix_plans_drift_due', table_name='plans', postgresql_where="status = 'active'")
    op.drop_index(op.f('ix_plans_child_id'), table_name='plans')
    op.drop_index(op.f('ix_plans_case_id'), table_name='plans')
    op.drop_table('plans')
    op.drop_table('children')
    drop_platform_tables_v2()
    drop_platform_tables_v1()
