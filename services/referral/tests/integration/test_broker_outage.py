"""With the broker stopped, the referral API keeps accepting work; when the broker returns, every
event arrives exactly once per id, in order per case (Must show 3, on the real broker)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
from referral_support import Api, db_value, new_referral

from continuum.contracts import ALL_TOPICS, REFERRAL_TOPIC
from continuum.messaging.kafka import ensure_topics
from continuum.observability import OUTBOX_PUBLISH_FAILURES
from continuum_tools.devstack import TansuBroker, free_port
from continuum_tools.testing import eventually, read_events, test_settings
from referral.app import create_app
from referral.settings import ReferralSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
DECISION = {"outcome": "assessment", "reasons": "Needs a single assessment.", "team": "north"}


async def test_referrals_are_accepted_while_the_broker_is_down_and_each_event_arrives_once_in_order(
    make_database: Callable[[str, Path], str], tmp_path: Path
) -> None:
    broker = TansuBroker(free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    url = make_database("referral_outage", ALEMBIC_INI)
    settings = ReferralSettings(**test_settings(broker.bootstrap, database_url=url).model_dump(exclude={"service_name"}))
    await ensure_topics(settings, ALL_TOPICS)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            broker.stop()
            cases: list[str] = []
            async with Api(app, settings).as_user("front_door", "manager") as client:
                for _ in range(4):
                    cases.append(await _refer_and_decide(client))
            failures = OUTBOX_PUBLISH_FAILURES.labels(settings.service_name)
            before = failures._value.get()
            # The relay has met the broker's absence since the writes (it cannot have published them).
            await eventually(lambda: failures._value.get() > before, within=20, what="the relay failing to reach the broker")
            # Three events per case (child.registered, referral.received, referral.decided); no partner
            # status: these children have no NHS number (status.changed v2 needs one).
            assert await db_value(settings, "SELECT count(*) FROM outbox WHERE published_at IS NULL") >= 4 * 3

            broker.start()  # memory storage: the returning broker is empty, so every event read is from the backlog
            await ensure_topics(settings, ALL_TOPICS)

            async def drained() -> bool:
                return not await db_value(settings, "SELECT count(*) FROM outbox WHERE published_at IS NULL")

            await eventually(drained, within=60, interval=0.2, what="the backlog published")
        events = await read_events(broker.bootstrap, REFERRAL_TOPIC, match=lambda e: e.subject in cases, count=12, settle=1.0)
    finally:
        broker.stop()

    ids = [e.id for e in events]
    assert len(ids) == len(set(ids)) == 12
    per_case: dict[str, list[str]] = defaultdict(list)
    for event in events:
        per_case[event.subject].append(event.type)
    assert per_case == {case: ["child.registered", "referral.received", "referral.decided"] for case in cases}


async def _refer_and_decide(client: httpx.AsyncClient) -> str:
    created = await client.post("/v1/referrals", json=new_referral())
    assert created.status_code == 201, created.text
    body = created.json()
    decided = await client.post(f"/v1/referrals/{body['id']}/decision", json=DECISION, headers={"If-Match": '"1"'})
    assert decided.status_code == 200, decided.text
    return str(body["case_id"])
