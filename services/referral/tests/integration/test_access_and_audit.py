"""Object-level access (another team's case answers 404) and the audit log of every read."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from referral_support import (
    Api,
    audit_count,
    db_execute,
    db_fetch,
    new_child,
    new_referral,
    post_referral,
)

from continuum_tools.testing import assert_problem, owner_url, unique
from referral.settings import ReferralSettings


async def _referral(api: Api, team: str = "north") -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        return await post_referral(client, new_referral(new_child(), team=team))


# --- another team's case --------------------------------------------------------------------------


async def test_practitioner_of_another_team_gets_404_on_a_referral(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        r = await practitioner.get(f"/v1/referrals/{referral['id']}")
    body = assert_problem(r, 404)
    assert body["type"].endswith("/not-found")
    assert referral["child"]["family_name"] not in r.text
    assert referral["case_id"] not in r.text


async def test_refused_read_of_a_referral_is_audited(api: Api) -> None:
    referral = await _referral(api)
    reader = unique("refused-reader")
    async with api.as_user("practitioner", teams=("south",), sub=reader) as practitioner:
        await practitioner.get(f"/v1/referrals/{referral['id']}")
    rows = await db_fetch(
        api.settings, "SELECT actor, action, outcome FROM audit_log WHERE subject_id = $1 AND outcome = 'refused'", referral["id"]
    )
    assert [tuple(r) for r in rows] == [(reader, "referral.read", "refused")]


async def test_practitioner_of_another_team_gets_404_on_a_child_and_it_is_audited(api: Api) -> None:
    referral = await _referral(api)
    child_id = referral["child"]["id"]
    reader = unique("refused-reader")
    async with api.as_user("practitioner", teams=("south",), sub=reader) as practitioner:
        r = await practitioner.get(f"/v1/children/{child_id}")
    assert_problem(r, 404)
    assert referral["child"]["family_name"] not in r.text
    rows = await db_fetch(
        api.settings, "SELECT actor, action, outcome FROM audit_log WHERE subject_id = $1 AND outcome = 'refused'", child_id
    )
    assert [tuple(r) for r in rows] == [(reader, "child.read", "refused")]


async def test_practitioner_of_the_referral_team_can_read_it(api: Api) -> None:
    referral = await _referral(api, team="south")
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        r = await practitioner.get(f"/v1/referrals/{referral['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == referral["id"]


async def test_practitioner_of_the_allocated_team_can_read_the_referral_and_the_child(api: Api) -> None:
    referral = await _referral(api, team="north")
    async with api.as_user("manager", teams=("north",)) as manager:
        decided = await manager.post(
            f"/v1/referrals/{referral['id']}/decision",
            json={"outcome": "assessment", "reasons": "Needs assessment.", "team": "east"},
            headers={"If-Match": '"1"'},
        )
    assert decided.status_code == 200, decided.text
    async with api.as_user("practitioner", teams=("east",)) as practitioner:
        r = await practitioner.get(f"/v1/referrals/{referral['id']}")
        c = await practitioner.get(f"/v1/children/{referral['child']['id']}")
    assert (r.status_code, c.status_code) == (200, 200), (r.text, c.text)
    assert (r.json()["decision"]["team"], c.json()["id"]) == ("east", referral["child"]["id"])


async def test_auditor_reads_any_team_but_may_not_decide(api: Api) -> None:
    referral = await _referral(api, team="south")
    async with api.as_user("auditor", teams=()) as auditor:
        r = await auditor.get(f"/v1/referrals/{referral['id']}")
        d = await auditor.post(
            f"/v1/referrals/{referral['id']}/decision",
            json={"outcome": "nfa", "reasons": "No.", "team": "south"},
            headers={"If-Match": '"1"'},
        )
    assert r.status_code == 200, r.text
    assert_problem(d, 403)


# --- every read is audited ------------------------------------------------------------------------


async def test_reading_a_referral_writes_an_audit_row_for_the_referral_and_the_child(api: Api) -> None:
    referral = await _referral(api)
    child_id = referral["child"]["id"]
    before = (await audit_count(api.settings, referral["id"]), await audit_count(api.settings, child_id))
    reader = unique("reader")
    async with api.as_user("practitioner", teams=("north",), sub=reader) as practitioner:
        r = await practitioner.get(f"/v1/referrals/{referral['id']}")
    assert r.status_code == 200, r.text
    after = (await audit_count(api.settings, referral["id"]), await audit_count(api.settings, child_id))
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
    rows = await db_fetch(
        api.settings,
        "SELECT subject_type, action, outcome FROM audit_log WHERE actor = $1 ORDER BY id",
        reader,
    )
    assert [tuple(r) for r in rows] == [("referral", "referral.read", "success"), ("child", "child.read", "success")]


async def test_reading_a_child_writes_an_audit_row(api: Api) -> None:
    referral = await _referral(api)
    child_id = referral["child"]["id"]
    before = await audit_count(api.settings, child_id)
    async with api.as_user("front_door") as client:
        r = await client.get(f"/v1/children/{child_id}")
    assert r.status_code == 200, r.text
    assert await audit_count(api.settings, child_id) == before + 1


async def test_receiving_a_referral_audits_the_child_registration_and_the_referral(api: Api) -> None:
    referral = await _referral(api)
    assert (await audit_count(api.settings, referral["child"]["id"]), await audit_count(api.settings, referral["id"])) == (1, 1)


# --- the audit log is append-only -----------------------------------------------------------------
# The service's own database role may not change it (shared/tests/test_database_roles.py has the
# rest); the trigger stops even the role that owns the table.


def _as_owner(api: Api) -> ReferralSettings:
    return api.settings.model_copy(update={"database_url": owner_url(str(api.settings.database_url))})


async def test_the_audit_log_refuses_update(api: Api) -> None:
    referral = await _referral(api)
    tamper = "UPDATE audit_log SET purpose = 'tampered' WHERE subject_id = $1"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await db_execute(api.settings, tamper, referral["id"])
    with pytest.raises(asyncpg.RaiseError, match="audit_log is append-only"):
        await db_execute(_as_owner(api), tamper, referral["id"])
    rows = await db_fetch(api.settings, "SELECT purpose FROM audit_log WHERE subject_id = $1", referral["id"])
    assert [r["purpose"] for r in rows] == ["receive a referral"]


async def test_the_audit_log_refuses_delete(api: Api) -> None:
    referral = await _referral(api)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await db_execute(api.settings, "DELETE FROM audit_log WHERE subject_id = $1", referral["id"])
    with pytest.raises(asyncpg.RaiseError, match="audit_log is append-only"):
        await db_execute(_as_owner(api), "DELETE FROM audit_log WHERE subject_id = $1", referral["id"])
    assert await audit_count(api.settings, referral["id"]) == 1
