"""Every service's history over HTTP: ``GET /v1/history`` (decision 53).

The events a service committed, from its event history and its outbox (published or not), in the
outbox's ``seq`` order, as their envelopes: what a rebuild of insight's read model replays
(``continuum insight rebuild``), so that a rebuild needs nothing of the broker and reaches back
further than any topic's retention. ``build_app`` includes this router in every service, and
every service's permission table carries its entry (``continuum.web.permissions.KERNEL_PERMISSIONS``):
admins and services only. The envelopes carry children's records, so every page read writes one
audit row (subject ``history``, the ``seq`` range read), and a refusal is audited too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from continuum.contracts import AGENCY_TOPIC_PREFIX, ALL_TOPICS
from continuum.persistence.history import read_history
from continuum.web import http
from continuum.web.errors import invalid

#: The audit row's purpose of every page read.
HISTORY_PURPOSE = "read model rebuild"
#: How many events a page holds at most, and by default.
MAX_HISTORY_PAGE, DEFAULT_HISTORY_PAGE = 1000, 500
#: The largest ``seq`` there can be (a BIGINT).
MAX_SEQ = 2**63 - 1

ENVELOPE_EXAMPLE: dict[str, Any] = {
    "specversion": "1.0",
    "id": "9a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
    "source": "referral",
    "type": "information.requested",
    "time": "2026-10-06T09:30:00Z",
    "subject": "3c2a1b0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
    "dataschema": "continuum:information.requested/v1",
    "datacontenttype": "application/json",
    "aggregate_version": 1,
    "traceparent": None,
    "data": {
        "request_id": "6f1c8a52-3d0e-4b7a-9c41-2e5f7d8a9b10",
        "referral_id": "0b9d4e2a-7c61-4f3e-8a15-9d2c6b7e4f01",
        "case_id": "3c2a1b0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
        "agency": "GP surgery",
        "due_at": "2026-10-08T17:00:00Z",
    },
}


class HistoryPageOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [ENVELOPE_EXAMPLE], "next_after": 1042}]})

    items: list[dict[str, Any]] = Field(
        description="The events, oldest first (in the outbox's seq order), each its envelope as published (docs/events)"
    )
    next_after: int | None = Field(description="Send as `after` for the next page; null on the last page")


After = Annotated[
    int, Query(ge=0, le=MAX_SEQ, description="Only events after this position (next_after of the last page; 0: from the start)")
]
PageSize = Annotated[int, Query(ge=1, le=MAX_HISTORY_PAGE, description=f"At most this many events (1 to {MAX_HISTORY_PAGE})")]
Topics = Annotated[
    list[Annotated[str, StringConstraints(max_length=100)]] | None,
    Query(max_length=len(ALL_TOPICS), description="Only events of this topic (repeatable; default every topic)"),
]


def history_router() -> APIRouter:
    """The kernel's own route, ``GET /v1/history``, for every service."""
    router = http.api_router()

    @router.get(
        "/history",
        response_model=HistoryPageOut,
        responses=http.PROBLEM_RESPONSES,
        tags=["history"],
        summary="The service's events, from the first, as their envelopes",
    )
    async def event_history(
        request: Request, after: After = 0, limit: PageSize = DEFAULT_HISTORY_PAGE, topic: Topics = None
    ) -> http.JSONAnswer:
        """Every event this service committed after position ``after``, published or not, however
        long ago (the outbox keeps a week; the service's event history keeps the rest for good), in
        the order they were written, as their envelopes: a page of at most ``limit``, with
        ``next_after`` for the next. What a rebuild of the insight service's read model replays
        (``continuum insight rebuild``). For admins and services; every page read is audited."""
        # Continuum's own topics, and the agencies' (continuum.partner.<agency>: the partners service's, decision 56).
        unknown = sorted(t for t in set(topic or ()) - set(ALL_TOPICS) if not t.startswith(AGENCY_TOPIC_PREFIX))
        if unknown:
            raise invalid("query.topic", f"not a topic of Continuum's: {', '.join(unknown)} (one of {', '.join(ALL_TOPICS)})")
        async with http.unit_of_work(request) as tx:
            page = await read_history(tx.session, after=after, limit=limit, topics=topic)
            last = page.last if page.last is not None else after
            await tx.audit("history.read", subject_type="history", subject_id=f"{after}..{last}", purpose=HISTORY_PURPOSE)
        return http.JSONAnswer({"items": [envelope for _, envelope in page.events], "next_after": page.next_after})

    return router
