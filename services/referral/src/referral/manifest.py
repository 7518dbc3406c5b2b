"""How `continuum up` runs the referral service (registered as a ``continuum.services`` entry point)."""

from pathlib import Path

from continuum.manifest import ServiceManifest
from referral.consumers import EPISODES_CONSUMER, STEPUP_CONSUMER

MANIFEST = ServiceManifest(
    name="referral",
    port=8001,
    app="referral.app:create_app",
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer_groups=(STEPUP_CONSUMER, EPISODES_CONSUMER),
    example_roles=("front_door", "manager"),
    example=(
        "curl -s -X POST {url}/v1/referrals \\\n"
        "  -H 'Authorization: Bearer {token}' \\\n"
        "  -H 'Content-Type: application/json' -H 'Idempotency-Key: example-1' \\\n"
        '  -d \'{{"child": {{"la_child_id": "DEV000123", "given_name": "Sam", "family_name": "Example", '
        '"date_of_birth": "2017-05-04", "sex": "M", "ethnicity": "WBRI", "nhs_number": "9434765919", "upn": "B801200005001"}}, '
        '"received_at": "2026-11-26T09:30:00Z", "source": "6", '
        '"referrer": {{"name": "PC Example", "agency": "Example Constabulary"}}, '
        '"concerns": "Police attended a domestic incident; the child was present.", '
        '"lawful_basis": "public_task_safeguarding_children", "suggested_threshold": "child_in_need", "team": "north"}}\''
    ),
)
