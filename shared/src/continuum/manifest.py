"""What a service is, declared once beside it: its name, the app factory, its migrations and the
consumer groups it runs. A service registers its manifest under the ``continuum.services`` entry-point
group; ``continuum up`` (the dev stack) starts whatever is installed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ENTRY_POINT_GROUP = "continuum.services"


@dataclass(frozen=True)
class ServiceManifest:
    """How the stack runs one service."""

    name: str
    port: int
    app: str  # "package.module:factory", a uvicorn --factory target
    alembic_ini: Path
    consumer_groups: tuple[str, ...] = ()
    #: Topics it publishes beyond Continuum's own (the partners service's agency topics), which the
    #: dev stack creates before the services start, as declared (an agency's compacted).
    topics: tuple[str, ...] = ()
    example: str = ""  # a ready-to-paste request, with {url} and {token} placeholders
    example_roles: tuple[str, ...] = ("front_door",)
    extra_env: dict[str, str] = field(default_factory=dict)
