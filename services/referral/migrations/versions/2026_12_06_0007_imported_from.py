"""Children and referrals imported from a council's history name the file they came from
(``imported_from``, null for what was recorded live; decision 59).

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

TABLES = ("children", "referrals")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("imported_from", sa.String(200), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "imported_from")
