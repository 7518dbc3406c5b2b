"""How `continuum up` runs the plan service (registered as a ``continuum.services`` entry point)."""

from pathlib import Path

from continuum.manifest import ServiceManifest
from plan.consumers import DRAFTING_CONSUMER

MANIFEST = ServiceManifest(
    name="plan",
    port=8003,
    app="plan.app:create_app",
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer_groups=(DRAFTING_CONSUMER,),
    example_roles=("manager",),
    example="curl -s '{url}/v1/plans/worklist?team=north' -H 'Authorization: Bearer {token}'",
)
