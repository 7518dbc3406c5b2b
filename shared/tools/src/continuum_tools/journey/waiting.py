"""Waiting for something to become true (a journey's steps wait for what other services do)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any


async def eventually(check: Callable[[], Any], *, within: float = 10.0, interval: float = 0.05, what: str | None = None) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy; fail after ``within``
    seconds, saying ``what`` was awaited."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or check}: not true after {within}s")
        await asyncio.sleep(interval)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
