"""Helpers for the plan service's tests: API clients per user, events from the assessment service
(handed to the real consumer, through the broker or straight to its handler), plans taken through
the API to where a test needs them, and database snapshots that prove a refusal changed nothing."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from continuum.casework import clock
from continuum.contracts import Envelope
from continuum.contracts.assessment import (
    ASSESSMENT_TOPIC,
    AssessmentAuthorised,
    AssessmentOpened,
    AssessmentOutcome,
    AssessmentRoute,
    Section47Concluded,
    Section47Outcome,
)
from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode, ReasonForClosure
from continuum.contracts.stepdown import CaseClosed, CaseReopened
from continuum.messaging.consumer import EventConsumer
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import (
    ServiceCases,
    assert_problem,
    child_event,
    eventually,
    send_events,
    unique,
)
from plan.settings import PlanSettings

CONTENT = {
    "worries": "Arguments at home frighten Sam; Sam has missed school.",
    "working_well": "Sam's grandmother visits every weekend.",
    "outcomes_for_child": "Sam feels safe at home and goes to school every day.",
    "expectations_of_parents": "No arguments in front of Sam.",
    "exit_criteria": "Three months with no police call-outs.",
}


def action_body(**overrides: Any) -> dict[str, Any]:
    return {
        "description": "Attend the 12-week domestic abuse programme at the family centre",
        "owner": {"person": "Jo Parent", "agency": "family"},
        "success_measure": "Attends at least 10 of the 12 weekly sessions",
        "due_date": (clock.today() + timedelta(days=60)).isoformat(),
    } | overrides


def etag(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


class Api:
    """An HTTP client for the plan API, acting as one user."""

    def __init__(self, app: Any, settings: PlanSettings) -> None:
        self.app = app
        self.settings = settings

    def as_user(
        self, *roles: str, teams: tuple[str, ...] = ("north",), sw_qualified: bool = False, sub: str | None = None
    ) -> httpx.AsyncClient:
        token = mint_dev_token(
            self.settings, sub=sub or unique("user"), roles=list(roles), teams=list(teams), sw_qualified=sw_qualified
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://plan", headers={"Authorization": f"Bearer {token}"}
        )

    def manager(self, team: str = "north", *, sw_qualified: bool = True) -> httpx.AsyncClient:
        return self.as_user("manager", teams=(team,), sw_qualified=sw_qualified)

    def practitioner(self, team: str = "north") -> httpx.AsyncClient:
        return self.as_user("practitioner", teams=(team,))


def authorised(
    *,
    outcome: str = "cin_plan",
    team: str = "north",
    child_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    assessment_id: uuid.UUID | None = None,
    route: str = "section17",
) -> Envelope[Any]:
    """An authorised assessment as the assessment service publishes it."""
    case = case_id or uuid.uuid4()
    today = clock.today()
    data = AssessmentAuthorised(
        assessment_id=assessment_id or uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        referral_id=uuid.uuid4(),
        team=team,
        route=AssessmentRoute(route),
        section47_id=None,
        lead_practitioner="sw-lead",
        lead_practitioner_role="social_worker",
        authorised_by="manager-north",
        referral_date=today - timedelta(days=30),
        start_date=today - timedelta(days=29),
        authorisation_date=today,
        due_date=today + timedelta(days=30),
        working_days=20,
        within_timescale=True,
        child_seen_date=today - timedelta(days=20),
        child_seen_alone=True,
        factors=[AssessmentFactor("3A"), AssessmentFactor("4B")],
        primary_need=PrimaryNeedCode("N1"),
        specialist_assessments=[],
        outcome=AssessmentOutcome(outcome),
        closure_date=None,
        reason_for_closure=None,
    )
    return Envelope.wrap(data, source="assessment", subject=str(case), aggregate_version=5)


def concluded(
    *,
    case_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    outcome: str = "cp_plan",
    team: str = "north",
    assessment_id: uuid.UUID | None = None,
    section47_id: uuid.UUID | None = None,
    icpc_date: date | None = None,
) -> Envelope[Any]:
    """A concluded section 47 enquiry as the assessment service publishes it (its conference today,
    unless ``icpc_date`` says otherwise)."""
    case = case_id or uuid.uuid4()
    today = clock.today()
    icpc = icpc_date or today
    data = Section47Concluded(
        section47_id=section47_id or uuid.uuid4(),
        assessment_id=assessment_id or uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        team=team,
        start_date=icpc - timedelta(days=10),
        icpc_target_date=icpc,
        icpc_date=icpc,
        icpc_not_required=False,
        icpc_within_target=True,
        outcome=Section47Outcome(outcome),
        concluded_by="manager-north",
        concluded_at=clock.now(),
    )
    return Envelope.wrap(data, source="assessment", subject=str(case), aggregate_version=3)


def assessment_opened(
    *, case_id: uuid.UUID | None = None, child_id: uuid.UUID | None = None, team: str = "north", referral_date: date | None = None
) -> Envelope[Any]:
    """An assessment opened for a (new) episode, as the assessment service publishes it."""
    case = case_id or uuid.uuid4()
    referred = referral_date or clock.today() - timedelta(days=20)
    data = AssessmentOpened(
        assessment_id=uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        referral_id=uuid.uuid4(),
        referral_date=referred,
        due_date=referred + timedelta(days=63),
        team=team,
        route=AssessmentRoute.SECTION17,
        section47_id=None,
        opened_at=clock.now(),
    )
    return Envelope.wrap(data, source="assessment", subject=str(case), aggregate_version=1)


def case_closed(case_id: uuid.UUID, child_id: uuid.UUID, *, closure_date: date | None = None) -> Envelope[Any]:
    """Step-down closed the episode."""
    closed_on = closure_date or clock.today()
    data = CaseClosed(
        case_id=case_id,
        child_id=child_id,
        team="north",
        stepdown_id=uuid.uuid4(),
        kind="close",
        referral_date=closed_on - timedelta(days=30),
        closure_date=closed_on,
        reason_for_closure=ReasonForClosure.SERVICES_CEASED,
        referral_nfa=False,
        assessed=True,
        unmet_need=False,
        actions=None,
        closed_at=clock.now(),
    )
    return Envelope.wrap(data, source="stepdown", subject=str(case_id), aggregate_version=3)


def case_reopened(case_id: uuid.UUID, child_id: uuid.UUID, *, closure_date: date) -> Envelope[Any]:
    """Step-down withdrew the closure on ``closure_date`` (a corrected decision)."""
    data = CaseReopened(
        case_id=case_id,
        child_id=child_id,
        team="north",
        stepdown_id=uuid.uuid4(),
        closure_date=closure_date,
        reopened_at=clock.now(),
    )
    return Envelope.wrap(data, source="stepdown", subject=str(case_id), aggregate_version=4)


def nhs_number() -> str:
    """A fresh NHS number with a valid check digit (partner statuses are keyed by it)."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def child_registered(
    child_id: uuid.UUID,
    *,
    version: int = 1,
    nhs_number: str | None = "9434765919",
    previous_cp_plans_elsewhere: int | None = None,
) -> Envelope[Any]:
    data = child_event(child_id, version=version, nhs_number=nhs_number, previous_cp_plans_elsewhere=previous_cp_plans_elsewhere)
    return Envelope.wrap(data, source="referral", subject=str(child_id), aggregate_version=version)


async def publish(
    bootstrap: str, *messages: Envelope[Any] | tuple[str, bytes], topic: str = ASSESSMENT_TOPIC, key: str | None = None
) -> None:
    """Send events (or raw ``(key, bytes)``) to the topic, as the assessment service's relay would."""
    await send_events(bootstrap, topic, *messages, key=key)


class Cases(ServiceCases):
    """Direct access to the service's database and its drafting consumer's handler (no broker)."""

    @property
    def drafting(self) -> EventConsumer:
        consumer: EventConsumer = self.consumer
        return consumer

    async def draft(self, *, with_child: bool = True, nhs: str | None = "9434765919", **values: Any) -> dict[str, Any]:
        """A plan drafted from an authorised assessment; returns its row. A child protection
        outcome comes after its conference (``section47.concluded``, held yesterday: the plan
        starts on that day)."""
        event = authorised(**values)
        if with_child:
            await self.deliver(child_registered(event.data.child_id, nhs_number=nhs))
        if event.data.outcome is AssessmentOutcome.CHILD_PROTECTION:
            conference = concluded(
                case_id=event.data.case_id,
                child_id=event.data.child_id,
                team=event.data.team,
                assessment_id=event.data.assessment_id,
                icpc_date=clock.today() - timedelta(days=1),
            )
            await self.deliver(conference)
        await self.deliver(event)
        row = await self.row("SELECT * FROM plans WHERE case_id = :c", c=event.data.case_id)
        assert row is not None
        return row

    async def ready(self, api: Api, *, plan_type: str = "cin", actions: int = 1, **values: Any) -> dict[str, Any]:
        """A drafted plan with its content, actions (and CP category) through the API: ready to approve."""
        outcome = "child_protection" if plan_type == "cp" else "cin_plan"
        row = await self.draft(outcome=outcome, **values)
        async with api.practitioner(row["team"]) as client:
            body: dict[str, Any] = {"content": CONTENT} | ({"category_of_abuse": "NEG"} if plan_type == "cp" else {})
            r = await client.patch(f"/v1/plans/{row['id']}", json=body, headers=etag(row["version"]))
            assert r.status_code == 200, r.text
            for _ in range(actions):
                r = await client.post(f"/v1/plans/{row['id']}/actions", json=action_body(), headers=etag(r.json()["version"]))
                assert r.status_code == 201, r.text
        return dict(r.json())

    async def started(self, api: Api, **values: Any) -> dict[str, Any]:
        """A plan approved today by a qualified manager of its team; returns the plan's answer. A
        CIN plan starts today, a CP plan on its conference's day (yesterday)."""
        plan = await self.ready(api, **values)
        body = {"start_date": clock.today().isoformat()} if plan["plan_type"] == "cin" else {}
        async with api.manager(plan["team"]) as manager:
            r = await manager.post(f"/v1/plans/{plan['id']}/approval", json=body, headers=etag(plan["version"]))
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def block_snapshot(self, case_id: Any) -> dict[str, Any]:
        """Everything a pre-proceedings request for the episode could change: its blocks, the
        case's events and the audit rows of success about its blocks."""
        blocks = await self.rows("SELECT * FROM preproceedings WHERE case_id = :c ORDER BY start_date, id", c=case_id)
        return {
            "blocks": blocks,
            "outbox": await self.scalar("SELECT count(*) FROM outbox WHERE key = :k", k=str(case_id)),
            "audit": await self.scalar(
                "SELECT count(*) FROM audit_log WHERE outcome = 'success' AND subject_id = ANY(:ids)",
                ids=[str(b["id"]) for b in blocks],
            ),
        }

    async def partner_statuses(self, nhs: str) -> list[dict[str, Any]]:
        """The partner statuses written for the child with this NHS number (their key), oldest first."""
        rows = await self.rows("SELECT payload FROM outbox WHERE key = :k AND event_type = 'status.changed' ORDER BY seq", k=nhs)
        return [r["payload"]["data"] for r in rows]

    async def backdate(self, plan_id: Any, days: int) -> None:
        """Move a started plan's dates ``days`` into the past (as if it started then), due dates too."""
        async with self.runtime.session_factory() as session, session.begin():
            await session.execute(
                text(
                    "UPDATE plans SET start_date = start_date - CAST(:s AS integer), "
                    "drafted_at = drafted_at - make_interval(days => CAST(:s AS integer)), "
                    "next_review_due = next_review_due - CAST(:s AS integer), "
                    "next_visit_due = next_visit_due - CAST(:s AS integer), "
                    "drift_next_check = CURRENT_DATE - 3650 "
                    "WHERE id = :p"
                ),
                {"s": days, "p": plan_id},
            )

    async def snapshot(self, plan_id: Any) -> dict[str, Any]:
        """Everything a request on this plan could change: its row, its history rows, the events of
        its case and the audit rows of success about it."""
        p = await self.row("SELECT * FROM plans WHERE id = :p", p=plan_id)
        assert p is not None
        counts = {
            t: await self.scalar(f"SELECT count(*) FROM {t} WHERE plan_id = :p", p=plan_id)
            for t in ("plan_versions", "plan_reviews", "plan_visits", "plan_meetings", "plan_drift_findings")
        }
        return {
            "plan": p,
            **counts,
            "outbox": await self.scalar("SELECT count(*) FROM outbox WHERE key = :k", k=str(p["case_id"])),
            "audit": await self.scalar(
                "SELECT count(*) FROM audit_log WHERE subject_id = :p AND outcome = 'success'", p=str(plan_id)
            ),
        }


__all__ = [
    "Api",
    "Cases",
    "action_body",
    "assert_problem",
    "assessment_opened",
    "authorised",
    "case_closed",
    "case_reopened",
    "child_registered",
    "concluded",
    "etag",
    "eventually",
    "nhs_number",
    "publish",
]
