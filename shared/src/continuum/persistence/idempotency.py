"""``Idempotency-Key`` on create endpoints: the same key and body answer what the first request
answered, without doing it twice; the same key with another body is a 422.

What is stored is the answer's BODY (the view's JSON), never its HTTP status: the status is the
route's (``201`` for a create) whichever way the answer came, so a use case knows nothing of HTTP.
The ``idempotency_keys.status_code`` column is still written (``200``, a migration to drop it is
not worth it) but no longer read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, insert, select

from continuum.casework.errors import Invalid
from continuum.persistence.db import idempotency_keys

if TYPE_CHECKING:
    from continuum.persistence.uow import Transaction

R = TypeVar("R")

#: What the unread ``status_code`` column holds for every stored answer.
_UNREAD_STATUS = 200


@dataclass(frozen=True)
class Replayed:
    """The body the first request with this Idempotency-Key answered, given again."""

    body: dict[str, Any]


class IdempotencyKeyReused(Invalid):
    """The same ``Idempotency-Key`` came back with another body: a new request needs a new key."""

    def __init__(self) -> None:
        super().__init__(
            "Idempotency-Key",
            "already used with a different request body",
            slug="idempotency-key-reused",
            title="Idempotency-Key already used for a different request",
        )
        self.detail = "send a new Idempotency-Key for a new request"


def request_fingerprint(body: Any) -> str:
    """A stable hash of a request body, to tell a replay from a different request under one key."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def stored_answer(tx: Transaction, *, scope: str, key: str, fingerprint: str) -> Replayed | None:
    """The stored answer when this Idempotency-Key was used before with the same body.

    Takes a transaction-scoped advisory lock on the key so two concurrent requests with the same
    key run one after the other: the second sees the first one's stored answer.
    """
    await tx.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"{scope}|{key}"))))
    row = (
        await tx.session.execute(
            select(idempotency_keys.c.request_hash, idempotency_keys.c.response).where(
                idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return Replayed(dict(row.response))


async def store_answer(tx: Transaction, *, scope: str, key: str, fingerprint: str, body: Mapping[str, Any]) -> None:
    """Store the answer's body under the key, in the use case's transaction."""
    await tx.session.execute(
        insert(idempotency_keys).values(
            scope=scope, key=key, request_hash=fingerprint, status_code=_UNREAD_STATUS, response=dict(body)
        )
    )


async def idempotent(
    tx: Transaction,
    *,
    key: str | None,
    scope: str,
    request: Any,
    run: Callable[[], Awaitable[R]],
    present: Callable[[R], Mapping[str, Any]],
    on_replay: Callable[[Replayed], Awaitable[None]] | None = None,
) -> R | Replayed:
    """Inside ``tx``: the body first answered under ``key`` in ``scope`` as :class:`Replayed`
    (after ``on_replay``, e.g. to audit that the answer was read again), or ``run()``'s result,
    whose ``present(result)`` (the view's JSON) is stored with the key in the same transaction.
    Without a key, just ``run()``. ``continuum.web.http.answer`` answers either kind."""
    if not key:
        return await run()
    fingerprint = request_fingerprint(request)
    replayed = await stored_answer(tx, scope=scope, key=key, fingerprint=fingerprint)
    if replayed is not None:
        if on_replay is not None:
            await on_replay(replayed)
        return replayed
    result = await run()
    await store_answer(tx, scope=scope, key=key, fingerprint=fingerprint, body=present(result))
    return result
