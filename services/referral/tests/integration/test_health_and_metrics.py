"""Operations' view: liveness and readiness without a token, Prometheus metrics for the outbox,
requests and consumers."""

from __future__ import annotations

import httpx
from referral_support import Api, new_referral

from continuum_tools.testing import eventually


def anonymous(api: Api) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://referral")


async def test_liveness_needs_no_token(api: Api) -> None:
    async with anonymous(api) as client:
        r = await client.get("/health/live")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


async def test_readiness_reports_the_database_and_the_broker(api: Api) -> None:
    async with anonymous(api) as client:

        async def broker_ok() -> httpx.Response | None:  # the relay reports the broker once it has published or polled
            answer = await client.get("/health/ready")
            return answer if answer.json()["checks"].get("broker") == "ok" else None

        r = await eventually(broker_ok, within=10, interval=0.1, what="the broker reported ok")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


async def test_metrics_expose_requests_outbox_and_consumers(api: Api) -> None:
    async with api.as_user("front_door") as client:
        assert (await client.post("/v1/referrals", json=new_referral())).status_code == 201
    async with anonymous(api) as client:

        async def outbox_reported() -> str | None:  # the relay refreshes the outbox gauges once a second
            text = (await client.get("/metrics")).text
            published = 'continuum_outbox_published_total{service="referral",topic="continuum.referral"}'
            return text if 'continuum_outbox_backlog{service="referral"}' in text and published in text else None

        text = await eventually(outbox_reported, within=10, interval=0.1, what="the outbox metrics")
    assert (
        'continuum_http_request_duration_seconds_count{method="POST",route="/v1/referrals",service="referral",status="201"}'
        in text
    )
    assert 'continuum_outbox_backlog{service="referral"}' in text
    assert 'continuum_outbox_oldest_age_seconds{service="referral"}' in text
    assert 'continuum_outbox_published_total{service="referral",topic="continuum.referral"}' in text
