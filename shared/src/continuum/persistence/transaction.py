"""What an in-transaction step is given: the :class:`Transaction` protocol (the open unit of work
as a step sees it), what its events are keyed by (:class:`Aggregate`, :class:`EventKey`) and an
audit row as collected (:class:`AuditEntry`). Importable from ``continuum.persistence.uow`` too."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from continuum.casework.imports import Imported
from continuum.casework.principal import Principal
from continuum.contracts import Envelope, EventData
from continuum.persistence.db import Prebuilt


@dataclass(frozen=True)
class AuditEntry:
    action: str
    subject_type: str
    subject_id: str
    purpose: str
    outcome: str


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

    async def fetch(self, statement: Prebuilt, params: Mapping[str, Any] | None = None) -> list[Any]: ...

    def stream(self, statement: Prebuilt, params: Mapping[str, Any] | None = None, *, batch: int) -> AsyncIterator[list[Any]]: ...

    async def execute(self, statement: Prebuilt, params: Mapping[str, Any] | None = None, *, final: bool = False) -> None: ...

    async def publish(
        self,
        data: EventData,
        *,
        aggregate: Aggregate,
        topic: str | None = None,
        event_id: uuid.UUID | None = None,
        imported: Imported | None = None,
    ) -> Envelope[Any]: ...

    async def publish_all(self, events: Sequence[EventData], *, aggregate: Aggregate) -> list[Envelope[Any]]: ...

    async def audit(
        self, action: str, *, subject_type: str, subject_id: object, purpose: str, outcome: str = "success"
    ) -> None: ...

    def audit_refusal(
        self, action: str, *, subject_type: str, subject_id: object, purpose: str, outcome: str = "refused"
    ) -> None: ...
