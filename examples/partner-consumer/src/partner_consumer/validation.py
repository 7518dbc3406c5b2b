"""An event read from the topic, checked against the published JSON Schema before anything is kept."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

EVENT_TYPE = "partner.status"
#: The schema this consumer was built against, as published in Continuum's docs/events.
BUNDLED_SCHEMA = "partner.status.v1.schema.json"


class InvalidEvent(ValueError):
    """The message is not a ``partner.status`` v1 event this consumer can keep; ``reason`` says why
    (never with the event's content: it may hold an NHS number)."""


@dataclass(frozen=True)
class StatusEvent:
    """One valid ``partner.status`` event: the envelope's id and time, and the child's status."""

    event_id: str
    time: str
    nhs_number: str
    date_of_birth: str | None
    status: str
    since: str
    responsible_service: str
    contact: str


def load_schema(path: Path | None = None) -> dict[str, Any]:
    """The schema at ``path``, or the copy bundled with this package."""
    text = path.read_text() if path else resources.files("partner_consumer").joinpath(BUNDLED_SCHEMA).read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


class Validator:
    def __init__(self, schema: dict[str, Any]) -> None:
        self._validator = jsonschema_rs.validator_for(schema, validate_formats=True)

    def parse(self, key: bytes | None, value: bytes | None) -> StatusEvent:
        """The event in ``value`` (keyed ``key``), or :class:`InvalidEvent`."""
        try:
            envelope = json.loads(value or b"")
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidEvent("not JSON") from exc
        # Where and what kind of error, never the value (it may be an NHS number).
        errors = [
            f"{'/'.join(map(str, e.instance_path)) or '(root)'}: {type(e.kind).__name__}"
            for e in self._validator.iter_errors(envelope)
        ]
        if errors:
            raise InvalidEvent("schema: " + "; ".join(errors[:5]))
        if envelope.get("type") != EVENT_TYPE:
            raise InvalidEvent(f"type {envelope.get('type')!r} is not {EVENT_TYPE}")
        if "id" not in envelope or "time" not in envelope:
            raise InvalidEvent("an envelope without an id or a time cannot be deduplicated or ordered")
        data = envelope["data"]
        if envelope["subject"] != data["nhs_number"] or (key is not None and key.decode(errors="replace") != data["nhs_number"]):
            raise InvalidEvent("the key or subject is not the event's NHS number")
        return StatusEvent(
            event_id=envelope["id"],
            time=envelope["time"],
            nhs_number=data["nhs_number"],
            date_of_birth=data["date_of_birth"],
            status=data["status"],
            since=data["since"],
            responsible_service=data["responsible_service"],
            contact=data["contact"],
        )
