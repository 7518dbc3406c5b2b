"""Decisions remember the id of the event that announced them, so a correction can name it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("referral_decisions", sa.Column("event_id", sa.UUID(), nullable=True))


def downgrade() -> None:
    op.drop_column("referral_decisions", "event_id")
