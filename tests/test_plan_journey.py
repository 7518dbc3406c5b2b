"""From the front door to a plan, through the real broker: a referral decided for assessment opens an
assessment; authorised with a CIN plan outcome, it becomes a draft plan in the plan service, with the
assessed factors and primary need and the child's identity copied across; approved, partners hear
``cin_plan``, without names.

The three services run in this process, each on its own freshly migrated database, with their outbox
relays and consumers on, exactly as `make run` runs them, on a broker of this module's own.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assessment.app import create_app as create_assessment_app
from assessment.consumers import INTAKE_CONSUMER
from assessment.settings import AssessmentSettings
from continuum.casework import clock
from continuum.casework.calendar import add_working_days
from continuum.contracts import PARTNER_STATUS_TOPIC
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum.web.auth import mint_dev_token
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import (
    eventually,
    la_child_id,
    read_events,
    remember_personal_data,
    start_broker,
    test_settings,
    unique,
)
from plan.app import create_app as create_plan_app
from plan.consumers import DRAFTING_CONSUMER
from plan.settings import PlanSettings
from referral.app import create_app as create_referral_app
from referral.consumers import STEPUP_CONSUMER
from referral.settings import ReferralSettings

SERVICES = Path(__file__).resolve().parents[1] / "services"

#: The issue asks for "within a second" on the live stack; the bound here only stops a broken journey hanging.
APPEARS_WITHIN = 30.0


@dataclass
class Stack:
    apps: dict[str, Any]
    settings: dict[str, Any]

    def client(self, service: str, *roles: str, sub: str | None = None) -> httpx.AsyncClient:
        token = mint_dev_token(
            self.settings[service], sub=sub or unique("journey"), roles=list(roles), teams=["north"], sw_qualified=True
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.apps[service]),
            base_url=f"http://{service}",
            headers={"Authorization": f"Bearer {token}"},
        )


@pytest.fixture(scope="module")
def plan_journey_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A broker of this module's own: the services' own tests keep session apps in the same consumer
    groups on the session broker, which would take half of this journey's events."""
    broker = start_broker(tmp_path_factory.mktemp("plan-journey-tansu"))
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
async def stack(make_database: Callable[[str, Path], str], plan_journey_broker: TansuBroker) -> AsyncIterator[Stack]:
    bootstrap = plan_journey_broker.bootstrap

    def base(name: str) -> dict[str, Any]:
        url = make_database(f"plan_journey_{name}", SERVICES / name / "alembic.ini")
        return test_settings(bootstrap, database_url=url).model_dump(exclude={"service_name"})

    settings = {
        "referral": ReferralSettings(**base("referral")),
        "assessment": AssessmentSettings(**base("assessment"), overdue_check_interval_seconds=3600),
        "plan": PlanSettings(**base("plan"), drift_check_interval_seconds=3600),
    }
    await ensure_topics(settings["plan"], [dlq_topic(g) for g in (INTAKE_CONSUMER, STEPUP_CONSUMER, DRAFTING_CONSUMER)])
    apps = {
        "referral": create_referral_app(settings["referral"]),
        "assessment": create_assessment_app(settings["assessment"]),
        "plan": create_plan_app(settings["plan"]),
    }
    async with (
        apps["referral"].router.lifespan_context(apps["referral"]),
        apps["assessment"].router.lifespan_context(apps["assessment"]),
        apps["plan"].router.lifespan_context(apps["plan"]),
    ):
        consumers = [consumer for app in apps.values() for consumer in app.state.runtime.consumers]
        await eventually(
            lambda: all(consumer.holds_all_partitions() for consumer in consumers),
            within=30,
            what="every consumer holding its partitions",
        )
        yield Stack(apps, settings)


def _etag(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


async def _authorised_assessment(stack: Stack, child: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """A referral decided for assessment, the assessment allocated, recorded, submitted and authorised
    with a CIN plan outcome; returns the referral and when the authorisation was answered."""
    today = clock.today().isoformat()
    async with stack.client("referral", "front_door", "manager") as front_door:
        r = await front_door.post(
            "/v1/referrals",
            json={
                "child": child,
                "received_at": clock.now().isoformat(),
                "source": "6",
                "referrer": {"name": "PC Journey", "agency": "Example Constabulary"},
                "concerns": "Police attended a domestic incident; the child was present.",
                "lawful_basis": "public_task_safeguarding_children",
                "suggested_threshold": "child_in_need",
                "team": "north",
            },
        )
        assert r.status_code == 201, r.text
        referral = r.json()
        r = await front_door.post(
            f"/v1/referrals/{referral['id']}/decision",
            json={"outcome": "assessment", "reasons": "Needs a single assessment.", "team": "north"},
            headers=_etag(referral["version"]),
        )
        assert r.status_code == 200, r.text

    async with (
        stack.client("assessment", "manager") as manager,
        stack.client("assessment", "practitioner", sub="sw-journey") as lead,
    ):

        async def opened() -> Any:
            found = (await manager.get("/v1/assessments", params={"referral_id": referral["id"]})).json()["items"]
            return found[0] if found else None

        assessment = await eventually(opened, within=APPEARS_WITHIN, interval=0.02, what="the assessment")
        aid, version = assessment["assessment_id"], assessment["version"]
        steps = [
            (
                manager,
                "POST",
                f"/v1/assessments/{aid}/allocation",
                {"lead_practitioner": "sw-journey", "lead_practitioner_role": "social_worker"},
            ),
            (
                lead,
                "PATCH",
                f"/v1/assessments/{aid}",
                {
                    "start_date": today,
                    "child_seen_date": today,
                    "child_seen_alone": True,
                    "factors": ["3A", "3B"],
                    "primary_need": "N1",
                    "recommendation": "cin_plan",
                    "recommendation_summary": "A CIN plan is needed.",
                },
            ),
            (lead, "POST", f"/v1/assessments/{aid}/submission", None),
            (manager, "POST", f"/v1/assessments/{aid}/authorisation", {"authorisation_date": today, "outcome": "cin_plan"}),
        ]
        for client, method, url, body in steps:
            r = await client.request(method, url, json=body, headers=_etag(version))
            assert r.status_code == 200, r.text
            version = r.json()["version"]
        return referral, time.monotonic()


async def _approve(manager: httpx.AsyncClient, plan: dict[str, Any]) -> dict[str, Any]:
    """Give the draft plan its content (a CP plan its category of abuse too) and one well-formed
    action, and approve it: a CIN plan from today, a CP plan with no start date given (it starts on
    its conference's date, census rule 2885)."""
    cp = plan["plan_type"] == "cp"
    content = {"worries": "Domestic abuse at home.", "outcomes_for_child": "Safe at home.", "exit_criteria": "No incidents."}
    r = await manager.patch(
        f"/v1/plans/{plan['id']}",
        json={"content": content} | ({"category_of_abuse": "EMO"} if cp else {}),
        headers=_etag(plan["version"]),
    )
    assert r.status_code == 200, r.text
    r = await manager.post(
        f"/v1/plans/{plan['id']}/actions",
        json={
            "description": "Attend the domestic abuse programme every week",
            "owner": {"person": "Parent", "agency": "family"},
            "success_measure": "Attends at least 10 of 12 sessions",
            "due_date": clock.today().isoformat(),
        },
        headers=_etag(r.json()["version"]),
    )
    assert r.status_code in (200, 201), r.text
    start = {} if cp else {"start_date": clock.today().isoformat()}
    r = await manager.post(f"/v1/plans/{plan['id']}/approval", json=start, headers=_etag(r.json()["version"]))
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    return dict(r.json())


async def test_an_assessment_authorised_with_a_cin_plan_outcome_becomes_a_draft_plan(stack: Stack) -> None:
    child = {
        "la_child_id": la_child_id(),
        "given_name": unique("Plan").replace("-", ""),
        "family_name": unique("Journey").replace("-", ""),
        "date_of_birth": "2015-07-09",
        "sex": "F",
        "ethnicity": "WBRI",
        "disabilities": ["NONE"],
        "nhs_number": "9434765870",
        "postcode": "EX1 1AA",
    }
    remember_personal_data(child["given_name"], child["family_name"], child["date_of_birth"])
    referral, authorised_at = await _authorised_assessment(stack, child)
    case_id = referral["case_id"]

    async with stack.client("plan", "manager") as manager:

        async def drafted() -> Any:
            items = (await manager.get("/v1/plans", params={"case_id": case_id})).json()["items"]
            return items[0] if items else None

        summary = await eventually(drafted, within=APPEARS_WITHIN, interval=0.02, what="the draft plan")
        latency = time.monotonic() - authorised_at
        print(f"\n[plan journey] authorisation answered -> draft plan readable in {latency:.3f} s")
        assert (summary["plan_type"], summary["status"], summary["team"], summary["child_id"]) == (
            "cin",
            "draft",
            "north",
            referral["child"]["id"],
        )

        async def with_child() -> Any:
            plan = (await manager.get(f"/v1/plans/{summary['plan_id']}")).json()
            return plan if plan["child"] is not None else None

        plan = await eventually(with_child, within=10, interval=0.02, what="the child's identity in the plan service")
        assert (plan["factors"], plan["primary_need"], plan["lead_practitioner"], plan["child"]["nhs_number"]) == (
            ["3A", "3B"],
            "N1",
            "sw-journey",
            child["nhs_number"],
        )
        await _approve(manager, plan)

    statuses = await read_events(
        stack.settings["plan"].kafka_bootstrap,
        PARTNER_STATUS_TOPIC,
        match=lambda e: e.subject == child["nhs_number"] and e.type == "status.changed",
        count=3,
        settle=1.0,
    )
    assert [(e.source, e.data.status.value) for e in statuses] == [
        ("referral", "referred"),
        ("assessment", "assessment"),
        ("plan", "cin_plan"),
    ]
    payload = statuses[-1].to_json_dict()["data"]
    assert set(payload) == {"nhs_number", "date_of_birth", "status", "since", "responsible_service", "contact"}
    assert payload["since"] == clock.today().isoformat() and statuses[-1].traceparent is None
    assert child["given_name"] not in str(payload) and child["family_name"] not in str(payload)


def _nhs_number() -> str:
    """A random NHS number with a correct modulus-11 check digit (each journey child its own)."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


async def test_point_6_a_cin_plan_ended_escalate_cp_becomes_a_section_47_then_a_cp_plan_from_the_conference(
    stack: Stack,
) -> None:
    """Escalation without the front door (issue 16 point 6, rule 2885): the CIN plan ends
    ``escalate_cp``; the assessment service starts a strategy discussion and section 47 with the
    ICPC clock; the conference decides a CP plan, which the plan service drafts and which starts on
    the conference's date whatever day it is approved; partners hear ``cp_plan`` since that date."""
    child = {
        "la_child_id": la_child_id(),
        "given_name": unique("Escalate").replace("-", ""),
        "family_name": unique("Journey").replace("-", ""),
        "date_of_birth": "2016-03-14",
        "sex": "M",
        "ethnicity": "WBRI",
        "disabilities": ["NONE"],
        "nhs_number": _nhs_number(),
        "postcode": "EX1 1AA",
    }
    remember_personal_data(child["given_name"], child["family_name"], child["date_of_birth"])
    referral, _ = await _authorised_assessment(stack, child)
    case_id, today = referral["case_id"], clock.today()

    async with stack.client("plan", "manager") as manager:

        async def drafted(plan_type: str) -> Any:
            items = (await manager.get("/v1/plans", params={"case_id": case_id})).json()["items"]
            return next((p for p in items if p["plan_type"] == plan_type and p["status"] == "draft"), None)

        summary = await eventually(lambda: drafted("cin"), within=APPEARS_WITHIN, interval=0.02, what="the draft CIN plan")
        plan = (await manager.get(f"/v1/plans/{summary['plan_id']}")).json()
        cin = await _approve(manager, plan)
        r = await manager.post(
            f"/v1/plans/{cin['id']}/ending",
            json={
                "end_date": today.isoformat(),
                "reason": "A strategy discussion is needed: new concerns of significant harm.",
                "unmet_need": True,
                "next_step": "escalate_cp",
                "actions": [{"action_id": cin["actions"][0]["id"], "progress": "in_progress"}],
            },
            headers=_etag(cin["version"]),
        )
        assert r.status_code == 200 and r.json()["status"] == "ended", r.text
        ended_at = time.monotonic()

    async with stack.client("assessment", "manager") as assessments:

        async def enquiry() -> Any:
            items = (await assessments.get("/v1/assessments", params={"case_id": case_id})).json()["items"]
            return next((a for a in items if a["route"] == "section47"), None)

        escalated = await eventually(enquiry, within=APPEARS_WITHIN, interval=0.02, what="the section 47 from the escalation")
        print(f"\n[escalation journey] plan ended -> section 47 readable in {time.monotonic() - ended_at:.3f} s")
        s47 = (await assessments.get(f"/v1/assessments/{escalated['assessment_id']}")).json()["section47"]
        assert (s47["status"], s47["strategy_discussion_date"], s47["start_date"], s47["icpc_target_date"]) == (
            "started",
            today.isoformat(),
            today.isoformat(),
            add_working_days(today, 15).isoformat(),
        )
        r = await assessments.post(
            f"/v1/section47/{s47['id']}/conclusion",
            json={"icpc_date": today.isoformat(), "outcome": "cp_plan"},
            headers=_etag(s47["version"]),
        )
        assert r.status_code == 200, r.text

    async with stack.client("plan", "manager") as manager:
        summary = await eventually(lambda: drafted("cp"), within=APPEARS_WITHIN, interval=0.02, what="the draft CP plan")
        plan = (await manager.get(f"/v1/plans/{summary['plan_id']}")).json()
        assert plan["conference_date"] == today.isoformat()
        cp = await _approve(manager, plan)  # no start date given
        assert (cp["status"], cp["start_date"]) == ("active", today.isoformat())

    statuses = await read_events(
        stack.settings["plan"].kafka_bootstrap,
        PARTNER_STATUS_TOPIC,
        match=lambda e: e.subject == child["nhs_number"] and e.type == "status.changed",
        count=5,
        settle=1.0,
    )
    assert [(e.source, e.data.status.value) for e in statuses] == [
        ("referral", "referred"),
        ("assessment", "assessment"),
        ("plan", "cin_plan"),
        ("assessment", "assessment"),
        ("plan", "cp_plan"),
    ]
    assert statuses[-1].data.since.isoformat() == today.isoformat()
