"""Operations' view: liveness and readiness without a token, Prometheus metrics for the outbox,
requests and consumers."""

from __future__ import annotations

import asyncio

import httpx
from referral_support import Api, new_referral


def anonymous(api: Api) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://referral")


async def test_liveness_needs_no_token(api: Api) -> None:
    async with anonymous(api) as client:
        r = await client.get("/health/live")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


async def test_readiness_reports_the_database_and_the_broker(api: Api) -> None:
    async with anonymous(api) as client:
        for _ in range(50):  # the relay reports the broker once it has published or polled
            r = await client.get("/health/ready")
            if r.json()["checks"].get("broker") == "ok":
                break
            await asyncio.sleep(0.1)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


async def test_metrics_expose_requests_outbox_and_consumers(api: Api) -> None:
    async with api.as_user("front_door") as client:
        assert (await client.post("/v1/referrals", json=new_referral())).status_code == 201
    await asyncio.sleep(1.2)  # the relay refreshes the outbox gauges once a second
    async with anonymous(api) as client:
        text = (await client.get("/metrics")).text
    assert (
        'continuum_http_request_duration_seconds_count{method="POST",route="/v1/referrals",service="referral",status="201"}'
        in text
    )
    assert 'continuum_outbox_backlog{service="referral"}' in text
    assert 'continuum_outbox_oldest_age_seconds{service="referral"}' in text
    assert 'continuum_outbox_published_total{service="referral",topic="continuum.referral"}' in text
