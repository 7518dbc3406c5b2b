"""The front door: children, referrals, decisions, information requests, and the platform tables

Revision ID: 0001
Revises:
Create Date: 2026-11-26 11:09:11.666012
"""

import sqlalchemy as sa
from alembic import op

from continuum.persistence.migrations import create_platform_tables_v1, drop_platform_tables_v1


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
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
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children')),
    sa.UniqueConstraint('la_child_id', name=op.f('uq_children_la_child_id'))
    )
    op.create_index('ix_children_name_dob', 'children', [sa.literal_column('lower(family_name)'), sa.literal_column('lower(given_name)'), 'date_of_birth'], unique=False)
    op.create_index('uq_children_nhs_number', 'children', ['nhs_number'], unique=True, postgresql_where='nhs_number IS NOT NULL')
    op.create_index('uq_children_upn', 'children', ['upn'], unique=True, postgresql_where='upn IS NOT NULL')
    op.create_table('referrals',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('case_id', sa.UUID(), nullable=False),
    sa.Column('child_id', sa.UUID(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=3), nullable=False),
    sa.Column('referrer_name', sa.String(length=200), nullable=False),
    sa.Column('referrer_agency', sa.String(length=200), nullable=False),
    sa.Column('concerns', sa.Text(), nullable=False),
    sa.Column('lawful_basis', sa.String(length=50), nullable=False),
    sa.Column('suggested_threshold', sa.String(length=30), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('re_referral', sa.Boolean(), nullable=False),
    sa.Column('decision_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stepped_up_from', sa.UUID(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.String(length=30), nullable=True),
    sa.Column('decision_reasons', sa.Text(), nullable=True),
    sa.Column('allocated_team', sa.String(length=50), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_within_one_working_day', sa.Boolean(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closure_reason', sa.String(length=4), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_referrals_child_id_children')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('case_id', name=op.f('uq_referrals_case_id'))
    )
    op.create_index(op.f('ix_referrals_child_id'), 'referrals', ['child_id'], unique=False)
    op.create_index('ix_referrals_child_received', 'referrals', ['child_id', 'received_at'], unique=False)
    op.create_index('ix_referrals_queue', 'referrals', ['decision_due_at', 'id'], unique=False, postgresql_where="status = 'received'")
    op.create_table('information_requests',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('referral_id', sa.UUID(), nullable=False),
    sa.Column('agency', sa.String(length=30), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_information_requests_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_requests'))
    )
    op.create_index(op.f('ix_information_requests_referral_id'), 'information_requests', ['referral_id'], unique=False)
    op.create_table('referral_decisions',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('referral_id', sa.UUID(), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('team', sa.String(length=50), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('corrects', sa.UUID(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['corrects'], ['referral_decisions.id'], name=op.f('fk_referral_decisions_corrects_referral_decisions')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_decisions_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_decisions'))
    )
    op.create_index(op.f('ix_referral_decisions_referral_id'), 'referral_decisions', ['referral_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_referral_decisions_referral_id'), table_name='referral_decisions')
    op.drop_table('referral_decisions')
    op.drop_index(op.f('ix_information_requests_referral_id'), table_name='information_requests')
    op.drop_table('information_requests')
    op.drop_index('ix_referrals_queue', table_name='referrals', postgresql_where="status = 'received'")
    op.drop_index('ix_referrals_child_received', table_name='referrals')
    op.drop_index(op.f('ix_referrals_child_id'), table_name='referrals')
    op.drop_table('referrals')
    op.drop_index('uq_children_upn', table_name='children', postgresql_where='upn IS NOT NULL')
    op.drop_index('uq_children_nhs_number', table_name='children', postgresql_where='nhs_number IS NOT NULL')
    op.drop_index('ix_children_name_dob', table_name='children')
    op.drop_table('children')
    drop_platform_tables_v1()
