"""One transaction per use case: domain rows, audit rows and outbox rows commit together.

A service function opens ``async with uow:``; everything it writes through ``uow.session``,
``uow.publish`` and ``uow.audit`` commits at the end of the block, or nothing does. Audit rows of
refused access (``uow.audit_refusal``) are the exception: they are written in their own transaction
after the rollback, so the refusal is on record even though the use case changed nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.auth import Principal
from continuum.contracts import Envelope, EventData
from continuum.db import audit_log, idempotency_keys, outbox
from continuum.errors import FieldError, Problem
from continuum.observability import CHILD_READS_REFUSED
from continuum.ratelimit import READ_ACTIONS, ReadLimiter

# Built once: the hot path binds parameters to these instead of building a statement per call.
_INSERT_OUTBOX = insert(outbox)
_INSERT_AUDIT = insert(audit_log)


@dataclass(frozen=True)
class AuditEntry:
    action: str
    subject_type: str
    subject_id: str
    purpose: str
    outcome: str


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def request_fingerprint(body: Any) -> str:
    """A stable hash of a request body, to tell a replay from a different request under one key."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Aggregate(Protocol):
    """What events are published about: the subject they are keyed by (the case, so one case's
    events stay in order) and the version the change produced."""

    @property
    def subject(self) -> str: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class EventKey:
    """An explicit subject and version, for an event keyed by something other than the aggregate
    it describes (a child registered within a case is keyed by the case)."""

    subject: str
    version: int


class Transaction(Protocol):
    """An open unit of work as an in-transaction step receives it (a step called inside another
    use case's transaction, or a consumer's handler): it reads, writes, publishes and audits, but
    never opens or commits; only a use case that owns its transaction holds the ``UnitOfWork``."""

    source: str
    principal: Principal | None

    @property
    def session(self) -> AsyncSession: ...

    def principal_or_fail(self) -> Principal: ...

    async def publish(self, data: EventData, *, aggregate: Aggregate) -> Envelope[Any]: ...

    async def publish_all(self, events: Sequence[EventData], *, aggregate: Aggregate) -> list[Envelope[Any]]: ...

    async def audit(
        self, action: str, *, subject_type: str, subject_id: object, purpose: str, outcome: str = "success"
    ) -> None: ...

    def audit_refusal(
        self, action: str, *, subject_type: str, subject_id: object, purpose: str, outcome: str = "refused"
    ) -> None: ...


class TooManyReads(Problem):
    """The caller spent its budget of child-record reads (continuum.ratelimit)."""

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            429,
            "too-many-reads",
            "Too many children's records read",
            detail=f"your budget of child-record reads is spent; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


class UnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        source: str,
        principal: Principal | None = None,
        request_id: str | None = None,
        traceparent: str | None = None,
        read_limiter: ReadLimiter | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._read_limiter = read_limiter
        self.source = source
        self.principal = principal
        self.request_id = request_id
        self.traceparent = traceparent
        self._session: AsyncSession | None = None
        self._refusals: list[AuditEntry] = []
        self._outbox_rows: list[dict[str, Any]] = []
        self._audit_rows: list[dict[str, Any]] = []
        self.published: list[Envelope[Any]] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside 'async with uow:'")
        return self._session

    def principal_or_fail(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("this use case needs an authenticated principal")
        return self.principal

    async def __aenter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open: an in-transaction step takes the Transaction it is given")
        self._session = self._session_factory()
        await self._session.begin()
        self._refusals = []
        self._outbox_rows, self._audit_rows = [], []
        self.published = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        # An answer that would carry more children's records than the caller's budget allows fails too.
        over_budget = self._over_read_budget() if exc_type is None else None
        failed = exc_type is not None or over_budget is not None
        try:
            if not failed:
                await self._write_collected_rows(session)
                await session.commit()
            else:
                await session.rollback()
                self.published = []
        finally:
            await session.close()
            self._session = None
        if failed and self._refusals:
            await self._write_refusals()
        if over_budget is not None:
            raise over_budget

    def _over_read_budget(self) -> TooManyReads | None:
        """Children's records this use case read, spent from the caller's budget before commit:
        over budget, the whole answer is refused (429) and each record's refusal audited."""
        if self._read_limiter is None or self.principal is None:
            return None
        read = [row["subject_id"] for row in self._audit_rows if row["action"] in READ_ACTIONS and row["outcome"] == "success"]
        if not read:
            return None
        wait = self._read_limiter.take(self.principal.sub, len(read))
        if wait is None:
            return None
        CHILD_READS_REFUSED.labels(self.source).inc()
        for child_id in read:
            self._refusals.append(AuditEntry("child.read", "child", child_id, "read budget spent", "rate_limited"))
        return TooManyReads(wait)

    async def _write_collected_rows(self, session: AsyncSession) -> None:
        """Outbox and audit rows go in at the end of the use case, one multi-row INSERT each."""
        if self._outbox_rows:
            await session.execute(_INSERT_OUTBOX, self._outbox_rows)
        if self._audit_rows:
            await session.execute(_INSERT_AUDIT, self._audit_rows)
        self._outbox_rows, self._audit_rows = [], []

    async def publish_all(self, events: Sequence[EventData], *, aggregate: Aggregate) -> list[Envelope[Any]]:
        """Publish a transition's events in order (see :meth:`publish`)."""
        return [await self.publish(data, aggregate=aggregate) for data in events]

    async def publish(self, data: EventData, *, aggregate: Aggregate) -> Envelope[Any]:
        """Add an event to the outbox in this transaction; the relay publishes it after commit.
        Its subject (the Kafka key) and version are the aggregate's.

        The row is written when the unit of work commits, in the order the events were published."""
        subject = aggregate.subject
        envelope = Envelope.wrap(
            data,
            source=self.source,
            subject=subject,
            aggregate_version=aggregate.version,
            traceparent=self.traceparent,
        )
        self.session  # noqa: B018 - fails outside 'async with uow:' like every other write
        self._outbox_rows.append(
            {
                "event_id": envelope.id,
                "topic": data.topic,
                "key": subject,
                "event_type": data.event_type,
                "payload": envelope.to_json_dict(),
            }
        )
        self.published.append(envelope)
        return envelope

    def _audit_values(self, entry: AuditEntry) -> dict[str, Any]:
        p = self.principal
        return {
            "actor": p.sub if p else f"service:{self.source}",
            "actor_roles": sorted(r.value for r in p.roles) if p else ["service"],
            "action": entry.action,
            "subject_type": entry.subject_type,
            "subject_id": entry.subject_id,
            "purpose": entry.purpose,
            "outcome": entry.outcome,
            "request_id": self.request_id,
        }

    async def audit(
        self,
        action: str,
        *,
        subject_type: str,
        subject_id: object,
        purpose: str,
        outcome: str = "success",
    ) -> None:
        """Append an audit row (who, what, when, purpose, outcome) in this transaction."""
        entry = AuditEntry(action, subject_type, str(subject_id), purpose, outcome)
        self.session  # noqa: B018 - fails outside 'async with uow:' like every other write
        self._audit_rows.append(self._audit_values(entry))

    def audit_refusal(
        self, action: str, *, subject_type: str, subject_id: object, purpose: str, outcome: str = "refused"
    ) -> None:
        """Record an access to a child's record that the use case answers with an error (a refusal,
        or a conflict that names the record); it is written even though the use case then fails."""
        self._refusals.append(AuditEntry(action, subject_type, str(subject_id), purpose, outcome))

    async def _write_refusals(self) -> None:
        async with self._session_factory() as session, session.begin():
            for entry in self._refusals:
                await session.execute(_INSERT_AUDIT, self._audit_values(entry))
        self._refusals = []

    async def replayed_response(self, *, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        """The stored response when this Idempotency-Key was used before with the same body.

        Takes a transaction-scoped advisory lock on the key so two concurrent requests with the same
        key run one after the other: the second sees the first one's stored response.
        """
        await self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"{scope}|{key}"))))
        row = (
            await self.session.execute(
                select(idempotency_keys.c.request_hash, idempotency_keys.c.status_code, idempotency_keys.c.response).where(
                    idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
                )
            )
        ).first()
        if row is None:
            return None
        if row.request_hash != fingerprint:
            raise Problem(
                422,
                "idempotency-key-reused",
                "Idempotency-Key already used for a different request",
                detail="send a new Idempotency-Key for a new request",
                errors=[FieldError("Idempotency-Key", "already used with a different request body")],
            )
        return StoredResponse(row.status_code, row.response)

    async def remember_response(self, *, scope: str, key: str, fingerprint: str, status_code: int, body: Any) -> None:
        await self.session.execute(
            insert(idempotency_keys).values(
                scope=scope, key=key, request_hash=fingerprint, status_code=status_code, response=body
            )
        )
