"""Renders a kustomize overlay with the real kustomize (the Go library, sigs.k8s.io/kustomize/api,
that the pykustomize wheel carries), once per overlay per test session."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any

import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")

Resource = dict[str, Any]


@functools.cache
def render(overlay: str) -> tuple[Resource, ...]:
    """Every resource ``kubectl apply -k deploy/k8s/overlays/<overlay>`` would send."""
    import pykustomize

    built = asyncio.run(pykustomize.build(str(K8S / "overlays" / overlay)))
    return tuple(doc for doc in yaml.safe_load_all(built.yaml) if doc)


def kustomize_version() -> str:
    """The kustomize API module compiled into the library (e.g. v0.21.3)."""
    import pykustomize

    return str(pykustomize.native_version())


def of_kind(resources: tuple[Resource, ...], kind: str) -> list[Resource]:
    return [r for r in resources if r["kind"] == kind]


def named(resources: tuple[Resource, ...], kind: str, name: str) -> Resource:
    return next(r for r in of_kind(resources, kind) if r["metadata"]["name"] == name)
