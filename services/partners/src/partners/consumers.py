"""The gateway: the partners service consumes ``continuum.partner-status`` (``status.changed`` from
the four services that own a status, ``status.withheld`` when a child's NHS number is not known) in
its own group, idempotently (the inbox row and the decisions commit together)."""

from __future__ import annotations

from typing import Any

from continuum.contracts import PARTNER_STATUS_TOPIC, Envelope, StatusChanged, StatusWithheld
from continuum.messaging.consumer import Handler
from continuum.persistence.uow import Transaction
from partners.domain.policy import PartnersPolicy
from partners.use_cases import gateway

GATEWAY_CONSUMER = "partners.gateway"
GATEWAY_TOPICS = (PARTNER_STATUS_TOPIC,)


def make_handlers(policy: PartnersPolicy) -> dict[str, Handler]:
    async def on_status_changed(tx: Transaction, event: Envelope[Any]) -> None:
        await gateway.status_changed(tx, event, policy=policy)

    async def on_status_withheld(tx: Transaction, event: Envelope[Any]) -> None:
        await gateway.status_withheld(tx, event, policy=policy)

    return {StatusChanged.event_type: on_status_changed, StatusWithheld.event_type: on_status_withheld}
