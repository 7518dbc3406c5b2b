"""The journey from the front door to an open assessment survives the broker losing everything
(issue 8, Must show 2): 200 referrals are decided for assessment while the (memory) broker is
killed and started again empty in the middle of the stream; every one of them opens exactly one
assessment, because the referral service's outbox republishes what the broker lost and the
assessment service's inbox skips what it had already applied."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from assessment.app import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from continuum.contracts import ALL_TOPICS
from continuum.messaging.kafka import ensure_topics
from continuum.web.auth import mint_dev_token
from continuum_tools.devstack import TansuBroker, free_port
from continuum_tools.testing import eventually, la_child_id, owner_url, test_settings, unique
from referral.app import create_app as create_referral_app
from referral.settings import ReferralSettings

SERVICES = Path(__file__).resolve().parents[1] / "services"
REFERRALS = 200


def _referral(i: int) -> dict[str, Any]:
    return {
        "child": {
            "la_child_id": la_child_id(),
            "given_name": f"Fault{i}",
            "family_name": unique("Stream").replace("-", ""),
            "date_of_birth": "2016-02-03",
            "sex": "F",
            "ethnicity": "WBRI",
            "disabilities": ["NONE"],
        },
        "received_at": "2026-11-20T10:00:00Z",
        "source": "6",
        "referrer": {"name": "PC Fault", "agency": "Example Constabulary"},
        "concerns": "Police attended a domestic incident; the child was present.",
        "lawful_basis": "public_task_safeguarding_children",
        "suggested_threshold": "child_in_need",
        "team": "north",
    }


async def _refer_and_decide(client: httpx.AsyncClient, i: int) -> str:
    received = await client.post("/v1/referrals", json=_referral(i))
    assert received.status_code == 201, received.text
    body = received.json()
    decided = await client.post(
        f"/v1/referrals/{body['id']}/decision",
        json={"outcome": "assessment", "reasons": "Needs a single assessment.", "team": "north"},
        headers={"If-Match": '"1"'},
    )
    assert decided.status_code == 200, decided.text
    return str(body["case_id"])


async def test_a_broker_restarted_empty_mid_stream_of_200_referrals_loses_no_assessment_and_doubles_none(
    make_database: Callable[[str, Path], str], tmp_path: Path
) -> None:
    port = free_port()
    broker = TansuBroker(port, log_path=tmp_path / "tansu.log")
    broker.start()
    referral_url = make_database("fault_referral", SERVICES / "referral" / "alembic.ini")
    assessment_url = make_database("fault_assessment", SERVICES / "assessment" / "alembic.ini")
    referral_settings = ReferralSettings(
        **test_settings(broker.bootstrap, database_url=referral_url).model_dump(exclude={"service_name"})
    )
    assessment_settings = AssessmentSettings(
        **test_settings(broker.bootstrap, database_url=assessment_url).model_dump(exclude={"service_name"}),
        overdue_check_interval_seconds=3600,
    )
    await ensure_topics(referral_settings, ALL_TOPICS)
    referral_app, assessment_app = create_referral_app(referral_settings), create_assessment_app(assessment_settings)
    token = mint_dev_token(referral_settings, sub="fault-front-door", roles=["front_door", "manager"], teams=["north"])
    cases: list[str] = []
    try:
        async with (
            referral_app.router.lifespan_context(referral_app),
            assessment_app.router.lifespan_context(assessment_app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=referral_app),
                base_url="http://referral",
                headers={"Authorization": f"Bearer {token}"},
            ) as client,
        ):
            for i in range(REFERRALS):
                if i == REFERRALS // 2:
                    broker.stop()  # killed: everything it held, and every group's offsets, are gone
                    broker.start()
                cases.append(await _refer_and_decide(client, i))
                if i % 10 == 0:
                    await asyncio.sleep(0.05)  # a stream, not one burst: some events are consumed before the kill

            conn = await asyncpg.connect(owner_url(assessment_url).replace("postgresql+asyncpg://", "postgresql://"))
            try:

                async def opened() -> bool:
                    count = await conn.fetchval(
                        "SELECT count(DISTINCT case_id) FROM assessments WHERE case_id = ANY($1::uuid[])",
                        [uuid.UUID(c) for c in cases],
                    )
                    return bool(count == REFERRALS)

                await eventually(opened, within=120, interval=0.5)
                doubled = await conn.fetch(
                    "SELECT case_id FROM assessments WHERE case_id = ANY($1::uuid[]) GROUP BY case_id HAVING count(*) > 1",
                    [uuid.UUID(c) for c in cases],
                )
                applied_twice = await conn.fetchval(
                    "SELECT count(*) FROM (SELECT event_id FROM inbox GROUP BY consumer, event_id HAVING count(*) > 1) d"
                )
                versions = await conn.fetch(
                    "SELECT version FROM assessments WHERE case_id = ANY($1::uuid[])", [uuid.UUID(c) for c in cases]
                )
            finally:
                await conn.close()
    finally:
        broker.stop()
    assert doubled == [] and applied_twice == 0
    assert {v["version"] for v in versions} == {1}  # each opened once, nothing applied over it again
