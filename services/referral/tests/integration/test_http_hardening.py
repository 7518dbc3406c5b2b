"""What a caller sends in headers is never trusted into the audit log, the logs, the metrics or the
partner feed; every response says no-store and nosniff (issue 6, points 6, 13, 15 and 16)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from referral_support import Api, db_fetch, new_child, new_referral, nhs_number, post_referral

from continuum.contracts import PARTNER_STATUS_TOPIC, REFERRAL_TOPIC
from continuum_tools.testing import SESSION_LOG, assert_problem, read_events, unique

VALID_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def _referral(api: Api, **headers: str) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        return await post_referral(client, new_referral(new_child(), team="north"), **headers)


async def _refused_read(api: Api, referral_id: str, request_id: str) -> httpx.Response:
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        return await practitioner.get(f"/v1/referrals/{referral_id}", headers={"X-Request-ID": request_id})


async def _refused_audit_request_ids(api: Api, referral_id: str) -> list[str]:
    rows = await db_fetch(
        api.settings, "SELECT request_id FROM audit_log WHERE subject_id = $1 AND outcome = 'refused'", referral_id
    )
    return [r["request_id"] for r in rows]


def _request_log_lines(caplog: pytest.LogCaptureFixture, request_id: str) -> list[dict[str, Any]]:
    """The request log's lines for ``request_id`` (from pytest's capture: the shared session log
    file is rewritten by any concurrent test run)."""
    return [
        vars(record)
        for record in caplog.records
        if record.name == "continuum.referral.http" and getattr(record, "request_id", None) == request_id
    ]


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return json.dumps([vars(record) for record in caplog.records], default=str) + SESSION_LOG.read_text(errors="replace")


# --- 6: the request id ----------------------------------------------------------------------------


async def test_a_long_or_unsafe_request_id_is_replaced_and_the_refused_read_still_audited(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    for client_value in (
        (unique("rid") + "-") * 500,  # 5,500 characters: longer than audit_log.request_id
        unique("rid") + " Jane Smith 2016-03-14",  # short, but free text that could carry a name
    ):
        marker = client_value[:14]
        referral = await _referral(api)
        r = await _refused_read(api, referral["id"], client_value)
        assert_problem(r, 404)
        used = r.headers["x-request-id"]
        assert str(uuid.UUID(used)) == used
        assert await _refused_audit_request_ids(api, referral["id"]) == [used]
        logged = [(line["route"], line["status"]) for line in _request_log_lines(caplog, used)]
        assert logged == [("/v1/referrals/{referral_id}", 404)]
        assert marker not in _everything_logged(caplog)
        assert marker not in r.text


async def test_a_uuid_request_id_is_kept_echoed_and_audited(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    referral = await _referral(api)
    given = str(uuid.uuid4())
    r = await _refused_read(api, referral["id"], given.upper())
    assert_problem(r, 404)
    assert r.headers["x-request-id"] == given
    assert await _refused_audit_request_ids(api, referral["id"]) == [given]
    assert len(_request_log_lines(caplog, given)) == 1


# --- 13: metric labels ----------------------------------------------------------------------------


async def test_made_up_http_methods_do_not_grow_the_metrics(api: Api) -> None:
    made_up = [f"MADEUP{uuid.uuid4().hex[:8].upper()}" for _ in range(3)]
    raw_path = f"/v1/raw-{uuid.uuid4().hex[:8]}"
    async with api.as_user("front_door") as client:
        for method in made_up:
            r = await client.request(method, "/v1/referrals")
            assert r.status_code == 405, r.text
        assert (await client.get(raw_path)).status_code == 404
        referral = await post_referral(client, new_referral(new_child()))
        assert (await client.get(f"/v1/referrals/{referral['id']}")).status_code == 200
        text = (await client.get("/metrics")).text
    for method in made_up:
        assert method not in text
    assert raw_path not in text
    assert referral["id"] not in text
    series = [
        line
        for line in text.splitlines()
        if line.startswith("continuum_http_request_duration_seconds_count{") and 'service="referral"' in line
    ]
    assert 'method="other",route="/v1/referrals",service="referral",status="405"}' in text
    assert 'method="GET",route="unmatched",service="referral",status="404"}' in text
    assert 'method="GET",route="/v1/referrals/{referral_id}",service="referral",status="200"}' in text
    methods = {line.split('method="')[1].split('"')[0] for line in series}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    routes = {line.split('route="')[1].split('"')[0] for line in series}
    templates = set(api.app.openapi()["paths"]) | {getattr(route, "path", None) for route in api.app.routes}
    assert routes <= templates | {"unmatched"}


# --- 15: trace context ----------------------------------------------------------------------------


async def _events_of(api: Api, topic: str, subject: str, event_type: str) -> list[Any]:
    return await read_events(
        api.settings.kafka_bootstrap,
        topic,
        match=lambda e: e.source == "referral" and e.subject == subject and e.type == event_type,
        count=1,
    )


async def _referral_with_nhs_number(api: Api, **headers: str) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        return await post_referral(client, new_referral(new_child(nhs_number=nhs_number()), team="north"), **headers)


async def test_a_forged_traceparent_never_reaches_the_partner_feed(api: Api) -> None:
    forged = "00-Jane-Smith-2016-03-14-" + unique("forged")
    referral = await _referral_with_nhs_number(api, traceparent=forged)
    # A partner status is keyed by the child's NHS number (status.changed v2).
    partner = await _events_of(api, PARTNER_STATUS_TOPIC, referral["child"]["nhs_number"], "status.changed")
    internal = await _events_of(api, REFERRAL_TOPIC, referral["case_id"], "referral.received")
    assert [e.traceparent for e in partner + internal] == [None, None]


async def test_a_valid_traceparent_is_kept_on_internal_events_and_never_sent_to_partners(api: Api) -> None:
    referral = await _referral_with_nhs_number(api, traceparent=VALID_TRACEPARENT)
    partner = await _events_of(api, PARTNER_STATUS_TOPIC, referral["child"]["nhs_number"], "status.changed")
    internal = await _events_of(api, REFERRAL_TOPIC, referral["case_id"], "referral.received")
    assert [e.traceparent for e in partner + internal] == [None, VALID_TRACEPARENT]


# --- 16: response headers -------------------------------------------------------------------------


async def test_every_response_says_no_store_and_nosniff(api: Api) -> None:
    async with api.as_user("front_door") as client:
        created = await client.post("/v1/referrals", json=new_referral(new_child()))
        responses = [
            created,  # 201, a child's record
            await client.get(f"/v1/referrals/{created.json()['id']}"),  # 200, a child's record
            await client.post("/v1/referrals", json={"child": {}}),  # 422 problem
            await client.delete("/v1/referrals"),  # 405 problem
            await client.get("/v1/nowhere"),  # 404 problem
            await client.get("/metrics"),
            await client.get("/health/live"),
        ]
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        responses.append(await practitioner.get(f"/v1/referrals/{created.json()['id']}"))  # 404, another team's case
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://referral") as anonymous:
        responses.append(await anonymous.get(f"/v1/referrals/{created.json()['id']}"))  # 401 problem
    assert [r.status_code for r in responses] == [201, 200, 422, 405, 404, 200, 200, 404, 401]
    for r in responses:
        assert r.headers.get_list("cache-control") == ["no-store"], r.request.url
        assert r.headers.get_list("x-content-type-options") == ["nosniff"], r.request.url
