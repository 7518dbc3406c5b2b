"""the measures' indexes: each fact's date in its event's data, by its event type (partial
expression indexes on the ISO text, which sorts as the dates do), and the case's events by type
for the corrections (decision 52)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: (index name, the data's field, the event types it is read of).
FACT_DATES = (
    ('ix_case_events_referral_received_at', 'received_at', ('referral.received',)),
    ('ix_case_events_authorisation_date', 'authorisation_date', ('assessment.authorised',)),
    ('ix_case_events_section47_start_date', 'start_date', ('section47.started',)),
    ('ix_case_events_icpc_date', 'icpc_date', ('section47.concluded',)),
    ('ix_case_events_plan_start_date', 'start_date', ('plan.started',)),
    ('ix_case_events_review_date', 'review_date', ('plan.reviewed',)),
    ('ix_case_events_visit_date', 'visit_date', ('visit.recorded',)),
    ('ix_case_events_drift_detected_at', 'detected_at', ('plan.drift_detected',)),
    ('ix_case_events_closure_date', 'closure_date', ('case.closed',)),
    ('ix_case_events_stepdown_requested_at', 'requested_at', ('stepdown.requested',)),
    ('ix_case_events_stepup_requested_at', 'requested_at', ('stepup.requested',)),
)


def upgrade() -> None:
    for name, field, types in FACT_DATES:
        listed = ", ".join(f"'{t}'" for t in types)
        op.create_index(
            name, 'case_events', [sa.text(f"(data->>'{field}')")], postgresql_where=sa.text(f"event_type IN ({listed})")
        )
    op.create_index('ix_case_events_case_id_event_type', 'case_events', ['case_id', 'event_type'])


def downgrade() -> None:
    op.drop_index('ix_case_events_case_id_event_type', table_name='case_events')
    for name, _field, _types in reversed(FACT_DATES):
        op.drop_index(name, table_name='case_events')
