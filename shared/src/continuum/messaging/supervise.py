"""One supervised loop for every background worker (the outbox relay, the consumers, the
schedulers): run a step until told to stop, back off (doubling, bounded) after a failure, log the
failure's kind (never its message: it may quote a row) and count it, and recover by itself."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Counter

WORKER_FAILURES = Counter("continuum_worker_failures_total", "Background worker steps that failed and were retried", ["worker"])

log = logging.getLogger("continuum.messaging.supervise")


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile."""
    if seconds > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


async def supervise(
    name: str,
    step: Callable[[], Awaitable[float]],
    stop: asyncio.Event,
    *,
    first_backoff: float = 0.5,
    max_backoff: float = 30.0,
    on_failure: Callable[[BaseException], Awaitable[None]] | None = None,
) -> None:
    """Run ``step`` until ``stop`` is set. ``step`` returns how long to wait before the next one (0
    to go again at once). A step that raises is logged and counted, ``on_failure`` runs (to drop a
    broken client, say), and the loop waits ``first_backoff``, doubling to ``max_backoff`` while
    steps keep failing; a success resets it."""
    backoff = first_backoff
    while not stop.is_set():
        try:
            wait = await step()
            backoff = first_backoff
        except Exception as exc:  # a worker must outlive any one failure
            WORKER_FAILURES.labels(name).inc()
            log.warning(
                "worker step failed; backing off", extra={"worker": name, "error": type(exc).__name__, "backoff_s": backoff}
            )
            # Where it failed, for whoever turns DEBUG on (messages may quote data: never at INFO).
            log.debug("worker step failure", extra={"worker": name}, exc_info=True)
            if on_failure is not None:
                try:
                    await on_failure(exc)
                except Exception as cleanup:  # noqa: BLE001 - the next step starts afresh anyway
                    log.warning("worker cleanup failed", extra={"worker": name, "error": type(cleanup).__name__})
            wait, backoff = backoff, min(backoff * 2, max_backoff)
        await sleep_or_stop(stop, wait)


class NowAndThen:
    """Upkeep a worker does between its steps at most every ``seconds`` (pruning, metrics): a
    failure is logged at DEBUG as ``failed`` and tried again next time, never stopping the worker."""

    def __init__(self, seconds: float, failed: str) -> None:
        self.seconds = seconds
        self.failed = failed
        self._last: float | None = None

    async def __call__(self, chore: Callable[[], Awaitable[object]]) -> None:
        now = time.monotonic()
        if self._last is not None and now - self._last < self.seconds:
            return
        self._last = now
        try:
            await chore()
        except Exception:
            log.debug(self.failed, exc_info=True)
