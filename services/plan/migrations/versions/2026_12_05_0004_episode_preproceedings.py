"""pre-proceedings belong to the episode, with or without a plan: their blocks get a table of their
own (moved from the plan's row), beside what the service knows of each episode (opened by an
assessment or a plan, closed and reopened by step-down)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 12:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "episodes",
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("child_id", sa.UUID(), nullable=False),
        sa.Column("team", sa.String(length=50), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_episodes")),
    )
    op.create_index(op.f("ix_episodes_child_id"), "episodes", ["child_id"], unique=False)
    op.create_table(
        "preproceedings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("child_id", sa.UUID(), nullable=False),
        sa.Column("team", sa.String(length=50), nullable=False),
        sa.Column("plan_id", sa.UUID(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("letter_before_proceedings_date", sa.Date(), nullable=True),
        sa.Column("fgdm_offered", sa.Boolean(), nullable=True),
        sa.Column("fgdm_held", sa.Boolean(), nullable=True),
        sa.Column("initial_meeting_date", sa.Date(), nullable=True),
        sa.Column("review_meeting_dates", sa.ARRAY(sa.Date()), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("issue_proceedings", "step_down", "extend", name="preproceedingsdecision", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("court_application_date", sa.Date(), nullable=True),
        sa.Column("letter_initiating_proceedings_date", sa.Date(), nullable=True),
        sa.Column("fgdm_exception_reason", sa.Text(), nullable=True),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preproceedings")),
    )
    op.create_index(op.f("ix_preproceedings_case_id"), "preproceedings", ["case_id"], unique=False)
    op.create_index(op.f("ix_preproceedings_child_id"), "preproceedings", ["child_id"], unique=False)
    op.create_index(
        "uq_preproceedings_undecided_case", "preproceedings", ["case_id"], unique=True, postgresql_where="decision IS NULL"
    )
    # The episodes with an open plan are open as far as the service can tell; others become known
    # when their next event arrives.
    op.execute(
        "INSERT INTO episodes (case_id, child_id, team, updated_at) "
        "SELECT DISTINCT ON (case_id) case_id, child_id, team, now() FROM plans "
        "WHERE status IN ('draft', 'active') ORDER BY case_id, drafted_at DESC"
    )
    # Each plan's pre-proceedings become a block of its case.
    op.execute(
        "INSERT INTO preproceedings (id, case_id, child_id, team, plan_id, start_date, letter_before_proceedings_date, "
        "fgdm_offered, fgdm_held, initial_meeting_date, review_meeting_dates, decision, decision_date, "
        "court_application_date, fgdm_exception_reason, started_by, version) "
        "SELECT gen_random_uuid(), case_id, child_id, team, id, (p->>'start_date')::date, "
        "(p->>'letter_before_proceedings_date')::date, (p->>'fgdm_offered')::boolean, (p->>'fgdm_held')::boolean, "
        "(p->>'initial_meeting_date')::date, "
        "ARRAY(SELECT d::date FROM jsonb_array_elements_text(COALESCE(p->'review_meeting_dates', '[]'::jsonb)) AS d), "
        "p->>'decision', (p->>'decision_date')::date, (p->>'court_application_date')::date, "
        "p->>'fgdm_exception_reason', COALESCE(approved_by, 'unknown'), 1 "
        "FROM (SELECT *, preproceedings AS p FROM plans WHERE preproceedings IS NOT NULL) AS moved"
    )
    op.drop_column("plans", "preproceedings")


def downgrade() -> None:
    op.add_column("plans", sa.Column("preproceedings", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.execute(
        "UPDATE plans SET preproceedings = jsonb_build_object('start_date', b.start_date, "
        "'letter_before_proceedings_date', b.letter_before_proceedings_date, 'fgdm_offered', b.fgdm_offered, "
        "'fgdm_held', b.fgdm_held, 'initial_meeting_date', b.initial_meeting_date, "
        "'review_meeting_dates', to_jsonb(b.review_meeting_dates), 'decision', b.decision, 'decision_date', b.decision_date, "
        "'court_application_date', b.court_application_date, 'fgdm_exception_reason', b.fgdm_exception_reason) "
        "FROM preproceedings AS b WHERE b.plan_id = plans.id"
    )
    op.drop_index("uq_preproceedings_undecided_case", table_name="preproceedings", postgresql_where="decision IS NULL")
    op.drop_index(op.f("ix_preproceedings_child_id"), table_name="preproceedings")
    op.drop_index(op.f("ix_preproceedings_case_id"), table_name="preproceedings")
    op.drop_table("preproceedings")
    op.drop_index(op.f("ix_episodes_child_id"), table_name="episodes")
    op.drop_table("episodes")
