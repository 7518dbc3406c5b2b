"""Issue 17: a plan create done once per Idempotency-Key answers 201 whichever way its answer came.

Before, the plan's change use case stored its answer with the status 200 for routes that answer
201 (the route threw the stored status away): a use case decided an HTTP status it did not own.
Now a use case keeps only the answer's body (``continuum.persistence.idempotency.idempotent``)
and answers a domain result, or the first answer's body again (``Replayed``); the status is the
route's, 201 for every create, the first time and on a replay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from plan_support import Api, Cases, action_body, etag

from continuum.casework import clock
from continuum.casework.principal import Principal, Role
from continuum.contracts.plan import Agency
from continuum.persistence.idempotency import Replayed
from continuum.persistence.uow import UnitOfWork
from continuum.web.http import answer
from plan.commands import AddAction
from plan.results import PlanRecord
from plan.use_cases import plans
from plan.views import plan_json, plan_view


def _creates(plan: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every route that adds a part to a started CIN plan, with a body it accepts (the review
    first, while the plan's one action is its only unfinished one)."""
    today = clock.today().isoformat()
    action_id = plan["actions"][0]["id"]
    return [
        (
            "reviews",
            {
                "review_date": today,
                "progress": [{"action_id": action_id, "progress": "in_progress"}],
                "decision": "continue",
                "exit_criteria_met": False,
                "concerns_remain": True,
            },
        ),
        ("visits", {"visit_date": today, "child_seen": True, "seen_alone": True}),
        ("meetings", {"kind": "cin_meeting", "meeting_date": today, "invitees": [{"agency": "family", "name": "Jo Parent"}]}),
        ("strategy-discussions", {"date": today}),
        ("actions", action_body()),
        (
            "interventions",
            {
                "name": "12-week intensive family programme",
                "provider": "Family Support",
                "start_date": today,
                "planned_end_date": (clock.today() + timedelta(weeks=12)).isoformat(),
                "scale": "Family Star Plus",
                "score_before": 3.5,
            },
        ),
    ]


async def test_every_plan_create_replayed_answers_201_with_the_first_answer(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    version = plan["version"]
    async with api.as_user("practitioner", sub="sw-idem-all", sw_qualified=True) as sw:
        for part, body in _creates(plan):
            headers = etag(version) | {"Idempotency-Key": f"once-{part}"}
            first = await sw.post(f"/v1/plans/{plan['id']}/{part}", json=body, headers=headers)
            again = await sw.post(f"/v1/plans/{plan['id']}/{part}", json=body, headers=headers)
            assert (first.status_code, again.status_code) == (201, 201), (part, again.text)
            assert again.json() == first.json() and again.headers["ETag"] == first.headers["ETag"], part
            version = first.json()["version"]
    versions = await cases.scalar("SELECT count(*) FROM plan_versions WHERE plan_id = :p", p=str(plan["id"]))
    assert versions == plan["version"] + len(_creates(plan))  # each create done once


async def test_a_create_use_case_answers_the_plan_then_the_stored_body_and_the_route_answers_201_both_times(
    api: Api, cases: Cases
) -> None:
    plan = await cases.started(api)
    principal = Principal(
        sub="sw-idem-use-case",
        name="SW",
        roles=frozenset({Role.PRACTITIONER}),
        teams=frozenset({plan["team"]}),
        sw_qualified=True,
        org="council",
    )
    policy = cases.runtime.policy
    assert policy is not None
    command = AddAction(
        description="Take Sam to the GP about his asthma",
        owner_person="Jo Parent",
        owner_agency=Agency.FAMILY,
        success_measure="Two GP appointments attended by the end of March",
        due_date=clock.today() + timedelta(days=30),
    )

    async def add() -> PlanRecord | Replayed:
        uow = UnitOfWork(cases.runtime.session_factory, source="plan", principal=principal)
        return await plans.change(
            uow,
            plan_id=plan["id"],
            command=command,
            version=plan["version"],
            policy=policy,
            idempotency_key="use-case-once",
            create=True,
        )

    first, again = await add(), await add()
    assert isinstance(first, PlanRecord) and isinstance(again, Replayed)
    assert again.body == plan_json(first)
    stored = await cases.row("SELECT response FROM idempotency_keys WHERE key = 'use-case-once'")
    assert stored is not None and stored["response"] == plan_json(first)  # the body, no status
    for result in (first, again):
        response = answer(result, plan_view, status=201)
        assert response.status_code == 201 and response.headers["ETag"] == f'"{plan["version"] + 1}"'
