"""A child sent as new is taken as new: its intake is one statement, which looks the register up
itself and writes nothing when it holds a child the lookup finds; the intake then runs again,
looking up first, and the domain decides what that child is (the same child, a conflict, a
possible match). These tests count the statements each intake sends and check what was written."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from referral_support import (
    Api,
    changes_nothing,
    db_value,
    decided_nfa,
    new_child,
    new_referral,
    nhs_number,
    post_referral,
    upn,
)

from continuum.persistence.uow import UnitOfWork
from continuum_tools.testing import assert_problem, unique
from referral.repository import intake as hot_path

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """The first words of every statement a unit of work sends, by the caller's ``sub``."""
    sent: dict[str, list[str]] = {}
    run = UnitOfWork._run

    async def counted(self: UnitOfWork, driver: Any, sql: str, *args: Any, fetch: bool = False) -> Any:
        sub = self.principal.sub if self.principal else "-"
        sent.setdefault(sub, []).append(" ".join(sql.split()[:3]))
        return await run(self, driver, sql, *args, fetch=fetch)

    monkeypatch.setattr(UnitOfWork, "_run", counted)
    yield sent


async def test_a_new_child_and_its_referral_are_one_statement(api: Api, statements: dict[str, list[str]]) -> None:
    sub = unique("front-door")
    child = new_child(nhs_number=nhs_number(), upn=upn())
    async with api.as_user("front_door", sub=sub) as client:
        created = await post_referral(client, new_referral(child))
    # No lookup, no BEGIN, no COMMIT: the statement is the commit.
    assert statements[sub] == ["WITH new_child AS"]
    assert await db_value(api.settings, "SELECT count(*) FROM children WHERE nhs_number = $1", child["nhs_number"]) == 1
    events = await db_value(
        api.settings, "SELECT array_agg(event_type ORDER BY seq) FROM outbox WHERE key = $1", created["case_id"]
    )
    assert events == ["child.registered", "referral.received"]
    # The partner status goes in the same statement, keyed by the child's NHS number (status.changed v2).
    partner = await db_value(api.settings, "SELECT array_agg(event_type) FROM outbox WHERE key = $1", child["nhs_number"])
    assert partner == ["status.changed"]


async def test_a_registered_child_sent_as_new_is_found_after_the_guarded_write_wrote_nothing(
    api: Api, statements: dict[str, list[str]]
) -> None:
    child = new_child(nhs_number=nhs_number())
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(child))
    await decided_nfa(api, first)  # its episode no longer open: the child may be referred again
    sub = unique("front-door")
    async with api.as_user("front_door", sub=sub) as client:
        again = await post_referral(client, new_referral(child))
    # The guarded write (refused, nothing written), then the lookup and the referral of that child,
    # in a transaction that locks the child first (a statement of the session, not counted here):
    # two referrals of one child at once cannot both find no open episode (rules 8815, 8820).
    assert statements[sub] == [
        "WITH new_child AS",
        "SELECT children.id, children.la_child_id,",
        "BEGIN",
        "WITH collected_events AS",
        "COMMIT",
    ]
    assert again["child"]["id"] == first["child"]["id"]
    assert await db_value(api.settings, "SELECT count(*) FROM children WHERE nhs_number = $1", child["nhs_number"]) == 1
    registered = "SELECT count(*) FROM outbox WHERE event_type = 'child.registered' AND payload -> 'data' ->> 'child_id' = $1"
    assert await db_value(api.settings, registered, first["child"]["id"]) == 1


@pytest.mark.parametrize("identifier", ["nhs_number", "upn"])
async def test_an_identifier_of_a_registered_child_with_another_identity_changes_nothing(api: Api, identifier: str) -> None:
    value = nhs_number() if identifier == "nhs_number" else upn()
    async with api.as_user("front_door") as client:
        await post_referral(client, new_referral(new_child(**{identifier: value})))
        async with changes_nothing(api.settings):
            r = await client.post("/v1/referrals", json=new_referral(new_child(**{identifier: value})))
    assert assert_problem(r, 409, "child.given_name")["type"].endswith("/identity-conflict")


async def test_the_same_name_and_birth_hold_the_write_back_only_when_they_are_looked_for(
    api: Api, statements: dict[str, list[str]]
) -> None:
    child = new_child()
    same_name = {k: child[k] for k in ("given_name", "family_name", "date_of_birth")}
    async with api.as_user("front_door") as client:
        await post_referral(client, new_referral(child))
        async with changes_nothing(api.settings):
            r = await client.post("/v1/referrals", json=new_referral(new_child(**same_name)))
        assert assert_problem(r, 409, "child")["type"].endswith("/possible-match")
    # The front door confirms a new child: names are not looked for, and they do not hold it back.
    sub = unique("front-door")
    async with api.as_user("front_door", sub=sub) as client:
        confirmed = await post_referral(client, new_referral(new_child(**same_name, confirmed_new=True)))
    assert statements[sub] == ["WITH new_child AS"]
    assert confirmed["child"]["given_name"] == child["given_name"]


@pytest.mark.parametrize("statement", ["lookup", "guarded write"])
async def test_the_register_is_searched_on_its_indexes_even_in_a_plan_made_when_it_was_small(
    make_database: Callable[[str, Path], str], statement: str
) -> None:
    """PostgreSQL keeps a prepared statement's generic plan. One made for "NHS number OR UPN" while
    the register was small scans it whole, and keeps scanning it as it grows; each identifier is
    looked up on its own index instead. The plan is forced generic here, on a register just made
    (the shared test database's register is analysed by autovacuum after a while, and a table the
    planner knows to be tiny is rightly scanned whole: that would make this test depend on timing)."""
    prebuilt = hot_path.SAME[True, True] if statement == "lookup" else hot_path.INSERT_REFERRAL_AND_CHILD_UNLESS_ALIKE
    sql = prebuilt.sql
    parameters = max(int(n) for n in re.findall(r"\$(\d+)", sql))
    url = make_database(f"referral_plans_{statement.replace(' ', '_')}", ALEMBIC_INI)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE intake_statement AS {sql}")
        plan = [row[0] for row in await conn.fetch(f"EXPLAIN EXECUTE intake_statement({', '.join(['NULL'] * parameters)})")]
    finally:
        await conn.close()
    assert not [line for line in plan if "Seq Scan on children" in line], "\n".join(plan)


async def test_with_an_idempotency_key_the_intake_done_again_is_stored_once_and_replayed(api: Api) -> None:
    child = new_child(upn=upn())
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(child))
    await decided_nfa(api, first)
    async with api.as_user("front_door") as client:
        body, key = new_referral(child), {"Idempotency-Key": unique("key")}
        again = await client.post("/v1/referrals", json=body, headers=key)
        replayed = await client.post("/v1/referrals", json=body, headers=key)
    assert again.status_code == replayed.status_code == 201, again.text
    assert again.json() == replayed.json()
    assert again.json()["child"]["id"] == first["child"]["id"]
    referrals = "SELECT count(*) FROM referrals WHERE child_id = $1"
    assert await db_value(api.settings, referrals, uuid.UUID(first["child"]["id"])) == 2
