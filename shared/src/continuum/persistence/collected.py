"""The outbox and audit rows a use case collects, written with one statement (decision 29).

A unit of work collects every event it publishes and every audit row it writes while the use case
runs, and writes them all at once: along with the use case's own write (:class:`WithCollectedRows`),
or alone before COMMIT. :class:`Collected` keeps them, and what of them is written already.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import insert, literal_column, select, text
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import Select

from continuum.casework.principal import Principal
from continuum.contracts import Envelope, EventData
from continuum.persistence.db import Prebuilt, audit_log, outbox
from continuum.persistence.transaction import AuditEntry

# The outbox and audit rows a unit of work collected, as two data-modifying CTEs over two JSON
# documents (an array of events; the audit rows with the actor, roles and request id they share),
# each kind in the order collected. Added to a use case's own write (WithCollectedRows), or run
# alone: either way one statement for every row the use case collected. JSON, not one array per
# column: the driver checks every element of an array parameter against three abstract base
# classes, which cost more than the rest of the statement's parameters together.
_COLLECTED_EVENTS = (
    insert(outbox)
    .from_select(
        ["event_id", "topic", "key", "event_type", "payload"],
        text(
            """SELECT CAST(e.doc ->> 'event_id' AS uuid), e.doc ->> 'topic', e.doc ->> 'key', e.doc ->> 'event_type',
                  e.doc -> 'payload'
        FROM jsonb_array_elements(CAST(:collected_events AS jsonb)) WITH ORDINALITY AS e (doc, n)
        ORDER BY e.n"""
        ).columns(),
    )
    .cte("collected_events")
)
_COLLECTED_AUDIT = (
    insert(audit_log)
    .from_select(
        ["actor", "actor_roles", "action", "subject_type", "subject_id", "purpose", "outcome", "request_id"],
        text(
            """SELECT d.doc ->> 'actor', ARRAY(SELECT jsonb_array_elements_text(d.doc -> 'actor_roles')),
                  a.doc ->> 'action', a.doc ->> 'subject_type', a.doc ->> 'subject_id', a.doc ->> 'purpose',
                  a.doc ->> 'outcome', d.doc ->> 'request_id'
        FROM (SELECT CAST(:collected_audit AS jsonb) AS doc) AS d,
             jsonb_array_elements(d.doc -> 'rows') WITH ORDINALITY AS a (doc, n)
        ORDER BY a.n"""
        ).columns(),
    )
    .cte("collected_audit")
)


@functools.cache
def _topic_and_type(topic: str, event_type: str) -> str:
    """An outbox row's topic and event type as members of its JSON object (a few dozen pairs in all)."""
    return f'"topic":{json.dumps(topic)},"event_type":{json.dumps(event_type)}'


class WithCollectedRows(Prebuilt):
    """A use case's write that also writes the outbox and audit rows its unit of work has collected
    so far, in the same statement (one round trip fewer): publish and audit first, then run it with
    :meth:`continuum.persistence.uow.UnitOfWork.execute`. ``statement`` is an INSERT, UPDATE or DELETE (it may have CTEs of
    its own), or a SELECT that only carries the rows."""

    def __init__(self, statement: UpdateBase | Select[Any]) -> None:
        super().__init__(statement.add_cte(_COLLECTED_EVENTS, _COLLECTED_AUDIT))


#: The collected rows alone, before COMMIT, when no write of the use case took them along.
WRITE_COLLECTED = WithCollectedRows(select(literal_column("1")))


def actor_of(principal: Principal | None, source: str) -> tuple[str, list[str]]:
    """Who an audit row names, and their roles: the caller, or the service itself."""
    if principal is None:
        return f"service:{source}", ["service"]
    return principal.sub, sorted(r.value for r in principal.roles)


class Collected:
    """The rows collected in order, and how many of each kind are written."""

    def __init__(self) -> None:
        self.events: list[str] = []  # each a JSON object (see _COLLECTED_EVENTS)
        self.audits: list[AuditEntry] = []
        self.written = (0, 0)

    def add_event(self, envelope: Envelope[Any], data: EventData, subject: str, *, topic: str | None = None) -> None:
        """The outbox row as the collected events' JSON document holds it (the envelope is the payload);
        its topic the event's own unless ``topic`` names another."""
        self.events.append(
            f'{{"event_id":"{envelope.id}",{_topic_and_type(topic or data.topic, data.event_type)},"key":{json.dumps(subject)},'
            f'"payload":{envelope.model_dump_json()}}}'
        )

    @property
    def all_written(self) -> bool:
        return self.written == (len(self.events), len(self.audits))

    def unwritten(self, *, actor: str, actor_roles: list[str], request_id: str | None) -> tuple[dict[str, Any], tuple[int, int]]:
        """The rows not written yet, as the two JSON documents the statement reads, and what
        ``written`` becomes once the statement that writes them succeeded."""
        events, audits = self.events[self.written[0] :], self.audits[self.written[1] :]
        audit = {"actor": actor, "actor_roles": actor_roles, "request_id": request_id, "rows": [a.__dict__ for a in audits]}
        params = {"collected_events": "[" + ",".join(events) + "]", "collected_audit": json.dumps(audit)}
        return params, (len(self.events), len(self.audits))
