"""a withdrawn step-down (the front door corrected its early help decision) does not count as the
episode's one transition: case_id is unique among the step-downs not withdrawn

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("uq_stepdowns_case_id", "stepdowns", type_="unique")
    op.create_index(
        "uq_stepdowns_case_id_not_withdrawn",
        "stepdowns",
        ["case_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'withdrawn'"),
    )


def downgrade() -> None:
    op.drop_index("uq_stepdowns_case_id_not_withdrawn", table_name="stepdowns")
    op.create_unique_constraint("uq_stepdowns_case_id", "stepdowns", ["case_id"])
