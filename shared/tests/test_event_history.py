"""Every service's history over HTTP (``GET /v1/history``, decision 53): the events it committed,
from its event history and its outbox alike, in ``seq`` order, paged, by topic; for admins and
services only; every page read audited; bad input named.

On a service database as the migrations lay it out (the referral service's, as its runtime role),
served by the kernel's ``build_app`` with no route of its own: the route is the kernel's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from continuum.contracts import PARTNER_STATUS_TOPIC, REFERRAL_TOPIC
from continuum.messaging.outbox_upkeep import archive_outbox
from continuum.web import http
from continuum.web.auth import mint_dev_token
from continuum.web.permissions import KERNEL_PERMISSIONS
from continuum_tools.testing import assert_problem, minimal_service, test_settings

REFERRAL_ALEMBIC_INI = Path(__file__).resolve().parents[2] / "services" / "referral" / "alembic.ini"
SETTINGS_BROKER = "127.0.0.1:9"  # never reached: the workers are off


@pytest.fixture(scope="module")
async def service(make_database: Callable[[str, Path], str]) -> AsyncIterator[FastAPI]:
    url = make_database("history_referral", REFERRAL_ALEMBIC_INI)
    app, _ = minimal_service(
        http.api_router(), test_settings(SETTINGS_BROKER, database_url=url, run_workers=False), name="history"
    )
    async with app.router.lifespan_context(app):
        yield app


def client(app: FastAPI, *roles: str) -> httpx.AsyncClient:
    token = mint_dev_token(app.state.runtime.settings, sub=f"history-{uuid.uuid4().hex[:8]}", roles=list(roles))
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://history", headers={"Authorization": f"Bearer {token}"}
    )


async def sql(app: FastAPI, statement: str, **params: Any) -> list[Any]:
    async with app.state.runtime.session_factory() as session, session.begin():
        result = await session.execute(text(statement), params)
        return list(result.all()) if result.returns_rows else []


async def write(app: FastAPI, topic: str, *, published_days_ago: int | None) -> dict[str, Any]:
    """An outbox row of ``topic`` as the unit of work writes it (its payload the envelope), published
    so many days ago (``None``: not yet); the envelope."""
    envelope = {"id": str(uuid.uuid4()), "type": "referral.received" if topic == REFERRAL_TOPIC else "status.changed"}
    published = datetime.now(UTC) - timedelta(days=published_days_ago) if published_days_ago is not None else None
    await sql(
        app,
        "INSERT INTO outbox (event_id, topic, key, event_type, payload, published_at)"
        " VALUES (CAST(:id AS uuid), :topic, 'case', :type, CAST(:payload AS jsonb), :published)",
        id=envelope["id"],
        topic=topic,
        type=envelope["type"],
        payload=json.dumps(envelope),
        published=published,
    )
    return envelope


async def last_seq(app: FastAPI) -> int:
    rows = await sql(app, "SELECT coalesce(max(seq), 0) FROM (SELECT seq FROM outbox UNION ALL SELECT seq FROM event_history) s")
    return int(rows[0][0])


@pytest.fixture
async def written(service: FastAPI) -> tuple[int, list[dict[str, Any]]]:
    """Six events after the position returned, old and new, published and not, on two topics; the
    old published ones moved to the event history by the relay's upkeep."""
    start = await last_seq(service)
    ages = [(REFERRAL_TOPIC, 30), (PARTNER_STATUS_TOPIC, 30), (REFERRAL_TOPIC, 1), (REFERRAL_TOPIC, 20)]
    ages += [(PARTNER_STATUS_TOPIC, None), (REFERRAL_TOPIC, None)]
    envelopes = [await write(service, topic, published_days_ago=age) for topic, age in ages]
    await archive_outbox(service.state.runtime.session_factory, retention=timedelta(days=7))
    return start, envelopes


async def test_the_history_is_every_event_in_the_order_written_from_the_history_and_the_outbox_alike(
    service: FastAPI, written: tuple[int, list[dict[str, Any]]]
) -> None:
    start, envelopes = written
    moved = await sql(service, "SELECT event_id::text FROM event_history WHERE seq > :s ORDER BY seq", s=start)
    assert [r[0] for r in moved] == [envelopes[i]["id"] for i in (0, 1, 3)]  # published over a week ago
    async with client(service, "admin") as admin:
        page = (await admin.get("/v1/history", params={"after": start})).json()
    assert page == {"items": envelopes, "next_after": None}


async def test_the_history_pages_on_from_next_after_and_each_page_read_is_audited(
    service: FastAPI, written: tuple[int, list[dict[str, Any]]]
) -> None:
    start, envelopes = written
    seen: list[dict[str, Any]] = []
    after: int | None = start
    request_ids = []
    async with client(service, "service") as relay:
        while after is not None:
            request_ids.append(str(uuid.uuid4()))
            r = await relay.get("/v1/history", params={"after": after, "limit": 4}, headers={"X-Request-ID": request_ids[-1]})
            assert r.status_code == 200, r.text
            seen += r.json()["items"]
            after = r.json()["next_after"]
    assert seen == envelopes
    seqs = [
        row[0]
        for row in await sql(
            service,
            "SELECT seq FROM outbox WHERE seq > :s UNION SELECT seq FROM event_history WHERE seq > :s ORDER BY 1",
            s=start,
        )
    ]
    rows = await sql(
        service,
        "SELECT request_id, subject_type, subject_id, purpose, outcome FROM audit_log WHERE request_id = ANY(:ids) ORDER BY id",
        ids=request_ids,
    )
    assert [tuple(r)[1:] for r in rows] == [
        ("history", f"{start}..{seqs[3]}", "read model rebuild", "success"),
        ("history", f"{seqs[3]}..{seqs[5]}", "read model rebuild", "success"),
    ]


async def test_the_history_of_one_topic_leaves_the_others_out(
    service: FastAPI, written: tuple[int, list[dict[str, Any]]]
) -> None:
    start, envelopes = written
    async with client(service, "admin") as admin:
        referral = (await admin.get("/v1/history", params={"after": start, "topic": REFERRAL_TOPIC})).json()
        both = (await admin.get("/v1/history", params={"after": start, "topic": [REFERRAL_TOPIC, PARTNER_STATUS_TOPIC]})).json()
    assert referral["items"] == [envelopes[i] for i in (0, 2, 3, 5)]
    assert both["items"] == envelopes


@pytest.mark.parametrize("role", ["practitioner", "manager", "auditor", "performance", "front_door", "early_help"])
async def test_only_admins_and_services_read_the_history_and_a_refusal_is_audited(service: FastAPI, role: str) -> None:
    assert KERNEL_PERMISSIONS["event_history"].roles == {"admin", "service"}
    rid = str(uuid.uuid4())
    async with client(service, role) as caller:
        r = await caller.get("/v1/history", headers={"X-Request-ID": rid})
    assert assert_problem(r, 403)["type"].endswith("/forbidden")
    rows = await sql(service, "SELECT subject_type, outcome FROM audit_log WHERE request_id = :rid", rid=rid)
    assert [tuple(row) for row in rows] == [("history", "refused")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 1001}, "query.limit"),
        ({"after": -1}, "query.after"),
        ({"after": "last"}, "query.after"),
        ({"after": 2**63}, "query.after"),
        ({"topic": "continuum.nowhere"}, "query.topic"),
        ({"topic": "x" * 101}, "query.topic.0"),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_nothing_is_read(
    service: FastAPI, params: dict[str, Any], field: str
) -> None:
    rid = str(uuid.uuid4())
    async with client(service, "admin") as admin:
        r = await admin.get("/v1/history", params=params, headers={"X-Request-ID": rid})
    assert_problem(r, 422, field)
    assert await sql(service, "SELECT 1 FROM audit_log WHERE request_id = :rid", rid=rid) == []
