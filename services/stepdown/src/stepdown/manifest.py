"""How `continuum up` runs the step-down service (registered as a ``continuum.services`` entry point)."""

from pathlib import Path

from continuum.manifest import ServiceManifest
from stepdown.consumers import TRANSITIONS_CONSUMER

MANIFEST = ServiceManifest(
    name="stepdown",
    port=8004,
    app="stepdown.app:create_app",
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer_groups=(TRANSITIONS_CONSUMER,),
    example_roles=("early_help",),
    example="curl -s '{url}/v1/stepdowns?status=pending' -H 'Authorization: Bearer {token}'",
)
