"""Each step of a journey as its users take it, over the services' public HTTP APIs.

``Driver`` speaks to the services as their users would (the front door, practitioners, managers,
early help), one method per step; on the day each step happens (``clock.on(day)``), waiting for
what the other services do with it before the journey moves on. It runs against services in the
test's process (``tests/year_of_journeys.py``) and against a running stack over HTTP (``LiveStack``:
the whole journeys in ``tests/journeys`` and ``continuum demo``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import httpx

from continuum.casework import clock
from continuum_tools.journey.people import Child, Episode
from continuum_tools.journey.waiting import eventually, unique

#: Seconds: a bound against a broken journey hanging, not a speed requirement.
WITHIN = 60.0


class Stack(Protocol):
    def client(
        self, service: str, *roles: str, teams: Sequence[str] = ("north",), sub: str | None = None
    ) -> httpx.AsyncClient: ...


class Clock(Protocol):
    def on(self, day: date, hour: int = 10) -> None: ...


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
            conclusion: dict[str, Any] = (
                {"icpc_date": conference.isoformat(), "outcome": outcome}
                if conference
                else {"icpc_not_required": True, "outcome": outcome}
            )
            url = f"/v1/section47/{s47['id']}/conclusion"
            return _ok(await manager.post(url, json=conclusion, headers=_etag(s47["version"])))

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
                        return bool(seen >= count)
                    params = {"limit": 200, "cursor": page["next_cursor"]}

            await eventually(recorded, within=WITHIN, what=f"insight hearing {event_type} x{count}")
