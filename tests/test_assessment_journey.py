"""The front door to the assessment service, through the real broker: a referral received and decided
over the referral service's API opens an assessment (or an assessment with a section 47 enquiry) in the
assessment service, with the 45-working-day due date, the child's identity copied across and the
partner-status feed told, without names.

Both services run in this process, each on its own freshly migrated database, with their outbox relays
and consumers on, exactly as `make run` runs them, on a broker of this module's own (see ``journey_broker``).
"""

from __future__ import annotations

import json
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
from continuum.contracts import PARTNER_STATUS_TOPIC
from continuum.contracts.assessment import ASSESSMENT_TOPIC
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
from referral.app import create_app as create_referral_app
from referral.consumers import STEPUP_CONSUMER
from referral.settings import ReferralSettings

SERVICES = Path(__file__).resolve().parents[1] / "services"
REFERRAL_ALEMBIC_INI = SERVICES / "referral" / "alembic.ini"
ASSESSMENT_ALEMBIC_INI = SERVICES / "assessment" / "alembic.ini"

#: A Friday. 45 working days later, counted by hand: 23 Nov-18 Dec is 20; 21-24 Dec is 24 (Fri 25 Dec
#: is Christmas Day); Mon 28 Dec is the substitute for Boxing Day (26 Dec is a Saturday); 29-31 Dec is 27
#: (Fri 1 Jan 2027 is New Year's Day); 4-22 Jan is 42; Mon 25, Tue 26, Wed 27 Jan is 45.
RECEIVED_AT = "2026-11-20T10:00:00Z"
REFERRAL_DATE = "2026-11-20"
DUE_DATE = "2027-01-27"

#: The issue asks for "within a second" on the live stack; the test allows headroom for a loaded machine.
APPEARS_WITHIN = 30.0  # seconds: a bound against hanging, not a speed requirement


@dataclass
class Journey:
    referral_app: Any
    referral_settings: ReferralSettings
    assessment_app: Any
    assessment_settings: AssessmentSettings

    def _client(self, app: Any, settings: Any, base_url: str, **claims: Any) -> httpx.AsyncClient:
        token = mint_dev_token(settings, sub=unique("journey-user"), **claims)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=base_url, headers={"Authorization": f"Bearer {token}"}
        )

    def front_door_manager(self) -> httpx.AsyncClient:
        """Receives and decides referrals: front_door and manager of team north, social-work qualified."""
        return self._client(
            self.referral_app,
            self.referral_settings,
            "http://referral",
            roles=["front_door", "manager"],
            teams=["north"],
            sw_qualified=True,
        )

    def assessment_manager(self) -> httpx.AsyncClient:
        """A manager of team north, reading the assessment service."""
        return self._client(
            self.assessment_app,
            self.assessment_settings,
            "http://assessment",
            roles=["manager"],
            teams=["north"],
            sw_qualified=True,
        )


@pytest.fixture(scope="module")
def journey_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A Tansu broker of this module's own, with every topic created.

    Not the session ``broker``: the assessment service's own tests keep a session-scoped assessment
    app running on it until the session ends, in the same consumer group (``assessment.intake``).
    On that broker the group's partitions would be split between that app and this module's, and
    half of this journey's decisions would open their assessments in the other app's database."""
    journey = start_broker(tmp_path_factory.mktemp("journey-tansu"))
    yield journey
    journey.stop()


@pytest.fixture(scope="module")
async def journey(make_database: Callable[[str, Path], str], journey_broker: TansuBroker) -> AsyncIterator[Journey]:
    bootstrap = journey_broker.bootstrap
    referral_base = test_settings(bootstrap, database_url=make_database("journey_referral", REFERRAL_ALEMBIC_INI))
    assessment_base = test_settings(bootstrap, database_url=make_database("journey_assessment", ASSESSMENT_ALEMBIC_INI))
    await ensure_topics(assessment_base, [dlq_topic(INTAKE_CONSUMER), dlq_topic(STEPUP_CONSUMER)])
    referral_settings = ReferralSettings(**referral_base.model_dump(exclude={"service_name"}))
    # The overdue scheduler checks once at start and then hourly: nothing here is overdue.
    assessment_settings = AssessmentSettings(
        **assessment_base.model_dump(exclude={"service_name"}), overdue_check_interval_seconds=3600
    )
    referral_app = create_referral_app(referral_settings)
    assessment_app = create_assessment_app(assessment_settings)
    async with referral_app.router.lifespan_context(referral_app), assessment_app.router.lifespan_context(assessment_app):
        await _consumers_hold_every_partition(referral_app, assessment_app)
        yield Journey(referral_app, referral_settings, assessment_app, assessment_settings)


async def _consumers_hold_every_partition(*apps: Any, within: float = 30.0) -> None:
    """Wait until each consumer of the apps holds every partition of its topics: the latency measured
    below is then the steady-state path (relay, broker, consumer), not a new group member joining, and
    no other member of the group can take this journey's events."""
    consumers = [consumer for app in apps for consumer in app.state.runtime.consumers]
    await eventually(
        lambda: all(consumer.holds_all_partitions() for consumer in consumers),
        within=within,
        what="every consumer holding all its partitions",
    )


# --- helpers --------------------------------------------------------------------------------------


def _nhs_number() -> str:
    """A random NHS number with a correct modulus-11 check digit."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _new_child() -> dict[str, Any]:
    child: dict[str, Any] = {
        "la_child_id": la_child_id(),
        "given_name": unique("Journey").replace("-", ""),
        "family_name": unique("Walker").replace("-", ""),
        "date_of_birth": "2015-07-09",
        "sex": "M",
        "ethnicity": "WBRI",
        "disabilities": ["NONE"],
        "nhs_number": _nhs_number(),
        "postcode": "EX1 1AA",
    }
    remember_personal_data(child["given_name"], child["family_name"], child["date_of_birth"])
    return child


async def _receive_and_decide(journey: Journey, child: dict[str, Any], outcome: str) -> tuple[dict[str, Any], float]:
    """Receive a referral for a new child and decide it for team north; returns the referral and the
    monotonic time the decision was answered."""
    async with journey.front_door_manager() as client:
        received = await client.post(
            "/v1/referrals",
            json={
                "child": child,
                "received_at": RECEIVED_AT,
                "source": "6",
                "referrer": {"name": "PC Journey", "agency": "Example Constabulary"},
                "concerns": "Police attended a domestic incident; the child was present.",
                "lawful_basis": "public_task_safeguarding_children",
                "suggested_threshold": "child_in_need",
                "team": "north",
            },
        )
        assert received.status_code == 201, received.text
        referral: dict[str, Any] = received.json()
        decided = await client.post(
            f"/v1/referrals/{referral['id']}/decision",
            json={"outcome": outcome, "reasons": "Needs a social worker to assess; see the concerns.", "team": "north"},
            headers={"If-Match": f'"{referral["version"]}"'},
        )
        decided_at = time.monotonic()
        assert decided.status_code == 200, decided.text
        assert decided.json()["decision"]["outcome"] == outcome
    return referral, decided_at


async def _worklist_item(client: httpx.AsyncClient, case_id: str) -> dict[str, Any] | None:
    """The case's item on team north's assessment worklist (every page), or None."""
    cursor: str | None = None
    while True:
        params = {"team": "north", "limit": "200"} | ({"cursor": cursor} if cursor else {})
        r = await client.get("/v1/assessments/worklist", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        for item in page["items"]:
            if item["case_id"] == case_id:
                found: dict[str, Any] = item
                return found
        cursor = page["next_cursor"]
        if cursor is None:
            return None


async def _wait_for_assessment(journey: Journey, case_id: str, decided_at: float, label: str) -> dict[str, Any]:
    """Poll the worklist until the case's assessment appears, and print how long it took. Speed is
    not asserted here (benchmarks measure it); ``APPEARS_WITHIN`` only stops a broken journey hanging."""
    async with journey.assessment_manager() as client:
        item: dict[str, Any] = await eventually(
            lambda: _worklist_item(client, case_id), within=APPEARS_WITHIN, interval=0.02, what="the assessment on the worklist"
        )
    latency = time.monotonic() - decided_at
    print(f"\n[{label}] decision answered -> assessment on the worklist in {latency:.3f} s")
    return item


async def _assessment_with_child(journey: Journey, assessment_id: str) -> dict[str, Any]:
    """The assessment, once the local copy of the child's identity has arrived (child.registered is
    keyed by the child, referral.decided by the case: they may arrive in either order)."""

    async def read() -> dict[str, Any] | None:
        r = await client.get(f"/v1/assessments/{assessment_id}")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body if body["child"] is not None else None

    async with journey.assessment_manager() as client:
        found: dict[str, Any] = await eventually(
            read, within=10, interval=0.02, what="the child's identity in the assessment service"
        )
        return found


# --- the journeys ---------------------------------------------------------------------------------


async def test_an_assessment_decision_opens_an_assessment_due_in_45_working_days(journey: Journey) -> None:
    child = _new_child()
    referral, decided_at = await _receive_and_decide(journey, child, "assessment")
    case_id = referral["case_id"]

    item = await _wait_for_assessment(journey, case_id, decided_at, "assessment")
    assert (item["child_id"], item["team"], item["route"], item["status"], item["lead_practitioner"]) == (
        referral["child"]["id"],
        "north",
        "section17",
        "unallocated",
        None,
    )
    assert (item["referral_date"], item["due_date"]) == (REFERRAL_DATE, DUE_DATE)

    # The child's identity reached the assessment service's local copy.
    assessment = await _assessment_with_child(journey, item["assessment_id"])
    assert (assessment["case_id"], assessment["referral_id"], assessment["due_date"], assessment["section47"]) == (
        case_id,
        referral["id"],
        DUE_DATE,
        None,
    )
    copied = assessment["child"]
    assert (
        copied["la_child_id"],
        copied["given_name"],
        copied["family_name"],
        copied["date_of_birth"],
        copied["nhs_number"],
    ) == (
        child["la_child_id"],
        child["given_name"],
        child["family_name"],
        child["date_of_birth"],
        child["nhs_number"],
    )
    async with journey.assessment_manager() as client:
        listed = await _worklist_item(client, case_id)
    assert listed is not None and listed["child_name"] == f"{child['given_name']} {child['family_name']}"

    # Partners heard "referred" (from the front door) then "assessment", with nothing but what they hold.
    statuses = await read_events(
        journey.referral_settings.kafka_bootstrap,
        PARTNER_STATUS_TOPIC,
        match=lambda e: e.subject == child["nhs_number"] and e.type == "status.changed",
        count=2,
        settle=1.0,
    )
    assert [(e.source, e.data.status.value) for e in statuses] == [("referral", "referred"), ("assessment", "assessment")]
    for event in statuses:
        payload = event.to_json_dict()["data"]
        assert set(payload) == {"nhs_number", "date_of_birth", "status", "since", "responsible_service", "contact"}
        # Since the day each status began: the referral's date, then the day the assessment opened.
        began = REFERRAL_DATE if payload["status"] == "referred" else clock.today().isoformat()
        assert (payload["nhs_number"], payload["date_of_birth"], payload["since"]) == (
            child["nhs_number"],
            child["date_of_birth"],
            began,
        )
        # Keyed by what the partner holds, never by the case; no internal team id, no trace context.
        assert event.subject == child["nhs_number"] and event.traceparent is None
        wire = json.dumps(event.to_json_dict())
        for internal in (case_id, '"north"', child["given_name"], child["family_name"], child["la_child_id"], "PC Journey"):
            assert internal not in wire
        assert "domestic incident" not in wire


async def test_a_strategy_discussion_opens_a_section_47_enquiry_with_its_assessment(journey: Journey) -> None:
    child = _new_child()
    referral, decided_at = await _receive_and_decide(journey, child, "strategy_discussion")
    case_id = referral["case_id"]

    item = await _wait_for_assessment(journey, case_id, decided_at, "strategy_discussion")
    assert (item["route"], item["status"], item["referral_date"], item["due_date"]) == (
        "section47",
        "unallocated",
        REFERRAL_DATE,
        DUE_DATE,
    )

    assessment = await _assessment_with_child(journey, item["assessment_id"])
    assert assessment["child"]["la_child_id"] == child["la_child_id"]
    section47 = assessment["section47"]
    assert section47 is not None
    assert (section47["assessment_id"], section47["case_id"], section47["child_id"], section47["team"], section47["status"]) == (
        item["assessment_id"],
        case_id,
        referral["child"]["id"],
        "north",
        "awaiting_start",
    )
    async with journey.assessment_manager() as client:
        r = await client.get(f"/v1/section47/{section47['id']}")
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["icpc_target_date"]) == (section47["id"], None)

    # The assessment service announced both, on its own topic.
    opened = await read_events(
        journey.assessment_settings.kafka_bootstrap,
        ASSESSMENT_TOPIC,
        match=lambda e: e.subject == case_id and e.type == "assessment.opened",
        count=1,
        settle=0.5,
    )
    assert [(str(e.data.assessment_id), str(e.data.section47_id), e.data.route.value) for e in opened] == [
        (item["assessment_id"], section47["id"], "section47")
    ]
    statuses = await read_events(
        journey.referral_settings.kafka_bootstrap,
        PARTNER_STATUS_TOPIC,
        match=lambda e: e.subject == child["nhs_number"] and e.type == "status.changed",
        count=2,
        settle=0.5,
    )
    assert [e.data.status.value for e in statuses] == ["referred", "assessment"]
