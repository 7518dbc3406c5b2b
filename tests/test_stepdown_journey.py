"""Step-down through the real broker: a CIN plan that ended with "step down to early help" (its
end arriving before the assessment it follows) becomes a pending handover; social care records the
handover, early help accepts it and the episode closes with RC7 (rule 2990: RC8 and RC9 are only
for an episode closed after an assessment alone, with no plan); the partner feed says
``stepped_down``. At the front door: a referral decided for early help over the referral service's
API becomes a handover that closes as the census's referral NFA (RC8), and early help's step-up
comes back to the referral service as a referral from source 5D.

The referral and step-down services run in this process, each on its own freshly migrated database
with its relay and consumers on, as `make run` runs them, on a broker of this module's own. The plan
and assessment services' events are published to their topics as their relays would (the plan
service is being built beside this one; its own journey test covers its side).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from continuum.contracts import PARTNER_STATUS_TOPIC, Envelope, EventData
from continuum.contracts.assessment import ASSESSMENT_TOPIC, AssessmentAuthorised, AssessmentOutcome, AssessmentRoute
from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode
from continuum.contracts.plan import PLAN_TOPIC, ActionSummary, NextStep, PlanEnded, PlanType
from continuum.contracts.stepdown import STEPDOWN_TOPIC
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum.web.auth import mint_dev_token
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import (
    eventually,
    la_child_id,
    read_events,
    remember_personal_data,
    send_events,
    start_broker,
    test_settings,
    unique,
)
from referral.app import create_app as create_referral_app
from referral.consumers import STEPUP_CONSUMER
from referral.settings import ReferralSettings
from stepdown.app import create_app as create_stepdown_app
from stepdown.consumers import TRANSITIONS_CONSUMER
from stepdown.settings import StepdownSettings

SERVICES = Path(__file__).resolve().parents[1] / "services"
WITHIN = 30.0  # seconds: a bound against hanging, not a speed requirement
HANDOVER = {
    "unmet_needs": "School attendance is still below 80%",
    "what_has_worked": "Weekly family support visits; the parenting programme",
    "same_lead_practitioner": True,
    "family_agreed": True,
}


@dataclass
class Stack:
    referral_app: Any
    referral_settings: ReferralSettings
    stepdown_app: Any
    stepdown_settings: StepdownSettings
    bootstrap: str

    def client(self, service: str, *roles: str, teams: tuple[str, ...]) -> httpx.AsyncClient:
        app, settings = (
            (self.referral_app, self.referral_settings) if service == "referral" else (self.stepdown_app, self.stepdown_settings)
        )
        token = mint_dev_token(settings, sub=unique("journey-user"), roles=list(roles), teams=list(teams), sw_qualified=True)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{service}", headers={"Authorization": f"Bearer {token}"}
        )


@pytest.fixture(scope="module")
def stepdown_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A broker of this module's own: the step-down service's own tests keep an app in the same
    consumer group on the session broker."""
    broker = start_broker(tmp_path_factory.mktemp("stepdown-journey-tansu"))
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
async def stack(make_database: Callable[[str, Path], str], stepdown_broker: TansuBroker) -> AsyncIterator[Stack]:
    bootstrap = stepdown_broker.bootstrap
    referral_base = test_settings(bootstrap, database_url=make_database("sdj_referral", SERVICES / "referral" / "alembic.ini"))
    stepdown_base = test_settings(bootstrap, database_url=make_database("sdj_stepdown", SERVICES / "stepdown" / "alembic.ini"))
    await ensure_topics(stepdown_base, [dlq_topic(TRANSITIONS_CONSUMER), dlq_topic(STEPUP_CONSUMER)])
    referral_settings = ReferralSettings(**referral_base.model_dump(exclude={"service_name"}))
    stepdown_settings = StepdownSettings(
        **stepdown_base.model_dump(exclude={"service_name"}), escalation_check_interval_seconds=3600
    )
    referral_app, stepdown_app = create_referral_app(referral_settings), create_stepdown_app(stepdown_settings)
    async with referral_app.router.lifespan_context(referral_app), stepdown_app.router.lifespan_context(stepdown_app):
        yield Stack(referral_app, referral_settings, stepdown_app, stepdown_settings, bootstrap)


async def _publish(bootstrap: str, topic: str, data: EventData, *, subject: uuid.UUID, source: str) -> None:
    await send_events(bootstrap, topic, Envelope.wrap(data, source=source, subject=str(subject), aggregate_version=1))


async def _pending(client: httpx.AsyncClient, case_id: str) -> dict[str, Any] | None:
    r = await client.get("/v1/stepdowns", params={"status": "pending", "limit": 200})
    assert r.status_code == 200, r.text
    return next((s for s in r.json()["items"] if s["case_id"] == case_id), None)


async def _hand_over_and_accept(stack: Stack, pending: dict[str, Any], team: str) -> dict[str, Any]:
    async with stack.client("stepdown", "practitioner", teams=(team,)) as practitioner:
        handover = (
            HANDOVER
            if pending["lead_practitioner"]
            else HANDOVER
            | {
                "same_lead_practitioner": False,
                "proposed_lead_professional": "Family help worker",
            }
        )
        r = await practitioner.put(
            f"/v1/stepdowns/{pending['id']}/handover", json=handover, headers={"If-Match": f'"{pending["version"]}"'}
        )
        assert r.status_code == 200, r.text
    async with stack.client("stepdown", "early_help", teams=("early-help",)) as early_help:
        r = await early_help.post(f"/v1/stepdowns/{pending['id']}/acceptance", headers={"If-Match": f'"{r.json()["version"]}"'})
        assert r.status_code == 200, r.text
        accepted: dict[str, Any] = r.json()
        return accepted


async def test_rule_2990_a_plan_ended_with_step_down_to_early_help_is_accepted_and_the_case_closes_rc7(stack: Stack) -> None:
    case_id, child_id = uuid.uuid4(), uuid.uuid4()
    ended = PlanEnded(
        plan_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        team="north",
        plan_type=PlanType.CIN,
        start_date=date(2026, 6, 1),
        end_date=date(2026, 10, 30),
        next_step=NextStep.STEP_DOWN_EARLY_HELP,
        unmet_need=True,
        actions=ActionSummary(total=5, done=4, in_progress=1, not_started=0, dropped=0),
        latest_category_of_abuse=None,
    )
    authorised = AssessmentAuthorised(
        assessment_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        referral_id=uuid.uuid4(),
        team="north",
        route=AssessmentRoute.SECTION17,
        section47_id=None,
        lead_practitioner="sw-lead",
        lead_practitioner_role="social_worker",
        authorised_by="manager-1",
        referral_date=date(2026, 4, 1),
        start_date=date(2026, 4, 2),
        authorisation_date=date(2026, 5, 20),
        due_date=date(2026, 6, 3),
        working_days=34,
        within_timescale=True,
        child_seen_date=date(2026, 4, 8),
        child_seen_alone=True,
        factors=[AssessmentFactor("16A")],
        primary_need=PrimaryNeedCode("N1"),
        specialist_assessments=[],
        outcome=AssessmentOutcome.CIN_PLAN,
        closure_date=None,
        reason_for_closure=None,
    )
    # The plan's end first: it waits for the assessment, never guessed at.
    await _publish(stack.bootstrap, PLAN_TOPIC, ended, subject=case_id, source="plan")
    await _publish(stack.bootstrap, ASSESSMENT_TOPIC, authorised, subject=case_id, source="assessment")
    async with stack.client("stepdown", "early_help", teams=("early-help",)) as early_help:
        pending = await eventually(lambda: _pending(early_help, str(case_id)), within=WITHIN, what="the pending handover")
    assert (pending["trigger"], pending["referral_date"], pending["ended_on"]) == ("plan", "2026-04-01", "2026-10-30")

    accepted = await _hand_over_and_accept(stack, pending, "north")
    assert accepted["closure"]["reason_for_closure"] == "RC7" and accepted["closure"]["closure_date"] == "2026-10-30"
    [closed] = await read_events(
        stack.bootstrap, STEPDOWN_TOPIC, match=lambda e: e.type == "case.closed" and e.subject == str(case_id), count=1
    )
    assert closed.data.reason_for_closure == "RC7" and closed.data.actions.done == 4 and closed.data.unmet_need


async def test_front_door_early_help_closes_as_referral_nfa_and_a_step_up_becomes_a_5d_referral(stack: Stack) -> None:
    child = {
        "la_child_id": la_child_id(),
        "given_name": unique("Step").replace("-", ""),
        "family_name": unique("Down").replace("-", ""),
        "date_of_birth": "2014-02-03",
        "sex": "F",
        "ethnicity": "WBRI",
        "disabilities": ["NONE"],
        "nhs_number": "9434765919",
        "postcode": "EX2 2AA",
    }
    remember_personal_data(child["given_name"], child["family_name"], child["date_of_birth"])
    received_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    async with stack.client("referral", "front_door", "manager", teams=("north",)) as front_door:
        r = await front_door.post(
            "/v1/referrals",
            json={
                "child": child,
                "received_at": received_at,
                "source": "2A",
                "referrer": {"name": "Head of Year", "agency": "Example School"},
                "concerns": "Attendance has fallen; the family asks for support.",
                "lawful_basis": "public_task_safeguarding_children",
                "suggested_threshold": "early_help",
                "team": "north",
            },
        )
        assert r.status_code == 201, r.text
        referral = r.json()
        r = await front_door.post(
            f"/v1/referrals/{referral['id']}/decision",
            json={"outcome": "early_help", "reasons": "Needs met by early help.", "team": "north"},
            headers={"If-Match": f'"{referral["version"]}"'},
        )
        assert r.status_code == 200, r.text
    async with stack.client("stepdown", "early_help", teams=("early-help",)) as early_help:
        pending = await eventually(
            lambda: _pending(early_help, referral["case_id"]), within=WITHIN, what="the front door's handover"
        )
    accepted = await _hand_over_and_accept(stack, pending, "north")
    assert accepted["closure"]["reason_for_closure"] == "RC8" and accepted["closure"]["closure_date"] == pending["referral_date"]
    statuses = await read_events(
        stack.bootstrap,
        PARTNER_STATUS_TOPIC,
        match=lambda e: e.data.status == "stepped_down" and e.data.nhs_number == child["nhs_number"],
        count=1,
        timeout=WITHIN,
    )
    assert statuses and "given_name" not in statuses[0].data.model_dump()
    assert statuses[0].subject == child["nhs_number"] and statuses[0].traceparent is None

    async with stack.client("stepdown", "early_help", teams=("early-help",)) as early_help:
        body = {
            "stepdown_id": pending["id"],
            "child_id": pending["child_id"],
            "concerns": "Bruising seen at school",
            "what_was_tried": "Family support plan",
        }
        r = await early_help.post("/v1/step-ups", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
        assert r.json()["within_12_months_of_step_down"] is True

    async def stepped_up_referral() -> dict[str, Any] | None:
        async with stack.client("referral", "front_door", teams=("north",)) as reader:
            page = (await reader.get("/v1/referrals", params={"child_id": pending["child_id"]})).json()
        return next((i for i in page["items"] if i["source"] == "5D"), None)

    found = await eventually(stepped_up_referral, within=WITHIN, what="the step-up's referral in the referral service")
    assert found["case_id"] != referral["case_id"]
