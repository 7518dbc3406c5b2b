"""``Idempotency-Key`` on create endpoints: the same key and body answer what the first request
answered, without doing it twice; the same key with another body is a 422."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from continuum.persistence.uow import StoredResponse, UnitOfWork, request_fingerprint


async def once(
    uow: UnitOfWork,
    *,
    key: str | None,
    scope: str,
    request: Any,
    run: Callable[[], Awaitable[tuple[int, Any]]],
    on_replay: Callable[[StoredResponse], Awaitable[None]] | None = None,
) -> tuple[int, Any]:
    """Inside ``uow``'s open transaction: the stored answer for ``key`` in ``scope`` (after
    ``on_replay``, e.g. to audit that the answer was read again), or ``run()``'s answer, stored
    with the key in the same transaction. Without a key, just ``run()``."""
    if not key:
        return await run()
    fingerprint = request_fingerprint(request)
    stored = await uow.replayed_response(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        if on_replay is not None:
            await on_replay(stored)
        return stored.status_code, stored.body
    status_code, body = await run()
    await uow.remember_response(scope=scope, key=key, fingerprint=fingerprint, status_code=status_code, body=body)
    return status_code, body
