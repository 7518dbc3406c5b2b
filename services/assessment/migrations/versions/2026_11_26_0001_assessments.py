"""assessments, section 47 enquiries, the local copy of children, and the platform tables

Revision ID: 0001
Revises:
Create Date: 2026-11-26 11:15:12.250947
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from continuum.persistence.migrations import create_platform_tables_v1, drop_platform_tables_v1

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table('assessments',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('referral_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('route', sa.String(length=10), nullable=False),
    sa.Column('referral_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lead_practitioner', sa.String(length=200), nullable=True),
    sa.Column('lead_practitioner_role', sa.String(length=100), nullable=True),
    sa.Column('lead_is_social_worker', sa.Boolean(), nullable=True),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('child_seen_date', sa.Date(), nullable=True),
    sa.Column('child_seen_alone', sa.Boolean(), nullable=True),
    sa.Column('factors', sa.ARRAY(sa.String(length=3)), nullable=False),
    sa.Column('primary_need', sa.String(length=2), nullable=True),
    sa.Column('specialist_assessments', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('recommendation', sa.String(length=20), nullable=True),
    sa.Column('recommendation_summary', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('authorisation_date', sa.Date(), nullable=True),
    sa.Column('authorised_by', sa.String(length=200), nullable=True),
    sa.Column('authorised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closure_date', sa.Date(), nullable=True),
    sa.Column('closure_reason', sa.String(length=4), nullable=True),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('partner_status_sent', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_assessments_referral_id'))
    )
    op.create_index('ix_assessments_authorisation_date', 'assessments', ['authorisation_date'], unique=False, postgresql_where="status = 'authorised'")
    op.create_index(op.f('ix_assessments_case_id'), 'assessments', ['case_id'], unique=False)
    op.create_index(op.f('ix_assessments_child_id'), 'assessments', ['child_id'], unique=False)
    op.create_index('ix_assessments_open_due', 'assessments', ['team', 'due_date', 'id'], unique=False, postgresql_where="status IN ('unallocated', 'in_progress', 'submitted')")
    op.create_index('ix_assessments_overdue_pending', 'assessments', ['due_date'], unique=False, postgresql_where="overdue_notified_at IS NULL AND status IN ('unallocated', 'in_progress', 'submitted')")
    op.create_table('children',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('la_child_id', sa.String(length=36), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('expected_date_of_birth', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('ethnicity', sa.String(length=4), nullable=False),
    sa.Column('disabilities', sa.ARRAY(sa.String(length=4)), nullable=False),
    sa.Column('upn', sa.String(length=13), nullable=True),
    sa.Column('nhs_number', sa.String(length=10), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children'))
    )
    op.create_table('assessment_allocations',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('assessment_id', sa.UUID(), nullable=False),
    sa.Column('lead_practitioner', sa.String(length=200), nullable=False),
    sa.Column('lead_practitioner_role', sa.String(length=100), nullable=False),
    sa.Column('previous_lead_practitioner', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('allocated_by', sa.String(length=200), nullable=False),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_allocations_assessment_id_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_allocations'))
    )
    op.create_index(op.f('ix_assessment_allocations_assessment_id'), 'assessment_allocations', ['assessment_id'], unique=False)
    op.create_table('assessment_returns',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('assessment_id', sa.UUID(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('returned_by', sa.String(length=200), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_returns_assessment_id_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_returns'))
    )
    op.create_index(op.f('ix_assessment_returns_assessment_id'), 'assessment_returns', ['assessment_id'], unique=False)
    op.create_table('section47_enquiries',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('assessment_id', sa.UUID(), nullable=False),
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('strategy_discussion_date', sa.Date(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('icpc_target_date', sa.Date(), nullable=True),
    sa.Column('icpc_date', sa.Date(), nullable=True),
    sa.Column('icpc_not_required', sa.Boolean(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('started_by', sa.String(length=200), nullable=True),
    sa.Column('concluded_by', sa.String(length=200), nullable=True),
    sa.Column('concluded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_section47_enquiries_assessment_id_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section47_enquiries')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_section47_enquiries_assessment_id'))
    )
    op.create_index(op.f('ix_section47_enquiries_case_id'), 'section47_enquiries', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_section47_enquiries_case_id'), table_name='section47_enquiries')
    op.drop_table('section47_enquiries')
    op.drop_index(op.f('ix_assessment_returns_assessment_id'), table_name='assessment_returns')
    op.drop_table('assessment_returns')
    op.drop_index(op.f('ix_assessment_allocations_assessment_id'), table_name='assessment_allocations')
    op.drop_table('assessment_allocations')
    op.drop_table('children')
    op.drop_index('ix_assessments_overdue_pending', table_name='assessments', postgresql_where="overdue_notified_at IS NULL AND status IN ('unallocated', 'in_progress', 'submitted')")
    op.drop_index('ix_assessments_open_due', table_name='assessments', postgresql_where="status IN ('unallocated', 'in_progress', 'submitted')")
    op.drop_index(op.f('ix_assessments_child_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_case_id'), table_name='assessments')
    op.drop_index('ix_assessments_authorisation_date', table_name='assessments', postgresql_where="status = 'authorised'")
    op.drop_table('assessments')
    drop_platform_tables_v1()
