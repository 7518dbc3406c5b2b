"""How `continuum up` runs the partners service (registered as a ``continuum.services`` entry point)."""

from pathlib import Path

from continuum.manifest import ServiceManifest
from partners.consumers import GATEWAY_CONSUMER

MANIFEST = ServiceManifest(
    name="partners",
    port=8006,
    app="partners.app:create_app",
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer_groups=(GATEWAY_CONSUMER,),
    example_roles=("auditor",),
    example="curl -s '{url}/v1/sharing-log?agency=police' -H 'Authorization: Bearer {token}'",
)
