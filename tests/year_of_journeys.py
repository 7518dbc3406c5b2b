"""A year of children's journeys driven through the five services' APIs over the real broker.

The services run in the test's process, each on its own freshly migrated database with its relay and
consumers on, as `make run` runs them, on a broker of the module's own. The kernel's clock is moved
to the day each step happens (``Clock``: ``continuum.casework.clock.now`` answers 10:00 in London
that day), and every step waits for what the other services do with it before the clock moves on:
the running product keeps real time; only the test process travels.

``Driver`` speaks to the services as their users would (the front door, practitioners, managers,
early help), one method per step of a journey; ``Child`` and ``Episode`` remember the ids the
services gave and what the census should say of them.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest

from assessment.app import create_app as create_assessment_app
from assessment.consumers import ESCALATION_CONSUMER, INTAKE_CONSUMER
from assessment.settings import AssessmentSettings
from continuum.casework import clock
from continuum.contracts.codes import upn_check_letter
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import eventually, la_child_id, remember_personal_data, test_settings, unique
from insight.app import create_app as create_insight_app
from insight.consumers import READ_MODEL_CONSUMER
from insight.settings import InsightSettings
from plan.app import create_app as create_plan_app
from plan.consumers import DRAFTING_CONSUMER
from plan.settings import PlanSettings
from referral.app import create_app as create_referral_app
from referral.consumers import EPISODES_CONSUMER, STEPUP_CONSUMER
from referral.settings import ReferralSettings
from stepdown.app import create_app as create_stepdown_app
from stepdown.consumers import TRANSITIONS_CONSUMER
from stepdown.settings import StepdownSettings

SERVICES = Path(__file__).resolve().parents[1] / "services"
#: Seconds: a bound against a broken journey hanging, not a speed requirement.
WITHIN = 60.0
CONSUMER_GROUPS = (
    INTAKE_CONSUMER,
    ESCALATION_CONSUMER,
    READ_MODEL_CONSUMER,
    DRAFTING_CONSUMER,
    STEPUP_CONSUMER,
    EPISODES_CONSUMER,
    TRANSITIONS_CONSUMER,
)


# --- the stack and the clock ------------------------------------------------------------------------


@dataclass
class Stack:
    apps: dict[str, Any]
    settings: dict[str, Any]

    def client(self, service: str, *roles: str, teams: Sequence[str] = ("north",), sub: str | None = None) -> httpx.AsyncClient:
        token = mint_dev_token(
            self.settings[service], sub=sub or unique("year"), roles=list(roles), teams=list(teams), sw_qualified=True
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.apps[service]),
            base_url=f"http://{service}",
            headers={"Authorization": f"Bearer {token}"},
        )


@asynccontextmanager
async def five_services(make_database: Callable[[str, Path], str], bootstrap: str, prefix: str) -> AsyncIterator[Stack]:
    """The five services on their own databases (``<prefix>_<service>``) and ``bootstrap``, running."""

    def base(name: str) -> dict[str, Any]:
        url = make_database(f"{prefix}_{name}", SERVICES / name / "alembic.ini")
        return test_settings(bootstrap, database_url=url).model_dump(exclude={"service_name"})

    settings: dict[str, Any] = {
        "referral": ReferralSettings(**base("referral")),
        "assessment": AssessmentSettings(**base("assessment"), overdue_check_interval_seconds=3600),
        "plan": PlanSettings(**base("plan"), drift_check_interval_seconds=3600),
        "stepdown": StepdownSettings(**base("stepdown"), escalation_check_interval_seconds=3600),
        "insight": InsightSettings(**base("insight")),
    }
    await ensure_topics(settings["insight"], [dlq_topic(g) for g in CONSUMER_GROUPS])
    factories = {
        "referral": create_referral_app,
        "assessment": create_assessment_app,
        "plan": create_plan_app,
        "stepdown": create_stepdown_app,
        "insight": create_insight_app,
    }
    apps = {name: create(settings[name]) for name, create in factories.items()}
    async with AsyncExitStack() as running:
        for app in apps.values():
            await running.enter_async_context(app.router.lifespan_context(app))
        consumers = [consumer for app in apps.values() for consumer in app.state.runtime.consumers]
        await eventually(
            lambda: all(consumer.holds_all_partitions() for consumer in consumers),
            within=WITHIN,
            what="every consumer holding its partitions",
        )
        yield Stack(apps, settings)


class Clock:
    """The kernel's clock in this process, moved to a day: ``clock.now()`` answers 10:00 in London
    on it (or the hour given) until moved again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.instant = clock.now()
        monkeypatch.setattr(clock, "now", lambda: self.instant)

    def on(self, day: date, hour: int = 10) -> None:
        self.instant = datetime.combine(day, time(hour), tzinfo=clock.LONDON).astimezone(UTC)


# --- the children -----------------------------------------------------------------------------------


def upn(serial: int) -> str:
    """A well-formed UPN (its check letter right), distinct by ``serial``."""
    rest = f"201{serial:09d}"[:12]
    return upn_check_letter(rest) + rest


def nhs_number() -> str:
    """A random NHS number with a correct modulus-11 check digit."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


@dataclass
class Child:
    """A child as the front door first records it, and the id the referral service gave it."""

    body: dict[str, Any]
    child_id: str | None = None
    version: int = 1

    @classmethod
    def new(cls, *, born: date | None = date(2016, 3, 14), **identity: Any) -> Child:
        given, family = unique("Year").replace("-", ""), unique("Child").replace("-", "")
        remember_personal_data(given, family)
        body = {
            "la_child_id": la_child_id(),
            "given_name": given,
            "family_name": family,
            "date_of_birth": born.isoformat() if born else None,
            "sex": "F",
            "ethnicity": "WBRI",
            "disabilities": ["NONE"],
            "nhs_number": nhs_number(),
            "postcode": "EX1 1AA",
        }
        return cls(body | identity)

    @property
    def la_child_id(self) -> str:
        return str(self.body["la_child_id"])


@dataclass
class Episode:
    """One episode (case) of a child: the ids the services gave it, as the journey learns them."""

    child: Child
    referral: dict[str, Any]
    team: str
    assessments: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    stepdowns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def case_id(self) -> str:
        return str(self.referral["case_id"])

    def plan(self, kind: str) -> dict[str, Any]:
        return next(p for p in reversed(self.plans) if p["plan_type"] == kind)


def _etag(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def _ok(r: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert r.status_code in (statuses or (200,)), f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}"
    body: dict[str, Any] = r.json()
    return body


async def _change(client: httpx.AsyncClient, method: str, url: str, *, record: str, json: Any = None) -> dict[str, Any]:
    """Change a record at its current version (read from ``record``), as a client does: a record
    another service's event changed in between (412) is read again and the change sent again."""
    for _ in range(5):
        version = _ok(await client.get(record))["version"]
        r = await client.request(method, url, json=json, headers=_etag(version))
        if r.status_code != 412:
            return _ok(r, 200, 201)
    raise AssertionError(f"{method} {url}: the record kept changing")


ACTION = {
    "description": "Attend the parenting programme every week",
    "owner": {"person": "Parent", "agency": "family"},
    "success_measure": "Attends at least 10 of 12 sessions",
}
CONTENT = {"worries": "Neglect at home.", "outcomes_for_child": "Safe and well at home.", "exit_criteria": "No concerns."}
HANDOVER = {
    "unmet_needs": "School attendance is still below 80%",
    "what_has_worked": "Weekly family support visits",
    "same_lead_practitioner": True,
    "family_agreed": True,
}


@dataclass
class Driver:
    """Each step of a journey as its users take it, on the day it happens."""

    stack: Stack
    clock: Clock
    lead: str = "sw-year"

    # --- the front door -----------------------------------------------------------------------

    async def refer(self, child: Child, day: date, outcome: str, *, source: str = "6", team: str = "north") -> Episode:
        """A referral received and decided the same day."""
        self.clock.on(day)
        async with self.stack.client("referral", "front_door", "manager", teams=(team,)) as front_door:
            referral = _ok(
                await front_door.post(
                    "/v1/referrals",
                    json={
                        **({"child": child.body} if child.child_id is None else {"child_id": child.child_id}),
                        "received_at": clock.now().isoformat(),
                        "source": source,
                        "referrer": {"name": "A referrer", "agency": "Example agency"},
                        "concerns": "Concerns about the child's care at home.",
                        "lawful_basis": "public_task_safeguarding_children",
                        "suggested_threshold": "child_in_need",
                        "team": team,
                    },
                ),
                201,
            )
            child.child_id = referral["child"]["id"]
            return await self._decide(front_door, child, referral, outcome, team)

    async def _decide(
        self, front_door: httpx.AsyncClient, child: Child, referral: dict[str, Any], outcome: str, team: str
    ) -> Episode:
        decided = _ok(
            await front_door.post(
                f"/v1/referrals/{referral['id']}/decision",
                json={"outcome": outcome, "reasons": "Decided at the front door.", "team": team},
                headers=_etag(referral["version"]),
            )
        )
        return Episode(child, decided, team)

    async def decide_step_up(self, child: Child, day: date, outcome: str, *, team: str = "north") -> Episode:
        """The referral early help's step-up made (source 5D), decided at the front door."""
        self.clock.on(day)
        async with self.stack.client("referral", "front_door", "manager", teams=(team,)) as front_door:

            async def stepped_up() -> dict[str, Any] | None:
                page = _ok(await front_door.get("/v1/referrals", params={"child_id": child.child_id}))
                return next((r for r in page["items"] if r["source"] == "5D" and r["outcome"] is None), None)

            listed = await eventually(stepped_up, within=WITHIN, what="the step-up's referral")
            referral = _ok(await front_door.get(f"/v1/referrals/{listed['id']}"))
            return await self._decide(front_door, child, referral, outcome, team)

    # --- assessments and section 47 enquiries ----------------------------------------------------

    async def _opened(self, episode: Episode, route: str) -> dict[str, Any]:
        async with self.stack.client("assessment", "manager", teams=(episode.team,)) as manager:

            async def opened() -> dict[str, Any] | None:
                items = _ok(await manager.get("/v1/assessments", params={"case_id": episode.case_id}))["items"]
                done = {a["id"] for a in episode.assessments}
                return next((a for a in items if a["route"] == route and a["assessment_id"] not in done), None)

            found = await eventually(opened, within=WITHIN, what=f"the {route} assessment")
            return _ok(await manager.get(f"/v1/assessments/{found['assessment_id']}"))

    async def assess(
        self,
        episode: Episode,
        start: date,
        end: date,
        outcome: str,
        *,
        factors: Sequence[str] = ("3B",),
        primary_need: str = "N1",
        route: str = "section17",
        authorise: bool = True,
    ) -> dict[str, Any]:
        """The assessment the decision (or an escalation) opened: allocated and recorded on
        ``start``, submitted and authorised on ``end`` (``authorise=False``: left in progress)."""
        self.clock.on(start)
        assessment = await self._opened(episode, route)
        aid, version = assessment["id"], assessment["version"]
        async with (
            self.stack.client("assessment", "manager", teams=(episode.team,)) as manager,
            self.stack.client("assessment", "practitioner", teams=(episode.team,), sub=self.lead) as lead,
        ):
            body = {"lead_practitioner": self.lead, "lead_practitioner_role": "social_worker"}
            version = _ok(await manager.post(f"/v1/assessments/{aid}/allocation", json=body, headers=_etag(version)))["version"]
            record = {
                "start_date": start.isoformat(),
                "child_seen_date": start.isoformat(),
                "child_seen_alone": True,
                "factors": list(factors),
                "primary_need": primary_need,
                "recommendation": outcome,
                "recommendation_summary": "What the assessment found.",
            }
            version = _ok(await lead.patch(f"/v1/assessments/{aid}", json=record, headers=_etag(version)))["version"]
            if authorise:
                self.clock.on(end)
                version = _ok(await lead.post(f"/v1/assessments/{aid}/submission", headers=_etag(version)))["version"]
                body = {"authorisation_date": end.isoformat(), "outcome": outcome}
                version = _ok(await manager.post(f"/v1/assessments/{aid}/authorisation", json=body, headers=_etag(version)))[
                    "version"
                ]
        episode.assessments.append(assessment | {"version": version})
        return assessment

    async def enquire(
        self, episode: Episode, start: date, conference: date | None, outcome: str, *, strategy: date | None = None
    ) -> dict[str, Any]:
        """The section 47 enquiry of the episode's open section 47 assessment: started on ``start``
        (unless an escalation started it), concluded on ``conference`` (the ICPC's date; ``None``:
        ended without one)."""
        self.clock.on(start)
        assessment = await self._opened(episode, "section47")
        async with self.stack.client("assessment", "manager", teams=(episode.team,)) as manager:
            s47 = _ok(await manager.get(f"/v1/section47/{assessment['section47']['id']}"))
            if s47["status"] == "awaiting_start":
                body = {"strategy_discussion_date": (strategy or start).isoformat(), "start_date": start.isoformat()}
                s47 = _ok(await manager.post(f"/v1/section47/{s47['id']}/start", json=body, headers=_etag(s47["version"])))
            self.clock.on(conference or start)
            body = (
                {"icpc_date": conference.isoformat(), "outcome": outcome}
                if conference
                else {"icpc_not_required": True, "outcome": outcome}
            )
            return _ok(await manager.post(f"/v1/section47/{s47['id']}/conclusion", json=body, headers=_etag(s47["version"])))

    # --- plans --------------------------------------------------------------------------------

    async def plan(self, episode: Episode, kind: str, start: date, *, approved: date | None = None) -> dict[str, Any]:
        """The plan the assessment (or conference) drafted, given its content and one action and
        approved on ``approved`` (default ``start``): a CIN plan from ``start``, a CP plan from its
        conference (census rule 2885; ``start`` is then the conference's day)."""
        self.clock.on(approved or start)
        async with self.stack.client("plan", "manager", teams=(episode.team,)) as manager:

            async def drafted() -> dict[str, Any] | None:
                items = _ok(await manager.get("/v1/plans", params={"case_id": episode.case_id}))["items"]
                return next((p for p in items if p["plan_type"] == kind and p["status"] == "draft"), None)

            summary = await eventually(drafted, within=WITHIN, what=f"the draft {kind} plan")

            async def with_child() -> dict[str, Any] | None:
                plan = _ok(await manager.get(f"/v1/plans/{summary['plan_id']}"))
                return plan if plan["child"] is not None else None

            plan = await eventually(with_child, within=WITHIN, what="the child's identity in the plan service")
            url = f"/v1/plans/{plan['id']}"
            body: dict[str, Any] = {"content": CONTENT} | ({"category_of_abuse": "NEG"} if kind == "cp" else {})
            await _change(manager, "PATCH", url, record=url, json=body)
            action = ACTION | {"due_date": (approved or start).isoformat()}
            await _change(manager, "POST", f"{url}/actions", record=url, json=action)
            approval = {} if kind == "cp" else {"start_date": start.isoformat()}
            plan = await _change(manager, "POST", f"{url}/approval", record=url, json=approval)
        assert (plan["status"], plan["start_date"]) == ("active", start.isoformat()), plan
        episode.plans.append(plan)
        return plan

    async def _current(self, episode: Episode, kind: str) -> dict[str, Any]:
        """The episode's latest plan of ``kind`` as the plan service has it now."""
        async with self.stack.client("plan", "manager", teams=(episode.team,)) as manager:
            plan = _ok(await manager.get(f"/v1/plans/{episode.plan(kind)['id']}"))
        episode.plans[episode.plans.index(episode.plan(kind))] = plan
        return plan

    async def review(self, episode: Episode, kind: str, day: date, decision: str = "continue") -> dict[str, Any]:
        self.clock.on(day)
        plan = await self._current(episode, kind)
        body = {
            "review_date": day.isoformat(),
            "progress": [{"action_id": a["id"], "progress": "in_progress"} for a in plan["actions"]],
            "decision": decision,
            "exit_criteria_met": decision != "continue",
            "concerns_remain": decision == "continue",
        }
        async with self.stack.client("plan", "manager", teams=(episode.team,)) as manager:
            await _change(manager, "POST", f"/v1/plans/{plan['id']}/reviews", record=f"/v1/plans/{plan['id']}", json=body)
        return await self._current(episode, kind)

    async def end_plan(
        self,
        episode: Episode,
        kind: str,
        day: date,
        next_step: str,
        *,
        reason_for_closure: str | None = None,
        unmet_need: bool = False,
    ) -> dict[str, Any]:
        self.clock.on(day)
        plan = await self._current(episode, kind)
        body = {
            "end_date": day.isoformat(),
            "reason": "The plan's work is done.",
            "unmet_need": unmet_need,
            "next_step": next_step,
            "actions": [{"action_id": a["id"], "progress": "done"} for a in plan["actions"]],
        } | ({"reason_for_closure": reason_for_closure} if reason_for_closure else {})
        async with self.stack.client("plan", "manager", teams=(episode.team,)) as manager:
            url = f"/v1/plans/{plan['id']}"
            ended = await _change(manager, "POST", f"{url}/ending", record=url, json=body)
        assert ended["status"] == "ended", ended
        episode.plans[episode.plans.index(plan)] = ended
        return ended

    async def preproceedings(
        self,
        episode: Episode,
        start: date,
        *,
        letter: date,
        meeting: date,
        reviews: Sequence[date],
        decided: date,
        court: date,
        letter_initiating: date,
    ) -> dict[str, Any]:
        """Pre-proceedings from the legal planning meeting to the court application and the letter
        initiating care proceedings, each recorded on its day."""
        async with self.stack.client("plan", "manager", teams=(episode.team,)) as manager:
            self.clock.on(start)
            block = _ok(
                await manager.post("/v1/pre-proceedings", json={"case_id": episode.case_id, "start_date": start.isoformat()}),
                201,
            )
            self.clock.on(max(meeting, *reviews))
            record = {
                "letter_before_proceedings_date": letter.isoformat(),
                "fgdm_offered": True,
                "fgdm_held": True,
                "initial_meeting_date": meeting.isoformat(),
                "review_meeting_dates": [d.isoformat() for d in reviews],
            }
            url = f"/v1/pre-proceedings/{block['id']}"
            block = _ok(await manager.put(url, json=record, headers=_etag(block["version"])))
            self.clock.on(court)
            decision = {
                "decision": "issue_proceedings",
                "decision_date": decided.isoformat(),
                "court_application_date": court.isoformat(),
            }
            block = _ok(await manager.post(f"{url}/decision", json=decision, headers=_etag(block["version"])))
            self.clock.on(letter_initiating)
            body = {"letter_date": letter_initiating.isoformat()}
            return _ok(await manager.post(f"{url}/care-proceedings-letter", json=body, headers=_etag(block["version"])))

    # --- step-down and step-up ----------------------------------------------------------------

    async def hand_over(self, episode: Episode, day: date) -> dict[str, Any]:
        """Social care records the handover of the pending step-down and early help accepts it."""
        self.clock.on(day)
        async with self.stack.client("stepdown", "early_help", teams=("early-help",)) as early_help:

            async def pending() -> dict[str, Any] | None:
                items = _ok(await early_help.get("/v1/stepdowns", params={"status": "pending", "limit": 200}))["items"]
                return next((s for s in items if s["case_id"] == episode.case_id), None)

            stepdown = await eventually(pending, within=WITHIN, what="the pending step-down")
            async with self.stack.client("stepdown", "practitioner", teams=(episode.team,)) as practitioner:
                url = f"/v1/stepdowns/{stepdown['id']}"
                stepdown = _ok(await practitioner.put(f"{url}/handover", json=HANDOVER, headers=_etag(stepdown["version"])))
            accepted = _ok(await early_help.post(f"{url}/acceptance", headers=_etag(stepdown["version"])))
        episode.stepdowns.append(accepted)
        return accepted

    async def step_up(self, episode: Episode, day: date) -> dict[str, Any]:
        """Early help asks social care to take the child back (it becomes a 5D referral)."""
        self.clock.on(day)
        stepdown = episode.stepdowns[-1]
        body = {
            "stepdown_id": stepdown["id"],
            "child_id": stepdown["child_id"],
            "concerns": "Bruising seen at school",
            "what_was_tried": "Family support plan",
        }
        async with self.stack.client("stepdown", "early_help", teams=("early-help",)) as early_help:
            return _ok(await early_help.post("/v1/step-ups", json=body, headers={"Idempotency-Key": unique("step-up")}), 201)

    # --- the child ------------------------------------------------------------------------------

    async def died(self, child: Child, day: date) -> None:
        """The front door records the child's date of death."""
        self.clock.on(day)
        async with self.stack.client("referral", "front_door", "manager") as front_door:
            found = _ok(await front_door.get(f"/v1/children/{child.child_id}"))
            r = await front_door.patch(
                f"/v1/children/{child.child_id}", json={"date_of_death": day.isoformat()}, headers=_etag(found["version"])
            )
            _ok(r)

    # --- what insight has heard -----------------------------------------------------------------

    async def heard(self, child: Child, event_type: str, count: int = 1) -> None:
        """Wait until the insight service has recorded ``count`` events of ``event_type`` of the child."""
        async with self.stack.client("insight", "auditor", teams=()) as auditor:

            async def recorded() -> bool:
                seen, params = 0, {"limit": 200}
                while True:
                    r = await auditor.get(f"/v1/children/{child.child_id}/chronology", params=params)
                    if r.status_code == 404:
                        return False
                    page = _ok(r)
                    seen += sum(e["event_type"] == event_type for e in page["items"])
                    if page["next_cursor"] is None:
                        return seen >= count
                    params = {"limit": 200, "cursor": page["next_cursor"]}

            await eventually(recorded, within=WITHIN, what=f"insight hearing {event_type} x{count}")
