"""The insight service's settings: the common ones and its name."""

from __future__ import annotations

from continuum.settings import ServiceSettings


class InsightSettings(ServiceSettings):
    service_name: str = "insight"
