"""each assessment and section 47 enquiry says which file of a council's history it was imported from
(decision 59): NULL for live work. An episode's imported assessments all carry its referral, so the
front door's one assessment per referral is unique among live assessments only.

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
    for table in ("assessments", "section47_enquiries"):
        op.add_column(table, sa.Column("imported_from", sa.String(length=200), nullable=True))
    op.drop_index("uq_assessments_front_door_referral", table_name="assessments")
    op.create_index(
        "uq_assessments_front_door_referral",
        "assessments",
        ["referral_id"],
        unique=True,
        postgresql_where=sa.text("escalated_from_plan_id IS NULL AND imported_from IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_assessments_front_door_referral", table_name="assessments")
    op.create_index(
        "uq_assessments_front_door_referral",
        "assessments",
        ["referral_id"],
        unique=True,
        postgresql_where=sa.text("escalated_from_plan_id IS NULL"),
    )
    for table in ("section47_enquiries", "assessments"):
        op.drop_column(table, "imported_from")
