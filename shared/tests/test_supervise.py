"""The supervised loop every background worker runs in: it outlives failures, backs off while
they last, recovers by itself and stops when told."""

from __future__ import annotations

import asyncio
import itertools

from prometheus_client import REGISTRY

from continuum.messaging.supervise import supervise


async def test_a_failing_step_is_retried_with_a_growing_backoff_then_recovers() -> None:
    stop = asyncio.Event()
    calls: list[float] = []
    cleaned: list[str] = []
    loop = asyncio.get_running_loop()

    async def step() -> float:
        calls.append(loop.time())
        if len(calls) <= 3:
            raise ConnectionError("database restarting")
        if len(calls) == 5:
            stop.set()
        return 0.0

    async def cleanup(exc: BaseException) -> None:
        cleaned.append(type(exc).__name__)

    before = REGISTRY.get_sample_value("continuum_worker_failures_total", {"worker": "test-worker"}) or 0.0
    await asyncio.wait_for(supervise("test-worker", step, stop, first_backoff=0.02, on_failure=cleanup), timeout=5)
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert len(calls) == 5
    assert cleaned == ["ConnectionError"] * 3
    assert gaps[0] >= 0.015 and gaps[1] >= 0.035 and gaps[2] >= 0.075  # 0.02, 0.04, 0.08
    assert gaps[3] < 0.05  # a success resets the backoff: the next step runs at once
    assert REGISTRY.get_sample_value("continuum_worker_failures_total", {"worker": "test-worker"}) == before + 3


async def test_a_failing_cleanup_does_not_stop_the_worker() -> None:
    stop = asyncio.Event()
    calls = 0

    async def step() -> float:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("broken client")
        stop.set()
        return 0.0

    async def cleanup(_: BaseException) -> None:
        raise OSError("cannot close")

    await asyncio.wait_for(supervise("cleanup-worker", step, stop, first_backoff=0.01, on_failure=cleanup), timeout=5)
    assert calls == 2


async def test_stop_ends_the_wait_at_once() -> None:
    stop, stepped = asyncio.Event(), asyncio.Event()

    async def step() -> float:
        stepped.set()
        return 3600.0

    task = asyncio.create_task(supervise("idle-worker", step, stop))
    await asyncio.wait_for(stepped.wait(), timeout=5)  # the worker has stepped and now waits an hour
    stop.set()
    await asyncio.wait_for(task, timeout=1)
