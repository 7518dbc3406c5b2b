"""Is the broker there, and does it hold the topics? Asked by readiness, answered from a short
cache so that a load balancer's probes do not become the broker's load."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer


class BrokerProbe:
    def __init__(
        self, inspector_factory: Callable[[], AIOKafkaConsumer], topics: Sequence[str], *, timeout: float = 2.0, ttl: float = 2.0
    ) -> None:
        self._factory = inspector_factory
        self._topics = set(topics)
        self._timeout = timeout
        self._ttl = ttl
        self._inspector: AIOKafkaConsumer | None = None
        self._checked_at = 0.0
        self._state = "unknown"
        self._lock = asyncio.Lock()

    async def state(self) -> str:
        """``ok``, ``unavailable`` or ``topics missing``."""
        async with self._lock:
            if time.monotonic() - self._checked_at > self._ttl:
                self._state = await self._check()
                self._checked_at = time.monotonic()
            return self._state

    async def _check(self) -> str:
        try:
            async with asyncio.timeout(self._timeout):
                if self._inspector is None:
                    inspector = self._factory()
                    await inspector.start()
                    self._inspector = inspector
                present = await self._inspector.topics()
        except Exception:  # noqa: BLE001 - any failure means: not there now
            await self.close()
            return "unavailable"
        return "ok" if self._topics <= present else "topics missing"

    async def close(self) -> None:
        inspector, self._inspector = self._inspector, None
        if inspector is not None:
            with contextlib.suppress(Exception):  # closing a broken client
                await inspector.stop()
