"""Where each service answers: its port under ``continuum up`` (its manifest's, before the stack's
``--port-offset``), or the URL an operator gives (``CONTINUUM_<SERVICE>_URL``)."""

from __future__ import annotations

import os

PORTS = {"referral": 8001, "assessment": 8002, "plan": 8003, "stepdown": 8004, "insight": 8005, "partners": 8006}


def service_url(service: str, port_offset: int = 0) -> str:
    """``CONTINUUM_<SERVICE>_URL``, else the dev stack's port on this machine."""
    return os.environ.get(f"CONTINUUM_{service.upper()}_URL") or f"http://127.0.0.1:{PORTS[service] + port_offset}"
