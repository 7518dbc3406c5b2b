"""One pipeline for the change of one aggregate: load it (visible to the caller, locked), check the
version the caller read, let the domain decide, save, publish the events, audit the change.

A service gives a :class:`Store` (its repository for one kind of aggregate) and the decision; the
order of the steps, and that they happen in the caller's one transaction, is the kernel's.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from continuum.casework.errors import StaleVersion
from continuum.contracts import EventData
from continuum.persistence.transaction import Transaction

__all__ = ["StaleVersion", "Store", "Versioned", "change_one", "check_version"]


class Versioned(Protocol):
    """An aggregate as the pipeline sees it: an id, the subject its events are keyed by (the
    case), and the version its last change produced."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def subject(self) -> str: ...

    @property
    def version(self) -> int: ...


S = TypeVar("S", bound=Versioned)


class Store(Protocol[S]):
    """A service's repository for one kind of aggregate."""

    #: The audit subject of the change (``"plan"``, ``"assessment"``, ``"stepdown"``).
    subject_type: str

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> S:
        """The aggregate, visible to the caller and locked for the change; else ``NotFound``
        (with the refusal audited, when the caller may not see it)."""
        ...

    async def save(self, tx: Transaction, before: S, after: S, *, action: str) -> None:
        """Write the change (``before`` as loaded, ``after`` as decided)."""
        ...


def check_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: :class:`StaleVersion` (412) when the version the caller read
    (If-Match) is not ``current``. ``None``: the caller did not say (a step of the service's own)."""
    if expected is not None and expected != current:
        raise StaleVersion(current)


async def change_one(
    tx: Transaction,
    store: Store[S],
    *,
    id: uuid.UUID,
    version: int | None,
    purpose: str,
    action: str | Callable[[S], str],
    decide: Callable[[S], Awaitable[tuple[S, Sequence[EventData]]]],
) -> S:
    """In ``tx``: load the aggregate (locked, the store checks the caller may see it), check
    ``version`` (the one the caller read, ``None`` not to check), run ``decide``, save the new
    state, publish its events keyed by the aggregate, and audit ``action`` (or the action named
    from the state before the change); the new state."""
    before = await store.load(tx, id, purpose=purpose)
    check_version(before.version, version)
    after, events = await decide(before)
    audited = action if isinstance(action, str) else action(before)
    await store.save(tx, before, after, action=audited)
    await tx.publish_all(events, aggregate=after)
    await tx.audit(audited, subject_type=store.subject_type, subject_id=after.id, purpose=purpose)
    return after
