"""How `continuum up` runs the assessment service (registered as a ``continuum.services`` entry point)."""

from pathlib import Path

from assessment.consumers import ESCALATION_CONSUMER, INTAKE_CONSUMER
from continuum.manifest import ServiceManifest

MANIFEST = ServiceManifest(
    name="assessment",
    port=8002,
    app="assessment.app:create_app",
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer_groups=(INTAKE_CONSUMER, ESCALATION_CONSUMER),
    example_roles=("manager",),
    example="curl -s '{url}/v1/assessments/worklist?team=north' -H 'Authorization: Bearer {token}'",
)
