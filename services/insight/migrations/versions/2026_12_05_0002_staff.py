"""the staff directory: each member of staff's sub, name and teams, for Annex A's allocated worker

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff',
        sa.Column('sub', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('teams', postgresql.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column('last_seen_on', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('sub', name=op.f('pk_staff')),
    )


def downgrade() -> None:
    op.drop_table('staff')
