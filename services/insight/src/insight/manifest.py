"""How `continuum up` runs the insight service (registered as a ``continuum.services`` entry point)."""

from pathlib import Path

from continuum.manifest import ServiceManifest
from insight.consumers import READ_MODEL_CONSUMER

MANIFEST = ServiceManifest(
    name="insight",
    port=8005,
    app="insight.app:create_app",
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer_groups=(READ_MODEL_CONSUMER,),
    example_roles=("practitioner",),
    example="curl -s \"{url}/v1/children/$CHILD_ID/chronology\" -H 'Authorization: Bearer {token}'",
)
