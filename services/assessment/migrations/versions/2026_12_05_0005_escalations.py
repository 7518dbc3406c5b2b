"""escalation to child protection from a child in need plan: an assessment remembers the plan whose
escalation opened it (only the front door's assessments are unique by referral now), every trigger
is kept once, and a case has at most one open section 47 enquiry

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessments", sa.Column("escalated_from_plan_id", sa.UUID(), nullable=True))
    op.drop_constraint("uq_assessments_referral_id", "assessments", type_="unique")
    op.create_index(
        "uq_assessments_front_door_referral",
        "assessments",
        ["referral_id"],
        unique=True,
        postgresql_where=sa.text("escalated_from_plan_id IS NULL"),
    )
    op.create_index(
        "uq_section47_enquiries_open_case",
        "section47_enquiries",
        ["case_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('awaiting_start', 'started')"),
    )
    op.create_table(
        "escalation_triggers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("trigger", sa.String(length=30), nullable=False),
        sa.Column("plan_id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("child_id", sa.UUID(), nullable=False),
        sa.Column("team", sa.String(length=50), nullable=False),
        sa.Column("strategy_discussion_date", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("assessment_id", sa.UUID(), nullable=False),
        sa.Column("section47_id", sa.UUID(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_escalation_triggers_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(
            ["section47_id"], ["section47_enquiries.id"], name=op.f("fk_escalation_triggers_section47_id_section47_enquiries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_triggers")),
        sa.UniqueConstraint("trigger", "plan_id", "strategy_discussion_date", name=op.f("uq_escalation_triggers_trigger")),
    )
    op.create_index(op.f("ix_escalation_triggers_case_id"), "escalation_triggers", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_escalation_triggers_case_id"), table_name="escalation_triggers")
    op.drop_table("escalation_triggers")
    op.drop_index("uq_section47_enquiries_open_case", table_name="section47_enquiries")
    op.drop_index("uq_assessments_front_door_referral", table_name="assessments")
    op.create_unique_constraint("uq_assessments_referral_id", "assessments", ["referral_id"])
    op.drop_column("assessments", "escalated_from_plan_id")
