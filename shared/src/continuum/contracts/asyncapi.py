"""An AsyncAPI 3 document generated from the contracts, for partners and integrators."""

from __future__ import annotations

from typing import Any

from continuum.contracts import AGENCY_TOPIC_PREFIX, CATALOGUE, PARTNER_STATUS_TOPIC, Envelope

CASE_KEY = "Key: the case (episode) id."
#: What a channel's messages are keyed by, and who reads it, where it is not a case's topic.
CHANNEL_DESCRIPTIONS = {
    PARTNER_STATUS_TOPIC: "Internal: read by the partners service only. Key: the NHS number (status.changed) or the"
    " child's id (status.withheld).",
    AGENCY_TOPIC_PREFIX + "{agency}": "One agency's own topic (its id in the council policy's partners section),"
    " compacted: each child's current status. Key: the NHS number. Read by that agency only.",
}


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event_type, cls in sorted(CATALOGUE.items()):
        name = event_type.replace(".", "_")
        messages[name] = {
            "name": event_type,
            "contentType": "application/json",
            "summary": (cls.__doc__ or event_type).strip().splitlines()[0],
            "payload": Envelope[cls].model_json_schema(),  # type: ignore[valid-type]
        }
        channel = channels.setdefault(
            cls.topic.replace(".", "_"),
            {
                "address": cls.topic,
                "messages": {},
                "description": CHANNEL_DESCRIPTIONS.get(cls.topic, "Key: the case (episode) id."),
            },
        )
        if "{agency}" in cls.topic:
            channel["parameters"] = {"agency": {"description": "The agency's id, e.g. police"}}
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for channel_name in channels:
        operations[f"receive_{channel_name}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_name}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Continuum events",
            "version": "1.0.0",
            "description": "Domain events of Continuum's services. CloudEvents 1.0 envelope, JSON.",
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
