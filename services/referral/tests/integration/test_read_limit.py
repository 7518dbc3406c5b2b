"""Bulk reading of children's records is slowed and visible (issue 6, point 12): over a user's
budget of child-record reads (council policy ``read_limit``) the answer is 429 with Retry-After,
the refusal is audited and counted, and other users read on."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from referral_support import Api, db_fetch, new_referral, post_referral

from continuum.casework.policy import DEV_POLICY
from continuum_tools.testing import assert_problem
from referral.app import create_app
from referral.settings import ReferralSettings


@pytest.fixture
async def limited(tmp_path: Path, referral_settings: ReferralSettings) -> AsyncIterator[Api]:
    """The referral service on the same database, under a policy that allows 5 reads, then 1 a second."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        DEV_POLICY.read_text().replace("read_limit: {per_minute: 600, burst: 600}", "read_limit: {per_minute: 60, burst: 5}")
    )
    settings = referral_settings.model_copy(update={"policy_file": policy, "run_workers": False})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Api(app, settings)


def _refused_total() -> float:
    return REGISTRY.get_sample_value("continuum_child_reads_refused_total", {"service": "referral"}) or 0.0


async def test_reading_children_past_the_budget_answers_429_with_retry_after_audited_and_counted(api: Api, limited: Api) -> None:
    async with api.as_user("front_door") as front_door:
        child_id = (await post_referral(front_door, new_referral()))["child"]["id"]
    reader = f"harvester-{uuid.uuid4().hex[:8]}"
    before = _refused_total()
    async with limited.as_user("front_door", sub=reader) as harvester:
        answers = [await harvester.get(f"/v1/children/{child_id}") for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    body = assert_problem(answers[5], 429)
    assert body["type"].endswith("/too-many-reads")
    assert 1 <= int(answers[5].headers["Retry-After"]) <= 2
    assert "family_name" not in answers[5].text
    rows = await db_fetch(
        api.settings, "SELECT action, outcome FROM audit_log WHERE actor = $1 AND subject_id = $2 ORDER BY id", reader, child_id
    )
    assert [(r["action"], r["outcome"]) for r in rows] == [("child.read", "success")] * 5 + [("child.read", "rate_limited")]
    assert _refused_total() == before + 1
    async with limited.as_user("front_door") as someone_else:
        assert (await someone_else.get(f"/v1/children/{child_id}")).status_code == 200


async def test_a_list_page_spends_a_read_per_child_it_shows(api: Api, limited: Api) -> None:
    async with api.as_user("front_door") as front_door:
        for _ in range(6):
            await post_referral(front_door, new_referral())
    async with limited.as_user("front_door") as reader:
        first: Any = await reader.get("/v1/front-door/queue", params={"limit": 6})
        second = await reader.get("/v1/front-door/queue", params={"limit": 6})
    assert first.status_code == 200 and len(first.json()["items"]) == 6
    assert_problem(second, 429)


async def test_a_bulk_clients_writes_do_not_spend_its_read_budget_but_its_reads_still_do(api: Api, limited: Api) -> None:
    """Each front-door decision answers the referral with its child (a ``child.read``, audited): the
    answer to the caller's own change, not a read of another record (decision 39). A manager
    with a budget of 5 reads decides 8 referrals, then reads: the 6th read is refused."""
    async with api.as_user("front_door") as front_door:
        referrals = [await post_referral(front_door, new_referral()) for _ in range(8)]
    manager = f"bulk-{uuid.uuid4().hex[:8]}"
    decision = {"outcome": "assessment", "reasons": "Needs a single assessment.", "team": "north"}
    async with limited.as_user("manager", sub=manager, sw_qualified=True) as client:
        decided = [
            await client.post(f"/v1/referrals/{r['id']}/decision", json=decision, headers={"If-Match": '"1"'}) for r in referrals
        ]
        reads = [await client.get(f"/v1/children/{referrals[0]['child']['id']}") for _ in range(6)]
    assert [r.status_code for r in decided] == [200] * 8, decided[-1].text
    assert [r.status_code for r in reads] == [200] * 5 + [429]
    # The writes' answers are still audited as what they are: the child's record shown.
    rows = await db_fetch(
        api.settings,
        "SELECT outcome FROM audit_log WHERE actor = $1 AND action = 'child.read' AND purpose = 'front-door decision'",
        manager,
    )
    assert [r["outcome"] for r in rows] == ["success"] * 8
