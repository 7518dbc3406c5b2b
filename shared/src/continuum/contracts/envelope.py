"""The event envelope: CloudEvents 1.0 attributes around a typed, immutable payload."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every event payload. Subclasses set the type, the schema version and the topic.

    Consumers are tolerant readers (``extra="ignore"``): a producer may add an optional field in a
    minor change without breaking anyone; removing or retyping a field needs a new major version.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    topic: ClassVar[str]
    #: Whether the envelope may carry the request's trace context (a partner-facing event may not).
    carries_trace: ClassVar[bool] = True

    def partition_key(self) -> str | None:
        """The subject (Kafka key) this event is published under when it is not the aggregate's
        (the case): ``None`` for almost every event."""
        return None

    @classmethod
    def dataschema(cls) -> str:
        return f"continuum:{cls.event_type}/v{cls.schema_version}"


D = TypeVar("D", bound=EventData)


class Envelope(BaseModel, Generic[D]):
    """One event on the wire. ``id`` is the dedupe key; ``subject`` is the case (episode) id and the
    Kafka key, so one case's events stay in order."""

    model_config = ConfigDict(frozen=True)

    specversion: str = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str
    type: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str
    dataschema: str
    datacontenttype: str = "application/json"
    aggregate_version: int = Field(ge=0)
    traceparent: str | None = None
    #: A CloudEvents extension attribute: the file an imported record came from (decision 59). Absent
    #: from live events, whose JSON is as it always was.
    importedfrom: str | None = Field(
        default=None,
        max_length=200,
        exclude_if=lambda value: value is None,
        description="CloudEvents extension: the file an imported record of the past came from (absent from live events)",
    )
    data: D

    @classmethod
    def wrap(
        cls,
        data: D,
        *,
        source: str,
        subject: str,
        aggregate_version: int,
        traceparent: str | None = None,
        time: datetime | None = None,
        event_id: uuid.UUID | None = None,
        imported_from: str | None = None,
    ) -> Envelope[D]:
        """The event ``data`` in its envelope; ``time`` is when the change happened (the kernel's
        clock, which the unit of work reads; now if not given; an imported fact's real day);
        ``event_id`` its id when the caller derives it (a new one if not given); ``imported_from``
        the file an imported record came from."""
        return _open_envelope()(
            id=event_id or uuid.uuid4(),
            time=time or datetime.now(UTC),
            source=source,
            type=data.event_type,
            subject=subject,
            dataschema=data.dataschema(),
            aggregate_version=aggregate_version,
            traceparent=traceparent,
            importedfrom=imported_from,
            data=data,
        )

    @property
    def imported(self) -> bool:
        """Whether the event tells of an imported record (a fact of the past, not live work)."""
        return self.importedfrom is not None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@functools.cache
def _open_envelope() -> type[Envelope[Any]]:
    """``Envelope[D]``, parametrised once: pydantic looks a parametrisation up again at every
    subscription, which costs more than building a small event's envelope."""
    return Envelope[D]  # type: ignore[valid-type]
