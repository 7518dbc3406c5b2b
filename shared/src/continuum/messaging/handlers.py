"""A consumer's handlers, and how records are matched to them: each record read against its
contract (:func:`read_record`), and a batch's events cut into runs a batch handler takes at once
(:func:`runs_of`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRecord

from continuum.contracts import CATALOGUE, Envelope, UnknownEventType, parse_event
from continuum.persistence.transaction import Transaction

#: A consumer's handler: applies one event inside the transaction the runner opened (with the inbox row).
Handler = Callable[[Transaction, Envelope[Any]], Awaitable[None]]
#: A batch handler: applies several events of one type at once, set-based (one statement per kind of
#: row), with exactly the effect of its per-event handler applied to each in order (a test per
#: handler proves it). The runner claims their inbox rows in one statement and passes only new events;
#: when the batch fails, each event goes through the per-event handler alone.
BatchHandler = Callable[[Transaction, list[Envelope[Any]]], Awaitable[None]]

#: Events with their handlers, in partition order.
Items = list[tuple[Envelope[Any], Handler]]


@dataclass(frozen=True)
class Skipped:
    """A record this consumer leaves alone: ``ignored`` (another consumer's type) or
    ``unknown_type`` (a type nobody knows yet: a newer producer's, in a rolling deploy)."""

    outcome: str


@dataclass(frozen=True)
class Unreadable:
    """A record that is not JSON, has no type, or breaks its contract: a dead letter."""

    reason: str


def read_record(
    record: ConsumerRecord[bytes, bytes], handlers: Mapping[str, Handler]
) -> tuple[Envelope[Any], Handler] | Skipped | Unreadable:
    """The event ``record`` holds and its handler, validated against its contract; or why not."""
    try:
        message = json.loads(record.value or b"")
        event_type = message.get("type") if isinstance(message, dict) else None
        handler = handlers.get(event_type) if isinstance(event_type, str) else None
        if handler is None and isinstance(event_type, str):
            # Another consumer's business, validated by whoever handles it; a tolerant reader
            # never fills its dead-letter topic with types it does not know yet.
            return Skipped("ignored" if event_type in CATALOGUE else "unknown_type")
        event = parse_event(message)
    except UnknownEventType:
        return Skipped("unknown_type")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Unreadable(f"invalid: not JSON: {exc}")
    except ValueError as exc:  # no type, or not its contract
        return Unreadable(f"invalid: {exc}")
    assert handler is not None
    return event, handler


def runs_of(items: Items, batch_handlers: Mapping[str, BatchHandler]) -> list[tuple[int, Items]]:
    """``items`` cut into runs of consecutive events that one batch handler takes (it may take
    several types: a stream interleaves them), or else of one type; with each run's position."""

    def taker(event: Envelope[Any]) -> object:
        return batch_handlers.get(event.type) or event.type

    runs: list[tuple[int, Items]] = []
    for index, item in enumerate(items):
        if runs and taker(runs[-1][1][0][0]) is taker(item[0]):
            runs[-1][1].append(item)
        else:
            runs.append((index, [item]))
    return runs
