"""plans keep the date of the initial conference that decided a child protection plan (its start
date), the strategy discussions held during a child in need plan and a CP plan's number of previous
CP plans; the partner status no longer waits on the plan (it goes out when the NHS number arrives)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("conference_date", sa.Date(), nullable=True))
    op.add_column("plans", sa.Column("strategy_discussions", sa.ARRAY(sa.Date()), nullable=False, server_default="{}"))
    op.add_column("plans", sa.Column("previous_cp_plans", sa.Integer(), nullable=True))
    # A CP plan started before this revision started on the date its manager gave: keep it as the
    # conference's date, the best the service knows.
    op.execute("UPDATE plans SET conference_date = start_date WHERE plan_type = 'cp' AND start_date IS NOT NULL")
    op.drop_column("plans", "partner_status_pending")


def downgrade() -> None:
    op.add_column("plans", sa.Column("partner_status_pending", sa.String(length=20), nullable=True))
    op.drop_column("plans", "previous_cp_plans")
    op.drop_column("plans", "strategy_discussions")
    op.drop_column("plans", "conference_date")
