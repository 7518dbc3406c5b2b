"""How `continuum up` runs the partners service (registered as a ``continuum.services`` entry point)."""

import os
from pathlib import Path

from continuum.casework.policy import load_policy
from continuum.manifest import ServiceManifest
from partners.consumers import GATEWAY_CONSUMER
from partners.domain.policy import partners_policy


def _agency_topics() -> tuple[str, ...]:
    """Each agency's topic, from the policy file the stack runs with (the development one by default)."""
    path = os.environ.get("CONTINUUM_POLICY_FILE")
    return tuple(partners_policy(load_policy(Path(path) if path else None)).topics)


MANIFEST = ServiceManifest(
    name="partners",
    port=8006,
    app="partners.app:create_app",
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
    consumer_groups=(GATEWAY_CONSUMER,),
    topics=_agency_topics(),
    example_roles=("auditor",),
    example="curl -s '{url}/v1/sharing-log?agency=police' -H 'Authorization: Bearer {token}'",
)
