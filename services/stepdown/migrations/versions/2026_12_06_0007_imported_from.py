"""each episode and step-down says which file of a council's history it was imported from (decision
59): NULL for live work, the source file's name for an episode first heard of from an imported
record and for an imported closure

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("episodes", "stepdowns"):
        op.add_column(table, sa.Column("imported_from", sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in ("stepdowns", "episodes"):
        op.drop_column(table, "imported_from")
