"""each episode and step-down keeps the statutory work the census checks a closure reason against
(section 47, ICPC, CIN plan, CP plan: rule 2990); a step-down records when a corrected front-door
decision withdrew its closure; the partner status no longer waits on the step-down row (it is sent
when the child's NHS number becomes known, from the child's latest episode)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("episodes", "stepdowns"):
        op.add_column(
            table,
            sa.Column("statutory_work", postgresql.ARRAY(sa.String(length=10)), server_default=sa.text("'{}'"), nullable=False),
        )
    op.add_column("stepdowns", sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True))
    # A plan's end proves the episode had a plan; the rows written before did not say which kind,
    # and rule 2990 asks only whether there was one.
    op.execute("UPDATE episodes SET statutory_work = '{cin_plan}' WHERE plan_end IS NOT NULL")
    op.execute("UPDATE stepdowns SET statutory_work = '{cin_plan}' WHERE trigger = 'plan'")
    op.drop_column("stepdowns", "partner_status_pending")


def downgrade() -> None:
    op.add_column("stepdowns", sa.Column("partner_status_pending", sa.String(length=20), nullable=True))
    op.drop_column("stepdowns", "reopened_at")
    for table in ("stepdowns", "episodes"):
        op.drop_column(table, "statutory_work")
