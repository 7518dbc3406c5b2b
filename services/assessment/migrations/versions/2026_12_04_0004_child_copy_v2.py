"""the local copy of children carries the census identifiers and history of version 2 (former
UPN, UPN unknown reason, date of death, previous child protection plans elsewhere)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:00:00
"""

from continuum.persistence.migrations import add_child_copy_columns_v2, drop_child_copy_columns_v2

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_child_copy_columns_v2()


def downgrade() -> None:
    drop_child_copy_columns_v2()
