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
    example: str = ""  # a ready-to-paste request, with {url} and {token} placeholders
    example_roles: tuple[str, ...] = ("front_door",)
    extra_env: dict[str, str] = field(default_factory=dict)
