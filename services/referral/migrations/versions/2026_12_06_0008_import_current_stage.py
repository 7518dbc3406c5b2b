"""A referral imported as its open episode's current stage (the return shows nothing after the front
door's decision) says so, so that its withheld ``referred`` goes out when the child's NHS number
becomes known; a later return or a decision in live work moves it on (decision 59).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "referrals", sa.Column("import_current_stage", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("referrals", "import_current_stage")
