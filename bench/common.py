"""What every benchmark shares: rounds in which the floor and the product take turns to go first,
the one summary line per measure that ``make bench`` collects, and the services' logging as
production sets it (JSON lines at INFO).

Not a benchmark itself (``bench/run.py`` runs only ``bench_*.py``). Imports only what both the
tree before issue 17 and the tree after it have at the same place (``continuum.observability``),
so ``bench/compare.sh`` can copy it into the older tree unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from continuum.messaging.consumer import EventConsumer
from continuum.messaging.kafka import consumer_topics, ensure_topics, make_consumer, make_producer
from continuum.persistence.db import make_engine, make_session_factory

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
#: A summary line starts with this; ``bench/run.py`` shows these lines and keeps the rest in a log.
RESULT = "=="


def sides_in_order(round_: int) -> tuple[str, str]:
    """Who goes first in a round (numbered from 1): the floor in odd rounds, the product in even
    ones. Whichever goes second meets warmer caches and a PostgreSQL that has just written (about
    20% faster on this machine), so neither side may always have that place."""
    return ("floor", "product") if round_ % 2 else ("product", "floor")


def spread(ratios: Sequence[float]) -> str:
    """The median of the rounds' ratios and their spread: ``0.52 (rounds 0.48 to 0.57, 5 rounds)``."""
    return f"{statistics.median(ratios):.2f} (rounds {min(ratios):.2f} to {max(ratios):.2f}, {len(ratios)} rounds)"


def summary(measure: str, ratios: Sequence[float], unit: str = "product / floor") -> None:
    """The measure's one line for ``make bench``: the median ratio of alternating rounds and their spread."""
    print(f"{RESULT} {measure}: ratio {spread(ratios)}; {unit}", flush=True)


def production_logging(path: Path) -> IO[str]:
    """Configure logging as a service does at start (``continuum.observability.configure_logging``:
    JSON lines, the root logger at INFO, production's level), writing to ``path`` instead of this
    process's stdout, which the benchmark's report uses. Each record is formatted and written as in
    production (the handler flushes every record, one write per line, as to a pipe). Call it
    before any app is built: the services' own call to it then changes nothing. Returns the file."""
    from continuum.observability import configure_logging

    stream = path.open("a", encoding="utf-8")
    with contextlib.redirect_stdout(stream):  # the handler takes sys.stdout as it is created
        configure_logging("INFO")
    return stream


def log_lines(path: Path) -> int:
    """How many lines the services logged (shown, so a run says its logging was on)."""
    with path.open("rb") as f:
        return sum(1 for _ in f)


def instrumented(consumer: Any, progress: Any) -> Any:
    """The consumer (an ``AIOKafkaConsumer``), telling ``progress`` what it fetched
    (``progress.fetched(batches)``) and committed (``progress.offsets(offsets)``)."""
    getmany, commit = consumer.getmany, consumer.commit

    async def timed_getmany(*args: Any, **kwargs: Any) -> Any:
        batches = await getmany(*args, **kwargs)
        progress.fetched(batches)
        return batches

    async def timed_commit(offsets: Any = None) -> None:
        await commit(offsets)
        if offsets:
            progress.offsets(offsets)

    consumer.getmany = timed_getmany
    consumer.commit = timed_commit
    return consumer


async def consume_until_done(
    settings: Any,
    url: str,
    progress: Any,
    *,
    prefix: str,
    topics: Sequence[str],
    handlers: Any,
    source: str,
    batch_handlers: Any = None,
) -> None:
    """The product's side of a consumer benchmark: the kernel's ``EventConsumer`` with a service's
    handlers, in a fresh group named ``<prefix>-<random>``, until ``progress`` says every offset is
    committed (``progress.done``)."""
    engine = make_engine(url)
    group = f"{prefix}-{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings, consumer_topics(group), partitions=1)
    consumer = EventConsumer(
        name=group,
        topics=list(topics),
        handlers=handlers,
        batch_handlers=batch_handlers,
        session_factory=make_session_factory(engine),
        consumer_factory=lambda: instrumented(make_consumer(settings, *topics, group_id=group), progress),
        producer_factory=lambda: make_producer(settings),
        source=source,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await progress.done.wait()
    finally:
        stop.set()
        await task
        await engine.dispose()
