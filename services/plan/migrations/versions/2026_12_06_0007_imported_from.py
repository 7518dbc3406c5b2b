"""Imported records marked with the file they came from (decision 59): ``imported_from`` on the
plans, their reviews and the pre-proceedings blocks (null for live work), and a block's count of
review meetings when a census return gave the count without their dates.

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

_MARKED = ("plans", "plan_reviews", "preproceedings")


def upgrade() -> None:
    for table in _MARKED:
        op.add_column(table, sa.Column("imported_from", sa.String(200), nullable=True))
    op.add_column("preproceedings", sa.Column("review_meetings_count", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("preproceedings", "review_meetings_count")
    for table in reversed(_MARKED):
        op.drop_column(table, "imported_from")
