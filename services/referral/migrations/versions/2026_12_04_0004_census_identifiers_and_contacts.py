"""Issue 16 (decision 34): the child's census identifiers of version 2 (former UPN, UPN
unknown reason, date of death, previous child protection plans elsewhere), the census LAchildID's
length (20: rules 1570, 1580), and the contacts recorded on an open episode.

The LA child id column narrows from 36 to 20 characters: a register holding a longer id stops
the migration with the count, to be corrected first (such an id could not go to the census).
Closures recorded by front-door decisions before this version stay as they were.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    too_long = op.get_bind().execute(sa.text("SELECT count(*) FROM children WHERE length(la_child_id) > 20")).scalar()
    if too_long:
        raise RuntimeError(f"{too_long} children have an LA child id over 20 characters: correct them before migrating")
    op.alter_column("children", "la_child_id", type_=sa.String(length=20), existing_type=sa.String(length=36))
    op.add_column("children", sa.Column("former_upn", sa.String(length=13), nullable=True))
    op.add_column("children", sa.Column("upn_unknown_reason", sa.String(length=4), nullable=True))
    op.add_column("children", sa.Column("date_of_death", sa.Date(), nullable=True))
    op.add_column("children", sa.Column("previous_cp_plans_elsewhere", sa.Integer(), nullable=True))
    op.create_table(
        "contacts",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("case_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("referral_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("child_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=3), nullable=False),
        sa.Column("referrer_name", sa.String(length=200), nullable=False),
        sa.Column("referrer_agency", sa.String(length=200), nullable=False),
        sa.Column("concerns", sa.Text(), nullable=False),
        sa.Column("lawful_basis", sa.String(length=50), nullable=False),
        sa.Column("suggested_threshold", sa.String(length=30), nullable=False),
        sa.Column("team", sa.String(length=50), nullable=False),
        sa.Column("stepped_up_from", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("became_referral_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"], name=op.f("fk_contacts_referral_id_referrals")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_contacts_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_referral_id"), "contacts", ["referral_id"])
    op.create_index(op.f("ix_contacts_child_id"), "contacts", ["child_id"])
    op.create_index("ix_contacts_received", "contacts", ["received_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_contacts_received", table_name="contacts")
    op.drop_index(op.f("ix_contacts_child_id"), table_name="contacts")
    op.drop_index(op.f("ix_contacts_referral_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_column("children", "previous_cp_plans_elsewhere")
    op.drop_column("children", "date_of_death")
    op.drop_column("children", "upn_unknown_reason")
    op.drop_column("children", "former_upn")
    op.alter_column("children", "la_child_id", type_=sa.String(length=36), existing_type=sa.String(length=20))
