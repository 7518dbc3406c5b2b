"""Corrections: a reallocation flag on the assessment, withdrawn section 47 enquiries kept beside
the current one (at most one current per assessment), and when an enquiry was withdrawn.

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
    op.add_column("assessments", sa.Column("reallocation_reason", sa.String(length=40), nullable=True))
    op.add_column("section47_enquiries", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint("uq_section47_enquiries_assessment_id", "section47_enquiries", type_="unique")
    op.create_index("ix_section47_enquiries_assessment_id", "section47_enquiries", ["assessment_id"])
    op.create_index(
        "uq_section47_enquiries_current",
        "section47_enquiries",
        ["assessment_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'withdrawn'"),
    )


def downgrade() -> None:
    op.drop_index("uq_section47_enquiries_current", table_name="section47_enquiries")
    op.drop_index("ix_section47_enquiries_assessment_id", table_name="section47_enquiries")
    op.create_unique_constraint("uq_section47_enquiries_assessment_id", "section47_enquiries", ["assessment_id"])
    op.drop_column("section47_enquiries", "withdrawn_at")
    op.drop_column("assessments", "reallocation_reason")
